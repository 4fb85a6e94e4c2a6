//! `PUT /{environments|tagsets|workerpools}/sortorder`: the body is the space's ids in their new
//! order. The answer is 200 with no body.
// QUESTION: SW21b lists no response for these operations and SW20 only "OK - Default"; an empty
// 200 (what an ASP.NET `Ok()` gives) is assumed rather than the reordered list.

use serde_json::Value;

use super::{Call, Reply};
use crate::sim::binding;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::kind::Kind;
use crate::sim::kinds::parts::reorder;
use crate::sim::schema::{field, STRS};

/// Reorder the space's documents of `kind`.
pub(super) fn sortorder(call: &mut Call, kind: Kind) -> ApiResult<Reply> {
    let body = call.need_body()?;
    // The body binds to a string[]: anything else is a model error, as for any typed body.
    let mut wrapped = serde_json::Map::new();
    wrapped.insert(String::new(), body);
    let errors = binding::bind(&mut wrapped, &[field("", STRS, Value::Null)]);
    let ids: Vec<String> = match wrapped.remove("") {
        Some(Value::Array(items)) if errors.is_empty() => {
            items.iter().filter_map(Value::as_str).map(str::to_string).collect()
        }
        _ => {
            let errors = if errors.is_empty() {
                vec!["Error converting value {null} to type 'System.String[]'. Path ''.".to_string()]
            } else {
                errors
            };
            return Err(ApiError::model_validation(errors));
        }
    };
    reorder(call.store, &call.space, kind, &ids)?;
    Ok(Reply::empty(200))
}
