//! `RenderedJson<T>`: a JSON response body written beforehand (a profile is
//! rendered once and its bytes reused), described in the API document by
//! the schema of `T`, the type whose shape the bytes have.

use std::marker::PhantomData;

use poem::{Body, IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::Type;

/// JSON bytes in the shape of `T`.
pub struct RenderedJson<T> {
    bytes: bytes::Bytes,
    shape: PhantomData<fn() -> T>,
}

impl<T> RenderedJson<T> {
    /// Wraps bytes that must be JSON in the shape of `T` (a test checks
    /// each renderer against the schema).
    pub(crate) fn new(bytes: impl Into<bytes::Bytes>) -> Self {
        Self { bytes: bytes.into(), shape: PhantomData }
    }
}

impl<T: Type> Payload for RenderedJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        content_type.starts_with("application/json")
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> IntoResponse for RenderedJson<T> {
    fn into_response(self) -> Response {
        Response::builder().content_type(Self::content_type_header()).body(Body::from_bytes(self.bytes))
    }
}

impl<T> RenderedJson<T> {
    const fn content_type_header() -> &'static str {
        "application/json; charset=utf-8"
    }
}

impl<T: Type + Send> ApiResponse for RenderedJson<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType { content_type: Self::CONTENT_TYPE, schema: Self::schema_ref() }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}
