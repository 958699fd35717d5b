//! `/v1/me`: the signed-in user's profile.

use std::sync::Arc;

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use profile_domain::DisplayName;
use profile_domain::use_cases::{Erasures, Profiles};

use crate::ApiTags;
use crate::api_erasure::{DeleteAccount, Deleting, request_deletion};
use crate::auth::SessionAuth;
use crate::dto::Profile;
use crate::error::ApiError;
use crate::profile_views::ProfileViews;
use crate::rendered_json::RenderedJson;

/// `PATCH /v1/me`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct ProfileChange {
    /// The new display name: 1 to 64 characters, no control or invisible
    /// characters; surrounding whitespace is trimmed.
    pub display_name: String,
}

/// The profile endpoints.
pub struct MeApi {
    pub(crate) profiles: Arc<Profiles>,
    pub(crate) views: Arc<ProfileViews>,
    pub(crate) erasures: Arc<Erasures>,
}

#[OpenApi(tag = "ApiTags::Profile")]
impl MeApi {
    /// Read your profile
    #[oai(path = "/v1/me", method = "get")]
    async fn get_profile(&self, auth: SessionAuth) -> Result<RenderedJson<Profile>, ApiError> {
        let user = auth.user()?;
        let account = self.profiles.get(user.user_id).await?;
        Ok(RenderedJson::new(self.views.rendered(account).await?.json))
    }

    /// Change your display name
    #[oai(path = "/v1/me", method = "patch")]
    async fn change_profile(
        &self,
        auth: SessionAuth,
        body: crate::strict_json::StrictJson<ProfileChange>,
    ) -> Result<Json<Profile>, ApiError> {
        let user = auth.user()?;
        let name = DisplayName::parse(&body.0.display_name)?;
        let account = self.profiles.rename(user.user_id, &name).await?;
        Ok(Json(self.views.of(account).await?))
    }

    /// Delete your account and all your data
    ///
    /// Needs a recent sign-in (`reauthentication_required` otherwise) and
    /// your login email address typed as `confirm`
    /// (`confirmation_mismatch` otherwise). Every session ends at once and
    /// the account leaves every mailing list. Then everything is erased,
    /// mailing-list providers told, and a confirmation emailed; signing in
    /// is refused meanwhile, and the erasure cannot be undone. Where the
    /// operator set a grace period, the erasure starts only after it:
    /// until then you may sign in again, see the deletion at
    /// `GET /v1/me/deletion` and cancel it with `DELETE /v1/me/deletion`.
    #[oai(path = "/v1/me", method = "delete")]
    async fn delete_account(
        &self,
        auth: SessionAuth,
        body: crate::strict_json::StrictJson<DeleteAccount>,
    ) -> Result<Deleting, ApiError> {
        let who = auth.user()?;
        request_deletion(&self.erasures, self.views.base(), &who, &body.0.confirm).await
    }
}
