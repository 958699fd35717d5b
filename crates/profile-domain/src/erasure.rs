//! Erasing an account: the steps of the job, in the order that is safe to
//! resume after a crash at any point, and the receipt that shows them
//! without holding anything personal.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{EmailAddress, ProviderId, UserId};

/// The id of a deletion receipt: random (122 bits), so it can be shown to
/// anyone who has it and guessed by no one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReceiptId(pub Uuid);

impl ReceiptId {
    /// The id written in `text`, if it is a UUID.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Uuid::try_parse(text).ok().map(Self)
    }
}

impl std::fmt::Display for ReceiptId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One step of an erasure. Each is idempotent; they run in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErasureStep {
    /// Every session ends (already at the request; repeated in case).
    EndSessions,
    /// Every mailing-list provider is told, and accepts.
    TellProviders,
    /// Every picture file (current, pending, left over) is deleted.
    DeletePictures,
    /// The "your account was deleted" email is sent, then erased.
    SendConfirmation,
    /// Every row about the user is erased, through the personal-data
    /// registry, and the receipt is completed, in one transaction.
    EraseData,
}

impl ErasureStep {
    /// Every step, in order.
    pub const ALL: [Self; 5] =
        [Self::EndSessions, Self::TellProviders, Self::DeletePictures, Self::SendConfirmation, Self::EraseData];

    /// The stable name, as stored and shown.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EndSessions => "end_sessions",
            Self::TellProviders => "tell_providers",
            Self::DeletePictures => "delete_pictures",
            Self::SendConfirmation => "send_confirmation",
            Self::EraseData => "erase_data",
        }
    }

    /// The step with this stored name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How far one step got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepProgress {
    /// Which step.
    pub step: ErasureStep,
    /// Failed tries so far.
    pub failures: u32,
    /// What went wrong last, as a short phrase free of personal data.
    pub last_problem: Option<String>,
    /// When it was done.
    pub done_at: Option<OffsetDateTime>,
}

/// One provider to tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientProgress {
    /// The provider.
    pub provider: ProviderId,
    /// When it accepted the erasure notice.
    pub told_at: Option<OffsetDateTime>,
}

/// The receipt: when the deletion was asked for and finished, and each
/// step and recipient with its outcome. Nothing in it identifies the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletionReceipt {
    /// Its id.
    pub id: ReceiptId,
    /// When the deletion was asked for.
    pub requested_at: OffsetDateTime,
    /// When the erasure starts: the request, or the end of the grace
    /// period during which it can be cancelled.
    pub erase_after: OffsetDateTime,
    /// When the last step was done.
    pub completed_at: Option<OffsetDateTime>,
    /// When the user cancelled it, within the grace period.
    pub cancelled_at: Option<OffsetDateTime>,
    /// Every step, in order.
    pub steps: Vec<StepProgress>,
    /// Every provider told.
    pub recipients: Vec<RecipientProgress>,
}

impl DeletionReceipt {
    /// A fresh receipt with every step to do, starting at `requested_at`.
    #[must_use]
    pub fn new(id: ReceiptId, requested_at: OffsetDateTime, providers: Vec<ProviderId>) -> Self {
        Self {
            id,
            requested_at,
            erase_after: requested_at,
            completed_at: None,
            cancelled_at: None,
            steps: ErasureStep::ALL
                .into_iter()
                .map(|step| StepProgress { step, failures: 0, last_problem: None, done_at: None })
                .collect(),
            recipients: providers.into_iter().map(|provider| RecipientProgress { provider, told_at: None }).collect(),
        }
    }

    /// The first step not done yet.
    #[must_use]
    pub fn next_step(&self) -> Option<ErasureStep> {
        self.steps.iter().find(|s| s.done_at.is_none()).map(|s| s.step)
    }

    /// The progress of `step`.
    pub fn step_mut(&mut self, step: ErasureStep) -> Option<&mut StepProgress> {
        self.steps.iter_mut().find(|s| s.step == step)
    }
}

/// An erasure under way: the receipt, and whom it is about (kept only
/// until the last step, which erases this too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasureJob {
    /// The receipt, with the progress so far.
    pub receipt: DeletionReceipt,
    /// Whose account.
    pub user_id: UserId,
    /// The login address when the deletion was asked for.
    pub email: EmailAddress,
    /// When the next try is due.
    pub next_attempt_at: OffsetDateTime,
}

/// The purpose label of the keyed hash of an erased address, kept on the
/// optional suppression list.
pub const ERASED_ADDRESS_PURPOSE: &str = "erased-address";

/// The keyed hash an erased `address` is kept as on the suppression list:
/// the same when it is stored and when it is looked up.
#[must_use]
pub fn erased_address_hash(hasher: &crate::SecretHasher, address: &str) -> crate::SecretHash {
    hasher.hash(ERASED_ADDRESS_PURPOSE, &[address.as_bytes()])
}

/// The id of the erasure notice for `provider` in `receipt`: the same on
/// every try, so queueing it again changes nothing.
#[must_use]
pub fn erasure_notice_id(receipt: ReceiptId, provider: &ProviderId) -> Uuid {
    derived_id(receipt, provider.as_str())
}

/// The id of the confirmation email of `receipt`, the same on every try.
#[must_use]
pub fn confirmation_email_id(receipt: ReceiptId) -> Uuid {
    derived_id(receipt, "confirmation-email")
}

fn derived_id(receipt: ReceiptId, label: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new().chain_update(receipt.0.as_bytes()).chain_update(label.as_bytes()).finalize();
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_survive_their_stored_names_in_order() {
        let names: Vec<&str> = ErasureStep::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["end_sessions", "tell_providers", "delete_pictures", "send_confirmation", "erase_data"]);
        for step in ErasureStep::ALL {
            assert_eq!(ErasureStep::parse(step.as_str()), Some(step));
        }
        assert_eq!(ErasureStep::parse("erase"), None);
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let receipt = ReceiptId(Uuid::from_u128(7));
        let lists = ProviderId::parse("lists").unwrap();
        let crm = ProviderId::parse("crm").unwrap();
        assert_eq!(erasure_notice_id(receipt, &lists), erasure_notice_id(receipt, &lists));
        assert_ne!(erasure_notice_id(receipt, &lists), erasure_notice_id(receipt, &crm));
        assert_ne!(erasure_notice_id(receipt, &lists), confirmation_email_id(receipt));
        assert_ne!(confirmation_email_id(receipt), confirmation_email_id(ReceiptId(Uuid::from_u128(8))));
    }

    #[test]
    fn a_new_receipt_starts_at_the_first_step() {
        let mut receipt = DeletionReceipt::new(ReceiptId(Uuid::from_u128(1)), OffsetDateTime::UNIX_EPOCH, vec![]);
        assert_eq!(receipt.next_step(), Some(ErasureStep::EndSessions));
        receipt.step_mut(ErasureStep::EndSessions).unwrap().done_at = Some(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(receipt.next_step(), Some(ErasureStep::TellProviders));
    }
}
