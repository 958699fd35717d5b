//! JPEG decoding scaled in the DCT domain: a 12-megapixel photo needed at
//! 512 pixels is decoded at 1/2, 1/4 or 1/8 of its size straight from its
//! coefficients, which is most of the work saved (libvips does the same).

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, RgbImage};
use jpeg_decoder::{Decoder, PixelFormat};

/// A decoded JPEG and the factor it was scaled by (decoded width over full
/// width).
pub(crate) struct Scaled {
    pub(crate) picture: DynamicImage,
    pub(crate) orientation: Orientation,
    pub(crate) factor: f64,
}

/// Decodes `upload` (a JPEG of `width`×`height`) at the smallest DCT scale
/// whose shorter side is still at least `needed` pixels. `None` for the
/// formats this path does not cover (CMYK, 16-bit), which the general
/// decoder handles; `Some(Err(()))` when the file is damaged.
pub(crate) fn decode(
    upload: &[u8],
    width: u32,
    height: u32,
    needed: u32,
    max_bytes: usize,
) -> Option<Result<Scaled, ()>> {
    let mut decoder = Decoder::new(Cursor::new(upload));
    decoder.set_max_decoding_buffer_size(max_bytes);
    if decoder.read_info().is_err() {
        return Some(Err(()));
    }
    let info = decoder.info()?;
    if !matches!(info.pixel_format, PixelFormat::RGB24 | PixelFormat::L8) {
        return None;
    }
    let side = width.min(height).max(1);
    let (want_w, want_h) = if needed >= side {
        (width, height)
    } else {
        let scale = |n: u32| (u64::from(n) * u64::from(needed)).div_ceil(u64::from(side));
        (scale(width) as u32, scale(height) as u32)
    };
    let request = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
    let Ok((w, h)) = decoder.scale(request(want_w), request(want_h)) else { return Some(Err(())) };
    let Ok(pixels) = decoder.decode() else { return Some(Err(())) };
    let orientation = decoder.exif_data().and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms);
    let (w, h) = (u32::from(w), u32::from(h));
    let picture = match info.pixel_format {
        PixelFormat::RGB24 => RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8),
        _ => GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8),
    };
    let Some(picture) = picture else { return Some(Err(())) };
    Some(Ok(Scaled { picture, orientation, factor: f64::from(w) / f64::from(width.max(1)) }))
}
