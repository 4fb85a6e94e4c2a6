//! The JSON report: the stable, versioned machine-readable form of a [`Report`].

use super::model::{Report, REPORT_FORMAT_VERSION};
use anyhow::{bail, Context as _};

/// Pretty JSON with keys in the order the model declares them.
pub fn to_json(report: &Report) -> anyhow::Result<String> {
    serde_json::to_string_pretty(report).context("cannot serialise the report as JSON")
}

/// Reads a JSON report written by this version of octosync.
pub fn from_json(text: &str) -> anyhow::Result<Report> {
    // Check the version first, so a newer report says so instead of failing on a missing field.
    let value: serde_json::Value = serde_json::from_str(text).context("the report is not JSON")?;
    match value.get("format_version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(REPORT_FORMAT_VERSION) => {}
        Some(v) => bail!("the report has format_version {v}; this octosync reads version {REPORT_FORMAT_VERSION}"),
        None => bail!("the report has no numeric format_version"),
    }
    serde_json::from_value(value).context("the report does not match the report format")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn round_trips() {
        let report = sample_report();
        let text = to_json(&report).unwrap();
        assert_eq!(from_json(&text).unwrap(), report);
    }

    #[test]
    fn has_format_version_first_and_declared_key_order() {
        let text = to_json(&sample_report()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["format_version"], REPORT_FORMAT_VERSION);
        // The top-level keys as the file has them (a parsed `Value` sorts its keys).
        let keys: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  \"")?.split_once('"').map(|(k, _)| k))
            .collect();
        assert_eq!(
            keys,
            [
                "format_version",
                "tool_version",
                "mode",
                "started_at",
                "duration_ms",
                "source",
                "destination",
                "summary",
                "plan_fingerprint",
                "changes",
                "cleanup",
                "errors",
                "requests",
                "applied"
            ]
        );
        assert!(text.contains("\n  \"tool_version\": \"0.1.0\""), "pretty");
        assert!(text.contains("\"mode\": \"plan\""));
        assert!(text.contains("\"action\": \"create\""));
    }

    #[test]
    fn a_change_carries_its_field_diff_in_the_documented_shape() {
        let value = serde_json::to_value(sample_report()).unwrap();
        assert_eq!(value["format_version"], 2);
        let update = &value["changes"][1];
        assert_eq!(update["changed_fields"], serde_json::json!(["Phases"]));
        assert_eq!(
            update["diff"][0],
            serde_json::json!({
                "path": "Phases[Prod | Live].AutomaticDeploymentTargets",
                "op": "changed",
                "before": "[Staging (Environments-31)]",
                "after": "[Staging (Environments-31), Production (Environments-32)]"
            })
        );
        assert_eq!(update["diff"][1]["lines"][1], "- ```old");
        let create = &value["changes"][0]["diff"][0];
        assert_eq!(create["op"], "added");
        assert_eq!(create["before"], serde_json::Value::Null);
        assert_eq!(
            value["changes"][2]["diff"],
            serde_json::json!([]),
            "a change that writes nothing"
        );
    }

    #[test]
    fn request_counts_without_the_concurrency_of_later_versions_still_parse() {
        let mut value = serde_json::to_value(sample_report()).unwrap();
        assert_eq!(value["requests"]["destination"]["concurrency"]["decreases"], 2);
        value["requests"]["destination"]
            .as_object_mut()
            .unwrap()
            .remove("concurrency");
        let report = from_json(&value.to_string()).unwrap();
        assert_eq!(report.requests["destination"].concurrency, None);
        assert_eq!(report.requests["destination"].total, 33);
    }

    #[test]
    fn rejects_other_format_versions_and_garbage() {
        let mut value = serde_json::to_value(sample_report()).unwrap();
        value["format_version"] = (REPORT_FORMAT_VERSION + 1).into();
        let error = from_json(&value.to_string()).unwrap_err();
        assert!(error.to_string().contains("format_version"), "{error}");
        assert!(from_json("{}").is_err());
        assert!(from_json("not json").is_err());
    }
}
