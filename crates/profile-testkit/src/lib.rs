//! Test support for the profile workspace.
//!
//! [`SmtpSink`] is a real SMTP server (the `mailin` protocol engine on a TCP
//! socket) that keeps every message it accepts, so tests check mail at the
//! wire instead of mocking a transport. [`WebhookReceiver`] is a real HTTP
//! endpoint that records the webhooks it is sent and fails while told to.
//! [`S3Server`] runs a real S3-compatible server (`s3s-fs`) on a temporary
//! directory.

mod listener;
pub mod pictures;
mod s3_server;
mod smtp_sink;
mod webhook_receiver;

pub use s3_server::{S3_ACCESS_KEY, S3_SECRET_KEY, S3Server};
pub use smtp_sink::{ReceivedMail, SmtpSink};
pub use webhook_receiver::{ReceivedWebhook, WebhookReceiver};
