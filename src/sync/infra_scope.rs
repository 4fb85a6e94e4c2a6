//! Infrastructure scoping (environments, tenants, tenant tags) of a new account or certificate,
//! translated under the three `OCTOSYNC_INFRASTRUCTURE_*_MATCH` rules: one decision for every kind
//! that Octopus scopes this way, so they never drift apart.

use super::{document, PlanContext, Planned};
use crate::kind::Kind;
use crate::report::Action;
use crate::scope::quoted;
use crate::scope::{translate_list, translate_tag_list, ListOutcome, MatchPolicy};
use crate::translate::Translator;
use serde_json::Value;

/// An item's scoping as the destination will hold it.
pub struct Scope {
    /// Destination environment ids.
    pub environments: Vec<String>,
    /// Destination tenant ids.
    pub tenants: Vec<String>,
    /// Canonical tenant tags on the destination.
    pub tags: Vec<String>,
    /// `TenantedDeploymentParticipation` after translation.
    pub participation: String,
    /// What was dropped or widened, for the task log.
    pub warnings: Vec<String>,
}

/// One scoping list: its field, what a person calls it, the setting that rules it.
struct ScopeList {
    field: &'static str,
    what: &'static str,
    setting: &'static str,
    policy: MatchPolicy,
    tags: bool,
}

impl Scope {
    /// The translated scoping, or the decision that refuses the item (skipped or fatal, as the
    /// scope-match rules say).
    pub fn translate(ctx: &PlanContext<'_>, kind: Kind, src: &Value, name: &str) -> Result<Scope, Box<Planned>> {
        let noun = kind.label().to_lowercase();
        let translator = ctx.translator();
        let lists = [
            ScopeList {
                field: "EnvironmentIds",
                what: "environments",
                setting: "OCTOSYNC_INFRASTRUCTURE_ENVIRONMENT_MATCH",
                policy: ctx.rules.infrastructure_environments,
                tags: false,
            },
            ScopeList {
                field: "TenantIds",
                what: "tenants",
                setting: "OCTOSYNC_INFRASTRUCTURE_TENANT_MATCH",
                policy: ctx.rules.infrastructure_tenants,
                tags: false,
            },
            ScopeList {
                field: "TenantTags",
                what: "tenant tags",
                setting: "OCTOSYNC_INFRASTRUCTURE_TENANT_TAG_MATCH",
                policy: ctx.rules.infrastructure_tenant_tags,
                tags: true,
            },
        ];
        let mut warnings = Vec::new();
        let mut kept: Vec<Vec<String>> = Vec::new();
        for list in &lists {
            let ids = document::id_list(src, list.field);
            kept.push(translate_one(&translator, kind, list, &ids, name, &mut warnings)?);
        }
        let tags = kept.pop().unwrap_or_default();
        let tenants = kept.pop().unwrap_or_default();
        let environments = kept.pop().unwrap_or_default();

        let had = |f| !document::id_list(src, f).is_empty();
        // Only IgnoreMismatch keeps a list that nothing on the destination matches: it is followed,
        // but never silently, because an empty list means something wider than the source's.
        if had("EnvironmentIds") && environments.is_empty() {
            warnings.push(format!(
                "{noun} '{name}': none of its environments exist on the destination, so it is created without environment scoping and can be used in every environment (OCTOSYNC_INFRASTRUCTURE_ENVIRONMENT_MATCH=IgnoreMismatch); scope it on the destination"
            ));
        }
        let mut participation = document::str_field(src, "TenantedDeploymentParticipation").to_string();
        if participation.is_empty() {
            participation = "Untenanted".into();
        }
        let had_tenant_scoping = had("TenantIds") || had("TenantTags");
        if had_tenant_scoping && tenants.is_empty() && tags.is_empty() {
            if had("TenantTags") {
                warnings.push(format!(
                    "{noun} '{name}': none of its tenants or tenant tags exist on the destination, so it is created {participation} with no tenant scoping (IgnoreMismatch); choose its tenants on the destination"
                ));
            } else {
                participation = "Untenanted".into();
                warnings.push(format!(
                    "{noun} '{name}': none of its tenants exist on the destination, so it is created Untenanted and tenanted deployments cannot use it (OCTOSYNC_INFRASTRUCTURE_TENANT_MATCH=IgnoreMismatch); choose its tenants on the destination"
                ));
            }
        }
        Ok(Scope {
            environments,
            tenants,
            tags,
            participation,
            warnings,
        })
    }
}

/// Translates one scoping list under its rule: the ids to keep, or the item refused.
fn translate_one(
    translator: &Translator<'_>,
    kind: Kind,
    list: &ScopeList,
    ids: &[String],
    name: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<String>, Box<Planned>> {
    let noun = kind.label().to_lowercase();
    let outcome = if list.tags {
        translate_tag_list(translator, ids, list.policy)
    } else {
        translate_list(translator, ids, list.policy)
    };
    let rule = format!("{}={}", list.setting, list.policy.name());
    match outcome {
        ListOutcome::Keep { ids, dropped } => {
            if !dropped.is_empty() {
                warnings.push(format!(
                    "{noun} '{name}': {} {} not on the destination, left out of its scoping ({rule})",
                    list.what,
                    quoted(&dropped)
                ));
            }
            Ok(ids)
        }
        ListOutcome::Skip { reason } => Err(Box::new(
            Planned::no_write(
                kind,
                name,
                Action::Skip,
                format!("its {}: {reason} ({rule})", list.what),
            )
            .warnings([format!(
                "not created, so its scoping is never widened: create the missing {} on the destination, or change {}",
                list.what, list.setting
            )]),
        )),
        ListOutcome::Error { reason } => {
            let mut p = Planned::no_write(
                kind,
                name,
                Action::Skip,
                format!("its {}: {reason} ({rule})", list.what),
            );
            p.fatal = Some(format!("{noun} '{name}': its {}: {reason} ({rule})", list.what));
            Err(Box::new(p))
        }
    }
}
