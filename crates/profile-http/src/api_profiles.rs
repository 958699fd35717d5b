//! `/v1/profiles/*`: public profiles (display name and picture, never the
//! address) for the product's other services, with a service key that
//! grants `profiles:read`.

use std::sync::Arc;

use poem::Request;
use poem_openapi::param::{Header, Path};
use poem_openapi::{ApiResponse, Object, OpenApi};
use profile_domain::use_cases::PublicProfiles;
use profile_domain::{PictureLinks, PublicProfile, UserId};
use uuid::Uuid;

use crate::ApiTags;
use crate::dto::ProfilePicture;
use crate::error::{ApiError, ErrorCode};
use crate::render_cache::{RenderCache, Rendered};
use crate::rendered_json::RenderedJson;
use crate::service_auth::{ServiceAuth, ServiceGuard, ServiceScope};
use crate::strict_json::StrictJson;

/// The public profile endpoints.
pub struct ProfilesApi {
    pub(crate) profiles: Arc<PublicProfiles>,
    pub(crate) links: PictureLinks,
    pub(crate) guard: Arc<ServiceGuard>,
    /// `Cache-Control` of a profile: `private, max-age=<profiles.cache_max_age_secs>`.
    pub(crate) cache_control: String,
    /// Each profile rendered once per version.
    pub(crate) rendered: RenderCache<PublicProfile>,
}

/// A user's public profile: what other services show of them.
#[derive(Debug, Object)]
#[oai(rename = "PublicProfile")]
pub struct PublicProfileBody {
    /// The user's id.
    pub id: Uuid,
    /// The name shown under the user's video; `null` until set.
    #[oai(nullable)]
    pub display_name: Option<String>,
    /// The picture shown beside it: the uploaded one, or the default
    /// picture (initials on a colour); its URLs change whenever it does.
    pub picture: ProfilePicture,
    /// When the name or the picture last changed.
    pub updated_at: time::OffsetDateTime,
}

/// `POST /v1/profiles/batch`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct ProfileBatchRequest {
    /// The users' ids, each at most once; at most `profiles.batch_max_ids`
    /// (500 by default).
    pub ids: Vec<Uuid>,
}

/// The profiles of a batch, in the order asked.
#[derive(Debug, Object)]
pub struct ProfileBatch {
    /// One entry per id asked for, in the same order.
    pub profiles: Vec<ProfileBatchEntry>,
}

/// One id of a batch and its profile, if it has one.
#[derive(Debug, Object)]
pub struct ProfileBatchEntry {
    /// The id asked for.
    pub id: Uuid,
    /// `false` for an unknown account, or one deleted or being deleted.
    pub found: bool,
    /// The profile; absent when not found.
    #[oai(skip_serializing_if_is_none)]
    pub profile: Option<PublicProfileBody>,
}

