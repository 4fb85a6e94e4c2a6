//! Recovery of a write whose outcome is unknown: looking a create up by name, reading an update
//! back, and telling whether what was sent was saved.

use super::Client;
use crate::snapshot::name_key;
use anyhow::Result;
use serde_json::Value;

/// What a write should do when its outcome is unknown.
pub(super) enum Recover<'a> {
    /// Just retry: a read.
    Retry,
    /// Look the item up by name first (within its owner, for an item that belongs to another,
    /// such as a project's channel: `(field, owner id)`): a retried create must not make a duplicate.
    LookupByName {
        collection: &'a str,
        name: &'a str,
        owner: Option<(&'a str, &'a str)>,
    },
    /// Read the item back first: a PUT that went through must not be sent again with a stale body.
    CheckSaved { item: &'a str, sent: &'a Value },
}

impl Recover<'_> {
    /// What an administrator should look at when it stays unknown whether the write was made.
    pub(super) fn what_to_check(&self) -> String {
        match self {
            Recover::Retry => String::new(),
            Recover::LookupByName { collection, name, .. } => {
                format!("whether '{name}' exists in {collection} on the destination")
            }
            Recover::CheckSaved { item, .. } => format!("{item} on the destination"),
        }
    }
}

impl Client {
    /// The saved document, when a write whose outcome was unknown turns out to have been made.
    pub(super) async fn recover(&self, recover: &Recover<'_>) -> Result<Option<Value>> {
        // One attempt per look-up request: a failed look-up is retried by the caller's loop.
        let once = self.single_attempt();
        match recover {
            Recover::Retry => Ok(None),
            Recover::LookupByName {
                collection,
                name,
                owner,
            } => Box::pin(once.find_by_name(collection, name, *owner)).await,
            Recover::CheckSaved { item, sent } => {
                let current = Box::pin(once.get(item)).await?;
                Ok(was_saved(sent, &current).then_some(current))
            }
        }
    }

    /// This client with one attempt per request (same connection pool, limiter and metrics).
    fn single_attempt(&self) -> Client {
        let mut once = self.clone();
        once.options.retry.max_attempts = 1;
        once
    }

    /// The item of `collection` whose name equals `name` (case-insensitive) and, when `owner` is
    /// given, whose owner field names that owner (channels of other projects share names), if any.
    async fn find_by_name(&self, collection: &str, name: &str, owner: Option<(&str, &str)>) -> Result<Option<Value>> {
        let filter = format!("{collection}?partialName={}", urlencode(name));
        let items = self.list_all(&filter).await?;
        let wanted = name_key(name);
        let str_of = |i: &Value, field: &str| i.get(field).and_then(Value::as_str).map(str::to_string);
        Ok(items.into_iter().find(|i| {
            str_of(i, "Name").is_some_and(|n| name_key(&n) == wanted)
                && owner.is_none_or(|(field, id)| str_of(i, field).is_some_and(|o| o.eq_ignore_ascii_case(id)))
        }))
    }
}

/// Whether `current` (read back after a lost PUT response) shows that `sent` was saved: every field
/// we sent is there with the value we sent, nested items included (the server adds ids and
/// computed fields such as a tag's `CanonicalTagName`). Concurrency stamps and what the server
/// computes on every save (a variable set's `ScopeValues`, from the variables it now holds) are
/// left out: they are the server's to change. If it holds, resending could change nothing anyway.
fn was_saved(sent: &Value, current: &Value) -> bool {
    const SERVER_OWNED: &[&str] = &[
        "Version",
        "ConcurrencyToken",
        "LastModifiedOn",
        "LastModifiedBy",
        "Links",
        "ScopeValues",
    ];
    match (sent, current) {
        (Value::Object(s), Value::Object(c)) => s
            .iter()
            .filter(|(k, _)| !SERVER_OWNED.contains(&k.as_str()))
            .all(|(k, v)| contains(c.get(k).unwrap_or(&Value::Null), v)),
        _ => false,
    }
}

