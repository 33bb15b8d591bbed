//! Fetch the released software package of this station into a folder, checksums verified.
//!
//! ```text
//! cargo run --example software_sync
//! ```
//!
//! Without `WATS_BASE_URL` it starts the embedded server (`wats-mock`), publishes a demo
//! package there (create, upload a zip, Draft → Pending → Released), then does what a
//! station does: look up the released package by name, download its files into a folder
//! and verify each against its checksum. With `WATS_BASE_URL`, `WATS_TOKEN`,
//! `WATS_PACKAGE` (a package name) and `WATS_SYNC_DIR` it only syncs that package from that
//! server.

use std::path::Path;
use std::process::ExitCode;

use wats::core::{Package, PackageStatus};

const DEMO_TOKEN: &str = "c29mdHdhcmU6ZGVtbw==";
const DEMO_PACKAGE: &str = "ICT-TestStand";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("software_sync failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> wats::Result<()> {
    if std::env::var_os("WATS_BASE_URL").is_some() {
        let client = wats::blocking::Client::from_env()?;
        let name = std::env::var("WATS_PACKAGE")
            .map_err(|_| wats::Error::InvalidConfig("set WATS_PACKAGE".to_owned()))?;
        let dir = std::env::var("WATS_SYNC_DIR")
            .map_err(|_| wats::Error::InvalidConfig("set WATS_SYNC_DIR".to_owned()))?;
        return sync(&client, &name, Path::new(&dir));
    }

    let server = wats_mock::MockServer::builder()
        .token(DEMO_TOKEN)
        .start()
        .map_err(|e| wats::Error::InvalidConfig(format!("embedded server: {e}")))?;
    let client = wats::blocking::Client::builder()
        .configure(|b| b.base_url(server.url()).token(DEMO_TOKEN))
        .build()?;

    println!("1. Publish {DEMO_PACKAGE} (as the software team would)");
    let sw = client.software();
    let pkg = sw.create_package(&Package::new(DEMO_PACKAGE))?;
    let id = pkg.package_id.as_str().unwrap_or_default().to_owned();
    let zip = demo_zip(&[
        ("TestStand/sequence.seq", b"; main sequence\n"),
        ("TestStand/limits.csv", b"step,low,high\nVcc,4.9,5.1\n"),
    ]);
    sw.upload_zip(&id, zip.into(), true)?;
    for status in [PackageStatus::Pending, PackageStatus::Released] {
        let p = sw.set_status(&id, status)?;
        println!("  status -> {}", p.status.as_str().unwrap_or("?"));
    }

    let dir = std::env::temp_dir().join(format!("wats-software-sync-{}", std::process::id()));
    let result = sync(&client, DEMO_PACKAGE, &dir);
    std::fs::remove_dir_all(&dir).ok();
    result?;
    println!("done.");
    Ok(())
}

/// What a station does: the released package by name, into `dir`, checksums verified.
fn sync(client: &wats::blocking::Client, name: &str, dir: &Path) -> wats::Result<()> {
    println!("2. Sync the released {name} into {}", dir.display());
    let files = client.software().sync_released(name, dir)?;
    for f in &files {
        println!(
            "  {} ({} bytes, checksum {})",
            f.path.display(),
            f.size,
            f.checksum
                .as_deref()
                .map_or("not sent", |c| if c.len() > 12 { &c[..12] } else { c })
        );
    }
    println!("  {} files, every checksum verified", files.len());
    Ok(())
}

/// A zip of stored entries (the demo has no zip library; any zip tool's output works).
fn demo_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffff_u32;
        for b in data {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in entries {
        let offset = out.len() as u32;
        let (crc, len, nlen) = (crc32(data), data.len() as u32, name.len() as u16);
        out.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        for v in [crc, len, len] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&nlen.to_le_bytes());
        out.extend_from_slice(&0_u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        for v in [crc, len, len] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&nlen.to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let (cd_at, cd_len, n) = (out.len() as u32, central.len() as u32, entries.len() as u16);
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_at.to_le_bytes());
    out.extend_from_slice(&0_u16.to_le_bytes());
    out
}
