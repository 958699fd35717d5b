//! Request and response bodies of the JSON API, converted by hand from and to
//! domain types.

use poem_openapi::Object;
use profile_domain::Account;
use time::OffsetDateTime;
use uuid::Uuid;

/// `POST /v1/auth/sign-in`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct SignInRequest {
    /// The address to send a one-time code to.
    pub email: String,
}

/// The answer to a sign-in request; the same whether or not the address has
/// an account.
#[derive(Debug, Object)]
pub struct SignInStarted {
    /// How long the code will work, in seconds.
    pub code_valid_for_seconds: u64,
}

/// `POST /v1/auth/verify`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The address the code was sent to.
    pub email: String,
    /// The six-digit code from the message (spaces and hyphens allowed).
    pub code: String,
    /// `true` for a browser page: the session is given only as the
    /// HttpOnly cookie, so no script ever sees its token.
    #[oai(default)]
    pub cookie_only: bool,
}

/// A new session.
#[derive(Debug, Object)]
pub struct SessionCreated {
    /// The session token: send it as `Authorization: Bearer <token>`. It is
    /// shown once; only its hash is stored. Absent when `cookie_only` was
    /// asked for.
    #[oai(skip_serializing_if_is_none)]
    pub token: Option<String>,
    /// When the session ends.
    pub expires_at: OffsetDateTime,
    /// The signed-in user's id.
    pub user_id: Uuid,
    /// Whether this sign-in created the account.
    pub account_created: bool,
}

/// The session that made the request.
#[derive(Debug, Object)]
pub struct SessionInfo {
    /// The signed-in user's id.
    pub user_id: Uuid,
    /// When the user signed in with this session (deleting the account and
    /// changing the login address need a recent sign-in).
    pub signed_in_at: OffsetDateTime,
    /// For the session cookie only: the token to send in `X-CSRF-Token` with
    /// every change made with the cookie. Absent for a bearer token.
    #[oai(nullable)]
    pub csrf_token: Option<String>,
}

/// `PATCH /v1/me`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct ProfileChange {
    /// The new display name: 1 to 64 characters, no control or invisible
    /// characters; surrounding whitespace is trimmed.
    pub display_name: String,
}

/// The signed-in user's profile.
#[derive(Debug, Object)]
pub struct Profile {
    /// The user's id.
    pub id: Uuid,
    /// The name shown under the user's video; `null` until set.
    #[oai(nullable)]
    pub display_name: Option<String>,
    /// The address the user signs in with.
    pub email: String,
    /// When the account was created.
    pub created_at: OffsetDateTime,
    /// When the profile last changed.
    pub updated_at: OffsetDateTime,
    /// The picture others see: the uploaded one, or the default picture
    /// (initials on a colour); its URLs change whenever it does.
    pub picture: ProfilePicture,
}

/// The picture shown for a user.
#[derive(Debug, Object)]
pub struct ProfilePicture {
    /// `true` while no picture was uploaded (the initials are shown).
    pub is_default: bool,
    /// One URL per size, largest first.
    pub urls: Vec<crate::api_pictures::PictureUrl>,
}

/// Builds the profile clients see: the account and its picture's URLs.
pub(crate) struct ProfileViews {
    pub(crate) pictures: std::sync::Arc<profile_domain::use_cases::Pictures>,
    /// Where pictures are served.
    pub(crate) links: profile_domain::PictureLinks,
    /// Each user's profile rendered once per version of the account and
    /// the picture's files.
    pub(crate) rendered: crate::render_cache::RenderCache<(Account, Option<Vec<profile_domain::PictureFile>>)>,
}

impl From<profile_domain::ShownPicture> for ProfilePicture {
    fn from(shown: profile_domain::ShownPicture) -> Self {
        Self { is_default: shown.is_default, urls: shown.urls.into_iter().map(Into::into).collect() }
    }
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
    ) -> Result<Option<Vec<profile_domain::PictureFile>>, crate::error::ApiError> {
        let current = self
            .pictures
            .picture(user, profile_domain::PictureSlot::Current)
            .await
            .map_err(|e| crate::error::ApiError::internal(&e))?;
        Ok(current.map(|p| p.files))
    }

    /// The profile of `account`.
    pub(crate) async fn of(&self, account: Account) -> Result<Profile, crate::error::ApiError> {
        let files = self.current_files(account.id).await?;
        Ok(self.profile(account, files.as_deref()))
    }

    /// The profile of `account` as JSON, rendered once per version.
    pub(crate) async fn rendered(
        &self,
        account: Account,
    ) -> Result<crate::render_cache::Rendered, crate::error::ApiError> {
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
