//! Redaction: the one place that decides what text may leave octosync.
//!
//! The task log, the reports (artifacts are uploaded as they are; Octopus masks only its own log) and
//! settings errors all pass their text through here. Two rules apply: every secret octosync was given
//! is masked wherever it appears, and anything shaped like an Octopus API key or a credential in a URL
//! is masked even when octosync was never told it is a secret (a key pasted into the wrong field, or
//! quoted back by a server).

/// What a masked secret is replaced with.
pub const MASK: &str = "********";

/// Secrets shorter than this are not masked: masking `ab` everywhere would garble the log, and
/// Octopus itself ignores such short values.
pub const MIN_SECRET_LEN: usize = 4;

/// Masks known secrets and credential-shaped text.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is masked whole.
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the list itself.
        write!(f, "Redactor({} secret(s))", self.secrets.len())
    }
}

impl Redactor {
    /// Masks every later occurrence of `secret` (and of its `\r`-free form).
    pub fn add(&mut self, secret: &str) {
        if secret.chars().count() < MIN_SECRET_LEN || self.secrets.iter().any(|s| s == secret) {
            return;
        }
        self.secrets.push(secret.to_string());
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// `text` with every known secret and every credential-shaped token masked.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        shape_safe(&out)
    }
}

/// `text` with API-key-shaped tokens (`API-` and 16 or more capitals or digits), the user info of
/// URLs (`https://user:pass@host`) and the values of credential query parameters (`apikey=…`,
/// `token=…`, `password=…`) masked.
pub fn shape_safe(text: &str) -> String {
    mask_query_credentials(&mask_url_userinfo(&mask_api_keys(text)))
}

fn mask_api_keys(text: &str) -> String {
    const MIN_KEY_BODY: usize = 16;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("API-") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let body_len = from[4..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            .count();
        // A word that merely ends in "API" (e.g. "OPENAPI-") is not a key.
        let glued = out.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
        if body_len >= MIN_KEY_BODY && !glued {
            out.push_str("API-");
            out.push_str(MASK);
            rest = &from[4 + body_len..];
        } else {
            out.push_str("API-");
            rest = &from[4..];
        }
    }
    out.push_str(rest);
    out
}

fn mask_url_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, from) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_end = from.find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace());
        let authority = &from[..authority_end.unwrap_or(from.len())];
        match authority.rfind('@') {
            Some(at_sign) => {
                out.push_str(MASK);
                out.push_str(&authority[at_sign..]);
            }
            None => out.push_str(authority),
        }
        rest = &from[authority.len()..];
    }
    out.push_str(rest);
    out
}

fn mask_query_credentials(text: &str) -> String {
    const NAMES: &[&str] = &[
        "apikey",
        "api_key",
        "api-key",
        "x-octopus-apikey",
        "token",
        "access_token",
        "password",
        "secret",
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(eq) = rest.find('=') {
        let (before, from) = rest.split_at(eq);
        let name_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |i| i + 1);
        let name = &before[name_start..];
        out.push_str(before);
        out.push('=');
        let value_len = from[1..]
            .find(|c: char| c == '&' || c == '#' || c.is_whitespace() || c == '\'' || c == '"')
            .unwrap_or(from.len() - 1);
        if NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)) && value_len > 0 {
            out.push_str(MASK);
            rest = &from[1 + value_len..];
        } else {
            rest = &from[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_are_masked_longest_first() {
        let mut r = Redactor::default();
        r.add("pass");
        r.add("password123");
        r.add("ab");
        assert_eq!(r.redact("x password123 pass ab"), "x ******** ******** ab");
    }

    #[test]
    fn an_api_key_nobody_declared_is_masked_by_its_shape() {
        let text = "bad key API-ABCDEFGHIJKLMNOPQRSTUVWX12 (sent API-SHORT and OPENAPI-ABCDEFGHIJKLMNOPQRST)";
        assert_eq!(
            shape_safe(text),
            "bad key API-******** (sent API-SHORT and OPENAPI-ABCDEFGHIJKLMNOPQRST)"
        );
    }

    #[test]
    fn credentials_in_urls_are_masked_but_the_host_stays() {
        assert_eq!(
            shape_safe("GET https://me:hunter2@b.example/api?apikey=abc123&take=5 failed"),
            "GET https://********@b.example/api?apikey=********&take=5 failed"
        );
        assert_eq!(shape_safe("a=b c==d token="), "a=b c==d token=");
        assert_eq!(shape_safe("Password=s3cret;"), "Password=********");
    }
}
