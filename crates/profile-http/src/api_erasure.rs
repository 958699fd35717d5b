//! Deleting the account: `DELETE /v1/me`, the public receipt at
//! `/v1/deletion-receipts/{id}`, and the operator's list of receipts.

use std::sync::Arc;

use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use profile_domain::EmailAddress;
use profile_domain::erasure::{DeletionReceipt, ReceiptId};
use profile_domain::use_cases::Erasures;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ApiTags;
use crate::api_operator::{OperatorAuth, OperatorGuard};
use crate::auth::SessionAuth;
use crate::error::{ApiError, ErrorCode};

/// Receipts listed for the operator at most.
const RECEIPTS_LISTED: u32 = 200;

/// The deletion endpoints.
pub struct ErasureApi {
    pub(crate) erasures: Arc<Erasures>,
    pub(crate) guard: Arc<OperatorGuard>,
}

/// `DELETE /v1/me`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct DeleteAccount {
    /// Your login email address, typed again to confirm.
    pub confirm: String,
}

/// The answer to a deletion request.
#[derive(Debug, Object)]
pub struct DeletionStarted {
    /// The receipt's id: keep it to follow the deletion, signed out.
    pub receipt_id: Uuid,
    /// Where the receipt can be read, without signing in.
    pub receipt_url: String,
    /// When the deletion was asked for.
    pub requested_at: OffsetDateTime,
    /// When the erasure starts: at once, or at the end of the grace period
    /// during which signing in again and cancelling is possible.
    pub erase_after: OffsetDateTime,
}

/// One step of a deletion.
#[derive(Debug, Object)]
pub struct ReceiptStep {
    /// `end_sessions`, `tell_providers`, `delete_pictures`,
    /// `send_confirmation` or `erase_data`, in this order.
    pub step: String,
    /// `done` or `waiting`.
    pub status: String,
    /// When it was done.
    #[oai(nullable)]
    pub done_at: Option<OffsetDateTime>,
    /// Failed tries so far (each is retried, with a growing wait).
    pub failures: u32,
    /// What went wrong last, if anything did.
    #[oai(nullable)]
    pub last_problem: Option<String>,
}

/// One mailing-list provider, or one of the product's services, told of
/// the deletion.
#[derive(Debug, Object)]
pub struct ReceiptRecipient {
    /// The provider's (or service's) id in the configuration.
    pub provider: String,
    /// `told` (it accepted the erasure notice) or `waiting`.
    pub status: String,
    /// When it accepted.
    #[oai(nullable)]
    pub told_at: Option<OffsetDateTime>,
}

/// A deletion receipt: nothing in it identifies the person.
#[derive(Debug, Object)]
pub struct Receipt {
    /// Its id.
    pub id: Uuid,
    /// `in_progress`, `completed` or `cancelled`.
    pub status: String,
    /// When the deletion was asked for.
    pub requested_at: OffsetDateTime,
    /// When the erasure starts (after the grace period, if there is one).
    pub erase_after: OffsetDateTime,
    /// When the last step was done.
    #[oai(nullable)]
    pub completed_at: Option<OffsetDateTime>,
    /// When it was cancelled, within the grace period.
    #[oai(nullable)]
    pub cancelled_at: Option<OffsetDateTime>,
    /// Every step, in order.
    pub steps: Vec<ReceiptStep>,
    /// Every mailing-list provider and subscribed service told.
    pub recipients: Vec<ReceiptRecipient>,
}

impl From<DeletionReceipt> for Receipt {
    fn from(r: DeletionReceipt) -> Self {
        let state = |done: bool, yes: &str, no: &str| if done { yes } else { no }.to_owned();
        Self {
            id: r.id.0,
            status: if r.cancelled_at.is_some() {
                "cancelled".to_owned()
            } else {
                state(r.completed_at.is_some(), "completed", "in_progress")
            },
            requested_at: r.requested_at,
            erase_after: r.erase_after,
            completed_at: r.completed_at,
            cancelled_at: r.cancelled_at,
            steps: r
                .steps
                .into_iter()
                .map(|s| ReceiptStep {
                    step: s.step.as_str().to_owned(),
                    status: state(s.done_at.is_some(), "done", "waiting"),
                    done_at: s.done_at,
                    failures: s.failures,
                    last_problem: s.last_problem,
                })
                .collect(),
            recipients: r
                .recipients
                .into_iter()
                .map(|p| ReceiptRecipient {
                    provider: p.provider.as_str().to_owned(),
                    status: state(p.told_at.is_some(), "told", "waiting"),
                    told_at: p.told_at,
                })
                .collect(),
        }
    }
}

/// `POST /v1/operator/suppressions/check`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct SuppressionCheck {
    /// The address to look up.
    pub email: String,
}

