//! Channel version rules (seed 003: after the deployment process, since a rule names packages of
//! the process's actions). The channels stage creates channels without rules; here each synced
//! channel's rules follow the source's on the destination's channel of that project.
//!
//! A rule names its packages by action name and package reference name, so it is translated
//! against the destination's process as the run leaves it: a package the destination's process
//! lacks is left out with a warning, and a rule left with none is not written at all (a clean-up
//! entry), never widened. Rules match by the packages they name, otherwise by position; a matched
//! rule keeps the destination's `Id`, a new one has none (the server gives it one). Rules only the
//! destination has are kept, and the destination's order is never changed: new rules follow its
//! own. The channel is PUT once, only when its rules change.

use super::{action_refs, document, placeholder, projects, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::{Action, CleanupItem};
use crate::snapshot::{id_of, name_key, name_of};
use crate::translate::{is_default, Counterpart};
use serde_json::{json, Map, Value};

/// The channel version rules stage.
pub struct ChannelRules;

const KIND: Kind = Kind::Channel;

impl Stage for ChannelRules {
    fn kind(&self) -> Kind {
        KIND
    }

    fn is_part(&self) -> bool {
        true
    }

    fn label(&self) -> String {
        "Channel version rules".into()
    }

    fn part(&self) -> Option<crate::rules::ProjectPart> {
        Some(crate::rules::ProjectPart::ChannelRules)
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        let selected: Vec<&Value> = ctx.selected(KIND).collect();
        super::plan_each(&selected, |src| plan_one(ctx, src))
    }
}

/// `Api / Hotfix (version rules)`: the channels stage's label for the channel, and this part.
fn label(project: &Value, channel: &Value) -> String {
    format!("{} / {} (version rules)", name_of(project), name_of(channel))
}

fn rules_of(channel: &Value) -> Vec<Value> {
    channel
        .get("Rules")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// What a person recognises a rule by: its range and tag.
fn describe(rule: &Value) -> String {
    let parts: Vec<String> = [("range", "VersionRange"), ("tag", "Tag")]
        .iter()
        .filter_map(|(what, field)| {
            let v = document::str_field(rule, field);
            (!v.is_empty()).then(|| format!("{what} '{v}'"))
        })
        .collect();
    if parts.is_empty() {
        "the version rule without a range or tag".into()
    } else {
        format!("the version rule ({})", parts.join(", "))
    }
}

/// `the primary package of 'Web'`, `package 'Tools' of 'Web'`.
fn describe_package(entry: &Value) -> String {
    let action = document::str_field(entry, "DeploymentAction");
    match document::str_field(entry, "PackageReference") {
        "" => format!("the primary package of '{action}'"),
        reference => format!("package '{reference}' of '{action}'"),
    }
}

/// The packages a rule names, as names compare, in a fixed order: what identifies a rule.
fn key_of(rule: &Value) -> Vec<(String, String)> {
    let mut key: Vec<(String, String)> = rule
        .get("ActionPackages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            (
                name_key(document::str_field(e, "DeploymentAction")),
                name_key(document::str_field(e, "PackageReference")),
            )
        })
        .collect();
    key.sort();
    key.dedup();
    key
}

/// A source rule as the destination can hold it.
struct Wanted {
    /// Its place among the source's rules.
    index: usize,
    /// The source's rule without its `Id`, its packages named as the destination's process names them.
    rule: Value,
    key: Vec<(String, String)>,
}

/// What translating a channel's rules found.
#[derive(Default)]
struct Translated {
    wanted: Vec<Wanted>,
    warnings: Vec<String>,
    cleanup: Vec<CleanupItem>,
}

