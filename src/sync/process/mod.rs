//! The process merge: one merge of a source deployment or runbook process into the destination's,
//! used by both. Pure: no I/O; a stage reads both processes, calls [`merge`], and PUTs
//! [`ProcessMerge::write`] when there is one.
//!
//! # Rules
//!
//! - Steps match by name, actions by name within their step (trimmed, case-insensitive). The
//!   merged process is in the source's order; steps and actions only the destination has stay
//!   where they stood (after the matched item they followed), or are removed under
//!   `OCTOSYNC_PROCESS_CLONING_OPTION=SourceOnly` (decision [`Outcome::Remove`]).
//! - A matched step's own fields (target roles, condition, start trigger, package requirement, max
//!   parallelism) follow the source's unless `OCTOSYNC_PROCESS_STEP_FIELDS=KeepDestination`.
//! - An action whose scope cannot be kept under the process scope-match settings is skipped; the
//!   destination's action of that name is then left as it is ([`Outcome::Keep`], with a warning),
//!   never deleted (SpaceCloner deletes it, `spacecloner.md` §4.1). A step whose actions are all
//!   skipped is not added, and a destination step is never emptied.
//! - Every id an action holds is translated by the one translator: scopes, worker pool, execution
//!   container feed, package feeds (deferred `#{…}` kept), the step template and the destination
//!   template's version, Deploy-a-Release projects, and any id held in a property (accounts,
//!   certificates, teams of manual interventions and emails, feeds in container JSON). An id
//!   without a translation is an error for the process, which is then not written.
//! - Sensitive properties (a template's sensitive parameters) keep the destination's value; a new
//!   one gets the placeholder and a clean-up entry.
//! - A matched action keeps the destination's `Id` and its packages' `Id`s (matched by package
//!   name); new ones have none. An action equal to the destination's after translation is
//!   [`Outcome::Unchanged`]; a process whose merge changes nothing has `changed == false`.
//!
//! # How a stage calls it
//!
//! ```text
//! let owner = Owner { project, runbook: None, channels: Channels { source, destination } };
//! let m = process::merge(&source_process, Some(&destination_process), &ctx.translator(),
//!                        &ctx.rules.process, &owner);
//! m.errors       → Planned error for the project (nothing is written)
//! m.write()      → one PUT of the whole document, only when it changed
//! m.diff(ctx.destination) → Planned.change.diff (steps and actions by name, secrets masked)
//! m.warnings, m.cleanup, m.steps (one reason per step and action) → warnings, clean-up, notes
//! ```

pub mod action;
pub mod decision;
pub mod dependencies;
pub mod merge;
pub mod order;
pub mod outline;
pub mod planned;
pub mod references;
pub mod scope;
pub mod step;

pub use decision::{ActionDecision, Outcome, ProcessMerge, StepDecision};
pub use merge::{merge, Owner};
pub use scope::Channels;

#[cfg(test)]
mod tests;
