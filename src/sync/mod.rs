//! The stages: one file per kind, each planning its changes from two snapshots and the rules.
//!
//! Planning is pure (no I/O, deterministic); the engine hands the planned writes to an applier.

pub mod accounts;
pub mod action_refs;
pub mod certificates;
pub mod channel_rules;
pub mod channels;
pub mod deployment_processes;
pub mod diff;
pub mod document;
pub mod environments;
pub mod feeds;
pub mod infra_scope;
pub mod item_logos;
pub mod library_sets;
pub mod library_variable_sets;
pub mod lifecycles;
mod logo;
pub mod machine_policies;
pub mod placeholder;
pub mod process;
pub mod project_groups;
pub mod project_variables;
pub mod project_versioning;
pub mod projects;
pub mod runbook_processes;
pub mod runbooks;
pub mod script_modules;
pub mod step_templates;
pub mod team_permissions;
pub mod teams;
pub mod tenant_projects;
pub mod tenant_tag_sets;
pub mod tenant_variables;
pub mod tenants;
pub mod user_roles;
pub mod variable_templates;
pub mod variables;
pub mod worker_pools;

use crate::kind::Kind;
use crate::report::{Action, Change, CleanupItem};
use crate::rules::Rules;
use crate::settings::selector::Selector;
use crate::snapshot::logos::LogoDigest;
use crate::snapshot::{name_key, name_of, Snapshot};
use crate::translate::Translator;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// Plans `items` one by one with `plan_one`, spread over the machine's cores, in their order. For
/// stages whose items plan independently (a project's process does not depend on another's) and
/// cost real work each: merging hundreds of processes is most of a large no-op run's CPU.
pub fn plan_each<T: Sync>(items: &[T], plan_one: impl Fn(&T) -> Option<Planned> + Sync + Send) -> Vec<Planned> {
    use rayon::prelude::*;
    items.par_iter().filter_map(plan_one).collect()
}

/// What a stage sees.
pub struct PlanContext<'a> {
    /// The source space.
    pub source: &'a Snapshot,
    /// The destination space, including what earlier stages created.
    pub destination: &'a Snapshot,
    /// The delta policy.
    pub rules: &'a Rules,
    /// Which source items of this stage's kind are in scope.
    pub selector: &'a Selector,
}

impl<'a> PlanContext<'a> {
    /// The translator between the two snapshots.
    pub fn translator(&self) -> Translator<'a> {
        Translator::new(self.source, self.destination).with_names(&self.rules.names)
    }

    /// Selected source items of `kind`, in source order, without those whose names collide (see
    /// [`PlanContext::name_collisions`]): each of those is an error, never a silent merge.
    pub fn selected(&self, kind: Kind) -> impl Iterator<Item = &'a Value> + '_ {
        let colliding = self.colliding_keys(kind);
        self.selected_all(kind)
            .filter(move |d| !colliding.contains(&identity_key(kind, d)))
    }

    /// One error per selected source item whose name equals another's as names compare (trimmed,
    /// case-insensitive in every script, accents significant), since both would match one
    /// destination item.
    pub fn name_collisions(&self, kind: Kind) -> Vec<Planned> {
        let colliding = self.colliding_keys(kind);
        self.selected_all(kind)
            .filter(|d| colliding.contains(&identity_key(kind, d)))
            .map(|d| {
                let name = name_of(d);
                let others: Vec<String> = self
                    .selected_all(kind)
                    .filter(|o| identity_key(kind, o) == identity_key(kind, d))
                    .map(name_of)
                    .filter(|n| *n != name)
                    .map(|n| format!("'{n}'"))
                    .collect();
                let error = format!(
                    "its name matches {} on the source, and names compare case-insensitively, so both would be merged into one destination item; rename one of them on the source",
                    others.join(", ")
                );
                let mut p = Planned::no_write(kind, name, Action::Skip, "name collides with another source item");
                p.change.error = Some(error);
                p
            })
            .collect()
    }

    /// Selected source items; an archived item that shares its name with the one the name finds
    /// (a replaced certificate's backup) is not an item of its own.
    fn selected_all(&self, kind: Kind) -> impl Iterator<Item = &'a Value> + '_ {
        self.source.items(kind).iter().filter(move |d| {
            self.selector.matches_any(selection_keys(kind, d))
                && self.owner_selected(kind, d)
                && !(crate::snapshot::is_archived(d)
                    && self.source.by_name(kind, name_of(d)).map(crate::snapshot::id_of)
                        != Some(crate::snapshot::id_of(d)))
        })
    }

    /// For an item of a kind that belongs to another item (a channel), whether its owner is in
    /// scope; true for every other item.
    fn owner_selected(&self, kind: Kind, doc: &Value) -> bool {
        let Some((field, owner_kind)) = kind.owner() else {
            return true;
        };
        self.source
            .by_id(owner_kind, document::str_field(doc, field))
            .is_some_and(|owner| self.selector.matches_owner(name_of(owner)))
    }

    fn colliding_keys(&self, kind: Kind) -> HashSet<String> {
        let mut seen = HashMap::new();
        for d in self.selected_all(kind) {
            *seen.entry(identity_key(kind, d)).or_insert(0usize) += 1;
        }
        seen.into_iter().filter(|(_, n)| *n > 1).map(|(k, _)| k).collect()
    }
}

