//! The server handle, its builder, and the accept loop on the server thread.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, mpsc as std_mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, watch};

use crate::counters::{Counters, LiveCounters, RecordedRequest};
use crate::faults::{Fault, FaultId, Faults};
use crate::service::{self, ConnState, Shared};
use crate::store::Store;

/// Errors of starting or controlling a [`MockServer`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// Binding the listening socket failed (port in use, permission, ...).
    #[error("wats-mock: cannot listen on {addr}: {source}")]
    Bind {
        /// The address that was tried.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The server thread or its tokio runtime could not be created.
    #[error("wats-mock: cannot start the server thread: {0}")]
    Runtime(#[source] io::Error),
    /// The server thread has stopped (it panicked or was shut down).
    #[error("wats-mock: the server thread is not running")]
    Stopped,
    /// A builder setting is unusable (e.g. a token that is not a valid
    /// header value).
    #[error("wats-mock: invalid configuration: {0}")]
    InvalidConfig(String),
    /// A report given to [`MockServer::insert_report`] was refused.
    #[error("wats-mock: invalid report: {0}")]
    InvalidReport(String),
}

/// Configures and starts a [`MockServer`].
///
/// ```
/// use std::time::Duration;
/// use wats_mock::MockServer;
///
/// let server = MockServer::builder()
///     .token("dXNlcjpwYXNz")
///     .latency(Duration::from_millis(1))
///     .seed(false)
///     .start()?;
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// # Ok::<(), wats_mock::MockError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct MockServerBuilder {
    port: u16,
    token: Option<String>,
    latency: Duration,
    seed: bool,
    gzip: bool,
    record_requests: usize,
    worker_threads: usize,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            port: 0,
            token: None,
            latency: Duration::ZERO,
            seed: true,
            gzip: false,
            record_requests: 1024,
            worker_threads: 1,
        }
    }
}

impl MockServerBuilder {
    /// Listen on this port of 127.0.0.1 (default 0: an ephemeral port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Require `Authorization: Basic <token>` exactly on every request
    /// (otherwise 401). Without a token every request is accepted.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Delay every answer by `latency` (changeable later with
    /// [`MockServer::set_latency`]). Default: none.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Start with the seed data (100 products, units, the 5 sample reports);
    /// default true. `false` starts with no products, units or reports (the
    /// process list is server configuration and is always present).
    pub fn seed(mut self, seed: bool) -> Self {
        self.seed = seed;
        self
    }

    /// Gzip answers for clients that send `Accept-Encoding: gzip`
    /// (changeable with [`MockServer::set_gzip`]). Default: off.
    pub fn gzip(mut self, gzip: bool) -> Self {
        self.gzip = gzip;
        self
    }

    /// How many recent requests to keep for [`MockServer::recent_requests`]
    /// (default 1024; 0 disables the log).
    pub fn record_requests(mut self, n: usize) -> Self {
        self.record_requests = n;
        self
    }

    /// Tokio worker threads of the server (default 1: a current-thread
    /// runtime on the server's own thread, which gives the lowest loopback
    /// latency; more helps only when requests do heavy work in parallel,
    /// e.g. many concurrent large report submissions).
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.worker_threads = n.max(1);
        self
    }

    /// Binds 127.0.0.1 and starts serving on a dedicated thread.
    ///
    /// # Errors
    ///
    /// [`MockError::Bind`] if the port cannot be bound, [`MockError::Runtime`]
    /// if the thread or runtime cannot be created.
    pub fn start(self) -> Result<MockServer, MockError> {
        MockServer::launch(&self)
    }
}

enum Command {
    Refuse(std_mpsc::SyncSender<()>),
    Listen(std_mpsc::SyncSender<io::Result<()>>),
}

