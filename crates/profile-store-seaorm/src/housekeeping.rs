//! `HousekeepingStore` on sea-orm.

use async_trait::async_trait;
use profile_domain::PortError;
use profile_domain::ports::{HousekeepingStore, Purged};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use time::OffsetDateTime;

use crate::SeaOrmStore;
use crate::convert::{db, to_ms};
use crate::entities::{outbox_message, session, sign_in_challenge};

#[async_trait]
impl HousekeepingStore for SeaOrmStore {
    async fn purge(&self, now: OffsetDateTime, finished_before: OffsetDateTime) -> Result<Purged, PortError> {
        let challenges = sign_in_challenge::Entity::delete_many()
            .filter(sign_in_challenge::Column::ExpiresAtMs.lte(to_ms(now)))
            .exec(&self.db)
            .await
            .map_err(db("purging expired challenges"))?;
        let sessions = session::Entity::delete_many()
            .filter(session::Column::ExpiresAtMs.lte(to_ms(now)))
            .exec(&self.db)
            .await
            .map_err(db("purging expired sessions"))?;
        let messages = outbox_message::Entity::delete_many()
            .filter(outbox_message::Column::FinishedAtMs.lte(to_ms(finished_before)))
            .exec(&self.db)
            .await
            .map_err(db("purging finished messages"))?;
        Ok(Purged {
            challenges: challenges.rows_affected,
            sessions: sessions.rows_affected,
            messages: messages.rows_affected,
        })
    }
}
