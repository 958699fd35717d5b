//! What more than one port implementation needs: row conversions, leases,
//! and the reads and writes that run inside another operation's
//! transaction. Port implementations depend on these modules and never on
//! one another.

mod erasure_state;
pub(crate) mod lease;
mod ledger;
mod notices;
mod public_profiles;
pub(crate) mod rows;
mod security_log;

pub(crate) use erasure_state::erasure_started;
pub(crate) use ledger::ledger_end;
pub(crate) use notices::{NOTICE_LEASE, queue_notices, queue_profile_updated};
pub(crate) use public_profiles::read_public_profiles;
pub(crate) use security_log::record as record_security_event;
