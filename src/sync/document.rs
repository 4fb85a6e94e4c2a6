//! Helpers for treating resources as documents: strip what the server owns, overlay what we own.

use serde_json::{Map, Value};

/// Fields the server sets; never copied from one instance to another.
pub const SERVER_OWNED: &[&str] = &["Id", "Links", "SpaceId", "Slug", "LastModifiedOn", "LastModifiedBy"];

/// A source document ready to POST to the destination: server-owned fields removed, and its
/// `SortOrder`, because its place among the destination's own items is the destination's (the
/// server appends it; a copied position could tie with an existing item). Fields keep the source's
/// order, which the plan shows.
pub fn for_create(source: &Value) -> Value {
    let mut doc = source.clone();
    if let Value::Object(map) = &mut doc {
        for f in SERVER_OWNED.iter().chain(&["SortOrder"]) {
            map.remove(*f);
        }
    }
    doc
}

/// The destination document with `fields` overlaid, and the names of the fields that changed.
///
/// A field the destination document does not have is not overlaid: its server does not know it,
/// would drop it, and the next run would see a difference again.
pub fn overlay(destination: &Value, fields: &[(&str, Value)]) -> (Value, Vec<String>) {
    let mut doc = destination.clone();
    let mut changed = Vec::new();
    if let Value::Object(map) = &mut doc {
        for (name, value) in fields {
            match map.get(*name) {
                Some(current) if equivalent(current, value) => {}
                Some(_) => {
                    map.insert((*name).to_string(), value.clone());
                    changed.push((*name).to_string());
                }
                None => {}
            }
        }
    }
    (doc, changed)
}

/// `source` laid over `destination` for an owned field that is an object: the source's values for the
/// keys the destination's object has, recursively; every other key keeps the destination's value.
///
/// Like [`overlay`] for top-level fields: a sub-field only one server knows (a newer server's
/// `KubernetesAgentUpdateBehavior`, a renamed 2018 field) is left as the destination has it, so an
/// overwritten document settles instead of differing on every run. Anything that is not an object
/// on both sides is the source's value.
pub fn merge_known(destination: &Value, source: &Value) -> Value {
    match (destination, source) {
        (Value::Object(d), Value::Object(s)) => {
            let mut out = d.clone();
            for (key, value) in out.iter_mut() {
                if let Some(v) = s.get(key) {
                    *value = merge_known(value, v);
                }
            }
            Value::Object(out)
        }
        _ => source.clone(),
    }
}

/// Equal as far as Octopus is concerned: `null`, `""`, `[]` and a missing field are all "empty"
/// (servers trim and normalise these differently), compared recursively through arrays and objects.
pub fn equivalent(a: &Value, b: &Value) -> bool {
    match (a, b) {
        _ if is_blank(a) && is_blank(b) => true,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equivalent(p, q)),
        // Each field compared once: a field both hold is compared from `x`'s side only (comparing
        // it from both sides doubled the work at every level of a process's nesting).
        (Value::Object(x), Value::Object(y)) => {
            x.iter().all(|(k, v)| equivalent(v, y.get(k).unwrap_or(&Value::Null)))
                && y.iter().all(|(k, v)| x.contains_key(k) || is_blank(v))
        }
        _ => a == b,
    }
}

/// [`equivalent`] for two lists held apart from a document (a process's steps before and after a
/// merge), without building arrays of them.
pub fn equivalent_lists(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(p, q)| equivalent(p, q))
}

/// Empty as far as Octopus is concerned: `null`, `""` or `[]` (a missing field reads as `null`).
pub fn is_blank(v: &Value) -> bool {
    matches!(v, Value::Null) || v.as_str() == Some("") || v.as_array().is_some_and(Vec::is_empty)
}

/// A string field, or "".
pub fn str_field<'a>(doc: &'a Value, field: &str) -> &'a str {
    doc.get(field).and_then(Value::as_str).unwrap_or("")
}

/// A list of strings (ids), or empty.
pub fn id_list(doc: &Value, field: &str) -> Vec<String> {
    match doc.get(field) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// The object map of a document (empty when it is not an object).
pub fn object(doc: &Value) -> Map<String, Value> {
    doc.as_object().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn create_bodies_lose_server_owned_fields_only() {
        let src = json!({"Id": "Environments-1", "Name": "Dev", "SpaceId": "Spaces-1", "Links": {}, "SortOrder": 4, "UseGuidedFailure": true, "Future": 1});
        assert_eq!(
            for_create(&src),
            json!({"Name": "Dev", "UseGuidedFailure": true, "Future": 1})
        );
    }

    #[test]
    fn empty_null_and_missing_are_the_same_everywhere() {
        assert!(equivalent(
            &json!({"A": null, "B": [{"C": ""}]}),
            &json!({"B": [{"C": null, "D": null}]})
        ));
        assert!(!equivalent(&json!({"A": "x"}), &json!({"A": null})));
        assert!(!equivalent(&json!([1, 2]), &json!([2, 1])));
        assert!(equivalent(&json!({"Scopes": []}), &json!({"Scopes": null})));
        assert!(!equivalent(&json!({"Scopes": ["Tenant"]}), &json!({})));
        let (_, changed) = overlay(&json!({"Description": null}), &[("Description", json!(""))]);
        assert!(changed.is_empty());
    }

    #[test]
    fn merged_objects_take_the_source_only_where_the_destination_knows_the_key() {
        let dest = json!({"A": {"X": 1, "Newer": "kept"}, "B": 2});
        let src = json!({"A": {"X": 5, "Older": "dropped"}, "B": null});
        assert_eq!(
            merge_known(&dest, &src),
            json!({"A": {"X": 5, "Newer": "kept"}, "B": null})
        );
        assert_eq!(merge_known(&json!(null), &json!({"X": 1})), json!({"X": 1}));
        assert_eq!(merge_known(&json!([1]), &json!([2, 3])), json!([2, 3]));
    }

    #[test]
    fn overlay_reports_only_real_changes_and_keeps_everything_else() {
        let dest = json!({"Id": "X-1", "Name": "A", "Description": "old", "Other": [1]});
        let (doc, changed) = overlay(
            &dest,
            &[
                ("Description", json!("new")),
                ("Name", json!("A")),
                ("Unknown", json!(1)),
            ],
        );
        assert_eq!(changed, vec!["Description"]);
        assert_eq!(
            doc,
            json!({"Id": "X-1", "Name": "A", "Description": "new", "Other": [1]})
        );
    }
}
