//! The one way security-history entries are written: inside the
//! transaction of the change they record.

use profile_domain::{PortError, SecurityEventKind, UserId};
use sea_orm::{ActiveValue::NotSet, ActiveValue::Set, ConnectionTrait, EntityTrait};
use time::OffsetDateTime;

use crate::convert::{db, to_ms};
use crate::entities::security_event as event;

/// Appends an entry, inside the caller's transaction.
pub(crate) async fn record(
    conn: &impl ConnectionTrait,
    user: UserId,
    kind: SecurityEventKind,
    at: OffsetDateTime,
) -> Result<(), PortError> {
    event::Entity::insert(event::ActiveModel {
        seq: NotSet,
        user_id: Set(user.as_uuid()),
        kind: Set(kind.as_str().to_owned()),
        at_ms: Set(to_ms(at)),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db("recording a security event"))?;
    Ok(())
}
