//! Unit tests of loading the configuration: defaults, the file, the
//! environment, and every check.

use std::collections::HashMap;

use profile_domain::OnNewVersion;

use super::*;

fn load(file: Option<&str>, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profile.toml");
    if let Some(text) = file {
        std::fs::write(&path, text).unwrap();
    }
    let env: HashMap<String, String> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Config::load(file.map(|_| path.as_path()), |k| env.get(k).cloned())
}

#[test]
fn without_file_or_environment_the_embedded_defaults_apply() {
    let config = load(None, &[]).unwrap();
    assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(config.database_url(), "sqlite://./data/profile.db?mode=rwc");
    assert_eq!(config.mail_dir(), PathBuf::from("./data/mail"));
    assert_eq!(config.public_url(), "http://127.0.0.1:8080");
}

#[test]
fn a_syntax_error_does_not_quote_the_file() {
    let err = load(Some("bind = \"127.0.0.1:1\"\nsecret_key = \"hunter2hunter2\" oops\n"), &[]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("line 2"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn lifetimes_beyond_their_caps_are_refused() {
    assert!(load(None, &[("PROFILE_SIGN_IN_CODE_TTL_SECS", "3601")]).is_err());
    assert!(load(None, &[("PROFILE_SIGN_IN_CODE_TTL_SECS", "3600")]).is_ok());
    assert!(load(None, &[("PROFILE_SIGN_IN_SESSION_TTL_SECS", "99999999999")]).is_err());
    assert!(load(None, &[("PROFILE_DELETION_GRACE_SECS", "2592000")]).is_ok());
    assert!(load(None, &[("PROFILE_DELETION_GRACE_SECS", "2592001")]).is_err());
}

#[test]
fn the_example_catalogue_applies_until_the_file_defines_purposes() {
    let config = load(None, &[]).unwrap();
    assert_eq!(config.consent.catalogue().unwrap().purposes().len(), 4);
    let file = "[[consent.purposes]]\nid = \"offers\"\nkind = \"email\"\ntitle = \"Offers\"\ndescription = \"d\"\nversion = 2\non_new_version = \"ask_again\"\n";
    let config = load(Some(file), &[]).unwrap();
    let catalogue = config.consent.catalogue().unwrap();
    assert_eq!(catalogue.purposes().len(), 1);
    assert_eq!(catalogue.purposes()[0].on_new_version, OnNewVersion::AskAgain);
}

#[test]
fn a_bad_purpose_is_refused_naming_it() {
    let file =
        "[[consent.purposes]]\nid = \"Offers\"\nkind = \"email\"\ntitle = \"t\"\ndescription = \"d\"\nversion = 1\n";
    assert!(load(Some(file), &[]).unwrap_err().to_string().contains("Offers"));
    let file = "[[consent.purposes]]\nid = \"x\"\nkind = \"sms\"\ntitle = \"t\"\ndescription = \"d\"\nversion = 1\n";
    assert!(load(Some(file), &[]).unwrap_err().to_string().contains("kind"));
}

#[test]
fn a_wildcard_bind_address_gives_a_loopback_public_url() {
    let config = load(None, &[("PROFILE_BIND", "0.0.0.0:9000")]).unwrap();
    assert_eq!(config.public_url(), "http://127.0.0.1:9000");
}

#[test]
fn the_environment_wins_over_the_file() {
    let file = "bind = \"0.0.0.0:9000\"\nproduct_name = \"Meet\"\n[limits.sign_in_per_ip]\nmax = 3\nwindow_secs = 60\n";
    let config =
        load(Some(file), &[("PROFILE_BIND", "127.0.0.1:9100"), ("PROFILE_LIMITS_SIGN_IN_PER_IP_MAX", "7")]).unwrap();
    assert_eq!(config.bind.to_string(), "127.0.0.1:9100");
    assert_eq!(config.product_name, "Meet");
    assert_eq!(config.limits.sign_in_per_ip, LimitConfig { max: 7, window_secs: 60 });
}

#[test]
fn one_field_of_a_limit_can_be_set_alone() {
    let config =
        load(Some("[limits.verify_per_ip]\nmax = 9\n"), &[("PROFILE_LIMITS_SIGN_IN_PER_ADDRESS_MAX", "2")]).unwrap();
    assert_eq!(config.limits.verify_per_ip, LimitConfig { max: 9, window_secs: 900 });
    assert_eq!(config.limits.sign_in_per_address, LimitConfig { max: 2, window_secs: 900 });
}

#[test]
fn unknown_keys_and_bad_values_are_refused_with_a_clear_message() {
    assert!(load(Some("colour = \"red\""), &[]).unwrap_err().to_string().contains("colour"));
    let err = load(None, &[("PROFILE_SIGN_IN_MAX_ATTEMPTS", "many")]).unwrap_err();
    assert_eq!(err.to_string(), "PROFILE_SIGN_IN_MAX_ATTEMPTS must be a whole number");
    assert!(load(None, &[("PROFILE_SIGN_IN_MAX_ATTEMPTS", "0")]).is_err());
    assert!(load(None, &[("PROFILE_LOG_FORMAT", "xml")]).is_err());
    assert!(load(None, &[("PROFILE_BIND", "nowhere")]).is_err());
}

#[test]
fn the_configuration_prints_no_secret_through_debug() {
    let key = "ab".repeat(32);
    let operator = "cd".repeat(32);
    let config = load(
        None,
        &[
            ("PROFILE_DATABASE_URL", "postgres://profile:db-pass-1234@db.internal/profile"),
            ("PROFILE_SMTP_URL", "smtp://mailer:smtp-pass-5678@smtp.example.com:587"),
            ("PROFILE_SECRET_KEY", key.as_str()),
            ("PROFILE_OPERATOR_API_KEY_SHA256", operator.as_str()),
            ("PROFILE_S3_ACCESS_KEY_ID", "s3-id-4321"),
            ("PROFILE_S3_SECRET_ACCESS_KEY", "s3-secret-8765"),
        ],
    )
    .unwrap();
    let shown = format!("{config:?} {config:#?}");
    for secret in ["db-pass-1234", "smtp-pass-5678", &key, &operator, "s3-id-4321", "s3-secret-8765"] {
        assert!(!shown.contains(secret), "{secret} is printed");
    }
    assert!(shown.contains("db.internal"), "the rest is still shown");
    assert_eq!(config.database_url(), "postgres://profile:db-pass-1234@db.internal/profile");
}

const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn provider_file(secret_line: &str) -> String {
    format!(
        "[[providers.endpoints]]\nid = \"crm-eu\"\nurl = \"https://lists.example.com/hooks\"\n{secret_line}purposes = [\"newsletter\"]\n"
    )
}

#[test]
fn secrets_can_come_from_the_environment() {
    let env =
        [("PROFILE_PROVIDER_CRM_EU_SECRET", WEBHOOK_SECRET), ("PROFILE_PROVIDER_CRM_EU_REPORT_SECRET", WEBHOOK_SECRET)];
    let config = load(Some(&provider_file("")), &env).unwrap();
    let (endpoints, _) = config.providers.endpoints(&config.consent.catalogue().unwrap()).unwrap();
    assert!(endpoints[0].report_secret.is_some());
    let missing = load(Some(&provider_file("")), &[]).unwrap_err().to_string();
    assert!(missing.contains("PROFILE_PROVIDER_CRM_EU_SECRET"), "{missing}");
}

#[test]
fn keys_and_secrets_can_come_from_the_environment() {
    let hash = "cd".repeat(32);
    let file = "[[services]]\nid = \"room-eu\"\nscopes = [\"profiles:read\"]\nevents_url = \"https://rooms.example.com/hooks\"\nevents = [\"profile.updated\"]\n";
    let env = [
        ("PROFILE_SERVICE_ROOM_EU_KEY_SHA256", hash.as_str()),
        ("PROFILE_SERVICE_ROOM_EU_EVENTS_SECRET", WEBHOOK_SECRET),
    ];
    let config = load(Some(file), &env).unwrap();
    let checked = services::services(&config.services, &[]).unwrap();
    assert_eq!(checked.clients[0].key_sha256, [0xcd; 32]);
}

#[test]
fn a_value_in_the_file_wins_over_a_variable_named_by_its_entry() {
    let other = "whsec_b3RoZXItc2VjcmV0LW9mLTMyLWJ5dGVzLWxvbmcu";
    let file = provider_file(&format!("secret = \"{WEBHOOK_SECRET}\"\n"));
    let config = load(Some(&file), &[("PROFILE_PROVIDER_CRM_EU_SECRET", other)]).unwrap();
    assert_eq!(config.providers.endpoints[0].secret.as_deref(), Some(WEBHOOK_SECRET));
}

#[test]
fn an_empty_variable_counts_as_unset() {
    let config = load(None, &[("PROFILE_DATABASE_MAX_CONNECTIONS", ""), ("PROFILE_PUBLIC_URL", "")]).unwrap();
    assert_eq!(config.database_max_connections, 10);
    assert_eq!(config.public_url, None);
}

#[test]
fn boolean_variables_take_the_words_the_readme_lists() {
    for (raw, expected) in [("1", true), ("yes", true), ("true", true), ("0", false), ("no", false), ("false", false)] {
        assert_eq!(load(None, &[("PROFILE_TRUST_PROXY_HEADERS", raw)]).unwrap().trust_proxy_headers, expected);
    }
    let err = load(None, &[("PROFILE_CACHE_ENABLED", "maybe")]).unwrap_err();
    assert_eq!(err.to_string(), "PROFILE_CACHE_ENABLED must be true or false");
}

#[test]
fn a_number_like_secret_stays_text() {
    let key = "1".repeat(64);
    let config = load(None, &[("PROFILE_SECRET_KEY", key.as_str())]).unwrap();
    assert_eq!(config.secret_key.as_ref().map(|k| k.expose().to_owned()), Some(key));
}

#[test]
fn a_wrong_value_is_refused_naming_its_variable_or_its_key() {
    let from_env = load(None, &[("PROFILE_PICTURES_JPEG_QUALITY", "300")]).unwrap_err().to_string();
    assert!(from_env.contains("PROFILE_PICTURES_JPEG_QUALITY"), "{from_env}");
    let from_file = load(Some("[pictures]\njpeg_quality = 300\n"), &[]).unwrap_err().to_string();
    assert!(from_file.contains("pictures.jpeg_quality"), "{from_file}");
    let kind = "[[consent.purposes]]\nid = \"x\"\nkind = \"sms\"\ntitle = \"t\"\ndescription = \"d\"\nversion = 1\n";
    let kind = load(Some(kind), &[]).unwrap_err().to_string();
    assert!(kind.contains("consent.purposes.0.kind") && kind.contains("data_use"), "{kind}");
    let format = load(None, &[("PROFILE_LOG_FORMAT", "xml")]).unwrap_err().to_string();
    assert!(format.contains("PROFILE_LOG_FORMAT") && format.contains("json"), "{format}");
}

/// The README's configuration table, row by row: the variable and its key.
fn readme_rows() -> Vec<(String, String)> {
    let readme = include_str!("../../../../README.md");
    let section = readme.split("## Configuration").nth(1).unwrap_or_default();
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let var = cells.get(1)?.strip_prefix("`PROFILE_")?.strip_suffix('`')?;
            let key = cells.get(2)?.trim_matches('`');
            Some((format!("PROFILE_{var}"), key.to_owned()))
        })
        .collect()
}

#[test]
fn the_readme_lists_every_variable_with_the_key_it_sets() {
    let rows = readme_rows();
    assert!(rows.len() > 60, "the table was found: {} rows", rows.len());
    let read = environment::names(&Config::defaults().unwrap());
    for (var, key) in &rows {
        assert_eq!(environment::variable_of(&key.split('.').collect::<Vec<_>>()), *var, "README row {var}");
        assert!(read.contains(var), "the README lists {var}, which is not read");
    }
    let documented: Vec<&str> = rows.iter().map(|(var, _)| var.as_str()).collect();
    for name in &read {
        assert!(documented.contains(&name.as_str()), "{name} is read but not in the README's table");
    }
}

#[test]
fn a_choice_is_written_as_its_name_never_as_a_number() {
    let format = load(Some("log_format = 1\n"), &[]).unwrap_err().to_string();
    assert!(format.contains("log_format"), "{format}");
    assert_eq!(load(Some("log_format = \"json\"\n"), &[]).unwrap().log_format, LogFormat::Json);
    let purpose = |kind: &str| {
        format!("[[consent.purposes]]\nid = \"x\"\nkind = {kind}\ntitle = \"t\"\ndescription = \"d\"\nversion = 1\n")
    };
    assert!(load(Some(&purpose("1")), &[]).unwrap_err().to_string().contains("consent.purposes.0.kind"));
    assert!(load(Some(&purpose("\"data_use\"")), &[]).is_ok());
    let again = format!("{}on_new_version = 1\n", purpose("\"email\""));
    assert!(load(Some(&again), &[]).unwrap_err().to_string().contains("on_new_version"));
}
