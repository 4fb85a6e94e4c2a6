//! Machine policies: created when missing; existing ones keep their own details unless
//! `OCTOSYNC_MACHINE_POLICY_UPDATES=Overwrite` (seed 003: each instance may want its own health
//! check frequency and Tentacle and Calamari update settings). The source's default policy stands
//! for the destination's default whatever either is called, and which policy is the default never
//! changes.

use super::{document, placeholder, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::rules::ExistingOption;
use crate::snapshot::name_of;
use crate::translate::{is_default, Counterpart, Translation};
use serde_json::{json, Value};

/// The machine policies stage.
pub struct MachinePolicies;

/// The fields `Overwrite` takes from the source: every setting a policy has. Never its `Name` (the
/// default may be called differently on each instance) and never `IsDefault`.
pub const OWNED: &[&str] = &[
    "Description",
    "MachineHealthCheckPolicy",
    "MachineConnectivityPolicy",
    "MachineCleanupPolicy",
    "MachineUpdatePolicy",
    "MachineRpcCallRetryPolicy",
    "MachinePackageCacheRetentionPolicy",
    "PollingRequestQueueTimeout",
    "PollingRequestMaximumMessageProcessingTimeout",
    "ConnectionRetrySleepInterval",
    "ConnectionRetryCountLimit",
    "ConnectionRetryTimeLimit",
    "ConnectionConnectTimeout",
];

/// The object holding the Tentacle update account, the one id a policy holds.
const UPDATE_POLICY: &str = "MachineUpdatePolicy";
const UPDATE_ACCOUNT: &str = "TentacleUpdateAccountId";

impl Stage for MachinePolicies {
    fn kind(&self) -> Kind {
        Kind::MachinePolicy
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::MachinePolicy)
            .map(|src| plan_one(ctx, src))
            .collect()
    }
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    match ctx.translator().counterpart(Kind::MachinePolicy, src) {
        Counterpart::Missing => create(ctx, src),
        Counterpart::Found(dest) => existing(ctx, src, dest),
        Counterpart::ClaimedDefault(dest) => Planned::no_write(
            Kind::MachinePolicy,
            name,
            Action::Skip,
            "its name is that of the destination's default machine policy, which the source's own default already stands for",
        )
        .warnings([format!(
            "not synced: rename '{name}' on the source, or the destination's default '{}', so the two policies can be told apart",
            name_of(dest)
        )])
        .at(document::str_field(dest, "Id")),
    }
}

fn create(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    let mut body = document::for_create(src);
    // The destination has its own default; a created policy never takes the flag from it.
    if body.get("IsDefault").is_some() {
        body["IsDefault"] = json!(false);
    }
    let account = update_account(ctx, src, None);
    if body.get(UPDATE_POLICY).is_some_and(Value::is_object) {
        body[UPDATE_POLICY][UPDATE_ACCOUNT] = account.value;
    }
    let mut p = Planned::create(ctx, Kind::MachinePolicy, name, "missing on the destination", body)
        .warnings(account.warning.clone());
    if account.warning.is_some() {
        p.cleanup.push(placeholder::cleanup(
            Kind::MachinePolicy,
            name,
            "MachineUpdatePolicy.TentacleUpdateAccountId: created without the source's Tentacle update account, which is not on the destination; choose this instance's account on the policy's Updates settings",
        ));
    }
    p
}

fn existing(ctx: &PlanContext<'_>, src: &Value, dest: &Value) -> Planned {
    let name = name_of(src);
    let id = document::str_field(dest, "Id");
    let default_note = (is_default(src) && is_default(dest)).then(|| {
        format!(
            "the source's default machine policy: it stands for the destination's default '{}' (which policy is the default never changes)",
            name_of(dest)
        )
    });
    let account = update_account(ctx, src, Some(dest));
    let (body, changed) = document::overlay(dest, &owned_fields(src, dest, account.value));

    if ctx.rules.machine_policies == ExistingOption::LeaveExisting {
        let mut p = Planned::no_write(
            Kind::MachinePolicy,
            name,
            Action::Unchanged,
            "exists on the destination; it keeps its own details (OCTOSYNC_MACHINE_POLICY_UPDATES=LeaveExisting)",
        )
        .notes(default_note)
        .at(id);
        if !changed.is_empty() {
            p = p.note(format!(
                "the destination's own {} differ from the source's and are kept; OCTOSYNC_MACHINE_POLICY_UPDATES=Overwrite would take the source's",
                changed.join(", ")
            ));
        }
        return p;
    }
    if changed.is_empty() {
        return Planned::no_write(
            Kind::MachinePolicy,
            name,
            Action::Unchanged,
            "its settings already match the source",
        )
        .notes(default_note)
        .warnings(account.warning)
        .at(id);
    }
    Planned::update(
        ctx,
        Kind::MachinePolicy,
        name,
        "its settings differ from the source (OCTOSYNC_MACHINE_POLICY_UPDATES=Overwrite)",
        dest,
        body,
    )
    .notes(default_note)
    .warnings(account.warning)
}

