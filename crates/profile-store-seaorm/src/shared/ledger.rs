//! Where a user's consent ledger ends, read inside the export's snapshot
//! and the consent writes.

use profile_domain::PortError;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::convert::db;
use crate::entities::consent_event;

/// The user's last ledger sequence number, if the ledger has any entry.
pub(crate) async fn ledger_end(conn: &impl ConnectionTrait, user: uuid::Uuid) -> Result<Option<i64>, PortError> {
    consent_event::Entity::find()
        .select_only()
        .column(consent_event::Column::Seq)
        .filter(consent_event::Column::UserId.eq(user))
        .order_by_desc(consent_event::Column::Seq)
        .limit(1)
        .into_tuple()
        .one(conn)
        .await
        .map_err(db("reading the ledger's end"))
}
