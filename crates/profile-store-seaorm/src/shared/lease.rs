//! Leases on rows that competing workers claim: the mail outbox, the
//! provider outbox and the erasure jobs. A row is free when it was never
//! leased or its lease ended at or before now; a claim takes a row only if
//! it is still free at the moment of the update, so two workers never hold
//! the same row, and a worker that died frees its rows when their leases
//! end.

use profile_domain::PortError;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::convert::db;

/// The columns of a table that hold its rows' leases.
pub(crate) struct LeaseColumns<E: EntityTrait> {
    /// The row's id.
    pub(crate) id: E::Column,
    /// The worker holding the lease.
    pub(crate) owner: E::Column,
    /// When the lease ends, in milliseconds since the epoch.
    pub(crate) until_ms: E::Column,
}

impl<E: EntityTrait> LeaseColumns<E> {
    /// Rows whose lease is free at `now_ms`.
    pub(crate) fn free(&self, now_ms: i64) -> Condition {
        Condition::any().add(self.until_ms.is_null()).add(self.until_ms.lte(now_ms))
    }

    /// Leases to `worker` until `until_ms` each of `candidates` that is
    /// still free at `now_ms` and still matches `still`: the ids it took,
    /// in the candidates' order.
    pub(crate) async fn claim(
        &self,
        conn: &impl ConnectionTrait,
        candidates: Vec<Uuid>,
        still: &Condition,
        worker: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Vec<Uuid>, PortError> {
        let mut taken = Vec::with_capacity(candidates.len());
        for id in candidates {
            let updated = E::update_many()
                .col_expr(self.owner, Expr::value(worker))
                .col_expr(self.until_ms, Expr::value(until_ms))
                .filter(self.id.eq(id))
                .filter(still.clone())
                .filter(self.free(now_ms))
                .exec(conn)
                .await
                .map_err(db("taking a lease"))?;
            if updated.rows_affected == 1 {
                taken.push(id);
            }
        }
        Ok(taken)
    }
}