/// What a selector matches an item by: its name, and a tenant's tags (`Region/EU`) too.
pub fn selection_keys(kind: Kind, doc: &Value) -> Vec<&str> {
    let mut keys = vec![name_of(doc)];
    if kind == Kind::Tenant {
        let tags = doc.get("TenantTags").and_then(Value::as_array);
        keys.extend(tags.into_iter().flatten().filter_map(Value::as_str));
    }
    keys
}

/// What two source items must share to stand for one destination item: the name, and for items
/// that belong to another (a project's channels) the owner too.
fn identity_key(kind: Kind, doc: &Value) -> String {
    match kind.owner() {
        Some((field, _)) => format!("{}/{}", document::str_field(doc, field), name_key(name_of(doc))),
        None => name_key(name_of(doc)),
    }
}

/// A write to make.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// POST a new item.
    Create {
        /// The body.
        body: Value,
    },
    /// PUT the destination's own document back with our fields overlaid.
    Update {
        /// Destination id.
        id: String,
        /// The whole document.
        body: Value,
    },
    /// Install a community step template into the destination space from the destination's own
    /// library (`POST /api/communityactiontemplates/{id}/installation/{spaceId}`), or, with
    /// `update`, bring the installed one to the library's latest version (`PUT` on that route).
    /// Neither takes a body: the server copies the template from its library.
    Install {
        /// The template's id in the destination's library.
        community_id: String,
        /// Update the installed template instead of installing it.
        update: bool,
        /// The step template as the plan expects the destination to hold it afterwards (what a
        /// dry run hands the later stages).
        expected: Value,
    },
    /// Create a certificate from the source's file: at apply time the source's export
    /// (`GET certificates/{id}/export`, the file as uploaded) becomes `CertificateData` of
    /// `body`, with the certificate password. The plan never holds the file.
    UploadCertificate {
        /// The certificate's id on the source.
        source_id: String,
        /// Its thumbprint on the source: what the destination must read from the file.
        thumbprint: String,
        /// The body without the file and password.
        body: Value,
    },
    /// Replace the destination's certificate `id` in place with the source's file
    /// (`POST certificates/{id}/replace`): it keeps its id, name and scoping.
    ReplaceCertificate {
        /// The destination certificate.
        id: String,
        /// The certificate's id on the source.
        source_id: String,
        /// Its thumbprint on the source: what the destination must read from the file.
        thumbprint: String,
        /// The destination's certificate as the plan expects it afterwards.
        expected: Value,
    },
    /// The item's own write (a [`Write::Create`] or [`Write::Update`]; none when only the document
    /// it owns changes), then the PUT of a document the item owns (a script module's variable set).
    /// One decision, applied in that order: the owned document of a new item exists only once the
    /// server has made the item.
    Owning {
        /// The item's own write, if any.
        item: Option<Box<Write>>,
        /// The owned document's write.
        owned: OwnedWrite,
    },
    /// Upload the source item's logo to the destination item (`POST {collection}/{id}/logo`, a
    /// `multipart/form-data` file): at apply time the source's logo is read, must still be the
    /// image planned, and must read back the same from the destination. The plan holds only its
    /// digest, never the image.
    UploadLogo {
        /// The destination item; `None` when the write it follows creates the item.
        id: Option<String>,
        /// The item's id on the source.
        source_id: String,
        /// The source's logo as planned.
        logo: LogoDigest,
    },
    /// Make a snapshot of the runbook and publish it (`POST runbookSnapshots?publish=true`), so
    /// its runs use the process just written. The snapshot is named when it is made.
    PublishSnapshot {
        /// The runbook's project on the destination.
        project_id: String,
        /// The runbook on the destination.
        runbook_id: String,
    },
    /// Write a tenant's variable values through the API the destination serves (reference §2.19):
    /// one decision per tenant, whose body holds every value the tenant keeps.
    TenantVariables {
        /// The destination tenant.
        tenant_id: String,
        /// What is PUT.
        body: TenantVariablesBody,
    },
    /// Put every destination item of the kind into this order (`PUT {collection}/sortorder`):
    /// the destination's own items as they are, then the ones the stage creates. Applied after
    /// the stage's other writes, when the items it creates have their ids.
    Reorder {
        /// The destination's own items, in their order.
        own: Vec<String>,
        /// The items the stage creates, in the source's order.
        created: Vec<String>,
    },
}

