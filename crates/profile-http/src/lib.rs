//! HTTP adapter of the profile service: the JSON API under `/v1` (poem-openapi),
//! authentication, the error mapping, the profile web page, `/openapi.json`,
//! `/docs`, `/healthz` and `/readyz`.
//!
//! Handlers see use cases, never ports: they parse, call one use case and
//! translate its answer.

mod api_auth;
mod api_consents;
mod api_email_change;
mod api_erasure;
mod api_export;
mod api_me;
mod api_operator;
mod api_pictures;
mod api_profiles;
mod api_providers;
mod api_tags;
mod api_unsubscribe;
mod auth;
mod client;
mod config;
mod docs_page;
mod dto;
mod error;
mod error_code;
mod error_from;
mod middleware;
mod openapi_doc;
mod picture_files;
mod profile_views;
mod render_cache;
mod rendered_json;
mod revert_page;
mod secure_cookie;
mod service_auth;
mod strict_json;
mod upload_gate;
mod web_page;

use std::sync::Arc;

use async_trait::async_trait;
use poem::endpoint::make_sync;
use poem::{EndpointExt, IntoEndpoint, Route, get, handler, http::StatusCode, web::Data};
use poem_openapi::OpenApiService;
use profile_domain::use_cases::{
    Consents, EmailChanges, Erasures, Exports, Pictures, Profiles, ProviderReports, ProviderSync, PublicProfiles,
    Sessions, SignIn, Unsubscribes,
};

pub use auth::SESSION_COOKIE;
pub use config::HttpConfig;
pub use error::ErrorBody;
pub use error_code::ErrorCode;
pub use secure_cookie::HOST_SESSION_COOKIE;
pub use service_auth::{ServiceClient, ServiceScope};

use crate::api_auth::AuthApi;
use crate::api_consents::ConsentApi;
use crate::api_email_change::EmailChangeApi;
use crate::api_erasure::ErasureApi;
use crate::api_export::ExportApi;
use crate::api_me::MeApi;
use crate::api_operator::{OperatorApi, OperatorGuard};
use crate::api_pictures::PictureApi;
use crate::api_profiles::ProfilesApi;
use crate::api_providers::ProviderApi;
use crate::api_tags::ApiTags;
use crate::api_unsubscribe::UnsubscribeApi;
use crate::auth::AuthContext;
use crate::picture_files::PictureFiles;
use crate::profile_views::ProfileViews;
use crate::service_auth::ServiceGuard;

/// The title of the API in the OpenAPI document.
pub const API_TITLE: &str = "Profile API";

/// The use cases the API calls.
pub struct UseCases {
    /// The time, for checks made at the edge (a report's signed timestamp).
    pub clock: Arc<dyn profile_domain::ports::Clock>,
    /// Passwordless sign-in.
    pub sign_in: Arc<SignIn>,
    /// Session checks and sign-out.
    pub sessions: Arc<Sessions>,
    /// The profile.
    pub profiles: Arc<Profiles>,
    /// Changes of login address.
    pub email_changes: Arc<EmailChanges>,
    /// Consents.
    pub consents: Arc<Consents>,
    /// Unsubscribe links and the operator's recipient lists.
    pub unsubscribes: Arc<Unsubscribes>,
    /// Reports from mailing-list providers.
    pub provider_reports: Arc<ProviderReports>,
    /// Delivery to mailing-list providers (its backlog, for the operator).
    pub provider_sync: Arc<ProviderSync>,
    /// Profile pictures.
    pub pictures: Arc<Pictures>,
    /// The export of a user's data.
    pub exports: Arc<Exports>,
    /// Deleting accounts.
    pub erasures: Arc<Erasures>,
    /// The rate limits that protect people, counted for every instance.
    pub rate_limits: Arc<profile_domain::use_cases::RateLimits>,
    /// Public profiles for the product's other services.
    pub public_profiles: Arc<PublicProfiles>,
}

/// Tells whether the service can serve requests (its database answers).
#[async_trait]
pub trait Readiness: Send + Sync {
    /// `Err` with a short reason, free of personal data, when not ready.
    async fn check(&self) -> Result<(), String>;
}

/// Every group of operations, in the order the document lists them.
type Apis = (
    AuthApi,
    MeApi,
    PictureApi,
    EmailChangeApi,
    ExportApi,
    ErasureApi,
    ConsentApi,
    UnsubscribeApi,
    OperatorApi,
    ProviderApi,
    ProfilesApi,
);

