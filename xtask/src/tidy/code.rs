//! The rules read from the code itself: a `//!` first line, a length
//! limit, the wall clock read in one place, no `unwrap()` or `expect()`
//! outside tests.

use super::Finding;
use super::sources::{SourceFile, code_chars};

/// The longest a file under `crates/*/src` may be, in lines.
pub(crate) const MAX_LINES: usize = 400;

/// The clock adapter: the one file that reads the wall clock.
const CLOCK_ADAPTER: &str = "crates/profile-server/src/system.rs";

/// Ways of reading the wall clock.
const CLOCK_READS: [&str; 3] = ["::now_utc", "Utc::now", "SystemTime::now"];

/// Every code rule over `files`.
pub(crate) fn check(files: &[SourceFile]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for file in files {
        findings.extend(doc_line(file));
        findings.extend(length(file));
        findings.extend(clock_reads(file));
        findings.extend(unwraps(file));
    }
    findings
}

fn doc_line(file: &SourceFile) -> Option<Finding> {
    let first = file.lines.first().map(String::as_str).unwrap_or_default();
    (!first.starts_with("//!")).then(|| Finding {
        path: file.path.clone(),
        line: Some(1),
        rule: "doc-line",
        message: "start the file with a `//!` line that says what it holds".to_owned(),
    })
}

fn length(file: &SourceFile) -> Option<Finding> {
    (file.is_crate_source() && file.lines.len() > MAX_LINES).then(|| Finding {
        path: file.path.clone(),
        line: None,
        rule: "file-length",
        message: format!(
            "{} lines, over {MAX_LINES}: split it into files with one job each (tests into a `*_tests.rs` beside it)",
            file.lines.len()
        ),
    })
}

/// The code of each line that is not test code, without its comments and
/// string literals, with its number from 1.
fn code_lines(file: &SourceFile) -> impl Iterator<Item = (usize, String)> {
    file.lines.iter().zip(&file.test).enumerate().filter_map(|(i, (line, test))| {
        let code: String = code_chars(line).into_iter().collect();
        (!test && !code.trim().is_empty()).then_some((i + 1, code))
    })
}

fn clock_reads(file: &SourceFile) -> Vec<Finding> {
    if !file.path.starts_with("crates/") || file.path == CLOCK_ADAPTER {
        return Vec::new();
    }
    code_lines(file)
        .filter_map(|(n, code)| CLOCK_READS.iter().find(|read| code.contains(*read)).map(|read| (n, read)))
        .map(|(n, read)| Finding {
            path: file.path.clone(),
            line: Some(n),
            rule: "clock",
            message: format!(
                "`{read}` reads the wall clock: take a `profile_domain::ports::Clock` instead (the server's is \
                 `{CLOCK_ADAPTER}`), so tests can set the time"
            ),
        })
        .collect()
}

fn unwraps(file: &SourceFile) -> Vec<Finding> {
    if !file.path.starts_with("crates/") {
        return Vec::new();
    }
    code_lines(file)
        .filter(|(_, code)| code.contains(".unwrap()") || code.contains(".expect("))
        .map(|(n, _)| Finding {
            path: file.path.clone(),
            line: Some(n),
            rule: "unwrap",
            message: "`unwrap()` or `expect()` outside tests: return the error (`?` with a typed error), or handle \
                      the case"
                .to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile::new(path.to_owned(), text)
    }

    fn rules(findings: &[Finding]) -> Vec<(&'static str, Option<usize>)> {
        findings.iter().map(|f| (f.rule, f.line)).collect()
    }

    #[test]
    fn a_file_without_a_doc_line_is_found() {
        assert_eq!(rules(&check(&[file("crates/a/src/lib.rs", "use x;\n")])), [("doc-line", Some(1))]);
        assert!(check(&[file("crates/a/src/lib.rs", "//! A.\n")]).is_empty());
        assert_eq!(rules(&check(&[file("xtask/src/main.rs", "// not a doc line\n")])), [("doc-line", Some(1))]);
    }

    #[test]
    fn only_crate_sources_over_the_limit_are_too_long() {
        let long = format!("//! A.\n{}", "fn a() {}\n".repeat(MAX_LINES));
        let at_limit = format!("//! A.\n{}", "fn a() {}\n".repeat(MAX_LINES - 1));
        assert_eq!(rules(&check(&[file("crates/a/src/big.rs", &long)])), [("file-length", None)]);
        assert!(check(&[file("crates/a/src/big.rs", &at_limit)]).is_empty());
        assert!(check(&[file("crates/a/tests/big.rs", &long)]).is_empty());
    }

    #[test]
    fn the_wall_clock_is_read_only_by_the_clock_adapter_and_tests() {
        let reads = "//! A.\nfn a() { let t = OffsetDateTime::now_utc(); }\n// now_utc() in a comment\n";
        assert_eq!(rules(&check(&[file("crates/a/src/x.rs", reads)])), [("clock", Some(2))]);
        assert!(check(&[file(CLOCK_ADAPTER, reads)]).is_empty());
        let in_test = "//! A.\n#[cfg(test)]\nmod tests {\n    fn t() { SystemTime::now(); }\n}\n";
        assert!(check(&[file("crates/a/src/x.rs", in_test)]).is_empty());
    }

    #[test]
    fn unwrap_and_expect_are_found_outside_tests_only() {
        let code = "//! A.\nfn a() { x.unwrap(); }\nfn b() { y.expect(\"why\"); }\nfn c() { z.unwrap_or(1); }\n\
                    fn d() { let u = \"http://a\"; v.unwrap(); }\nfn e() { let s = \".unwrap()\"; }\n";
        assert_eq!(
            rules(&check(&[file("crates/a/src/x.rs", code)])),
            [("unwrap", Some(2)), ("unwrap", Some(3)), ("unwrap", Some(5))],
            "code after a URL in a string counts; text inside a string does not"
        );
        assert!(check(&[file("crates/a/src/x_tests.rs", code)]).is_empty());
        assert!(check(&[file("crates/a/tests/api.rs", code)]).is_empty());
        assert!(check(&[file("crates/a/src/conformance/outbox.rs", code)]).is_empty());
    }
}
