//! Error bodies as the server sends them (reference §1.7).

use serde_json::{json, Value};

/// An HTTP error with its JSON body.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: u16,
    pub body: Value,
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// The 401 body, verbatim from `error-401.json`.
// QUESTION: newer servers may word a request with no key at all differently; one body is used.
pub(crate) const UNAUTHORIZED: &str =
    "Either your API key is invalid, or your account has been disabled. Please contact your Octopus administrator.";
/// The 404 body text seen on real servers (TFP #723, ISS#1713).
pub(crate) const NOT_FOUND: &str = "The resource you requested was not found.";
/// The generic validation headline (`error-400.json`).
pub(crate) const VALIDATION: &str = "There was a problem with your request.";
/// The headline of a body the model binder could not read (the 400 text of every create and
/// update operation in SW21b).
pub(crate) const MODEL_VALIDATION: &str = "Model validation failed.";
/// What .NET says when a null collection reaches LINQ (ISS#7011).
pub(crate) const NULL_SOURCE: &str = "Value cannot be null. (Parameter 'source')";
/// Stale `Version` on a process PUT (SW21b `updateRunbookProcess_Spaces`).
pub(crate) const STALE_PROCESS: &str = "Changes to this process could not be saved, because another user has made changes to the process between when you started editing and when you saved your changes. Please reload or open a new tab to make your changes.";
/// A database route asked for what a version-controlled project keeps in Git (its deployment
/// process, deployment settings, non-sensitive variables): the validation body seen on 2025.2
/// (ISS#9365, "There was a problem with your request." with this error).
pub(crate) const NOT_A_GIT_ROUTE: &str = "Received a request for a version-controlled resource on a non-version control route. To access this resource, include a Git ref in the route.";
/// Stale `Version` on a step template PUT.
// QUESTION: SW21b gives no text for step templates, and whether the server checks their `Version`
// at all is unverified (reference §1.9 only says it rises on every save; §5 recommends the check).
// The process text is followed.
pub(crate) const STALE_TEMPLATE: &str = "Changes to this step template could not be saved, because another user has made changes to the step template between when you started editing and when you saved your changes. Please reload or open a new tab to make your changes.";
/// Stale `Version` on a variable set PUT (SW21b `updateVariableSet_Spaces`).
pub(crate) const STALE_VARIABLES: &str = "Changes to these variables could not be saved, because another user has made changes to the variables between when you started editing and when you saved your changes. Please reload or open a new tab to make your changes.";

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "ErrorMessage": message.into() }),
        }
    }

    pub fn not_found() -> Self {
        Self::new(404, NOT_FOUND)
    }

    pub fn unauthorized() -> Self {
        Self::new(401, UNAUTHORIZED)
    }

    /// 400 with the generic headline and the specifics in `Errors`.
    pub fn validation(errors: Vec<String>) -> Self {
        ApiError {
            status: 400,
            body: json!({ "ErrorMessage": VALIDATION, "Errors": errors }),
        }
    }

    /// 400 for a body the model binder could not read, one entry per field.
    pub fn model_validation(errors: Vec<String>) -> Self {
        ApiError {
            status: 400,
            body: json!({ "ErrorMessage": MODEL_VALIDATION, "Errors": errors }),
        }
    }

    pub fn invalid(error: impl Into<String>) -> Self {
        Self::validation(vec![error.into()])
    }

    /// A null collection: the real body carries only the .NET message.
    pub fn null_source() -> Self {
        Self::new(400, NULL_SOURCE)
    }

    // QUESTION: the body of a real 405 is not documented; ASP.NET's usual text is used.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            405,
            format!("The requested resource does not support http method '{method}'."),
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.body)
    }
}

impl std::error::Error for ApiError {}