/// `have` holds everything `want` does (objects may have more fields; empty, null and missing are
/// alike). What the server never echoes is not asked for: the id it gives an item sent without one
/// (a new variable), and a secret (the `Value` of an `IsSensitive` variable, the `NewValue` of a
/// sensitive property: they come back empty).
fn contains(have: &Value, want: &Value) -> bool {
    let blank = |v: &Value| v.is_null() || v.as_str() == Some("");
    match (have, want) {
        _ if blank(have) && blank(want) => true,
        (Value::Object(h), Value::Object(w)) => {
            let secret = w.get("IsSensitive").and_then(Value::as_bool) == Some(true);
            w.iter()
                .filter(|(k, v)| !(k.as_str() == "Id" && blank(v)))
                .filter(|(k, _)| !(secret && k.as_str() == "Value"))
                // A sensitive property (`{HasValue, NewValue}`) comes back with `HasValue` only.
                .filter(|(k, _)| !(k.as_str() == "NewValue" && w.contains_key("HasValue")))
                .all(|(k, v)| contains(h.get(k).unwrap_or(&Value::Null), v))
        }
        (Value::Array(h), Value::Array(w)) => h.len() == w.len() && h.iter().zip(w).all(|(a, b)| contains(a, b)),
        _ => have == want,
    }
}

/// Percent-encodes a query value.
fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_saved_tag_set_contains_what_was_sent_plus_server_fields() {
        let sent = json!({"Id": "TagSets-2", "Name": "Region", "LastModifiedOn": "old", "Description": null,
                          "Tags": [{"Id": "TagSets-2/Tags-1", "Name": "EU"}, {"Name": "US", "Color": "#222222"}]});
        let current = json!({"Id": "TagSets-2", "Name": "Region", "LastModifiedOn": "new", "Description": "",
                             "Tags": [{"Id": "TagSets-2/Tags-1", "Name": "EU", "CanonicalTagName": "Region/EU"},
                                      {"Id": "TagSets-2/Tags-7", "Name": "US", "Color": "#222222", "CanonicalTagName": "Region/US"}]});
        assert!(was_saved(&sent, &current));
    }

    #[test]
    fn a_saved_variable_set_is_recognised_with_the_ids_and_hidden_secrets_the_server_gives_it() {
        let sent = json!({"Id": "variableset-Projects-1", "Version": 4, "ScopeValues": {"Roles": []}, "Variables": [
            {"Id": "a1", "Name": "Url", "Value": "https://x", "IsSensitive": false},
            {"Id": null, "Name": "Token", "Value": "s3cret", "IsSensitive": true},
            {"Name": "Region", "Value": "eu", "IsSensitive": false}],
            "Properties": {"Password": {"HasValue": true, "NewValue": "s3cret"}}});
        let saved = json!({"Id": "variableset-Projects-1", "Version": 5, "ScopeValues": {"Roles": [{"Id": "web"}]}, "Variables": [
            {"Id": "a1", "Name": "Url", "Value": "https://x", "IsSensitive": false},
            {"Id": "b2", "Name": "Token", "Value": null, "IsSensitive": true},
            {"Id": "c3", "Name": "Region", "Value": "eu", "IsSensitive": false}],
            "Properties": {"Password": {"HasValue": true, "NewValue": null}}});
        assert!(was_saved(&sent, &saved));
        // The set as it was before the lost PUT: one variable short.
        let before = json!({"Id": "variableset-Projects-1", "Version": 4, "Variables": [
            {"Id": "a1", "Name": "Url", "Value": "https://x", "IsSensitive": false},
            {"Id": "c3", "Name": "Region", "Value": "eu", "IsSensitive": false}]});
        assert!(!was_saved(&sent, &before));
        // A plain value the server holds otherwise is not taken for saved.
        let other = json!({"Id": "variableset-Projects-1", "Version": 5, "Variables": [
            {"Id": "a1", "Name": "Url", "Value": "https://y", "IsSensitive": false},
            {"Id": "b2", "Name": "Token", "Value": null, "IsSensitive": true},
            {"Id": "c3", "Name": "Region", "Value": "eu", "IsSensitive": false}]});
        assert!(!was_saved(&sent, &other));
    }

    #[test]
    fn an_unsaved_document_is_recognised_whatever_its_stamps() {
        let sent = json!({"Id": "Lifecycles-1", "Name": "Release", "Phases": [{"Name": "Stage"}], "Version": 3});
        let unchanged = json!({"Id": "Lifecycles-1", "Name": "Release", "Phases": [], "Version": 4});
        assert!(
            !was_saved(&sent, &unchanged),
            "a moved stamp alone does not mean our write landed"
        );
        let missing_tag = json!({"Tags": [{"Name": "EU"}]});
        assert!(!was_saved(
            &json!({"Tags": [{"Name": "EU"}, {"Name": "US"}]}),
            &missing_tag
        ));
    }
}
