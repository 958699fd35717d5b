//! Picture processing adapter: [`ImageProcessor`] implements the domain's
//! `PictureProcessor` with the `image` crate and `fast_image_resize`.
//!
//! An upload is recognised by its bytes (JPEG, PNG, WebP, GIF; nothing
//! else), its pixel count is checked from the header before anything is
//! decoded, its EXIF orientation is applied, and it is re-encoded from bare
//! pixels, so no metadata (no GPS position) survives. The work runs on
//! blocking threads, a bounded number at a time.

mod jpeg_scaled;
mod limits;
mod pipeline;
mod processor;
mod sniff;

pub use limits::ImageLimits;
pub use pipeline::process;
pub use processor::ImageProcessor;
pub use sniff::{Sniffed, sniff};
