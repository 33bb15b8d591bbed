use serde_json::json;
use wats_core::{Asset, AssetLogType, AssetMessage, AssetState, AssetType};
use wats_http::{AssetKey, AssetLogQuery, AssetQuery};

use crate::{Expect, Wire, case};

pub async fn cases(w: &mut Wire) {
    case!(
        w,
        assets.list,
        c => c.assets().list(&AssetQuery::new().serial_number("FX'1").top(5)),
        Expect::new("GET", "/api/Asset?%24filter=serialNumber%20eq%20%27FX%27%271%27&%24top=5")
    );
    // The paging helpers: `_all` on both clients; the Stream on the async client and the
    // iterator on the blocking one. Each sends the first page, as `list` does.
    let aq = || AssetQuery::new().serial_number("FX'1").top(5).skip(10);
    let list_target =
        "/api/Asset?%24filter=serialNumber%20eq%20%27FX%27%271%27&%24top=5&%24skip=10";
    case!(w, assets.list_all, c => c.assets().list_all(&aq()), Expect::new("GET", list_target));
    for name in ["list_iter", "list_stream"] {
        let before = w.server.count();
        let _ = w.client.assets().list_stream(&aq()).next_item().await;
        let b = w.blocking.clone();
        tokio::task::spawn_blocking(move || {
            let _ = b.assets().list_iter(&aq()).next();
        })
        .await
        .unwrap();
        w.check("assets", name, before, &Expect::new("GET", list_target));
    }
    case!(w, assets.get, c => c.assets().get("17"), Expect::new("GET", "/api/Asset/17"));
    case!(w, assets.get_opt, c => c.assets().get_opt("17"), Expect::new("GET", "/api/Asset/17"));
    case!(
        w,
        assets.get_by_serial,
        c => c.assets().get_by_serial("FX/1"),
        Expect::new("GET", "/api/Asset/FX%2F1")
    );
    case!(
        w,
        assets.get_by_serial_opt,
        c => c.assets().get_by_serial_opt("FX-1"),
        Expect::new("GET", "/api/Asset/FX-1")
    );
    case!(
        w,
        assets.save,
        c => c.assets().save(&Asset::new("FX-1", "0f6e2d4a-1111-4222-8333-944445555666")),
        Expect::new("PUT", "/api/Asset")
            .json(&json!({"serialNumber": "FX-1", "typeId": "0f6e2d4a-1111-4222-8333-944445555666"}))
    );
    case!(
        w,
        assets.delete,
        c => c.assets().delete(&AssetKey::id("17")),
        Expect::new("DELETE", "/api/Asset?id=17")
    );
    case!(
        w,
        assets.status,
        c => c.assets().status(&AssetKey::serial("FX 1"), Some(false), Some("nb-NO")),
        Expect::new("GET", "/api/Asset/Status?translate=false&cultureCode=nb-NO&serialNumber=FX%201")
    );
    case!(
        w,
        assets.set_state,
        c => c.assets().set_state(&AssetKey::id("17"), AssetState::InCalibration),
        Expect::new("PUT", "/api/Asset/State?state=4&id=17")
    );
    case!(
        w,
        assets.increment_count,
        c => c.assets().increment_count(&AssetKey::serial("FX-1"), 3, true),
        Expect::new("PUT", "/api/Asset/Count?incrementBy=3&incrementChildren=true&serialNumber=FX-1")
    );
    case!(
        w,
        assets.count_use,
        c => c.assets().count_use("FX-1"),
        Expect::new("PUT", "/api/Asset/Count?incrementBy=1&serialNumber=FX-1")
    );
    case!(
        w,
        assets.reset_running_count,
        c => c.assets().reset_running_count(&AssetKey::id("17"), Some("new pins")),
        Expect::new("POST", "/api/Asset/ResetRunningCount?comment=new%20pins&id=17")
    );
    case!(
        w,
        assets.set_running_count,
        c => c.assets().set_running_count(&AssetKey::id("17"), 5),
        Expect::new("PUT", "/api/Asset/SetRunningCount?runningCount=5&id=17")
    );
    case!(
        w,
        assets.set_total_count,
        c => c.assets().set_total_count(&AssetKey::id("17"), 500),
        Expect::new("PUT", "/api/Asset/SetTotalCount?totalCount=500&id=17")
    );
    let t1 = wats_core::time::parse("2026-01-02T04:04:05+01:00")
        .unwrap()
        .into();
    let t2 = wats_core::time::parse("2027-01-02T03:04:05Z")
        .unwrap()
        .into();
    case!(
        w,
        assets.record_calibration,
        c => c.assets().record_calibration(&AssetKey::id("17"), Some(t1), None),
        Expect::new("POST", "/api/Asset/Calibration?dateTime=2026-01-02T03%3A04%3A05Z&id=17")
    );
    case!(
        w,
        assets.record_maintenance,
        c => c.assets().record_maintenance(&AssetKey::serial("FX-1"), None, Some("greased")),
        Expect::new("POST", "/api/Asset/Maintenance?comment=greased&serialNumber=FX-1")
    );
    case!(
        w,
        assets.record_calibration_external,
        c => c.assets().record_calibration_external(&AssetKey::id("17"), t1, t2, Some("lab")),
        Expect::new(
            "POST",
            "/api/Asset/Calibration/External?fromDate=2026-01-02T03%3A04%3A05Z\
             &toDate=2027-01-02T03%3A04%3A05Z&comment=lab&id=17"
        )
    );
    case!(
        w,
        assets.record_maintenance_external,
        c => c.assets().record_maintenance_external(&AssetKey::id("17"), t1, t2, None),
        Expect::new(
            "POST",
            "/api/Asset/Maintenance/External?fromDate=2026-01-02T03%3A04%3A05Z\
             &toDate=2027-01-02T03%3A04%3A05Z&id=17"
        )
    );
    let lq = || AssetLogQuery::new().asset_id("17").top(10).skip(20);
    let log_target = "/api/Asset/Log?%24filter=assetId%20eq%20%2717%27&%24top=10&%24skip=20";
    case!(w, assets.log_all, c => c.assets().log_all(&lq()), Expect::new("GET", log_target));
    for name in ["log_iter", "log_stream"] {
        let before = w.server.count();
        let _ = w.client.assets().log_stream(&lq()).next_item().await;
        let b = w.blocking.clone();
        tokio::task::spawn_blocking(move || {
            let _ = b.assets().log_iter(&lq()).next();
        })
        .await
        .unwrap();
        w.check("assets", name, before, &Expect::new("GET", log_target));
    }
    case!(
        w,
        assets.log,
        c => c.assets().log(&AssetLogQuery::new().asset_id("17").kind(AssetLogType::Calibration).top(10)),
        Expect::new(
            "GET",
            "/api/Asset/Log?%24filter=%28assetId%20eq%20%2717%27%29%20and%20%28type%20eq%204%29&%24top=10"
        )
    );
    case!(
        w,
        assets.add_message,
        c => c.assets().add_message(&AssetKey::id("17"), &AssetMessage::new("cleaned")),
        Expect::new("POST", "/api/Asset/Message?id=17").json(&json!({"content": "cleaned"}))
    );
    case!(w, assets.types, c => c.assets().types(), Expect::new("GET", "/api/Asset/Types"));
    case!(
        w,
        assets.save_type,
        c => c.assets().save_type(&AssetType::new("Fixture")),
        Expect::new("PUT", "/api/Asset/Types").json(&json!({"typeName": "Fixture"}))
    );
    case!(
        w,
        assets.sub_assets,
        c => c.assets().sub_assets(&AssetKey::id("17"), Some(2)),
        Expect::new("GET", "/api/Asset/SubAssets?level=2&id=17")
    );
    internal_cases(w).await;
}

pub async fn internal_cases(w: &mut Wire) {
    case!(
        w,
        assets_internal.upload_file,
        c => c.assets().internal().upload_file("17", "cert.pdf", &b"%PDF"[..]),
        Expect::new("POST", "/api/internal/Blob/Asset?assetId=17&filename=cert.pdf")
            .body(&b"%PDF"[..], "application/octet-stream")
    );
    case!(
        w,
        assets_internal.download_file,
        c => c.assets().internal().download_file("17", "cert.pdf"),
        Expect::new("GET", "/api/internal/Blob/Asset?assetId=17&filename=cert.pdf")
    );
    case!(
        w,
        assets_internal.list_files,
        c => c.assets().internal().list_files("17"),
        Expect::new("GET", "/api/internal/Blob/Asset/List/17")
    );
    case!(
        w,
        assets_internal.delete_files,
        c => c.assets().internal().delete_files("17", &["a", "b"]),
        Expect::new("DELETE", "/api/internal/Blob/Assets?assetId=17").json(&json!(["a", "b"]))
    );
}
