//! The `email_change_history` table: every applied change of login address.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_change_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub old_email: String,
    pub new_email: String,
    pub changed_at_ms: i64,
    #[sea_orm(unique)]
    pub revert_hash: String,
    pub revert_expires_at_ms: i64,
    pub reverted_at_ms: Option<i64>,
    pub voided_at_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