impl Write {
    /// True when the write creates the item.
    pub fn creates(&self) -> bool {
        match self {
            Write::Create { .. } => true,
            Write::Owning { item, .. } => item.as_deref().is_some_and(Write::creates),
            _ => false,
        }
    }
}

/// The body of a [`Write::TenantVariables`].
#[derive(Debug, Clone, PartialEq)]
pub enum TenantVariablesBody {
    /// `PUT tenants/{id}/variables`: the whole document as read (with its `ConcurrencyToken`), our
    /// values set in it and the ones reset removed; secrets the destination holds are sent back as
    /// read (`HasValue` without a new value), which keeps them.
    Legacy(Value),
    /// `PUT tenants/{id}/projectvariables` and/or `…/commonvariables` (2025.1+): each list complete,
    /// since the server deletes every entry a PUT leaves out; only the lists that change are sent.
    Scoped {
        /// The `projectvariables` body, when it changes.
        project: Option<Value>,
        /// The `commonvariables` body, when it changes.
        common: Option<Value>,
    },
}

/// The PUT of a document an item owns: one the server made with the item, which lives in a
/// collection of its own (a variable set at `variables/{id}`, reference §2.9) and has no POST.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedWrite {
    /// The owned document's kind (its collection).
    pub kind: Kind,
    /// Which document, and what to write.
    pub target: OwnedTarget,
}

/// Which owned document a write goes to.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedTarget {
    /// The item exists: PUT `body`, the destination's own document (its `Id`, and the `Version`
    /// the server checks) with our changes.
    Existing {
        /// The owned document's id.
        id: String,
        /// The whole document.
        body: Value,
    },
    /// The item is created by the same decision: read the document the server made for it (its id
    /// is the created item's field `link`), put `fields` into it and PUT it back. If it already
    /// holds any of those fields it is not the empty document the server just made, and nothing is
    /// overwritten: the next run merges into it like into any existing one.
    New {
        /// The created item's field naming the owned document (`VariableSetId`).
        link: &'static str,
        /// The fields to put into it (`Variables`).
        fields: Value,
    },
}

/// One planned decision.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Kind of the item.
    pub kind: Kind,
    /// What the report says.
    pub change: Change,
    /// The write, when the action writes.
    pub write: Option<Write>,
    /// A write made right after `write` succeeds, on the item it saved (a step template's logo,
    /// once the template is created or updated).
    pub then: Option<Write>,
    /// Follow-ups for a person.
    pub cleanup: Vec<CleanupItem>,
    /// Set when the rules say the run must stop.
    pub fatal: Option<String>,
}

