//! An action's scope (environments, excluded environments, channels, tenant tags) on the
//! destination, under the process scope-match settings. Channels belong to the project, so they
//! are matched among the owner's channels, never across the space.

use crate::rules::ProcessRules;
use crate::scope::quoted;
use crate::scope::{translate_by, translate_list, translate_tag_list, ListOutcome, MatchPolicy};
use crate::snapshot::{id_of, name_key, name_of};
use crate::sync::document;
use crate::translate::{is_default, Translation, Translator};
use serde_json::{json, Value};

/// The owner project's channels on both sides, for translating `Channels` by name (the source's
/// default channel stands for the destination's default, whatever either is called).
#[derive(Debug, Clone, Copy, Default)]
pub struct Channels<'a> {
    /// The source project's channels.
    pub source: &'a [Value],
    /// The destination project's channels (including those the plan creates).
    pub destination: &'a [Value],
}

impl Channels<'_> {
    /// The destination channel for a source channel id, or the name to report as missing. An id
    /// the source project does not list goes to the translator (which knows no channels yet).
    fn lookup(&self, t: &Translator<'_>, id: &str) -> Result<String, String> {
        let Some(src) = self.source.iter().find(|c| id_of(c) == id) else {
            return match t.translate(id) {
                Translation::Mapped(dest) => Ok(dest),
                Translation::Missing { name, .. } => Err(name),
                Translation::Unknown => Err(id.to_string()),
            };
        };
        let found = if is_default(src) {
            self.destination.iter().find(|d| is_default(d))
        } else {
            let key = name_key(name_of(src));
            self.destination.iter().find(|d| name_key(name_of(d)) == key)
        };
        found
            .map(|d| id_of(d).to_string())
            .ok_or_else(|| name_of(src).to_string())
    }
}

/// What becomes of an action's scope.
#[derive(Debug, Clone, PartialEq)]
pub enum Scoped {
    /// The scope fields to write, with warnings about dropped references.
    Keep {
        /// `(field, value)` for each scope field the source action has.
        fields: Vec<(&'static str, Value)>,
        /// Dropped references, scopes widened.
        warnings: Vec<String>,
    },
    /// The action is not synced: the reason names the setting.
    Skip(String),
    /// The setting says the run must stop for this process.
    Error(String),
}

/// The destination scope of the source action `src`; `dest` is the destination's action of its
/// name, whose own scope `IgnoreMismatchOnNewLeaveExistingAlone` keeps.
pub fn scope(
    src: &Value,
    dest: Option<&Value>,
    t: &Translator<'_>,
    rules: &ProcessRules,
    channels: &Channels<'_>,
) -> Scoped {
    let dimensions: [(&'static str, MatchPolicy, &str, &str); 4] = [
        (
            "Environments",
            rules.environments,
            "PROCESS_ENVIRONMENT_MATCH",
            "environment",
        ),
        (
            "ExcludedEnvironments",
            excluded(rules.environments),
            "PROCESS_ENVIRONMENT_MATCH",
            "excluded environment",
        ),
        ("Channels", rules.channels, "PROCESS_CHANNEL_MATCH", "channel"),
        (
            "TenantTags",
            rules.tenant_tags,
            "PROCESS_TENANT_TAG_MATCH",
            "tenant tag",
        ),
    ];
    let mut fields = Vec::new();
    let mut warnings = Vec::new();
    for (field, policy, setting, what) in dimensions {
        if src.get(field).is_none() {
            continue;
        }
        if let (Some(d), true) = (dest, policy.leaves_existing_alone()) {
            fields.push((field, d.get(field).cloned().unwrap_or_else(|| json!([]))));
            continue;
        }
        let ids = document::id_list(src, field);
        let outcome = match field {
            "Channels" => translate_by(&ids, policy, |id| channels.lookup(t, id)),
            "TenantTags" => translate_tag_list(t, &ids, policy),
            _ => translate_list(t, &ids, policy),
        };
        let setting = format!("OCTOSYNC_{setting}={}", policy.name());
        match outcome {
            ListOutcome::Keep { ids: kept, dropped } => {
                if !dropped.is_empty() {
                    warnings.push(format!(
                        "{what} scope: {} dropped (not on the destination; {setting})",
                        quoted(&dropped)
                    ));
                    if kept.is_empty() && field != "ExcludedEnvironments" {
                        warnings.push(format!(
                            "{what} scope: nothing of it is left, so the action is no longer limited by {what}s on the destination"
                        ));
                    }
                }
                fields.push((field, json!(kept)));
            }
            ListOutcome::Skip { reason } => return Scoped::Skip(format!("{what} scope: {reason} ({setting})")),
            ListOutcome::Error { reason } => return Scoped::Error(format!("{what} scope: {reason} ({setting})")),
        }
    }
    Scoped::Keep { fields, warnings }
}

/// The policy for excluded environments: an environment the destination does not have cannot be
/// deployed to there, so leaving it out of the exclusions never lets the action run anywhere the
/// source's would not; only the modes that stop the run stay strict.
fn excluded(policy: MatchPolicy) -> MatchPolicy {
    match policy {
        MatchPolicy::SkipUnlessExactMatch | MatchPolicy::SkipUnlessPartialMatch => MatchPolicy::IgnoreMismatch,
        other => other,
    }
}
