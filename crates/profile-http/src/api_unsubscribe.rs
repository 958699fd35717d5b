//! `/v1/unsubscribe/{token}`: RFC 8058 one-click unsubscribe. A `POST` (what
//! mail clients send) withdraws the consent at once, with no session; a `GET`
//! (what a person or a mail scanner opening the link does) only shows a page
//! with a button.

use std::sync::Arc;

use poem_openapi::param::Path;
use poem_openapi::payload::Html;
use poem_openapi::{ApiResponse, OpenApi};
use profile_domain::use_cases::{UnsubscribeError, Unsubscribes};

use crate::ApiTags;
use crate::error::ApiError;
use crate::web_page::{escape, small_page};

/// The unsubscribe endpoints.
pub struct UnsubscribeApi {
    pub(crate) unsubscribes: Arc<Unsubscribes>,
}

#[derive(ApiResponse)]
enum Page {
    /// The page.
    #[oai(status = 200)]
    Ok(Html<String>),
    /// The link is not valid.
    #[oai(status = 400)]
    Invalid(Html<String>),
    /// The service failed; nothing was changed.
    #[oai(status = 500)]
    Failed(Html<String>),
}

/// A small page; `title`, `body` and the button's label are escaped here.
fn page(title: &str, body: &str, button: Option<&str>) -> String {
    let form = button.map_or_else(String::new, |label| {
        format!(
            "<form method=\"post\" action=\"\"><button type=\"submit\" class=\"primary\">{}</button></form>",
            escape(label)
        )
    });
    small_page(title, &format!("<p>{}</p>{form}", escape(body)))
}

/// The page of a link whose consent is withdrawn.
fn unsubscribed(title: &str) -> String {
    page("You are unsubscribed", &format!("You will no longer get \u{201c}{title}\u{201d} emails."), None)
}

fn invalid() -> Page {
    Page::Invalid(Html(page("This link is not valid", "It may have been replaced by a newer one.", None)))
}

#[OpenApi(tag = "ApiTags::Consent")]
impl UnsubscribeApi {
    /// Show the unsubscribe page
    ///
    /// Changes nothing: mail scanners open links. The page's button sends the
    /// `POST`.
    #[oai(path = "/v1/unsubscribe/:token", method = "get")]
    async fn unsubscribe_page(&self, token: Path<String>) -> Page {
        match self.unsubscribes.look_up(&token.0).await {
            Ok(view) if view.withdrawn => Page::Ok(Html(unsubscribed(&view.purpose.title))),
            Ok(view) => Page::Ok(Html(page(
                &format!("Unsubscribe from {}?", view.purpose.title),
                "You will no longer get these emails. You can turn them on again in your profile.",
                Some("Unsubscribe"),
            ))),
            Err(UnsubscribeError::InvalidLink) => invalid(),
            Err(UnsubscribeError::Unexpected(e)) => {
                // Logged with its chain; the person sees a page, not JSON.
                tracing::error!(error = %profile_domain::error_chain(&e), "the unsubscribe page failed");
                Page::Failed(Html(page("Something went wrong", "Nothing was changed. Please try again later.", None)))
            }
        }
    }

    /// Unsubscribe (RFC 8058 one-click)
    ///
    /// Withdraws the consent the link is for, with no session and no further
    /// click; recorded in the ledger with the `unsubscribe` channel. Any body
    /// (such as `List-Unsubscribe=One-Click`) is accepted and ignored. Using a
    /// link again changes nothing.
    #[oai(path = "/v1/unsubscribe/:token", method = "post")]
    async fn unsubscribe(&self, token: Path<String>) -> Result<Html<String>, ApiError> {
        let purpose = self.unsubscribes.unsubscribe(&token.0).await?;
        Ok(Html(unsubscribed(&purpose.title)))
    }
}
