//! The pipeline on images the tests make themselves: good uploads of every
//! format, EXIF orientation and GPS, and every kind of bad upload.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

use std::io::Cursor;

use image::codecs::gif::GifEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ExtendedColorType, Frame, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use profile_domain::ImageFormat;
use profile_domain::ports::{Crop, PictureProcessor, PictureRejected, Rendition};
use profile_image::{ImageLimits, ImageProcessor, process};
use profile_testkit::pictures::{contains, exif_block, jpeg, png_claiming, two_colour, with_app1};

const RED: [u8; 3] = [220, 20, 20];
const BLUE: [u8; 3] = [20, 20, 220];

/// 200×100: the top half red, the bottom half blue.
fn red_over_blue() -> RgbImage {
    two_colour(200, 100, RED, BLUE)
}

fn png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

fn run(upload: &[u8]) -> Result<Vec<Rendition>, PictureRejected> {
    process(&ImageLimits::default(), upload, None)
}

fn near(pixel: Rgb<u8>, expected: [u8; 3]) -> bool {
    pixel.0.iter().zip(expected).all(|(a, b)| a.abs_diff(b) < 40)
}

#[test]
fn the_exif_orientation_is_applied_and_no_metadata_survives() {
    let upload = with_app1(&jpeg(&red_over_blue()), &exif_block(6));
    assert!(contains(&upload, b"GPSMARKER"), "the upload carries the GPS text");
    let renditions = run(&upload).unwrap();
    let sizes: Vec<(u32, ImageFormat)> = renditions.iter().map(|r| (r.size, r.format)).collect();
    assert_eq!(
        sizes,
        [(512, ImageFormat::Jpeg), (256, ImageFormat::Jpeg), (128, ImageFormat::Jpeg), (64, ImageFormat::Jpeg)]
    );
    for r in &renditions {
        assert!(!contains(&r.bytes, b"GPSMARKER") && !contains(&r.bytes, b"Exif"), "metadata gone at {}", r.size);
        assert!(!contains(&r.bytes, &[0xFF, 0xE1]), "no APP1 segment at {}", r.size);
        let decoded = image::load_from_memory(&r.bytes).unwrap().to_rgb8();
        assert_eq!(decoded.dimensions(), (r.size, r.size));
    }
    // Turned 90° clockwise, the red top becomes the right side.
    let small = image::load_from_memory(&renditions[3].bytes).unwrap().to_rgb8();
    // Corners are chosen so that the unturned picture (red top-left, blue
    // bottom-right) fails both checks.
    assert!(near(*small.get_pixel(8, 8), BLUE), "top-left is blue: {:?}", small.get_pixel(8, 8));
    assert!(near(*small.get_pixel(56, 56), RED), "bottom-right is red: {:?}", small.get_pixel(56, 56));
}

#[test]
fn without_orientation_the_centre_square_is_kept_as_it_is() {
    let small = image::load_from_memory(&run(&jpeg(&red_over_blue())).unwrap()[3].bytes).unwrap().to_rgb8();
    assert!(near(*small.get_pixel(32, 8), RED) && near(*small.get_pixel(32, 56), BLUE));
}

#[test]
fn a_large_photo_is_decoded_scaled_and_still_turned_and_cropped_right() {
    // 2400×1600 needs only 1/2 of its size for 512 px: the scaled decoder runs.
    let upload = with_app1(&jpeg(&two_colour(2400, 1600, RED, BLUE)), &exif_block(6));
    let renditions = run(&upload).unwrap();
    assert!(renditions.iter().all(|r| !contains(&r.bytes, b"GPSMARKER")));
    let small = image::load_from_memory(&renditions[3].bytes).unwrap().to_rgb8();
    assert!(near(*small.get_pixel(8, 8), BLUE) && near(*small.get_pixel(56, 56), RED), "turned");
    // Upright the picture is 1600×2400 (blue left, red right); a crop in
    // full-size pixels is kept whatever scale it was decoded at.
    let crop = Some(Crop { x: 1000, y: 0, size: 600 });
    let right = process(&ImageLimits::default(), &upload, crop).unwrap();
    let px = *image::load_from_memory(&right[3].bytes).unwrap().to_rgb8().get_pixel(32, 32);
    assert!(near(px, RED), "the right-hand crop is red: {px:?}");
    let outside = Some(Crop { x: 1100, y: 0, size: 600 });
    assert_eq!(process(&ImageLimits::default(), &upload, outside), Err(PictureRejected::BadCrop));
}

