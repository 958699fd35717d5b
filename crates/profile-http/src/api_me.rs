//! `/v1/me`: the signed-in user's profile.

use std::sync::Arc;

use poem_openapi::OpenApi;
use poem_openapi::payload::Json;
use profile_domain::DisplayName;
use profile_domain::use_cases::{ProfileError, Profiles};

use crate::ApiTags;
use crate::auth::SessionAuth;
use crate::dto::{Profile, ProfileChange, ProfileViews};
use crate::error::ApiError;

/// The profile endpoints.
pub struct MeApi {
    pub(crate) profiles: Arc<Profiles>,
    pub(crate) views: Arc<ProfileViews>,
}

fn profile_error(e: ProfileError) -> ApiError {
    match e {
        ProfileError::NotFound => ApiError::not_found("account_not_found", e.to_string()),
        ProfileError::Unexpected(e) => ApiError::internal(&e),
    }
}

#[OpenApi(tag = "ApiTags::Profile")]
impl MeApi {
    /// Read your profile
    #[oai(path = "/v1/me", method = "get")]
    async fn get_profile(&self, auth: SessionAuth) -> Result<Json<Profile>, ApiError> {
        let user = auth.user()?;
        let account = self.profiles.get(user.user_id).await.map_err(profile_error)?;
        Ok(Json(self.views.of(account).await?))
    }

    /// Change your display name
    #[oai(path = "/v1/me", method = "patch")]
    async fn change_profile(&self, auth: SessionAuth, body: Json<ProfileChange>) -> Result<Json<Profile>, ApiError> {
        let user = auth.user()?;
        let name = DisplayName::parse(&body.0.display_name)
            .map_err(|e| ApiError::bad_request("invalid_display_name", e.to_string()))?;
        let account = self.profiles.rename(user.user_id, &name).await.map_err(profile_error)?;
        Ok(Json(self.views.of(account).await?))
    }
}
