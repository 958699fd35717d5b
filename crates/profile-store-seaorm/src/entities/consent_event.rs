//! The `consent_ledger` table: every consent change, appended, never updated.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_ledger")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub purpose_id: String,
    pub version: i32,
    pub text_hash: String,
    pub granted: bool,
    pub at_ms: i64,
    pub channel: String,
    /// The entry's place in the user's ledger: 1, 2, 3 …
    pub seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
