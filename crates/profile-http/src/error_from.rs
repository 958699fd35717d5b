//! Each use case's error as the API's answer: the business variants to
//! their codes in the catalogue, `Unexpected` to a logged 500.

use profile_domain::ports::PictureRejected;
use profile_domain::use_cases::{
    AuthError, CancelDeletionError, ConfirmEmailChangeError, ConsentError, DeleteAccountError, ExportError,
    ListRecipientsError, PictureError, ProfileError, ProviderReportError, PublicProfileError, RateLimitError,
    RevertEmailChangeError, StartEmailChangeError, UnsubscribeError, VerifySignInError,
};
use profile_domain::{DisplayNameError, EmailAddressError, SignatureError};

use crate::error::{ApiError, ErrorCode};

/// Whole seconds to wait, rounded up, at least one.
pub(crate) fn seconds_up(duration: time::Duration) -> u64 {
    let millis = u64::try_from(duration.whole_milliseconds()).unwrap_or(0);
    millis.div_ceil(1000).max(1)
}

impl From<RateLimitError> for ApiError {
    fn from(error: RateLimitError) -> Self {
        let wait = error.retry_after_secs().unwrap_or(1);
        match error {
            RateLimitError::Limited { .. } => Self::rate_limited(wait),
            RateLimitError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<EmailAddressError> for ApiError {
    fn from(error: EmailAddressError) -> Self {
        Self::with_message(ErrorCode::InvalidEmail, error.to_string())
    }
}

impl From<DisplayNameError> for ApiError {
    fn from(error: DisplayNameError) -> Self {
        Self::with_message(ErrorCode::InvalidDisplayName, error.to_string())
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Missing => Self::of(ErrorCode::Unauthenticated),
            AuthError::Invalid => Self::of(ErrorCode::SessionInvalid),
            AuthError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<VerifySignInError> for ApiError {
    fn from(error: VerifySignInError) -> Self {
        match error {
            VerifySignInError::MalformedCode => Self::of(ErrorCode::InvalidCodeFormat),
            VerifySignInError::InvalidCode => Self::of(ErrorCode::InvalidSignInCode),
            VerifySignInError::AddressAwaitingRevert => Self::of(ErrorCode::AddressAwaitingRevert),
            VerifySignInError::AccountBeingDeleted => Self::of(ErrorCode::AccountBeingDeleted),
            VerifySignInError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<ProfileError> for ApiError {
    fn from(error: ProfileError) -> Self {
        match error {
            ProfileError::NotFound => Self::of(ErrorCode::AccountNotFound),
            ProfileError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<ConsentError> for ApiError {
    fn from(error: ConsentError) -> Self {
        match error {
            ConsentError::UnknownPurpose => Self::of(ErrorCode::UnknownPurpose),
            ConsentError::PurposeChanged => Self::of(ErrorCode::PurposeChanged),
            ConsentError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<StartEmailChangeError> for ApiError {
    fn from(error: StartEmailChangeError) -> Self {
        match error {
            StartEmailChangeError::ReauthenticationRequired => {
                Self::with_message(ErrorCode::ReauthenticationRequired, error.to_string())
            }
            StartEmailChangeError::SameAddress => Self::of(ErrorCode::SameEmail),
            StartEmailChangeError::RateLimited(wait) => Self::rate_limited(seconds_up(wait)),
            StartEmailChangeError::AccountNotFound => Self::of(ErrorCode::AccountNotFound),
            StartEmailChangeError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<ConfirmEmailChangeError> for ApiError {
    fn from(error: ConfirmEmailChangeError) -> Self {
        match error {
            ConfirmEmailChangeError::MalformedCode => Self::of(ErrorCode::InvalidCodeFormat),
            ConfirmEmailChangeError::NothingPending => Self::of(ErrorCode::NoPendingEmailChange),
            ConfirmEmailChangeError::InvalidCode => Self::of(ErrorCode::InvalidChangeCode),
            ConfirmEmailChangeError::CodeExpired => Self::of(ErrorCode::CodeExpired),
            ConfirmEmailChangeError::TooManyAttempts(wait) => {
                Self::of(ErrorCode::TooManyAttempts).retry_after(seconds_up(wait))
            }
            ConfirmEmailChangeError::AccountNotFound => Self::of(ErrorCode::AccountNotFound),
            ConfirmEmailChangeError::AddressTaken => Self::of(ErrorCode::EmailTaken),
            ConfirmEmailChangeError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<RevertEmailChangeError> for ApiError {
    fn from(error: RevertEmailChangeError) -> Self {
        match error {
            RevertEmailChangeError::InvalidLink => Self::of(ErrorCode::RevertLinkInvalid),
            RevertEmailChangeError::AlreadyUsed => Self::of(ErrorCode::RevertLinkUsed),
            RevertEmailChangeError::Expired => Self::of(ErrorCode::RevertLinkExpired),
            RevertEmailChangeError::AddressTaken => Self::with_message(ErrorCode::EmailTaken, error.to_string()),
            RevertEmailChangeError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<DeleteAccountError> for ApiError {
    fn from(error: DeleteAccountError) -> Self {
        match error {
            DeleteAccountError::ConfirmationMismatch => Self::of(ErrorCode::ConfirmationMismatch),
            DeleteAccountError::SignInNotRecent => {
                Self::with_message(ErrorCode::ReauthenticationRequired, error.to_string())
            }
            DeleteAccountError::AlreadyRequested(_) => Self::of(ErrorCode::DeletionInProgress),
            DeleteAccountError::NotFound => Self::of(ErrorCode::AccountNotFound),
            DeleteAccountError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<CancelDeletionError> for ApiError {
    fn from(error: CancelDeletionError) -> Self {
        match error {
            CancelDeletionError::NothingToCancel => Self::of(ErrorCode::NoDeletionPending),
            CancelDeletionError::TooLate => Self::of(ErrorCode::DeletionStarted),
            CancelDeletionError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<ExportError> for ApiError {
    fn from(error: ExportError) -> Self {
        match error {
            ExportError::TooMany { retry_after } => {
                let secs = u64::try_from(retry_after.whole_seconds()).unwrap_or(1).max(1);
                let message = format!("you exported your data recently; you can export again in {secs} seconds");
                Self::with_message(ErrorCode::TooManyExports, message).retry_after(secs)
            }
            ExportError::NotFound => Self::of(ErrorCode::AccountNotFound),
            ExportError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<PictureRejected> for ApiError {
    fn from(rejected: PictureRejected) -> Self {
        let code = match rejected {
            PictureRejected::Empty => ErrorCode::PictureEmpty,
            PictureRejected::TooLarge { .. } => ErrorCode::PictureTooLarge,
            PictureRejected::TooManyPixels { .. } => ErrorCode::PictureTooManyPixels,
            PictureRejected::UnsupportedFormat => ErrorCode::PictureUnsupportedFormat,
            PictureRejected::Corrupt => ErrorCode::PictureCorrupt,
            PictureRejected::BadCrop => ErrorCode::PictureBadCrop,
        };
        Self::with_message(code, rejected.to_string())
    }
}

impl From<PictureError> for ApiError {
    fn from(error: PictureError) -> Self {
        match error {
            PictureError::Rejected(rejected) => rejected.into(),
            PictureError::NothingPending => Self::of(ErrorCode::NoPendingPicture),
            PictureError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<PublicProfileError> for ApiError {
    fn from(error: PublicProfileError) -> Self {
        match error {
            PublicProfileError::NotFound => Self::of(ErrorCode::ProfileNotFound),
            PublicProfileError::TooManyIds { .. } => Self::with_message(ErrorCode::TooManyIds, error.to_string()),
            PublicProfileError::DuplicateId(_) => Self::with_message(ErrorCode::DuplicateIds, error.to_string()),
            PublicProfileError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<SignatureError> for ApiError {
    fn from(error: SignatureError) -> Self {
        match error {
            SignatureError::Malformed => Self::of(ErrorCode::WebhookHeadersInvalid),
            SignatureError::Stale => Self::of(ErrorCode::WebhookTimestampStale),
            SignatureError::Mismatch => Self::of(ErrorCode::WebhookSignatureInvalid),
        }
    }
}

impl From<ProviderReportError> for ApiError {
    fn from(error: ProviderReportError) -> Self {
        match error {
            ProviderReportError::UnknownProvider => Self::of(ErrorCode::ProviderUnknown),
            ProviderReportError::UnknownPurpose => Self::with_message(ErrorCode::UnknownPurpose, error.to_string()),
            ProviderReportError::Replayed => Self::of(ErrorCode::WebhookReplayed),
            ProviderReportError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<UnsubscribeError> for ApiError {
    fn from(error: UnsubscribeError) -> Self {
        match error {
            UnsubscribeError::InvalidLink => Self::of(ErrorCode::UnsubscribeLinkInvalid),
            UnsubscribeError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<ListRecipientsError> for ApiError {
    fn from(error: ListRecipientsError) -> Self {
        match error {
            ListRecipientsError::UnknownPurpose => Self::of(ErrorCode::UnknownPurpose),
            ListRecipientsError::NotAnEmailPurpose => Self::of(ErrorCode::NotAnEmailPurpose),
            ListRecipientsError::Unexpected(e) => Self::internal(&e),
        }
    }
}
