//! The storage ports' contracts as checks that any implementation runs,
//! after the pattern of `object_store`'s integration tests: one public
//! async function per contract, taking the store as `&dyn Storage` and
//! asserting through the ports alone. A check panics with the contract it
//! found broken.
//!
//! Each check expects a store with nothing in it; [`storage_conformance!`]
//! writes one test per check, each on a fresh store:
//!
//! ```ignore
//! mod conformance {
//!     // `fresh()` is any future giving `Option<H>`, where `H` derefs to
//!     // the store (a `Box`, an `Arc`, or a guard that also deletes the
//!     // database); `None` skips the test (a backend not set up here).
//!     profile_domain::storage_conformance!(my_store::fresh());
//! }
//! ```
//!
//! The checks' times are fixed (from [`T0`]), so they also show that the
//! store keeps to the times it is given rather than its own clock.
//!
//! Left to a store's own tests, because the ports cannot show them: how
//! long a cached read may lag a change made on another instance (the
//! bound in [`SessionStore::find`]);
//! what happens to a stored row that can no longer be read back (a
//! message set aside, a notice held); and the races that only a lock
//! decides (a deletion request against a sign-in at the same moment, an
//! upload replacing one that [`PictureStore::take_expired`] is removing).
//!
//! [`storage_conformance!`]: crate::storage_conformance

pub mod accounts;
pub mod consents;
pub mod directory;
pub mod email_change;
pub mod email_revert;
pub mod erasure;
pub mod export;
mod fixtures;
pub mod housekeeping;
pub mod outbox;
pub mod ownership;
pub mod pictures;
pub mod providers;
pub mod rate_counters;
pub mod sign_in;

pub use fixtures::{T0, address, signed_up};

use crate::ports::{
    AccountStore, ConsentStore, EmailChangeStore, ErasureStore, ExportSource, HousekeepingStore, OutboxStore,
    PictureStore, ProfileDirectory, ProviderOutbox, ProviderReportLog, RateCounterStore, SecurityLog, SessionStore,
    SignInStore, UnsubscribeStore,
};

