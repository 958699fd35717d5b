//! The domain's conformance suite (`profile_domain::conformance`: every
//! storage port's contracts, checked through the ports alone) on each
//! backend, a fresh database per check.

#![expect(clippy::unwrap_used, reason = "the shared test support fails loudly on any unexpected error")]

mod support;

mod sqlite {
    profile_domain::storage_conformance!(crate::support::fresh(crate::support::Backend::Sqlite));
}

mod postgres {
    profile_domain::storage_conformance!(crate::support::fresh(crate::support::Backend::Postgres));
}

mod mysql {
    profile_domain::storage_conformance!(crate::support::fresh(crate::support::Backend::Mysql));
}

/// A check written in the suite but left out of `storage_conformance!`
/// would never run: every public check is listed there, and nothing else.
#[test]
fn every_public_check_is_in_the_macro() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../profile-domain/src/conformance");
    let mut written = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let group = path.file_stem().unwrap().to_string_lossy().into_owned();
        if group == "fixtures" {
            continue; // what the checks start from, public for stores' own tests
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if let Some(rest) = line.strip_prefix("pub async fn ") {
                let name = rest.split('(').next().unwrap();
                written.push(format!("{group}::{name}"));
            }
        }
    }
    let macro_text = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
    let start = macro_text.find("(@each $fresh;").unwrap();
    let mut listed: Vec<String> = macro_text[start..]
        .lines()
        .skip(1)
        .map(|l| l.trim().trim_end_matches(',').to_owned())
        .take_while(|l| !l.starts_with(')'))
        .filter(|l| l.contains("::"))
        .collect();
    written.sort();
    listed.sort();
    assert_eq!(listed, written, "storage_conformance! lists exactly the public checks");
    assert!(written.len() > 60, "the checks were found: {}", written.len());
}
