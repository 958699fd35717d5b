//! Unit tests of the revert link of an address change: it restores the
//! old address once, voids later links, and tells both addresses.

use super::*;

pub(super) fn revert_token(w: &World) -> String {
    let state = w.store.state();
    let EmailContent::EmailChanged { revert_url, .. } =
        &state.outbox.iter().rev().find(|r| r.email.content.kind() == "email_changed").unwrap().email.content
    else {
        unreachable!()
    };
    revert_url.rsplit('=').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_revert_link_restores_the_old_address_ends_every_session_and_works_once() {
    let w = world(&[123_456]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    w.changes.confirm(&w.ada, "123456").await.unwrap();
    let token = revert_token(&w);
    w.clock.advance(Duration::days(7) - Duration::milliseconds(1));
    w.changes.revert(&token).await.unwrap();
    assert_eq!(ada_email(&w), email("ada@example.com"));
    {
        let state = w.store.state();
        assert!(state.sessions.values().all(|s| s.user_id != w.ada.user_id), "every session ended");
        assert!(state.change_records[0].reverted_at.is_some());
        let told: Vec<_> = state.outbox.iter().rev().take(2).map(|r| r.email.to.clone()).collect();
        assert_eq!(told, [email("ada@new.example"), email("ada@example.com")], "both addresses are told");
    }
    assert!(matches!(w.changes.revert(&token).await, Err(RevertEmailChangeError::AlreadyUsed)));
}

#[tokio::test]
async fn an_expired_unknown_or_malformed_revert_link_is_refused() {
    let w = world(&[123_456]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    w.changes.confirm(&w.ada, "123456").await.unwrap();
    let token = revert_token(&w);
    w.clock.advance(Duration::days(7));
    assert!(matches!(w.changes.revert(&token).await, Err(RevertEmailChangeError::Expired)));
    assert_eq!(ada_email(&w), email("ada@new.example"));
    assert!(matches!(w.changes.revert(&"ab".repeat(32)).await, Err(RevertEmailChangeError::InvalidLink)));
    assert!(matches!(w.changes.revert("nonsense").await, Err(RevertEmailChangeError::InvalidLink)));
}

/// Ada moves to b@ and then to c@; the two revert links.
async fn chain_of_two(w: &World) -> (String, String) {
    w.changes.start(&w.ada, email("ada@b.example")).await.unwrap();
    w.changes.confirm(&w.ada, "111111").await.unwrap();
    let first_link = revert_token(w);
    w.clock.advance(Duration::minutes(1));
    w.changes.start(&w.ada, email("ada@c.example")).await.unwrap();
    w.changes.confirm(&w.ada, "222222").await.unwrap();
    let second_link = revert_token(w);
    assert_ne!(first_link, second_link);
    w.clock.advance(Duration::minutes(1));
    (first_link, second_link)
}

#[tokio::test]
async fn reverting_a_change_voids_the_links_of_later_changes() {
    let w = world(&[111_111, 222_222]);
    let (first_link, second_link) = chain_of_two(&w).await;
    w.changes.revert(&first_link).await.unwrap();
    assert_eq!(ada_email(&w), email("ada@example.com"));
    let later = w.changes.revert(&second_link).await;
    assert!(matches!(later, Err(RevertEmailChangeError::AlreadyUsed)), "the b@ link cannot take the account back");
    assert_eq!(ada_email(&w), email("ada@example.com"));
}

#[tokio::test]
async fn reverting_a_later_change_leaves_the_earlier_link_working() {
    let w = world(&[111_111, 222_222]);
    let (first_link, second_link) = chain_of_two(&w).await;
    w.changes.revert(&second_link).await.unwrap();
    assert_eq!(ada_email(&w), email("ada@b.example"));
    {
        let state = w.store.state();
        assert_eq!(state.change_records[0].voided_at, None, "the first owner's link is not voided");
    }
    w.changes.revert(&first_link).await.unwrap();
    assert_eq!(ada_email(&w), email("ada@example.com"), "the first owner wins");
    assert!(matches!(w.changes.revert(&second_link).await, Err(RevertEmailChangeError::AlreadyUsed)));
}

#[tokio::test]
async fn a_revert_tells_the_restored_address_and_the_address_that_was_in_force() {
    let w = world(&[111_111, 222_222]);
    let (first_link, _) = chain_of_two(&w).await;
    let before = w.store.state().outbox.len();
    w.changes.revert(&first_link).await.unwrap();
    let state = w.store.state();
    let sent: Vec<_> = state.outbox[before..].iter().map(|r| (r.email.to.clone(), r.email.content.clone())).collect();
    assert_eq!(
        sent,
        [
            (email("ada@example.com"), EmailContent::EmailChangeReverted),
            (email("ada@c.example"), EmailContent::EmailChangeUndone { restored_masked: "a***@example.com".into() }),
        ]
    );
    assert!(state.outbox[before..].iter().all(|r| r.email.about == Some(w.ada.user_id)));
}

#[tokio::test]
async fn a_revert_reads_the_address_again_when_it_moved_under_it() {
    let w = world(&[111_111, 222_222]);
    let (first_link, _) = chain_of_two(&w).await;
    // The store answers "moved" once, as after a change committed between
    // the use case's read and the store's locked check.
    let moved = Arc::new(MovedOnce { inner: w.store.clone(), moved: std::sync::atomic::AtomicBool::new(false) });
    let changes = EmailChanges::new(
        moved.clone(),
        w.store.clone(),
        w.clock.clone(),
        Arc::new(SeqRandom::from_words(&[])),
        SecretHasher::new(SecretKey::new(vec![42; 32]).unwrap()),
        EmailChangePolicy::with_public_url("https://p.example"),
    );
    changes.revert(&first_link).await.unwrap();
    assert!(moved.moved.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(ada_email(&w), email("ada@example.com"));
}

/// An `EmailChangeStore` whose first revert answers `AddressMoved`.
struct MovedOnce {
    inner: Arc<InMemoryStore>,
    moved: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl EmailChangeStore for MovedOnce {
    async fn owner_of(&self, email: &EmailAddress) -> Result<Option<UserId>, PortError> {
        self.inner.owner_of(email).await
    }
    async fn put_request(
        &self,
        request: &EmailChangeRequest,
        sent: &EmailChangeCodeSent,
        message: &OutgoingEmail,
        limits: &CodeLimits,
    ) -> Result<PutOutcome, PortError> {
        self.inner.put_request(request, sent, message, limits).await
    }
    async fn record_change_attempt(&self, user: UserId) -> Result<Option<EmailChangeRequest>, PortError> {
        self.inner.record_change_attempt(user).await
    }
    async fn apply(&self, application: &EmailChangeApplication) -> Result<ApplyOutcome, PortError> {
        self.inner.apply(application).await
    }
    async fn find_record(&self, revert_hash: &SecretHash) -> Result<Option<EmailChangeRecord>, PortError> {
        self.inner.find_record(revert_hash).await
    }
    async fn revert(&self, reversal: &EmailChangeReversal) -> Result<RevertOutcome, PortError> {
        if !self.moved.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return Ok(RevertOutcome::AddressMoved { current: reversal.replacing.clone() });
        }
        self.inner.revert(reversal).await
    }
}

#[tokio::test]
async fn a_revert_goes_through_when_the_account_it_reads_is_stale() {
    let w = world(&[111_111, 222_222]);
    let stale = w.store.get(w.ada.user_id).await.unwrap().unwrap();
    let (first_link, _) = chain_of_two(&w).await;
    // Reads of the account keep answering the address from before both
    // changes, as a cache not yet told of the last commit would; the
    // store's locked check sees the address in force.
    let accounts = Arc::new(StaleAccounts { inner: w.store.clone(), stale });
    let changes = EmailChanges::new(
        w.store.clone(),
        accounts,
        w.clock.clone(),
        Arc::new(SeqRandom::from_words(&[])),
        SecretHasher::new(SecretKey::new(vec![42; 32]).unwrap()),
        EmailChangePolicy::with_public_url("https://p.example"),
    );
    changes.revert(&first_link).await.unwrap();
    assert_eq!(ada_email(&w), email("ada@example.com"));
    let state = w.store.state();
    let told: Vec<_> = state.outbox.iter().rev().take(2).map(|r| r.email.to.clone()).collect();
    assert_eq!(told, [email("ada@c.example"), email("ada@example.com")], "the address in force is told");
}

/// An `AccountStore` whose reads answer one account as it once was.
struct StaleAccounts {
    inner: Arc<InMemoryStore>,
    stale: Account,
}

#[async_trait::async_trait]
impl AccountStore for StaleAccounts {
    async fn get(&self, _id: UserId) -> Result<Option<Account>, PortError> {
        Ok(Some(self.stale.clone()))
    }
    async fn find_by_email(&self, email: &EmailAddress) -> Result<Option<Account>, PortError> {
        self.inner.find_by_email(email).await
    }
    async fn set_display_name(
        &self,
        id: UserId,
        name: &crate::DisplayName,
        now: OffsetDateTime,
        notify: &[crate::NoticeFor],
    ) -> Result<Option<Account>, PortError> {
        self.inner.set_display_name(id, name, now, notify).await
    }
}
