//! The personal-data registry: every table of the schema, how its rows are
//! tied to a user, and what each column is. Export reads through it and
//! deletion erases through it; a test compares it with the live schema of a
//! migrated database, so a migration that adds a table or a column fails
//! until it is entered here. Picture files are the other place user data
//! lives: `profile_domain::picture::user_blob_prefixes`.

/// How a table's rows are tied to a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// The row is the user; this column is their id (`accounts.id`).
    Itself(&'static str),
    /// This column holds the user's id.
    UserId(&'static str),
    /// The `email` column holds an email address and `at` when the row was
    /// made: the row belongs to whoever held that address then (see
    /// `ownership.rs`), with or without an account.
    Email { email: &'static str, at: &'static str },
    /// As `Email`, and the `about` column names the account the row is
    /// about when that is known: the erasure deletes the rows found either
    /// way; the export shows a row found by `about` only when it went to
    /// an address the user held (a code to an address asked for and never
    /// confirmed would tell whether it belongs to an account).
    EmailOrAbout { email: &'static str, at: &'static str, about: &'static str },
    /// The table holds nothing about any user.
    Nobody,
}

/// The tables tied to a user, in the order an erasure deletes their rows:
/// rows that point at the account first, the account last.
pub fn erasure_order() -> impl Iterator<Item = &'static Table> {
    let tied = |t: &&Table| !matches!(t.owner, Owner::Itself(_) | Owner::Nobody);
    TABLES.iter().filter(tied).chain(TABLES.iter().filter(|t| matches!(t.owner, Owner::Itself(_))))
}

/// How the rows of the table named `name` are tied to users (`None` for
/// a table the registry does not list).
#[must_use]
pub fn owner_of(name: &str) -> Option<Owner> {
    TABLES.iter().find(|t| t.name == name).map(|t| t.owner)
}

impl Owner {
    /// The columns that tie a row to a user (none for `Nobody`).
    #[must_use]
    pub fn columns(self) -> Vec<&'static str> {
        match self {
            Self::Itself(c) | Self::UserId(c) | Self::Email { email: c, .. } => vec![c],
            Self::EmailOrAbout { email, about, .. } => vec![email, about],
            Self::Nobody => Vec::new(),
        }
    }
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// Data about the user: in the export, erased with the user.
    Personal,
    /// A keyed hash or other secret: erased with the user, never exported.
    Secret,
    /// Bookkeeping (leases, attempts, errors, counters, and the hash that
    /// names a purpose's wording, which the export shows in full instead):
    /// erased with the row, never exported.
    Internal,
    /// Not about a user (in a table that is, or is not, about users).
    General,
}

/// One table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    /// Its name.
    pub name: &'static str,
    /// How its rows are tied to a user.
    pub owner: Owner,
    /// Every column, and what it holds.
    pub columns: &'static [(&'static str, Use)],
}

use Use::{General, Internal, Personal, Secret};

