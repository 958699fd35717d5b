//! `/v1/consent-purposes` and `/v1/me/consents`: the operator's purposes and
//! the user's choices.

use std::sync::Arc;

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use profile_domain::use_cases::Consents;
use profile_domain::{ConsentChannel, ConsentView, Purpose};
use time::OffsetDateTime;

use crate::ApiTags;
use crate::auth::SessionAuth;
use crate::error::ApiError;

/// The consent endpoints.
pub struct ConsentApi {
    pub(crate) consents: Arc<Consents>,
}

/// A purpose of the operator's catalogue.
#[derive(Debug, Object)]
pub struct PurposeBody {
    /// The purpose's id, used in `PUT /v1/me/consents/{purpose}`.
    pub id: String,
    /// `email` (a kind of message) or `data_use` (a use of data).
    pub kind: String,
    /// The short title.
    pub title: String,
    /// What the purpose means, in full.
    pub description: String,
    /// The current version; a new text means a new version.
    pub version: u32,
}

impl From<&Purpose> for PurposeBody {
    fn from(p: &Purpose) -> Self {
        Self {
            id: p.id.as_str().to_owned(),
            kind: p.kind.as_str().to_owned(),
            title: p.title.clone(),
            description: p.description.clone(),
            version: p.version,
        }
    }
}

/// A purpose with the user's answer in force.
#[derive(Debug, Object)]
pub struct ConsentBody {
    /// The purpose in its current version.
    pub purpose: PurposeBody,
    /// Whether it is on now. Nothing is on until the user turns it on.
    pub granted: bool,
    /// The version the user last answered, if any.
    #[oai(nullable)]
    pub answered_version: Option<u32>,
    /// When the user last answered, if ever.
    #[oai(nullable)]
    pub answered_at: Option<OffsetDateTime>,
    /// The purpose changed since the user answered: ask again.
    pub needs_answer: bool,
}

impl From<ConsentView> for ConsentBody {
    fn from(v: ConsentView) -> Self {
        Self {
            purpose: (&v.purpose).into(),
            granted: v.granted,
            answered_version: v.answered_version,
            answered_at: v.answered_at,
            needs_answer: v.needs_answer,
        }
    }
}

/// `PUT /v1/me/consents/{purpose}`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct ConsentChange {
    /// `true` to give consent, `false` to withdraw it.
    pub granted: bool,
    /// The purpose version the user was shown. When it is no longer the
    /// current one the change is refused (`409 purpose_changed`), so nobody
    /// is recorded as agreeing to words they did not see. Recommended.
    pub version: Option<u32>,
}

#[OpenApi(tag = "ApiTags::Consent")]
impl ConsentApi {
    /// The operator's purposes
    ///
    /// Public: every kind of email and use of data the operator asks
    /// consent for.
    #[oai(path = "/v1/consent-purposes", method = "get")]
    async fn purposes(&self) -> Json<Vec<PurposeBody>> {
        Json(self.consents.catalogue().purposes().iter().map(Into::into).collect())
    }

    /// Your consents
    #[oai(path = "/v1/me/consents", method = "get")]
    async fn my_consents(&self, auth: SessionAuth) -> Result<Json<Vec<ConsentBody>>, ApiError> {
        let user = auth.user()?;
        let views = self.consents.list(user.user_id).await?;
        Ok(Json(views.into_iter().map(Into::into).collect()))
    }

    /// Give or withdraw one consent
    ///
    /// Records the change in the consent ledger, with the purpose's version,
    /// a hash of its text and the channel (web page or API).
    #[oai(path = "/v1/me/consents/:purpose", method = "put")]
    async fn set_consent(
        &self,
        auth: SessionAuth,
        purpose: Path<String>,
        body: crate::strict_json::StrictJson<ConsentChange>,
    ) -> Result<Json<ConsentBody>, ApiError> {
        let channel = if auth.is_cookie() { ConsentChannel::Web } else { ConsentChannel::Api };
        let user = auth.user()?;
        let change = body.0;
        let view = self.consents.set(user.user_id, &purpose.0, change.granted, change.version, channel).await?;
        Ok(Json(view.into()))
    }
}
