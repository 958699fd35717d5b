//! The API document as published: poem-openapi's document with two things
//! it cannot say by itself. The export's `200` is the export document,
//! described by `docs/export.schema.json` (JSON Schema 2020-12), written
//! into the document's OpenAPI 3.0 dialect with every object named; and a
//! field whose type is a named schema refers to it plainly instead of
//! through an `allOf` that only adds a description, which client
//! generators turn into a second, inline model whose name clashes with
//! the named one.

use serde_json::{Map, Value, json};

/// The export format's JSON Schema, as documented.
const EXPORT_SCHEMA: &str = include_str!("../../../docs/export.schema.json");
/// The name of the export document's schema in the API document.
const EXPORT_DOCUMENT: &str = "ExportDocument";
/// The operation that answers with the export document.
const EXPORT_PATH: &str = "/v1/me/export";

/// The published document from the one poem-openapi generates.
///
/// # Errors
/// When `raw` or the embedded export schema is not JSON: both are made by
/// this crate, so a test catches it.
pub(crate) fn finish(raw: &str) -> Result<String, serde_json::Error> {
    let mut doc: Value = serde_json::from_str(raw)?;
    plain_refs(&mut doc);
    let export: Value = serde_json::from_str(EXPORT_SCHEMA)?;
    let mut named = Map::new();
    let root = convert(&export, "Export", &mut named);
    named.insert(EXPORT_DOCUMENT.to_owned(), root);
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        schemas.extend(named);
    }
    let reference = json!({ "$ref": format!("#/components/schemas/{EXPORT_DOCUMENT}") });
    let pointer =
        format!("/paths/{}/get/responses/200/content/application~1json/schema", EXPORT_PATH.replace('/', "~1"));
    if let Some(schema) = doc.pointer_mut(&pointer) {
        *schema = reference;
    }
    serde_json::to_string_pretty(&doc)
}

/// Replaces every `{"allOf": [{"$ref": …}, {"description": …}], "description": …}`
/// with its `$ref`.
fn plain_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = described_ref(map) {
                *value = json!({ "$ref": reference });
                return;
            }
            map.values_mut().for_each(plain_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(plain_refs),
        _ => {}
    }
}

/// The `$ref` of a schema that is only a reference plus descriptions.
fn described_ref(map: &Map<String, Value>) -> Option<String> {
    if map.keys().any(|k| k != "allOf" && k != "description") {
        return None;
    }
    let parts = map.get("allOf")?.as_array()?;
    let mut reference = None;
    for part in parts {
        let part = part.as_object()?;
        match part.get("$ref") {
            Some(Value::String(r)) if part.len() == 1 && reference.is_none() => reference = Some(r.clone()),
            _ if part.keys().all(|k| k == "description") => {}
            _ => return None,
        }
    }
    reference
}