/// Whether an address was erased.
#[derive(Debug, Object)]
pub struct SuppressionAnswer {
    /// Whether an account with this address was deleted (while the
    /// suppression list was on).
    pub suppressed: bool,
}

#[derive(ApiResponse)]
pub(crate) enum Deleting {
    /// The account is locked and every session ended; the erasure runs in
    /// the background. Follow it at `receipt_url`.
    #[oai(status = 202)]
    Accepted(Json<DeletionStarted>),
}

/// Asks for the deletion of `who`'s account (`DELETE /v1/me`, served by
/// the profile endpoints: one path must live in one API group).
pub(crate) async fn request_deletion(
    erasures: &Erasures,
    base: &str,
    who: &profile_domain::use_cases::Authenticated,
    confirm: &str,
) -> Result<Deleting, ApiError> {
    let receipt = erasures.request(who, confirm).await?;
    Ok(Deleting::Accepted(Json(DeletionStarted {
        receipt_id: receipt.id.0,
        receipt_url: format!("{base}/v1/deletion-receipts/{}", receipt.id),
        requested_at: receipt.requested_at,
        erase_after: receipt.erase_after,
    })))
}

#[OpenApi(tag = "ApiTags::Profile")]
impl ErasureApi {
    /// Your deletion under way
    ///
    /// With a grace period configured, an account whose deletion was asked
    /// for can be signed in to until the erasure starts: this shows the
    /// receipt (`404 no_deletion_pending` when there is none).
    #[oai(path = "/v1/me/deletion", method = "get")]
    async fn pending_deletion(&self, auth: SessionAuth) -> Result<Json<Receipt>, ApiError> {
        let who = auth.user()?;
        let pending = self.erasures.pending(who.user_id).await.map_err(|e| ApiError::internal(&e))?;
        let pending =
            pending.ok_or_else(|| ApiError::with_message(ErrorCode::NoDeletionPending, "no deletion is under way"))?;
        Ok(Json(pending.into()))
    }

    /// Cancel your deletion
    ///
    /// Within the grace period only (`409 deletion_started` after it;
    /// `404 no_deletion_pending` when there is none). The answer is the
    /// cancelled receipt; the account stays as it was.
    #[oai(path = "/v1/me/deletion", method = "delete")]
    async fn cancel_deletion(&self, auth: SessionAuth) -> Result<Json<Receipt>, ApiError> {
        let who = auth.user()?;
        let cancelled = self.erasures.cancel(who.user_id).await?;
        Ok(Json(cancelled.into()))
    }

    /// Read a deletion receipt
    ///
    /// Public: the id is random and known only to whoever asked for the
    /// deletion (and the operator). `invalid_receipt_id` for an id that is
    /// not a UUID, `receipt_not_found` for one that names no receipt.
    #[oai(path = "/v1/deletion-receipts/:id", method = "get")]
    async fn receipt(&self, id: Path<String>) -> Result<Json<Receipt>, ApiError> {
        let id = ReceiptId::parse(&id.0).ok_or_else(|| ApiError::of(ErrorCode::InvalidReceiptId))?;
        let found = self.erasures.receipt(id).await.map_err(|e| ApiError::internal(&e))?;
        let found = found.ok_or_else(|| ApiError::of(ErrorCode::ReceiptNotFound))?;
        Ok(Json(found.into()))
    }

    /// Check an address against the suppression list (operator)
    ///
    /// Whether an account that had this address was deleted, so a list
    /// being imported can drop it. Only a keyed hash of each erased address
    /// is kept, and only with `deletion.suppress_erased_addresses` on
    /// (`404 suppression_off` otherwise).
    #[oai(path = "/v1/operator/suppressions/check", method = "post", tag = "ApiTags::Operator")]
    async fn check_suppression(
        &self,
        req: &Request,
        auth: OperatorAuth,
        body: crate::strict_json::StrictJson<SuppressionCheck>,
    ) -> Result<Json<SuppressionAnswer>, ApiError> {
        self.guard.check(&auth, req).await?;
        let email = EmailAddress::parse(&body.0.email)?;
        match self.erasures.is_suppressed(&email).await.map_err(|e| ApiError::internal(&e))? {
            Some(suppressed) => Ok(Json(SuppressionAnswer { suppressed })),
            None => Err(ApiError::of(ErrorCode::SuppressionOff)),
        }
    }

    /// List deletion receipts (operator)
    ///
    /// The newest 200, newest first.
    #[oai(path = "/v1/operator/deletion-receipts", method = "get", tag = "ApiTags::Operator")]
    async fn receipts(&self, req: &Request, auth: OperatorAuth) -> Result<Json<Vec<Receipt>>, ApiError> {
        self.guard.check(&auth, req).await?;
        let all = self.erasures.receipts(RECEIPTS_LISTED).await.map_err(|e| ApiError::internal(&e))?;
        Ok(Json(all.into_iter().map(Receipt::from).collect()))
    }
}
