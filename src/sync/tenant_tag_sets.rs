//! Tenant tag sets must match exactly: missing tags are added, matching tags take the source's
//! details, destination-only tags are kept, and the destination keeps its own tag ids.

use super::{document, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{name_key, name_of};
use serde_json::{json, Map, Value};

/// The tenant tag sets stage.
pub struct TenantTagSets;

/// Tag fields the server computes.
const TAG_SERVER_OWNED: &[&str] = &["Id", "CanonicalTagName"];
/// Tag fields that must match the source.
const TAG_OWNED: &[&str] = &["Description", "Color"];
/// Set fields that must match the source (besides the tags).
const SET_OWNED: &[&str] = &["Description", "Type", "Scopes"];

impl Stage for TenantTagSets {
    fn kind(&self) -> Kind {
        Kind::TagSet
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::TagSet).map(|src| plan_one(ctx, src)).collect()
    }
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    let src_tags = tags(src);
    let Some(dest) = ctx.destination.by_name(Kind::TagSet, name) else {
        let mut body = document::for_create(src);
        body["Tags"] = Value::Array(src_tags.iter().map(new_tag).collect());
        return Planned::create(ctx, Kind::TagSet, name, "missing on the destination", body)
            .notes(src_tags.iter().map(|t| format!("tag '{}'", name_of(t))));
    };

    let dest_tags = tags(dest);
    let mut merged = Vec::new();
    let mut notes = Vec::new();
    for st in &src_tags {
        match dest_tags
            .iter()
            .find(|dt| name_key(name_of(dt)) == name_key(name_of(st)))
        {
            Some(dt) => {
                let mut tag = dt.clone();
                for f in TAG_OWNED {
                    if let (Some(v), Some(obj)) = (st.get(*f), tag.as_object_mut()) {
                        if !document::equivalent(obj.get(*f).unwrap_or(&Value::Null), v) {
                            notes.push(format!("tag '{}': {f} updated", name_of(st)));
                            obj.insert((*f).to_string(), v.clone());
                        }
                    }
                }
                merged.push(tag);
            }
            None => {
                notes.push(format!("tag '{}' added", name_of(st)));
                merged.push(new_tag(st));
            }
        }
    }
    for dt in &dest_tags {
        if !src_tags.iter().any(|st| name_key(name_of(st)) == name_key(name_of(dt))) {
            notes.push(format!("destination-only tag '{}' kept", name_of(dt)));
            merged.push(dt.clone());
        }
    }
    let before: Vec<String> = dest_tags.iter().map(|t| name_key(name_of(t))).collect();
    let after: Vec<String> = merged
        .iter()
        .map(|t| name_key(name_of(t)))
        .filter(|n| before.contains(n))
        .collect();
    if after != before {
        notes.push("existing tags reordered to follow the source; destination-only tags go last".into());
    }
    // Positions follow the merged order so the destination lists tags as the source does.
    for (i, tag) in merged.iter_mut().enumerate() {
        if let Some(obj) = tag.as_object_mut() {
            if obj.contains_key("SortOrder") {
                obj.insert("SortOrder".into(), json!(i));
            }
        }
    }

    let mut fields: Vec<(&str, Value)> = vec![("Tags", Value::Array(merged))];
    for f in SET_OWNED {
        if let Some(v) = src.get(*f) {
            fields.push((f, v.clone()));
        }
    }
    let (body, changed) = document::overlay(dest, &fields);
    let id = document::str_field(dest, "Id");
    if changed.is_empty() {
        let mut p = Planned::no_write(Kind::TagSet, name, Action::Unchanged, "tags already match the source").at(id);
        // Destination-only tags are worth a mention even when nothing is written.
        p.change.notes = notes
            .into_iter()
            .filter(|n| n.starts_with("destination-only"))
            .collect();
        return p;
    }
    Planned::update(ctx, Kind::TagSet, name, "tags differ from the source", dest, body).notes(notes)
}

fn tags(doc: &Value) -> Vec<Value> {
    doc.get("Tags").and_then(Value::as_array).cloned().unwrap_or_default()
}

