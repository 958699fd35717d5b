//! The rules read from the crates' manifests: the domain stays pure, and
//! adapters meet only through it.

use std::path::Path;

use super::Finding;

/// The crates `profile-domain` may depend on: pure computation, no I/O,
/// no runtime. `mockall` only behind the `mocks` feature, `futures-util`
/// (its `join_all`, for checks that race) only behind `conformance`.
pub(crate) const DOMAIN_ALLOWED: [&str; 14] = [
    "async-trait",
    "base64",
    "futures-util",
    "hex",
    "hmac",
    "mockall",
    "serde",
    "serde_json",
    "sha2",
    "subtle",
    "thiserror",
    "time",
    "unicode-normalization",
    "uuid",
];

/// The domain crate.
const DOMAIN: &str = "profile-domain";

/// Crates that are not adapters: the domain, the composition root, and
/// test support.
const NOT_ADAPTERS: [&str; 3] = [DOMAIN, "profile-server", "profile-testkit"];

/// Every manifest rule over the crates under `root/crates`.
pub(crate) fn check(root: &Path) -> crate::Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let crates = root.join("crates");
    let mut dirs: Vec<_> = std::fs::read_dir(&crates)
        .map_err(|e| format!("{}: {e}", crates.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let manifest_path = dir.join("Cargo.toml");
        let manifest =
            std::fs::read_to_string(&manifest_path).map_err(|e| format!("{}: {e}", manifest_path.display()))?;
        let path = format!("crates/{name}/Cargo.toml");
        findings.extend(crate_rules(&name, &path, &dependencies(&manifest)));
    }
    Ok(findings)
}

/// The findings for crate `name` with these normal dependencies.
fn crate_rules(name: &str, path: &str, deps: &[String]) -> Vec<Finding> {
    let finding = |message: String| Finding { path: path.to_owned(), line: None, rule: "dependencies", message };
    if name == DOMAIN {
        return deps
            .iter()
            .filter(|d| !DOMAIN_ALLOWED.contains(&d.as_str()))
            .map(|d| {
                finding(format!(
                    "profile-domain depends on `{d}`, which is not on its allow-list: keep I/O and frameworks in an \
                     adapter, or, for pure computation, add it to DOMAIN_ALLOWED in xtask/src/tidy/manifests.rs"
                ))
            })
            .collect();
    }
    if NOT_ADAPTERS.contains(&name) {
        return Vec::new();
    }
    let mut findings: Vec<Finding> = deps
        .iter()
        .filter(|d| d.starts_with("profile-") && d.as_str() != DOMAIN)
        .map(|d| {
            finding(format!(
                "the adapter {name} depends on the adapter `{d}`: adapters meet only through profile-domain's ports \
                 (wire them together in profile-server)"
            ))
        })
        .collect();
    if !deps.iter().any(|d| d == DOMAIN) {
        findings
            .push(finding(format!("the adapter {name} does not depend on profile-domain: it implements its ports")));
    }
    findings
}

/// The names in the manifest's `[dependencies]` table (not dev- or
/// build-dependencies), including `[dependencies.name]` tables.
fn dependencies(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_table = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_table = line == "[dependencies]";
            if let Some(name) = line.strip_prefix("[dependencies.").and_then(|r| r.strip_suffix(']')) {
                names.push(name.trim_matches('"').to_owned());
            }
            continue;
        }
        if in_table && !line.is_empty() && !line.starts_with('#') {
            let key = line.split(['=', '.']).next().unwrap_or_default().trim().trim_matches('"');
            if !key.is_empty() {
                names.push(key.to_owned());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_are_read_from_the_normal_table_only() {
        let manifest = "[package]\nname = \"a\"\n\n[dependencies]\nserde.workspace = true\n# a comment\n\
                        tokio = { version = \"1\" }\n\"quoted\" = \"1\"\n\n[dev-dependencies]\nmockall = \"0.15\"\n\n\
                        [dependencies.reqwest]\nversion = \"0.12\"\n";
        assert_eq!(dependencies(manifest), ["serde", "tokio", "quoted", "reqwest"]);
    }

    #[test]
    fn the_domain_may_use_only_allowed_crates() {
        let deps = ["serde".to_owned(), "tokio".to_owned()];
        let found = crate_rules(DOMAIN, "crates/profile-domain/Cargo.toml", &deps);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`tokio`"));
    }

    #[test]
    fn an_adapter_depends_on_the_domain_and_on_no_other_adapter() {
        let good = ["profile-domain".to_owned(), "tokio".to_owned()];
        assert!(crate_rules("profile-email", "p", &good).is_empty());
        let other = ["profile-domain".to_owned(), "profile-blob".to_owned()];
        assert!(crate_rules("profile-email", "p", &other)[0].message.contains("`profile-blob`"));
        let none = ["tokio".to_owned()];
        assert!(crate_rules("profile-email", "p", &none)[0].message.contains("does not depend on profile-domain"));
        assert!(crate_rules("profile-server", "p", &other).is_empty());
    }
}
