//! One module per kind (or family of kinds), as moto keeps one package per service. Each holds the
//! kind's field table, its rules and its links, behind the [`Spec`] trait; the write pipeline and
//! the routes consult the kind only through [`spec`].
//!
//! Adding a kind: a variant and its names in `kind.rs`, a module here implementing [`Spec`], and
//! one line in [`spec`]. A kind module depends only on the core (`store`, `schema`, `shape`,
//! `refs`, `error`, `secrets`) and on [`parts`]; it never calls the pipeline. Documents it must
//! create through the pipeline are returned as [`FollowUp`]s.

use serde_json::{json, Value};

use super::envelope::Query;
use super::error::{ApiError, ApiResult};
use super::kind::Kind;
use super::schema::Field;
use super::store::{Doc, Store};

pub(crate) mod account;
pub(crate) mod action_template;
pub(crate) mod certificate;
pub(crate) mod channel;
pub(crate) mod community_action_template;
pub(crate) mod deployment_settings;
pub(crate) mod environment;
pub(crate) mod feed;
pub(crate) mod library_variable_set;
pub(crate) mod lifecycle;
pub(crate) mod machine;
pub(crate) mod machine_policy;
pub(crate) mod package;
pub(crate) mod parts;
pub(crate) mod process;
pub(crate) mod project;
pub(crate) mod project_group;
pub(crate) mod release;
pub(crate) mod runbook;
pub(crate) mod runbook_snapshot;
pub(crate) mod space;
pub(crate) mod tag_set;
pub(crate) mod team;
pub(crate) mod tenant;
pub(crate) mod tenant_scoped_variables;
pub(crate) mod tenant_variables;
pub(crate) mod users;
pub(crate) mod variable_set;
pub(crate) mod worker_pool;

/// Which verbs a kind's collection accepts over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// GET, POST, PUT, DELETE.
    Full,
    /// GET and PUT only: the document lives and dies with its owner.
    Owned,
    /// GET only (targets, workers, packages in this simulator).
    ReadOnly,
    /// No collection route of its own: reached only through its owner (deployment settings).
    Embedded,
}

/// Where a kind's names must be unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameScope {
    /// Unique among the space's documents of the kind.
    Space,
    /// Unique among the documents sharing the owner this field names (channels and runbooks
    /// within their project, snapshots within their runbook).
    Within(&'static str),
}

/// The field holding a kind's name and where it must be unique.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NameRule {
    pub field: &'static str,
    pub scope: NameScope,
}

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listing {
    /// Creation order (numeric id order for counter ids).
    Created,
    /// By `SortOrder` (environments, worker pools, tag sets).
    BySortOrder,
    /// By name, case-insensitively (tenants).
    ByName,
}

/// The discriminator of a polymorphic kind: its field, its values and the value a POST without one gets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Discriminator {
    pub field: &'static str,
    pub values: &'static [&'static str],
    pub default: Option<&'static str>,
}

/// A document to create through the write pipeline after the current one is stored.
#[derive(Debug, Clone)]
pub(crate) struct FollowUp {
    pub space: String,
    pub kind: Kind,
    pub body: Value,
}

/// What a kind's rules see of a write in progress.
pub(crate) struct Change<'a> {
    pub store: &'a Store,
    pub space: &'a str,
    /// The body as sent, known property names in canonical case.
    pub raw: &'a Doc,
    /// The stored document on PUT; None on POST.
    pub stored: Option<&'a Doc>,
}

impl Change<'_> {
    pub fn creating(&self) -> bool {
        self.stored.is_none()
    }
}

/// Where a document's links point.
pub(crate) struct At<'a> {
    /// `/api/{spaceId}/{segment}/{id}`.
    pub base: String,
    pub space: &'a str,
    pub id: &'a str,
    pub doc: &'a Doc,
    /// The server version (logo cache busters).
    pub version: &'a str,
    /// The cache buster of the document's logo link (see `logos::cache_buster`).
    pub logo_cb: String,
}

impl At<'_> {
    /// A string field of the document, "" when absent.
    pub fn s(&self, field: &str) -> String {
        self.doc.get(field).and_then(Value::as_str).unwrap_or("").to_string()
    }
}

/// Everything particular to a kind. Defaults describe the common case.
pub(crate) trait Spec: Sync {
    /// Known top-level fields in the order the server emits them; `sub` is the discriminator value.
    fn fields(&self, sub: Option<&str>) -> Vec<Field>;

    /// Query parameters of the collection's URI template, as in the root document's Links.
    fn query(&self) -> &'static str;

    /// The document's `Links`.
    fn links(&self, at: &At<'_>) -> Value {
        json!({"Self": at.base})
    }

