//! `profile-server verify-erasure`: looks for what is left of a user in
//! every column of every table and under the user's picture prefixes, and
//! reports where (never what): the proof that an erasure left nothing.

use profile_domain::UserId;
use profile_domain::picture::user_blob_prefixes;
use profile_domain::ports::BlobStore;
use profile_store_seaorm::{Needle, SeaOrmStore, Trace};

/// What to look for.
#[derive(Debug, clap::Args)]
pub struct VerifyErasure {
    /// The erased user's id.
    pub user_id: String,
    /// An address the user had (repeat for each).
    #[arg(long = "email")]
    pub emails: Vec<String>,
    /// The user's display name.
    #[arg(long)]
    pub name: Option<String>,
}

impl VerifyErasure {
    fn needles(&self, user: UserId) -> Vec<Needle> {
        let id = user.as_uuid();
        let mut needles = vec![
            Needle { label: "user id", text: id.hyphenated().to_string() },
            Needle { label: "user id (binary)", text: id.simple().to_string() },
        ];
        needles.extend(self.emails.iter().map(|e| Needle { label: "email address", text: e.clone() }));
        needles.extend(self.name.iter().map(|n| Needle { label: "display name", text: n.clone() }));
        needles
    }
}

/// What was found: rows by table and column, and picture files.
#[derive(Debug, Default)]
pub struct Findings {
    /// Columns holding a needle.
    pub rows: Vec<Trace>,
    /// How many files are left under the user's picture prefixes.
    pub files: usize,
}

/// Searches the database and the blob store.
///
/// # Errors
/// When the user id is not a UUID, or a store cannot be read.
pub async fn search(
    args: &VerifyErasure,
    store: &SeaOrmStore,
    blobs: &dyn BlobStore,
) -> Result<Findings, Box<dyn std::error::Error + Send + Sync>> {
    let id = uuid::Uuid::try_parse(args.user_id.trim()).map_err(|_| "the user id must be a UUID")?;
    if args.emails.iter().chain(&args.name).any(|t| t.trim().is_empty()) {
        return Err("an empty --email or --name would match every row".into());
    }
    let user = UserId::from_uuid(id);
    let rows = store.find_traces(&args.needles(user)).await?;
    let mut files = 0;
    for prefix in user_blob_prefixes(user) {
        files += blobs.list(&prefix).await?.len();
    }
    Ok(Findings { rows, files })
}

/// The report, one line per finding, without the values searched for.
#[must_use]
pub fn report(findings: &Findings) -> String {
    let mut lines: Vec<String> = findings
        .rows
        .iter()
        .map(|t| format!("found: {}.{} holds the {} in {} row(s)", t.table, t.column, t.what, t.rows))
        .collect();
    if findings.files > 0 {
        lines.push(format!("found: {} picture file(s) under the user's prefixes", findings.files));
    }
    if lines.is_empty() {
        lines.push("nothing found: no column of any table and no picture file holds the user".to_owned());
    }
    lines.join("\n")
}
