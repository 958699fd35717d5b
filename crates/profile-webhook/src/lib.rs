//! Mailing-list provider adapter: each notice is POSTed as JSON to the
//! provider's URL, signed in the Standard Webhooks scheme (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature`), so providers verify it with
//! any Standard Webhooks library.

mod body;
mod transport;

pub use body::notice_body;
pub use transport::{DELIVERY_TIMEOUT, WebhookEndpoint, WebhookTransport};
