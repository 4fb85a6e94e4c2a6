//! Tenant variables (seed 003, after the tenants' project connections), when
//! `OCTOSYNC_TENANT_VARIABLES=Copy`: for each selected tenant the destination has, the values of
//! the templates of every project the destination tenant is connected to (per connected
//! environment) and of every library variable set those projects include, matched by project,
//! library variable set, template and environment name. Both sides were read into one model
//! ([`crate::snapshot::tenant_variables`]), whichever API each serves; the write goes through the
//! destination's.
//!
//! SpaceCloner's intent, fixed (spacecloner.md §3.4, §7.3): a missing value is set; an existing one
//! is overwritten only with `OCTOSYNC_VARIABLE_OVERWRITE=True`, which also resets a value the source
//! does not set to the template's default (removes it). A secret never travels: a missing one gets
//! the placeholder and a clean-up entry, an existing one is never touched. Account, certificate and
//! worker-pool values are translated by name; one that cannot be is left out with a warning.

mod body;

use super::diff::display::SENSITIVE;
use super::{placeholder, PlanContext, Planned, Stage, Write};
use crate::kind::Kind;
use crate::report::{Action, CleanupItem, DiffOp, FieldDiff};
use crate::rules::VariableOverwrite;
use crate::snapshot::tenant_variables::{Api, Entry, Location, Owner, Stored, TenantVariables as Values, ValueKey};
use crate::snapshot::{id_of, name_key, name_of, Snapshot};
use crate::translate::Translation;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The tenant variables stage.
pub struct TenantVariables;

const KIND: Kind = Kind::Tenant;

impl Stage for TenantVariables {
    fn kind(&self) -> Kind {
        KIND
    }

    fn is_part(&self) -> bool {
        true
    }

    fn label(&self) -> String {
        "Tenant variables".into()
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        if !ctx.rules.copy_tenant_variables {
            return vec![];
        }
        ctx.selected(KIND).filter_map(|src| plan_one(ctx, src)).collect()
    }
}

/// A change to one value: where it lives on the destination, and what it becomes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Op {
    /// Which value, by the destination's names.
    pub key: ValueKey,
    /// Where it lives (or will), by the destination's ids.
    pub at: Location,
    /// What is written; `None` removes the value (the template's default applies).
    pub value: Option<Value>,
}

/// A template of the destination a tenant can fill: where its values go and what they hold.
struct Slot<'a> {
    key: ValueKey,
    at: Location,
    template: &'a Value,
}

/// What planning one tenant found.
#[derive(Default)]
struct Found {
    ops: Vec<Op>,
    diff: Vec<FieldDiff>,
    warnings: Vec<String>,
    notes: Vec<String>,
    cleanup: Vec<CleanupItem>,
    /// Source values with no place on the destination (project, template or environment missing there).
    unplaced: usize,
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Option<Planned> {
    // The tenants stage said why a tenant is not on the destination.
    let dest = ctx.translator().counterpart(KIND, src).found()?;
    let source_values = ctx.source.tenant_variables().by_tenant.get(id_of(src))?;
    let api = ctx.destination.tenant_variables().api?;
    // A tenant this run creates has no values yet.
    let empty = Values::empty(api);
    let dest_values = ctx
        .destination
        .tenant_variables()
        .by_tenant
        .get(id_of(dest))
        .unwrap_or(&empty);
    let name = format!("{} (variables)", name_of(dest));
    let found = plan_values(ctx, name_of(dest), (src, dest), source_values, dest_values);
    let p = if found.ops.is_empty() {
        Planned::no_write(
            KIND,
            &name,
            Action::Unchanged,
            "its values are as the source's and the overwrite setting want them",
        )
    } else {
        let mut p = Planned::no_write(
            KIND,
            &name,
            Action::Update,
            "the source's tenant has values the destination's lacks or that differ",
        );
        p.change.changed_fields = found.diff.iter().map(|d| d.path.clone()).collect();
        p.write = Some(Write::TenantVariables {
            tenant_id: id_of(dest).to_string(),
            body: body::of(id_of(dest), dest_values, &found.ops),
        });
        p
    };
    let mut p = p.at(id_of(dest));
    p.change.diff = found.diff;
    p.cleanup = found.cleanup;
    let mut notes = found.notes;
    if found.unplaced > 0 {
        notes.push(format!(
            "{} source value(s) have no place on the destination: their project, library variable set, template or environment is not there, or the tenant is not connected to it",
            found.unplaced
        ));
    }
    Some(p.warnings(found.warnings).notes(notes))
}

/// The templates of the projects the destination tenant is connected to, one slot per connected environment.
fn project_slots<'a>(d: &'a Snapshot, tenant: &Value) -> Vec<Slot<'a>> {
    let mut out = Vec::new();
    for (pid, envs) in connections(tenant) {
        let Some(project) = d.by_id(Kind::Project, &pid) else {
            continue;
        };
        for template in templates(project) {
            for env in &envs {
                let Some(env_doc) = d.by_id(Kind::Environment, env) else {
                    continue;
                };
                out.push(Slot {
                    key: ValueKey {
                        owner: Owner::Project,
                        owner_name: name_of(project).to_string(),
                        template: name_of(template).to_string(),
                        environments: vec![name_of(env_doc).to_string()],
                    },
                    at: Location {
                        owner_id: pid.clone(),
                        template_id: template_id(project, template),
                        environment_ids: vec![env.clone()],
                    },
                    template,
                });
            }
        }
    }
    out
}

