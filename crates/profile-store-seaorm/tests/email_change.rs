//! The address-change storage against real databases.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use profile_domain::ports::{
    ApplyOutcome, EmailChangeApplication, EmailChangeReversal, EmailChangeStore, NewSession, RevertOutcome,
    SessionStore, SignInCompletion, SignInStore,
};
use profile_domain::{
    Account, EmailAddress, EmailChangeCodeSent, EmailChangeRecord, EmailChangeRequest, EmailContent, EmailId,
    OutgoingEmail, SecretHasher, SecretKey, SessionId, SignInChallenge, UserId,
};
use support::TestDb;
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

fn hasher() -> SecretHasher {
    SecretHasher::new(SecretKey::new(vec![1; 32]).unwrap())
}

fn message(id: u128, to: &EmailAddress, content: EmailContent) -> OutgoingEmail {
    OutgoingEmail { id: EmailId(Uuid::from_u128(id)), to: to.clone(), content, created_at: T0, expires_at: None }
}

/// Signs `address` in with session `session` and returns the account id.
async fn account_with_session(db: &TestDb, address: &str, session: u128) -> UserId {
    let to = email(address);
    let code_hash = hasher().hash("c", &[address.as_bytes()]);
    let challenge = SignInChallenge {
        email: to.clone(),
        code_hash: code_hash.clone(),
        created_at: T0,
        expires_at: T0 + Duration::minutes(10),
        attempts: 0,
    };
    db.store.put_challenge(&challenge, &message(9000 + session, &to, EmailContent::EmailChangeReverted)).await.unwrap();
    let completion = SignInCompletion {
        email: to.clone(),
        code_hash,
        new_account: Account::new(UserId::new_v7(session as u64, [session as u8; 10]), to, T0),
        session: NewSession {
            id: SessionId(Uuid::from_u128(session)),
            token_hash: hasher().hash("s", &[&session.to_be_bytes()]),
            created_at: T0,
            expires_at: T0 + Duration::days(30),
        },
    };
    db.store.complete_sign_in(&completion).await.unwrap().unwrap().account.id
}

fn request(user: UserId, to: &str, code: &str) -> EmailChangeRequest {
    EmailChangeRequest {
        user_id: user,
        new_email: email(to),
        code_hash: hasher().hash("code", &[code.as_bytes()]),
        created_at: T0,
        expires_at: T0 + Duration::minutes(15),
        attempts: 0,
    }
}

fn sent(id: u128, user: UserId, to: &str, at: OffsetDateTime) -> EmailChangeCodeSent {
    EmailChangeCodeSent {
        id: Uuid::from_u128(id),
        user_id: user,
        destination: hasher().hash("d", &[to.as_bytes()]),
        sent_at: at,
    }
}

fn application(user: UserId, old: &str, new: &str, code: &str, keep: u128) -> EmailChangeApplication {
    EmailChangeApplication {
        code_hash: hasher().hash("code", &[code.as_bytes()]),
        record: EmailChangeRecord {
            id: Uuid::from_u128(77),
            user_id: user,
            old_email: email(old),
            new_email: email(new),
            changed_at: T0 + Duration::minutes(1),
            revert_hash: hasher().hash("revert", &[b"token"]),
            revert_expires_at: T0 + Duration::days(7),
            reverted_at: None,
        },
        keep_session: SessionId(Uuid::from_u128(keep)),
        notice: message(500, &email(old), EmailContent::EmailChangeAddressInUse),
    }
}

async fn session_exists(db: &TestDb, id: u128) -> bool {
    db.store.find(&hasher().hash("s", &[&id.to_be_bytes()])).await.unwrap().is_some()
}

on_every_backend!(a_request_replaces_the_previous_one_and_its_attempts_count, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    let code = EmailContent::EmailChangeCode { code: "111111".into(), valid_minutes: 15 };
    db.store
        .put_request(
            &request(ada, "a@new.example", "111111"),
            &sent(1, ada, "a@new.example", T0),
            &message(1, &email("a@new.example"), code.clone()),
        )
        .await
        .unwrap();
    db.store
        .put_request(
            &request(ada, "b@new.example", "222222"),
            &sent(2, ada, "b@new.example", T0),
            &message(2, &email("b@new.example"), code),
        )
        .await
        .unwrap();
    let pending = db.store.record_change_attempt(ada).await.unwrap().unwrap();
    assert_eq!((pending.new_email.as_str(), pending.attempts), ("b@new.example", 1));
    assert_eq!(pending.code_hash, hasher().hash("code", &[b"222222"]));
    let stranger = UserId::new_v7(99, [9; 10]);
    assert!(db.store.record_change_attempt(stranger).await.unwrap().is_none());
});

