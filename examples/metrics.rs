//! Metrics: a few calls against the embedded server with the client's metrics on, the
//! metrics served in Prometheus format on a loopback port (`metrics-exporter-prometheus`,
//! its HTTP listener only), scraped once, printed, and the program exits. The process
//! list is cached, so the scrape shows a cache hit too.
//!
//! ```text
//! cargo run --example metrics
//! ```
//!
//! The client records through the `metrics` facade; the application chooses the exporter
//! by installing a recorder (here Prometheus'). Nothing leaves the machine: the WATS
//! server is `wats-mock` on 127.0.0.1 and the exporter listens on 127.0.0.1.

use std::error::Error;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusBuilder;
use wats::http::{CacheSettings, RateLimit};
use wats::{Client, Station};
use wats_mock::MockServer;

const TOKEN: &str = "ZGVtbzpkZW1v";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let server = MockServer::builder().token(TOKEN).start()?;

    // A free loopback port for the exporter's listener.
    let addr: SocketAddr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let (recorder, exporter) = PrometheusBuilder::new().with_http_listener(addr).build()?;
    metrics::set_global_recorder(recorder)?;
    tokio::spawn(exporter);

    let client = Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .station(Station::new("metrics-example")?)
        .metrics(true)
        .coalesce_gets(true)
        .rate_limit(RateLimit::new(100, Duration::from_secs(1)))
        .cache(CacheSettings::new())
        .build()?;
    for _ in 0..3 {
        client.server_version().await?;
    }
    let (a, b) = tokio::join!(client.products().list(), client.products().list());
    a?;
    b?;
    // The process list is cached: the second call is a hit (no request).
    client.processes().list().await?;
    client.processes().list().await?;
    let missing = client.products().get_opt("NoSuchPart").await?;
    assert!(missing.is_none());

    let scrape = tokio::task::spawn_blocking(move || scrape(addr)).await??;
    println!("{scrape}");
    for name in ["wats_requests_total", "wats_cache_hits_total"] {
        if !scrape.contains(name) {
            return Err(format!("the scrape has no {name}").into());
        }
    }
    Ok(())
}

/// One `GET /metrics` on the exporter (retried while its listener starts).
fn scrape(addr: SocketAddr) -> std::io::Result<String> {
    let mut last = None;
    for _ in 0..50 {
        match TcpStream::connect(addr) {
            Ok(mut s) => {
                s.write_all(
                    b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                )?;
                let mut out = String::new();
                s.read_to_string(&mut out)?;
                let body = out.split_once("\r\n\r\n").map_or(out.as_str(), |(_, b)| b);
                return Ok(body.to_owned());
            }
            Err(e) => {
                last = Some(e);
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no connection")))
}
