//! `cargo xtask bench`, pictures: the same 12-megapixel JPEG made into a
//! 512 px square by this project's pipeline and by `vipsthumbnail` (libvips,
//! the fastest thumbnailer there is), alternately, in one run: median wall
//! time and peak memory (maximum resident set, from `/usr/bin/time`) of
//! each, and their ratio.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};

use crate::{Result, root};

const RUNS: usize = 15;
const SIZE: u32 = 512;

/// A 4000×3000 photo-like JPEG: smooth gradients with fine texture, so it
/// neither compresses to nothing nor is pure noise.
fn photo(path: &Path) -> Result<()> {
    let img = RgbImage::from_fn(4000, 3000, |x, y| {
        let texture = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) >> 3) as u8 & 0x1F;
        let r = (x * 255 / 4000) as u8;
        let g = (y * 255 / 3000) as u8;
        let b = (((x + y) / 28) % 256) as u8;
        Rgb([r.saturating_add(texture), g.saturating_add(texture / 2), b ^ texture])
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90).write_image(&img, 4000, 3000, ExtendedColorType::Rgb8)?;
    std::fs::write(path, bytes)?;
    Ok(())
}

/// A 1600×1200 photo-like JPEG, for uploading through the API.
pub fn small_photo() -> Result<Vec<u8>> {
    let img = RgbImage::from_fn(1600, 1200, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]));
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90).write_image(&img, 1600, 1200, ExtendedColorType::Rgb8)?;
    Ok(bytes)
}

/// Runs `command` under `/usr/bin/time`: wall seconds and peak memory in KiB.
pub(crate) fn timed(program: &Path, args: &[&str], scratch: &Path) -> Result<(f64, u64)> {
    let report = scratch.join("time.txt");
    let started = Instant::now();
    let status =
        Command::new("/usr/bin/time").args(["-f", "%M", "-o"]).arg(&report).arg(program).args(args).status()?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("{} failed: {status}", program.display()).into());
    }
    let peak = std::fs::read_to_string(&report)?.trim().lines().last().unwrap_or("0").trim().parse()?;
    Ok((seconds, peak))
}

pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Prints the side-by-side figures.
pub fn run() -> Result<()> {
    let vips = PathBuf::from("/usr/bin/vipsthumbnail");
    if !vips.is_file() || !Path::new("/usr/bin/time").is_file() {
        println!("pictures: skipped (needs vipsthumbnail from libvips-tools and /usr/bin/time from time)");
        return Ok(());
    }
    let scratch = root().join("target").join("bench-picture");
    std::fs::create_dir_all(&scratch)?;
    let input = scratch.join("photo-12mp.jpg");
    if !input.is_file() {
        photo(&input)?;
    }
    let ours = root().join("target").join("release").join("bench-picture");
    let input_text = input.to_string_lossy().into_owned();
    let our_out = scratch.join("ours.jpg").to_string_lossy().into_owned();
    let vips_out = format!("{}[Q=85,strip]", scratch.join("vips.jpg").display());
    let size = SIZE.to_string();
    let vips_size = format!("{SIZE}x{SIZE}");
    let (mut our_times, mut vips_times) = (Vec::new(), Vec::new());
    let (mut our_peak, mut vips_peak) = (0, 0);
    for _ in 0..RUNS {
        let (t, m) = timed(&ours, &[&input_text, &our_out, &size], &scratch)?;
        our_times.push(t);
        our_peak = our_peak.max(m);
        let (t, m) = timed(&vips, &[&input_text, "-s", &vips_size, "-m", "centre", "-o", &vips_out], &scratch)?;
        vips_times.push(t);
        vips_peak = vips_peak.max(m);
    }
    let (ours_s, vips_s) = (median(&mut our_times), median(&mut vips_times));
    let megapixels = 12.0;
    println!(
        "Picture: a {megapixels} MP JPEG ({} KiB) to a {SIZE} px square, median of {RUNS} runs each, alternating",
        std::fs::metadata(&input)?.len() / 1024
    );
    println!("{:>14} | {:>10} | {:>12}", "", "wall ms", "peak MiB");
    println!("{:>14} | {:>10.1} | {:>12.1}", "profile-image", ours_s * 1000.0, our_peak as f64 / 1024.0);
    println!("{:>14} | {:>10.1} | {:>12.1}", "vipsthumbnail", vips_s * 1000.0, vips_peak as f64 / 1024.0);
    println!("time ratio profile-image / vipsthumbnail: {:.2}x (the goal is 1.5x or less)", ours_s / vips_s);
    println!("memory ratio: {:.2}x", our_peak as f64 / vips_peak.max(1) as f64);
    Ok(())
}