#[test]
fn a_cmyk_jpeg_is_taken() {
    let (w, h) = (64_u16, 48_u16);
    let pixels: Vec<u8> = (0..usize::from(w) * usize::from(h)).flat_map(|_| [0_u8, 200, 200, 0]).collect();
    let mut cmyk = Vec::new();
    jpeg_encoder::Encoder::new(&mut cmyk, 90).encode(&pixels, w, h, jpeg_encoder::ColorType::Cmyk).unwrap();
    let renditions = run(&cmyk).unwrap();
    assert_eq!(renditions.len(), 4);
    let px = *image::load_from_memory(&renditions[3].bytes).unwrap().to_rgb8().get_pixel(32, 32);
    assert!(px.0[0] > px.0[1] + 60 && px.0[0] > px.0[2] + 60, "magenta and yellow ink make red: {px:?}");
}

#[test]
fn a_damaged_exif_block_loses_only_the_orientation() {
    let upload = with_app1(&jpeg(&red_over_blue()), b"Exif\0\0II*\0\xff\xff\xff\xffgarbage");
    assert_eq!(run(&upload).unwrap().len(), 4);
}

#[test]
fn transparency_gives_png_and_opaque_pictures_give_jpeg() {
    let see_through = RgbaImage::from_fn(90, 90, |x, _| Rgba([0, 200, 0, if x < 45 { 0 } else { 255 }]));
    let renditions = run(&png(&DynamicImage::ImageRgba8(see_through))).unwrap();
    assert!(renditions.iter().all(|r| r.format == ImageFormat::Png));
    let decoded = image::load_from_memory(&renditions[3].bytes).unwrap().to_rgba8();
    assert_eq!((decoded.get_pixel(4, 32).0[3], decoded.get_pixel(60, 32).0[3]), (0, 255));
    let opaque_rgba = RgbaImage::from_pixel(90, 90, Rgba([0, 200, 0, 255]));
    assert!(run(&png(&DynamicImage::ImageRgba8(opaque_rgba))).unwrap().iter().all(|r| r.format == ImageFormat::Jpeg));
}

#[test]
fn sixteen_bit_png_webp_and_the_first_frame_of_an_animated_gif_are_taken() {
    let deep = image::ImageBuffer::<Rgb<u16>, Vec<u16>>::from_pixel(40, 40, Rgb([60_000, 0, 0]));
    let r = run(&png(&DynamicImage::ImageRgb16(deep))).unwrap();
    assert!(near(*image::load_from_memory(&r[3].bytes).unwrap().to_rgb8().get_pixel(32, 32), [233, 0, 0]));

    let mut webp = Vec::new();
    let green = RgbaImage::from_pixel(50, 30, Rgba([0, 200, 0, 255]));
    WebPEncoder::new_lossless(&mut webp).write_image(&green, 50, 30, ExtendedColorType::Rgba8).unwrap();
    let r = run(&webp).unwrap();
    assert!(near(*image::load_from_memory(&r[0].bytes).unwrap().to_rgb8().get_pixel(256, 256), [0, 200, 0]));

    let mut gif = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut gif);
        let frame = |color: [u8; 4]| Frame::new(RgbaImage::from_pixel(20, 20, Rgba(color)));
        encoder.encode_frames([frame([0, 0, 255, 255]), frame([255, 0, 0, 255])]).unwrap();
    }
    let r = run(&gif).unwrap();
    let first = *image::load_from_memory(&r[3].bytes).unwrap().to_rgb8().get_pixel(32, 32);
    assert!(near(first, [0, 0, 255]), "the first frame, blue: {first:?}");
}

#[test]
fn a_crop_is_honoured_and_one_outside_the_image_refused() {
    let crop = Some(Crop { x: 0, y: 50, size: 50 });
    let r = process(&ImageLimits::default(), &jpeg(&red_over_blue()), crop).unwrap();
    assert!(near(*image::load_from_memory(&r[3].bytes).unwrap().to_rgb8().get_pixel(32, 32), BLUE));
    for bad in [Crop { x: 160, y: 0, size: 50 }, Crop { x: 0, y: 0, size: 0 }, Crop { x: u32::MAX, y: 0, size: 2 }] {
        assert_eq!(process(&ImageLimits::default(), &jpeg(&red_over_blue()), Some(bad)), Err(PictureRejected::BadCrop));
    }
}

#[test]
fn a_one_pixel_wide_strip_is_handled() {
    let strip = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(1, 100_000, image::Luma([128])));
    let r = run(&png(&strip)).unwrap();
    assert_eq!(r.iter().map(|r| r.size).collect::<Vec<_>>(), [512, 256, 128, 64]);
}