#[derive(ApiResponse)]
enum ProfileRead {
    /// The profile, with its `ETag`.
    #[oai(status = 200)]
    Ok(RenderedJson<PublicProfileBody>, #[oai(header = "ETag")] String, #[oai(header = "Cache-Control")] String),
    /// The profile is the one `If-None-Match` names.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String, #[oai(header = "Cache-Control")] String),
}

#[derive(ApiResponse)]
enum BatchRead {
    /// One entry per id, in the order asked.
    #[oai(status = 200)]
    Ok(RenderedJson<ProfileBatch>, #[oai(header = "Cache-Control")] String),
}

/// The bytes of a batch entry around its profile:
/// `{"id":"<36>","found":true,"profile":` and `}` and a comma.
const ENTRY_FRAME: usize = 80;

fn render(profile: &PublicProfile, links: &PictureLinks) -> Rendered {
    Rendered::of(profile.to_json(links).to_string().into_bytes())
}

impl ProfilesApi {
    fn rendered(&self, profile: &PublicProfile) -> Rendered {
        self.rendered.get(profile.id, profile, |p| render(p, &self.links))
    }
}

/// Whether an `If-None-Match` value names `etag` (weak or strong, or `*`).
fn matches_etag(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

#[OpenApi(tag = "ApiTags::Services")]
impl ProfilesApi {
    /// Read a public profile
    ///
    /// The display name and picture of one user, for a service whose key
    /// grants `profiles:read`; never the address. `profile_not_found` for an
    /// unknown account or one deleted or being deleted. Send the `ETag` back
    /// as `If-None-Match` to get `304` while it has not changed.
    #[oai(path = "/v1/profiles/:user_id", method = "get")]
    async fn profile(
        &self,
        req: &Request,
        auth: ServiceAuth,
        user_id: Path<String>,
        #[oai(name = "If-None-Match")] if_none_match: Header<Option<String>>,
    ) -> Result<ProfileRead, ApiError> {
        self.guard.check(&auth, req, ServiceScope::ProfilesRead).await?;
        let id = Uuid::parse_str(&user_id.0).map_err(|_| ApiError::of(ErrorCode::InvalidUserId))?;
        let profile = self.profiles.get(UserId::from_uuid(id)).await?;
        let rendered = self.rendered(&profile);
        let etag = rendered.etag.to_string();
        if if_none_match.0.as_deref().is_some_and(|tags| matches_etag(tags, &etag)) {
            return Ok(ProfileRead::NotModified(etag, self.cache_control.clone()));
        }
        Ok(ProfileRead::Ok(RenderedJson::new(rendered.json), etag, self.cache_control.clone()))
    }

    /// Read many public profiles
    ///
    /// Up to `profiles.batch_max_ids` (500 by default) users in one call, in
    /// the order asked, each with `found` and, when found, its profile
    /// (`too_many_ids` past the limit, `duplicate_ids` for an id named
    /// twice). For a service whose key grants `profiles:read`.
    #[oai(path = "/v1/profiles/batch", method = "post")]
    async fn batch(
        &self,
        req: &Request,
        auth: ServiceAuth,
        body: StrictJson<ProfileBatchRequest>,
    ) -> Result<BatchRead, ApiError> {
        self.guard.check(&auth, req, ServiceScope::ProfilesRead).await?;
        let ids: Vec<UserId> = body.0.ids.into_iter().map(UserId::from_uuid).collect();
        let answer = self.profiles.batch(&ids).await?;
        let found = answer.iter().filter_map(|(id, profile)| profile.as_ref().map(|p| (*id, p)));
        let mut rendered = self.rendered.get_many(found, |p| render(p, &self.links)).into_iter();
        let bodies: usize = rendered.as_slice().iter().map(|r| r.json.len()).sum();
        let mut json = Vec::with_capacity(16 + answer.len() * ENTRY_FRAME + bodies);
        json.extend_from_slice(b"{\"profiles\":[");
        for (i, (id, profile)) in answer.iter().enumerate() {
            if i > 0 {
                json.push(b',');
            }
            json.extend_from_slice(b"{\"id\":\"");
            json.extend_from_slice(id.as_uuid().hyphenated().encode_lower(&mut Uuid::encode_buffer()).as_bytes());
            match profile.as_ref().and_then(|_| rendered.next()) {
                Some(body) => {
                    json.extend_from_slice(b"\",\"found\":true,\"profile\":");
                    json.extend_from_slice(&body.json);
                }
                None => json.extend_from_slice(b"\",\"found\":false"),
            }
            json.push(b'}');
        }
        json.extend_from_slice(b"]}");
        Ok(BatchRead::Ok(RenderedJson::new(json), self.cache_control.clone()))
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::registry::Registry;
    use poem_openapi::types::Type;
    use time::macros::datetime;

    use super::*;

    #[test]
    fn if_none_match_names_the_tag_strong_weak_in_a_list_or_as_a_star() {
        let tag = "\"abc\"";
        for header in ["\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "*"] {
            assert!(matches_etag(header, tag), "{header}");
        }
        for header in ["\"abcd\"", "abc", "\"x\""] {
            assert!(!matches_etag(header, tag), "{header}");
        }
    }

    #[test]
    fn a_rendered_profile_has_the_documented_shape_and_a_tag_that_follows_it() {
        let links = PictureLinks::new("http://127.0.0.1:8080", vec![128, 64]);
        let mut profile = PublicProfile {
            id: UserId::new_v7(1, [4; 10]),
            display_name: None,
            picture: None,
            updated_at: datetime!(2026-12-06 12:00 UTC),
        };
        let first = render(&profile, &links);
        let value: serde_json::Value = serde_json::from_slice(&first.json).unwrap();
        let mut registry = Registry::new();
        PublicProfileBody::register(&mut registry);
        crate::strict_json::check(&registry, &PublicProfileBody::schema_ref(), &value, "the profile").unwrap();
        profile.display_name = Some(profile_domain::DisplayName::parse("Ada").unwrap());
        let second = render(&profile, &links);
        assert_ne!(first.etag, second.etag);
        assert_eq!(render(&profile, &links).etag, second.etag, "the same profile, the same tag");
    }
}
