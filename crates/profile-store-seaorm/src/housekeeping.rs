//! `HousekeepingStore` on sea-orm.

use async_trait::async_trait;
use profile_domain::PortError;
use profile_domain::ports::{HousekeepingStore, PurgeCutoffs, Purged};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::SeaOrmStore;
use crate::convert::{db, to_ms};
use crate::entities::{
    email_change_code, email_change_request, outbox_message, provider_notice, provider_report_seen, rate_counter,
    session, sign_in_challenge,
};

#[async_trait]
impl HousekeepingStore for SeaOrmStore {
    async fn purge(&self, cutoffs: &PurgeCutoffs) -> Result<Purged, PortError> {
        let now = to_ms(cutoffs.now);
        let challenges = sign_in_challenge::Entity::delete_many()
            .filter(sign_in_challenge::Column::ExpiresAtMs.lte(now))
            .exec(&self.db)
            .await
            .map_err(db("purging expired challenges"))?;
        let sessions = session::Entity::delete_many()
            .filter(session::Column::ExpiresAtMs.lte(now))
            .exec(&self.db)
            .await
            .map_err(db("purging expired sessions"))?;
        let messages = outbox_message::Entity::delete_many()
            .filter(outbox_message::Column::FinishedAtMs.lte(to_ms(cutoffs.finished_before)))
            .exec(&self.db)
            .await
            .map_err(db("purging finished messages"))?;
        let change_requests = email_change_request::Entity::delete_many()
            .filter(email_change_request::Column::ExpiresAtMs.lte(to_ms(cutoffs.stale_requests_before)))
            .exec(&self.db)
            .await
            .map_err(db("purging expired change requests"))?;
        let code_log = email_change_code::Entity::delete_many()
            .filter(email_change_code::Column::SentAtMs.lte(to_ms(cutoffs.code_log_before)))
            .exec(&self.db)
            .await
            .map_err(db("purging the code log"))?;
        let provider_notices = provider_notice::Entity::delete_many()
            .filter(provider_notice::Column::DeliveredAtMs.lte(to_ms(cutoffs.finished_before)))
            .exec(&self.db)
            .await
            .map_err(db("purging delivered provider notices"))?;
        let provider_reports = provider_report_seen::Entity::delete_many()
            .filter(provider_report_seen::Column::ReceivedAtMs.lte(to_ms(cutoffs.reports_before)))
            .exec(&self.db)
            .await
            .map_err(db("purging the provider report log"))?;
        // The feed is read ten seconds back; ten minutes is plenty.
        crate::cache::purge(&self.db, cutoffs.now - time::Duration::minutes(10)).await?;
        let rate_counters = rate_counter::Entity::delete_many()
            .filter(rate_counter::Column::WindowEndsAtMs.lte(now))
            .exec(&self.db)
            .await
            .map_err(db("purging ended rate counters"))?;
        Ok(Purged {
            challenges: challenges.rows_affected,
            sessions: sessions.rows_affected,
            messages: messages.rows_affected,
            change_requests: change_requests.rows_affected,
            code_log: code_log.rows_affected,
            provider_notices: provider_notices.rows_affected,
            provider_reports: provider_reports.rows_affected,
            rate_counters: rate_counters.rows_affected,
        })
    }
}
