//! A step's own fields (target roles and max parallelism in its properties, condition, start
//! trigger, package requirement): the source's for a new step; for a step both processes have, the
//! source's unless `OCTOSYNC_PROCESS_STEP_FIELDS=KeepDestination` keeps the destination's.

use super::references::References;
use crate::rules::StepFields;
use crate::sync::document;
use serde_json::{Map, Value};

/// Fields of a step that are not its own settings: the server's, and its actions (merged apart).
const NOT_STEP_FIELDS: &[&str] = &["Id", "Slug", "Links", "Actions"];

/// The step without its actions as the destination must hold it: `dest`'s own document (its `Id`)
/// when there is one.
pub fn fields(
    src: &Value,
    dest: Option<&Value>,
    option: StepFields,
    refs: &mut References<'_, '_>,
) -> Map<String, Value> {
    let mut own = Map::new();
    for (key, value) in document::object(src) {
        if NOT_STEP_FIELDS.contains(&key.as_str()) {
            continue;
        }
        let value = match (key.as_str(), &value) {
            ("Properties", Value::Object(props)) => Value::Object(
                props
                    .iter()
                    .map(|(k, v)| {
                        let what = format!("step property '{k}'");
                        let v = match v {
                            Value::String(s) => Value::String(refs.text(s, &what)),
                            other => refs.value(other, &what),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            _ => value,
        };
        own.insert(key, value);
    }
    let Some(dest) = dest else {
        return own;
    };
    let mut doc = document::object(dest);
    doc.remove("Actions");
    if option == StepFields::Sync {
        // A field the destination's step lacks is left out, as `document::overlay` does.
        for (key, value) in own {
            if doc.contains_key(&key) {
                doc.insert(key, value);
            }
        }
    }
    doc
}
