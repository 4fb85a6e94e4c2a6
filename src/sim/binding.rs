//! Model binding: a body is read against the kind's field table before any rule runs, as the
//! server's model binder does. A value of the wrong JSON type, an enum value the server does not
//! know, or null for a .NET value type is a `400 Model validation failed.` naming each field.
//!
//! Strictness is the JSON type: `"1"` is not an integer, `"true"` not a boolean, `5` not a string.
// QUESTION: Newtonsoft.Json (the serializer of OC, and of the server in the 2020 stack traces of
// TFP #65 and ISS#1783) would coerce "1" to 1 and "true" to true; the issue that asked for this
// states that a real server rejects `MinimumEnvironmentsBeforePromotion: "1"`, which only a strict
// binder (System.Text.Json) does. The strict reading is implemented.

use serde_json::Value;

use super::schema::{Field, Member, Ty};

/// The base fields every resource has, with their wire types.
const BASE: &[Member] = &[
    Member {
        name: "Id",
        ty: Ty::Str,
    },
    Member {
        name: "SpaceId",
        ty: Ty::Str,
    },
    Member {
        name: "Slug",
        ty: Ty::Str,
    },
    Member {
        name: "LastModifiedOn",
        ty: Ty::Date,
    },
    Member {
        name: "LastModifiedBy",
        ty: Ty::Str,
    },
    Member {
        name: "Links",
        ty: Ty::Map(&Ty::Str),
    },
];

/// Check the body's known fields (names already in canonical case) against `fields`; enum values
/// are rewritten in their canonical case. Returns the problems, one per field, in body order.
pub(crate) fn bind(body: &mut serde_json::Map<String, Value>, fields: &[Field]) -> Vec<String> {
    let mut errors = Vec::new();
    for (name, value) in body.iter_mut() {
        let ty = fields
            .iter()
            .find(|f| f.name == name.as_str())
            .map(|f| f.ty)
            .or_else(|| BASE.iter().find(|m| m.name == name.as_str()).map(|m| m.ty));
        if let Some(ty) = ty {
            check(value, ty, name, &mut errors);
        }
    }
    errors
}

/// How the error names a type, in the .NET form the server's messages use.
fn type_name(ty: Ty) -> String {
    match ty {
        Ty::Any => "System.Object".into(),
        Ty::Str => "System.String".into(),
        Ty::Bool => "System.Boolean".into(),
        Ty::Int => "System.Int32".into(),
        Ty::TimeSpan => "System.TimeSpan".into(),
        Ty::Date => "System.DateTimeOffset".into(),
        Ty::Enum(name, _) | Ty::Obj(name, _) => name.into(),
        Ty::Sensitive => "SensitiveValue".into(),
        Ty::Property => "PropertyValue".into(),
        Ty::List(inner) => format!("{}[]", type_name(*inner)),
        Ty::Map(inner) => format!("Dictionary<System.String,{}>", type_name(*inner)),
        Ty::Opt(inner) => format!("Nullable<{}>", type_name(*inner)),
    }
}

fn refuse(value: &Value, ty: Ty, path: &str, errors: &mut Vec<String>) {
    let shown = match value {
        Value::Null => "{null}".to_string(),
        v => v.to_string(),
    };
    errors.push(format!(
        "Error converting value {shown} to type '{}'. Path '{path}'.",
        type_name(ty)
    ));
}

fn check(value: &mut Value, ty: Ty, path: &str, errors: &mut Vec<String>) {
    let ok = match (ty, &*value) {
        (Ty::Any, _) => true,
        // Null collections are left to the rules: .NET binds them and fails later ("Value cannot be null").
        (Ty::List(_) | Ty::Map(_), Value::Null) => true,
        (Ty::Opt(_), Value::Null) => true,
        (Ty::Opt(inner), _) => {
            check(value, *inner, path, errors);
            true
        }
        (Ty::Str | Ty::Sensitive | Ty::Property | Ty::Obj(..) | Ty::TimeSpan | Ty::Date, Value::Null) => true,
        (Ty::Str, Value::String(_)) => true,
        (Ty::Bool, Value::Bool(_)) => true,
        (Ty::Int, Value::Number(n)) => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        (Ty::TimeSpan, Value::String(s)) => is_timespan(s),
        (Ty::Date, Value::String(s)) => is_date(s),
        (Ty::Enum(_, values), Value::String(s)) => match values.iter().find(|v| v.eq_ignore_ascii_case(s)) {
            Some(canonical) => {
                *value = Value::String(canonical.to_string());
                true
            }
            None => false,
        },
        // A secret may be sent as a plain string (the simulator's leniency, see the pipeline).
        (Ty::Sensitive, Value::String(_)) => true,
        (Ty::Property, Value::String(_)) => true,
        (Ty::Sensitive | Ty::Property, Value::Object(_)) => {
            sensitive_members(value, path, errors);
            true
        }
        (Ty::List(inner), Value::Array(_)) => {
            if let Value::Array(items) = value {
                for (i, item) in items.iter_mut().enumerate() {
                    check(item, *inner, &format!("{path}[{i}]"), errors);
                }
            }
            true
        }
        (Ty::Map(inner), Value::Object(_)) => {
            if let Value::Object(m) = value {
                for (k, v) in m.iter_mut() {
                    check(v, *inner, &format!("{path}.{k}"), errors);
                }
            }
            true
        }
        (Ty::Obj(_, members), Value::Object(_)) => {
            if let Value::Object(m) = value {
                for (k, v) in m.iter_mut() {
                    if let Some(member) = members.iter().find(|mm| mm.name.eq_ignore_ascii_case(k)) {
                        check(v, member.ty, &format!("{path}.{}", member.name), errors);
                    }
                }
            }
            true
        }
        _ => false,
    };
    if !ok {
        refuse(value, ty, path, errors);
    }
}

