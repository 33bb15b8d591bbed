//! Large files are streamed, never held: a 64 MiB package file downloaded to disk and a
//! 64 MiB zip uploaded from disk keep the peak heap growth of the calling thread under
//! 4 MiB. The blocking client runs its `current_thread` runtime (hyper's connection task and
//! the body streams included) on the calling thread, which `allocation_counter` measures;
//! the mock server's threads are not counted (and the mock streams too: it generates the
//! download chunk by chunk and counts the upload as it reads it).
//!
//! A control measurement, the buffered `download_file` of the same file, must show a peak
//! above 64 MiB: it proves the counter sees what the client allocates on that thread.

use std::path::{Path, PathBuf};

use wats_core::Package;
use wats_mock::MockServer;

const SIZE: u64 = 64 * 1024 * 1024;
const PEAK: u64 = 4 * 1024 * 1024;

fn clients(server: &MockServer) -> wats_sync::Client {
    let client = wats_http::Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .max_body_size(2 * SIZE)
        .timeout(std::time::Duration::from_secs(300))
        .build()
        .expect("client builds");
    wats_sync::Client::from_async(&client, Default::default()).expect("blocking client builds")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wats-stream-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Hex SHA-256 of a file, read in chunks.
fn sha256_of(path: &Path) -> String {
    use std::io::Read;
    let mut file = std::fs::File::open(path).expect("open");
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        ctx.update(&buf[..n]);
    }
    ctx.finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_package(client: &wats_sync::Client, name: &str) -> String {
    let pkg = client
        .software()
        .create_package(&Package::new(name))
        .expect("package created");
    pkg.package_id.as_str().expect("package id").to_owned()
}

#[test]
fn a_64_mib_download_is_written_in_chunks() {
    let server = MockServer::start();
    let client = clients(&server);
    let pid = new_package(&client, "Big download");
    let file_id = server
        .add_generated_package_file(&pid, "bin", "big.bin", SIZE)
        .expect("file added");
    let listed = client.software().package_files(&pid).expect("files");
    let checksum = listed[0].checksum.as_str().expect("checksum").to_owned();
    let dir = temp_dir("down");
    let path = dir.join("one").join("big.bin");

    // Warm up the thread's runtime and pool: their one-time allocations are not the
    // download's.
    client.server_version().expect("version");

    let mut written = 0;
    let info = allocation_counter::measure(|| {
        written = client
            .software()
            .internal()
            .download_file_to(&file_id, &path)
            .expect("download");
    });
    eprintln!(
        "download_file_to, 64 MiB: peak {} bytes, {} allocations, {} bytes allocated in all",
        info.bytes_max, info.count_total, info.bytes_total
    );
    assert_eq!(written, SIZE);
    assert!(
        info.bytes_max < PEAK,
        "peak heap growth {} bytes",
        info.bytes_max
    );
    assert_eq!(std::fs::metadata(&path).expect("written").len(), SIZE);
    assert_eq!(sha256_of(&path), checksum);
    assert!(!dir.join("one").join("big.bin.part").exists());

    // The package helper streams too, and checks the checksum as it goes.
    let mut files = Vec::new();
    let info = allocation_counter::measure(|| {
        files = client
            .software()
            .download_package(&pid, dir.join("pkg"))
            .expect("package download");
    });
    eprintln!("download_package, 64 MiB: peak {} bytes", info.bytes_max);
    assert!(
        info.bytes_max < PEAK,
        "peak heap growth {} bytes",
        info.bytes_max
    );
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].size, SIZE);
    assert_eq!(files[0].path, dir.join("pkg").join("bin").join("big.bin"));
    assert_eq!(sha256_of(&files[0].path), checksum);

    // Control: the buffered call holds the whole file, and the counter sees it.
    let info = allocation_counter::measure(|| {
        let bytes = client
            .software()
            .internal()
            .download_file(&file_id)
            .expect("buffered download");
        assert_eq!(bytes.len() as u64, SIZE);
    });
    eprintln!(
        "download_file (buffered), 64 MiB: peak {} bytes",
        info.bytes_max
    );
    assert!(info.bytes_max >= SIZE, "peak {}", info.bytes_max);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_64_mib_zip_upload_is_read_from_disk_in_chunks() {
    use std::io::Write;
    let server = MockServer::start();
    let client = clients(&server);
    let pid = new_package(&client, "Big upload");
    let dir = temp_dir("up");
    let path = dir.join("big.zip");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        let mut block = vec![0_u8; 1 << 20];
        for i in 0..(SIZE >> 20) {
            for (j, b) in block.iter_mut().enumerate() {
                *b = (i as usize * 7 + j * 13 % 251) as u8;
            }
            file.write_all(&block).expect("write");
        }
        file.flush().expect("flush");
    }
    let expected = sha256_of(&path);
    client.server_version().expect("version");

    let info = allocation_counter::measure(|| {
        client
            .software()
            .upload_zip_file(&pid, &path, false)
            .expect("upload");
    });
    eprintln!(
        "upload_zip_file, 64 MiB: peak {} bytes, {} allocations",
        info.bytes_max, info.count_total
    );
    assert!(
        info.bytes_max < PEAK,
        "peak heap growth {} bytes",
        info.bytes_max
    );
    let got = server.last_package_upload().expect("an upload arrived");
    assert_eq!(got.package_id, pid);
    assert_eq!(got.file_bytes, Some(SIZE));
    assert_eq!(got.sha256.as_deref(), Some(expected.as_str()));
    assert!(!got.unpacked, "a 64 MiB upload is counted, not kept");
    // Content-Length was stated and honoured: the body is the file plus its framing.
    assert!(
        got.body_bytes > SIZE && got.body_bytes < SIZE + 512,
        "{}",
        got.body_bytes
    );
    std::fs::remove_dir_all(&dir).ok();
}
