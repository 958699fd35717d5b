//! The limits and settings of processing.

/// What uploads may be, and what renditions are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageLimits {
    /// The largest upload in bytes (default 10 MiB).
    pub max_bytes: u64,
    /// The most pixels an upload may have, read from its header before
    /// decoding (default 40 megapixels).
    pub max_pixels: u64,
    /// The square sizes made, largest first (default 512, 256, 128, 64).
    pub sizes: Vec<u32>,
    /// JPEG quality, 1 to 100 (default 85).
    pub jpeg_quality: u8,
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self { max_bytes: 10 * 1024 * 1024, max_pixels: 40_000_000, sizes: vec![512, 256, 128, 64], jpeg_quality: 85 }
    }
}
