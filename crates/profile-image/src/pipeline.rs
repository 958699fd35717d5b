//! The processing itself, synchronous: check, decode, orient, crop, scale,
//! encode.

use std::io::Cursor;

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageReader, metadata::Orientation};
use profile_domain::ImageFormat;
use profile_domain::ports::{Crop, PictureRejected, Rendition};

use crate::{ImageLimits, jpeg_scaled, sniff};

/// The renditions of `upload`, largest first, or why it is refused.
///
/// # Errors
/// [`PictureRejected`] saying what is wrong with the upload.
pub fn process(limits: &ImageLimits, upload: &[u8], crop: Option<Crop>) -> Result<Vec<Rendition>, PictureRejected> {
    if upload.is_empty() {
        return Err(PictureRejected::Empty);
    }
    if upload.len() as u64 > limits.max_bytes {
        return Err(PictureRejected::TooLarge { limit: limits.max_bytes });
    }
    let format = sniff(upload).ok_or(PictureRejected::UnsupportedFormat)?.format();
    let too_many = PictureRejected::TooManyPixels { limit: limits.max_pixels };
    let (width, height) = ImageReader::with_format(Cursor::new(upload), format)
        .into_dimensions()
        .map_err(|_| PictureRejected::Corrupt)?;
    if width == 0 || height == 0 {
        return Err(PictureRejected::Corrupt);
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(too_many);
    }
    if format == image::ImageFormat::Jpeg && !ends_with_eoi(upload) {
        // Decoders fill a cut-off JPEG with grey; a cut-off upload is refused.
        return Err(PictureRejected::Corrupt);
    }
    let largest = limits.sizes.iter().copied().max().unwrap_or(1);
    let max_alloc = limits.max_pixels.saturating_mul(8).saturating_add(64 << 20);
    let jpeg = if format == image::ImageFormat::Jpeg {
        jpeg_scaled::decode(upload, width, height, largest, usize::try_from(max_alloc).unwrap_or(usize::MAX))
    } else {
        None
    };
    let (picture, factor) = match jpeg {
        Some(scaled) => {
            let mut scaled = scaled.map_err(|()| PictureRejected::Corrupt)?;
            scaled.picture.apply_orientation(scaled.orientation);
            (scaled.picture, scaled.factor)
        }
        None => (decode_whole(upload, format, width, height, max_alloc, too_many)?, 1.0),
    };
    let source = opaque_or_rgba(picture);
    let (x, y, side) = square(&source, crop.map(|c| scale_crop(c, factor)))?;
    let mut renditions = Vec::with_capacity(limits.sizes.len());
    let mut resizer = Resizer::new();
    for &size in &limits.sizes {
        let pixel_type = if source.color().has_alpha() { PixelType::U8x4 } else { PixelType::U8x3 };
        let mut scaled = Image::new(size, size, pixel_type);
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)).crop(
            f64::from(x),
            f64::from(y),
            f64::from(side),
            f64::from(side),
        );
        resizer.resize(&source, &mut scaled, &options).map_err(|_| PictureRejected::Corrupt)?;
        renditions.push(encode(limits, scaled.buffer(), size, source.color().has_alpha())?);
    }
    Ok(renditions)
}

/// A crop given in full-size pixels, in the pixels of a picture decoded at
/// `factor` of its size.
fn scale_crop(crop: Crop, factor: f64) -> Crop {
    if (factor - 1.0).abs() < f64::EPSILON {
        return crop;
    }
    let at = |n: u32| (f64::from(n) * factor).floor() as u32;
    Crop { x: at(crop.x), y: at(crop.y), size: at(crop.size).max(1) }
}

/// Decodes the whole picture with the `image` crate, within limits.
fn decode_whole(
    upload: &[u8],
    format: image::ImageFormat,
    width: u32,
    height: u32,
    max_alloc: u64,
    too_many: PictureRejected,
) -> Result<DynamicImage, PictureRejected> {
    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(width);
    decode_limits.max_image_height = Some(height);
    // Room for the decoded pixels at 8 bytes each (16-bit RGBA) and the
    // decoder's own buffers; beyond it the decoder stops.
    decode_limits.max_alloc = Some(max_alloc);
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(|_| PictureRejected::Corrupt)?;
    // A damaged EXIF block only loses its orientation.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => too_many,
        _ => PictureRejected::Corrupt,
    })?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// The picture as 8-bit RGBA when any pixel is not fully opaque, else as
/// 8-bit RGB, converting at most once.
fn opaque_or_rgba(picture: DynamicImage) -> DynamicImage {
    if !picture.color().has_alpha() {
        return DynamicImage::ImageRgb8(picture.into_rgb8());
    }
    let rgba = picture.into_rgba8();
    if rgba.pixels().any(|px| px.0[3] < u8::MAX) {
        DynamicImage::ImageRgba8(rgba)
    } else {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).into_rgb8())
    }
}

/// Whether the JPEG's end-of-image marker is there (within the last KiB:
/// some cameras append a little after it).
fn ends_with_eoi(upload: &[u8]) -> bool {
    let tail = &upload[upload.len().saturating_sub(1024)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

/// The square to keep: the crop asked for, or the largest centred square.
fn square(source: &DynamicImage, crop: Option<Crop>) -> Result<(u32, u32, u32), PictureRejected> {
    let (w, h) = (source.width(), source.height());
    match crop {
        Some(c) => {
            let inside = c.size > 0
                && c.x.checked_add(c.size).is_some_and(|r| r <= w)
                && c.y.checked_add(c.size).is_some_and(|b| b <= h);
            if inside { Ok((c.x, c.y, c.size)) } else { Err(PictureRejected::BadCrop) }
        }
        None => {
            let side = w.min(h);
            Ok(((w - side) / 2, (h - side) / 2, side))
        }
    }
}

fn encode(limits: &ImageLimits, pixels: &[u8], size: u32, alpha: bool) -> Result<Rendition, PictureRejected> {
    let mut bytes = Vec::new();
    let written = if alpha {
        PngEncoder::new(&mut bytes).write_image(pixels, size, size, ExtendedColorType::Rgba8)
    } else {
        JpegEncoder::new_with_quality(&mut bytes, limits.jpeg_quality).write_image(
            pixels,
            size,
            size,
            ExtendedColorType::Rgb8,
        )
    };
    written.map_err(|_| PictureRejected::Corrupt)?;
    let format = if alpha { ImageFormat::Png } else { ImageFormat::Jpeg };
    Ok(Rendition { size, format, bytes })
}
