//! The benchmark's baseline: a bare poem server answering `GET /v1/me` with a
//! constant JSON body of a given size, so the profile service's figures can be
//! read as a ratio to what the HTTP stack alone costs.
//!
//! Usage: `bench-baseline <port> <body-bytes>`.

use poem::http::header;
use poem::listener::TcpListener;
use poem::{EndpointExt, Response, Route, Server, get, handler, web::Data};

#[handler]
fn me(body: Data<&String>) -> Response {
    Response::builder().header(header::CONTENT_TYPE, "application/json; charset=utf-8").body(body.0.clone())
}

fn constant_body(size: usize) -> String {
    let prefix = "{\"padding\":\"";
    let suffix = "\"}";
    let fill = size.saturating_sub(prefix.len() + suffix.len());
    format!("{prefix}{}{suffix}", "x".repeat(fill))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8090);
    let size: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200);
    let app = Route::new().at("/v1/me", get(me)).data(constant_body(size));
    Server::new(TcpListener::bind(("127.0.0.1", port))).run(app).await
}