/// An embedded WATS server on 127.0.0.1; it stops when dropped.
///
/// The server runs on its own thread with its own tokio runtime, so it serves
/// blocking and async callers alike (an async test can use it from any
/// runtime flavour). Every method takes `&self` and is thread-safe; the
/// handle is `Send + Sync`.
///
/// Dropping the handle stops listening, closes every connection (hung
/// requests included) and joins the server thread, so a connect after the
/// drop fails.
pub struct MockServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    url: String,
    shutdown: watch::Sender<bool>,
    commands: mpsc::UnboundedSender<Command>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url)
            .field("token", &self.shared.auth.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a seeded server on an ephemeral port with default settings.
    ///
    /// A convenience for tests: it **panics** if the server cannot start
    /// (no free port, no threads). Use [`try_start`](Self::try_start) or
    /// [`builder`](Self::builder) to get the error instead.
    ///
    /// # Panics
    ///
    /// If binding 127.0.0.1 or creating the server thread fails.
    #[must_use]
    pub fn start() -> MockServer {
        match Self::try_start() {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`start`](Self::start), but returns the error.
    ///
    /// # Errors
    ///
    /// See [`MockServerBuilder::start`].
    pub fn try_start() -> Result<MockServer, MockError> {
        Self::builder().start()
    }

    /// A builder for token, latency, seed data, gzip, port, log size.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    fn launch(b: &MockServerBuilder) -> Result<MockServer, MockError> {
        let auth = b
            .token
            .as_ref()
            .map(|t| HeaderValue::from_str(&format!("Basic {t}")))
            .transpose()
            .map_err(|_| {
                MockError::InvalidConfig("the token is not a valid header value".into())
            })?;
        let latency = u64::try_from(b.latency.as_nanos()).unwrap_or(u64::MAX);
        let shared = Arc::new(Shared {
            store: Store::new(b.seed),
            counters: LiveCounters::new(b.record_requests),
            faults: Faults::new(),
            latency_nanos: AtomicU64::new(latency),
            gzip: AtomicBool::new(b.gzip),
            auth,
            close_idle: watch::Sender::new(0),
        });
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, b.port));
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = std_mpsc::sync_channel(1);
        let thread_shared = Arc::clone(&shared);
        let workers = b.worker_threads;
        let thread = std::thread::Builder::new()
            .name("wats-mock".into())
            .spawn(move || {
                let rt = if workers <= 1 {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                } else {
                    tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(workers)
                        .thread_name("wats-mock-worker")
                        .enable_all()
                        .build()
                };
                let rt = match rt {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(MockError::Runtime(e)));
                        return;
                    }
                };
                rt.block_on(async move {
                    let listener = match bind(addr) {
                        Ok(l) => l,
                        Err(source) => {
                            let _ = ready_tx.send(Err(MockError::Bind { addr, source }));
                            return;
                        }
                    };
                    let local = listener.local_addr().map_err(MockError::Runtime);
                    let Ok(local) = local else {
                        let _ = ready_tx.send(local);
                        return;
                    };
                    let _ = ready_tx.send(Ok(local));
                    accept_loop(thread_shared, listener, local, shutdown_rx, commands_rx).await;
                });
                // Dropping the runtime drops every connection task: sockets close.
                drop(rt);
            })
            .map_err(MockError::Runtime)?;
        let addr = match ready_rx.recv() {
            Ok(Ok(addr)) => addr,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(MockError::Stopped);
            }
        };
        Ok(MockServer {
            shared,
            addr,
            url: format!("http://{addr}"),
            shutdown,
            commands,
            thread: Some(thread),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123` (no trailing slash).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The listening address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The listening port.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    // ---- counters -------------------------------------------------------

    /// A snapshot of all counters.
    #[must_use]
    pub fn counters(&self) -> Counters {
        self.shared.counters.snapshot()
    }

    /// Requests counted under a route template (`"/api/Report/Wsjf/{id}"`)
    /// or, if `key` is not a served template, under that raw request path
    /// (`"/api/Product/FATPartNo"`). Cheap: no snapshot is taken.
    #[must_use]
    pub fn requests_for(&self, key: &str) -> u64 {
        self.shared.counters.requests_for(key)
    }

    /// Total requests received.
    #[must_use]
    pub fn requests_total(&self) -> u64 {
        self.shared.counters.requests_total()
    }

    /// The most recent requests (oldest first), up to the configured log size.
    #[must_use]
    pub fn recent_requests(&self) -> Vec<RecordedRequest> {
        self.shared.counters.recent()
    }

    /// The most recent request, if any.
    #[must_use]
    pub fn last_request(&self) -> Option<RecordedRequest> {
        self.shared.counters.recent().pop()
    }

    /// Resets every counter (connections included) and clears the request log.
    pub fn reset_counters(&self) {
        self.shared.counters.reset();
    }

    // ---- data -----------------------------------------------------------

    /// Number of stored reports.
    #[must_use]
    pub fn report_count(&self) -> usize {
        self.shared.store.report_count()
    }

    /// The stored bytes of report `id`, exactly as submitted.
    #[must_use]
    pub fn stored_report(&self, id: &str) -> Option<Bytes> {
        self.shared.store.report(id)
    }

    /// Stores a WSJF report as if it had been posted; returns its id.
    ///
    /// # Errors
    ///
    /// [`MockError::InvalidReport`] with the message the server would answer
    /// 400 with.
    pub fn insert_report(&self, wsjf: impl Into<Bytes>) -> Result<String, MockError> {
        self.shared
            .store
            .submit(wsjf.into())
            .map(|(id, _)| id)
            .map_err(|r| MockError::InvalidReport(r.0))
    }

    /// Adds a file of `len` bytes to software package `package_id` (folder `folder`,
    /// name `name`), generated chunk by chunk each time it is downloaded, so a test can
    /// download a file of any size while the mock holds 64 KiB of it. Its checksum (in the
    /// package's file list) is the SHA-256 of the generated bytes. Returns the file's id
    /// (its `packageFileId`), or `None` when there is no such package.
    pub fn add_generated_package_file(
        &self,
        package_id: &str,
        folder: &str,
        name: &str,
        len: u64,
    ) -> Option<String> {
        crate::domains::software::add_generated(&self.shared.store, package_id, folder, name, len)
    }

    /// What the last software zip upload sent, counted as it was read (the body is never
    /// held whole beyond [`KEEP_UPLOAD`](crate::KEEP_UPLOAD) bytes).
    #[must_use]
    pub fn last_package_upload(&self) -> Option<crate::PackageUpload> {
        crate::domains::software::last_upload(&self.shared.store)
    }

    // ---- faults ---------------------------------------------------------

    /// Delays every answer by `latency` (zero disables).
    pub fn set_latency(&self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.shared.latency_nanos.store(nanos, Relaxed);
    }

    /// Turns gzip answers (for clients sending `Accept-Encoding: gzip`) on or off.
    pub fn set_gzip(&self, on: bool) {
        self.shared.gzip.store(on, Relaxed);
    }

    /// Injects a fault; see [`Fault`].
    pub fn inject(&self, fault: Fault) -> FaultId {
        self.shared.faults.inject(fault)
    }

    /// Fails the next `n` requests (any path) with `status`.
    pub fn fail_next(&self, n: u64, status: u16) -> FaultId {
        self.inject(Fault::status(status).times(n))
    }

    /// Fails every request (any path) with `status` for `duration`.
    pub fn fail_for(&self, duration: Duration, status: u16) -> FaultId {
        self.inject(Fault::status(status).for_duration(duration))
    }

    /// Removes one fault (and releases hung requests); returns whether it was
    /// still active.
    pub fn remove_fault(&self, id: FaultId) -> bool {
        self.shared.faults.remove(id)
    }

    /// Removes every fault and releases hung requests. Latency and gzip
    /// settings are kept.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Number of active faults.
    #[must_use]
    pub fn active_faults(&self) -> usize {
        self.shared.faults.active_count()
    }

    /// Closes every connection that is between requests (keep-alive idle).
    /// Connections in the middle of a request are left alone. Returns once
    /// the signal is sent; the sockets close a moment later.
    pub fn close_idle_connections(&self) {
        self.shared.close_idle.send_modify(|g| *g += 1);
    }

    /// Stops listening: new connects get "connection refused" until
    /// [`accept_connections`](Self::accept_connections). Established
    /// connections are not affected, except ones still waiting in the accept
    /// backlog, which are reset (combine with
    /// [`close_idle_connections`](Self::close_idle_connections) to simulate a
    /// restart). Returns once the listening socket is closed.
    pub fn refuse_connections(&self) {
        let (tx, rx) = std_mpsc::sync_channel(1);
        if self.commands.send(Command::Refuse(tx)).is_ok() {
            let _ = rx.recv();
        }
    }

    /// Listens again, on the same port, after
    /// [`refuse_connections`](Self::refuse_connections) (a no-op if
    /// listening). Returns once connects succeed again.
    ///
    /// # Errors
    ///
    /// [`MockError::Bind`] if the port was taken meanwhile,
    /// [`MockError::Stopped`] if the server thread is gone.
    pub fn accept_connections(&self) -> Result<(), MockError> {
        let (tx, rx) = std_mpsc::sync_channel(1);
        self.commands
            .send(Command::Listen(tx))
            .map_err(|_| MockError::Stopped)?;
        match rx.recv() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(source)) => Err(MockError::Bind {
                addr: self.addr,
                source,
            }),
            Err(_) => Err(MockError::Stopped),
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    // Lets `accept_connections` re-bind while old connections on the port
    // linger (established or TIME_WAIT).
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

async fn accept(listener: Option<&TcpListener>) -> io::Result<(TcpStream, SocketAddr)> {
    match listener {
        Some(l) => l.accept().await,
        None => std::future::pending().await,
    }
}

async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    addr: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut builder = http1::Builder::new();
    builder.keep_alive(true).header_read_timeout(None);
    let mut listener = Some(listener);
    loop {
        tokio::select! {
            biased;
            r = shutdown.changed() => {
                if r.is_err() || *shutdown.borrow() {
                    break;
                }
            }
            Some(cmd) = commands.recv() => match cmd {
                Command::Refuse(ack) => {
                    listener = None;
                    let _ = ack.send(());
                }
                Command::Listen(ack) => {
                    let r = if listener.is_some() {
                        Ok(())
                    } else {
                        bind(addr).map(|l| listener = Some(l))
                    };
                    let _ = ack.send(r);
                }
            },
            r = accept(listener.as_ref()) => match r {
                Ok((stream, _)) => serve_connection(&shared, &builder, stream),
                // Out of file descriptors and the like: back off briefly.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
        }
    }
}

struct ClosedGuard(Arc<Shared>);

impl Drop for ClosedGuard {
    fn drop(&mut self) {
        self.0.counters.closed.fetch_add(1, Relaxed);
    }
}

fn serve_connection(shared: &Arc<Shared>, builder: &http1::Builder, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    shared.counters.accepted.fetch_add(1, Relaxed);
    let conn_state = Arc::new(ConnState::default());
    let svc_shared = Arc::clone(shared);
    let svc_conn = Arc::clone(&conn_state);
    let svc =
        service_fn(move |req| service::handle(Arc::clone(&svc_shared), Arc::clone(&svc_conn), req));
    let conn = builder.serve_connection(TokioIo::new(stream), svc);
    let mut close_idle = shared.close_idle.subscribe();
    let guard = ClosedGuard(Arc::clone(shared));
    tokio::spawn(async move {
        let _guard = guard;
        let mut conn = pin!(conn);
        loop {
            tokio::select! {
                _ = conn.as_mut() => break,
                r = close_idle.changed() => {
                    if r.is_err() {
                        let _ = conn.as_mut().await;
                        break;
                    }
                    if conn_state.is_idle() {
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
        }
    });
}