/// A template's id; one the run adds has none until the server gives it one (a dry run shows a
/// placeholder, never sent).
fn template_id(owner: &Value, template: &Value) -> String {
    match id_of(template) {
        "" => crate::apply::placeholder_id(KIND, &format!("{}/{}", name_of(owner), name_of(template))),
        id => id.to_string(),
    }
}

fn connections(tenant: &Value) -> Vec<(String, Vec<String>)> {
    tenant
        .get("ProjectEnvironments")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(p, envs)| {
            let envs = envs
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            (p.clone(), envs)
        })
        .collect()
}

fn templates(owner: &Value) -> impl Iterator<Item = &Value> {
    owner.get("Templates").and_then(Value::as_array).into_iter().flatten()
}

/// The library variable sets the connected projects include, and every connected environment.
fn libraries<'a>(d: &'a Snapshot, tenant: &Value) -> (Vec<&'a Value>, Vec<String>) {
    let mut libs: Vec<&Value> = Vec::new();
    let mut envs: Vec<String> = Vec::new();
    for (pid, project_envs) in connections(tenant) {
        envs.extend(project_envs);
        let Some(project) = d.by_id(Kind::Project, &pid) else {
            continue;
        };
        let included = project
            .get("IncludedLibraryVariableSetIds")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for lid in included {
            if let Some(lib) = d.by_id(Kind::LibraryVariableSet, lid) {
                if !libs.iter().any(|l| id_of(l) == lid) {
                    libs.push(lib);
                }
            }
        }
    }
    envs.sort();
    envs.dedup();
    (libs, envs)
}

