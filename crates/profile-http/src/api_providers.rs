//! `/v1/providers/{provider}/reports`: mailing-list providers report
//! unsubscribes, signed in the Standard Webhooks scheme; and
//! `/v1/operator/providers`: how delivery to each provider stands.

use std::collections::HashMap;
use std::sync::Arc;

use poem::{Request, RequestBody};
use poem_openapi::error::ContentTypeError;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, Object, OpenApi};
use profile_domain::ports::Clock;
use profile_domain::use_cases::{ProviderReports, ProviderSync, Unsubscribed};
use profile_domain::{SignatureError, WebhookSecret};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::ApiTags;
use crate::api_operator::{OperatorAuth, OperatorGuard};
use crate::error::{ApiError, ErrorCode};

/// The report type this service acts on.
const UNSUBSCRIBED: &str = "subscriber.unsubscribed";

/// The provider endpoints.
pub struct ProviderApi {
    pub(crate) reports: Arc<ProviderReports>,
    pub(crate) sync: Arc<ProviderSync>,
    /// The secret each provider that may report signs with.
    pub(crate) report_secrets: HashMap<String, WebhookSecret>,
    /// How far a report's timestamp may be from now.
    pub(crate) tolerance: time::Duration,
    /// The time the timestamp is checked against.
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) operator: Arc<OperatorGuard>,
}

/// A report from a provider.
#[derive(Debug, Object, Deserialize)]
pub struct ProviderReport {
    /// `subscriber.unsubscribed`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Whom and what it is about.
    pub data: ReportData,
}

/// Whom and what a report is about.
#[derive(Debug, Object, Deserialize)]
pub struct ReportData {
    /// The subscriber's address.
    pub email: String,
    /// The purpose (list) unsubscribed from; absent for every purpose the
    /// provider carries.
    pub purpose: Option<String>,
}

/// The outcome of a report.
#[derive(Debug, Object)]
struct ReportOutcome {
    /// The purposes whose consent was withdrawn now (empty when none was
    /// granted or the address has no account).
    withdrawn: Vec<String>,
}

/// The raw JSON body of a report: kept as bytes, because the signature
/// covers them exactly; parsed only once the signature holds.
pub struct SignedBody(Vec<u8>);

impl Payload for SignedBody {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        content_type.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    }

    fn schema_ref() -> MetaSchemaRef {
        ProviderReport::schema_ref()
    }

    fn register(registry: &mut Registry) {
        ProviderReport::register(registry);
    }
}

impl ParsePayload for SignedBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self(<Vec<u8> as poem::FromRequest>::from_request(request, body).await?))
    }
}

impl<'a> ApiExtractor<'a> for SignedBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType { content_type: Self::CONTENT_TYPE, schema: Self::schema_ref() }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _options: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(content_type) if Self::check_content_type(content_type) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(content_type) => Err(ContentTypeError::NotSupported { content_type: content_type.to_owned() }.into()),
            None => Err(ContentTypeError::ExpectContentType.into()),
        }
    }
}

/// How delivery to one provider stands.
#[derive(Debug, Object)]
struct Backlog {
    /// The provider.
    provider: String,
    /// Notices not yet accepted.
    pending: u64,
    /// Notices accepted and still on record.
    delivered: u64,
    /// When the oldest pending notice was queued.
    #[oai(nullable)]
    oldest_pending_at: Option<OffsetDateTime>,
    /// The most recent delivery error, while notices are pending.
    #[oai(nullable)]
    last_error: Option<String>,
}

#[OpenApi]
impl ProviderApi {
    /// Report an unsubscribe (mailing-list providers)
    ///
    /// A provider tells this service that a subscriber unsubscribed on its
    /// side; the consent is withdrawn with the `provider` channel and the
    /// other providers of the purpose are told. Signed like the notices this
    /// service sends (Standard Webhooks: `webhook-id`, `webhook-timestamp`
    /// within the tolerance, `webhook-signature`), with the provider's
    /// `report_secret`; a `webhook-id` already handled is refused as a
    /// replay (`409`: it was handled; treat it as done). Providers can only
    /// withdraw, never grant.
    #[oai(path = "/v1/providers/:provider/reports", method = "post", tag = "ApiTags::Providers")]
    async fn report(
        &self,
        provider: Path<String>,
        #[oai(name = "webhook-id")] id: Header<Option<String>>,
        #[oai(name = "webhook-timestamp")] timestamp: Header<Option<String>>,
        #[oai(name = "webhook-signature")] signature: Header<Option<String>>,
        body: SignedBody,
    ) -> Result<Json<ReportOutcome>, ApiError> {
        let secret = self.report_secrets.get(&provider.0).ok_or_else(|| ApiError::of(ErrorCode::ProviderUnknown))?;
        let (Some(id), Some(timestamp), Some(signature)) = (id.0, timestamp.0, signature.0) else {
            return Err(ApiError::from(SignatureError::Malformed));
        };
        secret.verify(&id, &timestamp, &signature, &body.0, self.clock.now(), self.tolerance)?;
        let report: ProviderReport =
            serde_json::from_slice(&body.0).map_err(|_| ApiError::of(ErrorCode::ReportInvalid))?;
        if report.kind != UNSUBSCRIBED {
            return Err(ApiError::with_message(
                ErrorCode::ReportTypeUnknown,
                format!("only {UNSUBSCRIBED} reports are taken"),
            ));
        }
        let unsubscribed =
            Unsubscribed { report_id: &id, email: &report.data.email, purpose: report.data.purpose.as_deref() };
        let withdrawn = self.reports.unsubscribed(&provider.0, unsubscribed).await?;
        Ok(Json(ReportOutcome { withdrawn: withdrawn.iter().map(ToString::to_string).collect() }))
    }

    /// Delivery to each provider
    ///
    /// For every provider with notices on record: how many wait, how many
    /// were accepted, since when the oldest waits, and the last error.
    #[oai(path = "/v1/operator/providers", method = "get", tag = "ApiTags::Operator")]
    async fn backlog(&self, req: &Request, auth: OperatorAuth) -> Result<Json<Vec<Backlog>>, ApiError> {
        self.operator.check(&auth, req).await?;
        let backlog = self.sync.backlog().await.map_err(|e| ApiError::internal(&e))?;
        Ok(Json(
            backlog
                .into_iter()
                .map(|b| Backlog {
                    provider: b.provider.to_string(),
                    pending: b.pending,
                    delivered: b.delivered,
                    oldest_pending_at: b.oldest_pending_at,
                    last_error: b.last_error,
                })
                .collect(),
        ))
    }
}
