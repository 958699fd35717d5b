//! The gate in front of picture uploads, where the body is still unread:
//! only a signed-in caller gets further; one upload per account at a time
//! (`409 upload_in_progress`); a declared length past the limit is refused
//! at once; at most `pictures.parallel × 2` bodies are read at once, and an
//! upload that waits `pictures.upload_wait_secs` for one of those slots
//! gets `503 busy` (nothing is counted against its allowance then); then
//! the per-account rate limit. The body streams on to the multipart parser
//! (which keeps the file on disk), counted as it arrives: past the size
//! limit it is cut off with `413 picture_too_large`, and one that has not
//! arrived whole within `pictures.upload_read_timeout_secs` with
//! `408 upload_too_slow`, so a stalled client cannot keep a slot.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use poem::http::header;
use poem::{Body, Endpoint, IntoResponse, Request, Response};
use profile_domain::UserId;
use profile_domain::use_cases::RateLimits;

use crate::error::{ApiError, ErrorCode};

const FLOWING: u8 = 0;
const TOO_LARGE: u8 = 1;
const TOO_SLOW: u8 = 2;

/// The gate's settings and state.
pub(crate) struct UploadGate {
    slots: Arc<tokio::sync::Semaphore>,
    wait: Duration,
    read_timeout: Duration,
    max: usize,
    uploading: Mutex<HashSet<UserId>>,
}

/// An account's claim on uploading, given back when dropped.
struct Uploading<'a> {
    gate: &'a UploadGate,
    user: UserId,
}

impl Drop for Uploading<'_> {
    fn drop(&mut self) {
        self.gate.uploading.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.user);
    }
}

impl UploadGate {
    /// A gate reading at most `slots` bodies of at most `max` bytes at once.
    pub(crate) fn new(slots: usize, wait: Duration, read_timeout: Duration, max: usize) -> Self {
        Self {
            slots: Arc::new(tokio::sync::Semaphore::new(slots.max(1))),
            wait,
            read_timeout,
            max,
            uploading: Mutex::new(HashSet::new()),
        }
    }

    fn claim(&self, user: UserId) -> Option<Uploading<'_>> {
        let fresh = self.uploading.lock().unwrap_or_else(PoisonError::into_inner).insert(user);
        fresh.then_some(Uploading { gate: self, user })
    }

    fn too_large(&self) -> Response {
        let message = format!("the upload is larger than {} bytes", self.max);
        ApiError::with_message(ErrorCode::PictureTooLarge, message).into_response()
    }

    /// Lets `req` through to `ep` as the module says.
    pub(crate) async fn pass<E: Endpoint>(
        &self,
        ep: Arc<E>,
        mut req: Request,
        limits: &RateLimits,
    ) -> poem::Result<Response> {
        let user = match crate::auth::reader(&req).await {
            Ok(user) => user,
            Err(refusal) => return Ok(refusal.into_response()),
        };
        // The operation's own check takes this one instead of a second lookup.
        req.extensions_mut().insert(crate::auth::CheckedSession(user));
        let Some(_uploading) = self.claim(user.user_id) else {
            let message = "another upload of this account is under way; wait for its answer";
            return Ok(ApiError::with_message(ErrorCode::UploadInProgress, message).into_response());
        };
        let declared =
            req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max as u64) {
            return Ok(self.too_large());
        }
        let Ok(Ok(_slot)) = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await else {
            let message = "every upload slot is taken; try again shortly";
            return Ok(ApiError::with_message(ErrorCode::Busy, message)
                .retry_after(self.wait.as_secs().max(1))
                .into_response());
        };
        let name = profile_domain::LimitName::PictureUploadsPerAccount;
        if let Err(limited) = limits.count(name, &user.user_id.to_string()).await {
            return Ok(ApiError::from(limited).into_response());
        }
        let state = Arc::new(AtomicU8::new(FLOWING));
        let body = self.metered(req.take_body(), state.clone());
        req.set_body(body);
        let answer = ep.call(req).await;
        Ok(match state.load(Ordering::SeqCst) {
            TOO_LARGE => self.too_large(),
            TOO_SLOW => {
                let message = format!("the upload did not arrive within {} seconds", self.read_timeout.as_secs());
                ApiError::with_message(ErrorCode::UploadTooSlow, message).into_response()
            }
            // Any other failure goes on to the one error mapping, as for
            // every other request.
            _ => answer?.into_response(),
        })
    }

    /// `body` as it arrives, cut off past `max` bytes or the read timeout
    /// (and `state` says which).
    fn metered(&self, body: Body, state: Arc<AtomicU8>) -> Body {
        let deadline = tokio::time::Instant::now() + self.read_timeout;
        let max = self.max;
        let chunks = Box::pin(body.into_bytes_stream());
        let stream = futures_util::stream::unfold((chunks, 0_usize, false), move |(mut chunks, seen, ended)| {
            let state = state.clone();
            async move {
                if ended {
                    return None;
                }
                let cut = |why: u8, what: &str| {
                    state.store(why, Ordering::SeqCst);
                    Err(std::io::Error::other(what.to_owned()))
                };
                match tokio::time::timeout_at(deadline, chunks.next()).await {
                    Err(_) => Some((cut(TOO_SLOW, "the upload is too slow"), (chunks, seen, true))),
                    Ok(None) => None,
                    Ok(Some(Ok(chunk))) if seen + chunk.len() > max => {
                        Some((cut(TOO_LARGE, "the upload is too large"), (chunks, seen, true)))
                    }
                    Ok(Some(Ok(chunk))) => {
                        let seen = seen + chunk.len();
                        Some((Ok(chunk), (chunks, seen, false)))
                    }
                    Ok(Some(Err(error))) => Some((Err(error), (chunks, seen, true))),
                }
            }
        });
        Body::from_bytes_stream(stream)
    }
}
