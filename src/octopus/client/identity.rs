//! Which server and space a client reaches: the installation id, the space resolved by name (or
//! the whole instance of a pre-2019 server), and whether two clients reach the same space.

use super::Client;
use crate::octopus::version::OctopusVersion;
use anyhow::{bail, Context, Result};
use serde_json::Value;

/// The space every pre-2019 instance implicitly is, and every newer one starts with.
const DEFAULT_SPACE: &str = "Default";

/// Whether two connected clients reach the same space of the same Octopus Server, however their
/// URLs are spelled (`localhost` and `127.0.0.1`, a load balancer and a node, an alias).
pub fn same_space(a: &Client, b: &Client) -> bool {
    match (a.installation_id(), b.installation_id()) {
        // Spaces are told apart by id; two pre-2019 clients (no ids) share the only space there is.
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y) && a.space_id() == b.space_id(),
        // A server that does not say which installation it is (something in front of it trims the
        // root document): only the URL text is left, as the settings already compared it.
        _ => {
            a.base_url().eq_ignore_ascii_case(b.base_url())
                && a.space_name().trim().eq_ignore_ascii_case(b.space_name().trim())
        }
    }
}

/// The `InstallationId` named by the API root document, if any.
pub(super) fn installation_id(root: &Value) -> Option<String> {
    root.get("InstallationId")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_string)
}

impl Client {
    /// The id of the configured space on a server running `version`; `None` on a pre-2019 server,
    /// whose whole instance is its Default space.
    pub(super) async fn space_of(&self, version: &OctopusVersion) -> Result<Option<String>> {
        // Spaces arrived in 2019.1; older servers only have the legacy routes, which are the whole
        // instance. That is the space named Default on a newer server; any other name would be
        // silently ignored, and the writes would land somewhere the administrator did not choose.
        if version.major >= 2019 {
            return Ok(Some(self.resolve_space().await?));
        }
        if !self.space_name.trim().eq_ignore_ascii_case(DEFAULT_SPACE) {
            bail!(
                "the {} instance at {} runs Octopus {version}, which has no spaces (they arrived in 2019.1), so it has no space '{}'; set OCTOSYNC_{}_SPACE to {DEFAULT_SPACE} to sync the instance as a whole, or point OCTOSYNC_{}_URL at an instance that has that space",
                self.role,
                self.base_url,
                self.space_name.trim(),
                self.role.to_ascii_uppercase(),
                self.role.to_ascii_uppercase()
            );
        }
        tracing::debug!(
            "the {} instance runs Octopus {version}, which has no spaces; the whole instance is its {DEFAULT_SPACE} space",
            self.role
        );
        Ok(None)
    }

    /// The id of the space named in the settings, listed from the server.
    async fn resolve_space(&self) -> Result<String> {
        let spaces = self
            .list_all("/api/spaces")
            .await
            .with_context(|| self.describe_failure("could not list the spaces"))?;
        let wanted = self.space_name.trim();
        if let Some(id) = spaces
            .iter()
            .find(|s| {
                s.get("Name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(wanted))
            })
            .and_then(|s| s.get("Id").and_then(Value::as_str))
        {
            return Ok(id.to_string());
        }
        let names: Vec<&str> = spaces
            .iter()
            .filter_map(|s| s.get("Name").and_then(Value::as_str))
            .collect();
        bail!(
            "the space '{wanted}' does not exist on the {} instance at {} (spaces there: {}); octosync never creates spaces, so create it or fix OCTOSYNC_{}_SPACE",
            self.role,
            self.base_url,
            if names.is_empty() { "none visible to this API key".to_string() } else { names.join(", ") },
            self.role.to_ascii_uppercase()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::octopus::ClientOptions;
    use crate::settings::{ApiKey, HttpSettings, InstanceSettings};

    fn connected(url: &str, space: &str, installation: Option<&str>, space_id: Option<&str>) -> Client {
        let settings = InstanceSettings {
            role: "source",
            url: url.into(),
            api_key: ApiKey::new("API-TEST"),
            space: space.into(),
        };
        let mut c = Client::new(&settings, ClientOptions::from(HttpSettings::default())).unwrap();
        c.installation_id = installation.map(str::to_string);
        c.space_id = space_id.map(str::to_string);
        c
    }

    #[test]
    fn the_same_installation_and_space_is_the_same_space_however_the_url_is_spelled() {
        let id = Some("9f155416-5d9e-4e19-ba58-b710d4edf336");
        let a = connected("http://127.0.0.1:8080", "Default", id, Some("Spaces-1"));
        let b = connected("http://localhost:8080", "default", id, Some("Spaces-1"));
        assert!(same_space(&a, &b));
        let other_space = connected("http://localhost:8080", "Mirror", id, Some("Spaces-2"));
        assert!(!same_space(&a, &other_space));
        let other_server = connected("http://127.0.0.1:8080", "Default", Some("0e9b"), Some("Spaces-1"));
        assert!(!same_space(&a, &other_server));
        let both_pre_2019 = (
            connected("http://a", "Default", id, None),
            connected("http://b", "Default", id, None),
        );
        assert!(same_space(&both_pre_2019.0, &both_pre_2019.1));
    }

    #[test]
    fn without_an_installation_id_only_the_url_text_can_tell() {
        let a = connected("http://127.0.0.1:8080", "Default", None, Some("Spaces-1"));
        let b = connected("http://localhost:8080", "Default", Some("9f15"), Some("Spaces-1"));
        assert!(!same_space(&a, &b));
        let c = connected("HTTP://127.0.0.1:8080", "Default", None, Some("Spaces-1"));
        assert!(same_space(&a, &c));
    }
}
