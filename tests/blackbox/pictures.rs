//! Profile pictures over HTTP on the built binary: upload, preview, Save,
//! Reset and Cancel on the local disk and on a real S3-compatible server,
//! the stored files read back (no GPS), no orphans, caching headers, the
//! default picture, and bad uploads.

use std::path::{Path, PathBuf};

use profile_testkit::pictures::{GPS_MARKER, contains, exif_block, jpeg, png_claiming, two_colour, with_app1};
use profile_testkit::{S3_ACCESS_KEY, S3_SECRET_KEY, S3Server};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::support::{App, error_code};

fn photo(top: [u8; 3]) -> Vec<u8> {
    with_app1(&jpeg(&two_colour(300, 200, top, [20, 20, 220])), &exif_block(6))
}

async fn upload(app: &App, token: &str, bytes: Vec<u8>, name: &str) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()).mime_str("image/jpeg").unwrap());
    app.client
        .post(format!("{}/v1/me/avatar/pending", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn call(app: &App, token: &str, method: reqwest::Method, path: &str) -> reqwest::Response {
    app.client.request(method, format!("{}{path}", app.base)).bearer_auth(token).send().await.unwrap()
}

async fn me(app: &App, token: &str) -> Value {
    call(app, token, reqwest::Method::GET, "/v1/me").await.json().await.unwrap()
}

fn urls(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|u| u["url"].as_str().unwrap().to_owned()).collect()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// The whole flow, with the stored files under `blobs` checked at each step.
async fn the_whole_flow(app: &App, blobs: &Path) {
    let ada = app.sign_in("ada@example.com").await;
    let bob = app.sign_in("bob@example.com").await;
    let start = me(app, &ada).await;
    assert_eq!(start["picture"]["is_default"], true);

    let staged = upload(app, &ada, photo([220, 20, 20]), "holiday.jpg").await;
    assert_eq!(staged.status(), StatusCode::CREATED);
    let staged: Value = staged.json().await.unwrap();
    let previews = urls(&staged["previews"]);
    assert_eq!(previews.len(), 4);
    let preview = app.client.get(&previews[3]).bearer_auth(&ada).send().await.unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(preview.headers()["content-type"], "image/jpeg");
    assert_eq!(preview.headers()["cache-control"], "private, max-age=3600");
    assert_eq!(app.client.get(&previews[3]).bearer_auth(&bob).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(app.client.get(&previews[3]).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(me(app, &ada).await["picture"]["is_default"], true, "not before Save");

    let saved = call(app, &ada, reqwest::Method::POST, "/v1/me/avatar/pending/save").await;
    assert_eq!(saved.status(), StatusCode::OK);
    let first = urls(&saved.json::<Value>().await.unwrap()["urls"]);
    let profile = me(app, &ada).await;
    assert_eq!(
        (profile["picture"]["is_default"].clone(), urls(&profile["picture"]["urls"])),
        (Value::Bool(false), first.clone())
    );
    let public = app.client.get(&first[2]).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    let headers = public.headers().clone();
    assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["content-type"], "image/jpeg");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(first[2].contains(etag.trim_matches('"')), "the ETag is the hash in the URL");
    let again = app.client.get(&first[2]).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let image = image::load_from_memory(&public.bytes().await.unwrap()).unwrap();
    assert_eq!((image.width(), image.height()), (128, 128));

    let stored = files_under(blobs);
    assert_eq!(stored.len(), 4, "only the saved picture's files: {stored:?}");
    for file in &stored {
        let bytes = std::fs::read(file).unwrap();
        assert!(!contains(&bytes, GPS_MARKER) && !contains(&bytes, b"Exif"), "{} has metadata", file.display());
    }

    // A new picture: new URLs, the old files gone.
    upload(app, &ada, photo([20, 200, 20]), "next.jpg").await;
    let second = urls(
        &call(app, &ada, reqwest::Method::POST, "/v1/me/avatar/pending/save").await.json::<Value>().await.unwrap()["urls"],
    );
    assert!(second.iter().all(|u| !first.contains(u)));
    assert_eq!(app.client.get(&first[2]).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(files_under(blobs).len(), 4, "no orphans after Save");

    // Cancel leaves the picture; Reset removes it.
    upload(app, &ada, photo([200, 200, 20]), "maybe.jpg").await;
    assert_eq!(
        call(app, &ada, reqwest::Method::DELETE, "/v1/me/avatar/pending").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(files_under(blobs).len(), 4);
    let none = call(app, &ada, reqwest::Method::DELETE, "/v1/me/avatar/pending").await;
    assert_eq!(error_code(none).await, (StatusCode::NOT_FOUND, "no_pending_picture".to_owned()));
    let nothing = call(app, &ada, reqwest::Method::POST, "/v1/me/avatar/pending/save").await;
    assert_eq!(error_code(nothing).await, (StatusCode::NOT_FOUND, "no_pending_picture".to_owned()));
    assert_eq!(call(app, &ada, reqwest::Method::DELETE, "/v1/me/avatar").await.status(), StatusCode::NO_CONTENT);
    assert!(files_under(blobs).is_empty(), "no orphans after Reset: {:?}", files_under(blobs));
    assert_eq!(me(app, &ada).await["picture"]["is_default"], true);
}

#[tokio::test]
async fn the_picture_flow_works_on_the_local_disk() {
    let app = App::start(&[]).await;
    the_whole_flow(&app, &app.data_dir().join("blobs")).await;
}

#[tokio::test]
async fn the_picture_flow_works_on_an_s3_compatible_server() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = S3Server::start(dir.path().to_owned(), "profile") else { return };
    let endpoint = server.endpoint();
    let app = App::start(&[
        ("PROFILE_BLOB_URL", "s3://profile/avatars"),
        ("PROFILE_S3_ENDPOINT", endpoint.as_str()),
        ("PROFILE_S3_ACCESS_KEY_ID", S3_ACCESS_KEY),
        ("PROFILE_S3_SECRET_ACCESS_KEY", S3_SECRET_KEY),
        ("PROFILE_S3_ALLOW_HTTP", "true"),
    ])
    .await;
    the_whole_flow(&app, &server.root().join("profile/avatars")).await;
    assert!(!app.data_dir().join("blobs").exists(), "nothing went to the local disk");
}

#[tokio::test]
async fn the_default_picture_shows_the_initials_and_changes_with_the_name() {
    let app = App::start(&[]).await;
    let cy = app.sign_in("cy@example.com").await;
    app.rename(&cy, "Cy Twombly").await;
    let before = urls(&me(&app, &cy).await["picture"]["urls"]);
    assert_eq!(before.len(), 4);
    let svg = app.client.get(&before[0]).send().await.unwrap();
    assert_eq!(svg.status(), StatusCode::OK);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert_eq!(svg.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(svg.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    let text = svg.text().await.unwrap();
    assert!(text.contains(">CT</text>") && text.contains("width=\"512\""), "{text}");
    assert!(!text.contains("cy@example.com"));
    app.rename(&cy, "Ann Other").await;
    let after = urls(&me(&app, &cy).await["picture"]["urls"]);
    assert_ne!(before, after, "new initials, new URLs");
    assert_eq!(app.client.get(&before[0]).send().await.unwrap().status(), StatusCode::NOT_FOUND, "the old URL is gone");
    assert!(app.client.get(&after[0]).send().await.unwrap().text().await.unwrap().contains(">AO</text>"));
    let user = me(&app, &cy).await["id"].as_str().unwrap().to_owned();
    for bad in ["default-0000000000000000-512.svg", "default-x-77.svg", "nothing.jpg", "../../secret.key"] {
        let r = app.client.get(format!("{}/v1/pictures/{user}/{bad}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{bad}");
    }
}

/// A PNG of a few dozen bytes whose header claims 50000×50000 pixels.
fn png_claiming_50000_squared() -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(image::GrayImage::new(1, 1))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png_claiming(png, 50_000, 50_000)
}

#[tokio::test]
async fn a_png_named_jpg_is_taken_by_its_content_and_a_second_upload_replaces_the_first() {
    let app = App::start(&[]).await;
    let eve = app.sign_in("eve@example.com").await;
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(two_colour(120, 120, [20, 160, 20], [20, 160, 20]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let first: Value = upload(&app, &eve, png, "really-a-png.jpg").await.json().await.unwrap();
    let second = upload(&app, &eve, photo([220, 20, 20]), "photo.jpg").await;
    assert_eq!(second.status(), StatusCode::CREATED);
    let second: Value = second.json().await.unwrap();
    let old = urls(&first["previews"]);
    assert_eq!(
        app.client.get(&old[0]).bearer_auth(&eve).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "replaced"
    );
    let saved: Value =
        call(&app, &eve, reqwest::Method::POST, "/v1/me/avatar/pending/save").await.json().await.unwrap();
    let hashes = |list: &[String]| list.iter().map(|u| u.rsplit('/').next().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(hashes(&urls(&saved["urls"])), hashes(&urls(&second["previews"])), "the second upload was saved");
    assert_eq!(files_under(&app.data_dir().join("blobs")).len(), 4);
}

#[tokio::test]
async fn bad_uploads_are_refused_with_their_codes_and_the_picture_stays() {
    let app = App::start(&[("PROFILE_PICTURES_MAX_BYTES", "60000")]).await;
    let dee = app.sign_in("dee@example.com").await;
    upload(&app, &dee, photo([220, 20, 20]), "a.jpg").await;
    call(&app, &dee, reqwest::Method::POST, "/v1/me/avatar/pending/save").await;
    let kept = urls(&me(&app, &dee).await["picture"]["urls"]);
    let noise: Vec<u8> = (0..70_000_u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let cases: Vec<(Vec<u8>, &str, StatusCode, &str)> = vec![
        (Vec::new(), "empty.jpg", StatusCode::BAD_REQUEST, "picture_empty"),
        (b"hello, I am text".to_vec(), "text.png", StatusCode::BAD_REQUEST, "picture_unsupported_format"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec(),
            "x.svg",
            StatusCode::BAD_REQUEST,
            "picture_unsupported_format",
        ),
        (photo([1, 2, 3])[..600].to_vec(), "cut.jpg", StatusCode::BAD_REQUEST, "picture_corrupt"),
        (
            {
                let p = photo([1, 2, 3]);
                p[..p.len() * 4 / 5].to_vec()
            },
            "cut-late.jpg",
            StatusCode::BAD_REQUEST,
            "picture_corrupt",
        ),
        (png_claiming_50000_squared(), "bomb.png", StatusCode::BAD_REQUEST, "picture_too_many_pixels"),
        ([&[0xFF, 0xD8, 0xFF][..], &noise].concat(), "big.jpg", StatusCode::PAYLOAD_TOO_LARGE, "picture_too_large"),
    ];
    for (bytes, name, status, code) in cases {
        assert_eq!(error_code(upload(&app, &dee, bytes, name).await).await, (status, code.to_owned()), "{name}");
    }
    // Past the body limit the server answers before reading the body and
    // closes the connection, so this one goes on its own client.
    let alone = reqwest::Client::new();
    let form = Form::new().part("file", Part::bytes(vec![0_u8; 200_000]).file_name("huge.jpg"));
    let url = format!("{}/v1/me/avatar/pending", app.base);
    let r = alone.post(url).bearer_auth(&dee).multipart(form).send().await.unwrap();
    assert_eq!(
        error_code(r).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "picture_too_large".to_owned()),
        "past the body limit"
    );
    let anonymous = Form::new().part("file", Part::bytes(photo([1, 2, 3])).file_name("a.jpg"));
    let url = format!("{}/v1/me/avatar/pending", app.base);
    let r = reqwest::Client::new().post(url).multipart(anonymous).send().await.unwrap();
    assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "unauthenticated".to_owned()), "no session");
    assert_eq!(urls(&me(&app, &dee).await["picture"]["urls"]), kept, "the picture is untouched");
    assert!(
        call(&app, &dee, reqwest::Method::DELETE, "/v1/me/avatar/pending").await.status() == StatusCode::NOT_FOUND,
        "nothing was staged"
    );
}

#[tokio::test]
async fn uploads_are_limited_per_account_with_retry_after() {
    let app = App::start(&[("PROFILE_LIMITS_PICTURE_UPLOADS_PER_USER_MAX", "2")]).await;
    let fay = app.sign_in("fay@example.com").await;
    let gus = app.sign_in("gus@example.com").await;
    assert_eq!(upload(&app, &fay, photo([220, 20, 20]), "1.jpg").await.status(), StatusCode::CREATED);
    let refused = upload(&app, &fay, b"not a picture".to_vec(), "2.png").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "a refused upload still counts");
    let third = upload(&app, &fay, photo([220, 20, 20]), "3.jpg").await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = third.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    assert_eq!(error_code(third).await.1, "rate_limited");
    assert_eq!(upload(&app, &gus, photo([220, 20, 20]), "g.jpg").await.status(), StatusCode::CREATED, "per account");
}
