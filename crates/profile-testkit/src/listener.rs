//! A TCP listener on 127.0.0.1 that serves each connection on its own
//! thread until stopped: what the test servers share.

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// An accepting listener.
pub(crate) struct Listener {
    port: u16,
    stopped: Arc<AtomicBool>,
    acceptor: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Listener {
    /// Listens on `port` (0 for any free one) and hands each connection to
    /// `serve` on a new thread, until `stopped` turns true.
    ///
    /// # Panics
    /// When the port cannot be bound.
    pub(crate) fn spawn(
        port: u16,
        stopped: Arc<AtomicBool>,
        serve: impl Fn(TcpStream) + Clone + Send + 'static,
    ) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind a test server");
        let port = listener.local_addr().expect("local address").port();
        let accepting = stopped.clone();
        let acceptor = std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if accepting.load(Ordering::SeqCst) {
                    break;
                }
                let serve = serve.clone();
                std::thread::spawn(move || serve(stream));
            }
        });
        Self { port, stopped, acceptor: Mutex::new(Some(acceptor)) }
    }

    /// The port it listens on.
    pub(crate) const fn port(&self) -> u16 {
        self.port
    }

    /// Stops listening, as a real outage: connections are refused from now on.
    pub(crate) fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        let handle = self.acceptor.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}
