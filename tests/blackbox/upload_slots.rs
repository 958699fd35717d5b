//! Upload bodies are read at most `pictures.parallel × 2` at once: with
//! `pictures.parallel = 1`, two uploads whose bodies are still arriving
//! hold both slots, a third waits `pictures.upload_wait_secs` and gets
//! `503 busy` with `Retry-After` (not counted against its allowance), and
//! once a slot is free an upload goes through. One account holds at most
//! one slot, and a body that does not arrive in time is cut off.

use std::time::{Duration, Instant};

use profile_testkit::pictures::{jpeg, two_colour};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::support::{App, error_code};

/// An upload whose headers and first bytes are sent, and whose body then
/// stalls: it holds an upload slot while the server waits for the rest.
async fn stalled_upload(app: &App, token: &str) -> TcpStream {
    let mut stream = TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let head = format!(
        "POST /v1/me/avatar/pending HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
         content-type: multipart/form-data; boundary=b\r\ncontent-length: 900000\r\n\r\n\
         --b\r\ncontent-disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[0xff; 1000]).await.unwrap();
    stream.flush().await.unwrap();
    stream
}

async fn upload(app: &App, token: &str) -> reqwest::Response {
    let picture = jpeg(&two_colour(120, 80, [200, 20, 20], [20, 20, 200]));
    let form = Form::new().part("file", Part::bytes(picture).file_name("p.jpg"));
    app.client
        .post(format!("{}/v1/me/avatar/pending", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn past_twice_the_processing_slots_an_upload_waits_then_gets_busy() {
    let app = App::start(&[
        ("PROFILE_PICTURES_PARALLEL", "1"),
        ("PROFILE_PICTURES_UPLOAD_WAIT_SECS", "1"),
        ("PROFILE_LIMITS_PICTURE_UPLOADS_PER_USER_MAX", "1"),
    ])
    .await;
    let (a, b, c) =
        (app.sign_in("sa@example.com").await, app.sign_in("sb@example.com").await, app.sign_in("sc@example.com").await);
    let first = stalled_upload(&app, &a).await;
    let second = stalled_upload(&app, &b).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let asked = Instant::now();
    let busy = upload(&app, &c).await;
    assert!(asked.elapsed() >= Duration::from_millis(900), "it waited its bounded time first");
    let retry_after: u64 = busy.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1, "{retry_after}");
    assert_eq!(error_code(busy).await, (StatusCode::SERVICE_UNAVAILABLE, "busy".into()));

    drop(first);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        upload(&app, &c).await.status(),
        StatusCode::CREATED,
        "a freed slot takes the next upload, and the busy answer used none of the one upload allowed"
    );
    drop(second);
}

#[tokio::test]
async fn one_account_holds_one_slot_and_a_body_too_slow_to_arrive_is_cut_off() {
    let app =
        App::start(&[("PROFILE_PICTURES_PARALLEL", "2"), ("PROFILE_PICTURES_UPLOAD_READ_TIMEOUT_SECS", "2")]).await;
    let token = app.sign_in("slow@example.com").await;
    let mut stalled = stalled_upload(&app, &token).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = upload(&app, &token).await;
    assert_eq!(error_code(second).await, (StatusCode::CONFLICT, "upload_in_progress".into()));

    let mut answer = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(10), tokio::io::AsyncReadExt::read_to_end(&mut stalled, &mut answer));
    let _ = read.await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("upload_too_slow"), "{answer}");
    assert_eq!(upload(&app, &token).await.status(), StatusCode::CREATED, "the slot and the account are free again");
}

#[tokio::test]
async fn an_upload_that_is_not_multipart_gets_the_json_error_of_every_other_request() {
    let app = App::start(&[]).await;
    let token = app.sign_in("plain@example.com").await;
    let sent = app.client.post(format!("{}/v1/me/avatar/pending", app.base)).bearer_auth(&token).body("x").send();
    let answer = sent.await.unwrap();
    assert_eq!(answer.headers()["content-type"], "application/json; charset=utf-8");
    assert_eq!(error_code(answer).await, (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type".into()));
}
