//! The response bodies several endpoint files share (the profile and its
//! picture). A body only one file uses is declared in that file, beside its
//! endpoints.

use poem_openapi::Object;
use time::OffsetDateTime;
use uuid::Uuid;

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

impl From<profile_domain::ShownPicture> for ProfilePicture {
    fn from(shown: profile_domain::ShownPicture) -> Self {
        Self { is_default: shown.is_default, urls: shown.urls.into_iter().map(Into::into).collect() }
    }
}
