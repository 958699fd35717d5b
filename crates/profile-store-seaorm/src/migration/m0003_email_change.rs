//! Changes of login address: pending requests, the log of codes sent, and
//! the history of applied changes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailChangeRequests {
    Table,
    UserId,
    NewEmail,
    CodeHash,
    CreatedAtMs,
    ExpiresAtMs,
    Attempts,
}

#[derive(DeriveIden)]
enum EmailChangeCodes {
    Table,
    Id,
    UserId,
    DestinationHash,
    SentAtMs,
}

#[derive(DeriveIden)]
enum EmailChangeHistory {
    Table,
    Id,
    UserId,
    OldEmail,
    NewEmail,
    ChangedAtMs,
    RevertHash,
    RevertExpiresAtMs,
    RevertedAtMs,
    VoidedAtMs,
}

const EMAIL_LEN: u32 = 254;
const HASH_LEN: u32 = 64;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = |name| super::new_table(manager, name);
        manager
            .create_table(
                table(EmailChangeRequests::Table.into_iden())
                    .col(uuid(EmailChangeRequests::UserId).primary_key())
                    .col(string_len(EmailChangeRequests::NewEmail, EMAIL_LEN))
                    .col(string_len(EmailChangeRequests::CodeHash, HASH_LEN))
                    .col(big_integer(EmailChangeRequests::CreatedAtMs))
                    .col(big_integer(EmailChangeRequests::ExpiresAtMs))
                    .col(integer(EmailChangeRequests::Attempts))
                    .foreign_key(&mut super::owned_by_account(
                        "fk_email_change_requests_user",
                        EmailChangeRequests::Table.into_iden(),
                        EmailChangeRequests::UserId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table(EmailChangeCodes::Table.into_iden())
                    .col(pk_uuid(EmailChangeCodes::Id))
                    .col(uuid(EmailChangeCodes::UserId))
                    .col(string_len(EmailChangeCodes::DestinationHash, HASH_LEN))
                    .col(big_integer(EmailChangeCodes::SentAtMs))
                    .foreign_key(&mut super::owned_by_account(
                        "fk_email_change_codes_user",
                        EmailChangeCodes::Table.into_iden(),
                        EmailChangeCodes::UserId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table(EmailChangeHistory::Table.into_iden())
                    .col(pk_uuid(EmailChangeHistory::Id))
                    .col(uuid(EmailChangeHistory::UserId))
                    .col(string_len(EmailChangeHistory::OldEmail, EMAIL_LEN))
                    .col(string_len(EmailChangeHistory::NewEmail, EMAIL_LEN))
                    .col(big_integer(EmailChangeHistory::ChangedAtMs))
                    .col(string_len_uniq(EmailChangeHistory::RevertHash, HASH_LEN))
                    .col(big_integer(EmailChangeHistory::RevertExpiresAtMs))
                    .col(big_integer_null(EmailChangeHistory::RevertedAtMs))
                    .col(big_integer_null(EmailChangeHistory::VoidedAtMs))
                    .foreign_key(&mut super::owned_by_account(
                        "fk_email_change_history_user",
                        EmailChangeHistory::Table.into_iden(),
                        EmailChangeHistory::UserId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        let indexes = [
            (
                "ix_email_change_requests_expires",
                EmailChangeRequests::Table.into_iden(),
                vec![EmailChangeRequests::ExpiresAtMs.into_iden()],
            ),
            (
                "ix_email_change_codes_user",
                EmailChangeCodes::Table.into_iden(),
                vec![EmailChangeCodes::UserId.into_iden(), EmailChangeCodes::SentAtMs.into_iden()],
            ),
            (
                "ix_email_change_codes_destination",
                EmailChangeCodes::Table.into_iden(),
                vec![EmailChangeCodes::DestinationHash.into_iden(), EmailChangeCodes::SentAtMs.into_iden()],
            ),
            (
                "ix_email_change_codes_sent",
                EmailChangeCodes::Table.into_iden(),
                vec![EmailChangeCodes::SentAtMs.into_iden()],
            ),
            (
                "ix_email_change_history_user",
                EmailChangeHistory::Table.into_iden(),
                vec![EmailChangeHistory::UserId.into_iden()],
            ),
            (
                "ix_email_change_history_old",
                EmailChangeHistory::Table.into_iden(),
                vec![EmailChangeHistory::OldEmail.into_iden()],
            ),
        ];
        for (name, table, columns) in indexes {
            let mut index = Index::create();
            index.name(name).table(table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            EmailChangeHistory::Table.into_iden(),
            EmailChangeCodes::Table.into_iden(),
            EmailChangeRequests::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
