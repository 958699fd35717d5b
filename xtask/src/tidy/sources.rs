//! The workspace's Rust files, each with which of its lines are test code:
//! files under `tests/` or `conformance/` (the domain's public checks of
//! the ports' contracts, which report by panicking), files named `tests.rs`
//! or `*_tests.rs`, the test-support crates, modules declared under `#[cfg(test)]` (with their
//! folders), and items marked `#[cfg(test)]` inside a file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Crates that exist only for tests.
const TEST_SUPPORT_CRATES: [&str; 1] = ["profile-testkit"];

/// The folders searched, relative to the workspace root.
const ROOTS: [&str; 2] = ["crates", "xtask"];

/// One Rust file.
pub(crate) struct SourceFile {
    /// Relative to the workspace root, with `/` between parts.
    pub(crate) path: String,
    /// The file's lines.
    pub(crate) lines: Vec<String>,
    /// Whether each line is test code.
    pub(crate) test: Vec<bool>,
}

impl SourceFile {
    /// The file from its path and text, with the test code inside it
    /// marked (not yet whether the whole file is a test module).
    pub(crate) fn new(path: String, text: &str) -> Self {
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let whole = is_test_path(&path);
        let mut test = vec![whole; lines.len()];
        if !whole {
            for (from, to) in test_items(&lines) {
                test[from..=to].iter_mut().for_each(|t| *t = true);
            }
        }
        Self { path, lines, test }
    }

    /// Whether the file lies under `crates/*/src`.
    pub(crate) fn is_crate_source(&self) -> bool {
        let parts: Vec<&str> = self.path.split('/').collect();
        parts.len() > 3 && parts[0] == "crates" && parts[2] == "src"
    }
}

/// Every `.rs` file under the roots, test modules marked.
pub(crate) fn collect(root: &Path) -> crate::Result<Vec<SourceFile>> {
    let mut paths = Vec::new();
    for top in ROOTS {
        walk(&root.join(top), &mut paths)?;
    }
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        files.push(SourceFile::new(relative, &text));
    }
    let test_modules: BTreeSet<String> = files.iter().flat_map(test_module_paths).collect();
    for file in &mut files {
        let declared =
            test_modules.iter().any(|m| file.path == format!("{m}.rs") || file.path.starts_with(&format!("{m}/")));
        if declared {
            file.test.iter_mut().for_each(|t| *t = true);
        }
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> crate::Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() {
            if name != "target" && name != "node_modules" && !name.starts_with('.') {
                walk(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether the path alone says the file is test code.
fn is_test_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let name = parts.last().copied().unwrap_or_default();
    parts.contains(&"tests")
        || parts.contains(&"conformance")
        || name == "tests.rs"
        || name.ends_with("_tests.rs")
        || (parts.first() == Some(&"crates") && parts.get(1).is_some_and(|c| TEST_SUPPORT_CRATES.contains(c)))
}

/// The first and last line of each item marked `#[cfg(test)]`.
fn test_items(lines: &[String]) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].trim().starts_with("#[cfg(test)]") {
            i += 1;
            continue;
        }
        let Some(start) = item_line(lines, i + 1) else { break };
        let end = item_end(lines, start);
        items.push((i, end));
        i = end + 1;
    }
    items
}

/// The first line from `from` that is not an attribute, a comment or blank.
fn item_line(lines: &[String], from: usize) -> Option<usize> {
    (from..lines.len()).find(|&j| {
        let line = lines[j].trim();
        !(line.is_empty() || line.starts_with("#[") || line.starts_with("//"))
    })
}

/// The last line of the item starting at `start`: the line of its `;` or
/// of the brace that closes its first `{`.
fn item_end(lines: &[String], start: usize) -> usize {
    let mut depth = 0usize;
    for (j, line) in lines.iter().enumerate().skip(start) {
        for c in code_chars(line) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return j;
                    }
                }
                ';' if depth == 0 => return j,
                _ => {}
            }
        }
    }
    lines.len().saturating_sub(1)
}

