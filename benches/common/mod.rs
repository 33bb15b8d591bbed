//! Shared setup of `benches/client.rs` and `benches/sync.rs`: the mock server, the peers
//! (raw hyper-util floor, `reqwest::blocking`, the naive runtime-per-call pattern) and a pool
//! of long-lived worker threads for the 16-thread rows.
//!
//! Every peer sends the *same* request: method, path and query captured from the wats client's
//! own request as the mock server recorded it, and the same header set (`Authorization`,
//! `Accept`, and the headers captured from the wats client: `User-Agent`, `Accept-Encoding`,
//! plus an `X-Correlation-ID` of 16 hex digits that changes per call), so the server does the
//! same work for every peer. Every peer does the same work with the answer: read the whole
//! body, check the status and decode it with `serde_json` into the same `wats_core` model type
//! the wats client returns.

#![allow(dead_code, unreachable_pub, missing_docs)] // each bench uses a subset

pub mod peers;
pub mod tls;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use wats_mock::MockServer;

pub type Job = Arc<dyn Fn(usize) + Send + Sync>;

/// The token every peer sends; the mock server requires it.
pub const TOKEN: &str = "YmVuY2g6YmVuY2g=";
/// Latencies of the mock server each group is measured at.
pub const LATENCIES_MS: [u64; 2] = [0, 1];
/// Threads of the concurrent rows.
pub const THREADS: usize = 16;

/// A mock server with the given latency; the request log is off (it would be measured).
pub fn server(latency_ms: u64) -> MockServer {
    MockServer::builder()
        .token(TOKEN)
        .latency(Duration::from_millis(latency_ms))
        .record_requests(0)
        .start()
        .expect("mock server starts")
}

/// The path and query the wats client sends for `call`, as a recording server saw it.
pub fn captured_path(call: impl FnOnce(&wats::blocking::Client)) -> String {
    let recorder = MockServer::builder()
        .token(TOKEN)
        .start()
        .expect("mock server starts");
    let client = blocking(&recorder, wats::blocking::RuntimeMode::ThreadLocal);
    call(&client);
    recorder
        .last_request()
        .expect("the call reached the server")
        .path_and_query
}

/// The header the wats client sends the correlation id in (its default).
pub const CORRELATION_HEADER: &str = "x-correlation-id";

/// The headers the wats client sends besides `Host`, `Authorization`, `Accept` and the
/// correlation id (captured once from its own GET as a recording server saw it), for the
/// peers to send too.
pub fn wats_extra_headers() -> &'static [(HeaderName, HeaderValue)] {
    static HEADERS: OnceLock<Vec<(HeaderName, HeaderValue)>> = OnceLock::new();
    HEADERS.get_or_init(|| {
        let recorder = MockServer::builder()
            .token(TOKEN)
            .start()
            .expect("mock server starts");
        let client = blocking(&recorder, wats::blocking::RuntimeMode::ThreadLocal);
        client.server_version().expect("version");
        let request = recorder
            .last_request()
            .expect("the call reached the server");
        let skip = [
            http::header::HOST,
            AUTHORIZATION,
            ACCEPT,
            HeaderName::from_static(CORRELATION_HEADER),
        ];
        let headers: Vec<_> = request
            .headers
            .iter()
            .filter(|(name, _)| !skip.contains(name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        assert!(
            headers.iter().any(|(n, _)| n == http::header::USER_AGENT),
            "the wats client sends a user agent: {headers:?}"
        );
        headers
    })
}

/// A fresh correlation id per call for the peers: 16 hex digits, like the wats client's.
pub fn next_correlation_id() -> HeaderValue {
    static NEXT: AtomicU64 = AtomicU64::new(0x5eed_0000_0000_0000);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut buf = [0u8; 16];
    for (i, b) in buf.iter_mut().enumerate() {
        *b = b"0123456789abcdef"[((n >> (60 - 4 * i)) & 0xf) as usize];
    }
    HeaderValue::from_bytes(&buf).expect("hex digits are a valid header value")
}

pub fn async_client(server: &MockServer) -> wats::Client {
    wats::Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .build()
        .expect("client builds")
}

pub fn blocking(server: &MockServer, mode: wats::blocking::RuntimeMode) -> wats::blocking::Client {
    wats::blocking::Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .runtime_mode(mode)
        .build()
        .expect("client builds")
}

/// A `current_thread` runtime, as the blocking client and the floor use.
pub fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime builds")
}

/// `tokio::runtime::Runtime::new()`: tokio's default multi-thread runtime (one worker thread
/// per core, as `#[tokio::main]` builds), the runtime a naive "new runtime per call" wrapper
/// most often creates.
pub fn default_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("runtime builds")
}

/// The floor: hyper-util's legacy pooled client over a plain `HttpConnector` (TCP_NODELAY on,
/// as in wats), driven by its own `current_thread` runtime; no tower stack, no timeouts, no
/// retries, no tracing span, no correlation id.
pub struct RawHyper<C = HttpConnector> {
    rt: tokio::runtime::Runtime,
    client: HyperClient<C, Full<Bytes>>,
    base: String,
    auth: HeaderValue,
    /// [`wats_extra_headers`].
    extra: &'static [(HeaderName, HeaderValue)],
}

/// The connector of the plain-HTTP floor: hyper-util's, with `TCP_NODELAY` as wats sets it.
pub fn http_connector() -> HttpConnector {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector
}

impl RawHyper {
    pub fn new(server: &MockServer) -> RawHyper {
        RawHyper::with_connector(server.url(), http_connector())
    }
}

