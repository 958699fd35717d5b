//! The page the revert link opens. A `GET` only shows a button (mail scanners
//! follow links); the form's `POST` does the revert.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Form, Html, Query};
use poem::{IntoResponse, Response, handler};
use profile_domain::use_cases::EmailChanges;
use serde::Deserialize;

use crate::error::ApiError;
use crate::web_page::small_page;

/// The token in the link or the form.
#[derive(Deserialize)]
pub(crate) struct TokenField {
    token: String,
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(small_page(title, body))
}

/// Keeps only hex digits: the token is echoed into the page's form.
fn hex_only(token: &str) -> String {
    token.chars().filter(char::is_ascii_hexdigit).take(64).collect()
}

#[handler]
pub(crate) fn show(Query(field): Query<TokenField>) -> Html<String> {
    page(
        "Restore your old sign-in address?",
        &format!(
            "<p>This undoes the recent change of the address you sign in with. Every session of the \
             account will be signed out.</p>\
             <form method=\"post\" action=\"\">\
             <input type=\"hidden\" name=\"token\" value=\"{}\">\
             <button type=\"submit\" class=\"primary\">Restore my old address</button>\
             </form>",
            hex_only(&field.token)
        ),
    )
}

#[handler]
pub(crate) async fn submit(changes: Data<&Arc<EmailChanges>>, Form(field): Form<TokenField>) -> Response {
    match changes.revert(&field.token).await {
        Ok(()) => page(
            "Your old address is restored",
            "<p>It signs in again, and every session of the account was signed out. Sign in again to continue.</p>",
        )
        .into_response(),
        Err(e) => {
            let error = ApiError::from(e);
            let (status, message) = match &error {
                ApiError::Internal(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "Something failed; nothing was changed. Try again later.")
                }
                ApiError::Gone(_) => (StatusCode::GONE, "This link has expired."),
                ApiError::Conflict(body) if body.code == "revert_link_used" => {
                    (StatusCode::CONFLICT, "This link was already used.")
                }
                ApiError::Conflict(_) => {
                    (StatusCode::CONFLICT, "The old address now belongs to another account, so it cannot be restored.")
                }
                _ => (StatusCode::BAD_REQUEST, "This link is not valid."),
            };
            page("The address was not restored", &format!("<p>{message}</p>")).with_status(status).into_response()
        }
    }
}
