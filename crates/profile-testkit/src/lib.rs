//! Test support for the profile workspace.
//!
//! [`SmtpSink`] is a real SMTP server (the `mailin` protocol engine on a TCP
//! socket) that keeps every message it accepts, so tests check mail at the
//! wire instead of mocking a transport.

mod smtp_sink;

pub use smtp_sink::{ReceivedMail, SmtpSink};