    /// The discriminator of a polymorphic kind (FeedType, AccountType, WorkerPoolType).
    fn discriminator(&self) -> Option<Discriminator> {
        None
    }

    fn access(&self) -> Access {
        Access::Full
    }

    /// Whether `GET …/all` exists for the kind (SW21b lists them; reference §1.5).
    fn has_all(&self) -> bool {
        true
    }

    fn order(&self) -> Listing {
        Listing::Created
    }

    /// Filters of the kind's own beyond `ids`, `partialName` and `name`.
    fn filter(&self, _doc: &Doc, _q: &Query) -> bool {
        true
    }

    /// The name field and where it must be unique; None for kinds without a name.
    fn name_rule(&self) -> Option<NameRule> {
        Some(NameRule {
            field: "Name",
            scope: NameScope::Space,
        })
    }

    /// Whether the server gives the kind a `Slug`.
    fn has_slug(&self) -> bool {
        false
    }

    /// Kind-specific validation and defaults, before ids are assigned.
    fn normalize(&self, _change: &Change<'_>, _doc: &mut Doc) -> ApiResult<()> {
        Ok(())
    }

    /// Side effects of a create, before the document is stored (it has its Id). Documents to
    /// create once it is stored are returned.
    fn created(&self, _store: &mut Store, _space: &str, _doc: &mut Doc) -> ApiResult<Vec<FollowUp>> {
        Ok(Vec::new())
    }

    /// Side effects of an update, before the document replaces the stored one.
    fn updated(&self, _store: &mut Store, _space: &str, _doc: &mut Doc, _stored: &Doc) -> ApiResult<()> {
        Ok(())
    }

    /// 400 when the real server refuses the delete (built-ins, dependents).
    fn check_delete(&self, _store: &Store, _space: &str, _doc: &Doc) -> ApiResult<()> {
        Ok(())
    }

    /// Query parameters of a POST that act after the create (`?publish=true` of runbook snapshots).
    fn posted(&self, _store: &mut Store, _space: &str, _doc: &Doc, _q: &Query) {}

    /// What dies with the document.
    fn deleted(&self, _store: &mut Store, _space: &str, _doc: &Doc) {}

    /// Whether PUT has rules of its own ([`Spec::replace`]) instead of the generic update.
    fn has_own_put(&self) -> bool {
        false
    }

    /// The PUT of a kind with rules of its own (variable sets, processes, deployment settings),
    /// called instead of the generic update when [`Spec::has_own_put`]. The body has been bound.
    fn replace(&self, _store: &mut Store, _space: &str, _id: &str, _body: Value) -> ApiResult<Doc> {
        Err(ApiError::method_not_allowed("PUT"))
    }

    /// Computed parts a GET adds to the stored document.
    fn render(&self, _store: &Store, _space: &str, _doc: &mut Doc) {}
}

