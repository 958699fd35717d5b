//! Whether an account's erasure has begun, read inside another
//! operation's transaction (sign-in, queueing notices).

use profile_domain::PortError;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::convert::{db, to_ms};
use crate::entities::deletion_job as job;

/// Whether the user's erasure has started, or can no longer be cancelled,
/// at `at`: from then on sign-in is refused and no notice but the
/// erasure's is queued.
pub(crate) async fn erasure_started(
    conn: &impl ConnectionTrait,
    user: Uuid,
    at: OffsetDateTime,
) -> Result<bool, PortError> {
    let job = job::Entity::find()
        .filter(job::Column::UserId.eq(user))
        .one(conn)
        .await
        .map_err(db("reading a deletion job"))?;
    Ok(job.is_some_and(|j| j.cancellable_until_ms <= to_ms(at)))
}