/// The characters of a line outside string and character literals and
/// comments (enough for brace counting; raw strings are not handled).
pub(crate) fn code_chars(line: &str) -> Vec<char> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if chars.peek() == Some(&'/') => break,
            '\'' => {
                // A character literal such as '{' or '\n'; a lifetime has
                // no closing quote after one character.
                let rest: String = chars.clone().take(3).collect();
                if rest.chars().nth(1) == Some('\'') {
                    chars.nth(1);
                } else if rest.starts_with('\\') && rest.chars().nth(2) == Some('\'') {
                    chars.nth(2);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The modules `file` declares under `#[cfg(test)]` (`mod name;`), as
/// paths without `.rs`, relative to the workspace root.
fn test_module_paths(file: &SourceFile) -> Vec<String> {
    let dir = file.path.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let name = file.path.rsplit('/').next().unwrap_or_default();
    let own_dir = match name {
        "mod.rs" | "lib.rs" | "main.rs" => dir.clone(),
        _ => format!("{dir}/{}", name.trim_end_matches(".rs")),
    };
    let mut out = Vec::new();
    for (i, line) in file.lines.iter().enumerate() {
        if !line.trim().starts_with("#[cfg(test)]") {
            continue;
        }
        let Some(item) = item_line(&file.lines, i + 1) else { continue };
        let Some(module) = declared_module(&file.lines[item]) else { continue };
        let path_attr = file.lines[i + 1..item].iter().find_map(|l| {
            l.trim().strip_prefix("#[path = \"").and_then(|rest| rest.strip_suffix("\"]")).map(str::to_owned)
        });
        out.push(match path_attr {
            Some(path) => format!("{dir}/{}", path.trim_end_matches(".rs")),
            None => format!("{own_dir}/{module}"),
        });
    }
    out
}

/// `name` when the line declares a module kept in its own file.
fn declared_module(line: &str) -> Option<&str> {
    let line = line.trim();
    let rest = if line.starts_with("pub") { line.split_once(' ')?.1 } else { line };
    rest.strip_prefix("mod ")?.strip_suffix(';')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile::new(path.to_owned(), text)
    }

    #[test]
    fn an_inline_test_module_is_test_code_to_its_closing_brace() {
        let f = file(
            "crates/a/src/lib.rs",
            "//! A.\nfn a() {}\n#[cfg(test)]\nmod tests {\n    fn b() { let s = \"}\"; }\n}\nfn c() {}\n",
        );
        assert_eq!(f.test, [false, false, true, true, true, true, false]);
    }

    #[test]
    fn a_test_item_ending_in_a_semicolon_is_one_line() {
        let f = file("crates/a/src/lib.rs", "//! A.\n#[cfg(test)]\nuse std::fmt;\nfn c() {}\n");
        assert_eq!(f.test, [false, true, true, false]);
    }

    #[test]
    fn test_files_are_known_by_their_path() {
        assert!(is_test_path("crates/a/tests/api.rs"));
        assert!(is_test_path("crates/a/src/use_cases/sign_in_tests.rs"));
        assert!(is_test_path("crates/a/src/cache/tests.rs"));
        assert!(is_test_path("crates/profile-testkit/src/lib.rs"));
        assert!(!is_test_path("crates/a/src/testing.rs"));
    }

    #[test]
    fn modules_declared_under_cfg_test_are_found_with_or_without_a_path() {
        let f = file("crates/a/src/use_cases/mod.rs", "//! A.\n#[cfg(test)]\npub(crate) mod fakes;\nmod real;\n");
        assert_eq!(test_module_paths(&f), ["crates/a/src/use_cases/fakes"]);
        let g = file(
            "crates/a/src/use_cases/sign_in.rs",
            "//! A.\n#[cfg(test)]\n#[path = \"sign_in_tests.rs\"]\nmod tests;\n",
        );
        assert_eq!(test_module_paths(&g), ["crates/a/src/use_cases/sign_in_tests"]);
        let h = file("crates/a/src/cache.rs", "//! A.\n#[cfg(test)]\nmod tests;\n");
        assert_eq!(test_module_paths(&h), ["crates/a/src/cache/tests"]);
    }

    #[test]
    fn braces_in_strings_characters_and_comments_do_not_count() {
        assert_eq!(code_chars("let a = '{'; // }"), "let a = ; ".chars().collect::<Vec<_>>());
        assert_eq!(code_chars("f(\"{\\\"}\") {"), "f() {".chars().collect::<Vec<_>>());
        assert_eq!(code_chars("fn a<'b>(x: &'b str) {"), "fn a<b>(x: &b str) {".chars().collect::<Vec<_>>());
    }
}
