//! sea-orm entities: the rows as stored. Private to this crate; the ports
//! speak in domain types.

pub(crate) mod account;
pub(crate) mod cache_invalidation;
pub(crate) mod consent_answer;
pub(crate) mod consent_event;
pub(crate) mod consent_purpose_version;
pub(crate) mod deletion_job;
pub(crate) mod deletion_receipt;
pub(crate) mod email_change_code;
pub(crate) mod email_change_history;
pub(crate) mod email_change_request;
pub(crate) mod outbox_message;
pub(crate) mod picture;
pub(crate) mod provider_notice;
pub(crate) mod provider_report_seen;
pub(crate) mod rate_counter;
pub(crate) mod security_event;
pub(crate) mod session;
pub(crate) mod sign_in_challenge;
pub(crate) mod suppressed_address;
pub(crate) mod unsubscribe_key;
