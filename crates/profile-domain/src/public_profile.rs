//! What the rest of the product may see of a user: the public profile (the
//! display name and the picture), never the address; and where the
//! picture's files are served, the same for the user's own view, the
//! service API and the change events.

use time::OffsetDateTime;

use crate::{DisplayName, PictureFile, UserId, default_picture_name};

/// A user's public profile, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicProfile {
    /// Whose.
    pub id: UserId,
    /// The name shown under the user's video; `None` until set.
    pub display_name: Option<DisplayName>,
    /// The files of the current picture; `None` while the default picture
    /// (initials on a colour) shows.
    pub picture: Option<Vec<PictureFile>>,
    /// When the name or the picture last changed.
    pub updated_at: OffsetDateTime,
}

/// One URL of a picture, at one size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizedUrl {
    /// Width and height in pixels.
    pub size: u32,
    /// Where it is served.
    pub url: String,
}

/// The picture shown for a user, as URLs, largest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownPicture {
    /// `true` while no picture was uploaded (the initials show).
    pub is_default: bool,
    /// One URL per size, largest first.
    pub urls: Vec<SizedUrl>,
}

/// Where pictures are served: the service's public URL, and the sizes the
/// default picture is drawn at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PictureLinks {
    base: String,
    sizes: Vec<u32>,
}

impl PictureLinks {
    /// Links under `public_url`; the default picture at `sizes`, largest first.
    #[must_use]
    pub fn new(public_url: &str, sizes: Vec<u32>) -> Self {
        Self { base: public_url.trim_end_matches('/').to_owned(), sizes }
    }

    /// The public base URL, without a trailing slash.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The picture others see of `user`: the files of the current picture,
    /// or the default picture of `name` when there is none.
    #[must_use]
    pub fn shown(&self, user: UserId, name: Option<&DisplayName>, files: Option<&[PictureFile]>) -> ShownPicture {
        match files {
            Some(files) => ShownPicture {
                is_default: false,
                urls: files
                    .iter()
                    .map(|f| SizedUrl { size: f.size, url: self.public_file(user, &f.file_name()) })
                    .collect(),
            },
            None => ShownPicture {
                is_default: true,
                urls: self
                    .sizes
                    .iter()
                    .map(|&size| SizedUrl {
                        size,
                        url: self.public_file(user, &default_picture_name(user, name, size)),
                    })
                    .collect(),
            },
        }
    }

    /// The picture of a public profile.
    #[must_use]
    pub fn of_profile(&self, profile: &PublicProfile) -> ShownPicture {
        self.shown(profile.id, profile.display_name.as_ref(), profile.picture.as_deref())
    }

    /// The preview URLs of a pending picture's files (only its owner can
    /// open them).
    #[must_use]
    pub fn previews(&self, files: &[PictureFile]) -> Vec<SizedUrl> {
        files
            .iter()
            .map(|f| SizedUrl {
                size: f.size,
                url: format!("{}/v1/me/avatar/pending/preview/{}", self.base, f.file_name()),
            })
            .collect()
    }

    fn public_file(&self, user: UserId, file: &str) -> String {
        format!("{}/v1/pictures/{user}/{file}", self.base)
    }
}

impl PublicProfile {
    /// The profile as other services read it, in `GET /v1/profiles/{id}`
    /// and in the `profile.updated` event alike: `id`, `display_name`
    /// (`null` until set), `picture` (`is_default` and `urls`, largest
    /// first) and `updated_at` (RFC 3339, UTC).
    #[must_use]
    pub fn to_json(&self, links: &PictureLinks) -> serde_json::Value {
        let shown = links.of_profile(self);
        let urls: Vec<serde_json::Value> =
            shown.urls.iter().map(|u| serde_json::json!({ "size": u.size, "url": u.url })).collect();
        serde_json::json!({
            "id": self.id.to_string(),
            "display_name": self.display_name.as_ref().map(DisplayName::as_str),
            "picture": { "is_default": shown.is_default, "urls": urls },
            "updated_at": rfc3339(self.updated_at),
        })
    }
}

/// A moment as RFC 3339 text in UTC.
fn rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::ImageFormat;

    fn user() -> UserId {
        UserId::new_v7(1, [3; 10])
    }

    #[test]
    fn an_uploaded_picture_links_to_its_files_by_hash() {
        let links = PictureLinks::new("https://p.example.com/", vec![256, 64]);
        let files = [PictureFile::of(256, ImageFormat::Jpeg, b"a"), PictureFile::of(64, ImageFormat::Jpeg, b"b")];
        let shown = links.shown(user(), None, Some(&files));
        assert!(!shown.is_default);
        assert_eq!(shown.urls.len(), 2);
        assert_eq!(shown.urls[0].url, format!("https://p.example.com/v1/pictures/{}/{}", user(), files[0].file_name()));
        assert_eq!(shown.urls[1].size, 64);
    }

    #[test]
    fn the_default_picture_follows_the_name_at_every_configured_size() {
        let links = PictureLinks::new("http://127.0.0.1:8080", vec![512, 128]);
        let ada = DisplayName::parse("Ada").unwrap();
        let profile = PublicProfile {
            id: user(),
            display_name: Some(ada.clone()),
            picture: None,
            updated_at: datetime!(2026-12-06 12:00 UTC),
        };
        let shown = links.of_profile(&profile);
        assert!(shown.is_default);
        assert_eq!(shown.urls.iter().map(|u| u.size).collect::<Vec<_>>(), [512, 128]);
        assert!(shown.urls[1].url.ends_with(&default_picture_name(user(), Some(&ada), 128)));
        let renamed = links.shown(user(), Some(&DisplayName::parse("Grace").unwrap()), None);
        assert_ne!(renamed.urls[0].url, shown.urls[0].url, "new initials, new URL");
    }

    #[test]
    fn the_json_holds_the_public_fields_only() {
        let links = PictureLinks::new("http://127.0.0.1:8080", vec![64]);
        let profile = PublicProfile {
            id: user(),
            display_name: None,
            picture: None,
            updated_at: datetime!(2026-12-06 12:00:00.5 +01:00),
        };
        let json = profile.to_json(&links);
        let mut keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["display_name", "id", "picture", "updated_at"]);
        assert_eq!(json["display_name"], serde_json::Value::Null);
        assert_eq!(json["updated_at"], "2026-12-06T11:00:00.5Z");
        assert_eq!(json["picture"]["urls"][0]["size"], 64);
        assert_eq!(json["picture"]["is_default"], true);
    }
}
