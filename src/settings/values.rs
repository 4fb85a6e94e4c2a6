//! Parsing of values the way an Octopus step delivers them.
//!
//! Checkbox parameters arrive as `True`/`False` in any case, an unset parameter arrives as an empty
//! string, and lists come either comma-separated or one per line (MultiLineText).

/// Error text for one bad value; the caller adds the variable name.
pub type ValueError = String;

/// Empty or whitespace-only means "not set".
pub fn non_empty(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|v| !v.is_empty())
}

/// `True` or `False` in any case, exactly what an Octopus checkbox delivers; `None` when unset.
///
/// Nothing else is accepted (`yes`, `1`, `on` …): a value that is neither was typed by hand, and
/// guessing what it meant could turn a drift check or a version override on by accident.
pub fn parse_bool(raw: Option<&str>) -> Result<Option<bool>, ValueError> {
    match non_empty(raw) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(v) => Err(format!("expected True or False, got '{v}'")),
    }
}

/// A whole number within `min..=max`; `None` when unset.
pub fn parse_number(raw: Option<&str>, min: u64, max: u64) -> Result<Option<u64>, ValueError> {
    match non_empty(raw) {
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(format!("expected a whole number from {min} to {max}, got '{v}'")),
        },
    }
}

/// Items separated by commas and/or new lines, trimmed, empties dropped.
pub fn parse_list(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or_default()
        .split([',', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// One of `options` (case-insensitive); returns the canonical spelling.
pub fn parse_choice(raw: Option<&str>, options: &[&'static str]) -> Result<Option<&'static str>, ValueError> {
    match non_empty(raw) {
        None => Ok(None),
        Some(v) => options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(v))
            .map(|o| Some(*o))
            .ok_or_else(|| format!("expected one of {}, got '{v}'", options.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octopus_checkbox_values_parse_in_any_case() {
        assert_eq!(parse_bool(Some("True")), Ok(Some(true)));
        assert_eq!(parse_bool(Some("FALSE")), Ok(Some(false)));
        assert_eq!(parse_bool(Some("")), Ok(None));
        assert_eq!(parse_bool(None), Ok(None));
        assert!(parse_bool(Some("maybe")).unwrap_err().contains("True or False"));
    }

    #[test]
    fn only_true_and_false_are_booleans() {
        for other in ["yes", "no", "1", "0", "on", "Y"] {
            let err = parse_bool(Some(other)).unwrap_err();
            assert!(err.contains("expected True or False"), "{other}: {err}");
        }
    }

    #[test]
    fn lists_split_on_commas_and_new_lines() {
        assert_eq!(
            parse_list(Some("AWS*, Global\r\nNotification\n\n,SQL Server ")),
            vec!["AWS*", "Global", "Notification", "SQL Server"]
        );
        assert!(parse_list(Some("  ")).is_empty());
    }

    #[test]
    fn numbers_are_range_checked() {
        assert_eq!(parse_number(Some("8"), 1, 64), Ok(Some(8)));
        assert!(parse_number(Some("0"), 1, 64).is_err());
        assert!(parse_number(Some("eight"), 1, 64).is_err());
    }

    #[test]
    fn choices_are_case_insensitive_and_canonicalised() {
        assert_eq!(parse_choice(Some("APPLY"), &["plan", "apply"]), Ok(Some("apply")));
        assert!(parse_choice(Some("go"), &["plan", "apply"])
            .unwrap_err()
            .contains("plan, apply"));
    }
}