/// `{HasValue, NewValue, Hint}`: the members that are there must have their types.
fn sensitive_members(value: &mut Value, path: &str, errors: &mut Vec<String>) {
    const MEMBERS: &[Member] = &[
        Member {
            name: "HasValue",
            ty: Ty::Bool,
        },
        Member {
            name: "NewValue",
            ty: Ty::Str,
        },
        Member {
            name: "Hint",
            ty: Ty::Str,
        },
    ];
    check(value, Ty::Obj("SensitiveValue", MEMBERS), path, errors);
}

/// A .NET TimeSpan in the invariant "c" form: `[-][d.]hh:mm[:ss[.fffffff]]`, or whole days.
fn is_timespan(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    if digits(s) {
        return true;
    }
    let clock = match s.split_once('.') {
        Some((days, rest)) if digits(days) && rest.contains(':') => rest,
        _ => s,
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let small = |p: &str| digits(p) && p.len() <= 2;
    match parts.as_slice() {
        [h, m] => small(h) && small(m),
        [h, m, sec] => {
            let (whole, fraction) = sec.split_once('.').unwrap_or((sec, "0"));
            small(h) && small(m) && small(whole) && digits(fraction) && fraction.len() <= 7
        }
        _ => false,
    }
}

/// A DateTimeOffset: `yyyy-MM-ddTHH:mm:ss[.fff][K]` or a plain date.
fn is_date(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
        || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::schema::{field, m, STRS};
    use serde_json::json;

    fn errors(body: Value, fields: &[Field]) -> Vec<String> {
        let Value::Object(mut b) = body else { panic!("object") };
        bind(&mut b, fields)
    }

    #[test]
    fn a_string_is_not_a_boolean_nor_an_integer_and_null_is_neither() {
        let fields = [
            field("UseGuidedFailure", Ty::Bool, json!(false)),
            field("SortOrder", Ty::Int, json!(0)),
        ];
        assert_eq!(
            errors(json!({"UseGuidedFailure": "yes", "SortOrder": "abc"}), &fields),
            // In the order of the body's keys (which a parsed body holds sorted), as a server meets them.
            vec![
                "Error converting value \"abc\" to type 'System.Int32'. Path 'SortOrder'.",
                "Error converting value \"yes\" to type 'System.Boolean'. Path 'UseGuidedFailure'.",
            ]
        );
        assert_eq!(errors(json!({"SortOrder": null}), &fields).len(), 1);
        assert_eq!(errors(json!({"SortOrder": 3_000_000_000_i64}), &fields).len(), 1);
        assert!(errors(json!({"UseGuidedFailure": true, "SortOrder": -4}), &fields).is_empty());
    }

    #[test]
    fn enums_are_matched_ignoring_case_and_rewritten_in_canonical_case() {
        let fields = [field(
            "Unit",
            Ty::Enum("RetentionUnit", &["Days", "Items"]),
            json!("Days"),
        )];
        let mut body = json!({"Unit": "items"});
        assert!(bind(body.as_object_mut().unwrap(), &fields).is_empty());
        assert_eq!(body["Unit"], "Items");
        assert_eq!(
            errors(json!({"Unit": "Weeks"}), &fields),
            vec!["Error converting value \"Weeks\" to type 'RetentionUnit'. Path 'Unit'."]
        );
    }

    #[test]
    fn nested_paths_name_the_member_and_the_index() {
        const PHASE: Ty = Ty::List(&Ty::Obj(
            "PhaseResource",
            &[
                m("MinimumEnvironmentsBeforePromotion", Ty::Int),
                m("OptionalDeploymentTargets", STRS),
            ],
        ));
        let fields = [field("Phases", PHASE, json!([]))];
        assert_eq!(
            errors(
                json!({"Phases": [{}, {"minimumEnvironmentsBeforePromotion": "1", "OptionalDeploymentTargets": "Environments-1"}]}),
                &fields
            ),
            vec![
                "Error converting value \"Environments-1\" to type 'System.String[]'. Path 'Phases[1].OptionalDeploymentTargets'.",
                "Error converting value \"1\" to type 'System.Int32'. Path 'Phases[1].MinimumEnvironmentsBeforePromotion'.",
            ]
        );
    }

    #[test]
    fn timespans_dates_secrets_and_unknown_fields() {
        let fields = [
            field("Interval", Ty::TimeSpan, json!("01:00:00")),
            field("Archived", Ty::Date, Value::Null),
            field("Password", Ty::Sensitive, Value::Null),
        ];
        for ok in ["01:00:00", "1.02:03:04", "00:00:01.5", "-00:10", "3"] {
            assert!(errors(json!({"Interval": ok}), &fields).is_empty(), "{ok}");
        }
        for bad in ["an hour", "1:2:3:4", "01:00:00.12345678"] {
            assert_eq!(errors(json!({"Interval": bad}), &fields).len(), 1, "{bad}");
        }
        assert!(errors(json!({"Archived": "2024-07-01T01:34:25.016+00:00"}), &fields).is_empty());
        assert_eq!(errors(json!({"Archived": "yesterday"}), &fields).len(), 1);
        assert!(errors(json!({"Password": {"HasValue": true, "NewValue": "s"}}), &fields).is_empty());
        assert_eq!(errors(json!({"Password": {"HasValue": "yes"}}), &fields).len(), 1);
        assert!(errors(json!({"Whatever": [1, 2], "Links": {"Self": "/x"}}), &fields).is_empty());
        assert_eq!(errors(json!({"LastModifiedOn": 5}), &fields).len(), 1);
    }
}
