//! Tenants' project connections, after the projects (seed 003): for each project the source tenant
//! is connected to and the destination has, the destination tenant is connected to it in the
//! environments the destination has (translated by name; the others are dropped and reported).
//! The destination's own connections, to other projects and environments, are kept: a tenant's
//! `ProjectEnvironments` is PUT whole, and a project left out of it is disconnected with its
//! variable values (reference §2.19), so nothing the destination has is ever left out.

use super::{document, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, name_of};
use crate::translate::Translation;
use serde_json::{json, Map, Value};

/// The tenant project connections stage.
pub struct TenantProjects;

const KIND: Kind = Kind::Tenant;

impl Stage for TenantProjects {
    fn kind(&self) -> Kind {
        KIND
    }

    fn is_part(&self) -> bool {
        true
    }

    fn label(&self) -> String {
        "Tenant project connections".into()
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(KIND).filter_map(|src| plan_one(ctx, src)).collect()
    }
}

/// What connecting one tenant found.
#[derive(Default)]
struct Links {
    /// The destination's connections with the source's added.
    merged: Map<String, Value>,
    warnings: Vec<String>,
    /// Source connections that became at least one destination connection.
    connected: usize,
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Option<Planned> {
    // The tenants stage said why a tenant is not on the destination.
    let dest = ctx.translator().counterpart(KIND, src).found()?;
    let name = format!("{} (project connections)", name_of(dest));
    let links = links(ctx, src, dest);
    let source_links = src
        .get("ProjectEnvironments")
        .and_then(Value::as_object)
        .map_or(0, Map::len);
    let mut warnings = links.warnings;
    if source_links > 0 && links.connected == 0 {
        warnings.push(
            "connected to no project on the destination: none of its source connections has a project and an environment there"
                .to_string(),
        );
    }
    let (after, changed) = document::overlay(dest, &[("ProjectEnvironments", Value::Object(links.merged))]);
    let p = if changed.is_empty() {
        Planned::no_write(
            KIND,
            &name,
            Action::Unchanged,
            "connected to the source's projects in the environments the destination has",
        )
        .at(id_of(dest))
    } else {
        Planned::update(
            ctx,
            KIND,
            &name,
            "lacks connections the source's tenant has",
            dest,
            after,
        )
    };
    Some(p.warnings(warnings))
}

fn links(ctx: &PlanContext<'_>, src: &Value, dest: &Value) -> Links {
    let t = ctx.translator();
    let mut out = Links {
        merged: dest
            .get("ProjectEnvironments")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        ..Links::default()
    };
    let source = src.get("ProjectEnvironments").and_then(Value::as_object);
    for (project, envs) in source.into_iter().flatten() {
        let project_name = t.source_name(project).unwrap_or(project).to_string();
        let dest_project = match t.translate(project) {
            Translation::Mapped(id) => id,
            _ => {
                out.warnings.push(format!(
                    "not connected to project '{project_name}': it is not on the destination (sync it with OCTOSYNC_PROJECTS)"
                ));
                continue;
            }
        };
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        for env in envs.as_array().into_iter().flatten().filter_map(Value::as_str) {
            match t.translate(env) {
                Translation::Mapped(id) => kept.push(id),
                _ => dropped.push(t.source_name(env).unwrap_or(env).to_string()),
            }
        }
        if !dropped.is_empty() {
            out.warnings.push(format!(
                "project '{project_name}': environments {} are not on the destination and were left out",
                dropped.iter().map(|d| format!("'{d}'")).collect::<Vec<_>>().join(", ")
            ));
        }
        if kept.is_empty() {
            continue;
        }
        out.connected += 1;
        let entry = out.merged.entry(dest_project).or_insert_with(|| json!([]));
        // A server's list is an array; anything else holds no environment to keep.
        if !entry.is_array() {
            *entry = json!([]);
        }
        if let Value::Array(have) = entry {
            for id in kept {
                if !have.iter().any(|h| h.as_str() == Some(id.as_str())) {
                    have.push(json!(id));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn space(envs: &[(&str, &str)], project: (&str, &str), tenants: Vec<Value>) -> Snapshot {
        Snapshot::from_docs([
            (
                Kind::Environment,
                envs.iter().map(|(id, n)| json!({"Id": id, "Name": n})).collect(),
            ),
            (Kind::Project, vec![json!({"Id": project.0, "Name": project.1})]),
            (KIND, tenants),
        ])
    }

    fn plan(source: &Snapshot, destination: &Snapshot) -> Vec<Planned> {
        let (rules, selector) = (Rules::default(), Selector::all());
        TenantProjects.plan(&PlanContext {
            source,
            destination,
            rules: &rules,
            selector: &selector,
        })
    }

    #[test]
    fn a_tenant_is_connected_in_the_environments_the_destination_has_and_keeps_its_own_connections() {
        let source = space(
            &[("Environments-1", "Test"), ("Environments-2", "Production")],
            ("Projects-1", "Api"),
            vec![json!({"Id": "Tenants-1", "Name": "Internal",
                        "ProjectEnvironments": {"Projects-1": ["Environments-1", "Environments-2"]}})],
        );
        let mut dest = space(
            &[("Environments-9", "Production"), ("Environments-8", "Staging")],
            ("Projects-7", "Api"),
            vec![json!({"Id": "Tenants-5", "Name": "Internal",
                        "ProjectEnvironments": {"Projects-6": ["Environments-8"], "Projects-7": ["Environments-8"]}})],
        );
        dest.absorb(Kind::Project, json!({"Id": "Projects-6", "Name": "Ops"}));
        let p = plan(&source, &dest);
        let Some(Write::Update { body, .. }) = &p[0].write else {
            panic!("{:?}", p[0]);
        };
        assert_eq!(
            body["ProjectEnvironments"],
            json!({"Projects-6": ["Environments-8"], "Projects-7": ["Environments-8", "Environments-9"]})
        );
        assert!(p[0].change.warnings[0].contains("'Test'"), "{:?}", p[0].change.warnings);

        // Once connected, nothing more to write.
        let mut settled = dest.clone();
        settled.absorb(KIND, body.clone());
        assert!(plan(&source, &settled)[0].write.is_none());
    }

    #[test]
    fn a_tenant_whose_environments_are_all_missing_is_reported_not_connected() {
        let source = space(
            &[("Environments-1", "Development"), ("Environments-2", "Test")],
            ("Projects-1", "Api"),
            vec![json!({"Id": "Tenants-2", "Name": "Development Team A",
                        "ProjectEnvironments": {"Projects-1": ["Environments-1", "Environments-2"]}})],
        );
        let dest = space(
            &[("Environments-9", "Production")],
            ("Projects-7", "Api"),
            vec![json!({"Id": "Tenants-5", "Name": "Development Team A", "ProjectEnvironments": {}})],
        );
        let p = plan(&source, &dest);
        assert!(p[0].write.is_none());
        assert!(
            p[0].change
                .warnings
                .iter()
                .any(|w| w.contains("connected to no project")),
            "{:?}",
            p[0].change.warnings
        );
    }
}
