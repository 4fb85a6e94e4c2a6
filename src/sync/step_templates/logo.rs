//! A custom step template's logo (see `sync::logo`): what a template shows until a logo is
//! uploaded for it is its step type's logo, as either instance draws it.

use super::super::logo::{self, LogoPlan, Owner};
use super::super::PlanContext;
use crate::snapshot::id_of;
use crate::snapshot::logos::{Logo, LogoDigest};
use serde_json::Value;

/// How a template's logo is spoken of.
pub(super) const TEMPLATE: Owner = Owner {
    noun: "template",
    default: "its step type's default logo",
};

/// What becomes of the logo of the custom template `src`, whose destination counterpart is `dest`.
pub(super) fn plan(ctx: &PlanContext<'_>, src: &Value, dest: Option<&Value>) -> LogoPlan {
    compare(ctx, src, dest).unwrap_or_else(|early| early)
}

/// The plan, or (as the error) the one decided before both logos were at hand.
fn compare(ctx: &PlanContext<'_>, src: &Value, dest: Option<&Value>) -> Result<LogoPlan, LogoPlan> {
    let ours = logo::source_logo(ctx, TEMPLATE, id_of(src))?;
    let theirs = logo::destination_logo(ctx, TEMPLATE, dest.map(id_of))?;
    // What the step type shows by default on either instance (their versions may draw it differently).
    let step_type = src.get("ActionType").and_then(Value::as_str).unwrap_or("");
    let defaults: Vec<&LogoDigest> = [ctx.source, ctx.destination]
        .iter()
        .filter_map(|s| s.step_type_logo(step_type).and_then(Logo::digest))
        .collect();
    let is_default = |_, d: &LogoDigest| (!defaults.is_empty()).then(|| defaults.iter().any(|x| x.same_image(d)));
    Ok(logo::decide(TEMPLATE, id_of(src), ours, theirs, is_default, || {
        format!("neither instance's default logo of '{step_type}' steps could be read, so whether the source's logo is the template's own is unknown")
    }))
}
