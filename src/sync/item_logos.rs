//! Logos of projects (the last part of a project, seed 003's order) and tenants (right after they
//! are created): the source's logo is uploaded when it is the item's own and its bytes differ from
//! the destination's (see `logo`). Whether an item shows the server's default was read from its
//! logo link before planning, and only the logos that could be uploaded were read
//! (`snapshot::logos::read_item_logos`); an item created earlier in this run shows the
//! destination's default until its logo is uploaded.

use super::logo::{self, LogoPlan, Owner, Side};
use super::{projects, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::{id_of, name_of};
use serde_json::Value;

/// The logos stage of projects or tenants (`ItemLogos(Kind::Project)`, `ItemLogos(Kind::Tenant)`).
pub struct ItemLogos(pub Kind);

impl Stage for ItemLogos {
    fn kind(&self) -> Kind {
        self.0
    }

    fn is_part(&self) -> bool {
        true
    }

    fn label(&self) -> String {
        format!("{} logos", self.0.label())
    }

    fn part(&self) -> Option<crate::rules::ProjectPart> {
        (self.0 == Kind::Project).then_some(crate::rules::ProjectPart::Logos)
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(self.0)
            .filter_map(|src| plan_one(ctx, self.0, src))
            .collect()
    }
}

/// How an item's logo is spoken of.
fn owner(kind: Kind) -> Owner {
    Owner {
        noun: match kind {
            Kind::Tenant => "tenant",
            _ => "project",
        },
        default: "the server's default logo",
    }
}

fn plan_one(ctx: &PlanContext<'_>, kind: Kind, src: &Value) -> Option<Planned> {
    // The item's own stage said why it is not synced, or is version-controlled (never written).
    let dest = ctx.translator().counterpart(kind, src).found()?;
    if kind == Kind::Project && (projects::is_version_controlled(src) || projects::is_version_controlled(dest)) {
        return None;
    }
    let owner = owner(kind);
    let dest_id = id_of(dest);
    let ours_default = ctx.source.shows_default_logo(id_of(src));
    let plan = if ours_default == Some(true) {
        // A default is never uploaded, so it was not read either.
        logo::keep_default(owner, ctx.destination.shows_default_logo(dest_id) == Some(false))
    } else {
        compare(ctx, owner, src, dest_id, ours_default).unwrap_or_else(|early| early)
    };
    let name = format!("{} (logo)", name_of(dest));
    let p = Planned::no_write(kind, &name, Action::Unchanged, "its logo matches the source's").at(dest_id);
    match plan {
        LogoPlan::Keep {
            note: None,
            warning: None,
        } => (ours_default == Some(false)).then_some(p),
        LogoPlan::Keep { note, warning } => {
            let mut p = p.notes(note);
            if let Some(w) = warning {
                p.change.action = Action::Skip;
                p.change.reason = "its logo was not compared".into();
                p = p.warnings([w]);
            } else {
                p.change.reason = "its logo is the destination's own".into();
            }
            Some(p)
        }
        upload @ LogoPlan::Upload { .. } => {
            let mut p = upload.attach(p, Some(dest_id), owner);
            p.change.reason = "its logo differs from the source's".into();
            Some(p)
        }
    }
}

/// The plan for a source logo not known to be the default, or (as the error) the one decided
/// before both logos were at hand.
fn compare(
    ctx: &PlanContext<'_>,
    owner: Owner,
    src: &Value,
    dest_id: &str,
    ours_default: Option<bool>,
) -> Result<LogoPlan, LogoPlan> {
    let ours = logo::source_logo(ctx, owner, id_of(src))?;
    // Every counterpart there was before planning had its logo read with the source's; one
    // without is new, created by this run.
    let is_new = ctx.destination.logo(dest_id).is_none();
    let theirs = logo::destination_logo(ctx, owner, (!is_new).then_some(dest_id))?;
    let theirs_default = if is_new {
        Some(true)
    } else {
        ctx.destination.shows_default_logo(dest_id)
    };
    let is_default = |side, _: &_| match side {
        Side::Source => ours_default,
        Side::Destination => theirs_default,
    };
    let mut plan = logo::decide(owner, id_of(src), ours, theirs, is_default, || {
        format!(
            "the source {}'s logo link does not say whether it shows the server's default (it has no cache buster, or the server's version is unknown)",
            owner.noun
        )
    });
    if let (true, LogoPlan::Upload { before, .. }) = (is_new, &mut plan) {
        *before = Some(format!(
            "default (a new {} shows it until a logo is uploaded)",
            owner.noun
        ));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::octopus::Download;
    use crate::report::DiffOp;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::logos::{Logo, LogoDigest};
    use crate::snapshot::Snapshot;
    use crate::sync::Write;
    use serde_json::json;

    fn image(bytes: &str) -> LogoDigest {
        LogoDigest::of(&Download {
            content_type: "image/png".into(),
            bytes: bytes.as_bytes().to_vec(),
        })
    }

    /// One side's project logo as the loader leaves it: whether the project shows the default,
    /// and the image, when it was read.
    struct Seen {
        is_default: Option<bool>,
        logo: Option<Logo>,
    }

    fn custom(bytes: &str) -> Seen {
        Seen {
            is_default: Some(false),
            logo: Some(Logo::Read(image(bytes))),
        }
    }

    fn default(read_as: Option<&str>) -> Seen {
        Seen {
            is_default: Some(true),
            logo: read_as.map(|b| Logo::Read(image(b))),
        }
    }

    fn snapshot(id: &str, seen: Option<Seen>, doc: serde_json::Value) -> Snapshot {
        let mut s = Snapshot::from_docs([(Kind::Project, vec![doc])]);
        if let Some(Seen { is_default, logo }) = seen {
            if let Some(d) = is_default {
                s.set_shows_default_logo(id, d);
            }
            if let Some(l) = logo {
                s.set_logo(id, l);
            }
        }
        s
    }

    /// The logo decisions for the source project "Web" (`Projects-1`) and its destination
    /// counterpart `Projects-7`; `dest` `None` stands for a project this run created, whose logo
    /// was never read.
    fn plan(src: Seen, dest: Option<Seen>) -> Vec<Planned> {
        let source = snapshot("Projects-1", Some(src), json!({"Id": "Projects-1", "Name": "Web"}));
        let destination = snapshot("Projects-7", dest, json!({"Id": "Projects-7", "Name": "Web"}));
        let rules = Rules::default();
        let selector = Selector::all();
        let ctx = PlanContext {
            source: &source,
            destination: &destination,
            rules: &rules,
            selector: &selector,
        };
        ItemLogos(Kind::Project).plan(&ctx)
    }

    fn only(planned: Vec<Planned>) -> Planned {
        assert_eq!(planned.len(), 1, "{planned:?}");
        planned.into_iter().next().unwrap()
    }

    fn upload_of(p: &Planned) -> &LogoDigest {
        match &p.write {
            Some(Write::UploadLogo { id, source_id, logo }) => {
                assert_eq!(id.as_deref(), Some("Projects-7"));
                assert_eq!(source_id, "Projects-1");
                logo
            }
            other => panic!("expected a logo upload, got {other:?}"),
        }
    }

    #[test]
    fn a_custom_logo_over_the_destinations_default_is_uploaded_and_shown_before_and_after() {
        let p = only(plan(custom("ours"), Some(default(Some("theirs")))));
        assert!(upload_of(&p).same_image(&image("ours")));
        assert_eq!(p.change.action, Action::Update);
        assert_eq!(p.change.name, "Web (logo)");
        assert_eq!(p.change.reason, "its logo differs from the source's");
        let d = &p.change.diff[0];
        assert_eq!((d.path.as_str(), d.op), ("Logo", DiffOp::Changed));
        assert!(d.before.as_deref().unwrap().starts_with("default (image/png"), "{d:?}");
        assert!(d.after.as_deref().unwrap().starts_with("custom (image/png"), "{d:?}");
        assert!(p.then.is_none());
    }

    #[test]
    fn another_custom_logo_on_the_destination_is_replaced() {
        let p = only(plan(custom("ours"), Some(custom("an older one"))));
        assert!(upload_of(&p).same_image(&image("ours")));
        assert!(p.change.diff[0].before.as_deref().unwrap().starts_with("custom ("));
    }

    #[test]
    fn the_same_bytes_write_nothing_and_say_the_logo_matches() {
        let p = only(plan(custom("ours"), Some(custom("ours"))));
        assert!(p.write.is_none() && p.then.is_none());
        assert_eq!(p.change.action, Action::Unchanged);
        assert_eq!(p.change.reason, "its logo matches the source's");
        assert!(p.change.diff.is_empty());
    }

    #[test]
    fn a_source_project_on_the_servers_default_uploads_nothing() {
        // Against the destination's default, whether its bytes are the same or not: the two
        // instances may draw their defaults differently.
        assert!(plan(default(None), Some(default(None))).is_empty());
        assert!(plan(default(None), None).is_empty());
        // Against a logo of the destination's own, which is kept and said to be.
        let p = only(plan(default(None), Some(custom("theirs"))));
        assert!(p.write.is_none());
        assert_eq!(p.change.action, Action::Unchanged);
        assert!(p.change.notes.iter().any(|n| n
            == "the source's project shows the server's default logo and the destination's has one of its own, which is kept"));
    }

    #[test]
    fn a_project_created_by_this_run_gets_the_custom_logo_over_its_default() {
        let p = only(plan(custom("ours"), None));
        assert!(upload_of(&p).same_image(&image("ours")));
        assert_eq!(
            p.change.diff[0].before.as_deref(),
            Some("default (a new project shows it until a logo is uploaded)")
        );
    }

    #[test]
    fn a_logo_not_known_to_be_the_default_or_not_read_is_a_warning_not_a_write() {
        let unknown = |bytes: &str| Seen {
            is_default: None,
            logo: Some(Logo::Read(image(bytes))),
        };
        let p = only(plan(unknown("ours"), Some(default(Some("theirs")))));
        assert!(p.write.is_none());
        assert_eq!(p.change.action, Action::Skip);
        assert!(p.change.warnings[0].contains("does not say whether it shows the server's default"));
        assert!(p.change.warnings[0].contains("compare the project's logo on both instances"));
        // Unknown but the same image: nothing to say.
        assert!(plan(unknown("ours"), Some(unknown("ours"))).is_empty());

        let unreadable = Seen {
            is_default: Some(false),
            logo: Some(Logo::Unreadable("the source answered 500".into())),
        };
        let p = only(plan(unreadable, Some(default(Some("theirs")))));
        assert!(p.write.is_none());
        assert!(p.change.warnings[0].contains("the source's logo could not be read (the source answered 500)"));
    }

    #[test]
    fn a_run_that_read_no_project_logos_says_nothing_of_them() {
        let nothing = Seen {
            is_default: None,
            logo: None,
        };
        assert!(plan(nothing, Some(default(None))).is_empty());
    }

    #[test]
    fn a_version_controlled_project_is_never_given_a_logo() {
        let source = snapshot(
            "Projects-1",
            Some(custom("ours")),
            json!({"Id": "Projects-1", "Name": "Web"}),
        );
        let destination = snapshot(
            "Projects-7",
            Some(default(Some("theirs"))),
            json!({"Id": "Projects-7", "Name": "Web", "IsVersionControlled": true}),
        );
        let rules = Rules::default();
        let selector = Selector::all();
        let ctx = PlanContext {
            source: &source,
            destination: &destination,
            rules: &rules,
            selector: &selector,
        };
        assert!(ItemLogos(Kind::Project).plan(&ctx).is_empty());
    }
}
