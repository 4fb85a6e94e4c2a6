//! Where a project's other parts name a package of an action of its deployment process (channel
//! version rules, the versioning donor package, the automatic release creation package): finding
//! that action and package in a process, and the destination's action that stands for a source
//! one. Steps and actions match by name, as the process merge matches them, so these parts are
//! synced after the process.

use crate::snapshot::{id_of, name_key, name_of};
use serde_json::Value;

/// One action of a process, with the step holding it.
#[derive(Debug, Clone, Copy)]
pub struct ActionAt<'a> {
    /// The step.
    pub step: &'a Value,
    /// The action.
    pub action: &'a Value,
}

impl<'a> ActionAt<'a> {
    /// The action's name.
    pub fn name(&self) -> &'a str {
        name_of(self.action)
    }

    /// The name of the action's package `reference` as this process spells it ("" or a missing
    /// name is the primary package), or `None` when the action has no such package.
    pub fn package(&self, reference: &str) -> Option<&'a str> {
        let key = name_key(reference);
        self.action
            .get("Packages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| p.get("Name").and_then(Value::as_str).unwrap_or(""))
            .find(|n| name_key(n) == key)
    }
}

/// Every action of `process`, in process order.
pub fn actions(process: &Value) -> impl Iterator<Item = ActionAt<'_>> {
    process
        .get("Steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|step| {
            step.get("Actions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(move |action| ActionAt { step, action })
        })
}

/// The action named `name` (names are unique in a process).
pub fn by_name<'a>(process: &'a Value, name: &str) -> Option<ActionAt<'a>> {
    let key = name_key(name);
    actions(process).find(|a| name_key(a.name()) == key)
}

/// The action whose id is `id`.
pub fn by_id<'a>(process: &'a Value, id: &str) -> Option<ActionAt<'a>> {
    if id.is_empty() {
        return None;
    }
    actions(process).find(|a| id_of(a.action).eq_ignore_ascii_case(id))
}

/// The destination's action standing for the source's `src`: the action of the same name in the
/// step of the same name, as the process merge matches them.
pub fn counterpart<'a>(destination: &'a Value, src: ActionAt<'_>) -> Option<ActionAt<'a>> {
    let (step, action) = (name_key(name_of(src.step)), name_key(src.name()));
    actions(destination).find(|a| name_key(name_of(a.step)) == step && name_key(a.name()) == action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_action_is_found_by_step_and_action_name_and_its_package_by_reference_name() {
        let src = json!({"Steps": [{"Name": "Deploy", "Actions": [{"Id": "a1", "Name": "Web", "Packages": [{"Name": ""}, {"Name": "Tools"}]}]}]});
        let dest = json!({"Steps": [
            {"Name": "Other", "Actions": [{"Id": "d0", "Name": "Web "}]},
            {"Name": "deploy", "Actions": [{"Id": "d1", "Name": "web", "Packages": [{"Name": "tools"}, {"Name": null}]}]}
        ]});
        let a = by_id(&src, "a1").unwrap();
        let d = counterpart(&dest, a).unwrap();
        assert_eq!(
            id_of(d.action),
            "d1",
            "the step's name decides, not the first action of that name"
        );
        assert_eq!(d.package("Tools"), Some("tools"));
        assert_eq!(d.package(""), Some(""), "a package without a name is the primary");
        assert_eq!(d.package("Docs"), None);
        assert!(by_id(&src, "").is_none());
    }
}