impl Planned {
    /// A decision without a write.
    pub fn no_write(kind: Kind, name: &str, action: Action, reason: impl Into<String>) -> Planned {
        Planned {
            kind,
            change: Change {
                kind: kind.label().to_string(),
                name: name.to_string(),
                action,
                reason: reason.into(),
                changed_fields: vec![],
                diff: vec![],
                notes: vec![],
                warnings: vec![],
                destination_id: None,
                error: None,
            },
            write: None,
            then: None,
            cleanup: vec![],
            fatal: None,
        }
    }

    /// A create of `body`; the report shows its fields as added, ids named from the destination.
    pub fn create(ctx: &PlanContext<'_>, kind: Kind, name: &str, reason: impl Into<String>, body: Value) -> Planned {
        let mut p = Planned::no_write(kind, name, Action::Create, reason);
        p.change.changed_fields = body
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        p.change.diff = diff::diff(&json!({}), &body, ctx.destination).entries;
        p.write = Some(Write::Create { body });
        p
    }

    /// An update of the destination's document `before` to `after` (the same document with our fields
    /// overlaid); the report shows every field that differs, before → after.
    pub fn update(
        ctx: &PlanContext<'_>,
        kind: Kind,
        name: &str,
        reason: impl Into<String>,
        before: &Value,
        after: Value,
    ) -> Planned {
        let id = crate::snapshot::id_of(before).to_string();
        let d = diff::diff(before, &after, ctx.destination);
        let mut p = Planned::no_write(kind, name, Action::Update, reason);
        p.change.changed_fields = d.fields;
        p.change.diff = d.entries;
        p = p.at(&id);
        p.write = Some(Write::Update { id, body: after });
        p
    }

    /// Follows this decision's write (if any) with the write of a document the item owns; a
    /// decision that wrote nothing becomes an update.
    pub fn then_owned(mut self, owned: OwnedWrite) -> Planned {
        let item = self.write.take().map(Box::new);
        if item.is_none() && self.change.action == Action::Unchanged {
            self.change.action = Action::Update;
        }
        self.write = Some(Write::Owning { item, owned });
        self
    }

    /// Shows the decision as the difference between two views of the item (for an item whose
    /// content lives partly in a document it owns, such as a script module's body): the report's
    /// fields and before → after come from these views instead of the documents written.
    pub fn shown_as(mut self, ctx: &PlanContext<'_>, before: &Value, after: &Value) -> Planned {
        let d = diff::diff(before, after, ctx.destination);
        self.change.changed_fields = d.fields;
        self.change.diff = d.entries;
        self
    }