fn api_service(use_cases: &UseCases, config: &HttpConfig) -> OpenApiService<Apis, ()> {
    let auth = AuthApi {
        sign_in: use_cases.sign_in.clone(),
        sessions: use_cases.sessions.clone(),
        config: config.clone(),
        limits: use_cases.rate_limits.clone(),
    };
    let base = config.public_url.trim_end_matches('/').to_owned();
    let links = profile_domain::PictureLinks::new(&base, config.picture_sizes.clone());
    let views = Arc::new(ProfileViews {
        pictures: use_cases.pictures.clone(),
        links: links.clone(),
        rendered: render_cache::RenderCache::new(),
    });
    let me = MeApi { profiles: use_cases.profiles.clone(), views: views.clone(), erasures: use_cases.erasures.clone() };
    let pictures =
        PictureApi { pictures: use_cases.pictures.clone(), links: links.clone(), max_bytes: config.max_picture_bytes };
    let email_change = EmailChangeApi { changes: use_cases.email_changes.clone(), views };
    let export = ExportApi { exports: use_cases.exports.clone() };
    let consent = ConsentApi { consents: use_cases.consents.clone() };
    let unsubscribe = UnsubscribeApi { unsubscribes: use_cases.unsubscribes.clone() };
    let guard = Arc::new(OperatorGuard {
        key_sha256: config.operator_key_sha256,
        limits: use_cases.rate_limits.clone(),
        trust_proxy_headers: config.trust_proxy_headers,
    });
    let operator = OperatorApi { unsubscribes: use_cases.unsubscribes.clone(), guard: guard.clone() };
    let erasure = ErasureApi { erasures: use_cases.erasures.clone(), guard: guard.clone() };
    let services = ProfilesApi {
        profiles: use_cases.public_profiles.clone(),
        links,
        guard: Arc::new(ServiceGuard {
            clients: config.service_clients.clone(),
            limits: use_cases.rate_limits.clone(),
            trust_proxy_headers: config.trust_proxy_headers,
        }),
        cache_control: format!("private, max-age={}", config.profile_max_age.as_secs()),
        rendered: render_cache::RenderCache::new(),
    };
    let providers = ProviderApi {
        reports: use_cases.provider_reports.clone(),
        sync: use_cases.provider_sync.clone(),
        report_secrets: config.provider_report_secrets.clone(),
        tolerance: time::Duration::try_from(config.report_tolerance).unwrap_or(time::Duration::minutes(5)),
        clock: use_cases.clock.clone(),
        operator: guard,
    };
    OpenApiService::new(
        (auth, me, pictures, email_change, export, erasure, consent, unsubscribe, operator, providers, services),
        API_TITLE,
        env!("CARGO_PKG_VERSION"),
    )
    .server(config.public_url.clone())
}

/// The OpenAPI document of the API, as served at `/openapi.json`.
///
/// # Errors
/// When the generated document or the export's schema is not JSON (a bug
/// a test catches).
pub fn openapi_json(use_cases: &UseCases, config: &HttpConfig) -> Result<String, serde_json::Error> {
    openapi_doc::finish(&api_service(use_cases, config).spec())
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[handler]
async fn readyz(readiness: Data<&Arc<dyn Readiness>>) -> (StatusCode, String) {
    match readiness.check().await {
        Ok(()) => (StatusCode::OK, "ready".to_owned()),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready".to_owned())
        }
    }
}

/// The whole HTTP application.
///
/// # Errors
/// When its OpenAPI document cannot be written (a bug a test catches).
pub fn app(
    use_cases: &UseCases,
    config: &HttpConfig,
    readiness: Arc<dyn Readiness>,
) -> Result<impl IntoEndpoint + use<>, serde_json::Error> {
    let service = api_service(use_cases, config);
    let raw = service.spec();
    let document = openapi_doc::finish(&raw)?;
    let docs = get(docs_page::DocsPage::new(&service.swagger_ui_html(), &raw, &document).endpoint());
    let spec = get(make_sync(move |_| {
        poem::Response::builder().content_type("application/json; charset=utf-8").body(document.clone())
    }));
    let auth_context = Arc::new(AuthContext { sessions: use_cases.sessions.clone(), origin: config.origin() });
    let max_body = config.max_body_bytes;
    // An upload may be as large as a picture may be, plus the multipart framing.
    let max_upload = usize::try_from(config.max_picture_bytes).unwrap_or(usize::MAX).saturating_add(64 * 1024);
    let limits = use_cases.rate_limits.clone();
    let gate = Arc::new(upload_gate::UploadGate::new(
        config.upload_slots,
        config.upload_wait,
        config.upload_read_timeout,
        max_upload,
    ));
    let files = Arc::new(PictureFiles {
        pictures: use_cases.pictures.clone(),
        profiles: use_cases.profiles.clone(),
        sizes: config.picture_sizes.clone(),
    });
    let page = Arc::new(web_page::PagePolicy::new(&config.origin()));
    let secure = config.secure_cookies();
    Ok(Route::new()
        .at("/", get(web_page::home))
        .at("/sign-in", get(web_page::sign_in))
        .at("/profile", get(web_page::profile))
        .at("/deletion-receipts/:id", get(web_page::receipt))
        .at("/assets/:name", get(web_page::asset))
        .at("/v1/pictures/:user/:file", get(picture_files::public).data(files.clone()))
        .at("/v1/me/avatar/pending/preview/:file", get(picture_files::preview).data(files))
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz).data(readiness))
        .at("/openapi.json", spec)
        .at(
            "/email-change/revert",
            get(revert_page::show).post(revert_page::submit).data(use_cases.email_changes.clone()),
        )
        .at("/docs", docs)
        .nest_no_strip("/v1", service)
        .around(move |ep, req| {
            let (limits, gate) = (limits.clone(), gate.clone());
            async move {
                if req.method() == poem::http::Method::POST && req.uri().path() == "/v1/me/avatar/pending" {
                    gate.pass(ep, req, &limits).await
                } else {
                    middleware::limit_body(ep, req, max_body).await
                }
            }
        })
        // Outside the body limits: the upload's limit checks the session first.
        .data(auth_context)
        .catch_all_error(error::json_error)
        .around(move |ep, req| {
            let page = page.clone();
            async move { middleware::security_headers(ep, req, &page).await }
        })
        .around(move |ep, req| secure_cookie::https_only(ep, req, secure))
        .around(middleware::log_request))
}
