//! Channels (reference §2.6; `channel.json`; SW21b `ChannelResource`): named uniquely per project,
//! exactly one default per project.

use serde_json::{json, Value};

use super::parts::{in_projects, single_default, ACTION_PACKAGE};
use super::{At, Change, FollowUp, NameRule, NameScope, Spec};
use crate::sim::envelope::Query;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::refs::{check_tags, optional_ref, require_ref};
use crate::sim::schema::{field, m, optional, Field, Ty, STRS};
use crate::sim::shape::{array_mut, ensure_guid, fill};
use crate::sim::store::{str_of, Doc, Store};

/// `ChannelVersionRuleResource`.
const RULES: Ty = Ty::List(&Ty::Obj(
    "ChannelVersionRuleResource",
    &[
        m("Id", Ty::Str),
        m("VersionRange", Ty::Str),
        m("Tag", Ty::Str),
        m("ActionPackages", Ty::List(&ACTION_PACKAGE)),
    ],
));

/// The channel kind.
pub(crate) struct Channel;

impl Spec for Channel {
    fn fields(&self, _sub: Option<&str>) -> Vec<Field> {
        vec![
            field("Name", Ty::Str, json!("")),
            field("Description", Ty::Str, Value::Null),
            field("ProjectId", Ty::Str, Value::Null).on_create(),
            field("LifecycleId", Ty::Str, Value::Null),
            field("IsDefault", Ty::Bool, json!(false)),
            field("Rules", RULES, json!([])),
            field("TenantTags", STRS, json!([])),
            optional("GitReferenceRules", STRS),
            optional("GitResourceRules", Ty::List(&Ty::Any)),
        ]
    }

    fn query(&self) -> &'static str {
        "{?skip,take,ids,partialName}"
    }

    fn links(&self, at: &At<'_>) -> Value {
        json!({
            "Self": at.base,
            "Releases": format!("{}/releases{{?skip,take,searchByVersion}}", at.base),
            "Project": format!("/api/{}/projects/{}", at.space, at.s("ProjectId")),
        })
    }

    fn filter(&self, doc: &Doc, q: &Query) -> bool {
        in_projects(doc, q)
    }

    fn name_rule(&self) -> Option<NameRule> {
        Some(NameRule {
            field: "Name",
            scope: NameScope::Within("ProjectId"),
        })
    }

    fn has_slug(&self) -> bool {
        true
    }

    fn normalize(&self, change: &Change<'_>, doc: &mut Doc) -> ApiResult<()> {
        let (store, space) = (change.store, change.space);
        if change.creating() {
            require_ref(store, space, doc, "ProjectId", Kind::Project)?;
        }
        optional_ref(store, space, doc, "LifecycleId", Kind::Lifecycle)?;
        check_tags(store, space, doc, "TenantTags")?;
        // A rule names its packages as the server stores them: `DeploymentAction` is the action's
        // *name* and `PackageReference` the package reference's name ("" for the primary package),
        // never ids (reference §2.6), so they survive a process that is recreated.
        // QUESTION: whether the server refuses a rule naming an action or package reference that
        // the project's deployment process does not have is not shown anywhere; the names are
        // stored as sent (a process edited later may leave a rule naming a removed action).
        for r in array_mut(doc, "Rules")?.iter_mut() {
            let mut m = fill(
                r,
                json!({"Id": null, "VersionRange": "", "Tag": "", "ActionPackages": []}),
            )?;
            ensure_guid(&mut m);
            *r = Value::Object(m);
        }
        Ok(())
    }

    fn created(&self, store: &mut Store, space: &str, doc: &mut Doc) -> ApiResult<Vec<FollowUp>> {
        default_per_project(store, space, doc);
        Ok(Vec::new())
    }

    fn updated(&self, store: &mut Store, space: &str, doc: &mut Doc, _stored: &Doc) -> ApiResult<()> {
        default_per_project(store, space, doc);
        Ok(())
    }

    fn check_delete(&self, _store: &Store, _space: &str, doc: &Doc) -> ApiResult<()> {
        if doc.get("IsDefault") == Some(&Value::Bool(true)) {
            // QUESTION: text assumed; the UI does not offer deleting the default channel.
            return Err(ApiError::invalid("The default channel cannot be deleted."));
        }
        Ok(())
    }
}

fn default_per_project(store: &mut Store, space: &str, doc: &Doc) {
    let project = str_of(doc, "ProjectId").to_string();
    single_default(store, space, Kind::Channel, doc, |other| {
        str_of(other, "ProjectId") == project
    });
}
