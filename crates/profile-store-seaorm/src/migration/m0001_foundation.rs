//! The foundation schema: accounts, sign-in challenges, sessions and the outbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Email,
    DisplayName,
    CreatedAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum SignInChallenges {
    Table,
    Email,
    CodeHash,
    CreatedAtMs,
    ExpiresAtMs,
    Attempts,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAtMs,
    ExpiresAtMs,
    LastSeenAtMs,
}

#[derive(DeriveIden)]
enum OutboxMessages {
    Table,
    Id,
    Recipient,
    Kind,
    Payload,
    Status,
    Attempts,
    NextAttemptAtMs,
    LeaseOwner,
    LeaseUntilMs,
    LastError,
    CreatedAtMs,
    ExpiresAtMs,
    FinishedAtMs,
}

/// Longest stored address (RFC 5321).
const EMAIL_LEN: u32 = 254;
/// A hex-encoded SHA-256 keyed hash.
const HASH_LEN: u32 = 64;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = |name| super::new_table(manager, name);
        manager
            .create_table(
                table(Accounts::Table.into_iden())
                    .col(pk_uuid(Accounts::Id))
                    .col(string_len_uniq(Accounts::Email, EMAIL_LEN))
                    .col(string_len_null(Accounts::DisplayName, 256))
                    .col(big_integer(Accounts::CreatedAtMs))
                    .col(big_integer(Accounts::UpdatedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table(SignInChallenges::Table.into_iden())
                    .col(string_len(SignInChallenges::Email, EMAIL_LEN).primary_key())
                    .col(string_len(SignInChallenges::CodeHash, HASH_LEN))
                    .col(big_integer(SignInChallenges::CreatedAtMs))
                    .col(big_integer(SignInChallenges::ExpiresAtMs))
                    .col(integer(SignInChallenges::Attempts))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table(Sessions::Table.into_iden())
                    .col(pk_uuid(Sessions::Id))
                    .col(uuid(Sessions::UserId))
                    .col(string_len_uniq(Sessions::TokenHash, HASH_LEN))
                    .col(big_integer(Sessions::CreatedAtMs))
                    .col(big_integer(Sessions::ExpiresAtMs))
                    .col(big_integer(Sessions::LastSeenAtMs))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_user")
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_sessions_user").table(Sessions::Table).col(Sessions::UserId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                table(OutboxMessages::Table.into_iden())
                    .col(pk_uuid(OutboxMessages::Id))
                    .col(string_len(OutboxMessages::Recipient, EMAIL_LEN))
                    .col(string_len(OutboxMessages::Kind, 64))
                    .col(text_null(OutboxMessages::Payload))
                    .col(string_len(OutboxMessages::Status, 16))
                    .col(integer(OutboxMessages::Attempts))
                    .col(big_integer(OutboxMessages::NextAttemptAtMs))
                    .col(string_len_null(OutboxMessages::LeaseOwner, 128))
                    .col(big_integer_null(OutboxMessages::LeaseUntilMs))
                    .col(string_len_null(OutboxMessages::LastError, 512))
                    .col(big_integer(OutboxMessages::CreatedAtMs))
                    .col(big_integer_null(OutboxMessages::ExpiresAtMs))
                    .col(big_integer_null(OutboxMessages::FinishedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_due")
                    .table(OutboxMessages::Table)
                    .col(OutboxMessages::Status)
                    .col(OutboxMessages::NextAttemptAtMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OutboxMessages::Table.into_iden(),
            Sessions::Table.into_iden(),
            SignInChallenges::Table.into_iden(),
            Accounts::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
