//! Test support for the profile workspace.
//!
//! [`SmtpSink`] is a real SMTP server (the `mailin` protocol engine on a TCP
//! socket) that keeps every message it accepts, so tests check mail at the
//! wire instead of mocking a transport. [`WebhookReceiver`] is a real HTTP
//! endpoint that records the webhooks it is sent and fails while told to.

mod smtp_sink;
mod webhook_receiver;

pub use smtp_sink::{ReceivedMail, SmtpSink};
pub use webhook_receiver::{ReceivedWebhook, WebhookReceiver};
