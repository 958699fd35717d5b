//! The `consent_purpose_versions` table: the exact text of every purpose
//! version ever shown, so a ledger hash can always be matched to its words.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_purpose_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub purpose_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub text_hash: String,
    pub first_seen_at_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
