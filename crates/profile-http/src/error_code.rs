//! The catalogue of error codes: every code the API answers with, its
//! status, its message (looked up by the code, so it can be translated),
//! and when it is given. The README's table of errors is this catalogue; a
//! test holds the two together.

/// Declares [`ErrorCode`] from rows of `Variant: status "code", "message", "when";`.
macro_rules! catalogue {
    ($($variant:ident: $status:literal $code:literal, $message:literal, $when:literal;)*) => {
        /// An error the API answers with, as `{code, message}` and a status.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ErrorCode {
            $(#[doc = $when] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the README's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The code as sent (`invalid_email` …).
            #[must_use]
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The HTTP status.
            #[must_use]
            pub fn status(self) -> u16 {
                match self { $(Self::$variant => $status,)* }
            }

            /// The message sent when the answer has nothing more precise
            /// to say.
            #[must_use]
            pub fn message(self) -> &'static str {
                match self { $(Self::$variant => $message,)* }
            }

            /// When the code is given, as the README's table says.
            #[must_use]
            pub fn when(self) -> &'static str {
                match self { $(Self::$variant => $when,)* }
            }
        }
    };
}

catalogue! {
    InvalidBody: 400 "invalid_body", "the request body is not valid",
        "malformed JSON, a missing or unknown field, or a value of the wrong JSON type (never coerced: `42` or `true` where text is expected is refused, and so is `null` for a required field); the message names the field";
    InvalidEmail: 400 "invalid_email", "the email address is not valid",
        "the address is not acceptable (the message says which rule it breaks)";
    InvalidCodeFormat: 400 "invalid_code_format", "the code must be six digits",
        "the code is not six digits (this does not use up a try)";
    InvalidDisplayName: 400 "invalid_display_name", "the display name is not valid",
        "empty, longer than 64 characters, or contains a control/invisible character";
    InvalidParameter: 400 "invalid_parameter", "a parameter could not be read",
        "a path or query parameter cannot be parsed";
    BadRequest: 400 "bad_request", "the request is not valid",
        "any other client error the framework reports (with the framework's 4xx status, 400 in the API document)";
    Unauthenticated: 401 "unauthenticated", "sign in first",
        "no session token or cookie was sent";
    SessionInvalid: 401 "session_invalid", "the session is unknown, ended or expired; sign in again",
        "the token is malformed, unknown, signed out or expired";
    InvalidSignInCode: 401 "invalid_code", "the code is wrong or has expired",
        "sign-in: the code is wrong, expired, used, or tried too often";
    InvalidChangeCode: 400 "invalid_code", "the code is wrong",
        "email change: the code is wrong or was superseded by a newer one";
    CodeExpired: 400 "code_expired", "the code has expired; ask for a new one",
        "email change: the code has expired; ask for a new one";
    TooManyAttempts: 429 "too_many_attempts", "the code was tried too often; ask for a new one",
        "email change: the code was tried 5 times; ask for a new one after `Retry-After`";
    UnknownPurpose: 404 "unknown_purpose", "there is no purpose with that id",
        "the catalogue has no purpose with that id";
    UnsubscribeLinkInvalid: 400 "unsubscribe_link_invalid", "the unsubscribe link is not valid",
        "the unsubscribe token is malformed, unknown or revoked";
    NotAnEmailPurpose: 400 "not_an_email_purpose", "that purpose is not a kind of email",
        "operator listing of a data-use purpose";
    OperatorKeyInvalid: 401 "operator_key_invalid", "the operator API key is missing or not valid",
        "the operator API key is missing or wrong, or none is configured";
    NoUnsubscribeLink: 404 "no_unsubscribe_link", "that user has no link for that purpose",
        "revoking a link the user does not have";
    ServiceKeyInvalid: 401 "service_key_invalid", "the service key is missing or not valid",
        "the service key is missing or no service has it";
    ScopeMissing: 403 "scope_missing", "the service key does not grant this operation",
        "the service key does not grant the scope the operation needs";
    InvalidUserId: 400 "invalid_user_id", "a user id is a UUID",
        "a user id in the path is not a UUID";
    ProfileNotFound: 404 "profile_not_found", "no profile has this id",
        "no account has the id, or it is erased or being deleted";
    TooManyIds: 400 "too_many_ids", "the batch names too many ids",
        "a profile batch names more than `profiles.batch_max_ids` ids";
    DuplicateIds: 400 "duplicate_ids", "the batch names an id more than once",
        "a profile batch names an id twice";
    ProviderUnknown: 404 "provider_unknown", "there is no provider with that id taking reports",
        "provider report: no such provider, or it takes no reports";
    WebhookHeadersInvalid: 400 "webhook_headers_invalid", "the webhook-id, webhook-timestamp and webhook-signature headers are required and well formed",
        "provider report: a `webhook-*` header is missing or malformed";
    WebhookTimestampStale: 400 "webhook_timestamp_stale", "the webhook timestamp is too far from the current time",
        "provider report: the timestamp is too far from now";
    WebhookSignatureInvalid: 401 "webhook_signature_invalid", "no webhook signature matches",
        "provider report: no signature matches";
    ReportInvalid: 400 "report_invalid", "the body must be {\"type\", \"data\": {\"email\", \"purpose\"?}}",
        "provider report: the signed body is not a report";
    ReportTypeUnknown: 400 "report_type_unknown", "only subscriber.unsubscribed reports are taken",
        "provider report: not `subscriber.unsubscribed`";
    WebhookReplayed: 409 "webhook_replayed", "this report was received before",
        "provider report: this `webhook-id` was handled before (it is done)";
    PictureEmpty: 400 "picture_empty", "the file is empty",
        "the uploaded file is empty";
    PictureTooLarge: 413 "picture_too_large", "the file is larger than the limit",
        "the file is larger than `pictures.max_bytes`";
    PictureTooManyPixels: 400 "picture_too_many_pixels", "the image has more pixels than the limit",
        "the image has more than `pictures.max_pixels` pixels";
    PictureUnsupportedFormat: 400 "picture_unsupported_format", "the file is not a JPEG, PNG, WebP or GIF image",
        "not a JPEG, PNG, WebP or GIF (by its content, whatever its name)";
    PictureCorrupt: 400 "picture_corrupt", "the image is damaged or incomplete",
        "the image is damaged or incomplete";
    PictureBadCrop: 400 "picture_bad_crop", "give x, y and size together, or none",
        "the crop square is not inside the image, or not all of x, y and size were given";
    NoPendingPicture: 404 "no_pending_picture", "there is no uploaded picture waiting to be saved",
        "Save with no upload waiting (or it expired), Cancel with none left";
    PurposeChanged: 409 "purpose_changed", "the purpose changed since it was shown; show the new text and ask again",
        "the purpose has a newer version than the one the user was shown";
    AddressAwaitingRevert: 409 "address_awaiting_revert", "this address was recently replaced on an account: use the link sent to it to restore it",
        "sign-in: the address was just moved off an account whose revert link still works; use that link";
    SameEmail: 400 "same_email", "that is already your login address",
        "the new address is the current one";
    RevertLinkInvalid: 400 "revert_link_invalid", "the link is not valid",
        "the revert token is malformed or unknown";
    ReauthenticationRequired: 403 "reauthentication_required", "this needs a recent sign-in; sign in again",
        "starting an email change or deleting the account needs a recent sign-in: sign in again";
    ConfirmationMismatch: 400 "confirmation_mismatch", "the confirmation does not match your login email address",
        "account deletion: `confirm` is not the account's login address";
    DeletionInProgress: 409 "deletion_in_progress", "a deletion of this account is already under way",
        "account deletion: a deletion of the account is already under way";
    AccountBeingDeleted: 403 "account_being_deleted", "this account is being deleted; signing in to it is no longer possible",
        "sign-in: the account is being deleted; it cannot be signed in to any more";
    InvalidReceiptId: 400 "invalid_receipt_id", "a receipt id is a UUID",
        "a deletion receipt id is not a UUID";
    ReceiptNotFound: 404 "receipt_not_found", "no deletion has this receipt id",
        "no deletion has this receipt id";
    NoDeletionPending: 404 "no_deletion_pending", "no deletion of your account is under way",
        "no deletion of the account is under way (to read or cancel)";
    DeletionStarted: 409 "deletion_started", "the deletion has started and can no longer be cancelled",
        "the grace period is over: the deletion can no longer be cancelled";
    SuppressionOff: 404 "suppression_off", "the suppression list is not kept",
        "operator: the suppression list is not kept (`deletion.suppress_erased_addresses` is off)";
    NoPendingEmailChange: 404 "no_pending_email_change", "no change of login address is waiting for a code",
        "confirm with no change waiting for a code";
    EmailTaken: 409 "email_taken", "the address now belongs to another account",
        "another account took the address (confirm) or the old address (revert)";
    RevertLinkUsed: 409 "revert_link_used", "the link was already used",
        "the revert link was used before";
    UploadInProgress: 409 "upload_in_progress", "another upload of this account is under way",
        "another upload of the account is under way";
    UploadTooSlow: 408 "upload_too_slow", "the upload did not arrive in time",
        "the upload's body did not arrive within `pictures.upload_read_timeout_secs`";
    RevertLinkExpired: 410 "revert_link_expired", "the link has expired",
        "the revert link is older than its lifetime";
    CrossSiteRequest: 403 "cross_site_request", "cookie-authenticated writes must come from the profile page",
        "a cookie-authenticated write from another origin";
    CsrfTokenInvalid: 403 "csrf_token_invalid", "send the session's CSRF token in X-CSRF-Token",
        "a cookie-authenticated write (or export) without the session's `X-CSRF-Token`";
    AccountNotFound: 404 "account_not_found", "the account does not exist",
        "the session's account no longer exists";
    NotFound: 404 "not_found", "no such resource",
        "no such path";
    MethodNotAllowed: 405 "method_not_allowed", "this method is not allowed on this resource",
        "the path exists, the method does not";
    PayloadTooLarge: 413 "payload_too_large", "the request body is larger than the limit",
        "the body is larger than `max_body_bytes`";
    UnsupportedMediaType: 415 "unsupported_media_type", "send the type the operation takes (application/json, or multipart/form-data for uploads)",
        "the body is not of the type the operation takes (`application/json`; `multipart/form-data` for uploads)";
    RateLimited: 429 "rate_limited", "too many requests; try again later",
        "a rate limit was reached; `Retry-After` says how many seconds to wait";
    TooManyExports: 429 "too_many_exports", "you exported your data recently; try again later",
        "the account exported its data `limits.exports_per_user.max` times within the window; `Retry-After` says when the next export is allowed";
    Internal: 500 "internal", "the service failed; nothing was changed, try again",
        "the service failed; the details are logged, never returned";
    Busy: 503 "busy", "the service is busy; try again shortly",
        "every upload slot (`pictures.parallel` × 2) stayed taken for `pictures.upload_wait_secs`; `Retry-After` says when to try again";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's table of errors, row by row.
    fn readme_rows() -> Vec<&'static str> {
        let readme = include_str!("../../../README.md");
        let table = readme.split("| status | code | when |\n|---|---|---|\n").nth(1).unwrap_or_default();
        table.lines().take_while(|line| line.starts_with('|')).collect()
    }

    #[test]
    fn the_readme_error_table_is_the_catalogue() {
        let expected: Vec<String> =
            ErrorCode::ALL.iter().map(|e| format!("| {} | `{}` | {} |", e.status(), e.code(), e.when())).collect();
        assert_eq!(
            readme_rows(),
            expected,
            "README.md's table of errors must list the catalogue (crates/profile-http/src/error_code.rs) row for \
             row; the rows it should hold:\n{}",
            expected.join("\n")
        );
    }

    #[test]
    fn a_code_has_one_status_unless_the_readme_explains_each() {
        for a in ErrorCode::ALL {
            for b in ErrorCode::ALL {
                if a != b && a.code() == b.code() {
                    assert_ne!(a.status(), b.status(), "{} twice with one status", a.code());
                    assert_ne!(a.when(), b.when());
                }
            }
        }
    }

    #[test]
    fn codes_are_lower_snake_case_and_messages_are_sentences_without_a_final_stop() {
        for e in ErrorCode::ALL {
            assert!(e.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", e.code());
            assert!(!e.message().is_empty() && !e.message().ends_with('.'), "{}", e.code());
            assert!((400..600).contains(&e.status()), "{}", e.code());
        }
    }
}