/// The source's value of every slot and every common value, decided against the destination's.
fn plan_values(
    ctx: &PlanContext<'_>,
    tenant: &str,
    (src, dest): (&Value, &Value),
    source: &Values,
    destination: &Values,
) -> Found {
    let d = ctx.destination;
    let t = ctx.translator();
    let mut found = Found::default();
    // The source's values under the destination's names.
    let renamed = |e: &Entry| {
        let kind = match e.key.owner {
            Owner::Project => Kind::Project,
            Owner::Library => Kind::LibraryVariableSet,
        };
        ValueKey {
            owner: e.key.owner,
            owner_name: t.destination_name(kind, &e.key.owner_name).to_string(),
            template: e.key.template.clone(),
            environments: e
                .key
                .environments
                .iter()
                .map(|n| t.destination_name(Kind::Environment, n).to_string())
                .collect(),
        }
    };
    let reach = reach(ctx, src);
    let mut wanted: BTreeMap<String, (Slot<'_>, Option<&Stored>)> = BTreeMap::new();
    for slot in project_slots(d, dest) {
        wanted.insert(slot.key.norm(), (slot, None));
    }
    let (libs, connected_envs) = libraries(d, dest);
    for e in &source.entries {
        let key = renamed(e);
        match key.owner {
            Owner::Project => match wanted.get_mut(&key.norm()) {
                Some(w) => w.1 = Some(&e.value),
                None => found.unplaced += 1,
            },
            Owner::Library => match common_slot(d, &libs, &connected_envs, key, destination.api) {
                Ok(slot) => {
                    wanted.insert(slot.key.norm(), (slot, Some(&e.value)));
                }
                Err(None) => found.unplaced += 1,
                Err(Some(warning)) => found.warnings.push(warning),
            },
        }
    }
    // The destination's common values the source does not set (project ones all have a slot).
    for e in destination.entries.iter().filter(|e| e.key.owner == Owner::Library) {
        let norm = e.key.norm();
        if wanted.contains_key(&norm) {
            continue;
        }
        let Some(lib) = libs.iter().find(|l| id_of(l) == e.at.owner_id) else {
            continue;
        };
        let Some(template) = templates(lib).find(|tpl| name_key(name_of(tpl)) == name_key(&e.key.template)) else {
            continue;
        };
        let slot = Slot {
            key: e.key.clone(),
            at: e.at.clone(),
            template,
        };
        wanted.insert(norm, (slot, None));
    }
    for (norm, (slot, source_value)) in &wanted {
        let existing = destination.entries.iter().find(|e| e.key.norm() == *norm);
        let reached = source_value.is_some() || reach.covers(&slot.key);
        decide(
            ctx,
            tenant,
            slot,
            *source_value,
            existing.map(|e| &e.value),
            reached,
            &mut found,
        );
    }
    refuse_overlaps(destination, &mut found);
    found
}

/// What the source tenant could have set, by the destination's names: the projects it is
/// connected to in which environments, and the library variable sets they include. Only there
/// does "the source does not set it" say anything: a value of a project or environment the
/// source tenant does not reach (the destination's own Staging) is never reset.
#[derive(Default)]
struct Reach {
    /// Normalised (project, environment) names.
    projects: Vec<(String, String)>,
    /// Normalised library variable set names.
    libraries: Vec<String>,
}

impl Reach {
    fn covers(&self, key: &ValueKey) -> bool {
        let owner = name_key(&key.owner_name);
        match key.owner {
            Owner::Project => key
                .environments
                .iter()
                .all(|e| self.projects.contains(&(owner.clone(), name_key(e)))),
            Owner::Library => self.libraries.contains(&owner),
        }
    }
}

fn reach(ctx: &PlanContext<'_>, src: &Value) -> Reach {
    let (s, t) = (ctx.source, ctx.translator());
    let mut out = Reach::default();
    for (pid, envs) in connections(src) {
        let Some(project) = s.by_id(Kind::Project, &pid) else {
            continue;
        };
        let project_name = name_key(t.destination_name(Kind::Project, name_of(project)));
        for env in envs.iter().filter_map(|e| s.by_id(Kind::Environment, e)) {
            let env_name = name_key(t.destination_name(Kind::Environment, name_of(env)));
            out.projects.push((project_name.clone(), env_name));
        }
        let included = project
            .get("IncludedLibraryVariableSetIds")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for lib in included.filter_map(|l| s.by_id(Kind::LibraryVariableSet, l)) {
            out.libraries
                .push(name_key(t.destination_name(Kind::LibraryVariableSet, name_of(lib))));
        }
    }
    out
}

/// Where a source common value goes on the destination: its library variable set (one the
/// connected projects include) and template by name, its environments by name among the tenant's
/// connected ones. `Err(None)`: no place (not counted as a problem); `Err(Some(w))`: left out, with why.
fn common_slot<'a>(
    d: &'a Snapshot,
    libs: &[&'a Value],
    connected: &[String],
    key: ValueKey,
    api: Api,
) -> Result<Slot<'a>, Option<String>> {
    let lib = libs
        .iter()
        .find(|l| name_key(name_of(l)) == name_key(&key.owner_name))
        .ok_or(None)?;
    let template = templates(lib)
        .find(|tpl| name_key(name_of(tpl)) == name_key(&key.template))
        .ok_or(None)?;
    let label = format!("'{}' / '{}'", key.owner_name, key.template);
    if key.environments.is_empty() {
        return Ok(Slot {
            at: Location {
                owner_id: id_of(lib).to_string(),
                template_id: template_id(lib, template),
                environment_ids: vec![],
            },
            key,
            template,
        });
    }
    if api == Api::Legacy {
        return Err(Some(format!(
            "{label}: the source scopes this value to environments ({}); the destination's Octopus (before 2025.1) cannot, so it was left out",
            key.environments.join(", ")
        )));
    }
    let mut ids = Vec::new();
    let mut names = Vec::new();
    let mut missing = Vec::new();
    for env in &key.environments {
        match d
            .by_name(Kind::Environment, env)
            .filter(|e| connected.iter().any(|c| c == id_of(e)))
        {
            Some(e) => {
                ids.push(id_of(e).to_string());
                names.push(name_of(e).to_string());
            }
            None => missing.push(format!("'{env}'")),
        }
    }
    if !missing.is_empty() {
        // Dropping some would narrow the value silently, and a narrower scope may collide with
        // the destination's own values: left for a person.
        return Err(Some(format!(
            "{label}: the source scopes this value to environments {} the destination tenant is not connected to; it was left out",
            missing.join(", ")
        )));
    }
    Ok(Slot {
        key: ValueKey {
            environments: names,
            ..key
        },
        at: Location {
            owner_id: id_of(lib).to_string(),
            template_id: template_id(lib, template),
            environment_ids: ids,
        },
        template,
    })
}

