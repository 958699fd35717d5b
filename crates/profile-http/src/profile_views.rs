//! Builds the profile clients see from the account and its current
//! picture's files, rendered once per version.

use std::sync::Arc;

use profile_domain::Account;

use crate::dto::Profile;
use crate::error::ApiError;

/// Builds the profile clients see: the account and its picture's URLs.
pub(crate) struct ProfileViews {
    pub(crate) pictures: Arc<profile_domain::use_cases::Pictures>,
    /// Where pictures are served.
    pub(crate) links: profile_domain::PictureLinks,
    /// Each user's profile rendered once per version of the account and
    /// the picture's files.
    pub(crate) rendered: crate::render_cache::RenderCache<(Account, Option<Vec<profile_domain::PictureFile>>)>,
}

impl ProfileViews {
    /// The public base URL.
    pub(crate) fn base(&self) -> &str {
        self.links.base()
    }

    /// The files of the user's current picture.
    async fn current_files(
        &self,
        user: profile_domain::UserId,
    ) -> Result<Option<Vec<profile_domain::PictureFile>>, ApiError> {
        let current = self
            .pictures
            .picture(user, profile_domain::PictureSlot::Current)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        Ok(current.map(|p| p.files))
    }

    /// The profile of `account`.
    pub(crate) async fn of(&self, account: Account) -> Result<Profile, ApiError> {
        let files = self.current_files(account.id).await?;
        Ok(self.profile(account, files.as_deref()))
    }

    /// The profile of `account` as JSON, rendered once per version.
    pub(crate) async fn rendered(&self, account: Account) -> Result<crate::render_cache::Rendered, ApiError> {
        let files = self.current_files(account.id).await?;
        let version = (account, files);
        Ok(self.rendered.get(version.0.id, &version, |(account, files)| {
            let json = poem_openapi::types::ToJSON::to_json(&self.profile(account.clone(), files.as_deref()));
            crate::render_cache::Rendered::of(json.map(|v| v.to_string()).unwrap_or_default().into_bytes())
        }))
    }

    fn profile(&self, account: Account, files: Option<&[profile_domain::PictureFile]>) -> Profile {
        let shown = self.links.shown(account.id, account.display_name.as_ref(), files);
        Profile {
            id: account.id.as_uuid(),
            display_name: account.display_name.map(|n| n.as_str().to_owned()),
            email: account.email.as_str().to_owned(),
            created_at: account.created_at,
            updated_at: account.updated_at,
            picture: shown.into(),
        }
    }
}