/// Every table of the schema.
pub const TABLES: &[Table] = &[
    Table {
        name: "accounts",
        owner: Owner::Itself("id"),
        columns: &[
            ("id", Personal),
            ("email", Personal),
            ("display_name", Personal),
            ("created_at_ms", Personal),
            ("updated_at_ms", Personal),
            ("notice_seq", Internal),
        ],
    },
    Table {
        name: "sessions",
        owner: Owner::UserId("user_id"),
        columns: &[
            ("id", Personal),
            ("user_id", Personal),
            ("token_hash", Secret),
            ("created_at_ms", Personal),
            ("expires_at_ms", Personal),
            ("last_seen_at_ms", Personal),
        ],
    },
    Table {
        name: "sign_in_challenges",
        owner: Owner::Email { email: "email", at: "created_at_ms" },
        columns: &[
            ("email", Personal),
            ("code_hash", Secret),
            ("created_at_ms", Personal),
            ("expires_at_ms", Personal),
            ("attempts", Personal),
        ],
    },
    Table {
        name: "outbox_messages",
        owner: Owner::EmailOrAbout { email: "recipient", at: "created_at_ms", about: "about_user_id" },
        columns: &[
            ("id", Personal),
            ("recipient", Personal),
            ("kind", Personal),
            // Codes and links to the user, in clear until sent.
            ("payload", Secret),
            ("status", Personal),
            ("attempts", Internal),
            ("next_attempt_at_ms", Internal),
            ("lease_owner", Internal),
            ("lease_until_ms", Internal),
            ("last_error", Internal),
            ("created_at_ms", Personal),
            ("expires_at_ms", Internal),
            ("finished_at_ms", Personal),
            // The account the message is about (its id, which the export shows).
            ("about_user_id", Personal),
        ],
    },
    Table {
        name: "email_change_requests",
        owner: Owner::UserId("user_id"),
        columns: &[
            ("user_id", Personal),
            ("new_email", Personal),
            ("code_hash", Secret),
            ("created_at_ms", Personal),
            ("expires_at_ms", Personal),
            ("attempts", Personal),
        ],
    },
    Table {
        name: "email_change_codes",
        owner: Owner::UserId("user_id"),
        columns: &[("id", Internal), ("user_id", Personal), ("destination_hash", Secret), ("sent_at_ms", Personal)],
    },
    Table {
        name: "email_change_history",
        owner: Owner::UserId("user_id"),
        columns: &[
            ("id", Personal),
            ("user_id", Personal),
            ("old_email", Personal),
            ("new_email", Personal),
            ("changed_at_ms", Personal),
            ("revert_hash", Secret),
            ("revert_expires_at_ms", Personal),
            ("reverted_at_ms", Personal),
            ("voided_at_ms", Personal),
        ],
    },
    Table {
        name: "consent_answers",
        owner: Owner::UserId("user_id"),
        columns: &[
            ("user_id", Personal),
            ("purpose_id", Personal),
            ("granted", Personal),
            ("version", Personal),
            ("text_hash", Internal),
            ("answered_at_ms", Personal),
        ],
    },
    Table {
        name: "consent_ledger",
        owner: Owner::UserId("user_id"),
        columns: &[
            ("id", Personal),
            ("user_id", Personal),
            ("purpose_id", Personal),
            ("version", Personal),
            ("text_hash", Internal),
            ("granted", Personal),
            ("at_ms", Personal),
            ("channel", Personal),
            ("seq", Personal),
        ],
    },
    Table {
        name: "consent_purpose_versions",
        owner: Owner::Nobody,
        columns: &[
            ("purpose_id", General),
            ("version", General),
            ("kind", General),
            ("title", General),
            ("description", General),
            ("text_hash", General),
            ("first_seen_at_ms", General),
        ],
    },
    Table {
        name: "unsubscribe_keys",
        owner: Owner::UserId("user_id"),
        columns: &[
            ("user_id", Personal),
            ("purpose_id", Personal),
            ("nonce", Secret),
            ("lookup_hash", Secret),
            ("created_at_ms", Personal),
        ],
    },
    Table {
        name: "provider_notices",
        owner: Owner::UserId("user_id"),
        columns: &[
            ("id", Personal),
            ("provider", Personal),
            ("user_id", Personal),
            ("sequence", Personal),
            ("kind", Personal),
            ("payload", Personal),
            ("status", Personal),
            ("attempts", Internal),
            ("next_attempt_at_ms", Internal),
            ("lease_owner", Internal),
            ("lease_until_ms", Internal),
            ("last_status", Internal),
            ("last_error", Internal),
            ("queued_at_ms", Personal),
            ("delivered_at_ms", Personal),
        ],
    },
    Table {
        name: "provider_reports_seen",
        owner: Owner::Nobody,
        columns: &[("provider", General), ("report_id", General), ("received_at_ms", General)],
    },
    Table {
        name: "pictures",
        owner: Owner::UserId("user_id"),
        columns: &[
            ("user_id", Personal),
            ("slot", Personal),
            ("files", Personal),
            ("created_at_ms", Personal),
            ("expires_at_ms", Personal),
        ],
    },
    Table {
        name: "security_events",
        owner: Owner::UserId("user_id"),
        columns: &[("seq", Internal), ("user_id", Personal), ("kind", Personal), ("at_ms", Personal)],
    },
    Table {
        name: "deletion_jobs",
        owner: Owner::UserId("user_id"),
        columns: &[
            ("receipt_id", Personal),
            ("user_id", Personal),
            ("email", Personal),
            ("cancellable_until_ms", Personal),
            ("next_attempt_at_ms", Internal),
            ("lease_owner", Internal),
            ("lease_until_ms", Internal),
        ],
    },
    Table {
        name: "deletion_receipts",
        owner: Owner::Nobody,
        columns: &[("id", General), ("requested_at_ms", General), ("completed_at_ms", General), ("progress", General)],
    },
    // A keyed hash of an erased address (only with the suppression list on):
    // it cannot be turned back into the address without the server's key.
    Table {
        name: "suppressed_addresses",
        owner: Owner::Nobody,
        columns: &[("hash", Secret), ("erased_at_ms", General)],
    },
    // The shared rate-limit counters: the key is a keyed hash of the limit
    // and its subject (an address, a client's network, an account id), so
    // no row names anyone without the server's key; each row goes when its
    // window (at most the longest configured) has ended.
    Table {
        name: "rate_counters",
        owner: Owner::Nobody,
        columns: &[("key_hash", Secret), ("limit_name", General), ("count", Internal), ("window_ends_at_ms", Internal)],
    },
    // Transient: a change's keyed hash of the account id (no id in clear),
    // read by the other instances and deleted within minutes.
    Table {
        name: "cache_invalidations",
        owner: Owner::Nobody,
        columns: &[("id", Internal), ("subject", Secret), ("at_ms", Internal)],
    },
    Table { name: "seaql_migrations", owner: Owner::Nobody, columns: &[("version", General), ("applied_at", General)] },
];

/// The entry of a table, if the registry has it.
#[must_use]
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}
