//! Erasure: the jobs under way (one per account being deleted, erased with
//! it), the receipts, which hold nothing personal and stay, and the optional
//! suppression list of keyed hashes of erased addresses.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DeletionJobs {
    Table,
    ReceiptId,
    UserId,
    Email,
    CancellableUntilMs,
    NextAttemptAtMs,
    LeaseOwner,
    LeaseUntilMs,
}

#[derive(DeriveIden)]
enum DeletionReceipts {
    Table,
    Id,
    RequestedAtMs,
    CompletedAtMs,
    Progress,
}

#[derive(DeriveIden)]
enum SuppressedAddresses {
    Table,
    Hash,
    ErasedAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                super::new_table(manager, DeletionReceipts::Table.into_iden())
                    .col(uuid(DeletionReceipts::Id).primary_key())
                    .col(big_integer(DeletionReceipts::RequestedAtMs))
                    .col(big_integer_null(DeletionReceipts::CompletedAtMs))
                    .col(text(DeletionReceipts::Progress))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                super::new_table(manager, DeletionJobs::Table.into_iden())
                    .col(uuid(DeletionJobs::ReceiptId).primary_key())
                    .col(uuid_uniq(DeletionJobs::UserId))
                    .col(string_len(DeletionJobs::Email, 254))
                    .col(big_integer(DeletionJobs::CancellableUntilMs))
                    .col(big_integer(DeletionJobs::NextAttemptAtMs))
                    .col(string_len_null(DeletionJobs::LeaseOwner, 64))
                    .col(big_integer_null(DeletionJobs::LeaseUntilMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                super::new_table(manager, SuppressedAddresses::Table.into_iden())
                    .col(string_len(SuppressedAddresses::Hash, 64).primary_key())
                    .col(big_integer(SuppressedAddresses::ErasedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_deletion_receipts_requested")
                    .table(DeletionReceipts::Table)
                    .col(DeletionReceipts::RequestedAtMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SuppressedAddresses::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DeletionJobs::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DeletionReceipts::Table).to_owned()).await
    }
}
