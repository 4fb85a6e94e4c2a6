//! Tenants, early (seed 003: "tenants, name only, early"), so that accounts, certificates and
//! variables can name them: a missing tenant is created with its description and its tags
//! translated by canonical name, connected to nothing yet (its project links follow the projects,
//! in `tenant_projects`). An existing tenant keeps its own details; it gains the source's tags only
//! under `OCTOSYNC_TENANT_EXISTING_TAGS=AddMissing`, and never loses one.

use super::{document, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::scope::{quoted, translate_tag_list, ListOutcome, MatchPolicy};
use crate::snapshot::{id_of, name_of};
use crate::translate::{Counterpart, Translation};
use serde_json::{json, Value};

/// The tenants stage.
pub struct Tenants;

const KIND: Kind = Kind::Tenant;

/// Fields of the source's tenant that name the source instance's documents or that the server owns.
const NOT_ON_CREATE: &[&str] = &["ProjectEnvironments", "ClonedFromTenantId", "TenantTags"];

impl Stage for Tenants {
    fn kind(&self) -> Kind {
        KIND
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(KIND).map(|src| plan_one(ctx, src)).collect()
    }
}

/// The source tenant's tags the destination has (in its spelling), and the ones it lacks.
fn tags(ctx: &PlanContext<'_>, src: &Value) -> (Vec<String>, Vec<String>) {
    let tags = document::id_list(src, "TenantTags");
    // A tenant without one of its tags is only ever left out of what that tag selects.
    match translate_tag_list(&ctx.translator(), &tags, MatchPolicy::IgnoreMismatch) {
        ListOutcome::Keep { ids, dropped } => (ids, dropped),
        _ => unreachable!("IgnoreMismatch keeps what it finds"),
    }
}

fn missing_tags_warning(missing: &[String]) -> Option<String> {
    (!missing.is_empty()).then(|| {
        format!(
            "tags {} are not on the destination and were left out; sync their tag sets (OCTOSYNC_TENANT_TAG_SETS) and run again",
            quoted(missing)
        )
    })
}

/// Every environment the source tenant is connected to, in any project.
fn connected_environments(src: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for envs in src
        .get("ProjectEnvironments")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
    {
        for env in envs.as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !out.iter().any(|e| e == env) {
                out.push(env.to_string());
            }
        }
    }
    out
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    match ctx.translator().counterpart(KIND, src) {
        Counterpart::Found(dest) => existing(ctx, src, dest),
        _ => create(ctx, src, name),
    }
}

fn create(ctx: &PlanContext<'_>, src: &Value, name: &str) -> Planned {
    let environments = connected_environments(src);
    let t = ctx.translator();
    let reachable = environments
        .iter()
        .any(|e| matches!(t.translate(e), Translation::Mapped(_)));
    let mut warnings = Vec::new();
    if !environments.is_empty() && !reachable {
        let names: Vec<String> = environments
            .iter()
            .map(|e| t.source_name(e).unwrap_or(e).to_string())
            .collect();
        let why = format!(
            "every environment it is connected to on the source ({}) is missing on the destination",
            quoted(&names)
        );
        if ctx.rules.skip_tenants_without_environments {
            return Planned::no_write(KIND, name, Action::Skip, why.clone()).warnings([format!(
                "not created: {why} (OCTOSYNC_TENANT_WITHOUT_ENVIRONMENTS=Skip)"
            )]);
        }
        warnings.push(format!(
            "created but connected to no project: {why}; OCTOSYNC_TENANT_WITHOUT_ENVIRONMENTS=Skip leaves such tenants out"
        ));
    }
    let (kept, missing) = tags(ctx, src);
    warnings.extend(missing_tags_warning(&missing));
    let mut body = document::for_create(src);
    if let Value::Object(map) = &mut body {
        for field in NOT_ON_CREATE {
            map.remove(*field);
        }
        map.insert("TenantTags".into(), json!(kept));
        // Connected to the projects once they are synced (`tenant_projects`).
        map.insert("ProjectEnvironments".into(), json!({}));
    }
    Planned::create(ctx, KIND, name, "missing on the destination", body)
        .warnings(warnings)
        .note("its project connections follow once the projects are synced")
}