/// A source tag as a new destination tag: the server assigns the id and canonical name.
fn new_tag(src: &Value) -> Value {
    let mut obj: Map<String, Value> = document::object(src);
    for f in TAG_SERVER_OWNED {
        obj.remove(*f);
    }
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn set(id: &str, name: &str, tags: Value) -> Value {
        json!({"Id": id, "Name": name, "Description": "", "SortOrder": 0, "Tags": tags})
    }

    fn plan(src: Value, dest: Option<Value>) -> Planned {
        let s = Snapshot::from_docs([(Kind::TagSet, vec![src])]);
        let d = Snapshot::from_docs([(Kind::TagSet, dest.into_iter().collect())]);
        let rules = Rules::default();
        let sel = Selector::all();
        let ctx = PlanContext {
            source: &s,
            destination: &d,
            rules: &rules,
            selector: &sel,
        };
        TenantTagSets.plan(&ctx).remove(0)
    }

    #[test]
    fn a_new_tag_set_is_created_without_source_tag_ids() {
        let p = plan(
            set(
                "TagSets-1",
                "Region",
                json!([{"Id": "TagSets-1/Tags-1", "Name": "EU", "CanonicalTagName": "Region/EU", "Color": "#333333", "SortOrder": 0}]),
            ),
            None,
        );
        let Some(Write::Create { body }) = p.write else {
            panic!("expected a create")
        };
        assert_eq!(
            body["Tags"],
            json!([{"Name": "EU", "Color": "#333333", "SortOrder": 0}])
        );
        assert!(body.get("Id").is_none());
    }

    #[test]
    fn missing_tags_are_added_and_destination_tags_keep_their_ids() {
        let src = set(
            "TagSets-1",
            "Region",
            json!([
            {"Id": "TagSets-1/Tags-1", "Name": "EU", "Color": "#111111", "Description": "", "SortOrder": 0},
            {"Id": "TagSets-1/Tags-2", "Name": "US", "Color": "#222222", "Description": "", "SortOrder": 1}]),
        );
        let dest = set(
            "TagSets-9",
            "Region",
            json!([
            {"Id": "TagSets-9/Tags-40", "Name": "APAC", "Color": "#999999", "Description": "", "SortOrder": 0, "CanonicalTagName": "Region/APAC"},
            {"Id": "TagSets-9/Tags-41", "Name": "eu", "Color": "#111111", "Description": "", "SortOrder": 1, "CanonicalTagName": "Region/eu"}]),
        );
        let p = plan(src, Some(dest));
        assert_eq!(p.change.action, Action::Update);
        let Some(Write::Update { id, body }) = p.write else {
            panic!("expected an update")
        };
        assert_eq!(id, "TagSets-9");
        let tags = body["Tags"].as_array().unwrap();
        let names: Vec<&str> = tags.iter().map(|t| t["Name"].as_str().unwrap()).collect();
        assert_eq!(names, ["eu", "US", "APAC"]);
        assert_eq!(tags[0]["Id"], "TagSets-9/Tags-41");
        assert!(tags[1].get("Id").is_none());
        assert_eq!(tags[2]["Id"], "TagSets-9/Tags-40");
        assert!(p.change.notes.iter().any(|n| n == "tag 'US' added"));
        assert!(p.change.notes.iter().any(|n| n == "destination-only tag 'APAC' kept"));
    }

    #[test]
    fn matching_tag_sets_are_not_written() {
        let tags =
            json!([{"Id": "TagSets-1/Tags-1", "Name": "EU", "Color": "#111111", "Description": "", "SortOrder": 0}]);
        let mut dest_tags = tags.clone();
        dest_tags[0]["Id"] = json!("TagSets-5/Tags-9");
        let p = plan(
            set("TagSets-1", "Region", tags),
            Some(set("TagSets-5", "Region", dest_tags)),
        );
        assert_eq!(p.change.action, Action::Unchanged);
        assert!(p.write.is_none());
    }

    #[test]
    fn a_changed_colour_is_propagated() {
        let src = set(
            "TagSets-1",
            "Tier",
            json!([{"Id": "TagSets-1/Tags-1", "Name": "Gold", "Color": "#FFD700", "Description": ""}]),
        );
        let dest = set(
            "TagSets-2",
            "Tier",
            json!([{"Id": "TagSets-2/Tags-3", "Name": "Gold", "Color": "#000000", "Description": ""}]),
        );
        let p = plan(src, Some(dest));
        let Some(Write::Update { body, .. }) = p.write else {
            panic!("expected an update")
        };
        assert_eq!(body["Tags"][0]["Color"], "#FFD700");
        assert_eq!(body["Tags"][0]["Id"], "TagSets-2/Tags-3");
    }

    #[test]
    fn a_tag_set_update_shows_each_tag_change_by_name_before_and_after() {
        let src = set(
            "TagSets-1",
            "Tier",
            json!([{"Id": "TagSets-1/Tags-1", "Name": "Gold", "Color": "#FFD700", "Description": ""},
                   {"Id": "TagSets-1/Tags-2", "Name": "Silver", "Color": "#C0C0C0", "Description": "Second"}]),
        );
        let dest = set(
            "TagSets-2",
            "Tier",
            json!([{"Id": "TagSets-2/Tags-3", "Name": "Gold", "Color": "#000000", "Description": null}]),
        );
        let p = plan(src, Some(dest));
        let shown: Vec<(String, Option<String>, Option<String>)> = p
            .change
            .diff
            .iter()
            .map(|e| (e.path.clone(), e.before.clone(), e.after.clone()))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "Tags[Gold].Color".to_string(),
                    Some("\"#000000\"".to_string()),
                    Some("\"#FFD700\"".to_string())
                ),
                (
                    "Tags[Silver]".to_string(),
                    None,
                    Some("{Name: \"Silver\", Color: \"#C0C0C0\", Description: \"Second\"}".to_string())
                ),
            ]
        );
        assert_eq!(p.change.changed_fields, ["Tags"]);
    }
}
