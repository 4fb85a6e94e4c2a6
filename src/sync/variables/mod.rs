//! The variable engine: one merge of a source variable set into the destination's, used unchanged
//! by every owner of variables (library variable sets and script modules now, project and tenant
//! variables later). Pure: no I/O; the stage reads both sets, calls [`merge`], and PUTs
//! [`Merge::write`] when there is one.
//!
//! # Identity and matching
//!
//! A row is identified by its **name** (trimmed, case-insensitive), its **sensitivity**, its
//! **type** and its **scope after translation**: each scope id is translated by name from the
//! source set's `ScopeValues` to the destination set's, one dimension at a time under that
//! dimension's scope-match mode (`OCTOSYNC_VARIABLE_*_MATCH`); roles are kept as written; tenant
//! tags match by canonical name. Scopes compare as sets, so the order of ids never matters.
//! The value is **not** part of the identity.
//!
//! 1. Source and destination rows with the same identity pair. Where one side has several rows
//!    of one identity (a name with two values whose scopes translation dropped), rows with equal
//!    values pair first; one row left on each side then pairs (its value changed); several left
//!    on both sides are *contested*: left alone, never guessed at.
//! 2. On a dimension whose mode is `IgnoreMismatchOnNewLeaveExistingAlone` the destination's
//!    scoping is its own: a source row that differs from destination rows of its identity only
//!    there is *existing* and left alone, whatever the overwrite option.
//! 3. A source row still unpaired whose name, type and (non-empty, non-sensitive) value equal
//!    exactly one unpaired destination row's, the only one of its kind on both sides, is that row
//!    with its scope changed on the source. Under `OCTOSYNC_VARIABLE_OVERWRITE=True` the
//!    destination row takes the new scope when one scope lies within the other; otherwise the
//!    source row is added and the destination's kept.
//! 4. A source row still unpaired is new, unless a destination row has its name and scope with
//!    another sensitivity or type: then it is not added (two values for one scope), and a
//!    clean-up entry says so. New rows that would be written identically are written once.
//!
//! Matching runs against the destination set as read, on sets and sorted keys: it never depends
//! on the order of rows, and never on rows added earlier in the same run.
//!
//! # Values
//!
//! Matched rows take the source's value, description and prompt only under `True`; a destination
//! sensitive value is never overwritten. New rows are written with the source's value, except: a
//! sensitive row gets [`crate::sync::placeholder::SECRET_PLACEHOLDER`] and a clean-up entry;
//! under `AddNewWithDefaultValue` every new text row gets that placeholder too (typed rows no
//! value), each with a clean-up entry. Account, certificate and worker-pool values are ids,
//! translated by name under their own mode. Destination-only rows are always kept.

//!
//! # How a stage calls it
//!
//! ```text
//! let m = variables::merge(&source_set, &destination_set, &ctx.translator(),
//!                          &ctx.rules.variables, Owner { kind: "Library variable set", name });
//! m.fatal        → Planned.fatal (nothing is written)
//! m.write()      → one Write::Update of the whole set (PUT /variables/{id}), only when it differs
//! m.diff(ctx.destination) → Planned.change.diff (rows by name and scope, secrets masked)
//! m.warnings, m.cleanup, m.decisions (one reason per row) → warnings, clean-up, notes
//! ```
//!
//! A set the destination does not have yet is merged into `{"Variables": [], "ScopeValues": …}`
//! with the destination space's lookup tables, as the server will compute them.

pub mod decision;
pub mod matching;
pub mod merge;
pub mod plan;
pub mod row;
pub mod scope;
pub mod space;
pub mod value;

pub use decision::{Merge, Outcome, RowDecision};
pub use merge::{merge, Owner};

#[cfg(test)]
mod tests;
