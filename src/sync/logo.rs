//! An item's own logo, for every kind that has one (step templates, projects). Two logos differ
//! when their bytes do (compared by digest, read before planning); an item showing what it shows
//! by default (its step type's logo, the server's default) has no logo of its own, so nothing is
//! uploaded for it. When the source's is its own and the destination's is another image, the
//! source's is uploaded: after the item's own write, or as the one write of its decision.

use super::{PlanContext, Planned, Write};
use crate::report::{Action, DiffOp, FieldDiff};
use crate::snapshot::logos::{Logo, LogoDigest};

/// What a plan says of an item whose logo it compares.
#[derive(Debug, Clone, Copy)]
pub(super) struct Owner {
    /// `template`, `project`.
    pub noun: &'static str,
    /// What the item shows until a logo is uploaded for it, e.g. `its step type's default logo`.
    pub default: &'static str,
}

/// One of the two instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Source,
    Destination,
}

/// What happens to an item's logo.
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
        /// How the destination's logo reads before (`None`: the item is new).
        before: Option<String>,
    },
}

impl LogoPlan {
    /// Nothing to upload and nothing to say.
    pub(super) const NOTHING: LogoPlan = LogoPlan::Keep {
        note: None,
        warning: None,
    };

    /// Adds the logo to `p`, the item's own decision: a follow-up of its create or update, or the
    /// decision's one write when the item itself is unchanged.
    pub(super) fn attach(self, mut p: Planned, dest_id: Option<&str>, owner: Owner) -> Planned {
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
            return p.note(format!(
                "the source's logo is uploaded once the {} is {when}",
                owner.noun
            ));
        }
        p.change.action = Action::Update;
        p.change.reason = "matches the source but for its logo".into();
        p.write = Some(write);
        p
    }
}

/// The source's logo of the item `id`, or the plan when there is none to compare: not read (a
/// run without these logos, or a plan of snapshots alone) says nothing; unreadable is a warning.
pub(super) fn source_logo<'a>(ctx: &PlanContext<'a>, owner: Owner, id: &str) -> Result<&'a LogoDigest, LogoPlan> {
    match ctx.source.logo(id) {
        None => Err(LogoPlan::NOTHING),
        Some(Logo::Read(d)) => Ok(d),
        Some(Logo::Unreadable(why)) => Err(not_compared(
            owner,
            format!("the source's logo could not be read ({why})"),
        )),
    }
}

/// The destination's logo of the item `id` (`None`: no item yet), or why it cannot be compared.
pub(super) fn destination_logo<'a>(
    ctx: &PlanContext<'a>,
    owner: Owner,
    id: Option<&str>,
) -> Result<Option<&'a LogoDigest>, LogoPlan> {
    let Some(id) = id else { return Ok(None) };
    match ctx.destination.logo(id) {
        Some(Logo::Read(d)) => Ok(Some(d)),
        Some(Logo::Unreadable(why)) => Err(not_compared(
            owner,
            format!("the destination's logo could not be read ({why})"),
        )),
        None => Err(not_compared(owner, "the destination's logo was not read".into())),
    }
}

/// What becomes of the logo `ours` of the source item `source_id`, given the destination's
/// `theirs` (`None`: no item yet). `is_default` tells whether a side's logo is what its item
/// shows by default (`None`: not known, and then `unknown` says why, when it matters).
pub(super) fn decide(
    owner: Owner,
    source_id: &str,
    ours: &LogoDigest,
    theirs: Option<&LogoDigest>,
    is_default: impl Fn(Side, &LogoDigest) -> Option<bool>,
    unknown: impl FnOnce() -> String,
) -> LogoPlan {
    if theirs.is_some_and(|t| t.same_image(ours)) {
        return LogoPlan::NOTHING;
    }
    let theirs_is_default = |t: &LogoDigest| is_default(Side::Destination, t) == Some(true);
    match is_default(Side::Source, ours) {
        Some(true) => keep_default(owner, theirs.is_some_and(|t| !theirs_is_default(t))),
        None => not_compared(owner, unknown()),
        Some(false) => LogoPlan::Upload {
            source_id: source_id.to_string(),
            logo: ours.clone(),
            before: theirs.map(|t| {
                let kind = if theirs_is_default(t) { "default" } else { "custom" };
                format!("{kind} ({})", t.describe())
            }),
        },
    }
}

/// Nothing is uploaded for a source item showing its default logo; the plan says so when the
/// destination's has one of its own, which it keeps.
pub(super) fn keep_default(owner: Owner, theirs_is_own: bool) -> LogoPlan {
    let note = theirs_is_own.then(|| {
        format!(
            "the source's {} shows {} and the destination's has one of its own, which is kept",
            owner.noun, owner.default
        )
    });
    LogoPlan::Keep { note, warning: None }
}

/// A warning that the logos were not compared, and what to do about it.
pub(super) fn not_compared(owner: Owner, why: String) -> LogoPlan {
    LogoPlan::Keep {
        note: None,
        warning: Some(format!(
            "logo not compared: {why}; compare the {}'s logo on both instances and upload it by hand if it differs",
            owner.noun
        )),
    }
}