/// `Storage` over the ports listed, with its blanket implementation.
macro_rules! every_port {
    ($(#[$doc:meta])* $($port:ident),+) => {
        $(#[$doc])*
        pub trait Storage: $($port +)+ {}

        impl<T: $($port +)+ ?Sized> Storage for T {}
    };
}

every_port!(
    /// Every storage port on one store, as one storage adapter gives them
    /// (the contracts that span ports, such as a consent change and the
    /// notices it queues, need them on one database).
    AccountStore,
    SignInStore,
    SessionStore,
    OutboxStore,
    EmailChangeStore,
    ConsentStore,
    UnsubscribeStore,
    ProviderOutbox,
    ProviderReportLog,
    PictureStore,
    SecurityLog,
    ExportSource,
    ErasureStore,
    HousekeepingStore,
    RateCounterStore,
    ProfileDirectory
);

/// Writes one `#[tokio::test]` per conformance check, each on a store from
/// `$fresh` (a future of `Option<H>` where `H` derefs to the store; `None`
/// skips the check). The caller needs `tokio` with its `macros` and `rt`
/// features among its dev-dependencies.
#[macro_export]
macro_rules! storage_conformance {
    ($fresh:expr) => {
        $crate::storage_conformance!(@each $fresh;
            sign_in::a_challenge_and_its_message_are_stored_together,
            sign_in::a_challenge_whose_message_cannot_be_queued_is_not_stored,
            sign_in::a_new_challenge_replaces_the_old_and_resets_its_attempts,
            sign_in::concurrent_attempts_each_count,
            sign_in::of_concurrent_completions_of_one_challenge_exactly_one_wins,
            accounts::completing_creates_the_account_once_and_opens_sessions,
            accounts::completing_with_a_replaced_challenge_changes_nothing,
            accounts::concurrent_starts_for_one_or_many_addresses_all_succeed,
            accounts::a_display_name_in_any_script_round_trips,
            accounts::sessions_are_found_ended_and_signed_out_once,
            consents::every_change_is_appended_and_the_latest_is_the_answer,
            consents::the_ledger_keeps_the_order_of_writing_within_one_millisecond,
            consents::a_change_for_no_account_is_refused,
            consents::concurrent_withdrawals_append_one_entry,
            consents::purpose_texts_are_kept_and_a_silent_change_is_refused,
            consents::an_unsubscribe_key_is_kept_found_and_revoked,
            consents::a_stale_unsubscribe_key_is_replaced_only_while_it_is_stale,
            consents::consenting_users_are_listed_by_the_answers_in_force_in_pages,
            directory::public_profiles_are_read_at_once_and_those_being_deleted_are_left_out,
            directory::each_profile_change_queues_the_profile_as_committed_in_order_without_an_address,
            email_change::a_request_replaces_the_previous_one_and_its_attempts_count,
            email_change::the_code_limits_are_enforced_where_the_code_is_recorded,
            email_change::parallel_requests_cannot_slip_past_the_cooldown,
            email_change::applying_changes_the_address_keeps_only_the_current_session_and_records_it,
            email_change::the_database_refuses_an_address_another_account_took_meanwhile,
            email_change::of_two_accounts_confirming_one_address_at_once_exactly_one_wins,
            email_change::housekeeping_drops_stale_requests_and_old_code_log_entries,
            email_revert::a_revert_restores_the_address_ends_every_session_and_happens_once,
            email_revert::a_revert_voids_the_links_of_later_changes,
            email_revert::a_revert_never_voids_the_link_of_an_earlier_change,
            email_revert::a_revert_changes_nothing_when_the_address_moved_meanwhile,
            email_revert::signing_in_with_an_address_awaiting_revert_creates_no_account,
            email_revert::an_address_change_and_its_revert_are_told_to_providers_with_both_addresses,
            email_revert::sign_ins_and_address_changes_are_in_the_security_history,
            email_revert::a_change_applied_by_an_instance_whose_clock_is_behind_is_still_later,
            erasure::a_request_ends_the_sessions_refuses_a_second_and_stops_sign_in,
            erasure::a_job_is_leased_to_one_worker_and_only_it_saves_progress,
            erasure::a_lease_is_renewed_only_by_its_holder_while_it_runs,
            erasure::erasure_notices_supersede_waiting_ones_and_are_queued_once,
            erasure::within_the_grace_period_the_deletion_can_be_cancelled,
            erasure::an_account_counts_as_being_deleted_from_the_request_until_a_cancel,
            erasure::once_an_erasure_runs_no_other_notice_is_queued_for_the_user,
            erasure::an_erasure_leaves_nothing_of_the_user_and_everything_of_anyone_else,
            export::the_snapshot_holds_one_users_rows_and_where_the_histories_end,
            export::ledger_pages_follow_the_sequence_and_stop_at_the_mark,
            export::a_limited_record_counts_the_window_and_holds_under_concurrency,
            housekeeping::housekeeping_deletes_only_what_has_expired_or_finished_long_ago,
            outbox::a_claimed_message_is_leased_to_one_worker_until_the_lease_ends,
            outbox::claims_take_the_oldest_due_messages_up_to_the_limit,
            outbox::a_finished_message_is_never_claimed_again,
            outbox::a_retried_message_waits_for_its_next_attempt_and_keeps_its_count,
            outbox::competing_workers_claim_disjoint_messages,
            pictures::a_picture_is_kept_per_slot_and_a_new_one_returns_the_one_it_replaced,
            pictures::promoting_moves_the_pending_picture_only_if_it_is_the_one_expected,
            pictures::expired_uploads_are_taken_once_and_live_ones_stay,
            pictures::an_upload_that_replaced_an_expired_one_stays,
            ownership::erasure_jobs_are_claimed_in_the_order_they_fall_due,
            ownership::the_erasure_keeps_a_notice_being_sent_and_queues_behind_it,
            ownership::an_address_passed_to_someone_else_keeps_that_persons_rows,
            rate_counters::a_window_counts_each_event_and_starts_again_once_it_ends,
            rate_counters::concurrent_events_of_one_key_each_count_once,
            rate_counters::an_event_taken_back_no_longer_counts_in_its_window,
            rate_counters::housekeeping_drops_counters_whose_window_ended,
            providers::a_notice_carries_the_change_the_address_and_the_users_notice_number,
            providers::a_notice_that_cannot_be_queued_takes_the_consent_change_back,
            providers::only_the_first_pending_notice_of_a_provider_and_user_is_claimed,
            providers::a_leased_notice_is_claimed_again_only_once_its_lease_ends,
            providers::the_backlog_and_housekeeping_follow_delivery,
            providers::competing_workers_never_claim_the_same_notice,
            providers::a_report_id_is_claimed_once_per_provider_until_forgotten,
            providers::of_concurrent_claims_of_one_report_id_one_wins
        );
    };
    (@each $fresh:expr; $($group:ident :: $check:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                match $fresh.await {
                    Some(store) => $crate::conformance::$group::$check(&*store).await,
                    None => eprintln!("no store for this run: {} skipped", stringify!($check)),
                }
            }
        )*
    };
}
