//! Software distribution against the embedded server: a package moves through its statuses
//! in the server's order, a zip upload becomes its files, a released package is fetched
//! into a directory with checksums verified.

mod support;

use wats_core::product::Setting;
use wats_core::{Error, FileAttributes, Package, PackageStatus, VirtualFolder};
use wats_mock::MockServer;

fn client(server: &MockServer) -> wats_http::Client {
    support::client(server.url()).build().unwrap()
}

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

/// A zip of entries: stored, except names ending in `.csv`, which are deflated (both
/// methods the embedded server unpacks).
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in entries {
        let deflate = name.ends_with(".csv");
        let packed = if deflate {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        } else {
            data.to_vec()
        };
        let method: u16 = if deflate { 8 } else { 0 };
        let offset = out.len() as u32;
        let (crc, len, plen, nlen) = (
            crc32(data),
            data.len() as u32,
            packed.len() as u32,
            name.len() as u16,
        );
        out.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0]);
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        for v in [crc, plen, len] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&nlen.to_le_bytes());
        out.extend_from_slice(&0_u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&packed);
        central.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0]);
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&[0, 0, 0, 0]);
        for v in [crc, plen, len] {
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

fn tmp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("wats-sw-{tag}-{}", std::process::id()));
    std::fs::remove_dir_all(&d).ok();
    d
}

