//! Public profiles read in one query (the account, its current picture,
//! and whether its deletion was asked for), by the directory and inside
//! the transaction that queues `profile.updated`.

use profile_domain::{DisplayName, PictureSlot, PortError, PublicProfile, UserId};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Query};
use sea_orm::{ConnectionTrait, Iden};
use uuid::Uuid;

use crate::convert::{db, from_ms};
use crate::entities::{account, deletion_job, picture};

/// The public profiles of `ids` (those that exist and are not being
/// deleted), read on `conn`.
pub(crate) async fn read_public_profiles(
    conn: &impl ConnectionTrait,
    ids: &[UserId],
) -> Result<Vec<PublicProfile>, PortError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let being_deleted = Query::select()
        .expr(Expr::val(1))
        .from(deletion_job::Entity)
        .and_where(
            Expr::col((deletion_job::Entity, deletion_job::Column::UserId))
                .equals((account::Entity, account::Column::Id)),
        )
        .to_owned();
    let query = Query::select()
        .column((account::Entity, account::Column::Id))
        .column((account::Entity, account::Column::DisplayName))
        .column((account::Entity, account::Column::UpdatedAtMs))
        .column((picture::Entity, picture::Column::Files))
        .from(account::Entity)
        .join(
            JoinType::LeftJoin,
            picture::Entity,
            Expr::col((picture::Entity, picture::Column::UserId))
                .equals((account::Entity, account::Column::Id))
                .and(Expr::col((picture::Entity, picture::Column::Slot)).eq(PictureSlot::Current.as_str())),
        )
        .and_where(Expr::col((account::Entity, account::Column::Id)).is_in(ids.iter().map(UserId::as_uuid)))
        .and_where(Expr::not_exists(being_deleted))
        .to_owned();
    let statement = conn.get_database_backend().build(&query);
    let rows = conn.query_all_raw(statement).await.map_err(db("reading public profiles"))?;
    let column = |c: &dyn Iden| c.to_string();
    rows.iter()
        .map(|row| {
            let id: Uuid = row.try_get("", &column(&account::Column::Id)).map_err(db("reading a public profile"))?;
            let name: Option<String> =
                row.try_get("", &column(&account::Column::DisplayName)).map_err(db("reading a public profile"))?;
            let updated: i64 =
                row.try_get("", &column(&account::Column::UpdatedAtMs)).map_err(db("reading a public profile"))?;
            let files: Option<String> =
                row.try_get("", &column(&picture::Column::Files)).map_err(db("reading a public profile"))?;
            let display_name = name
                .map(|n| DisplayName::parse(&n))
                .transpose()
                .map_err(|e| PortError::new("stored display name is invalid", e))?;
            let picture = files.as_deref().map(super::rows::files_from_json).transpose()?;
            Ok(PublicProfile { id: UserId::from_uuid(id), display_name, picture, updated_at: from_ms(updated)? })
        })
        .collect()
}
