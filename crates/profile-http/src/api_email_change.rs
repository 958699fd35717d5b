//! `/v1/me/email-change` and `/v1/email-change/revert`: changing the login
//! address with a code sent to the new one, and undoing it from the old one.

use std::sync::Arc;

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use profile_domain::EmailAddress;
use profile_domain::use_cases::EmailChanges;

use crate::ApiTags;
use crate::auth::SessionAuth;
use crate::dto::Profile;
use crate::error::ApiError;
use crate::error_from::seconds_up;

/// The address-change endpoints.
pub struct EmailChangeApi {
    pub(crate) changes: Arc<EmailChanges>,
    pub(crate) views: Arc<crate::profile_views::ProfileViews>,
}

/// `POST /v1/me/email-change`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct EmailChangeStart {
    /// The address to sign in with from now on.
    pub new_email: String,
}

/// The answer to a change request; the same whether or not another account
/// holds the address.
#[derive(Debug, Object)]
pub struct EmailChangeStarted {
    /// How long the code sent to the new address works, in seconds.
    pub code_valid_for_seconds: u64,
}

/// `POST /v1/me/email-change/confirm`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct EmailChangeConfirm {
    /// The six-digit code sent to the new address.
    pub code: String,
}

/// `POST /v1/email-change/revert`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct EmailChangeRevert {
    /// The token from the link sent to the old address.
    pub token: String,
}

#[derive(ApiResponse)]
enum ChangeStarted {
    /// A code is on its way to the new address.
    #[oai(status = 202)]
    Accepted(Json<EmailChangeStarted>),
}

#[derive(ApiResponse)]
enum Reverted {
    /// The old address is back and every session of the account has ended.
    #[oai(status = 204)]
    NoContent,
}

#[OpenApi(tag = "ApiTags::Profile")]
impl EmailChangeApi {
    /// Start changing your login address
    ///
    /// Sends a six-digit code to the new address; nothing changes until it is
    /// confirmed. Needs a recent sign-in (`reauthentication_required`
    /// otherwise). The answer is the same when another account holds the
    /// address: that address is told someone tried, and its code never works.
    #[oai(path = "/v1/me/email-change", method = "post")]
    async fn start_email_change(
        &self,
        auth: SessionAuth,
        body: crate::strict_json::StrictJson<EmailChangeStart>,
    ) -> Result<ChangeStarted, ApiError> {
        let who = auth.user()?;
        let new_email = EmailAddress::parse(&body.0.new_email)?;
        self.changes.start(&who, new_email).await?;
        let seconds = seconds_up(self.changes.policy().code_ttl);
        Ok(ChangeStarted::Accepted(Json(EmailChangeStarted { code_valid_for_seconds: seconds })))
    }

    /// Confirm the new login address
    ///
    /// Applies the change with the code sent to the new address. Every other
    /// session of the account ends; the old address gets a notice with a link
    /// that undoes the change.
    #[oai(path = "/v1/me/email-change/confirm", method = "post")]
    async fn confirm_email_change(
        &self,
        auth: SessionAuth,
        body: crate::strict_json::StrictJson<EmailChangeConfirm>,
    ) -> Result<Json<Profile>, ApiError> {
        let who = auth.user()?;
        let account = self.changes.confirm(&who, &body.0.code).await?;
        Ok(Json(self.views.of(account).await?))
    }

    /// Undo a change of login address
    ///
    /// With the token of the link sent to the old address: restores it and
    /// ends every session of the account. Needs no session.
    #[oai(path = "/v1/email-change/revert", method = "post")]
    async fn revert_email_change(
        &self,
        body: crate::strict_json::StrictJson<EmailChangeRevert>,
    ) -> Result<Reverted, ApiError> {
        self.changes.revert(&body.0.token).await?;
        Ok(Reverted::NoContent)
    }
}