#[tokio::test]
async fn status_follows_the_servers_order() {
    let server = MockServer::start();
    let sw = client(&server);
    let sw = sw.software();
    let p = sw.create_package(&Package::new("TestExec")).await.unwrap();
    let id = p.package_id.as_str().unwrap().to_owned();
    assert_eq!(p.package_status(), Some(PackageStatus::Draft));
    // Draft cannot be released directly.
    assert!(matches!(
        sw.set_status(&id, PackageStatus::Released).await,
        Err(Error::Status { status: 400, .. })
    ));
    sw.set_status(&id, PackageStatus::Pending).await.unwrap();
    sw.set_status(&id, PackageStatus::Draft).await.unwrap();
    let mut upd = Package::new("TestExec");
    upd.description.set("v1".to_owned());
    sw.update_package(&id, &upd).await.unwrap();
    sw.set_status(&id, PackageStatus::Pending).await.unwrap();
    let released = sw.set_status(&id, PackageStatus::Released).await.unwrap();
    assert!(released.released.is_value());
    assert!(matches!(
        sw.set_status(&id, PackageStatus::Pending).await,
        Err(Error::Status { status: 400, .. })
    ));
    assert_eq!(
        sw.released_package("testexec")
            .await
            .unwrap()
            .description
            .as_str(),
        Some("v1")
    );
    let revoked = sw.set_status(&id, PackageStatus::Revoked).await.unwrap();
    assert_eq!(revoked.package_status(), Some(PackageStatus::Revoked));
    assert!(
        sw.package_by_name_opt("TestExec", Some(PackageStatus::Released), None)
            .await
            .unwrap()
            .is_none()
    );
    let gone = sw
        .internal()
        .revoked_packages(&[id.as_str(), "other"], None)
        .await
        .unwrap();
    assert_eq!(gone, std::slice::from_ref(&id));
    sw.delete_package(&id).await.unwrap();
    assert!(sw.package_opt(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn a_released_package_is_synced_into_a_directory_with_checksums() {
    let server = MockServer::start();
    let c = client(&server);
    let sw = c.software();
    let mut pkg = Package::new("StationSW");
    pkg.tags.push({
        let mut t = Setting::default();
        t.key.set("station".to_owned());
        t.value.set("ICT".to_owned());
        t
    });
    let v1 = sw.create_package(&pkg).await.unwrap();
    let id = v1.package_id.as_str().unwrap().to_owned();
    let big: Vec<u8> = (0..200_000_u32).map(|i| (i * 7 % 251) as u8).collect();
    let z = zip(&[
        ("bin/run.exe", b"MZ fake exe"),
        ("cfg/limits.csv", &big),
        ("bin/old.dll", b"x"),
    ]);
    sw.upload_zip(&id, z.into(), false).await.unwrap();
    // A clean install replaces everything with the second zip.
    let z2 = zip(&[("bin/run.exe", b"MZ fake exe v2"), ("cfg/limits.csv", &big)]);
    assert!(z2.len() < big.len(), "the csv entry is deflated");
    let path = tmp_dir("zip").with_extension("zip");
    std::fs::write(&path, &z2).unwrap();
    sw.upload_zip_file(&id, &path, true).await.unwrap();
    std::fs::remove_file(&path).ok();
    let files = sw.package_files(&id).await.unwrap();
    assert_eq!(files.len(), 2);
    let exe = files
        .iter()
        .find(|f| f.name.as_str() == Some("run.exe"))
        .unwrap();
    sw.set_file_attribute(
        exe.package_file_id.as_str().unwrap(),
        FileAttributes::EXECUTE_ONCE,
    )
    .await
    .unwrap();
    let files = sw.package_files(&id).await.unwrap();
    let exe = files
        .iter()
        .find(|f| f.name.as_str() == Some("run.exe"))
        .unwrap();
    assert_eq!(exe.attribute_flags(), FileAttributes::EXECUTE_ONCE);
    // A zip with a file on its root is refused.
    assert!(matches!(
        sw.upload_zip(&id, zip(&[("root.txt", b"r")]).into(), false)
            .await,
        Err(Error::Status { status: 400, .. })
    ));

    sw.set_status(&id, PackageStatus::Pending).await.unwrap();
    sw.set_status(&id, PackageStatus::Released).await.unwrap();
    let by_tag = sw
        .packages_by_tag("station", Some("ICT"), Some(PackageStatus::Released))
        .await
        .unwrap();
    assert_eq!(by_tag.len(), 1);

    let dir = tmp_dir("sync");
    let got = sw.sync_released("StationSW", &dir).await.unwrap();
    assert_eq!(got.len(), 2);
    assert!(
        got.iter()
            .all(|f| f.checksum.as_deref().is_some_and(|c| c.len() == 64))
    );
    assert_eq!(
        std::fs::read(dir.join("bin/run.exe")).unwrap(),
        b"MZ fake exe v2"
    );
    assert_eq!(std::fs::read(dir.join("cfg/limits.csv")).unwrap(), big);
    std::fs::remove_dir_all(&dir).ok();

    // A newer released version shows as available for the installed one.
    let v2 = sw.create_package(&Package::new("StationSW")).await.unwrap();
    let id2 = v2.package_id.as_str().unwrap();
    assert_eq!(v2.version.value(), Some(&2));
    sw.set_status(id2, PackageStatus::Pending).await.unwrap();
    sw.set_status(id2, PackageStatus::Released).await.unwrap();
    let avail = sw
        .internal()
        .available_packages(&[id.as_str()])
        .await
        .unwrap();
    assert_eq!(avail.len(), 1);
    assert_eq!(avail[0].package_id.as_str(), Some(id2));
    assert!(sw.internal().is_connected().await.unwrap());

    let folder = sw
        .create_virtual_folder(&VirtualFolder::new("Line 1"))
        .await
        .unwrap();
    assert_eq!(sw.virtual_folders().await.unwrap().len(), 1);
    sw.delete_virtual_folder(folder.id.as_str().unwrap())
        .await
        .unwrap();
    assert!(sw.virtual_folders().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_checksum_mismatch_writes_nothing() {
    // A server whose file list claims another checksum than the bytes it serves.
    let server = support::TestServer::start(|_, seen| {
        if seen.target.starts_with("/api/Software/PackageFiles/") {
            support::Reply::json(
                200,
                r#"[{"packageFileId":"1","name":"a.txt","packageFolderName":"d",
                     "checksum":"0000000000000000000000000000000000000000000000000000000000000000"}]"#,
            )
        } else {
            support::Reply::json(200, "").body(&b"hello"[..])
        }
    })
    .await;
    let c = support::client(&server.url()).build().unwrap();
    let dir = tmp_dir("bad");
    let r = c.software().download_package("p", &dir).await;
    assert!(
        matches!(
            r,
            Err(Error::Decode {
                target: "package file",
                ..
            })
        ),
        "{r:?}"
    );
    assert!(!dir.join("d/a.txt").exists());
}

/// A streamed download is retried before its first byte (a 503 head), writes the whole
/// file, and leaves nothing behind when it fails (a 404: no file, no part file).
#[tokio::test]
async fn download_file_to_retries_before_the_first_byte_and_cleans_up() {
    let server = MockServer::start();
    let c = client(&server);
    let pkg = c
        .software()
        .create_package(&Package::new("Streamed"))
        .await
        .unwrap();
    let pid = pkg.package_id.as_str().unwrap().to_owned();
    let fid = server
        .add_generated_package_file(&pid, "bin", "a.bin", 300_000)
        .unwrap();
    let dir = std::env::temp_dir().join(format!("wats-dl-to-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    server.reset_counters();
    server.fail_next(1, 503);
    let n = c
        .software()
        .internal()
        .download_file_to(&fid, dir.join("a.bin"))
        .await
        .unwrap();
    assert_eq!(n, 300_000);
    assert_eq!(std::fs::metadata(dir.join("a.bin")).unwrap().len(), 300_000);
    assert_eq!(
        server.requests_for("/api/internal/Software/DownloadFile"),
        2,
        "one 503, one retry"
    );
    let files = c.software().package_files(&pid).await.unwrap();
    let sum = files[0].checksum.as_str().unwrap();
    let bytes = std::fs::read(dir.join("a.bin")).unwrap();
    assert!(wats_http::verify_checksum(&bytes, sum).unwrap());

    let missing = c
        .software()
        .internal()
        .download_file_to("no-such-file", dir.join("b.bin"))
        .await;
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
    assert!(!dir.join("b.bin").exists());
    assert!(!dir.join("b.bin.part").exists());
    std::fs::remove_dir_all(&dir).ok();
}