/// A PNG whose header claims `width`×`height` with almost no data.
fn png_claiming_size(width: u32, height: u32) -> Vec<u8> {
    png_claiming(png(&DynamicImage::ImageLuma8(image::GrayImage::new(1, 1))), width, height)
}

#[test]
fn a_decompression_bomb_is_refused_from_its_header() {
    let bomb = png_claiming_size(50_000, 50_000);
    assert!(bomb.len() < 100, "a few bytes: {}", bomb.len());
    assert_eq!(run(&bomb), Err(PictureRejected::TooManyPixels { limit: 40_000_000 }));
    let limits = ImageLimits { max_pixels: 10_000, ..ImageLimits::default() };
    let edge = png(&DynamicImage::ImageLuma8(image::GrayImage::new(100, 100)));
    assert!(process(&limits, &edge, None).is_ok(), "exactly at the limit");
    let over = png(&DynamicImage::ImageLuma8(image::GrayImage::new(101, 100)));
    assert_eq!(process(&limits, &over, None), Err(PictureRejected::TooManyPixels { limit: 10_000 }));
}

#[test]
fn gif_and_webp_headers_claiming_too_many_pixels_are_refused_before_decoding() {
    // A GIF whose screen and only frame claim 65535×65535, with no pixels.
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00]);
    gif.extend_from_slice(&[0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x02, 0x02, 0x4C, 0x01, 0x00, 0x3B]);
    // Refused before any pixel is decoded: by our pixel check, or by the GIF
    // decoder's own buffer limit when it reads the frame header.
    let started = std::time::Instant::now();
    let refused = run(&gif);
    assert!(matches!(refused, Err(PictureRejected::TooManyPixels { .. } | PictureRejected::Corrupt)), "{refused:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "cheaply");
    // The pixel check reads every format's header: real 40×40 WebP and GIF
    // pictures against a limit of 1000 pixels.
    let limits = ImageLimits { max_pixels: 1000, ..ImageLimits::default() };
    let mut webp = Vec::new();
    let square = RgbaImage::from_pixel(40, 40, Rgba([0, 200, 0, 255]));
    WebPEncoder::new_lossless(&mut webp).write_image(&square, 40, 40, ExtendedColorType::Rgba8).unwrap();
    let mut gif = Vec::new();
    GifEncoder::new(&mut gif).encode_frames([Frame::new(square.clone())]).unwrap();
    for upload in [webp, gif] {
        assert_eq!(process(&limits, &upload, None), Err(PictureRejected::TooManyPixels { limit: 1000 }));
    }
}

#[test]
fn empty_oversized_truncated_and_foreign_uploads_are_refused() {
    assert_eq!(run(b""), Err(PictureRejected::Empty));
    let limits = ImageLimits { max_bytes: 1000, ..ImageLimits::default() };
    let big = jpeg(&RgbImage::from_fn(300, 300, |x, y| Rgb([(x * 7) as u8, (y * 13) as u8, (x ^ y) as u8])));
    assert!(big.len() > 1000);
    assert_eq!(process(&limits, &big, None), Err(PictureRejected::TooLarge { limit: 1000 }));
    let whole = png(&DynamicImage::ImageRgb8(red_over_blue()));
    assert_eq!(run(&whole[..whole.len() / 2]), Err(PictureRejected::Corrupt));
    let cut_jpeg = jpeg(&red_over_blue());
    assert!(run(&cut_jpeg[..20]).is_err());
    let photo = jpeg(&two_colour(1200, 900, RED, BLUE));
    assert_eq!(run(&photo[..photo.len() * 4 / 5]), Err(PictureRejected::Corrupt), "cut inside the image data");
    assert_eq!(run(b"just some text, named picture.png"), Err(PictureRejected::UnsupportedFormat));
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    assert_eq!(run(svg), Err(PictureRejected::UnsupportedFormat));
}

#[tokio::test]
async fn the_processor_gives_what_the_pipeline_gives_off_the_executor() {
    let processor = ImageProcessor::new(ImageLimits::default(), 1).unwrap();
    let upload = jpeg(&red_over_blue());
    let direct = run(&upload).unwrap();
    let tasks: Vec<_> = (0..3).map(|_| processor.process(upload.clone(), None)).collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), direct);
    }
    assert_eq!(processor.process(Vec::new(), None).await.unwrap(), Err(PictureRejected::Empty));
}