    /// Records the destination item this decision is about; an item a dry run plans to create
    /// in this run has only a placeholder id, which the report never shows.
    pub fn at(mut self, destination_id: &str) -> Planned {
        if !crate::apply::is_placeholder(destination_id) {
            self.change.destination_id = Some(destination_id.to_string());
        }
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Planned {
        self.change.notes.push(note.into());
        self
    }

    /// Adds notes.
    pub fn notes(mut self, notes: impl IntoIterator<Item = String>) -> Planned {
        self.change.notes.extend(notes);
        self
    }

    /// Adds warnings: what a person must not miss, such as a reference dropped from what is written.
    pub fn warnings(mut self, warnings: impl IntoIterator<Item = String>) -> Planned {
        self.change.warnings.extend(warnings);
        self
    }
}

/// Name of the change that puts a collection in order.
pub const ORDER_CHANGE_NAME: &str = "(sort order)";

/// When `planned` creates items of a kind the destination keeps in a user-visible order, a reorder
/// that leaves the destination's own items where they are and puts the new ones after them in the
/// source's relative order. Concurrent creates land in whatever order they finish; without this the
/// destination's dashboards would show new environments shuffled on every run.
pub fn order_after_creates(ctx: &PlanContext<'_>, kind: Kind, planned: &[Planned]) -> Option<Planned> {
    kind.sort_order_path()?;
    let created: Vec<&str> = planned
        .iter()
        .filter(|p| p.write.as_ref().is_some_and(Write::creates))
        .map(|p| p.change.name.as_str())
        .collect();
    if created.is_empty() {
        return None;
    }
    let own: Vec<String> = ctx
        .destination
        .items(kind)
        .iter()
        .map(|d| name_of(d).to_string())
        .collect();
    let created: Vec<String> = created.iter().map(|n| n.to_string()).collect();
    let names: Vec<String> = own.iter().chain(&created).cloned().collect();
    let mut p = Planned::no_write(
        kind,
        ORDER_CHANGE_NAME,
        Action::Reorder,
        format!(
            "new {}s are placed after the destination's own, in the source's order",
            kind.label().to_lowercase()
        ),
    );
    p.change.changed_fields = vec!["SortOrder".into()];
    p.change.diff = vec![crate::report::FieldDiff {
        path: format!("{}s", kind.label()),
        op: crate::report::DiffOp::Reordered,
        before: Some(format!("[{}]", own.join(", "))),
        after: Some(format!("[{}]", names.join(", "))),
        lines: vec![],
    }];
    p.write = Some(Write::Reorder { own, created });
    Some(p)
}

/// A stage of the sync.
pub trait Stage: Send + Sync {
    /// The kind it syncs.
    fn kind(&self) -> Kind;
    /// Plans the changes; pure.
    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned>;
    /// True for a later part of items another stage already plans (a project's variables): the
    /// name collisions of those items are that stage's to report, once.
    fn is_part(&self) -> bool {
        false
    }
    /// What the task log's progress calls the stage (`Deployment processes done`).
    fn label(&self) -> String {
        self.kind().plural()
    }
    /// The project part (`OCTOSYNC_PROJECT_PARTS`) this stage syncs; a stage whose part is left
    /// out does not run.
    fn part(&self) -> Option<crate::rules::ProjectPart> {
        None
    }
}

/// The stages in dependency order (reference §6, seed 003 "Syncing Order").
pub fn stages() -> Vec<Box<dyn Stage>> {
    vec![
        Box::new(environments::Environments),
        Box::new(project_groups::ProjectGroups),
        Box::new(tenant_tag_sets::TenantTagSets),
        // Early (seed 003), so accounts, certificates and variables can name them.
        Box::new(tenants::Tenants),
        Box::new(item_logos::ItemLogos(Kind::Tenant)),
        Box::new(feeds::Feeds),
        Box::new(user_roles::UserRoles),
        Box::new(teams::Teams),
        // Before machine policies (unlike seed 003's list, as SpaceCloner does): a policy's Tentacle
        // update account must exist before the policy can name it.
        Box::new(accounts::Accounts),
        Box::new(certificates::Certificates),
        Box::new(machine_policies::MachinePolicies),
        Box::new(worker_pools::WorkerPools),
        Box::new(step_templates::StepTemplates),
        Box::new(script_modules::ScriptModules),
        Box::new(lifecycles::Lifecycles),
        // Seed 003: after certificates (their variables may name accounts, certificates and
        // worker pools), before projects, which include them.
        Box::new(library_variable_sets::LibraryVariableSets),
        Box::new(projects::Projects),
        Box::new(channels::Channels),
        // Children first (see `deployment_processes`); every project exists by now.
        Box::new(deployment_processes::DeploymentProcesses),
        Box::new(runbooks::Runbooks),
        Box::new(runbook_processes::RunbookProcesses),
        // After the channels, process and runbooks its variables can be scoped to.
        Box::new(project_variables::ProjectVariables),
        // Seed 003: after the process, whose actions and packages rules and versioning name.
        Box::new(channel_rules::ChannelRules),
        Box::new(project_versioning::ProjectVersioning),
        // Seed 003 ends a project with its logo.
        Box::new(item_logos::ItemLogos(Kind::Project)),
        // Seed 003: the tenants' project connections once the projects exist.
        Box::new(tenant_projects::TenantProjects),
        // Once the tenants are connected: their values belong to those connections.
        Box::new(tenant_variables::TenantVariables),
        // Last (seed 003): scoped roles name projects, project groups, environments and tenants,
        // which must all exist by now.
        Box::new(team_permissions::TeamPermissions),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx_plan(source: &Snapshot, destination: &Snapshot, kind: Kind, stage: &dyn Stage) -> Vec<Planned> {
        let rules = Rules::default();
        let selector = Selector::all();
        let ctx = PlanContext {
            source,
            destination,
            rules: &rules,
            selector: &selector,
        };
        let mut planned = ctx.name_collisions(kind);
        planned.extend(stage.plan(&ctx));
        planned.extend(order_after_creates(&ctx, kind, &planned));
        planned
    }

    #[test]
    fn names_differing_only_in_the_case_of_accented_letters_are_an_error_not_a_merge() {
        let source = Snapshot::from_docs([(
            Kind::Environment,
            vec![
                json!({"Id": "Environments-1", "Name": "Émission"}),
                json!({"Id": "Environments-2", "Name": "émission"}),
                json!({"Id": "Environments-3", "Name": "Emission"}),
            ],
        )]);
        let destination = Snapshot::from_docs([(
            Kind::Environment,
            vec![json!({"Id": "Environments-9", "Name": "ÉMISSION"})],
        )]);
        let planned = ctx_plan(&source, &destination, Kind::Environment, &environments::Environments);
        let errors: Vec<&Planned> = planned.iter().filter(|p| p.change.error.is_some()).collect();
        assert_eq!(errors.len(), 2, "{planned:?}");
        for p in &errors {
            assert!(p.write.is_none());
            assert!(
                p.change
                    .error
                    .as_deref()
                    .unwrap()
                    .contains("rename one of them on the source"),
                "{:?}",
                p.change.error
            );
        }
        assert!(errors[0].change.error.as_deref().unwrap().contains("'émission'"));
        // Accents are significant: "Emission" is another name, created as usual.
        let plain = planned.iter().find(|p| p.change.name == "Emission").unwrap();
        assert_eq!(plain.change.action, Action::Create);
        assert!(plain.change.error.is_none());
    }

    #[test]
    fn new_environments_are_ordered_after_the_destinations_own_in_source_order() {
        let names = ["juliet", "india", "hotel", "golf"];
        let source = Snapshot::from_docs([(
            Kind::Environment,
            names
                .iter()
                .enumerate()
                .map(|(i, n)| json!({"Id": format!("Environments-{i}"), "Name": n}))
                .collect(),
        )]);
        let destination = Snapshot::from_docs([(
            Kind::Environment,
            vec![
                json!({"Id": "Environments-70", "Name": "Production"}),
                json!({"Id": "Environments-71", "Name": "india"}),
                json!({"Id": "Environments-72", "Name": "Alpha"}),
            ],
        )]);
        let planned = ctx_plan(&source, &destination, Kind::Environment, &environments::Environments);
        let order = planned
            .iter()
            .find(|p| p.change.name == ORDER_CHANGE_NAME)
            .expect("an order change");
        let Some(Write::Reorder { own, created }) = &order.write else {
            panic!("expected a reorder")
        };
        assert_eq!(own, &["Production", "india", "Alpha"]);
        assert_eq!(created, &["juliet", "hotel", "golf"]);
        assert_eq!(order.change.action, Action::Reorder);

        // Nothing to create, nothing to order: the destination's own order is never touched.
        let settled = Snapshot::from_docs([(
            Kind::Environment,
            ["golf", "hotel", "india", "juliet"]
                .iter()
                .enumerate()
                .map(|(i, n)| json!({"Id": format!("Environments-{}", 80 + i), "Name": n}))
                .collect(),
        )]);
        let planned = ctx_plan(&source, &settled, Kind::Environment, &environments::Environments);
        assert!(planned.iter().all(|p| p.write.is_none()), "{planned:?}");
    }

    #[test]
    fn kinds_without_a_sort_route_get_no_order_change() {
        let source = Snapshot::from_docs([(
            Kind::ProjectGroup,
            vec![json!({"Id": "ProjectGroups-1", "Name": "Web"})],
        )]);
        let planned = ctx_plan(
            &source,
            &Snapshot::default(),
            Kind::ProjectGroup,
            &project_groups::ProjectGroups,
        );
        assert_eq!(planned.len(), 1);
        assert!(matches!(planned[0].write, Some(Write::Create { .. })));
    }
}
