//! Consents: the ledger of every change and the latest answer per purpose.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConsentAnswers {
    Table,
    UserId,
    PurposeId,
    Granted,
    Version,
    TextHash,
    AnsweredAtMs,
}

#[derive(DeriveIden)]
enum ConsentPurposeVersions {
    Table,
    PurposeId,
    Version,
    Kind,
    Title,
    Description,
    TextHash,
    FirstSeenAtMs,
}

#[derive(DeriveIden)]
enum ConsentLedger {
    Table,
    Id,
    UserId,
    PurposeId,
    Version,
    TextHash,
    Granted,
    AtMs,
    Channel,
    Seq,
}

const PURPOSE_LEN: u32 = 64;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = |name| super::new_table(manager, name);
        manager
            .create_table(
                table(ConsentAnswers::Table.into_iden())
                    .col(uuid(ConsentAnswers::UserId))
                    .col(string_len(ConsentAnswers::PurposeId, PURPOSE_LEN))
                    .col(boolean(ConsentAnswers::Granted))
                    .col(integer(ConsentAnswers::Version))
                    .col(string_len(ConsentAnswers::TextHash, 64))
                    .col(big_integer(ConsentAnswers::AnsweredAtMs))
                    .primary_key(Index::create().col(ConsentAnswers::UserId).col(ConsentAnswers::PurposeId))
                    .foreign_key(&mut super::owned_by_account(
                        "fk_consent_answers_user",
                        ConsentAnswers::Table.into_iden(),
                        ConsentAnswers::UserId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table(ConsentLedger::Table.into_iden())
                    .col(pk_uuid(ConsentLedger::Id))
                    .col(uuid(ConsentLedger::UserId))
                    .col(string_len(ConsentLedger::PurposeId, PURPOSE_LEN))
                    .col(integer(ConsentLedger::Version))
                    .col(string_len(ConsentLedger::TextHash, 64))
                    .col(boolean(ConsentLedger::Granted))
                    .col(big_integer(ConsentLedger::AtMs))
                    .col(string_len(ConsentLedger::Channel, 16))
                    .col(big_integer(ConsentLedger::Seq))
                    // No foreign key: the ledger is the operator's proof and
                    // outlives a deleted account's rows by design.
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_consent_ledger_user_seq")
                    .table(ConsentLedger::Table)
                    .col(ConsentLedger::UserId)
                    .col(ConsentLedger::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table(ConsentPurposeVersions::Table.into_iden())
                    .col(string_len(ConsentPurposeVersions::PurposeId, PURPOSE_LEN))
                    .col(integer(ConsentPurposeVersions::Version))
                    .col(string_len(ConsentPurposeVersions::Kind, 16))
                    .col(text(ConsentPurposeVersions::Title))
                    .col(text(ConsentPurposeVersions::Description))
                    .col(string_len(ConsentPurposeVersions::TextHash, 64))
                    .col(big_integer(ConsentPurposeVersions::FirstSeenAtMs))
                    .primary_key(
                        Index::create().col(ConsentPurposeVersions::PurposeId).col(ConsentPurposeVersions::Version),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConsentPurposeVersions::Table.into_iden(),
            ConsentLedger::Table.into_iden(),
            ConsentAnswers::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
