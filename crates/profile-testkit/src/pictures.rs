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

/// The CRC-32 that PNG chunks carry.
#[must_use]
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// `png` with its header claiming `width`×`height` (checksum fixed).
#[must_use]
pub fn png_claiming(mut png: Vec<u8>, width: u32, height: u32) -> Vec<u8> {
    // IHDR data starts at 16 (8 signature, 4 length, 4 type).
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// `jpeg` with its frame header claiming `width`×`height` (16 bits each).
#[must_use]
pub fn jpeg_claiming(mut jpeg: Vec<u8>, width: u16, height: u16) -> Vec<u8> {
    if let Some(at) = jpeg.windows(2).position(|w| w == [0xFF, 0xC0] || w == [0xFF, 0xC2]) {
        // Marker, length (2), precision (1), then height and width.
        jpeg[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
        jpeg[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
    }
    jpeg
}

/// Whether `needle` occurs in `haystack`.
#[must_use]
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
