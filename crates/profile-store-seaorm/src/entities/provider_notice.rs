//! The `provider_notices` table: the outbox of notices to mailing-list
//! providers, delivered in `sequence` order per provider and user.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub provider: String,
    pub user_id: Uuid,
    pub sequence: i64,
    pub kind: String,
    /// The notice's content as JSON; erased once delivered.
    #[sea_orm(column_type = "Text", nullable)]
    pub payload: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at_ms: i64,
    pub lease_owner: Option<String>,
    pub lease_until_ms: Option<i64>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub queued_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
