//! Matching never depends on the order of rows.

use super::*;
use std::collections::BTreeMap;

fn rotations(rows: &[Value]) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    for k in 0..rows.len() {
        let mut r = rows.to_vec();
        r.rotate_left(k);
        out.push(r.clone());
        r.reverse();
        out.push(r);
    }
    out
}

/// Per source row id: what was decided, about which destination row, and why.
type Decided = BTreeMap<String, (Outcome, Option<String>, String)>;

/// What a run decided for each source row, by its id.
fn decided(m: &Merge, source: &Value) -> Decided {
    m.decisions
        .iter()
        .flat_map(|d| {
            d.sources.iter().map(move |i| {
                let id = source["Variables"][*i]["Id"].as_str().unwrap().to_string();
                (id, (d.outcome, d.destination_id.clone(), d.reason.clone()))
            })
        })
        .collect()
}

#[test]
fn the_outcome_is_the_same_whatever_order_either_set_lists_its_rows_in() {
    let src_values = json!({"Environments": [{"Id": "Environments-1", "Name": "Staging"}, {"Id": "Environments-2", "Name": "Production"}, {"Id": "Environments-3", "Name": "Development"}]});
    let src_rows = vec![
        json!({"Id": "s1", "Name": "Db", "Value": "a", "Type": "String", "Scope": {"Environment": ["Environments-3"]}}),
        json!({"Id": "s2", "Name": "Db", "Value": "b-changed", "Type": "String", "Scope": {}}),
        json!({"Id": "s3", "Name": "Flag", "Value": "on", "Type": "String", "Scope": {"Environment": ["Environments-1"]}}),
        json!({"Id": "s4", "Name": "Flag", "Value": "on", "Type": "String", "Scope": {"Environment": ["Environments-2"]}}),
        json!({"Id": "s5", "Name": "Conn", "Value": "x", "Type": "String", "Scope": {"Role": ["sql"]}}),
        json!({"Id": "s6", "Name": "Secret", "Value": null, "Type": "Sensitive", "IsSensitive": true, "Scope": {}}),
        json!({"Id": "s7", "Name": "flag", "Value": "off", "Type": "String", "Scope": {}}),
    ];
    let dst_rows = vec![
        json!({"Id": "d1", "Name": "Db", "Value": "a", "Type": "String", "Scope": {}}),
        json!({"Id": "d2", "Name": "Db", "Value": "b", "Type": "String", "Scope": {}}),
        json!({"Id": "d3", "Name": "FLAG", "Value": "on", "Type": "String", "Scope": {"Environment": ["Environments-11"]}}),
        json!({"Id": "d4", "Name": "Conn", "Value": "x", "Type": "String", "Scope": {}}),
        json!({"Id": "d5", "Name": "Mine", "Value": "m", "Type": "String", "Scope": {}}),
    ];
    let rules = VariableRules {
        overwrite: VariableOverwrite::Overwrite,
        environments: MatchPolicy::IgnoreMismatch,
        ..VariableRules::default()
    };
    let mut seen: Option<(Vec<String>, Decided)> = None;
    for s in rotations(&src_rows) {
        for d in rotations(&dst_rows) {
            let source = set("src", s.clone(), src_values.clone());
            let m = run(&source, &set("dst", d, staging_production()), rules);
            let mut rows = table(&m);
            rows.sort();
            let now = (rows, decided(&m, &source));
            match &seen {
                None => seen = Some(now),
                Some(first) => assert_eq!(first, &now),
            }
        }
    }
    // And what it is: the changed duplicate updated, the two Flag scopes kept apart, the
    // connection string moved to its role, the secret added once.
    let (rows, _) = seen.unwrap();
    assert_eq!(
        rows,
        [
            "Conn = x (Role: sql)",
            "Db = a (unscoped)",
            "Db = b-changed (unscoped)",
            "FLAG = on (Environment: Staging)",
            "Flag = on (Environment: Production)",
            "Mine = m (unscoped)",
            "Secret = octosync-placeholder-replace-me (unscoped)",
            "flag = off (unscoped)",
        ]
    );
}
