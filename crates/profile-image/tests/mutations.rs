//! A small deterministic fuzz of the decode path (cargo-fuzz needs a nightly
//! toolchain this project does not use): valid pictures of every format,
//! damaged thousands of ways (bytes flipped, runs overwritten, cut short
//! with the JPEG end marker put back, frame sizes rewritten in well-formed
//! PNG and JPEG headers), must each come back as renditions or a refusal,
//! never a panic.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::codecs::gif::GifEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ExtendedColorType, Frame, ImageEncoder, Rgba, RgbaImage};
use profile_image::{ImageLimits, process};
use profile_testkit::pictures::{exif_block, jpeg, jpeg_claiming, png_claiming, two_colour, with_app1};

/// xorshift64*: the same damage on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let photo = with_app1(&jpeg(&two_colour(96, 64, [200, 30, 30], [30, 30, 200])), &exif_block(6));
    let rgba = RgbaImage::from_fn(48, 40, |x, y| Rgba([x as u8 * 5, y as u8 * 6, 90, if x < 10 { 0 } else { 255 }]));
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(rgba.clone()).write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let mut webp = Vec::new();
    WebPEncoder::new_lossless(&mut webp).write_image(&rgba, 48, 40, ExtendedColorType::Rgba8).unwrap();
    let mut gif = Vec::new();
    GifEncoder::new(&mut gif).encode_frames([Frame::new(rgba.clone()), Frame::new(rgba)]).unwrap();
    vec![("jpeg", photo), ("png", png), ("webp", webp), ("gif", gif)]
}

fn damage(rng: &mut Rng, format: &str, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    match rng.below(4) {
        0 => {
            for _ in 0..=rng.below(8) {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
            }
        }
        1 => {
            let at = rng.below(bytes.len());
            let run = rng.below(64).min(bytes.len() - at);
            let value = rng.next() as u8;
            bytes[at..at + run].fill(value);
        }
        2 => {
            bytes.truncate(rng.below(bytes.len()));
            if format == "jpeg" {
                // Past the end-marker check, into the decoder.
                bytes.extend_from_slice(&[0xFF, 0xD9]);
            }
        }
        _ => {
            // Sizes from a few pixels to far past every limit, in headers
            // that stay well formed.
            let side = 1_u32 << rng.below(17);
            let other = 1 + rng.below(70_000) as u32;
            bytes = match format {
                "png" => png_claiming(bytes, side, other),
                "jpeg" => jpeg_claiming(bytes, side.min(65_535) as u16, other.min(65_535) as u16),
                _ => {
                    let at = rng.below(bytes.len().min(64));
                    let end = (at + 4).min(bytes.len());
                    bytes[at..end].fill(0xFF);
                    bytes
                }
            };
        }
    }
    bytes
}

#[test]
fn damaged_pictures_are_processed_or_refused_but_never_panic() {
    // A lower pixel limit keeps the enlarged-but-allowed headers quick to reject or decode.
    let limits = ImageLimits { sizes: vec![64], max_pixels: 2_000_000, ..ImageLimits::default() };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut outcomes = [0_u32; 2];
    for (format, seed) in seeds() {
        assert!(process(&limits, &seed, None).is_ok(), "the undamaged {format} works");
        for round in 0..600 {
            let damaged = damage(&mut rng, format, &seed);
            let result = catch_unwind(AssertUnwindSafe(|| process(&limits, &damaged, None)));
            let Ok(result) = result else { panic!("{format} round {round} panicked") };
            outcomes[usize::from(result.is_err())] += 1;
        }
    }
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "both outcomes happen: {outcomes:?}");
}
