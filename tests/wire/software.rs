use serde_json::json;
use wats_core::{FileAttributes, Package, PackageStatus, VirtualFolder};

use crate::{Expect, Wire, case};

/// The multipart boundary `Body::multipart_file` derives (FNV-1a of content and name).
fn boundary(content: &[u8], name: &str) -> String {
    let fnv = |b: &[u8]| {
        b.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, x| {
            (h ^ u64::from(*x)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!("----wats-{:016x}", fnv(content) ^ fnv(name.as_bytes()))
}

/// The boundary of a zip streamed from a file (`Body::file_boundary`): FNV-1a of its length
/// and name, as the content is not read before it is sent.
fn file_boundary(len: u64, name: &str) -> String {
    let fnv = |b: &[u8]| {
        b.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, x| {
            (h ^ u64::from(*x)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "----wats-{:016x}",
        fnv(&len.to_le_bytes()) ^ fnv(name.as_bytes())
    )
}

fn zip_body(zip: &[u8]) -> (Vec<u8>, &'static str) {
    zip_body_with(zip, &boundary(zip, "package.zip"))
}

fn zip_body_with(zip: &[u8], b: &str) -> (Vec<u8>, &'static str) {
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"package.zip\"\r\n\
         Content-Type: application/zip\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(zip);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let ct = Box::leak(format!("multipart/form-data; boundary={b}").into_boxed_str());
    (body, ct)
}

pub async fn cases(w: &mut Wire) {
    case!(w, software.packages, c => c.software().packages(), Expect::new("GET", "/api/Software/Packages"));
    case!(w, software.package, c => c.software().package("p1"), Expect::new("GET", "/api/Software/Package/p1"));
    case!(w, software.package_opt, c => c.software().package_opt("p1"), Expect::new("GET", "/api/Software/Package/p1"));
    case!(
        w,
        software.package_by_name,
        c => c.software().package_by_name("Test Exec", Some(PackageStatus::Pending), Some(3)),
        Expect::new("GET", "/api/Software/PackageByName?name=Test%20Exec&status=Pending&version=3")
    );
    case!(
        w,
        software.package_by_name_opt,
        c => c.software().package_by_name_opt("T", None, None),
        Expect::new("GET", "/api/Software/PackageByName?name=T")
    );
    case!(
        w,
        software.released_package,
        c => c.software().released_package("T"),
        Expect::new("GET", "/api/Software/PackageByName?name=T&status=Released")
    );
    case!(
        w,
        software.packages_by_tag,
        c => c.software().packages_by_tag("station", Some("ICT"), Some(PackageStatus::Released)),
        Expect::new("GET", "/api/Software/PackagesByTag?tag=station&value=ICT&status=Released")
    );
    case!(
        w,
        software.create_package,
        c => c.software().create_package(&Package::new("TestExec")),
        Expect::new("POST", "/api/Software/Package").json(&json!({"name": "TestExec"}))
    );
    case!(
        w,
        software.update_package,
        c => c.software().update_package("p1", &Package::new("TestExec")),
        Expect::new("PUT", "/api/Software/Package/p1").json(&json!({"name": "TestExec"}))
    );
    case!(w, software.delete_package, c => c.software().delete_package("p1"), Expect::new("DELETE", "/api/Software/Package/p1"));
    case!(
        w,
        software.delete_package_by_name,
        c => c.software().delete_package_by_name("T", Some(2)),
        Expect::new("DELETE", "/api/Software/PackageByName?name=T&version=2")
    );
    case!(
        w,
        software.set_status,
        c => c.software().set_status("p1", PackageStatus::Revoked),
        Expect::new("POST", "/api/Software/PackageStatus/p1?status=Revoked")
    );
    case!(w, software.package_files, c => c.software().package_files("p1"), Expect::new("GET", "/api/Software/PackageFiles/p1"));
    let zip = b"PK\x03\x04 not really a zip".to_vec();
    let (body, ct) = zip_body(&zip);
    let z = zip.clone();
    case!(
        w,
        software.upload_zip,
        c => c.software().upload_zip("p1", z.clone().into(), true),
        Expect::new("POST", "/api/Software/Package/UploadZip/p1?cleanInstall=true").body(body.clone(), ct)
    );
    let path = std::env::temp_dir().join(format!("wats-wire-{}.zip", std::process::id()));
    std::fs::write(&path, &zip).unwrap();
    let p = path.clone();
    let (file_body, file_ct) = zip_body_with(&zip, &file_boundary(zip.len() as u64, "package.zip"));
    case!(
        w,
        software.upload_zip_file,
        c => c.software().upload_zip_file("p1", &p, false),
        Expect::new("POST", "/api/Software/Package/UploadZip/p1").body(file_body.clone(), file_ct)
    );
    std::fs::remove_file(&path).ok();
    case!(
        w,
        software.set_file_attribute,
        c => c.software().set_file_attribute("f1", FileAttributes::EXECUTE_ONCE | FileAttributes::TOP_LEVEL_FILE),
        Expect::new("POST", "/api/Software/Package/FileAttribute/f1?attribute=ExecuteOnce%2CTopLevelFile")
    );
    case!(w, software.virtual_folders, c => c.software().virtual_folders(), Expect::new("GET", "/api/Software/VirtualFolders"));
    case!(
        w,
        software.create_virtual_folder,
        c => c.software().create_virtual_folder(&VirtualFolder::new("Line 1")),
        Expect::new("POST", "/api/Software/VirtualFolder").json(&json!({"name": "Line 1"}))
    );
    let mut f = VirtualFolder::new("Line 2");
    f.id.set("v1".to_owned());
    let f2 = f.clone();
    case!(
        w,
        software.update_virtual_folder,
        c => c.software().update_virtual_folder(&f2),
        Expect::new("PUT", "/api/Software/VirtualFolder").json(&json!({"id": "v1", "name": "Line 2"}))
    );
    case!(
        w,
        software.delete_virtual_folder,
        c => c.software().delete_virtual_folder("v1"),
        Expect::new("DELETE", "/api/Software/VirtualFolder/v1")
    );

    // Internal routes.
    case!(
        w,
        software_internal.is_connected,
        c => c.software().internal().is_connected(),
        Expect::new("GET", "/api/internal/Software/isConnected")
    );
    case!(
        w,
        software_internal.file,
        c => c.software().internal().file("f1"),
        Expect::new("GET", "/api/internal/Software/File/f1")
    );
    case!(
        w,
        software_internal.check_file,
        c => c.software().internal().check_file("p1", "d1", "bin/run.exe", "ab12", 1_700_000_000),
        Expect::new(
            "GET",
            "/api/internal/Software/CheckFile?packageId=p1&parentFolderId=d1&filePath=bin%2Frun.exe\
             &checksum=ab12&fileDateEpoch=1700000000"
        )
    );
    case!(
        w,
        software_internal.create_package_folder,
        c => c.software().internal().create_package_folder("p1", &json!({"name": "bin"})),
        Expect::new("POST", "/api/internal/Software/PostPackageFolder?packageId=p1").json(&json!({"name": "bin"}))
    );
    case!(
        w,
        software_internal.update_package_folder,
        c => c.software().internal().update_package_folder(&json!({"id": "d1"})),
        Expect::new("POST", "/api/internal/Software/UpdatePackageFolder").json(&json!({"id": "d1"}))
    );
    case!(
        w,
        software_internal.delete_package_folder,
        c => c.software().internal().delete_package_folder("d1"),
        Expect::new("POST", "/api/internal/Software/DeletePackageFolder?packageFolderId=d1")
    );
    case!(
        w,
        software_internal.delete_package_folder_files,
        c => c.software().internal().delete_package_folder_files(&["f1", "f2"]),
        Expect::new("POST", "/api/internal/Software/DeletePackageFolderFiles?packageFolderFileIds=f1%2Cf2")
    );
    case!(
        w,
        software_internal.package_history,
        c => c.software().internal().package_history("station,line", Some(2), Some(true)),
        Expect::new("GET", "/api/internal/Software/GetPackageHistory?tags=station%2Cline&status=2&allVersions=true")
    );
    case!(
        w,
        software_internal.download_history,
        c => c.software().internal().download_history(42),
        Expect::new("GET", "/api/internal/Software/GetPackageDownloadHistory?clientId=42")
    );
    case!(
        w,
        software_internal.revoked_packages,
        c => c.software().internal().revoked_packages(&["p1", "p2"], Some(true)),
        Expect::new("GET", "/api/internal/Software/GetRevokedPackages?installedPackages=p1%2Cp2&includeRevokedOnly=true")
    );
    case!(
        w,
        software_internal.available_packages,
        c => c.software().internal().available_packages(&["p1"]),
        Expect::new("GET", "/api/internal/Software/GetAvailablePackages?installedPackages=p1")
    );
    case!(
        w,
        software_internal.entity_details,
        c => c.software().internal().entity_details("p1"),
        Expect::new("GET", "/api/internal/Software/GetSoftwareEntityDetails?packageId=p1")
    );
    case!(
        w,
        software_internal.log_download,
        c => c.software().internal().log_download("p1", 1024),
        Expect::new("GET", "/api/internal/Software/Log?packageId=p1&downloadSize=1024")
    );
    case!(
        w,
        software_internal.download_file,
        c => c.software().internal().download_file("f1"),
        Expect::new("GET", "/api/internal/Software/DownloadFile?repositoryFolderFileId=f1")
    );
    let to = std::env::temp_dir().join(format!("wats-wire-dl-{}", std::process::id()));
    let t = to.clone();
    case!(
        w,
        software_internal.download_file_to,
        c => c.software().internal().download_file_to("f1", t.join("f1.bin")),
        Expect::new("GET", "/api/internal/Software/DownloadFile?repositoryFolderFileId=f1")
    );
    std::fs::remove_dir_all(&to).ok();
}