fn control(template: &Value) -> &str {
    template
        .get("DisplaySettings")
        .and_then(|d| d.get("Octopus.ControlType"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Where a value is shown: `Api / Production / Url`, `Shared / Region`, `Shared / Region [Test, Production]`.
fn path(key: &ValueKey) -> String {
    match (key.owner, key.environments.as_slice()) {
        (Owner::Project, envs) => format!("{} / {} / {}", key.owner_name, envs.join(", "), key.template),
        (Owner::Library, []) => format!("{} / {}", key.owner_name, key.template),
        (Owner::Library, envs) => format!("{} / {} [{}]", key.owner_name, key.template, envs.join(", ")),
    }
}

/// One value: the rules of the module doc.
fn decide(
    ctx: &PlanContext<'_>,
    tenant: &str,
    slot: &Slot<'_>,
    source: Option<&Stored>,
    existing: Option<&Stored>,
    reached: bool,
    found: &mut Found,
) {
    let overwrite = ctx.rules.variables.overwrite;
    let path = path(&slot.key);
    let sensitive = control(slot.template).eq_ignore_ascii_case("Sensitive")
        || matches!(source, Some(Stored::Sensitive { .. }))
        || matches!(existing, Some(Stored::Sensitive { .. }));
    let mut op = |value: Option<Value>, before: Option<String>, after: Option<String>| {
        let diff_op = match (&before, &after) {
            (None, _) => DiffOp::Added,
            (_, None) => DiffOp::Removed,
            _ => DiffOp::Changed,
        };
        found.diff.push(FieldDiff {
            path: path.clone(),
            op: diff_op,
            before,
            after,
            lines: vec![],
        });
        found.ops.push(Op {
            key: slot.key.clone(),
            at: slot.at.clone(),
            value,
        });
    };
    if sensitive {
        // An existing secret is never touched, not even reset; a missing one gets the placeholder.
        let source_has = matches!(
            source,
            Some(Stored::Sensitive { has_value: true }) | Some(Stored::Text(_))
        );
        if existing.is_none() && source_has {
            let (value, cleanup) = placeholder::secret(KIND, tenant, &format!("variable {path}"));
            found.cleanup.push(cleanup);
            op(Some(value), None, Some(SENSITIVE.to_string()));
        }
        return;
    }
    let shown_before = existing.map(|e| shown(ctx.destination, e));
    let Some(source) = source else {
        if existing.is_some() && reached && overwrite == VariableOverwrite::Overwrite {
            op(None, shown_before, None);
        }
        return;
    };
    let translated = match source {
        Stored::Reference(typed, id) => match ctx.translator().translate(id) {
            Translation::Mapped(dest_id) => Stored::Reference(*typed, dest_id),
            _ => {
                let what = ctx.translator().source_name(id).unwrap_or(id).to_string();
                found.warnings.push(format!(
                    "{path}: the source's {} '{what}' is not on the destination, so its value was left out",
                    typed.noun()
                ));
                return;
            }
        },
        other => other.clone(),
    };
    match existing {
        None if overwrite == VariableOverwrite::AddNewWithDefaultValue => {
            if matches!(translated, Stored::Reference(..)) {
                found.notes.push(format!(
                    "{path}: not set (AddNewWithDefaultValue sets no account, certificate or worker pool)"
                ));
                return;
            }
            found.cleanup.push(placeholder::cleanup(
                KIND,
                tenant,
                &format!(
                    "variable {path}: set to the placeholder '{}'; enter the real value on the destination",
                    placeholder::SECRET_PLACEHOLDER
                ),
            ));
            let text = placeholder::SECRET_PLACEHOLDER.to_string();
            op(Some(json!(text)), None, Some(text));
        }
        None => op(Some(raw(&translated)), None, Some(shown(ctx.destination, &translated))),
        Some(e) if *e == translated => {}
        Some(_) if overwrite == VariableOverwrite::Overwrite => op(
            Some(raw(&translated)),
            shown_before,
            Some(shown(ctx.destination, &translated)),
        ),
        Some(_) => {}
    }
}

/// The value as the API takes it.
fn raw(value: &Stored) -> Value {
    match value {
        Stored::Text(s) | Stored::Reference(_, s) => json!(s),
        // Never written from a source value: secrets take the placeholder.
        Stored::Sensitive { .. } => placeholder::none(),
    }
}

/// The value as a reviewer reads it: an account by its name, a secret masked.
fn shown(d: &Snapshot, value: &Stored) -> String {
    match value {
        Stored::Text(s) => s.clone(),
        Stored::Reference(typed, id) => match d.name_by_id(id) {
            Some(n) => format!("{} '{n}'", typed.noun()),
            None => format!("{} {id}", typed.noun()),
        },
        Stored::Sensitive { .. } => SENSITIVE.to_string(),
    }
}

/// A common value the destination would hold twice for one environment (the server refuses the
/// whole list): left out, with a warning, and the destination's own kept.
fn refuse_overlaps(destination: &Values, found: &mut Found) {
    let removed = |e: &Entry, ops: &[Op]| ops.iter().any(|o| o.value.is_none() && o.key.norm() == e.key.norm());
    let mut dropped = Vec::new();
    for (i, op) in found.ops.iter().enumerate() {
        let envs = &op.at.environment_ids;
        let clash = op.key.owner == Owner::Library
            && op.value.is_some()
            && !envs.is_empty()
            && destination.entries.iter().any(|e| {
                e.key.owner == Owner::Library
                    && e.at.owner_id == op.at.owner_id
                    && name_key(&e.key.template) == name_key(&op.key.template)
                    && e.key.norm() != op.key.norm()
                    && !removed(e, &found.ops)
                    && e.at.environment_ids.iter().any(|x| envs.contains(x))
            });
        if clash {
            dropped.push(i);
        }
    }
    for &i in dropped.iter().rev() {
        let op = found.ops.remove(i);
        let p = path(&op.key);
        found.diff.retain(|d| d.path != p);
        found.cleanup.retain(|c| !c.action.contains(&format!("variable {p}:")));
        found.warnings.push(format!(
            "{p}: the destination tenant has a value of this template for some of these environments under another scope; the source's was left out"
        ));
    }
}

#[cfg(test)]
mod tests;
