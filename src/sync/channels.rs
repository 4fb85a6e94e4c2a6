//! Channels of the synced projects: matched within their project by name, the source's default
//! channel standing for the destination's default whatever either is called. A missing channel is
//! created with its description, lifecycle (translated under `OCTOSYNC_CHANNEL_LIFECYCLE_MATCH`) and
//! tenant tags, without version rules: those name steps of the deployment process, which is synced
//! after the channels. Existing channels keep their own settings.

use super::{document, projects, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::scope::{translate_list, translate_tag_list, ListOutcome, MatchPolicy};
use crate::snapshot::{id_of, name_key, name_of};
use crate::translate::{is_default, Counterpart};
use serde_json::{json, Value};

/// The channels stage.
pub struct Channels;

const KIND: Kind = Kind::Channel;
/// The name a server gives the default channel it makes with a project (`channel.json`).
const SERVER_DEFAULT: &str = "Default";

impl Stage for Channels {
    fn kind(&self) -> Kind {
        KIND
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(KIND).filter_map(|src| plan_one(ctx, src)).collect()
    }
}

/// The label a channel has in the plan: its project and name, as a person finds it.
fn label(project: &Value, channel: &Value) -> String {
    format!("{} / {}", name_of(project), name_of(channel))
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Option<Planned> {
    let project = ctx.source.by_id(Kind::Project, document::str_field(src, "ProjectId"))?;
    let name = label(project, src);
    // The project stage said why a project is not synced; its channels say nothing more.
    let dest_project = ctx.translator().counterpart(Kind::Project, project).found()?;
    if projects::is_version_controlled(project) || projects::is_version_controlled(dest_project) {
        return None;
    }
    let has_channels = ctx.destination.owned_by(KIND, id_of(dest_project)).next().is_some();
    // A project created in this run has the default channel its server made with it, which the
    // snapshot has not read.
    if !has_channels && is_default(src) {
        return Some(Planned::no_write(
            KIND,
            &name,
            Action::Unchanged,
            "the source's default channel is the default channel the destination's server makes with the project",
        ));
    }
    match ctx.translator().counterpart(KIND, src) {
        Counterpart::Found(dest) => Some(
            Planned::no_write(
                KIND,
                &name,
                Action::Unchanged,
                if is_default(src) {
                    "the source's default channel is the destination's default; existing channels keep their own settings"
                } else {
                    "exists in the destination's project; existing channels keep their own settings"
                },
            )
            .at(id_of(dest)),
        ),
        _ => Some(create(ctx, src, dest_project, &name)),
    }
}

fn create(ctx: &PlanContext<'_>, src: &Value, dest_project: &Value, name: &str) -> Planned {
    let project_id = id_of(dest_project);
    // A non-default source channel named like the destination's default cannot be created there
    // (names are unique in a project), and the default already stands for the source's default.
    let taken = ctx
        .destination
        .owned_by(KIND, project_id)
        .find(|d| name_key(name_of(d)) == name_key(name_of(src)));
    let has_channels = ctx.destination.owned_by(KIND, project_id).next().is_some();
    if !has_channels && name_key(name_of(src)) == name_key(SERVER_DEFAULT) {
        return Planned::no_write(KIND, name, Action::Skip, "its name is the destination project's default channel's")
            .warnings([format!(
                "not created: the destination's server names a new project's default channel '{SERVER_DEFAULT}', which stands for the source's default channel; rename one of them"
            )]);
    }
    if let Some(taken) = taken {
        return Planned::no_write(KIND, name, Action::Skip, "its name is the destination project's default channel's")
            .warnings([format!(
                "not created: '{}' is the destination project's default channel, which stands for the source's default channel; rename one of them",
                name_of(taken)
            )])
            .at(id_of(taken));
    }
    let t = ctx.translator();
    let mut warnings = Vec::new();
    let lifecycle = match document::str_field(src, "LifecycleId") {
        // No lifecycle of its own: the project's.
        "" => Value::Null,
        id => match translate_list(&t, &[id.to_string()], ctx.rules.channel_lifecycles) {
            ListOutcome::Keep { ids, .. } => match ids.first() {
                Some(dest) => json!(dest),
                None => {
                    warnings.push(format!(
                        "its lifecycle is not on the destination, so it uses the project's lifecycle (OCTOSYNC_CHANNEL_LIFECYCLE_MATCH={})",
                        ctx.rules.channel_lifecycles.name()
                    ));
                    Value::Null
                }
            },
            ListOutcome::Skip { reason } => {
                return Planned::no_write(KIND, name, Action::Skip, format!("its lifecycle: {reason}")).warnings([format!(
                    "not created: its lifecycle {reason} (OCTOSYNC_CHANNEL_LIFECYCLE_MATCH={}); sync the lifecycle or change the setting",
                    ctx.rules.channel_lifecycles.name()
                )])
            }
            ListOutcome::Error { reason } => {
                let mut p = Planned::no_write(KIND, name, Action::Skip, format!("its lifecycle: {reason}"));
                p.fatal = Some(format!(
                    "channel '{name}': its lifecycle {reason} (OCTOSYNC_CHANNEL_LIFECYCLE_MATCH={})",
                    ctx.rules.channel_lifecycles.name()
                ));
                return p;
            }
        },
    };
    let tags: Vec<String> = src
        .get("TenantTags")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    // A channel's tags limit the tenants it deploys to: dropping all of them would widen it.
    let tags = match translate_tag_list(&t, &tags, MatchPolicy::SkipUnlessPartialMatch) {
        ListOutcome::Keep { ids, dropped } => {
            if !dropped.is_empty() {
                warnings.push(format!(
                    "tenant tags {} are not on the destination and were left out",
                    dropped.join(", ")
                ));
            }
            ids
        }
        ListOutcome::Skip { reason } | ListOutcome::Error { reason } => {
            return Planned::no_write(KIND, name, Action::Skip, format!("its tenant tags: {reason}")).warnings([format!(
                "not created, so the tenants it deploys to are never widened: its tenant tags {reason}; sync the tag sets and run again"
            )])
        }
    };
    let body = json!({
        "Name": name_of(src),
        "Description": src.get("Description").cloned().unwrap_or(Value::Null),
        "ProjectId": project_id,
        "LifecycleId": lifecycle,
        "IsDefault": false,
        "Rules": [],
        "TenantTags": tags,
    });
    let mut p = Planned::create(ctx, KIND, name, "missing in the destination's project", body).warnings(warnings);
    if src
        .get("Rules")
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty())
    {
        p = p.note("its version rules name steps of the deployment process, so they are synced after the process");
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn channel(id: &str, project: &str, name: &str, default: bool, lifecycle: Option<&str>) -> Value {
        json!({"Id": id, "Name": name, "ProjectId": project, "IsDefault": default, "LifecycleId": lifecycle,
               "Rules": [], "TenantTags": [], "Description": null})
    }

    fn space(projects: Vec<Value>, channels: Vec<Value>, lifecycles: Vec<Value>) -> Snapshot {
        Snapshot::from_docs([
            (Kind::Project, projects),
            (KIND, channels),
            (Kind::Lifecycle, lifecycles),
        ])
    }

    fn plan(source: &Snapshot, destination: &Snapshot, rules: Rules) -> Vec<Planned> {
        let selector = Selector::all().within(Selector::all());
        Channels.plan(&PlanContext {
            source,
            destination,
            rules: &rules,
            selector: &selector,
        })
    }

    fn source() -> Snapshot {
        space(
            vec![
                json!({"Id": "Projects-1", "Name": "Api"}),
                json!({"Id": "Projects-2", "Name": "Web"}),
            ],
            vec![
                channel("Channels-1", "Projects-1", "Default", true, None),
                channel("Channels-2", "Projects-1", "Hotfix", false, Some("Lifecycles-1")),
                channel("Channels-3", "Projects-2", "Default", true, None),
            ],
            vec![json!({"Id": "Lifecycles-1", "Name": "Fast"})],
        )
    }

    #[test]
    fn channels_match_within_their_project_and_the_default_stands_for_the_default_whatever_its_name() {
        let dest = space(
            vec![
                json!({"Id": "Projects-7", "Name": "Api"}),
                json!({"Id": "Projects-8", "Name": "Web"}),
            ],
            vec![
                channel("Channels-70", "Projects-7", "Main", true, None),
                channel("Channels-71", "Projects-7", "Hotfix", false, None),
                channel("Channels-80", "Projects-8", "Default", true, None),
            ],
            vec![json!({"Id": "Lifecycles-9", "Name": "Fast"})],
        );
        let p = plan(&source(), &dest, Rules::default());
        assert_eq!(p.len(), 3, "'Default' in two projects is no collision: {p:?}");
        assert!(p.iter().all(|p| p.write.is_none() && p.change.error.is_none()), "{p:?}");
        assert_eq!(p[0].change.destination_id.as_deref(), Some("Channels-70"));
        assert_eq!(p[0].change.name, "Api / Default");
    }

    #[test]
    fn a_missing_channel_is_created_in_the_destination_project_with_its_lifecycle_translated_and_no_rules() {
        let dest = space(
            vec![json!({"Id": "Projects-7", "Name": "Api"})],
            vec![channel("Channels-70", "Projects-7", "Default", true, None)],
            vec![json!({"Id": "Lifecycles-9", "Name": "Fast"})],
        );
        let p = plan(&source(), &dest, Rules::default());
        let hotfix = p.iter().find(|p| p.change.name == "Api / Hotfix").unwrap();
        let Some(Write::Create { body }) = &hotfix.write else {
            panic!("{:?}", hotfix.write);
        };
        assert_eq!(body["ProjectId"], "Projects-7");
        assert_eq!(body["LifecycleId"], "Lifecycles-9");
        assert_eq!(body["IsDefault"], false);
        assert_eq!(
            p.len(),
            2,
            "the project the destination lacks has no channels planned: {p:?}"
        );
    }

    #[test]
    fn a_channel_whose_lifecycle_is_missing_follows_the_channel_lifecycle_setting() {
        let dest = space(
            vec![json!({"Id": "Projects-7", "Name": "Api"})],
            vec![channel("Channels-70", "Projects-7", "Default", true, None)],
            vec![],
        );
        let p = plan(&source(), &dest, Rules::default());
        let hotfix = p.iter().find(|p| p.change.name == "Api / Hotfix").unwrap();
        assert!(hotfix.write.is_none() && hotfix.change.action == Action::Skip);
        let rules = Rules {
            channel_lifecycles: MatchPolicy::IgnoreMismatch,
            ..Rules::default()
        };
        let p = plan(&source(), &dest, rules);
        let hotfix = p.iter().find(|p| p.change.name == "Api / Hotfix").unwrap();
        let Some(Write::Create { body }) = &hotfix.write else {
            panic!("{:?}", hotfix.write);
        };
        assert!(body["LifecycleId"].is_null(), "the project's lifecycle");
        assert!(hotfix.change.warnings[0].contains("project's lifecycle"));
    }

    #[test]
    fn a_source_channel_named_like_the_destinations_default_is_not_created_beside_it() {
        let dest = space(
            vec![json!({"Id": "Projects-7", "Name": "Api"})],
            vec![channel("Channels-70", "Projects-7", "Hotfix", true, None)],
            vec![json!({"Id": "Lifecycles-9", "Name": "Fast"})],
        );
        let p = plan(&source(), &dest, Rules::default());
        let hotfix = p.iter().find(|p| p.change.name == "Api / Hotfix").unwrap();
        assert!(hotfix.write.is_none());
        assert!(hotfix.change.warnings[0].contains("default channel"));
    }
}
