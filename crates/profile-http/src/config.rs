//! The HTTP adapter's settings.

use std::time::Duration;

/// Settings of the HTTP adapter.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// The public base URL, such as `https://profile.example.com`.
    pub public_url: String,
    /// Whether to take the client address from `X-Forwarded-For` /
    /// `X-Real-IP` (only behind a trusted reverse proxy).
    pub trust_proxy_headers: bool,
    /// `max_body_bytes`: the largest JSON request body accepted.
    pub max_body_bytes: usize,
    /// How long a sign-in code works (shown to clients).
    pub code_ttl: Duration,
    /// How long a session lasts (the cookie's lifetime).
    pub session_ttl: Duration,
    /// The SHA-256 of the operator API key; `None` turns the operator API off.
    pub operator_key_sha256: Option<[u8; 32]>,
    /// Per provider id, the secret its reports are signed with; a provider
    /// missing here cannot report.
    pub provider_report_secrets: std::collections::HashMap<String, profile_domain::WebhookSecret>,
    /// How far a report's `webhook-timestamp` may be from now (either way).
    pub report_tolerance: Duration,
    /// The largest picture upload in bytes (the upload's body limit follows it).
    pub max_picture_bytes: u64,
    /// The sizes pictures are offered in, largest first.
    pub picture_sizes: Vec<u32>,
    /// Upload bodies read at once (`pictures.parallel` × 2): each may be
    /// as large as a picture may be, so this bounds their memory.
    pub upload_slots: usize,
    /// `pictures.upload_wait_secs`: how long an upload waits for a slot
    /// before it is answered `503 busy`.
    pub upload_wait: Duration,
    /// `pictures.upload_read_timeout_secs`: how long an upload's body may
    /// take to arrive (`408 upload_too_slow` after that).
    pub upload_read_timeout: Duration,
    /// The product's other services and what their keys allow.
    pub service_clients: Vec<crate::ServiceClient>,
    /// `profiles.cache_max_age_secs`: how long a reader may keep a public
    /// profile (`Cache-Control: private, max-age=`).
    pub profile_max_age: Duration,
}

impl HttpConfig {
    /// The origin (`scheme://host[:port]`) of the public URL.
    #[must_use]
    pub fn origin(&self) -> String {
        let url = self.public_url.trim_end_matches('/');
        match url.find("://") {
            Some(scheme_end) => {
                let rest = &url[scheme_end + 3..];
                let host_end = rest.find('/').unwrap_or(rest.len());
                url[..scheme_end + 3 + host_end].to_owned()
            }
            None => url.to_owned(),
        }
    }

    /// Whether cookies need the `Secure` attribute (an https public URL).
    #[must_use]
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> HttpConfig {
        HttpConfig {
            public_url: url.into(),
            trust_proxy_headers: false,
            max_body_bytes: 1024,
            code_ttl: Duration::from_secs(600),
            session_ttl: Duration::from_secs(3600),
            operator_key_sha256: None,
            provider_report_secrets: std::collections::HashMap::new(),
            report_tolerance: Duration::from_secs(300),
            max_picture_bytes: 10 * 1024 * 1024,
            picture_sizes: vec![512, 256, 128, 64],
            upload_slots: 4,
            upload_wait: Duration::from_secs(10),
            upload_read_timeout: Duration::from_secs(120),
            service_clients: Vec::new(),
            profile_max_age: Duration::from_secs(5),
        }
    }

    #[test]
    fn the_origin_drops_the_path() {
        assert_eq!(config("https://p.example.com/profile/").origin(), "https://p.example.com");
        assert_eq!(config("http://127.0.0.1:8080").origin(), "http://127.0.0.1:8080");
    }

    #[test]
    fn cookies_are_secure_only_for_an_https_public_url() {
        assert!(config("https://p.example.com").secure_cookies());
        assert!(!config("http://127.0.0.1:8080").secure_cookies());
    }
}