/// The source's rules translated against the destination's process `process`.
fn translate(rules: &[Value], process: &Value, name: &str) -> Translated {
    let mut out = Translated::default();
    for (index, rule) in rules.iter().enumerate() {
        let mut packages = Vec::new();
        for entry in rule
            .get("ActionPackages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let action = action_refs::by_name(process, document::str_field(entry, "DeploymentAction"));
            match action.and_then(|a| Some((a, a.package(document::str_field(entry, "PackageReference"))?))) {
                Some((a, package)) => {
                    let mut e = document::object(entry);
                    e.insert("DeploymentAction".into(), json!(a.name()));
                    e.insert("PackageReference".into(), json!(package));
                    packages.push(Value::Object(e));
                }
                None => out.warnings.push(format!(
                    "{}: the {} is not in the destination's deployment process, so the rule leaves it out",
                    describe(rule),
                    describe_package(entry)
                )),
            }
        }
        if packages.is_empty() {
            // A rule limits the versions of the packages it names: one naming none would not
            // limit what the source's does.
            out.warnings.push(format!(
                "{} is not written: none of the packages it names is in the destination's deployment process",
                describe(rule)
            ));
            out.cleanup.push(placeholder::cleanup(
                KIND,
                name,
                &format!(
                    "{} names no package of the destination's deployment process, so it was not written; sync the steps it names and run again, or add the rule by hand",
                    describe(rule)
                ),
            ));
            continue;
        }
        let mut r: Map<String, Value> = document::object(rule);
        r.remove("Id");
        r.insert("ActionPackages".into(), Value::Array(packages));
        let rule = Value::Object(r);
        out.wanted.push(Wanted {
            index,
            key: key_of(&rule),
            rule,
        });
    }
    out
}

