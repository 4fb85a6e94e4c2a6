//! Values: typed values (an account, certificate or worker pool id) translated by name under their
//! own scope-match mode, and what a new row is written with under the overwrite option.

use super::row::Row;
use crate::rules::{VariableOverwrite, VariableRules};
use crate::scope::MatchPolicy;
use crate::sync::placeholder::SECRET_PLACEHOLDER;
use crate::translate::{Translation, Translator};
use serde_json::Value;

/// A variable type whose value is the id of an item in the space (reference §2.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    /// `AmazonWebServicesAccount`, `AzureAccount`, … (every type ending in `Account`).
    Account,
    /// `Certificate`.
    Certificate,
    /// `WorkerPool`.
    WorkerPool,
}

impl Typed {
    /// The typed kind of a variable `Type`, if its value is an id.
    pub fn of(type_name: &str) -> Option<Typed> {
        let t = type_name.to_ascii_lowercase();
        match t.as_str() {
            "certificate" => Some(Typed::Certificate),
            "workerpool" => Some(Typed::WorkerPool),
            _ if t.ends_with("account") => Some(Typed::Account),
            _ => None,
        }
    }

    /// What a person calls it.
    pub fn noun(self) -> &'static str {
        match self {
            Typed::Account => "account",
            Typed::Certificate => "certificate",
            Typed::WorkerPool => "worker pool",
        }
    }

    /// The setting that rules it.
    pub fn setting(self) -> &'static str {
        match self {
            Typed::Account => "OCTOSYNC_VARIABLE_ACCOUNT_MATCH",
            Typed::Certificate => "OCTOSYNC_VARIABLE_CERTIFICATE_MATCH",
            Typed::WorkerPool => "OCTOSYNC_VARIABLE_WORKER_POOL_MATCH",
        }
    }

    /// Its mode.
    pub fn policy(self, rules: &VariableRules) -> MatchPolicy {
        match self {
            Typed::Account => rules.accounts,
            Typed::Certificate => rules.certificates,
            Typed::WorkerPool => rules.worker_pools,
        }
    }

    /// `OCTOSYNC_VARIABLE_ACCOUNT_MATCH=SkipUnlessExactMatch`, for reasons.
    pub fn rule(self, rules: &VariableRules) -> String {
        format!("{}={}", self.setting(), self.policy(rules).name())
    }
}

/// What became of a source row's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueOutcome {
    /// The value to compare and write: the source's own, or the destination id a typed value
    /// names. `None` for a sensitive row (the API never returns its value).
    Resolved(Option<String>),
    /// A typed value naming an item the destination lacks, kept under an `Ignore…` mode: a new
    /// row is written without a value, and an existing row keeps its own.
    Unresolved {
        /// What is missing, for messages: `account 'Prod AWS'`.
        missing: String,
    },
    /// Leave the row out, as the mode says.
    Skip {
        /// What is missing, with the rule.
        reason: String,
    },
    /// The mode says the run must stop.
    Error {
        /// What is missing, with the rule.
        reason: String,
    },
}

/// The value of a source row as the destination will hold it. For one value a partial match is an
/// exact one, so the `…PartialMatch` modes act as their `…ExactMatch` counterparts.
pub fn translate(row: &Row<'_>, translator: &Translator<'_>, rules: &VariableRules) -> ValueOutcome {
    if row.sensitive {
        return ValueOutcome::Resolved(None);
    }
    let value = row.value().map(str::to_string);
    let (Some(typed), Some(id)) = (Typed::of(&row.type_name), value.as_deref().filter(|v| !v.is_empty())) else {
        return ValueOutcome::Resolved(value);
    };
    let missing = match translator.translate(id) {
        Translation::Mapped(dest) => return ValueOutcome::Resolved(Some(dest)),
        Translation::Missing { name, .. } => format!("{} '{name}'", typed.noun()),
        Translation::Unknown => format!("{} '{id}' (not in the source space)", typed.noun()),
    };
    let policy = typed.policy(rules);
    let reason = format!("{missing} not found on the destination ({})", typed.rule(rules));
    match policy {
        MatchPolicy::ErrorUnlessExactMatch | MatchPolicy::ErrorUnlessPartialMatch => ValueOutcome::Error { reason },
        MatchPolicy::SkipUnlessExactMatch | MatchPolicy::SkipUnlessPartialMatch => ValueOutcome::Skip { reason },
        MatchPolicy::IgnoreMismatch | MatchPolicy::IgnoreMismatchOnNewLeaveExistingAlone => {
            ValueOutcome::Unresolved { missing }
        }
    }
}

/// The value a new row is written with, and the clean-up a person must do when it is not the
/// source's: a sensitive row always gets the placeholder (secrets never travel); under
/// `AddNewWithDefaultValue` a text row gets it too and a typed row gets no value (a placeholder is
/// not an id); a typed row whose item is missing gets no value.
pub fn for_new_row(row: &Row<'_>, value: &ValueOutcome, overwrite: VariableOverwrite) -> (Value, Option<String>) {
    let placeholder = || Value::String(SECRET_PLACEHOLDER.to_string());
    if row.sensitive {
        return (
            placeholder(),
            Some(format!(
                "is sensitive and secrets never travel: added with the placeholder '{SECRET_PLACEHOLDER}'; enter the real value on the destination"
            )),
        );
    }
    let typed = Typed::of(&row.type_name);
    if let ValueOutcome::Unresolved { missing } = value {
        let noun = typed.map(Typed::noun).unwrap_or("item");
        return (
            Value::String(String::new()),
            Some(format!(
                "added without a value: its {missing} is not on the destination; choose this instance's {noun}"
            )),
        );
    }
    if overwrite == VariableOverwrite::AddNewWithDefaultValue {
        return match typed {
            Some(t) => (
                Value::String(String::new()),
                Some(format!(
                    "added without a value (OCTOSYNC_VARIABLE_OVERWRITE=AddNewWithDefaultValue); choose this instance's {}",
                    t.noun()
                )),
            ),
            None => (
                placeholder(),
                Some(format!(
                    "added with the placeholder '{SECRET_PLACEHOLDER}' (OCTOSYNC_VARIABLE_OVERWRITE=AddNewWithDefaultValue); enter this instance's value"
                )),
            ),
        };
    }
    match value {
        ValueOutcome::Resolved(Some(v)) => (Value::String(v.clone()), None),
        // The source's own empty value (`null` or `""`), as it is.
        _ => (row.doc.get("Value").cloned().unwrap_or(Value::Null), None),
    }
}
