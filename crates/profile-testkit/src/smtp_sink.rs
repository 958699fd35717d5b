//! An SMTP server for tests that keeps what it receives.

use crate::listener::Listener;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mailin::{Action, Handler, Response, SessionBuilder};

/// One message as received.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The raw message, with CRLF line ends.
    pub raw: String,
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<ReceivedMail>>,
    /// When not zero, every RCPT is answered with this code.
    reject_with: AtomicU16,
    /// Once set, the server closes its socket and every open session.
    stopped: Arc<AtomicBool>,
}

fn lock(shared: &Shared) -> MutexGuard<'_, Vec<ReceivedMail>> {
    shared.received.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A running SMTP server on 127.0.0.1; it lives until the process ends.
#[derive(Clone)]
pub struct SmtpSink {
    listener: Arc<Listener>,
    shared: Arc<Shared>,
}

impl SmtpSink {
    /// Starts a server on a free port.
    ///
    /// # Panics
    /// When no port can be bound.
    #[must_use]
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// Starts a server on `port` (0 for any free one).
    ///
    /// # Panics
    /// When the port cannot be bound.
    #[must_use]
    pub fn start_on(port: u16) -> Self {
        let shared = Arc::new(Shared::default());
        let serving = shared.clone();
        let listener = Listener::spawn(port, shared.stopped.clone(), move |stream| {
            let _ = serve(stream, &serving);
        });
        Self { listener: Arc::new(listener), shared }
    }

    /// Stops the server as a real outage would: the port stops listening and
    /// open sessions are closed at their next command. What was received stays
    /// readable; [`SmtpSink::start_on`] with the same port brings it back.
    pub fn stop(&self) {
        self.listener.stop();
    }

    /// A port that nothing listens on now (for "server down" tests).
    ///
    /// # Panics
    /// When no port can be bound.
    #[must_use]
    pub fn free_port() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("local address").port()
    }

    /// The port the server listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.listener.port()
    }

    /// An `smtp://` URL for this server (plain, no authentication).
    #[must_use]
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port())
    }

    /// Answers every recipient with `code` from now on (0 to accept again).
    pub fn reject_recipients_with(&self, code: u16) {
        self.shared.reject_with.store(code, Ordering::SeqCst);
    }

    /// Every message received so far.
    #[must_use]
    pub fn received(&self) -> Vec<ReceivedMail> {
        lock(&self.shared).clone()
    }

    /// Waits up to `timeout` for at least `n` messages, returning what came.
    #[must_use]
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() >= deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[derive(Clone)]
struct Collector {
    shared: Arc<Shared>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn rcpt(&mut self, _to: &str) -> Response {
        match self.shared.reject_with.load(Ordering::SeqCst) {
            0 => mailin::response::OK,
            code => Response::custom(code, "rejected by the test".to_owned()),
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let raw = String::from_utf8_lossy(&std::mem::take(&mut self.data)).into_owned();
        lock(&self.shared).push(ReceivedMail { to: std::mem::take(&mut self.to), raw });
        mailin::response::OK
    }
}

fn serve(mut stream: TcpStream, shared: &Arc<Shared>) -> std::io::Result<()> {
    let peer = stream.peer_addr().map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip());
    let builder = SessionBuilder::new("smtp-sink.test");
    let handler = Collector { shared: shared.clone(), to: Vec::new(), data: Vec::new() };
    let mut session = builder.build(peer, handler);
    let mut reader = BufReader::new(stream.try_clone()?);
    session.greeting().write_to(&mut stream)?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 || shared.stopped.load(Ordering::SeqCst) {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => response.write_to(&mut stream)?,
            Action::Close => {
                response.write_to(&mut stream)?;
                return stream.flush();
            }
            Action::NoReply => {}
            Action::UpgradeTls => return Ok(()),
        }
    }
}