impl<C> RawHyper<C>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    /// A floor on its own `current_thread` runtime, calling `base_url` through `connector`.
    pub fn with_connector(base_url: &str, connector: C) -> RawHyper<C> {
        let rt = current_thread();
        let client = {
            let _guard = rt.enter();
            HyperClient::builder(TokioExecutor::new()).build(connector)
        };
        RawHyper {
            rt,
            client,
            base: base_url.trim_end_matches('/').to_owned(),
            auth: HeaderValue::from_str(&format!("Basic {TOKEN}")).expect("valid header"),
            extra: wats_extra_headers(),
        }
    }

    /// One call: build the request, send it, read the whole body, check the status.
    pub async fn send(&self, method: Method, path: &str, body: Option<Bytes>) -> Bytes {
        let uri: Uri = format!("{}{path}", self.base).parse().expect("valid uri");
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(AUTHORIZATION, self.auth.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(CORRELATION_HEADER, next_correlation_id());
        for (name, value) in self.extra {
            req = req.header(name, value);
        }
        if body.is_some() {
            req = req.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let req = req
            .body(Full::new(body.unwrap_or_default()))
            .expect("valid request");
        let resp = self.client.request(req).await.expect("raw hyper call");
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("body reads")
            .to_bytes();
        assert!(status.is_success(), "raw hyper: {status}");
        bytes
    }

    /// GET `path` and decode the JSON answer into `T`.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> T {
        self.rt.block_on(async {
            let body = self.send(Method::GET, path, None).await;
            serde_json::from_slice(&body).expect("raw hyper: JSON decodes")
        })
    }

    /// POST a JSON body; decode the answer into `T`.
    pub fn post<T: DeserializeOwned>(&self, path: &str, body: Bytes) -> T {
        self.rt.block_on(async {
            let body = self.send(Method::POST, path, Some(body)).await;
            serde_json::from_slice(&body).expect("raw hyper: JSON decodes")
        })
    }
}

/// The `reqwest::blocking` peer (its own background runtime thread, one shared pool).
pub struct Reqwest {
    client: reqwest::blocking::Client,
    base: String,
    auth: String,
    /// [`wats_extra_headers`].
    extra: http::HeaderMap,
}

impl Reqwest {
    pub fn new(server: &MockServer) -> Reqwest {
        Reqwest::with_tls(server.url(), tls::client_config(&[]))
    }

    /// A reqwest peer for `base_url` with this TLS configuration (ring provider).
    pub fn with_tls(base_url: &str, tls: tokio_rustls::rustls::ClientConfig) -> Reqwest {
        Reqwest {
            client: reqwest::blocking::Client::builder()
                .tls_backend_preconfigured(tls)
                .build()
                .expect("reqwest builds"),
            base: base_url.trim_end_matches('/').to_owned(),
            auth: format!("Basic {TOKEN}"),
            extra: wats_extra_headers().iter().cloned().collect(),
        }
    }

    pub fn get<T: DeserializeOwned>(&self, path: &str) -> T {
        self.call(Method::GET, path, None)
    }

    pub fn post<T: DeserializeOwned>(&self, path: &str, body: Vec<u8>) -> T {
        self.call(Method::POST, path, Some(body))
    }

    /// One call with the shared header set (and a JSON body); the decoded answer.
    fn call<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> T {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header(AUTHORIZATION, &self.auth)
            .header(ACCEPT, "application/json")
            .header(CORRELATION_HEADER, next_correlation_id())
            .headers(self.extra.clone());
        if let Some(body) = body {
            req = req.header(CONTENT_TYPE, "application/json").body(body);
        }
        let resp = req.send().expect("reqwest call");
        assert!(resp.status().is_success(), "reqwest: {}", resp.status());
        let body = resp.bytes().expect("body reads");
        serde_json::from_slice(&body).expect("reqwest: JSON decodes")
    }
}

/// The id in a submit answer (`{"ID": ..}`), as the peers read it.
pub fn submit_id(answer: &serde_json::Value) -> String {
    answer
        .get("ID")
        .and_then(serde_json::Value::as_str)
        .expect("submit answer has an ID")
        .to_owned()
}

/// Long-lived worker threads for the concurrent rows. The threads live as long as the pool, as
/// in a test station's worker pool, so a per-thread runtime and connection (thread-local mode,
/// the per-thread floor) is made once, not once per sample.
pub struct Workers {
    jobs: Vec<mpsc::Sender<(Job, u64, Arc<Barrier>)>>,
    handles: Vec<JoinHandle<()>>,
}

impl Workers {
    pub fn new(n: usize) -> Workers {
        let mut jobs = Vec::with_capacity(n);
        let mut handles = Vec::with_capacity(n);
        for index in 0..n {
            let (tx, rx) = mpsc::channel::<(Job, u64, Arc<Barrier>)>();
            jobs.push(tx);
            handles.push(
                std::thread::Builder::new()
                    .name(format!("bench-worker-{index}"))
                    .spawn(move || {
                        while let Ok((job, calls, done)) = rx.recv() {
                            for _ in 0..calls {
                                job(index);
                            }
                            drop(job);
                            done.wait();
                        }
                    })
                    .expect("worker thread starts"),
            );
        }
        Workers { jobs, handles }
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Run `iters` calls of `job(thread_index)` spread over all workers; the wall time.
    pub fn run(&self, iters: u64, job: &Job) -> Duration {
        let n = self.jobs.len() as u64;
        let done = Arc::new(Barrier::new(self.jobs.len() + 1));
        let start = Instant::now();
        for (i, tx) in (0..n).zip(&self.jobs) {
            let calls = iters / n + u64::from(i < iters % n);
            tx.send((Arc::clone(job), calls, Arc::clone(&done)))
                .expect("worker alive");
        }
        done.wait();
        start.elapsed()
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.jobs.clear();
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
    }
}

/// Wrap a closure as a worker job.
pub fn job(f: impl Fn(usize) + Send + Sync + 'static) -> Job {
    Arc::new(f)
}
