//! Black-box tests of the built `profile-server` binary over HTTP: each test
//! starts the real binary on a free port with its own data directory.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod bad_input;
mod caches;
mod consents;
mod databases;
mod email_change;
mod erasure;
mod export;
mod export_coverage;
mod export_ownership;
mod file_modes;
mod flows;
mod limits;
mod mail;
mod mistyped_json;
mod pictures;
mod profiles_api;
mod providers;
mod revert_chain;
mod service_events;
mod shared_limits;
mod support;
mod unsubscribe;
mod upload_slots;
mod web_page;
