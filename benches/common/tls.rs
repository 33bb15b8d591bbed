//! A small HTTPS server for the TLS rows of `benches/sync.rs` and `benches/paired.rs`, and the
//! peers' client side over TLS. The server: a test CA and a server
//! certificate for `127.0.0.1` and `localhost` made with `rcgen`, served with tokio-rustls (ring)
//! and hyper's HTTP/1 server (keep-alive on) on `127.0.0.1:0`, on its own thread and
//! `current_thread` runtime. It answers `GET /api/App/Version` with `"2025.1.0.0"` and 404
//! to everything else; it does not check the token.

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::Arc;
use std::thread::JoinHandle;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::{Job, RawHyper, Reqwest};

/// The raw hyper-util floor over TLS: hyper-rustls around the plain floor's connector.
pub type HttpsConnector =
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

/// A client TLS configuration as the wats client builds its own: ring provider, rustls' safe
/// default protocol versions, ALPN `http/1.1`, trusting exactly `roots`.
pub fn client_config(roots: &[CertificateDer<'static>]) -> rustls::ClientConfig {
    let mut store = rustls::RootCertStore::empty();
    for root in roots {
        store.add(root.clone()).expect("usable root");
    }
    // rustls 0.23.48 deprecates the ring provider (no post-quantum key exchange);
    // ring stays the choice here: aws-lc-rs needs cmake and a C toolchain to build.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(store)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// The version the server answers.
pub const VERSION: &str = "2025.1.0.0";
/// The path of the version call, the only one the server answers.
pub const VERSION_PATH: &str = "/api/App/Version";

/// The running server; dropping it stops the accept loop and joins its thread.
pub struct TlsServer {
    /// `https://127.0.0.1:<port>`.
    pub url: String,
    /// The PEM of the CA that signed the server certificate.
    pub ca_pem: String,
    /// The same CA certificate, DER.
    pub ca_der: CertificateDer<'static>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// A CA, and a rustls server config with a certificate it signed for `127.0.0.1`/`localhost`.
fn pki() -> (String, CertificateDer<'static>, Arc<rustls::ServerConfig>) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
        .expect("CA certificate");
    let leaf_key = KeyPair::generate().expect("server key");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("server params")
        .signed_by(&leaf_key, &ca)
        .expect("server certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    // rustls 0.23.48 deprecates the ring provider (no post-quantum key exchange);
    // ring stays the choice here: aws-lc-rs needs cmake and a C toolchain to build.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
        .expect("server config");
    (ca.pem(), ca.der().clone(), Arc::new(config))
}

async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.method() == Method::GET && req.uri().path() == VERSION_PATH {
        let mut resp = Response::new(Full::new(Bytes::from(format!("\"{VERSION}\""))));
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return Ok(resp);
    }
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = StatusCode::NOT_FOUND;
    Ok(resp)
}

impl TlsServer {
    pub fn start() -> TlsServer {
        let (ca_pem, ca_der, config) = pki();
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let port = std_listener.local_addr().expect("local addr").port();
        let (shutdown, mut stop) = oneshot::channel::<()>();
        let acceptor = TlsAcceptor::from(config);
        let thread = std::thread::Builder::new()
            .name("bench-tls-server".to_owned())
            .spawn(move || {
                let rt = super::current_thread();
                rt.block_on(async move {
                    let listener = TcpListener::from_std(std_listener).expect("tokio listener");
                    loop {
                        let stream = tokio::select! {
                            _ = &mut stop => return,
                            accepted = listener.accept() => match accepted {
                                Ok((stream, _)) => stream,
                                Err(_) => continue,
                            },
                        };
                        let _ = stream.set_nodelay(true);
                        let acceptor = acceptor.clone();
                        tokio::spawn(async move {
                            let Ok(tls) = acceptor.accept(stream).await else {
                                return;
                            };
                            let _ = hyper::server::conn::http1::Builder::new()
                                .keep_alive(true)
                                .serve_connection(TokioIo::new(tls), service_fn(answer))
                                .await;
                        });
                    }
                });
            })
            .expect("server thread starts");
        TlsServer {
            url: format!("https://127.0.0.1:{port}"),
            ca_pem,
            ca_der,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    pub fn async_client(&self) -> wats::Client {
        wats::Client::builder()
            .base_url(&self.url)
            .token(super::TOKEN)
            .add_root_certificate_pem(&self.ca_pem)
            .build()
            .expect("client builds")
    }

    /// The raw hyper-util floor over HTTPS, trusting the test CA.
    pub fn floor(&self) -> RawHyper<HttpsConnector> {
        let mut http = super::http_connector();
        http.enforce_http(false);
        // as wats-http builds its connector (the builder API refuses a config with ALPN set)
        let https = HttpsConnector::from((
            http,
            Arc::new(client_config(std::slice::from_ref(&self.ca_der))),
        ));
        RawHyper::with_connector(&self.url, https)
    }

    /// `reqwest::blocking` over HTTPS, trusting the test CA.
    pub fn reqwest(&self) -> Reqwest {
        Reqwest::with_tls(&self.url, client_config(std::slice::from_ref(&self.ca_der)))
    }

    pub fn blocking(&self) -> wats::blocking::Client {
        wats::blocking::Client::builder()
            .base_url(&self.url)
            .token(super::TOKEN)
            .runtime_mode(wats::blocking::RuntimeMode::ThreadLocal)
            .add_root_certificate_pem(&self.ca_pem)
            .build()
            .expect("client builds")
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The peers of the HTTPS groups, shared with the worker threads; [`TlsPeers::new`] checks
/// that every one answers the version.
pub struct TlsPeers {
    pub server: TlsServer,
    pub rt: tokio::runtime::Runtime,
    pub wats_async: wats::Client,
    pub thread_local: wats::blocking::Client,
    pub floor: RawHyper<HttpsConnector>,
    pub reqwest: Reqwest,
    /// Per worker thread: the floor's runtime and pool.
    pub per_thread_floor: Vec<RawHyper<HttpsConnector>>,
}

impl TlsPeers {
    pub fn new(threads: usize) -> TlsPeers {
        let server = TlsServer::start();
        assert!(server.url.starts_with("https://"));
        let p = TlsPeers {
            rt: super::current_thread(),
            wats_async: server.async_client(),
            thread_local: server.blocking(),
            floor: server.floor(),
            reqwest: server.reqwest(),
            per_thread_floor: (0..threads).map(|_| server.floor()).collect(),
            server,
        };
        assert_eq!(
            p.rt.block_on(p.wats_async.server_version())
                .expect("version"),
            VERSION
        );
        assert_eq!(p.thread_local.server_version().expect("version"), VERSION);
        assert_eq!(p.reqwest.get::<String>(VERSION_PATH), VERSION);
        for floor in std::iter::once(&p.floor).chain(&p.per_thread_floor) {
            assert_eq!(floor.get::<String>(VERSION_PATH), VERSION);
        }
        assert_eq!(p.naive(super::current_thread), VERSION);
        assert_eq!(p.naive(super::default_runtime), VERSION);
        p
    }

    /// The naive pattern over HTTPS: a new runtime and client, a connection and a full
    /// handshake for this one call.
    pub fn naive(&self, runtime: fn() -> tokio::runtime::Runtime) -> String {
        let rt = runtime();
        let client = self.server.async_client();
        rt.block_on(client.server_version()).expect("version")
    }

    /// [`TlsPeers::naive`] as a worker job.
    pub fn naive_job(self: &Arc<Self>, runtime: fn() -> tokio::runtime::Runtime) -> Job {
        let p = Arc::clone(self);
        super::job(move |_| {
            black_box(p.naive(runtime));
        })
    }
}