/// The destination's rules with the source's merged in: each wanted rule matched to the
/// destination rule naming the same packages, else to the one at its position; a matched rule
/// keeps the destination's `Id` and any field only the destination's server knows; unmatched
/// destination rules stay; new rules follow, in the source's order.
fn merge(dest: &[Value], wanted: &[Wanted]) -> Vec<Value> {
    let keys: Vec<Vec<(String, String)>> = dest.iter().map(key_of).collect();
    let mut taken = vec![false; dest.len()];
    let mut pairs: Vec<Option<usize>> = vec![None; wanted.len()];
    for (i, w) in wanted.iter().enumerate() {
        if let Some(j) = (0..dest.len()).find(|&j| !taken[j] && keys[j] == w.key) {
            taken[j] = true;
            pairs[i] = Some(j);
        }
    }
    for (i, w) in wanted.iter().enumerate() {
        if pairs[i].is_none() && w.index < dest.len() && !taken[w.index] {
            taken[w.index] = true;
            pairs[i] = Some(w.index);
        }
    }
    let mut out = dest.to_vec();
    let mut added = Vec::new();
    for (w, pair) in wanted.iter().zip(pairs) {
        match pair {
            Some(j) => out[j] = document::merge_known(&dest[j], &w.rule),
            None => added.push(w.rule.clone()),
        }
    }
    out.extend(added);
    out
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Option<Planned> {
    let project = ctx.source.by_id(Kind::Project, document::str_field(src, "ProjectId"))?;
    // The project and channels stages said why a project or channel is not synced.
    let dest_project = ctx.translator().counterpart(Kind::Project, project).found()?;
    if projects::is_version_controlled(project) || projects::is_version_controlled(dest_project) {
        return None;
    }
    let source_rules = rules_of(src);
    let name = label(project, src);
    let dest = match ctx.translator().counterpart(KIND, src) {
        Counterpart::Found(dest) => dest,
        // The default channel a new project's server makes is not in the snapshot until it is read.
        _ if is_default(src) && !source_rules.is_empty() => {
            return Some(
                Planned::no_write(KIND, &name, Action::Skip, "the destination project's default channel is not read yet")
                    .warnings(["its version rules are written on the next run, once the default channel the destination's server makes with the new project can be read".to_string()]),
            )
        }
        _ => return None,
    };
    let dest_rules = rules_of(dest);
    if source_rules.is_empty() && dest_rules.is_empty() {
        return None;
    }
    let unchanged = |reason: &str| Planned::no_write(KIND, &name, Action::Unchanged, reason).at(id_of(dest));
    if source_rules.is_empty() {
        return Some(unchanged(
            "the source channel has no version rules; the destination's own are kept",
        ));
    }
    let Some(process) = super::process::planned::process_of(ctx.destination, Kind::Project, dest_project) else {
        return Some(
            Planned::no_write(KIND, &name, Action::Skip, "the destination's deployment process could not be read")
                .warnings(["version rules not synced: they name steps of the deployment process, which was not returned; check the destination key may read processes".to_string()])
                .at(id_of(dest)),
        );
    };
    let t = translate(&source_rules, &process, &name);
    let rules = merge(&dest_rules, &t.wanted);
    let (after, changed) = document::overlay(dest, &[("Rules", Value::Array(rules))]);
    let mut p = if changed.is_empty() {
        unchanged("its version rules match the source's")
    } else {
        Planned::update(
            ctx,
            KIND,
            &name,
            "its version rules differ from the source's",
            dest,
            after,
        )
    };
    p = p.warnings(t.warnings);
    p.cleanup.extend(t.cleanup);
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn rule(id: Option<&str>, range: &str, packages: &[(&str, &str)]) -> Value {
        let packages: Vec<Value> = packages
            .iter()
            .map(|(a, p)| json!({"DeploymentAction": a, "PackageReference": p}))
            .collect();
        json!({"Id": id, "VersionRange": range, "Tag": "", "ActionPackages": packages})
    }

    fn channel(id: &str, project: &str, name: &str, default: bool, rules: Vec<Value>) -> Value {
        json!({"Id": id, "Name": name, "ProjectId": project, "IsDefault": default, "LifecycleId": null,
               "Rules": rules, "TenantTags": [], "Description": null})
    }

    /// A process whose step `Deploy` has the action `Web` (a primary package and `Tools`) and
    /// whose step `Migrate` has the action `Db` (a primary package).
    fn process(id: &str, project: &str, with_db: bool) -> Value {
        let mut steps = vec![json!({"Id": "s1", "Name": "Deploy", "Actions": [
            {"Id": format!("{id}-web"), "Name": "Web", "Packages": [{"Name": ""}, {"Name": "Tools"}]}
        ]})];
        if with_db {
            steps.push(json!({"Id": "s2", "Name": "Migrate", "Actions": [
                {"Id": format!("{id}-db"), "Name": "Db", "Packages": [{"Name": ""}]}
            ]}));
        }
        json!({"Id": id, "ProjectId": project, "Steps": steps, "Version": 3})
    }

    fn space(project: &str, channels: Vec<Value>, with_db: bool) -> Snapshot {
        Snapshot::from_docs([
            (
                Kind::Project,
                vec![
                    json!({"Id": project, "Name": "Api", "DeploymentProcessId": format!("deploymentprocess-{project}")}),
                ],
            ),
            (KIND, channels),
            (
                Kind::DeploymentProcess,
                vec![process(&format!("deploymentprocess-{project}"), project, with_db)],
            ),
        ])
    }

    fn plan(source: &Snapshot, destination: &Snapshot) -> Vec<Planned> {
        let (rules, selector) = (Rules::default(), Selector::all().within(Selector::all()));
        ChannelRules.plan(&PlanContext {
            source,
            destination,
            rules: &rules,
            selector: &selector,
        })
    }

    fn written(p: &Planned) -> Vec<Value> {
        let Some(Write::Update { body, .. }) = &p.write else {
            panic!("expected an update: {p:?}")
        };
        body["Rules"].as_array().unwrap().clone()
    }

    fn source(rules: Vec<Value>) -> Snapshot {
        space(
            "Projects-1",
            vec![
                channel("Channels-1", "Projects-1", "Default", true, vec![]),
                channel("Channels-2", "Projects-1", "Hotfix", false, rules),
            ],
            true,
        )
    }

    #[test]
    fn a_channel_created_without_rules_gets_the_sources_rules_named_as_the_destination_names_its_steps() {
        let src = source(vec![rule(Some("r-1"), "[1.0,2.0)", &[("Web", ""), ("Db", "")])]);
        let dest = space(
            "Projects-7",
            vec![
                channel("Channels-70", "Projects-7", "Default", true, vec![]),
                channel("Channels-71", "Projects-7", "hotfix", false, vec![]),
            ],
            true,
        );
        let p = plan(&src, &dest);
        assert_eq!(p.len(), 1, "a channel without rules on either side says nothing: {p:?}");
        assert_eq!(p[0].change.name, "Api / Hotfix (version rules)");
        assert_eq!(p[0].change.destination_id.as_deref(), Some("Channels-71"));
        let rules = written(&p[0]);
        assert_eq!(rules.len(), 1);
        assert!(rules[0].get("Id").is_none(), "a new rule's id is the server's to give");
        assert_eq!(rules[0]["VersionRange"], "[1.0,2.0)");
        assert_eq!(rules[0]["ActionPackages"][1]["DeploymentAction"], "Db");
        assert_eq!(p[0].change.changed_fields, ["Rules"]);
    }

    #[test]
    fn a_rule_naming_a_step_the_destination_lacks_is_dropped_with_a_warning_never_widened() {
        let src = source(vec![
            rule(Some("r-1"), "[1.0,2.0)", &[("Web", ""), ("Db", "")]),
            rule(Some("r-2"), "[3.0,)", &[("Db", "")]),
        ]);
        let dest = space(
            "Projects-7",
            vec![channel("Channels-71", "Projects-7", "Hotfix", false, vec![])],
            false,
        );
        let p = plan(&src, &dest);
        let rules = written(&p[0]);
        assert_eq!(rules.len(), 1, "the rule naming only Db is not written: {rules:?}");
        assert_eq!(
            rules[0]["ActionPackages"],
            json!([{"DeploymentAction": "Web", "PackageReference": ""}]),
            "the package the destination lacks is left out of the rule"
        );
        let w = &p[0].change.warnings;
        assert!(w.iter().any(|w| w.contains("primary package of 'Db'")), "{w:?}");
        assert!(
            w.iter()
                .any(|w| w.contains("range '[3.0,)'") && w.contains("not written")),
            "{w:?}"
        );
        assert_eq!(p[0].cleanup.len(), 1);
        assert!(p[0].cleanup[0].action.contains("range '[3.0,)'"));
    }

    #[test]
    fn a_package_reference_the_destination_action_lacks_is_left_out_like_a_missing_step() {
        let src = source(vec![rule(None, "[1.0,)", &[("Web", "Docs"), ("web", "tools")])]);
        let dest = space(
            "Projects-7",
            vec![channel("Channels-71", "Projects-7", "Hotfix", false, vec![])],
            false,
        );
        let rules = written(&plan(&src, &dest)[0]);
        assert_eq!(
            rules[0]["ActionPackages"],
            json!([{"DeploymentAction": "Web", "PackageReference": "Tools"}]),
            "names are written as the destination spells them"
        );
    }

    #[test]
    fn a_matched_rule_keeps_the_destination_id_and_destination_only_rules_stay_in_their_place() {
        let src = source(vec![
            rule(Some("r-1"), "[2.0,3.0)", &[("Web", "")]),
            rule(Some("r-2"), "[5.0,)", &[("Db", "")]),
        ]);
        let own = rule(Some("d-own"), "[9.0,)", &[("Web", "Tools")]);
        let dest = space(
            "Projects-7",
            vec![channel(
                "Channels-71",
                "Projects-7",
                "Hotfix",
                false,
                vec![own.clone(), rule(Some("d-web"), "[1.0,2.0)", &[("Web", "")])],
            )],
            true,
        );
        let rules = written(&plan(&src, &dest)[0]);
        assert_eq!(rules.len(), 3, "{rules:?}");
        assert_eq!(rules[0], own, "the destination's own rule is kept where it stood");
        assert_eq!(rules[1]["Id"], "d-web", "matched by the packages it names");
        assert_eq!(rules[1]["VersionRange"], "[2.0,3.0)");
        assert_eq!(rules[2]["VersionRange"], "[5.0,)");
        assert!(rules[2].get("Id").is_none());
    }

    #[test]
    fn a_rule_whose_packages_changed_on_the_source_updates_the_destination_rule_at_its_position() {
        let src = source(vec![rule(Some("r-1"), "[1.0,2.0)", &[("Web", ""), ("Db", "")])]);
        let dest = space(
            "Projects-7",
            vec![channel(
                "Channels-71",
                "Projects-7",
                "Hotfix",
                false,
                vec![rule(Some("d-1"), "[1.0,2.0)", &[("Web", "")])],
            )],
            true,
        );
        let p = plan(&src, &dest);
        let rules = written(&p[0]);
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0]["Id"], "d-1");
        assert_eq!(rules[0]["ActionPackages"].as_array().unwrap().len(), 2);
        assert!(!p[0].change.diff.is_empty(), "the reviewer sees before → after");
    }

    #[test]
    fn a_rerun_after_the_rules_are_synced_writes_nothing() {
        let src = source(vec![
            rule(Some("r-1"), "[1.0,2.0)", &[("Web", ""), ("Db", "")]),
            rule(Some("r-2"), "", &[("Web", "Tools")]),
        ]);
        let dest = space(
            "Projects-7",
            vec![channel("Channels-71", "Projects-7", "Hotfix", false, vec![])],
            true,
        );
        let first = written(&plan(&src, &dest)[0]);
        // As the server stores them: each with an id of its own, and a field only it knows.
        let stored: Vec<Value> = first
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                r["Id"] = json!(format!("guid-{i}"));
                r["VersionTagRegex"] = json!(null);
                r
            })
            .collect();
        let dest = space(
            "Projects-7",
            vec![channel("Channels-71", "Projects-7", "Hotfix", false, stored)],
            true,
        );
        let p = plan(&src, &dest);
        assert!(p[0].write.is_none(), "{:?}", p[0].change.diff);
        assert_eq!(p[0].change.action, Action::Unchanged);
    }

    #[test]
    fn a_source_channel_without_rules_never_empties_the_destinations() {
        let src = source(vec![]);
        let dest = space(
            "Projects-7",
            vec![channel(
                "Channels-71",
                "Projects-7",
                "Hotfix",
                false,
                vec![rule(Some("d-1"), "[1.0,)", &[("Web", "")])],
            )],
            true,
        );
        let p = plan(&src, &dest);
        assert!(p[0].write.is_none());
        assert_eq!(p[0].change.action, Action::Unchanged);
    }

    #[test]
    fn a_new_projects_default_channel_gets_its_rules_on_the_next_run_with_a_warning() {
        let mut src = source(vec![]);
        src = Snapshot::from_docs([
            (Kind::Project, src.items(Kind::Project).to_vec()),
            (
                KIND,
                vec![channel(
                    "Channels-1",
                    "Projects-1",
                    "Default",
                    true,
                    vec![rule(None, "[1.0,)", &[("Web", "")])],
                )],
            ),
            (
                Kind::DeploymentProcess,
                src.documents(Kind::DeploymentProcess)
                    .into_iter()
                    .map(|d| d.into_owned())
                    .collect(),
            ),
        ]);
        let dest = space("Projects-planned-Api", vec![], true);
        let p = plan(&src, &dest);
        assert_eq!(p[0].change.action, Action::Skip);
        assert!(p[0].write.is_none());
        assert!(p[0].change.warnings[0].contains("next run"));
    }
}