/// The spec of a kind.
pub(crate) fn spec(kind: Kind) -> &'static dyn Spec {
    match kind {
        Kind::Environment => &environment::Environment,
        Kind::ProjectGroup => &project_group::ProjectGroup,
        Kind::TagSet => &tag_set::TagSet,
        Kind::Lifecycle => &lifecycle::Lifecycle,
        Kind::Feed => &feed::Feed,
        Kind::Account => &account::Account,
        Kind::WorkerPool => &worker_pool::WorkerPool,
        Kind::MachinePolicy => &machine_policy::MachinePolicy,
        Kind::Certificate => &certificate::Certificate,
        Kind::ActionTemplate => &action_template::ActionTemplate,
        Kind::CommunityActionTemplate => &community_action_template::CommunityActionTemplate,
        Kind::LibraryVariableSet => &library_variable_set::LibraryVariableSet,
        Kind::VariableSet => &variable_set::VariableSet,
        Kind::Tenant => &tenant::Tenant,
        Kind::Project => &project::Project,
        Kind::Channel => &channel::Channel,
        Kind::DeploymentProcess => &process::DEPLOYMENT,
        Kind::Runbook => &runbook::Runbook,
        Kind::RunbookProcess => &process::RUNBOOK,
        Kind::RunbookSnapshot => &runbook_snapshot::RunbookSnapshot,
        Kind::Release => &release::Release,
        Kind::Deployment => &release::Deployment,
        Kind::DeploymentSettings => &deployment_settings::DeploymentSettings,
        Kind::Team => &team::Team,
        Kind::ScopedUserRole => &team::ScopedUserRole,
        Kind::UserRole => &users::UserRole,
        Kind::User => &users::User,
        Kind::Machine => &machine::MACHINE,
        Kind::Worker => &machine::WORKER,
        Kind::Package => &package::Package,
        Kind::Space => &space::Space,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::kind::ALL;

    /// The `use` declarations of a source file under `src/sim/`, each joined onto one line.
    fn uses(file: &str) -> Vec<String> {
        let path = format!("{}/src/sim/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut out = Vec::new();
        let mut current: Option<String> = None;
        for line in text.lines().map(str::trim) {
            if current.is_none() && (line.starts_with("use ") || line.starts_with("pub(crate) use ")) {
                current = Some(String::new());
            }
            if let Some(c) = current.as_mut() {
                c.push_str(line);
                if line.ends_with(';') {
                    out.extend(current.take());
                }
            }
        }
        out
    }

    fn files_in(dir: &str) -> Vec<String> {
        let path = format!("{}/src/sim/{dir}", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = std::fs::read_dir(path)
            .expect("directory")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".rs"))
            .map(|n| format!("{dir}/{n}"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn kind_modules_never_reach_up_into_the_pipeline_or_the_routes() {
        for file in files_in("kinds") {
            for line in uses(&file) {
                assert!(
                    !line.contains("pipeline") && !line.contains("routes") && !line.contains("seed"),
                    "{file} depends on a layer above the kinds: {line}"
                );
            }
        }
    }

    #[test]
    fn the_core_modules_know_nothing_of_kinds_pipeline_or_routes() {
        for file in [
            "store.rs",
            "schema.rs",
            "shape.rs",
            "refs.rs",
            "error.rs",
            "secrets.rs",
            "envelope.rs",
            "kind.rs",
        ] {
            for line in uses(file) {
                assert!(
                    !line.contains("kinds") && !line.contains("pipeline") && !line.contains("routes"),
                    "{file} depends on a layer above the core: {line}"
                );
            }
        }
    }

    #[test]
    fn every_kind_has_a_field_table_with_unique_names_and_a_route_segment_that_finds_it() {
        for kind in ALL {
            let spec = spec(*kind);
            let subs: Vec<Option<&str>> = match spec.discriminator() {
                Some(d) => d.values.iter().map(|v| Some(*v)).collect(),
                None => vec![None],
            };
            for sub in subs {
                let fields = spec.fields(sub);
                let mut names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                names.sort_unstable();
                let before = names.len();
                names.dedup();
                assert_eq!(before, names.len(), "{kind:?} {sub:?} lists a field twice");
                for f in fields.iter().filter(|f| f.is_collection()) {
                    assert!(
                        matches!(f.default, None | Some(Value::Array(_)) | Some(Value::Object(_))),
                        "{kind:?}.{} is a collection with a scalar default",
                        f.name
                    );
                }
            }
            assert_eq!(Kind::from_segment(&kind.segment().to_uppercase()), Some(*kind));
        }
    }

    fn example(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/octopus-api-examples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn real_payloads_bind_to_their_kinds_field_tables_without_a_model_error() {
        let teams = example("teams.json");
        let cases: Vec<(Value, Kind, Option<&str>)> = vec![
            (example("environment.json"), Kind::Environment, None),
            (
                example("request-environment-post-spacecloner.json"),
                Kind::Environment,
                None,
            ),
            (example("projectgroup.json"), Kind::ProjectGroup, None),
            (example("lifecycle.json"), Kind::Lifecycle, None),
            (example("lifecycle-with-phases.json"), Kind::Lifecycle, None),
            (example("project.json"), Kind::Project, None),
            (example("project-2018.json"), Kind::Project, None),
            (example("channel.json"), Kind::Channel, None),
            (example("deploymentprocess.json"), Kind::DeploymentProcess, None),
            (example("variableset.json"), Kind::VariableSet, None),
            (example("libraryvariableset-variables.json"), Kind::VariableSet, None),
            (example("libraryvariableset.json"), Kind::LibraryVariableSet, None),
            (example("feed-builtin.json"), Kind::Feed, Some("NuGet")),
            (
                example("feed-builtin-releases.json"),
                Kind::Feed,
                Some("OctopusProject"),
            ),
            (example("machinepolicy.json"), Kind::MachinePolicy, None),
            (example("tenant.json"), Kind::Tenant, None),
            (example("space.json"), Kind::Space, None),
            (teams[0].clone(), Kind::Team, None),
            (example("machine.json"), Kind::Machine, None),
            (example("actiontemplate-export.json"), Kind::ActionTemplate, None),
        ];
        for (payload, kind, sub) in cases {
            let Value::Object(mut body) = payload else {
                panic!("{kind:?}: not an object")
            };
            let errors = crate::sim::binding::bind(&mut body, &spec(kind).fields(sub));
            assert!(errors.is_empty(), "{kind:?}: {errors:?}");
        }
    }
}
