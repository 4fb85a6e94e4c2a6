//! The large space's tenants: on the source tagged, connected to projects in three environments
//! and given values for every project and library template they reach; on the destination a tenth
//! of them, untouched since created, and tenants of its own.

use serde_json::{json, Map, Value};

use super::*;

/// The environments a tenant is connected in (the destination lacks Test).
const TENANT_ENVIRONMENTS: &[&str] = &["Test", "Staging", "Production"];

pub(super) fn source(s: &mut Seeder<'_>, c: &LargeCounts, refs: &Refs, projects: &[String]) -> ApiResult<()> {
    let envs: Vec<String> = TENANT_ENVIRONMENTS.iter().map(|n| refs.environment(n)).collect();
    let tags = scaffolding::TAG_SETS;
    for t in 0..c.tenants {
        let mut linked: Vec<&String> = Vec::new();
        for k in 0..c.projects_per_tenant {
            let p = &projects[(t * c.projects_per_tenant + k) % projects.len()];
            if !linked.contains(&p) {
                linked.push(p);
            }
        }
        let links: Map<String, Value> = linked.iter().map(|p| (p.to_string(), json!(envs))).collect();
        // Three of the five tag sets, each tenant its own combination.
        let tenant_tags: Vec<String> = (0..3)
            .map(|k| {
                let (set, names) = &tags[(t + k) % tags.len()];
                format!("{set}/{}", names[(t / tags.len() + k) % names.len()])
            })
            .collect();
        let id = s.add(
            Kind::Tenant,
            json!({"Name": tenant_name(t), "Description": format!("Customer {t}"),
                   "TenantTags": tenant_tags, "ProjectEnvironments": links}),
        )?;
        values(s, t, &id, &linked, &envs)?;
    }
    Ok(())
}

/// A value for every template the tenant reaches: its projects' in each environment, and its
/// library sets'; sensitive templates get secrets.
fn values(s: &mut Seeder<'_>, t: usize, tenant: &str, projects: &[&String], envs: &[String]) -> ApiResult<()> {
    let value = |template: &Value, what: &str| {
        if tenant_variables::is_sensitive(template) {
            json!({"HasValue": true, "NewValue": format!("tenant-secret-{t}-{what}")})
        } else {
            json!(format!("{} of tenant {t} {what}", str_of_value(template, "Name")))
        }
    };
    let mut project_values = Map::new();
    for p in projects {
        let templates = s
            .store
            .get(&s.space, Kind::Project, p)
            .map(tenant_variables::templates_of)
            .unwrap_or_default();
        let mut by_env = Map::new();
        for env in envs {
            let vals: Map<String, Value> = templates
                .iter()
                .map(|tpl| (str_of_value(tpl, "Id"), value(tpl, env)))
                .collect();
            by_env.insert(env.clone(), Value::Object(vals));
        }
        project_values.insert(p.to_string(), json!({"Variables": by_env}));
    }
    let doc = tenant_variables::tenant(s.store, &s.space, tenant)?;
    let mut library_values = Map::new();
    for lib in tenant_variables::tenant_libraries(s.store, &s.space, &doc) {
        let vals: Map<String, Value> = tenant_variables::templates_of(&lib)
            .iter()
            .map(|tpl| (str_of_value(tpl, "Id"), value(tpl, "library")))
            .collect();
        library_values.insert(str_of(&lib, "Id").to_string(), json!({"Variables": vals}));
    }
    tenant_variables::put_tenant_vars(
        s.store,
        &s.space,
        tenant,
        json!({"ProjectVariables": project_values, "LibraryVariables": library_values}),
    )?;
    Ok(())
}

fn str_of_value(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// A tenth of the source's tenants, created by hand with one tag and no projects, and tenants only
/// the destination has.
pub(super) fn destination(s: &mut Seeder<'_>, c: &LargeCounts) -> ApiResult<()> {
    for t in (0..c.tenants).step_by(10) {
        s.add(
            Kind::Tenant,
            json!({"Name": tenant_name(t), "TenantTags": ["Region/EU"]}),
        )?;
    }
    for k in 0..destination_only_tenants(c) {
        s.add(
            Kind::Tenant,
            json!({"Name": format!("Partner {k:02}"), "TenantTags": ["Region/Middle East"]}),
        )?;
    }
    Ok(())
}

/// Tenants only the destination has: one for every 20 of the source's.
pub(super) fn destination_only_tenants(c: &LargeCounts) -> usize {
    c.tenants.div_ceil(20)
}
