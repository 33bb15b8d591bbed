//! The breaker and streamed downloads: a 2xx attempt is recorded when its body is in, so a
//! server that sends the head and then cuts the body counts as failing (a success at the
//! head would reset the count of consecutive failures on every cut download and the
//! breaker would never open). Against a raw loopback server that answers `200` with a
//! `Content-Length` larger than what it sends, then closes.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wats_breaker::State;
use wats_core::Error;

/// A loopback server answering every request with `200`, `Content-Length: 100000`, then
/// `sent` bytes of body; it closes the connection after them. Counts requests.
async fn server(sent: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else {
                return;
            };
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0_u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tcp.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let reply: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
                      Content-Length: 100000\r\nConnection: close\r\n\r\n";
                let _ = tcp.write_all(reply).await;
                let _ = tcp.write_all(&vec![7_u8; sent]).await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    (url, requests)
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("wats-stream-breaker-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

#[tokio::test]
async fn cut_downloads_open_the_breaker() {
    let (url, requests) = server(1_000).await;
    let c = support::client(&url)
        .circuit_breaker_threshold(2)
        .build()
        .unwrap();
    let dir = temp_dir("cut");
    let breaker = c.circuit_breaker().unwrap();

    for n in 1..=2_u64 {
        let r = c
            .software()
            .internal()
            .download_file_to("f", dir.join("a.bin"))
            .await;
        assert!(matches!(r, Err(Error::Transport { .. })), "{r:?}");
        let m = breaker.metrics();
        assert_eq!(m.failures, n, "the cut body is recorded: {m:?}");
        assert_eq!(m.successes, 0, "the 2xx head alone is not a success: {m:?}");
    }
    assert_eq!(breaker.state(), State::Open, "two cut downloads in a row");
    assert_eq!(
        requests.load(Ordering::SeqCst),
        2,
        "not retried once the body began"
    );

    let r = c
        .software()
        .internal()
        .download_file_to("f", dir.join("a.bin"))
        .await;
    assert!(matches!(r, Err(Error::CircuitOpen { .. })), "{r:?}");
    assert_eq!(
        requests.load(Ordering::SeqCst),
        2,
        "rejected without a request"
    );
    assert!(!dir.join("a.bin").exists());
    assert!(!dir.join("a.bin.part").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_whole_download_is_one_success() {
    let (url, requests) = server(100_000).await;
    let c = support::client(&url).build().unwrap();
    let dir = temp_dir("whole");
    let n = c
        .software()
        .internal()
        .download_file_to("f", dir.join("a.bin"))
        .await
        .unwrap();
    assert_eq!(n, 100_000);
    let m = c.circuit_breaker().unwrap().metrics();
    assert_eq!((m.successes, m.failures, m.dropped), (1, 0, 0), "{m:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    std::fs::remove_dir_all(&dir).ok();
}

/// A local failure after the head (the folder cannot be made) is not the server's: the
/// breaker records the attempt as ignored.
#[tokio::test]
async fn a_local_failure_after_the_head_is_ignored() {
    let (url, _requests) = server(100_000).await;
    let c = support::client(&url).build().unwrap();
    let dir = temp_dir("local");
    // A file where the download's folder would go: creating the folder fails (I/O).
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("blocker"), b"x").unwrap();
    let r = c
        .software()
        .internal()
        .download_file_to("f", dir.join("blocker").join("a.bin"))
        .await;
    assert!(matches!(r, Err(Error::Io { .. })), "{r:?}");
    let m = c.circuit_breaker().unwrap().metrics();
    assert_eq!((m.successes, m.failures, m.ignored), (0, 0, 1), "{m:?}");
    std::fs::remove_dir_all(&dir).ok();
}

/// The embedded server's close-mid-response fault on a streamed package file: the download
/// fails after part of the body, leaves no file behind and counts against the breaker; the
/// next one writes the whole file with the server's checksum.
#[tokio::test]
async fn the_mocks_cut_download_is_a_failure_and_the_retry_by_hand_completes() {
    use wats_core::Package;
    use wats_mock::{Fault, MockServer};

    let server = MockServer::start();
    let c = support::client(server.url()).build().unwrap();
    let pkg = c
        .software()
        .create_package(&Package::new("Cut"))
        .await
        .unwrap();
    let pid = pkg.package_id.as_str().unwrap().to_owned();
    let fid = server
        .add_generated_package_file(&pid, "bin", "big.bin", 1_000_000)
        .unwrap();
    let dir = temp_dir("mock");
    server.inject(
        Fault::close_mid_response()
            .path_prefix("/api/internal/Software/DownloadFile")
            .times(1),
    );
    let r = c
        .software()
        .internal()
        .download_file_to(&fid, dir.join("big.bin"))
        .await;
    assert!(matches!(r, Err(Error::Transport { .. })), "{r:?}");
    assert!(!dir.join("big.bin").exists());
    assert!(!dir.join("big.bin.part").exists());
    let m = c.circuit_breaker().unwrap().metrics();
    assert_eq!(m.failures, 1, "{m:?}");

    let n = c
        .software()
        .internal()
        .download_file_to(&fid, dir.join("big.bin"))
        .await
        .unwrap();
    assert_eq!(n, 1_000_000);
    let files = c.software().package_files(&pid).await.unwrap();
    let bytes = std::fs::read(dir.join("big.bin")).unwrap();
    assert!(wats_http::verify_checksum(&bytes, files[0].checksum.as_str().unwrap()).unwrap());
    assert_eq!(
        server.requests_for("/api/internal/Software/DownloadFile"),
        2,
        "the cut one was not retried by the client"
    );
    std::fs::remove_dir_all(&dir).ok();
}
