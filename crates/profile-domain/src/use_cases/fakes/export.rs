//! An in-memory export source and security log: snapshots handed out in
//! turn (the last one repeated), histories that can grow after a snapshot.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::export::{ExportSnapshot, LedgerEntryRecord, SecurityEventRecord};
use crate::ports::{ExportSource, LimitedRecord, SecurityLog};
use crate::{PortError, SecurityEvent, UserId};

#[derive(Default)]
pub(crate) struct MemoryExport {
    pub(crate) snapshots: Mutex<VecDeque<ExportSnapshot>>,
    pub(crate) ledger: Mutex<Vec<LedgerEntryRecord>>,
    pub(crate) security: Mutex<Vec<SecurityEventRecord>>,
    pub(crate) pages_fail: Mutex<bool>,
    /// Ledger pages asked for so far.
    pub(crate) ledger_reads: Mutex<usize>,
    pub(crate) account_exists: Mutex<bool>,
}

impl MemoryExport {
    pub(crate) fn events(&self) -> Vec<SecurityEventRecord> {
        self.security.lock().unwrap().clone()
    }
}

#[async_trait]
impl ExportSource for MemoryExport {
    async fn snapshot(&self, _user: UserId) -> Result<Option<ExportSnapshot>, PortError> {
        if !*self.account_exists.lock().unwrap() {
            return Ok(None);
        }
        let mut queue = self.snapshots.lock().unwrap();
        let mut snapshot = if queue.len() > 1 { queue.pop_front() } else { queue.front().cloned() }
            .ok_or(PortError::msg("no snapshot set up"))?;
        snapshot.ledger_through = self.ledger.lock().unwrap().last().map_or(0, |e| e.sequence);
        snapshot.security_through = self.security.lock().unwrap().last().map_or(0, |e| e.position);
        Ok(Some(snapshot))
    }

    async fn ledger_page(
        &self,
        _user: UserId,
        after: i64,
        through: i64,
        limit: u32,
    ) -> Result<Vec<LedgerEntryRecord>, PortError> {
        *self.ledger_reads.lock().unwrap() += 1;
        if *self.pages_fail.lock().unwrap() {
            return Err(PortError::msg("database down"));
        }
        let ledger = self.ledger.lock().unwrap();
        let page = ledger.iter().filter(|e| e.sequence > after && e.sequence <= through);
        Ok(page.take(limit as usize).cloned().collect())
    }

    async fn security_page(
        &self,
        _user: UserId,
        after: i64,
        through: i64,
        limit: u32,
    ) -> Result<Vec<SecurityEventRecord>, PortError> {
        let events = self.security.lock().unwrap();
        let page = events.iter().filter(|e| e.position > after && e.position <= through);
        Ok(page.take(limit as usize).cloned().collect())
    }
}

#[async_trait]
impl SecurityLog for MemoryExport {
    async fn history(&self, user: UserId) -> Result<Vec<SecurityEvent>, PortError> {
        let _ = user;
        Err(PortError::msg("not used by these tests"))
    }

    async fn record_limited(
        &self,
        event: &SecurityEvent,
        since: OffsetDateTime,
        max: u32,
    ) -> Result<LimitedRecord, PortError> {
        if !*self.account_exists.lock().unwrap() {
            return Ok(LimitedRecord::NoAccount);
        }
        let mut events = self.security.lock().unwrap();
        let counted: Vec<_> =
            events.iter().filter(|e| e.kind == event.kind.as_str() && e.at > since).map(|e| e.at).collect();
        if counted.len() >= max as usize {
            return Ok(LimitedRecord::Limited { oldest: counted[0] });
        }
        let position = events.last().map_or(1, |e| e.position + 1);
        events.push(SecurityEventRecord { position, kind: event.kind.as_str().to_owned(), at: event.at });
        Ok(LimitedRecord::Recorded)
    }
}
