//! `ProviderTransport` over HTTP: one signed POST per notice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use profile_domain::ports::{Clock, NoticeRefused, ProviderTransport};
use profile_domain::{PictureLinks, ProviderId, ProviderNotice, WebhookSecret};
use url::Url;

use crate::body::notice_body;

/// The longest one delivery may take, connecting included.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);

/// Where and how one provider is reached.
#[derive(Clone, Debug)]
pub struct WebhookEndpoint {
    /// The provider.
    pub provider: ProviderId,
    /// The URL notices are POSTed to.
    pub url: Url,
    /// The secret they are signed with.
    pub secret: WebhookSecret,
}

/// Delivers notices to the configured endpoints.
pub struct WebhookTransport {
    client: reqwest::Client,
    endpoints: HashMap<ProviderId, WebhookEndpoint>,
    links: PictureLinks,
    clock: Arc<dyn Clock>,
}

impl WebhookTransport {
    /// A transport for `endpoints` (mailing-list providers and services
    /// alike); picture URLs in profile events are made under `links`, and
    /// each notice is stamped and signed with `clock`'s time.
    /// Redirects are not followed: a receiver must answer at the URL
    /// configured.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (no TLS roots).
    pub fn new(
        endpoints: Vec<WebhookEndpoint>,
        links: PictureLinks,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("profile-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let endpoints = endpoints.into_iter().map(|e| (e.provider.clone(), e)).collect();
        Ok(Self { client, endpoints, links, clock })
    }
}

/// A failure described without the URL or anything from the body.
fn describe(error: &reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_request() {
        "request failed"
    } else {
        "failed"
    };
    format!("webhook {what}")
}

#[async_trait]
impl ProviderTransport for WebhookTransport {
    async fn deliver(&self, notice: &ProviderNotice) -> Result<u16, NoticeRefused> {
        let endpoint = self
            .endpoints
            .get(&notice.provider)
            .ok_or_else(|| NoticeRefused { status: None, error: "provider not configured".into() })?;
        let now = self.clock.now();
        let body = notice_body(notice, now, &self.links).to_string();
        let id = notice.id.to_string();
        let timestamp = now.unix_timestamp();
        let signature = endpoint.secret.sign(&id, timestamp, body.as_bytes());
        let response = self
            .client
            .post(endpoint.url.clone())
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|e| NoticeRefused { status: None, error: describe(&e) })?;
        let status = response.status();
        if status.is_success() {
            Ok(status.as_u16())
        } else {
            Err(NoticeRefused {
                status: Some(status.as_u16()),
                error: format!("provider answered HTTP {}", status.as_u16()),
            })
        }
    }
}
