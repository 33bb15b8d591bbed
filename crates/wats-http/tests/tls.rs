//! TLS: certificate verification is always on; a custom root CA can be added.

mod support;

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use support::{Reply, TestServer};
use wats_core::Error;

struct Pki {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    // rustls 0.23.48 deprecates the ring provider (no post-quantum key exchange);
    // ring stays the choice here: aws-lc-rs needs cmake and a C toolchain to build.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        server: Arc::new(server),
    }
}

fn builder(url: &str) -> wats_http::ClientBuilder {
    wats_http::Client::builder().base_url(url).token("dA==")
}

#[tokio::test]
async fn self_signed_server_is_refused_without_its_ca() {
    let pki = pki();
    let server = TestServer::start_tls(pki.server, |_, _| Reply::json(200, r#""1.0""#)).await;
    let url = format!("https://localhost:{}", server.addr.port());
    let err = builder(&url)
        .build()
        .unwrap()
        .server_version()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { connect: true, .. }),
        "{err:?}"
    );
    // The handshake failed, so no request ever reached the handler.
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn added_ca_is_trusted_and_tls_works() {
    let pki = pki();
    let server = TestServer::start_tls(pki.server, |_, _| Reply::json(200, r#""1.0""#)).await;
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("https://{host}:{}/api", server.addr.port());
        let c = builder(&url)
            .add_root_certificate_pem(&pki.ca_pem)
            .build()
            .unwrap();
        assert_eq!(c.server_version().await.unwrap(), "1.0");
        // A clone with a new pool shares the TLS config and works too.
        assert_eq!(c.with_new_pool().server_version().await.unwrap(), "1.0");
    }
    assert_eq!(server.count(), 4);
    assert_eq!(server.seen()[0].headers["authorization"], "Basic dA==");
}

#[tokio::test]
async fn another_ca_does_not_help() {
    let pki_a = pki();
    let pki_b = pki();
    let server = TestServer::start_tls(pki_a.server, |_, _| Reply::json(200, r#""1.0""#)).await;
    let url = format!("https://localhost:{}", server.addr.port());
    let c = builder(&url)
        .built_in_roots(false)
        .add_root_certificate_pem(&pki_b.ca_pem)
        .build()
        .unwrap();
    assert!(matches!(
        c.server_version().await,
        Err(Error::Transport { connect: true, .. })
    ));
    assert_eq!(server.count(), 0);
}
