//! The lookup tables of a variable set that are the space's own: `ScopeValues.Environments` and
//! `ScopeValues.TenantTags` list every environment and tenant tag of the space, for every set, so
//! the snapshot keeps them once (its environments and tag sets) and they are rebuilt here when a set
//! is merged. Built from the snapshot, they also hold what earlier stages of the same run created:
//! a variable scoped to an environment made a moment ago is kept, not dropped until the next run.

use crate::kind::Kind;
use crate::snapshot::{id_of, name_of, Snapshot};
use serde_json::{json, Value};

/// `set` with its environment and tenant-tag lookup tables taken from `space`.
pub fn with_space_scopes(set: &Value, space: &Snapshot) -> Value {
    let mut set = set.clone();
    if !set.get("ScopeValues").is_some_and(Value::is_object) {
        set["ScopeValues"] = json!({});
    }
    let environments: Vec<Value> = space
        .items(Kind::Environment)
        .iter()
        .map(|e| json!({"Id": id_of(e), "Name": name_of(e)}))
        .collect();
    // Variables scope tenant tags by canonical name (`Set/Tag`), which is both their id and name here.
    let tags: Vec<Value> = space
        .items(Kind::TagSet)
        .iter()
        .flat_map(|set| {
            let set_name = name_of(set).to_string();
            set.get("Tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(move |t| {
                    let canonical = format!("{set_name}/{}", name_of(t));
                    json!({"Id": canonical, "Name": canonical})
                })
        })
        .collect();
    set["ScopeValues"]["Environments"] = json!(environments);
    set["ScopeValues"]["TenantTags"] = json!(tags);
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_and_tags_come_from_the_space_and_the_rest_is_kept() {
        let space = Snapshot::from_docs([
            (
                Kind::Environment,
                vec![json!({"Id": "Environments-3", "Name": "Staging"})],
            ),
            (
                Kind::TagSet,
                vec![json!({"Id": "TagSets-1", "Name": "Region", "Tags": [{"Id": "TagSets-1/Tags-1", "Name": "EU"}]})],
            ),
        ]);
        let set = json!({"Variables": [], "ScopeValues": {"Machines": [{"Id": "Machines-1", "Name": "web"}]}});
        let out = with_space_scopes(&set, &space);
        assert_eq!(
            out["ScopeValues"]["Environments"],
            json!([{"Id": "Environments-3", "Name": "Staging"}])
        );
        assert_eq!(out["ScopeValues"]["TenantTags"][0]["Id"], "Region/EU");
        assert_eq!(out["ScopeValues"]["Machines"][0]["Name"], "web");
        let bare = with_space_scopes(&json!({"Variables": []}), &space);
        assert_eq!(bare["ScopeValues"]["Environments"][0]["Name"], "Staging");
    }
}
