//! A small HTTP/1.1 load generator on hyper: a fixed number of connections,
//! each sending requests back to back for a fixed time, every latency kept.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::HeaderValue;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::Result;

/// What one load run measured.
pub struct Measured {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub p50_us: u64,
    pub p99_us: u64,
}

impl Measured {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// One request on a fresh connection, with an optional bearer token and
/// JSON body: status and body.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    json: Option<String>,
) -> Result<(StatusCode, String)> {
    let body = json.map(|j| ("application/json".to_owned(), j.into_bytes()));
    let (status, bytes) = request_with(addr, method, path, token, body).await?;
    Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
}

/// One request on a fresh connection with a body of any content type.
pub async fn request_with(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(String, Vec<u8>)>,
) -> Result<(StatusCode, Vec<u8>)> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut builder = Request::builder().method(method).uri(path).header("host", addr.to_string());
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let request = match body {
        Some((content_type, bytes)) => {
            builder.header("content-type", content_type).body(Full::new(Bytes::from(bytes)))?
        }
        None => builder.body(Full::new(Bytes::new()))?,
    };
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body.to_vec()))
}

/// One request a load run sends: its path, bearer token and JSON body.
#[derive(Clone)]
pub struct Target {
    pub path: String,
    pub token: Option<String>,
    pub json: Option<String>,
}

/// What a load run sends, and the status that counts as an answer
/// (anything else is an error). With several targets, each connection
/// takes them in turn from its own starting point, so consecutive requests
/// are for different users.
pub struct Probe {
    pub method: &'static str,
    pub targets: Arc<Vec<Target>>,
    pub expect: StatusCode,
}

impl Probe {
    /// `GET path` with a bearer token, answered `200`.
    pub fn get(path: &str, token: &str) -> Self {
        Self::gets(vec![Target { path: path.to_owned(), token: Some(token.to_owned()), json: None }])
    }

    /// `GET` of each target in turn, answered `200`.
    pub fn gets(targets: Vec<Target>) -> Self {
        Self { method: "GET", targets: Arc::new(targets), expect: StatusCode::OK }
    }

    /// `POST path` with a JSON body, answered `expect`.
    pub fn post(path: &str, json: &str, expect: u16) -> Self {
        let target = Target { path: path.to_owned(), token: None, json: Some(json.to_owned()) };
        Self::posts(vec![target], expect)
    }

    /// `POST` of each target in turn, answered `expect`.
    pub fn posts(targets: Vec<Target>, expect: u16) -> Self {
        Self {
            method: "POST",
            targets: Arc::new(targets),
            expect: StatusCode::from_u16(expect).unwrap_or(StatusCode::OK),
        }
    }
}

/// `connections` connections send `GET path` for `duration` after `warmup`.
pub async fn run(
    addr: SocketAddr,
    path: &str,
    token: &str,
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Measured> {
    run_probe(addr, &Probe::get(path, token), connections, warmup, duration).await
}

/// Sends every target of `probe` once, over `connections` connections: a
/// running service has read its users before, and so has this one then.
pub async fn prime(addr: SocketAddr, probe: &Probe, connections: usize) -> Result<()> {
    let per = probe.targets.len().div_ceil(connections.max(1));
    let mut tasks = Vec::new();
    for chunk in probe.targets.chunks(per.max(1)) {
        let targets = prepare(chunk)?;
        let method = probe.method;
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect(addr).await?;
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            for target in &targets {
                let mut builder = Request::builder().method(method).uri(target.uri.clone()).header("host", "bench");
                if let Some(authorization) = &target.authorization {
                    builder = builder.header("authorization", authorization.clone());
                }
                let request = match &target.body {
                    Some(body) => builder.header("content-type", "application/json").body(Full::new(body.clone()))?,
                    None => builder.body(Full::new(Bytes::new()))?,
                };
                sender.send_request(request).await?.into_body().collect().await?;
            }
            Ok::<(), crate::BoxError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// `connections` connections send `probe` for `duration` after `warmup`.
pub async fn run_probe(
    addr: SocketAddr,
    probe: &Probe,
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Measured> {
    let start = Instant::now() + warmup;
    let end = start + duration;
    let mut tasks = Vec::with_capacity(connections);
    for n in 0..connections {
        let probe = Probe { method: probe.method, targets: probe.targets.clone(), expect: probe.expect };
        let first = n * probe.targets.len() / connections;
        tasks.push(tokio::spawn(async move { connection(addr, probe, first, start, end).await }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mine, failed) = task.await??;
        latencies.extend(mine);
        errors += failed;
    }
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Ok(Measured {
        requests: latencies.len(),
        errors,
        seconds: duration.as_secs_f64(),
        p50_us: at(0.50),
        p99_us: at(0.99),
    })
}

type Outcome = Result<(Vec<u64>, usize)>;

/// A target made ready to send: its parts parsed once, so the load
/// generator spends as little as it can per request.
struct Prepared {
    uri: hyper::Uri,
    authorization: Option<HeaderValue>,
    body: Option<Bytes>,
}

fn prepare(targets: &[Target]) -> Result<Vec<Prepared>> {
    targets
        .iter()
        .map(|t| {
            Ok(Prepared {
                uri: t.path.parse()?,
                authorization: t
                    .token
                    .as_ref()
                    .map(|token| HeaderValue::try_from(format!("Bearer {token}")))
                    .transpose()?,
                body: t.json.as_ref().map(|json| Bytes::from(json.clone())),
            })
        })
        .collect()
}

async fn connection(addr: SocketAddr, probe: Probe, first: usize, start: Instant, end: Instant) -> Outcome {
    let targets = prepare(&probe.targets)?;
    let host = HeaderValue::try_from(addr.to_string())?;
    let json = HeaderValue::from_static("application/json");
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut next = first;
    loop {
        let sent = Instant::now();
        if sent >= end {
            return Ok((latencies, errors));
        }
        let target = &targets[next % targets.len()];
        next += 1;
        let mut builder = Request::builder().method(probe.method).uri(target.uri.clone()).header("host", host.clone());
        if let Some(authorization) = &target.authorization {
            builder = builder.header("authorization", authorization.clone());
        }
        let request = match &target.body {
            Some(body) => builder.header("content-type", json.clone()).body(Full::new(body.clone()))?,
            None => builder.body(Full::new(Bytes::new()))?,
        };
        let response = sender.send_request(request).await?;
        let ok = response.status() == probe.expect;
        response.into_body().collect().await?;
        if sent >= start {
            if ok {
                latencies.push(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX));
            } else {
                errors += 1;
            }
        }
    }
}
