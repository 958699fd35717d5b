//! The `PROFILE_*` environment variables. Every setting that holds one value
//! has a variable named after its key: `PROFILE_` and the key's path joined
//! by `_`, upper-cased (`limits.sign_in_per_ip.max` is
//! `PROFILE_LIMITS_SIGN_IN_PER_IP_MAX`), typed after its default. The lists
//! (`[[services]]`, `[[providers.endpoints]]`, `consent.purposes`,
//! `pictures.sizes`) are file-only; the few variables whose names do not
//! follow from a key are in [`BY_ENTRY_ID`].

use figment::providers::Serialized;
use figment::value::{Dict, Map, Tag, Value};
use figment::{Figment, Metadata, Profile, Provider};

use super::ConfigError;

/// What every variable's name starts with.
const PREFIX: &str = "PROFILE_";

/// How figment's errors name a value that came from a variable.
pub(super) const SOURCE: &str = "the PROFILE_* environment variables";

/// The variable of a key's path.
pub(super) fn variable_of<S: AsRef<str>>(path: &[S]) -> String {
    let joined: Vec<&str> = path.iter().map(AsRef::as_ref).collect();
    format!("{PREFIX}{}", joined.join("_").to_ascii_uppercase())
}

/// What a variable holds, read off its setting's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Integer,
    Boolean,
}

impl Kind {
    fn of(default: &Value) -> Option<Self> {
        match default {
            Value::String(..) | Value::Char(..) | Value::Empty(..) => Some(Self::Text),
            Value::Num(..) => Some(Self::Integer),
            Value::Bool(..) => Some(Self::Boolean),
            Value::Dict(..) | Value::Array(..) => None,
        }
    }

    fn parse(self, raw: &str) -> Option<Value> {
        match self {
            Self::Text => Some(Value::from(raw.to_owned())),
            Self::Integer => {
                let raw = raw.trim();
                raw.parse::<u64>().map(Value::from).or_else(|_| raw.parse::<i64>().map(Value::from)).ok()
            }
            Self::Boolean => match raw.trim() {
                "1" | "true" | "yes" => Some(Value::from(true)),
                "0" | "false" | "no" => Some(Value::from(false)),
                _ => None,
            },
        }
    }

    const fn expected(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Integer => "a whole number",
            Self::Boolean => "true or false",
        }
    }
}

/// One setting's variable.
#[derive(Debug)]
struct Variable {
    name: String,
    path: Vec<String>,
    kind: Kind,
}

