//! Both transports against real receivers: a real SMTP server on a socket,
//! and a directory on disk.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

use std::time::Duration;

use profile_domain::ports::{MailTransport, SendError};
use profile_domain::{EmailAddress, EmailContent, EmailId, OutgoingEmail};
use profile_email::{DevMailbox, MailSettings, SmtpTransport};
use profile_testkit::SmtpSink;
use time::macros::datetime;

fn settings() -> MailSettings {
    MailSettings::new("Meet Profile <no-reply@meet.example>", "Meet").unwrap()
}

fn code_email(id: u128) -> OutgoingEmail {
    OutgoingEmail {
        id: EmailId(uuid::Uuid::from_u128(id)),
        to: EmailAddress::parse("ada@example.com").unwrap(),
        content: EmailContent::SignInCode { code: "314159".into(), valid_minutes: 10 },
        created_at: datetime!(2026-11-29 12:00 UTC),
        expires_at: None,
        about: None,
    }
}

#[tokio::test]
async fn smtp_delivers_a_multipart_message_to_a_real_server() {
    let sink = SmtpSink::start();
    let smtp = SmtpTransport::from_url(&sink.url(), settings()).unwrap();
    smtp.send(&code_email(1)).await.unwrap();
    let got = sink.wait_for(1, Duration::from_secs(5));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["ada@example.com"]);
    let raw = &got[0].raw;
    assert!(raw.contains("Subject: 314159 is your Meet sign-in code"), "{raw}");
    assert!(raw.contains("From: \"Meet Profile\" <no-reply@meet.example>"), "{raw}");
    assert!(raw.contains("Message-ID: <00000000-0000-0000-0000-000000000001@meet.example>"), "{raw}");
    assert!(raw.contains("multipart/alternative"));
    assert!(raw.contains("text/plain") && raw.contains("text/html"));
}

#[tokio::test]
async fn smtp_reports_a_server_that_is_down_as_temporary_and_succeeds_once_it_is_up() {
    let port = SmtpSink::free_port();
    let smtp = SmtpTransport::from_url(&format!("smtp://127.0.0.1:{port}"), settings()).unwrap();
    let down = smtp.send(&code_email(2)).await;
    assert_eq!(down, Err(SendError::Transient("connection failed".into())));
    let sink = SmtpSink::start_on(port);
    smtp.send(&code_email(2)).await.unwrap();
    assert_eq!(sink.wait_for(1, Duration::from_secs(5)).len(), 1);
}

#[tokio::test]
async fn smtp_tells_permanent_refusals_from_temporary_ones_without_echoing_the_reply() {
    let sink = SmtpSink::start();
    let smtp = SmtpTransport::from_url(&sink.url(), settings()).unwrap();
    sink.reject_recipients_with(550);
    assert_eq!(smtp.send(&code_email(3)).await, Err(SendError::Permanent("server replied 550".into())));
    sink.reject_recipients_with(451);
    assert_eq!(smtp.send(&code_email(4)).await, Err(SendError::Transient("server replied 451".into())));
    assert!(sink.received().is_empty());
}

#[test]
fn a_malformed_smtp_url_is_refused() {
    for url in ["http://mail.example", "smtp://host?tls=sometimes"] {
        assert!(SmtpTransport::from_url(url, settings()).is_err(), "{url}");
    }
}

#[tokio::test]
async fn the_dev_mailbox_writes_one_complete_eml_file_per_message() {
    let dir = tempfile::tempdir().unwrap();
    let mailbox = DevMailbox::open(dir.path().join("mail"), settings()).unwrap();
    mailbox.send(&code_email(5)).await.unwrap();
    mailbox.send(&code_email(6)).await.unwrap();
    let mut names: Vec<String> =
        std::fs::read_dir(mailbox.dir()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.len(), 2, "no temporary files are left: {names:?}");
    assert!(names.iter().all(|n| n.ends_with(".eml") && !n.starts_with('.')));
    let raw = std::fs::read_to_string(mailbox.dir().join(&names[0])).unwrap();
    assert!(raw.contains("To: ada@example.com"));
    assert!(raw.contains("Subject: 314159 is your Meet sign-in code"));
}

#[test]
fn an_invalid_sender_is_refused() {
    assert!(MailSettings::new("not an address", "Meet").is_err());
}