on_every_backend!(recent_codes_are_counted_per_user_and_per_destination, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    let bob = account_with_session(&db, "bob@example.com", 2).await;
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    let puts = [
        (1, ada, "x@new.example", T0 - Duration::hours(2)),
        (2, ada, "y@new.example", T0),
        (3, bob, "x@new.example", T0 + Duration::seconds(1)),
    ];
    for (id, user, to, at) in puts {
        db.store
            .put_request(&request(user, to, "1"), &sent(id, user, to, at), &message(id + 10, &email(to), code.clone()))
            .await
            .unwrap();
    }
    let x = hasher().hash("d", &[b"x@new.example"]);
    let recent = db.store.recent_codes(ada, &x, T0 - Duration::hours(1)).await.unwrap();
    assert_eq!(recent.for_user, [T0]);
    assert_eq!(recent.for_destination, [T0 + Duration::seconds(1)]);
    assert_eq!(db.store.owner_of(&email("bob@example.com")).await.unwrap(), Some(bob));
    assert_eq!(db.store.owner_of(&email("nobody@example.com")).await.unwrap(), None);
});

on_every_backend!(
    applying_changes_the_address_keeps_only_the_current_session_and_records_it,
    |db: TestDb| async move {
        let ada = account_with_session(&db, "ada@example.com", 1).await;
        account_with_session(&db, "ada@example.com", 2).await;
        let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
        db.store
            .put_request(
                &request(ada, "ada@new.example", "123456"),
                &sent(1, ada, "ada@new.example", T0),
                &message(1, &email("ada@new.example"), code),
            )
            .await
            .unwrap();
        let wrong = application(ada, "ada@example.com", "ada@new.example", "999999", 1);
        assert_eq!(db.store.apply(&wrong).await.unwrap(), ApplyOutcome::RequestGone);
        let ApplyOutcome::Applied(account) =
            db.store.apply(&application(ada, "ada@example.com", "ada@new.example", "123456", 1)).await.unwrap()
        else {
            panic!("not applied")
        };
        assert_eq!(account.email, email("ada@new.example"));
        assert_eq!(account.updated_at, T0 + Duration::minutes(1));
        assert!(session_exists(&db, 1).await && !session_exists(&db, 2).await);
        let record = db.store.find_record(&hasher().hash("revert", &[b"token"])).await.unwrap().unwrap();
        assert_eq!((record.old_email.as_str(), record.reverted_at), ("ada@example.com", None));
        assert!(db.store.record_change_attempt(ada).await.unwrap().is_none(), "the request is consumed");
    }
);

on_every_backend!(the_database_refuses_an_address_another_account_took_meanwhile, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    db.store
        .put_request(
            &request(ada, "taken@example.com", "123456"),
            &sent(1, ada, "taken@example.com", T0),
            &message(1, &email("taken@example.com"), code),
        )
        .await
        .unwrap();
    account_with_session(&db, "taken@example.com", 2).await;
    let outcome = db.store.apply(&application(ada, "ada@example.com", "taken@example.com", "123456", 1)).await.unwrap();
    assert_eq!(outcome, ApplyOutcome::AddressTaken);
    assert!(
        db.store.record_change_attempt(ada).await.unwrap().is_some(),
        "nothing changed: the request is still there"
    );
    assert!(db.store.find_record(&hasher().hash("revert", &[b"token"])).await.unwrap().is_none());
});

on_every_backend!(a_revert_restores_the_address_ends_every_session_and_happens_once, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    db.store
        .put_request(
            &request(ada, "ada@new.example", "123456"),
            &sent(1, ada, "ada@new.example", T0),
            &message(1, &email("ada@new.example"), code),
        )
        .await
        .unwrap();
    db.store.apply(&application(ada, "ada@example.com", "ada@new.example", "123456", 1)).await.unwrap();
    let reversal = EmailChangeReversal {
        record_id: Uuid::from_u128(77),
        user_id: ada,
        restore: email("ada@example.com"),
        now: T0 + Duration::days(1),
        notice: message(600, &email("ada@example.com"), EmailContent::EmailChangeReverted),
    };
    assert_eq!(db.store.revert(&reversal).await.unwrap(), RevertOutcome::Reverted);
    assert!(!session_exists(&db, 1).await, "every session ended");
    assert_eq!(db.store.owner_of(&email("ada@example.com")).await.unwrap(), Some(ada));
    let record = db.store.find_record(&hasher().hash("revert", &[b"token"])).await.unwrap().unwrap();
    assert_eq!(record.reverted_at, Some(T0 + Duration::days(1)));
    let again = EmailChangeReversal {
        notice: message(601, &email("ada@example.com"), EmailContent::EmailChangeReverted),
        ..reversal
    };
    assert_eq!(db.store.revert(&again).await.unwrap(), RevertOutcome::AlreadyReverted);
});
