//! `cargo xtask bench`, a burst of uploads: 50 fresh accounts each upload
//! the same 12-megapixel JPEG of about 10 MiB at once to a release server
//! with `pictures.parallel = 2` (so 4 upload bodies are read at once and
//! the rest wait their turn, up to `pictures.upload_wait_secs`). Prints how
//! many were taken and how many answered `503 busy`, the wall time, and the
//! server's peak resident memory before and after the burst.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};

use crate::bench::start_server;
use crate::bench_export::peak_kib;
use crate::{Result, load};

/// Uploads in the burst (`BENCH_UPLOADS` to try other counts).
fn accounts() -> usize {
    std::env::var("BENCH_UPLOADS").ok().and_then(|n| n.parse().ok()).unwrap_or(50)
}
const MAX_BYTES: usize = 10 * 1024 * 1024;

/// A 4000×3000 JPEG as close under 10 MiB as the quality steps allow:
/// gradients under a busy texture, so it needs many bytes.
fn large_photo() -> Result<Vec<u8>> {
    let img = RgbImage::from_fn(4000, 3000, |x, y| {
        let noise = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)).wrapping_mul(2_246_822_519) >> 24;
        let n = noise as u8;
        Rgb([((x * 255 / 4000) as u8) ^ n, ((y * 255 / 3000) as u8).wrapping_add(n / 2), n])
    });
    for quality in (60..=100).rev().step_by(2) {
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, quality).write_image(&img, 4000, 3000, ExtendedColorType::Rgb8)?;
        if bytes.len() <= MAX_BYTES - 64 * 1024 {
            return Ok(bytes);
        }
    }
    Err("no quality brings the photo under 10 MiB".into())
}

/// The code in the newest message to `email` in the developer mailbox.
fn code_for(mail: &Path, email: &str) -> Option<String> {
    let mut files: Vec<_> = std::fs::read_dir(mail).ok()?.flatten().map(|e| e.path()).collect();
    files.sort();
    files.iter().rev().find_map(|path| {
        let raw = std::fs::read_to_string(path).ok()?;
        raw.lines().any(|l| l == format!("To: {email}")).then_some(())?;
        let subject = raw.lines().find_map(|l| l.strip_prefix("Subject: "))?;
        let code: String = subject.chars().take_while(char::is_ascii_digit).collect();
        (code.len() == 6).then_some(code)
    })
}

async fn sign_in(server: SocketAddr, mail: &Path, email: &str) -> Result<String> {
    let body = format!(r#"{{"email":"{email}"}}"#);
    load::request(server, "POST", "/v1/auth/sign-in", None, Some(body)).await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(code) = code_for(mail, email) {
            break code;
        }
        if Instant::now() > deadline {
            return Err(format!("no code arrived for {email}").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let body = format!(r#"{{"email":"{email}","code":"{code}"}}"#);
    let (_, answer) = load::request(server, "POST", "/v1/auth/verify", None, Some(body)).await?;
    let json: serde_json::Value = serde_json::from_str(&answer)?;
    json["token"].as_str().map(str::to_owned).ok_or_else(|| "no token".into())
}

pub async fn run() -> Result<()> {
    let photo = large_photo()?;
    let data = std::env::temp_dir().join(format!("profile-bench-uploads-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let settings = [
        ("PROFILE_OUTBOX_POLL_INTERVAL_MS", "20"),
        ("PROFILE_PICTURES_PARALLEL", "2"),
        ("PROFILE_LIMITS_SIGN_IN_PER_IP_MAX", "1000"),
        ("PROFILE_LIMITS_VERIFY_PER_IP_MAX", "1000"),
    ];
    let (server, server_addr) = start_server(&data, &settings).await?;
    let mut tokens = Vec::with_capacity(accounts());
    for n in 0..accounts() {
        tokens.push(sign_in(server_addr, &data.join("mail"), &format!("burst{n}@example.com")).await?);
    }
    let pid = server.0.id();
    let before = peak_kib(pid)?;
    let boundary = "profile-bench-boundary";
    let mut body = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\ncontent-type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&photo);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let started = Instant::now();
    let uploads: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let body = body.clone();
            let content_type = format!("multipart/form-data; boundary={boundary}");
            tokio::spawn(async move {
                load::request_with(
                    server_addr,
                    "POST",
                    "/v1/me/avatar/pending",
                    Some(&token),
                    Some((content_type, body)),
                )
                .await
                .map(|(status, _)| status.as_u16())
            })
        })
        .collect();
    let (mut taken, mut busy, mut other) = (0, 0, Vec::new());
    for upload in uploads {
        match upload.await?? {
            201 => taken += 1,
            503 => busy += 1,
            status => other.push(status),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let after = peak_kib(pid)?;
    println!(
        "{} uploads at once of one {:.1} MiB 12-megapixel JPEG, pictures.parallel = 2 (4 bodies read at once)",
        accounts(),
        photo.len() as f64 / 1_048_576.0
    );
    println!("  taken {taken}, busy (503) {busy}, other {other:?}, in {seconds:.1} s");
    println!(
        "  server peak memory: {:.1} MiB before the burst, {:.1} MiB after",
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}
