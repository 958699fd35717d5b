//! Writes the export document in chunks: the head (every small section) at
//! once, then the consent ledger and the security history a page at a time
//! (a page shorter than the page size is a history's last).

use std::sync::Arc;

use serde::Serialize;

use super::records::{PictureRecord, utc};
use super::{ExportRequest, ExportSnapshot, FORMAT, VERSION};
use crate::ports::ExportSource;
use crate::{PortError, UserId};

/// The export of one user, produced chunk by chunk with
/// [`next_chunk`](Self::next_chunk); the chunks joined are one JSON document.
pub struct ExportDocument {
    source: Arc<dyn ExportSource>,
    user: UserId,
    page_size: u32,
    exported_at: time::OffsetDateTime,
    ledger_through: i64,
    security_through: i64,
    stage: Stage,
}

enum Stage {
    Head(Vec<u8>),
    Ledger { after: i64, first: bool },
    Security { after: i64, first: bool },
    Done,
}

/// The pictures section.
#[derive(Serialize)]
struct Pictures<'a> {
    current: Option<&'a PictureRecord>,
    pending: Option<&'a PictureRecord>,
}

fn write_err(e: serde_json::Error) -> PortError {
    PortError::new("writing the export document", e)
}

/// Appends `"name": value,` and a line break.
fn field(out: &mut Vec<u8>, name: &str, value: &impl Serialize) -> Result<(), PortError> {
    serde_json::to_writer(&mut *out, name).map_err(write_err)?;
    out.extend_from_slice(b": ");
    serde_json::to_writer(&mut *out, value).map_err(write_err)?;
    out.extend_from_slice(b",\n");
    Ok(())
}

/// A small JSON object from pairs of a name and a value.
fn object(pairs: &[(&str, serde_json::Value)]) -> serde_json::Value {
    serde_json::Value::Object(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
}

fn json(value: &impl Serialize) -> Result<serde_json::Value, PortError> {
    serde_json::to_value(value).map_err(write_err)
}

impl ExportDocument {
    /// The document over `snapshot`, with the pictures' files already read.
    ///
    /// # Errors
    /// [`PortError`] when a section cannot be written (it cannot, short of
    /// a bug in a record's serialisation).
    pub fn new(
        source: Arc<dyn ExportSource>,
        request: ExportRequest,
        snapshot: &ExportSnapshot,
        current_picture: Option<&PictureRecord>,
        pending_picture: Option<&PictureRecord>,
        page_size: u32,
    ) -> Result<Self, PortError> {
        let user = UserId::from_uuid(snapshot.account.id);
        let mut sessions = snapshot.sessions.clone();
        for session in &mut sessions {
            session.current = request.session.is_some_and(|s| s.0 == session.id);
        }
        let mut head = b"{\n".to_vec();
        field(&mut head, "format", &FORMAT)?;
        field(&mut head, "version", &VERSION)?;
        field(&mut head, "exported_at", &utc::text(request.at))?;
        field(&mut head, "account", &snapshot.account)?;
        let picture = Pictures { current: current_picture, pending: pending_picture };
        field(
            &mut head,
            "profile",
            &object(&[("display_name", json(&snapshot.display_name)?), ("picture", json(&picture)?)]),
        )?;
        field(
            &mut head,
            "login_email",
            &object(&[
                ("pending_change", json(&snapshot.pending_email_change)?),
                ("change_codes_sent", json(&snapshot.change_codes_sent)?),
                ("changes", json(&snapshot.address_changes)?),
            ]),
        )?;
        field(
            &mut head,
            "sign_in",
            &object(&[("pending_codes", json(&snapshot.sign_in_codes)?), ("sessions", json(&sessions)?)]),
        )?;
        field(&mut head, "emails", &snapshot.emails)?;
        field(&mut head, "mailing_list_notices", &snapshot.provider_notices)?;
        head.extend_from_slice(b"\"consents\": {\n");
        field(&mut head, "purposes", &snapshot.purposes)?;
        field(&mut head, "answers", &snapshot.consent_answers)?;
        field(&mut head, "unsubscribe_links", &snapshot.unsubscribe_links)?;
        head.extend_from_slice(b"\"ledger\": [");
        Ok(Self {
            source,
            user,
            page_size: page_size.max(1),
            exported_at: request.at,
            ledger_through: snapshot.ledger_through,
            security_through: snapshot.security_through,
            stage: Stage::Head(head),
        })
    }

    /// When the export was taken (its `exported_at`).
    #[must_use]
    pub fn exported_at(&self) -> time::OffsetDateTime {
        self.exported_at
    }

    /// The next piece of the document, or `None` after the last.
    ///
    /// # Errors
    /// [`PortError`] when a page cannot be read; the document is then cut
    /// short and must not be used.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, PortError> {
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Head(head) => {
                self.stage = Stage::Ledger { after: 0, first: true };
                Ok(Some(head))
            }
            Stage::Ledger { after, first } => {
                let page = self.source.ledger_page(self.user, after, self.ledger_through, self.page_size).await?;
                let mut out = Vec::new();
                entries(&mut out, &page, first)?;
                match page.last().map(|e| e.sequence) {
                    Some(last) if self.is_full(&page) => self.stage = Stage::Ledger { after: last, first: false },
                    _ => {
                        out.extend_from_slice(b"\n]},\n\"security_history\": [");
                        self.stage = Stage::Security { after: 0, first: true };
                    }
                }
                Ok(Some(out))
            }
            Stage::Security { after, first } => {
                let page = self.source.security_page(self.user, after, self.security_through, self.page_size).await?;
                let mut out = Vec::new();
                entries(&mut out, &page, first)?;
                match page.last().map(|e| e.position) {
                    Some(last) if self.is_full(&page) => self.stage = Stage::Security { after: last, first: false },
                    _ => out.extend_from_slice(b"\n]\n}\n"),
                }
                Ok(Some(out))
            }
            Stage::Done => Ok(None),
        }
    }

    /// Whether `page` is as long as a page may be: a shorter one is the
    /// history's last, so no read is needed after it.
    fn is_full<T>(&self, page: &[T]) -> bool {
        page.len() >= self.page_size as usize
    }
}

/// Room for one entry of either history in the written document, so a
/// page is written into one allocation.
const ENTRY_BYTES: usize = 192;

/// Appends array elements, one per line, each after a comma unless it is
/// the array's first.
fn entries<T: Serialize>(out: &mut Vec<u8>, page: &[T], mut first: bool) -> Result<(), PortError> {
    out.reserve(page.len() * ENTRY_BYTES);
    for entry in page {
        out.extend_from_slice(if first { b"\n" } else { b",\n" });
        first = false;
        serde_json::to_writer(&mut *out, entry).map_err(write_err)?;
    }
    Ok(())
}
