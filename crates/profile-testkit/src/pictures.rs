//! Test pictures made on the spot: a two-colour JPEG, and EXIF blocks with
//! an orientation and a GPS text to find (or not) in what is stored.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};

/// The text the GPS block carries, to search stored files for.
pub const GPS_MARKER: &[u8] = b"GPSMARKER 51.5074N 0.1278W";

/// `width`×`height`: the top half `top`, the bottom half `bottom`.
#[must_use]
pub fn two_colour(width: u32, height: u32, top: [u8; 3], bottom: [u8; 3]) -> RgbImage {
    RgbImage::from_fn(width, height, |_, y| Rgb(if y < height / 2 { top } else { bottom }))
}

/// The picture as a JPEG (quality 95).
///
/// # Panics
/// When encoding fails.
#[must_use]
pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 95)
        .write_image(img, img.width(), img.height(), ExtendedColorType::Rgb8)
        .expect("encode a JPEG");
    out
}

fn push_entry(tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
    tiff.extend_from_slice(&tag.to_le_bytes());
    tiff.extend_from_slice(&kind.to_le_bytes());
    tiff.extend_from_slice(&count.to_le_bytes());
    tiff.extend_from_slice(&value.to_le_bytes());
}

/// An EXIF block (little-endian TIFF) with an orientation and a GPS IFD
/// holding [`GPS_MARKER`] as its processing method.
#[must_use]
pub fn exif_block(orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8_u32.to_le_bytes());
    let gps_ifd: u32 = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&2_u16.to_le_bytes());
    push_entry(&mut tiff, 0x0112, 3, 1, u32::from(orientation));
    push_entry(&mut tiff, 0x8825, 4, 1, gps_ifd);
    tiff.extend_from_slice(&0_u32.to_le_bytes());
    let text_at = gps_ifd + 2 + 12 + 4;
    tiff.extend_from_slice(&1_u16.to_le_bytes());
    push_entry(&mut tiff, 0x001B, 7, GPS_MARKER.len() as u32, text_at);
    tiff.extend_from_slice(&0_u32.to_le_bytes());
    tiff.extend_from_slice(GPS_MARKER);
    [b"Exif\0\0".as_slice(), &tiff].concat()
}

/// `jpeg` with an APP1 segment holding `payload` right after its SOI.
///
/// # Panics
/// When the payload is too long for a segment.
#[must_use]
pub fn with_app1(jpeg: &[u8], payload: &[u8]) -> Vec<u8> {
    let length = u16::try_from(payload.len() + 2).expect("a short segment").to_be_bytes();
    [&jpeg[..2], &[0xFF, 0xE1], &length, payload, &jpeg[2..]].concat()
}

/// Whether `needle` occurs in `haystack`.
#[must_use]
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