/// `schema` (JSON Schema 2020-12) in OpenAPI 3.0's dialect; every object
/// with properties below the top is named `{name}{Path}` in `named` and
/// referred to.
fn convert(schema: &Value, name: &str, named: &mut Map<String, Value>) -> Value {
    let Value::Object(source) = schema else { return schema.clone() };
    let mut out = Map::new();
    let mut nullable = false;
    for (key, value) in source {
        match key.as_str() {
            "$schema" => {}
            "type" => match value {
                Value::Array(types) => {
                    nullable = types.iter().any(|t| t == "null");
                    if let Some(t) = types.iter().find(|t| *t != "null") {
                        out.insert("type".into(), t.clone());
                    }
                }
                other => {
                    out.insert("type".into(), other.clone());
                }
            },
            "const" => {
                out.insert("enum".into(), json!([value]));
            }
            "contentEncoding" if value == "base64" => {
                out.insert("format".into(), json!("byte"));
            }
            "properties" => {
                let mut properties = Map::new();
                for (field, property) in value.as_object().into_iter().flatten() {
                    properties
                        .insert(field.clone(), named_or_inline(property, &format!("{name}{}", camel(field)), named));
                }
                out.insert("properties".into(), Value::Object(properties));
            }
            "items" => {
                out.insert("items".into(), named_or_inline(value, &singular(name), named));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if nullable {
        out.insert("nullable".into(), Value::Bool(true));
    }
    Value::Object(out)
}

/// An object schema with properties is named and referred to (nullable
/// through a one-part `allOf`, as OpenAPI 3.0 writes it); anything else
/// stays inline.
fn named_or_inline(schema: &Value, name: &str, named: &mut Map<String, Value>) -> Value {
    let converted = convert(schema, name, named);
    if converted.get("properties").is_none() {
        return converted;
    }
    let mut converted = converted;
    let nullable = converted.as_object_mut().and_then(|o| o.remove("nullable")).is_some();
    let description = converted.get("description").cloned();
    named.insert(name.to_owned(), converted);
    let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
    if nullable {
        let mut wrapper = json!({ "nullable": true, "allOf": [reference] });
        if let (Some(description), Some(map)) = (description, wrapper.as_object_mut()) {
            map.insert("description".into(), description);
        }
        wrapper
    } else {
        reference
    }
}

/// `pending_codes` → `PendingCodes`.
fn camel(field: &str) -> String {
    field
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The name of one item of a list named `name`.
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = name.strip_suffix('s') {
        stem.to_owned()
    } else {
        format!("{name}Item")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_described_reference_becomes_a_plain_one_and_other_all_ofs_stay() {
        let mut doc = json!({
            "a": { "description": "d", "allOf": [{ "$ref": "#/x" }, { "description": "d" }] },
            "b": { "allOf": [{ "$ref": "#/x" }, { "$ref": "#/y" }] },
            "c": { "nullable": true, "allOf": [{ "$ref": "#/x" }] },
        });
        plain_refs(&mut doc);
        assert_eq!(doc["a"], json!({ "$ref": "#/x" }));
        assert_eq!(doc["b"]["allOf"].as_array().unwrap().len(), 2);
        assert_eq!(doc["c"]["nullable"], true);
    }

    #[test]
    fn json_schema_types_become_openapi_3_0_with_named_objects() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "format": { "const": "x" },
                "when": { "type": ["string", "null"], "format": "date-time" },
                "pending_codes": { "type": "array", "items": { "type": "object", "properties": { "n": { "type": "integer" } } } },
                "picture": { "type": ["object", "null"], "description": "p", "properties": { "b": { "type": "string", "contentEncoding": "base64" } } },
            },
        });
        let mut named = Map::new();
        let root = convert(&schema, "Export", &mut named);
        assert_eq!(root.get("$schema"), None);
        assert_eq!(root["properties"]["format"], json!({ "enum": ["x"] }));
        assert_eq!(root["properties"]["when"], json!({ "type": "string", "format": "date-time", "nullable": true }));
        assert_eq!(
            root["properties"]["pending_codes"]["items"],
            json!({ "$ref": "#/components/schemas/ExportPendingCode" })
        );
        assert_eq!(named["ExportPendingCode"]["properties"]["n"], json!({ "type": "integer" }));
        let picture = &root["properties"]["picture"];
        assert_eq!(picture["nullable"], true);
        assert_eq!(picture["allOf"], json!([{ "$ref": "#/components/schemas/ExportPicture" }]));
        assert_eq!(named["ExportPicture"]["properties"]["b"], json!({ "type": "string", "format": "byte" }));
    }

    #[test]
    fn the_embedded_export_schema_converts_with_no_name_given_twice() {
        let export: Value = serde_json::from_str(EXPORT_SCHEMA).unwrap();
        let mut named = Map::new();
        convert(&export, "Export", &mut named);
        fn objects_below_the_top(schema: &Value) -> usize {
            let nested = |v: &Value| -> usize {
                let own = usize::from(v.get("properties").is_some());
                own + objects_below_the_top(v)
            };
            schema["properties"].as_object().into_iter().flatten().map(|(_, p)| nested(p)).sum::<usize>()
                + schema.get("items").map_or(0, nested)
        }
        assert_eq!(named.len(), objects_below_the_top(&export), "every object got a name of its own");
        assert!(named.len() > 15, "{:?}", named.keys().collect::<Vec<_>>());
        assert!(named.keys().all(|k| k.starts_with("Export") && k.chars().all(|c| c.is_ascii_alphanumeric())));
        let raw = EXPORT_SCHEMA.to_owned();
        assert!(!raw.contains("\"$ref\""), "the converter assumes a schema without references");
    }
}