/// The variables of every single-valued setting in `defaults`.
fn variables(defaults: &Dict) -> Vec<Variable> {
    fn walk(dict: &Dict, path: &mut Vec<String>, out: &mut Vec<Variable>) {
        for (key, value) in dict {
            path.push(key.clone());
            if let Value::Dict(_, inner) = value {
                walk(inner, path, out);
            } else if let Some(kind) = Kind::of(value) {
                out.push(Variable { name: variable_of(path), path: path.clone(), kind });
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(defaults, &mut Vec::new(), &mut out);
    out
}

/// The name of every variable read for a setting in `defaults`.
#[cfg(test)]
pub(super) fn names(defaults: &Dict) -> Vec<String> {
    variables(defaults).into_iter().map(|v| v.name).collect()
}

/// The values the environment sets, as a figment source laid over the file.
pub(super) struct Environment {
    values: Dict,
}

impl Environment {
    /// Reads the variable of every setting in `defaults` from `env`.
    ///
    /// # Errors
    /// [`ConfigError::Env`] naming a variable whose value is not of its kind.
    pub(super) fn read(defaults: &Dict, env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut values = Dict::new();
        for variable in variables(defaults) {
            let Some(raw) = env(&variable.name) else { continue };
            let value = variable
                .kind
                .parse(&raw)
                .ok_or_else(|| ConfigError::Env { var: variable.name.clone(), expected: variable.kind.expected() })?;
            insert(&mut values, &variable.path, value);
        }
        Ok(Self { values })
    }
}

fn insert(dict: &mut Dict, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut dict = dict;
    for key in parents {
        let entry = dict.entry(key.clone()).or_insert_with(|| Value::Dict(Tag::Default, Dict::new()));
        let Value::Dict(_, inner) = entry else { return };
        dict = inner;
    }
    dict.insert(last.clone(), value);
}

impl Provider for Environment {
    fn metadata(&self) -> Metadata {
        Metadata::named(SOURCE).interpolater(|_: &Profile, keys: &[&str]| variable_of(keys))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Map::from([(Profile::Default, self.values.clone())]))
    }
}

/// A variable named after an entry of a list rather than a key: it gives one
/// field of the entry with that id, where the file leaves the field out (so
/// here the file wins). `{ID}` is the id upper-cased, `-` written `_`.
pub(crate) struct ByEntryId {
    /// The list's key.
    list: &'static str,
    /// The field it fills.
    field: &'static str,
    /// The variable's name, with `{ID}` for the entry's id.
    name: &'static str,
}

impl ByEntryId {
    /// The variable for the entry `id`.
    pub(crate) fn name_for(&self, id: &str) -> String {
        self.name.replace("{ID}", &id_part(id))
    }
}

/// A mailing-list provider's notice-signing secret.
pub(crate) const PROVIDER_SECRET: ByEntryId =
    ByEntryId { list: "providers.endpoints", field: "secret", name: "PROFILE_PROVIDER_{ID}_SECRET" };
/// A mailing-list provider's report-signing secret.
pub(crate) const PROVIDER_REPORT_SECRET: ByEntryId =
    ByEntryId { list: "providers.endpoints", field: "report_secret", name: "PROFILE_PROVIDER_{ID}_REPORT_SECRET" };
/// The SHA-256 of a service's key.
pub(crate) const SERVICE_KEY_SHA256: ByEntryId =
    ByEntryId { list: "services", field: "key_sha256", name: "PROFILE_SERVICE_{ID}_KEY_SHA256" };
/// The secret a service's events are signed with.
pub(crate) const SERVICE_EVENTS_SECRET: ByEntryId =
    ByEntryId { list: "services", field: "events_secret", name: "PROFILE_SERVICE_{ID}_EVENTS_SECRET" };

/// Every variable whose name does not follow from a key.
pub(super) const BY_ENTRY_ID: [&ByEntryId; 4] =
    [&PROVIDER_SECRET, &PROVIDER_REPORT_SECRET, &SERVICE_KEY_SHA256, &SERVICE_EVENTS_SECRET];

/// An id as it appears in a variable's name; two ids with the same part
/// would share their variables.
pub(crate) fn id_part(id: &str) -> String {
    id.to_ascii_uppercase().replace('-', "_")
}

/// `figment` with the fields of list entries that [`BY_ENTRY_ID`]'s
/// variables fill.
pub(super) fn fill_entries(mut figment: Figment, env: &impl Fn(&str) -> Option<String>) -> Figment {
    let mut lists: Vec<&str> = BY_ENTRY_ID.iter().map(|v| v.list).collect();
    lists.dedup();
    for list in lists {
        let Ok(Value::Array(_, mut entries)) = figment.find_value(list) else { continue };
        let mut filled = false;
        for entry in &mut entries {
            let Value::Dict(_, fields) = entry else { continue };
            let Some(id) = fields.get("id").and_then(Value::as_str).map(str::to_owned) else { continue };
            for variable in BY_ENTRY_ID.iter().filter(|v| v.list == list) {
                if fields.get(variable.field).is_some_and(|v| !matches!(v, Value::Empty(..))) {
                    continue;
                }
                if let Some(value) = env(&variable.name_for(&id)) {
                    fields.insert(variable.field.to_owned(), Value::from(value));
                    filled = true;
                }
            }
        }
        if filled {
            figment = figment.merge(Serialized::default(list, entries));
        }
    }
    figment
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Dict {
        super::super::Config::defaults().unwrap()
    }

    #[test]
    fn every_single_valued_setting_has_a_variable_named_after_its_key() {
        let found = variables(&defaults());
        let named = |name: &str| found.iter().find(|v| v.name == name).map(|v| (v.path.join("."), v.kind));
        assert_eq!(named("PROFILE_DATABASE_MAX_CONNECTIONS"), Some(("database_max_connections".into(), Kind::Integer)));
        assert_eq!(
            named("PROFILE_LIMITS_SIGN_IN_PER_IP_WINDOW_SECS"),
            Some(("limits.sign_in_per_ip.window_secs".into(), Kind::Integer))
        );
        assert_eq!(named("PROFILE_S3_ALLOW_HTTP"), Some(("s3.allow_http".into(), Kind::Boolean)));
        assert_eq!(
            named("PROFILE_SECRET_KEY"),
            Some(("secret_key".into(), Kind::Text)),
            "unset by default, still text"
        );
        assert_eq!(named("PROFILE_PICTURES_SIZES"), None, "lists are file-only");
        assert_eq!(named("PROFILE_SERVICES"), None);
        let mut names: Vec<&str> = found.iter().map(|v| v.name.as_str()).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "two keys give one variable name");
    }

    #[test]
    fn values_are_read_by_the_kind_of_their_default() {
        assert_eq!(Kind::Text.parse("1234"), Some(Value::from("1234".to_owned())), "a number-like secret stays text");
        assert_eq!(Kind::Integer.parse(" 42 "), Some(Value::from(42_u64)));
        assert_eq!(Kind::Integer.parse("4.2"), None);
        for (raw, value) in [("1", true), ("yes", true), ("true", true), ("0", false), ("no", false), ("false", false)]
        {
            assert_eq!(Kind::Boolean.parse(raw), Some(Value::from(value)), "{raw}");
        }
        assert_eq!(Kind::Boolean.parse("on"), None);
    }

    #[test]
    fn the_variables_named_by_an_entry_put_its_id_in_the_name() {
        assert_eq!(PROVIDER_SECRET.name_for("crm-eu"), "PROFILE_PROVIDER_CRM_EU_SECRET");
        assert_eq!(PROVIDER_REPORT_SECRET.name_for("crm-eu"), "PROFILE_PROVIDER_CRM_EU_REPORT_SECRET");
        assert_eq!(SERVICE_KEY_SHA256.name_for("room_eu"), "PROFILE_SERVICE_ROOM_EU_KEY_SHA256");
        assert_eq!(SERVICE_EVENTS_SECRET.name_for("room-eu"), "PROFILE_SERVICE_ROOM_EU_EVENTS_SECRET");
        let keys = defaults();
        for variable in BY_ENTRY_ID {
            let list = Value::Dict(Tag::Default, keys.clone()).find(variable.list);
            assert!(matches!(list, Some(Value::Array(..))), "{} is a list of the configuration", variable.list);
        }
    }
}
