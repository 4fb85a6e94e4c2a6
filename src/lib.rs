//! octosync: keeps an Octopus Deploy space in sync with a space on another instance.
//!
//! See `DESIGN.md` in the shared folder for the shape: settings → job → snapshots → stages → report.

pub mod apply;
pub mod demo;
pub mod engine;
pub mod kind;
pub mod octolog;
pub mod octopus;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scope;
pub mod settings;
pub mod sim;
pub mod snapshot;
pub mod step_template;
pub mod sync;
pub mod translate;
