//! Octopus Server versions and the version-skew rule (seed 003, "Avoid mismatched versions").

use std::fmt;

/// `YEAR.MINOR.BUILD[-prerelease][+meta]` as `GET /api` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OctopusVersion {
    /// Year-based major, e.g. 2024.
    pub major: u32,
    /// Minor within the year.
    pub minor: u32,
    /// Build number (0 when absent).
    pub build: u32,
    /// The text as reported.
    pub text: String,
}

impl OctopusVersion {
    /// Parses a reported version; `None` when it has no `major.minor`.
    pub fn parse(text: &str) -> Option<OctopusVersion> {
        let core = text.trim().split(['-', '+']).next()?;
        let mut parts = core.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let build = parts.next().and_then(|b| b.parse().ok()).unwrap_or(0);
        Some(OctopusVersion {
            major,
            minor,
            build,
            text: text.trim().to_string(),
        })
    }
}

impl fmt::Display for OctopusVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How far apart two instances are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skew {
    /// Same major.minor.
    Same,
    /// One minor apart within the same major: allowed, with a warning.
    OneMinor,
    /// Further apart: stop unless overridden.
    TooFar,
}

/// Compares source and destination versions.
pub fn skew(source: &OctopusVersion, destination: &OctopusVersion) -> Skew {
    if source.major != destination.major {
        return Skew::TooFar;
    }
    match source.minor.abs_diff(destination.minor) {
        0 => Skew::Same,
        1 => Skew::OneMinor,
        _ => Skew::TooFar,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(t: &str) -> OctopusVersion {
        OctopusVersion::parse(t).unwrap()
    }

    #[test]
    fn reported_versions_parse() {
        assert_eq!(v("2023.3.1205-hotfix.1753").minor, 3);
        assert_eq!(v("2020.5.0-rc.4+Branch.tags-2020.5.0-rc.4").major, 2020);
        assert_eq!(v("2022.1").build, 0);
        assert!(OctopusVersion::parse("latest").is_none());
    }

    #[test]
    fn skew_follows_the_one_minor_rule() {
        assert_eq!(skew(&v("2024.3.1"), &v("2024.3.9")), Skew::Same);
        assert_eq!(skew(&v("2024.2.1"), &v("2024.3.1")), Skew::OneMinor);
        assert_eq!(skew(&v("2024.1.1"), &v("2024.3.1")), Skew::TooFar);
        assert_eq!(skew(&v("2023.4.1"), &v("2024.1.1")), Skew::TooFar);
    }
}
