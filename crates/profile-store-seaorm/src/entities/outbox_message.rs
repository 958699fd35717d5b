//! The `outbox_messages` table: messages committed with the change that
//! caused them, waiting for (or done with) delivery.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub recipient: String,
    pub kind: String,
    /// The message content as JSON; erased once delivered or expired.
    #[sea_orm(column_type = "Text", nullable)]
    pub payload: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at_ms: i64,
    pub lease_owner: Option<String>,
    pub lease_until_ms: Option<i64>,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub expires_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    /// The account the message is about, when known (erased with it).
    pub about_user_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
