//! An HTTP endpoint for tests that records every webhook it is sent and
//! answers with the status it is told to.

use crate::listener::Listener;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The largest request body read.
const MAX_BODY: usize = 1024 * 1024;

/// One request as received, with the status it was answered with.
#[derive(Clone, Debug)]
pub struct ReceivedWebhook {
    /// The request path.
    pub path: String,
    /// Header names (lower-case) and values, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The status the receiver answered with.
    pub answered: u16,
    /// When the whole request had arrived.
    pub received_at: Instant,
}

impl ReceivedWebhook {
    /// The value of the first header with this (lower-case) name.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

struct Shared {
    received: Mutex<Vec<ReceivedWebhook>>,
    status: AtomicU16,
}

fn lock(shared: &Shared) -> MutexGuard<'_, Vec<ReceivedWebhook>> {
    shared.received.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A running HTTP/1.1 server on 127.0.0.1 that accepts (204) until told
/// otherwise; it lives until stopped or the process ends.
#[derive(Clone)]
pub struct WebhookReceiver {
    listener: Arc<Listener>,
    shared: Arc<Shared>,
}

impl WebhookReceiver {
    /// Starts a receiver on `port` (0 for any free one).
    ///
    /// # Panics
    /// When the port cannot be bound.
    #[must_use]
    pub fn start_on(port: u16) -> Self {
        let shared = Arc::new(Shared { received: Mutex::new(Vec::new()), status: AtomicU16::new(204) });
        let serving = shared.clone();
        let listener = Listener::spawn(port, Arc::new(AtomicBool::new(false)), move |stream| {
            let _ = serve(stream, &serving);
        });
        Self { listener: Arc::new(listener), shared }
    }

    /// Starts a receiver on a free port.
    ///
    /// # Panics
    /// When no port can be bound.
    #[must_use]
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// Stops listening, as a real outage: connections are refused from now
    /// on. [`WebhookReceiver::start_on`] with the same port brings it back.
    pub fn stop(&self) {
        self.listener.stop();
    }

    /// The port it listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.listener.port()
    }

    /// The URL of `path` on this receiver.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port())
    }

    /// Answers every request with `status` from now on.
    pub fn answer_with(&self, status: u16) {
        self.shared.status.store(status, Ordering::SeqCst);
    }

    /// Every request received so far.
    #[must_use]
    pub fn received(&self) -> Vec<ReceivedWebhook> {
        lock(&self.shared).clone()
    }

    /// Waits up to `timeout` until `done` holds for what was received,
    /// returning it either way.
    #[must_use]
    pub fn wait_until(&self, timeout: Duration, done: impl Fn(&[ReceivedWebhook]) -> bool) -> Vec<ReceivedWebhook> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.received();
            if done(&got) || Instant::now() >= deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BODY);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let answered = shared.status.load(Ordering::SeqCst);
    lock(shared).push(ReceivedWebhook { path, headers, body, answered, received_at: Instant::now() });
    let mut stream = stream;
    // A redirect names a target, so a client that follows redirects would.
    let location = if (300..400).contains(&answered) { "Location: /moved\r\n" } else { "" };
    write!(stream, "HTTP/1.1 {answered} Status\r\n{location}Content-Length: 0\r\nConnection: close\r\n\r\n")?;
    stream.flush()
}
