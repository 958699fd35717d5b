//! `cargo xtask tidy`: the house rules no compiler checks, each finding
//! printed with how to fix it.
//!
//! - every `.rs` file starts with a `//!` line saying what it holds;
//! - no file under `crates/*/src` is longer than [`code::MAX_LINES`];
//! - `profile-domain` depends only on the crates in
//!   [`manifests::DOMAIN_ALLOWED`];
//! - every adapter depends on `profile-domain` and on no other adapter;
//! - the wall clock is read only by the clock adapter;
//! - no `unwrap()` or `expect()` outside tests.

mod code;
mod manifests;
mod sources;

use std::fmt;
use std::path::Path;

/// One broken rule at one place.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    /// The file, relative to the workspace root.
    pub(crate) path: String,
    /// The line, from 1, when the rule is about one line.
    pub(crate) line: Option<usize>,
    /// The rule's name.
    pub(crate) rule: &'static str,
    /// What is wrong and how to fix it.
    pub(crate) message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: [{}] {}", self.path, self.rule, self.message),
            None => write!(f, "{}: [{}] {}", self.path, self.rule, self.message),
        }
    }
}

/// Checks the workspace at `root`; an error when any rule is broken.
pub(crate) fn run(root: &Path) -> crate::Result<()> {
    let files = sources::collect(root)?;
    let mut findings = code::check(&files);
    findings.extend(manifests::check(root)?);
    for finding in &findings {
        eprintln!("{finding}");
    }
    if findings.is_empty() {
        println!("tidy: {} files and the crates' manifests follow the house rules", files.len());
        Ok(())
    } else {
        Err(format!("tidy: {} findings", findings.len()))
    }
}
