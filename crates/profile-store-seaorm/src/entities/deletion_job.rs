//! The `deletion_jobs` table: one row per account being erased, erased with
//! the account in the job's last step.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deletion_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub receipt_id: Uuid,
    #[sea_orm(unique)]
    pub user_id: Uuid,
    pub email: String,
    /// Until when the user may cancel (the request time when there is no
    /// grace period); sign-in works until then.
    pub cancellable_until_ms: i64,
    pub next_attempt_at_ms: i64,
    pub lease_owner: Option<String>,
    pub lease_until_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
