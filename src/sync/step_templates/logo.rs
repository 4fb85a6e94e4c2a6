//! A custom step template's logo. Two logos differ when their bytes do (compared by digest, read
//! before planning); a template whose logo is its step type's own (what every template shows until
//! one is uploaded) has no logo of its own, so nothing is uploaded for it. When the source's is its
//! own and the destination's is another image, the source's is uploaded: right after the template
//! is created or updated, or alone when the template itself matches.

use super::super::{PlanContext, Planned, Write};
use crate::report::{Action, DiffOp, FieldDiff};
use crate::snapshot::id_of;
use crate::snapshot::logos::{Logo, LogoDigest};
use serde_json::Value;

/// What happens to a template's logo.
#[derive(Debug)]
pub(super) enum LogoPlan {
    /// Nothing is uploaded; a note or a warning may say why.
    Keep {
        note: Option<String>,
        warning: Option<String>,
    },
    /// The source's logo is uploaded.
    Upload {
        source_id: String,
        logo: LogoDigest,
        /// How the destination's logo reads before (`None`: the template is new).
        before: Option<String>,
    },
}

impl LogoPlan {
    const NOTHING: LogoPlan = LogoPlan::Keep {
        note: None,
        warning: None,
    };

    /// Adds the logo to `p`, the template's own decision: a follow-up of its create or update, or
    /// the decision's one write when the template itself is unchanged.
    pub(super) fn attach(self, mut p: Planned, dest_id: Option<&str>) -> Planned {
        let (source_id, logo, before) = match self {
            LogoPlan::Keep { note, warning } => return p.notes(note).warnings(warning),
            LogoPlan::Upload {
                source_id,
                logo,
                before,
            } => (source_id, logo, before),
        };
        let after = format!("custom ({})", logo.describe());
        let write = Write::UploadLogo {
            id: dest_id.map(str::to_string),
            source_id,
            logo,
        };
        p.change.changed_fields.push("Logo".into());
        p.change.diff.push(FieldDiff {
            path: "Logo".into(),
            op: if before.is_some() {
                DiffOp::Changed
            } else {
                DiffOp::Added
            },
            before,
            after: Some(after),
            lines: vec![],
        });
        if p.write.is_some() {
            let when = if dest_id.is_some() { "saved" } else { "created" };
            p.then = Some(write);
            return p.note(format!("the source's logo is uploaded once the template is {when}"));
        }
        p.change.action = Action::Update;
        p.change.reason = "matches the source but for its logo".into();
        p.write = Some(write);
        p
    }
}

/// What becomes of the logo of the custom template `src`, whose destination counterpart is `dest`.
pub(super) fn plan(ctx: &PlanContext<'_>, src: &Value, dest: Option<&Value>) -> LogoPlan {
    // Not read (a run without the step templates' logos, or a plan of snapshots alone): nothing to say.
    let Some(ours) = ctx.source.logo(id_of(src)) else {
        return LogoPlan::NOTHING;
    };
    let ours = match ours {
        Logo::Read(d) => d,
        Logo::Unreadable(why) => return not_compared(format!("the source's logo could not be read ({why})")),
    };
    let theirs = match dest.map(|d| ctx.destination.logo(id_of(d))) {
        None => None,
        Some(Some(Logo::Read(d))) => Some(d),
        Some(Some(Logo::Unreadable(why))) => {
            return not_compared(format!("the destination's logo could not be read ({why})"))
        }
        Some(None) => return not_compared("the destination's logo was not read".into()),
    };
    if theirs.is_some_and(|t| t.same_image(ours)) {
        return LogoPlan::NOTHING;
    }
    // What the step type shows by default on either instance (their versions may draw it differently).
    let step_type = src.get("ActionType").and_then(Value::as_str).unwrap_or("");
    let defaults: Vec<&LogoDigest> = [ctx.source, ctx.destination]
        .iter()
        .filter_map(|s| s.step_type_logo(step_type).and_then(Logo::digest))
        .collect();
    let is_default = |d: &LogoDigest| defaults.iter().any(|x| x.same_image(d));
    if is_default(ours) {
        let note = theirs.filter(|t| !is_default(t)).map(|_| {
            "the source's template shows its step type's default logo and the destination's has one of its own, which is kept".to_string()
        });
        return LogoPlan::Keep { note, warning: None };
    }
    if defaults.is_empty() {
        return not_compared(format!(
            "neither instance's default logo of '{step_type}' steps could be read, so whether the source's logo is the template's own is unknown"
        ));
    }
    LogoPlan::Upload {
        source_id: id_of(src).to_string(),
        logo: ours.clone(),
        before: theirs.map(|t| {
            let kind = if is_default(t) { "default" } else { "custom" };
            format!("{kind} ({})", t.describe())
        }),
    }
}

fn not_compared(why: String) -> LogoPlan {
    LogoPlan::Keep {
        note: None,
        warning: Some(format!(
            "logo not compared: {why}; compare the template's logo on both instances and upload it by hand if it differs"
        )),
    }
}