fn existing(ctx: &PlanContext<'_>, src: &Value, dest: &Value) -> Planned {
    let name = name_of(dest);
    let keep = || {
        Planned::no_write(
            KIND,
            name,
            Action::Unchanged,
            "exists on the destination; existing tenants keep their own details",
        )
        .at(id_of(dest))
    };
    if !ctx.rules.tenant_existing_tags {
        return keep();
    }
    let (kept, missing) = tags(ctx, src);
    let mut wanted = document::id_list(dest, "TenantTags");
    for tag in kept {
        if !wanted.iter().any(|w| w.eq_ignore_ascii_case(&tag)) {
            wanted.push(tag);
        }
    }
    let (after, changed) = document::overlay(dest, &[("TenantTags", json!(wanted))]);
    let warnings = missing_tags_warning(&missing);
    if changed.is_empty() {
        return keep().warnings(warnings);
    }
    Planned::update(
        ctx,
        KIND,
        name,
        "lacks tags the source's has (OCTOSYNC_TENANT_EXISTING_TAGS=AddMissing)",
        dest,
        after,
    )
    .warnings(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn space(envs: &[(&str, &str)], tenants: Vec<Value>) -> Snapshot {
        Snapshot::from_docs([
            (
                Kind::Environment,
                envs.iter().map(|(id, n)| json!({"Id": id, "Name": n})).collect(),
            ),
            (
                Kind::TagSet,
                vec![json!({"Id": "TagSets-1", "Name": "Region", "Tags": [{"Id": "TagSets-1/Tags-1", "Name": "EU"}]})],
            ),
            (KIND, tenants),
        ])
    }

    fn plan(source: &Snapshot, destination: &Snapshot, rules: &Rules) -> Vec<Planned> {
        let selector = Selector::all();
        Tenants.plan(&PlanContext {
            source,
            destination,
            rules,
            selector: &selector,
        })
    }

    fn seed_source() -> Snapshot {
        space(
            &[
                ("Environments-1", "Development"),
                ("Environments-2", "Test"),
                ("Environments-3", "Staging"),
                ("Environments-4", "Production"),
            ],
            vec![
                json!({"Id": "Tenants-1", "Name": "Internal", "Description": "Us", "TenantTags": ["Region/EU", "Tier/Gold"],
                       "ProjectEnvironments": {"Projects-1": ["Environments-1", "Environments-2", "Environments-3", "Environments-4"]}}),
                json!({"Id": "Tenants-2", "Name": "Development Team A", "TenantTags": [],
                       "ProjectEnvironments": {"Projects-1": ["Environments-1", "Environments-2"]}}),
            ],
        )
    }

    #[test]
    fn a_missing_tenant_is_created_unconnected_with_the_tags_the_destination_has() {
        let dest = space(
            &[("Environments-8", "Staging"), ("Environments-9", "Production")],
            vec![],
        );
        let p = plan(&seed_source(), &dest, &Rules::default());
        let Some(Write::Create { body }) = &p[0].write else {
            panic!("{:?}", p[0]);
        };
        assert_eq!(body["TenantTags"], json!(["Region/EU"]));
        assert_eq!(body["ProjectEnvironments"], json!({}));
        assert_eq!(body["Description"], "Us");
        assert!(
            p[0].change.warnings[0].contains("Tier/Gold"),
            "{:?}",
            p[0].change.warnings
        );
    }

    #[test]
    fn a_tenant_of_environments_the_destination_lacks_is_reported_and_skipped_when_the_setting_says_so() {
        let dest = space(
            &[("Environments-8", "Staging"), ("Environments-9", "Production")],
            vec![],
        );
        let p = plan(&seed_source(), &dest, &Rules::default());
        assert_eq!(p[1].change.action, Action::Create);
        assert!(
            p[1].change.warnings[0].contains("'Development', 'Test'"),
            "{:?}",
            p[1].change.warnings
        );
        let rules = Rules {
            skip_tenants_without_environments: true,
            ..Rules::default()
        };
        let p = plan(&seed_source(), &dest, &rules);
        assert_eq!(p[1].change.action, Action::Skip);
        assert!(p[1].write.is_none());
        assert_eq!(
            p[0].change.action,
            Action::Create,
            "Internal still has Staging and Production"
        );
    }

    #[test]
    fn an_existing_tenant_keeps_its_tags_unless_the_setting_adds_the_missing_ones() {
        let dest = space(
            &[("Environments-9", "Production")],
            vec![
                json!({"Id": "Tenants-7", "Name": "internal", "Description": "Ours", "TenantTags": ["Region/Local"],
                        "ProjectEnvironments": {"Projects-4": ["Environments-9"]}}),
            ],
        );
        let p = plan(&seed_source(), &dest, &Rules::default());
        assert_eq!(p[0].change.action, Action::Unchanged);
        let rules = Rules {
            tenant_existing_tags: true,
            ..Rules::default()
        };
        let p = plan(&seed_source(), &dest, &rules);
        let Some(Write::Update { body, .. }) = &p[0].write else {
            panic!("{:?}", p[0]);
        };
        assert_eq!(body["TenantTags"], json!(["Region/Local", "Region/EU"]));
        assert_eq!(body["Description"], "Ours", "its own details stay");
        assert_eq!(body["ProjectEnvironments"], json!({"Projects-4": ["Environments-9"]}));
    }
}
