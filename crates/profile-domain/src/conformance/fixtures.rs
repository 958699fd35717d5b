//! What the checks start from: a fixed time, addresses, and accounts made
//! through the real sign-in path.

use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

use super::Storage;
use crate::erasure::{DeletionReceipt, ErasureJob, ReceiptId};
use crate::ports::{NewSession, SignInCompletion, SignInOutcome};
use crate::{
    Account, EmailAddress, EmailContent, EmailId, OutgoingEmail, SecretHasher, SecretKey, SessionId, SignInChallenge,
    UserId,
};

/// The time every check starts at.
pub const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

/// `name@example.com`.
///
/// # Panics
/// When `name` does not make an address.
#[must_use]
pub fn address(name: &str) -> EmailAddress {
    EmailAddress::parse(&format!("{name}@example.com")).expect("a valid address")
}

pub(crate) fn hasher() -> SecretHasher {
    SecretHasher::new(SecretKey::new(vec![7; 32]).expect("a long enough key"))
}

pub(crate) fn challenge(to: &EmailAddress, code: &str) -> SignInChallenge {
    SignInChallenge {
        email: to.clone(),
        code_hash: hasher().hash("sign-in-code", &[code.as_bytes()]),
        created_at: T0,
        expires_at: T0 + Duration::minutes(10),
        attempts: 0,
    }
}

/// A sign-in code message, number `n`, queued at `T0` plus `n` seconds.
pub(crate) fn message(n: u128, to: &EmailAddress) -> OutgoingEmail {
    let at = T0 + Duration::seconds(i64::try_from(n % 3600).unwrap_or(0));
    OutgoingEmail {
        id: EmailId(Uuid::from_u128(n)),
        to: to.clone(),
        content: EmailContent::SignInCode { code: "123456".into(), valid_minutes: 10 },
        created_at: at,
        expires_at: Some(at + Duration::minutes(10)),
        about: None,
    }
}

/// The hash of session number `n`'s token.
pub(crate) fn session_token(n: u128) -> crate::SecretHash {
    hasher().hash("session", &[&n.to_be_bytes()])
}

pub(crate) fn completion(to: &EmailAddress, code: &str, n: u128) -> SignInCompletion {
    let byte = u8::try_from(n % 256).unwrap_or(0);
    SignInCompletion {
        email: to.clone(),
        code_hash: challenge(to, code).code_hash,
        new_account: Account::new(UserId::new_v7(1_764_417_600_000 + n as u64, [byte; 10]), to.clone(), T0),
        session: NewSession {
            id: SessionId(Uuid::from_u128(n)),
            token_hash: session_token(n),
            created_at: T0,
            expires_at: T0 + Duration::days(30),
        },
    }
}

/// An account for `name@example.com`, signed up through the store's
/// sign-in path at [`T0`] with session number `n` (its code message has id
/// `9000 + n`).
///
/// # Panics
/// When the store refuses the sign-up.
pub async fn signed_up(store: &dyn Storage, name: &str, n: u128) -> UserId {
    let to = address(name);
    store.put_challenge(&challenge(&to, "424242"), &message(9000 + n, &to)).await.expect("the code is stored");
    match store.complete_sign_in(&completion(&to, "424242", n)).await.expect("the sign-in completes") {
        SignInOutcome::Completed(done) => done.account.id,
        other => panic!("signing up {name} did not complete: {other:?}"),
    }
}

/// Consent change `n`: `user` grants `news` (version 1) at [`T0`],
/// telling `notify`.
pub(crate) async fn grant_news(store: &dyn Storage, n: u128, user: UserId, notify: &[crate::NoticeFor]) {
    let event = crate::ConsentEvent {
        id: Uuid::from_u128(n),
        user_id: user,
        purpose_id: crate::PurposeId::parse("news").expect("a valid purpose id"),
        version: 1,
        text_hash: "ab".repeat(32),
        granted: true,
        at: T0,
        channel: crate::ConsentChannel::Web,
    };
    crate::ports::ConsentStore::record(store, &event, notify).await.expect("the consent is recorded");
}

/// The mailing-list provider of the checks.
pub(crate) fn lists() -> crate::ProviderId {
    crate::ProviderId::parse("lists").expect("a valid provider id")
}

/// Erasure job `n` of `user` at `email`, requested at [`T0`] with no grace
/// period, due at `due`, telling [`lists`].
pub(crate) fn erasure_job(n: u128, user: UserId, email: &EmailAddress, due: OffsetDateTime) -> ErasureJob {
    ErasureJob {
        receipt: DeletionReceipt::new(ReceiptId(Uuid::from_u128(n)), T0, vec![lists()]),
        user_id: user,
        email: email.clone(),
        next_attempt_at: due,
    }
}
