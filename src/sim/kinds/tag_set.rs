//! Tag sets and their tags (reference §2.18): tag ids `TagSets-N/Tags-M`, canonical names `Set/Tag`.

use serde_json::{json, Value};

use super::parts::sort_order;
use super::{Change, FollowUp, Listing, Spec};
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::schema::{field, m, Field, Ty, STRS};
use crate::sim::shape::{array_mut, fill, nested_name};
use crate::sim::store::{str_of, Doc, Store};

/// `TagResource` (SW21b).
const TAGS: Ty = Ty::List(&Ty::Obj(
    "TagResource",
    &[
        m("Id", Ty::Str),
        m("Name", Ty::Str),
        m("Color", Ty::Str),
        m("Description", Ty::Str),
        m("CanonicalTagName", Ty::Str),
        m("SortOrder", Ty::Int),
    ],
));

/// The tag set kind.
pub(crate) struct TagSet;

impl Spec for TagSet {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("SortOrder", Ty::Int, Value::Null),
            field("Tags", TAGS, json!([])),
            field(
                "Type",
                Ty::Enum("TagSetType", &["MultiSelect", "SingleSelect", "FreeText"]),
                json!("MultiSelect"),
            )
            .since(2025, 3),
            field("Scopes", STRS, json!(["Tenant"])).since(2025, 3),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName}"
    }

    fn order(&self) -> Listing {
        Listing::BySortOrder
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        sort_order(change, Kind::TagSet, doc);
        tags(doc, change.stored)
    }

    fn created(&self, store: &mut Store, _space: &str, doc: &mut Doc) -> ApiResult<Vec<FollowUp>> {
        assign_tag_ids(store, doc);
        Ok(Vec::new())
    }

    fn updated(&self, store: &mut Store, _space: &str, doc: &mut Doc, _stored: &Doc) -> ApiResult<()> {
        // QUESTION: renaming a tag set or tag recomputes CanonicalTagName on the set; whether the
        // server rewrites references held by tenants, channels and variables is not known, so it does not.
        assign_tag_ids(store, doc);
        Ok(())
    }
}

/// Tags: trimmed unique names; an `Id` must be one of this set's own tag ids.
fn tags(doc: &mut Doc, stored: Option<&Doc>) -> ApiResult<()> {
    let own: Vec<String> = stored
        .and_then(|s| s.get("Tags"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("Id")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    for (i, t) in array_mut(doc, "Tags")?.iter_mut().enumerate() {
        let mut m = fill(
            t,
            json!({"Id": null, "Name": "", "Color": "#333333", "Description": "", "CanonicalTagName": null, "SortOrder": 0}),
        )?;
        let id = m.get("Id").and_then(Value::as_str).unwrap_or("").to_string();
        if !id.is_empty() && !own.iter().any(|o| o.eq_ignore_ascii_case(&id)) {
            return Err(ApiError::invalid("Tag Id is in invalid format."));
        }
        let name = nested_name(&mut m, "tag")?;
        if names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            return Err(ApiError::invalid(format!(
                "A tag with the name '{name}' already exists. Tag names must be unique within a tag set."
            )));
        }
        names.push(name);
        // QUESTION: does the real server renumber tag SortOrder by position on every save, or keep
        // what it is sent? Renumbering is the assumption here (the UI reorders by dragging).
        m.insert("SortOrder".into(), json!(i));
        *t = Value::Object(m);
    }
    Ok(())
}

/// New tags get `TagSets-N/Tags-M` from a server counter; every tag gets its canonical name.
fn assign_tag_ids(store: &mut Store, doc: &mut Doc) {
    let set_id = str_of(doc, "Id").to_string();
    let set_name = str_of(doc, "Name").to_string();
    let Some(Value::Array(tags)) = doc.get_mut("Tags") else {
        return;
    };
    for t in tags.iter_mut() {
        let Value::Object(m) = t else { continue };
        if m.get("Id").and_then(Value::as_str).map(str::is_empty).unwrap_or(true) {
            let n = store.next_counter("Tags");
            m.insert("Id".into(), json!(format!("{set_id}/Tags-{n}")));
        }
        let canonical = format!("{set_name}/{}", m.get("Name").and_then(Value::as_str).unwrap_or(""));
        m.insert("CanonicalTagName".into(), json!(canonical));
    }
}
