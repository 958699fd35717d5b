//! Mailing-list providers: the outbox of notices to them, and the ids of
//! the reports received from them (against replays).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProviderNotices {
    Table,
    Id,
    Provider,
    UserId,
    Sequence,
    Kind,
    Payload,
    Status,
    Attempts,
    NextAttemptAtMs,
    LeaseOwner,
    LeaseUntilMs,
    LastStatus,
    LastError,
    QueuedAtMs,
    DeliveredAtMs,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    NoticeSeq,
}

#[derive(DeriveIden)]
enum ProviderReportsSeen {
    Table,
    Provider,
    ReportId,
    ReceivedAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The number of the last notice about the user: every notice takes
        // the next one, so providers can order and deduplicate them.
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(big_integer(Accounts::NoticeSeq).default(0))
                    .to_owned(),
            )
            .await?;
        // No foreign key to accounts: a notice outlives the account it is
        // about until the provider has it.
        manager
            .create_table(
                super::new_table(manager, ProviderNotices::Table.into_iden())
                    .col(pk_uuid(ProviderNotices::Id))
                    .col(string_len(ProviderNotices::Provider, 64))
                    .col(uuid(ProviderNotices::UserId))
                    .col(big_integer(ProviderNotices::Sequence))
                    .col(string_len(ProviderNotices::Kind, 32))
                    .col(text_null(ProviderNotices::Payload))
                    .col(string_len(ProviderNotices::Status, 16))
                    .col(integer(ProviderNotices::Attempts))
                    .col(big_integer(ProviderNotices::NextAttemptAtMs))
                    .col(string_len_null(ProviderNotices::LeaseOwner, 64))
                    .col(big_integer_null(ProviderNotices::LeaseUntilMs))
                    .col(integer_null(ProviderNotices::LastStatus))
                    .col(string_len_null(ProviderNotices::LastError, 500))
                    .col(big_integer(ProviderNotices::QueuedAtMs))
                    .col(big_integer_null(ProviderNotices::DeliveredAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_provider_notices_order")
                    .table(ProviderNotices::Table)
                    .col(ProviderNotices::Provider)
                    .col(ProviderNotices::UserId)
                    .col(ProviderNotices::Sequence)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_provider_notices_due")
                    .table(ProviderNotices::Table)
                    .col(ProviderNotices::Status)
                    .col(ProviderNotices::NextAttemptAtMs)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                super::new_table(manager, ProviderReportsSeen::Table.into_iden())
                    .col(string_len(ProviderReportsSeen::Provider, 64))
                    .col(string_len(ProviderReportsSeen::ReportId, 128))
                    .col(big_integer(ProviderReportsSeen::ReceivedAtMs))
                    .primary_key(Index::create().col(ProviderReportsSeen::Provider).col(ProviderReportsSeen::ReportId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_provider_reports_seen_received")
                    .table(ProviderReportsSeen::Table)
                    .col(ProviderReportsSeen::ReceivedAtMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ProviderReportsSeen::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ProviderNotices::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Accounts::Table).drop_column(Accounts::NoticeSeq).to_owned()).await
    }
}
