//! Blob storage adapter: [`ObjectBlobStore`] implements the domain's
//! `BlobStore` on the `object_store` crate, over the local disk
//! (`file://…`, the embedded default) or S3-compatible storage
//! (`s3://bucket[/prefix]`).

mod config;
mod store;

pub use config::{BlobConfigError, S3Settings};
pub use store::ObjectBlobStore;
