//! `StrictJson<T>`: a JSON request body checked against the schema that the
//! API document gives it before it is parsed. poem-openapi's own parser
//! turns a number or a boolean into text where a string is expected
//! (`{"display_name": 42}` would save the name "42"); here a value of the
//! wrong JSON type is a `400 invalid_body` whose message names the field,
//! and the document stays the one source of what each field takes.

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::error::{ContentTypeError, ParseRequestPayloadError};
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde_json::Value;

/// A JSON request body whose every field had the JSON type its schema says.
#[derive(Debug)]
pub struct StrictJson<T>(pub T);

impl<T: Type> Payload for StrictJson<T> {
    const CONTENT_TYPE: &'static str = <Json<T> as Payload>::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        <Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for StrictJson<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        let invalid = |reason: String| ParseRequestPayloadError { reason };
        let value = if data.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&data).map_err(|e| invalid(e.to_string()))?
        };
        let mut registry = Registry::new();
        T::register(&mut registry);
        check(&registry, &T::schema_ref(), &value, "the body").map_err(invalid)?;
        Ok(Self(T::parse_from_json(Some(value)).map_err(|e| invalid(e.into_message()))?))
    }
}

impl<'a, T: ParseFromJSON> ApiExtractor<'a> for StrictJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: <Self as ParsePayload>::IS_REQUIRED,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(content_type) if <Self as Payload>::check_content_type(content_type) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(content_type) => Err(ContentTypeError::NotSupported { content_type: content_type.to_owned() }.into()),
            None => Err(ContentTypeError::ExpectContentType.into()),
        }
    }
}

/// The schema `schema` stands for, looked up in `registry` when it is a
/// reference; a single `allOf` (how a described reference is written) is
/// looked through.
fn resolve<'r>(registry: &'r Registry, schema: &'r MetaSchemaRef) -> Option<&'r MetaSchema> {
    let found = match schema {
        MetaSchemaRef::Inline(inline) => inline.as_ref(),
        MetaSchemaRef::Reference(name) => registry.schemas.get(name)?,
    };
    match found.all_of.as_slice() {
        [only] if found.ty.is_empty() || (found.ty == "object" && found.properties.is_empty()) => {
            resolve(registry, only)
        }
        _ => Some(found),
    }
}

/// The name of a JSON value's type, as a message says it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number with a fraction",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Checks that `value` has the JSON type `schema` gives it, and so on into
/// every property and item; `Err` says where and what was wrong. Other
/// rules (lengths, unknown fields, formats) are left to the parser and the
/// domain.
pub(crate) fn check(registry: &Registry, schema: &MetaSchemaRef, value: &Value, at: &str) -> Result<(), String> {
    let Some(schema) = resolve(registry, schema) else { return Ok(()) };
    let wrong = |expected: &str| Err(format!("{at} must be {expected}, not {}", json_type(value)));
    match (schema.ty, value) {
        (_, Value::Null) if schema.nullable => Ok(()),
        ("string", Value::String(_)) | ("boolean", Value::Bool(_)) => Ok(()),
        ("string", _) => wrong("a string"),
        ("boolean", _) => wrong("a boolean (true or false)"),
        ("integer", Value::Number(n)) if n.is_u64() => Ok(()),
        ("integer", Value::Number(n)) if n.is_i64() => {
            if schema.format.is_some_and(|f| f.starts_with("uint")) {
                wrong("an integer of 0 or more")
            } else {
                Ok(())
            }
        }
        ("integer", _) => wrong("an integer"),
        ("number", Value::Number(_)) => Ok(()),
        ("number", _) => wrong("a number"),
        ("array", Value::Array(items)) => {
            let Some(item) = &schema.items else { return Ok(()) };
            items.iter().enumerate().try_for_each(|(i, v)| check(registry, item, v, &format!("{at}[{i}]")))
        }
        ("array", _) => wrong("a list"),
        ("object", Value::Object(fields)) => {
            for (name, property) in &schema.properties {
                let path = if at == "the body" { format!("the field \"{name}\"") } else { format!("{at}.{name}") };
                match fields.get(*name) {
                    // An optional field may be null: it means absent.
                    Some(Value::Null) if !schema.required.contains(name) => {}
                    Some(Value::Null) => return Err(format!("{path} is required and may not be null")),
                    Some(field) => check(registry, property, field, &path)?,
                    None => {}
                }
            }
            Ok(())
        }
        ("object", _) => wrong("a JSON object"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Object)]
    struct Inner {
        n: u32,
    }

    #[derive(Debug, Object)]
    struct Sample {
        text: String,
        flag: bool,
        count: Option<u32>,
        list: Vec<String>,
        inner: Option<Inner>,
    }

    fn problem(value: Value) -> Option<String> {
        let mut registry = Registry::new();
        Sample::register(&mut registry);
        check(&registry, &Sample::schema_ref(), &value, "the body").err()
    }

    #[test]
    fn values_of_the_schemas_types_pass() {
        let good = json!({ "text": "t", "flag": false, "count": 3, "list": ["a"], "inner": { "n": 1 } });
        assert_eq!(problem(good), None);
        assert_eq!(problem(json!({ "text": "t", "flag": true, "count": null, "list": [] })), None, "optional null");
    }

    #[test]
    fn a_value_of_another_type_is_named_with_where_it_is() {
        let base = json!({ "text": "t", "flag": false, "list": [] });
        for (field, wrong, message) in [
            ("text", json!(42), "the field \"text\" must be a string, not an integer"),
            ("text", json!(true), "the field \"text\" must be a string, not a boolean"),
            ("text", Value::Null, "the field \"text\" is required and may not be null"),
            ("flag", json!("true"), "the field \"flag\" must be a boolean (true or false), not a string"),
            ("count", json!(-1), "the field \"count\" must be an integer of 0 or more, not an integer"),
            ("count", json!(1.5), "the field \"count\" must be an integer, not a number with a fraction"),
            ("list", json!(["a", 2]), "the field \"list\"[1] must be a string, not an integer"),
            ("inner", json!({ "n": "1" }), "the field \"inner\".n must be an integer, not a string"),
        ] {
            let mut body = base.clone();
            body[field] = wrong;
            assert_eq!(problem(body).as_deref(), Some(message));
        }
        assert_eq!(problem(json!([1])).as_deref(), Some("the body must be a JSON object, not a list"));
    }
}