/// The owned fields the source has, each laid over the destination's value so that sub-fields only
/// the destination's server knows are kept, with the Tentacle update account already translated.
fn owned_fields(src: &Value, dest: &Value, account: Value) -> Vec<(&'static str, Value)> {
    OWNED
        .iter()
        .filter_map(|f| {
            let mut value = src.get(*f)?.clone();
            if *f == UPDATE_POLICY && value.is_object() {
                value[UPDATE_ACCOUNT] = account.clone();
            }
            Some((*f, document::merge_known(dest.get(*f).unwrap_or(&Value::Null), &value)))
        })
        .collect()
}

/// The Tentacle update account to write, and a warning when the source's cannot be matched.
struct Account {
    value: Value,
    warning: Option<String>,
}

/// The source policy's Tentacle update account as a destination id. One the destination lacks is
/// never copied across as a source id: a new policy gets none, an existing one keeps its own.
fn update_account(ctx: &PlanContext<'_>, src: &Value, dest: Option<&Value>) -> Account {
    let id = src
        .get(UPDATE_POLICY)
        .and_then(|u| u.get(UPDATE_ACCOUNT))
        .and_then(Value::as_str)
        .unwrap_or("");
    if id.is_empty() {
        return Account {
            value: Value::Null,
            warning: None,
        };
    }
    let which = match ctx.translator().translate(id) {
        Translation::Mapped(dest_id) => {
            return Account {
                value: json!(dest_id),
                warning: None,
            }
        }
        Translation::Missing { name, .. } => format!("'{name}'"),
        Translation::Unknown => format!("(source id {id})"),
    };
    let kept = dest
        .and_then(|d| d.get(UPDATE_POLICY))
        .and_then(|u| u.get(UPDATE_ACCOUNT))
        .cloned()
        .unwrap_or(Value::Null);
    let outcome = if dest.is_some() {
        "the destination policy keeps its own"
    } else {
        "the policy is created without one"
    };
    Account {
        value: kept,
        warning: Some(format!(
            "Tentacle update account {which} is not on the destination; {outcome}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::Write;

    fn policy(id: &str, name: &str, default: bool, interval: &str) -> Value {
        json!({
            "Id": id, "Name": name, "Description": null, "IsDefault": default, "SpaceId": "Spaces-1",
            "MachineHealthCheckPolicy": {"HealthCheckInterval": interval, "HealthCheckType": "RunScript"},
            "MachineUpdatePolicy": {"CalamariUpdateBehavior": "UpdateOnDeployment", "TentacleUpdateBehavior": "NeverUpdate", "TentacleUpdateAccountId": null},
            "ConnectionRetryCountLimit": 5,
            "Links": {"Self": format!("/api/Spaces-1/machinepolicies/{id}")}
        })
    }

    fn plan(source: Vec<Value>, destination: Vec<Value>, option: ExistingOption) -> Vec<Planned> {
        let source = Snapshot::from_docs([(Kind::MachinePolicy, source)]);
        let destination = Snapshot::from_docs([(Kind::MachinePolicy, destination)]);
        let rules = Rules {
            machine_policies: option,
            ..Rules::default()
        };
        let selector = Selector::all();
        let ctx = PlanContext {
            source: &source,
            destination: &destination,
            rules: &rules,
            selector: &selector,
        };
        MachinePolicies.plan(&ctx)
    }

    #[test]
    fn a_missing_policy_is_created_without_server_fields_and_never_as_the_default() {
        let mut src = policy("MachinePolicies-3", "Fast", true, "00:05:00");
        // A source whose default is also called "Fast" and a destination without one: by name.
        src["MachineUpdatePolicy"]["TentacleUpdateBehavior"] = json!("Update");
        let planned = plan(vec![src], vec![], ExistingOption::LeaveExisting);
        let Some(Write::Create { body }) = &planned[0].write else {
            panic!("expected a create: {planned:?}")
        };
        assert_eq!(body["IsDefault"], false);
        assert!(body.get("Id").is_none() && body.get("SpaceId").is_none() && body.get("Links").is_none());
        assert_eq!(body["MachineHealthCheckPolicy"]["HealthCheckInterval"], "00:05:00");
        assert_eq!(body["MachineUpdatePolicy"]["TentacleUpdateBehavior"], "Update");
    }

    #[test]
    fn an_existing_policy_keeps_its_own_details_and_the_plan_says_which_differ() {
        let planned = plan(
            vec![policy("MachinePolicies-3", "Linux", false, "00:05:00")],
            vec![policy("MachinePolicies-9", "linux", false, "04:00:00")],
            ExistingOption::LeaveExisting,
        );
        assert_eq!(planned[0].change.action, Action::Unchanged);
        assert!(planned[0].write.is_none());
        assert_eq!(planned[0].change.destination_id.as_deref(), Some("MachinePolicies-9"));
        assert!(
            planned[0]
                .change
                .notes
                .iter()
                .any(|n| n.contains("MachineHealthCheckPolicy")),
            "{:?}",
            planned[0].change.notes
        );
    }

    #[test]
    fn overwrite_takes_the_sources_settings_but_never_the_name_or_the_default_flag() {
        let mut dest = policy("MachinePolicies-9", "Production default", true, "04:00:00");
        dest["MachineHealthCheckPolicy"]["NewerServerField"] = json!("kept");
        dest["Description"] = json!("Production's own");
        let mut src = policy("MachinePolicies-1", "Default Machine Policy", true, "00:05:00");
        src["Description"] = json!("From Dev");
        let planned = plan(vec![src], vec![dest], ExistingOption::Overwrite);
        let p = &planned[0];
        let Some(Write::Update { id, body }) = &p.write else {
            panic!("expected an update: {planned:?}")
        };
        assert_eq!(id, "MachinePolicies-9");
        assert_eq!(body["Name"], "Production default");
        assert_eq!(body["IsDefault"], true);
        assert_eq!(body["Description"], "From Dev");
        assert_eq!(body["MachineHealthCheckPolicy"]["HealthCheckInterval"], "00:05:00");
        assert_eq!(body["MachineHealthCheckPolicy"]["NewerServerField"], "kept");
        assert_eq!(p.change.changed_fields, ["Description", "MachineHealthCheckPolicy"]);
        let interval = p
            .change
            .diff
            .iter()
            .find(|d| d.path == "MachineHealthCheckPolicy.HealthCheckInterval")
            .expect("the interval's before → after");
        assert_eq!(interval.before.as_deref(), Some("\"04:00:00\""));
        assert_eq!(interval.after.as_deref(), Some("\"00:05:00\""));
        assert!(p.change.notes.iter().any(|n| n.contains("'Production default'")));
    }

    #[test]
    fn overwrite_of_a_policy_that_already_matches_writes_nothing() {
        let planned = plan(
            vec![policy("MachinePolicies-3", "Linux", false, "00:05:00")],
            vec![policy("MachinePolicies-9", "Linux", false, "00:05:00")],
            ExistingOption::Overwrite,
        );
        assert_eq!(planned[0].change.action, Action::Unchanged);
        assert!(planned[0].write.is_none());
    }

    #[test]
    fn a_tentacle_update_account_the_destination_lacks_is_never_copied_across() {
        let mut src = policy("MachinePolicies-3", "Linux", false, "00:05:00");
        src["MachineUpdatePolicy"]["TentacleUpdateAccountId"] = json!("Accounts-12");
        let mut dest = policy("MachinePolicies-9", "Linux", false, "04:00:00");
        dest["MachineUpdatePolicy"]["TentacleUpdateAccountId"] = json!("Accounts-70");

        let created = plan(vec![src.clone()], vec![], ExistingOption::LeaveExisting);
        let Some(Write::Create { body }) = &created[0].write else {
            panic!("expected a create")
        };
        assert_eq!(body["MachineUpdatePolicy"]["TentacleUpdateAccountId"], Value::Null);
        assert_eq!(created[0].change.warnings.len(), 1, "{:?}", created[0].change);
        assert!(created[0].cleanup[0].action.contains("TentacleUpdateAccountId"));

        let updated = plan(vec![src], vec![dest], ExistingOption::Overwrite);
        let Some(Write::Update { body, .. }) = &updated[0].write else {
            panic!("expected an update")
        };
        assert_eq!(body["MachineUpdatePolicy"]["TentacleUpdateAccountId"], "Accounts-70");
        assert!(updated[0].change.warnings[0].contains("keeps its own"));
    }

    #[test]
    fn a_policy_named_like_the_destinations_default_is_skipped_not_merged_into_it() {
        let planned = plan(
            vec![
                policy("MachinePolicies-1", "Standard", true, "01:00:00"),
                policy("MachinePolicies-2", "Default Machine Policy", false, "00:05:00"),
            ],
            vec![policy("MachinePolicies-9", "Default Machine Policy", true, "01:00:00")],
            ExistingOption::Overwrite,
        );
        assert_eq!(planned[0].change.action, Action::Unchanged, "{:?}", planned[0]);
        assert_eq!(planned[1].change.action, Action::Skip);
        assert!(planned[1].write.is_none());
        assert!(planned[1].change.warnings[0].contains("rename"));
    }
}
