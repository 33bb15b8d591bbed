//! Every served route, with the server's shapes and behaviour.

mod common;

use common::{Conn, get, request};
use serde_json::Value;
use wats_mock::MockServer;

const UUT_EXPORT: &[u8] = include_bytes!("../../../fixtures/wats-samples/uut-wsjf-export.json");
const UUR: &[u8] = include_bytes!("../../../fixtures/wats-samples/uur_example.json");
const ADVANCED: &[u8] = include_bytes!("../../../fixtures/wats-samples/advanced_uut.json");

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[test]
fn version_is_a_json_string() {
    let s = MockServer::start();
    let r = get(s.addr(), "/api/App/Version");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(r.json(), Value::String(wats_mock::SERVER_VERSION.into()));
}

#[test]
fn processes_default_and_flags() {
    let s = MockServer::start();
    let all = get(s.addr(), "/api/App/Processes").json();
    let all = all.as_array().unwrap();
    // Active test, repair and WIP processes; inactive ones hidden.
    assert!(all.iter().all(|p| p["state"] == 1));
    for key in [
        "code",
        "name",
        "description",
        "isTestOperation",
        "isRepairOperation",
        "isWipOperation",
        "processIndex",
        "state",
    ] {
        assert!(all[0].get(key).is_some(), "missing {key}");
    }
    let codes: Vec<i64> = all.iter().map(|p| p["code"].as_i64().unwrap()).collect();
    for c in [10, 20, 30, 500, 510, 600] {
        assert!(codes.contains(&c), "{c} missing from {codes:?}");
    }
    assert!(!codes.contains(&110), "inactive process listed");

    let repair = get(s.addr(), "/api/App/Processes?includeRepairOperations=true").json();
    let repair: Vec<i64> = repair
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_i64().unwrap())
        .collect();
    assert_eq!(repair, [500, 510]);

    let tests = get(
        s.addr(),
        "/api/App/Processes?includeTestOperations=true&includeInactiveProcesses=true",
    )
    .json();
    let tests = tests.as_array().unwrap();
    assert!(tests.iter().all(|p| p["isTestOperation"] == true));
    assert!(tests.iter().any(|p| p["code"] == 110 && p["state"] == 0));

    let bad = get(s.addr(), "/api/App/Processes?includeWipOperations=maybe");
    assert_eq!(bad.status, 400);
    assert!(bad.message().contains("maybe"));
}

#[test]
fn product_query_lists_100_and_filters() {
    let s = MockServer::start();
    let all = get(s.addr(), "/api/Product/Query").json();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 100);
    assert_eq!(all[0]["partNumber"], "FATPartNo");
    for key in ["partNumber", "name", "category", "nonSerial", "state"] {
        assert!(all[5].get(key).is_some(), "missing {key}");
    }

    let one = get(
        s.addr(),
        &format!(
            "/api/Product/Query?$filter={}",
            enc("PartNumber eq 'PCBA-1001'")
        ),
    )
    .json();
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["name"], "Controller board 1001");

    let pcba = get(
        s.addr(),
        &format!(
            "/api/Product/Query?%24filter={}&%24top=3",
            enc("Category eq 'PCBA'")
        ),
    )
    .json();
    let pcba = pcba.as_array().unwrap();
    assert_eq!(pcba.len(), 3);
    assert!(pcba.iter().all(|p| p["category"] == "PCBA"));

    let bad = get(
        s.addr(),
        &format!("/api/Product/Query?$filter={}", enc("colour eq 'red'")),
    );
    assert_eq!(bad.status, 400);
    assert!(bad.message().contains("colour"));
}

#[test]
fn product_and_revision() {
    let s = MockServer::start();
    let p = get(s.addr(), "/api/Product/FATPartNo").json();
    assert_eq!(p["partNumber"], "FATPartNo");
    let revs: Vec<&str> = p["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_str().unwrap())
        .collect();
    assert_eq!(revs, ["Rev1", "Rev2"]);
    assert!(p["productId"].as_str().unwrap().len() == 36);

    let r = get(s.addr(), "/api/Product/PCBA-1001/B").json();
    assert_eq!(r["revision"], "B");
    assert_eq!(r["PartNumber"], "PCBA-1001");
    assert_eq!(
        r["productId"],
        get(s.addr(), "/api/Product/PCBA-1001").json()["productId"]
    );

    let missing = get(s.addr(), "/api/Product/NOPE-1");
    assert_eq!(missing.status, 404);
    assert!(missing.message().contains("NOPE-1"));
    assert_eq!(get(s.addr(), "/api/Product/PCBA-1001/Z").status, 404);
}

#[test]
fn unit_lookup_decodes_path_segments() {
    let s = MockServer::start();
    let u = get(s.addr(), "/api/Production/Unit/FATTest-325/FATPartNo").json();
    assert_eq!(u["serialNumber"], "FATTest-325");
    assert_eq!(u["revision"], "Rev1");

    let path = format!(
        "/api/Production/Unit/{}/{}",
        enc(wats_mock::AWKWARD_SERIAL),
        enc("PCBA-1001")
    );
    let u = get(s.addr(), &path);
    assert_eq!(u.status, 200, "{}", String::from_utf8_lossy(&u.body));
    assert_eq!(u.json()["serialNumber"], wats_mock::AWKWARD_SERIAL);
    // The raw path is counted, still encoded.
    assert_eq!(s.requests_for(&path), 1);
    assert_eq!(
        s.requests_for("/api/Production/Unit/{serialNumber}/{partNumber}"),
        2
    );

    let missing = get(s.addr(), "/api/Production/Unit/NOPE/FATPartNo");
    assert_eq!(missing.status, 404);
    assert!(missing.message().contains("NOPE"));
}

#[test]
fn unknown_routes_and_methods() {
    let s = MockServer::start();
    let r = get(s.addr(), "/api/Nope");
    assert_eq!(r.status, 404);
    assert!(r.message().contains("/api/Nope"));
    // A literal route beside `/api/Product/{partNumber}`: the vendor list, not a product.
    let vendors = get(s.addr(), "/api/Product/Vendors");
    assert_eq!(vendors.status, 200);
    assert_eq!(vendors.json(), serde_json::json!([]));
    // Production/Unit/Query is outside the OpenAPI doc but served (pyWATS relies on it).
    assert_eq!(get(s.addr(), "/api/Production/Unit/Query").status, 200);
    let m = request(s.addr(), "POST", "/api/App/Version", &[], b"{}");
    assert_eq!(m.status, 405);
    assert_eq!(m.header("allow"), Some("GET"));
    assert!(!m.message().is_empty());
    assert_eq!(get(s.addr(), "/api/Report/WSJF").status, 405);
}

#[test]
fn seeded_reports_fetch_back_byte_equal() {
    let s = MockServer::start();
    assert_eq!(s.report_count(), 5);
    let r = get(
        s.addr(),
        "/api/Report/Wsjf/33a2d408-3fc8-480b-b554-6866c77fd91c",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body, UUT_EXPORT);
    // GUID case does not matter.
    let r = get(
        s.addr(),
        "/api/Report/Wsjf/83AC0B8E-B575-4004-94DE-F905774C3ED8?detailLevel=7",
    );
    assert_eq!(r.body, UUR);
    let r = get(
        s.addr(),
        "/api/Report/Wsjf/b0612e7a-ea2f-423f-bfd8-505ca52ab042",
    );
    assert_eq!(r.body, ADVANCED);
}

#[test]
fn submit_then_fetch_back_and_overwrite() {
    let s = MockServer::builder().seed(false).start().unwrap();
    let id = "0b5c1f0e-8a9e-4c55-9d1a-3f1f5d6e7a80";
    let body = format!(
        "{{ \"type\":\"T\", \"id\":\"{id}\", \"pn\":\"PN-9\", \"sn\":\"SN-9\", \"rev\":\"A\",\
         \"processCode\":30, \"result\":\"P\", \"machineName\":\"ST-1\", \"location\":\"L\",\
         \"purpose\":\"Dev\", \"start\":\"2026-02-01T10:00:00.1234567+01:00\",\
         \"uut\":{{\"user\":\"op1\",\"execTime\":1.5}}, \"root\":{{\"stepType\":\"SequenceCall\"}} }}"
    );
    let r = request(
        s.addr(),
        "POST",
        "/api/Report/WSJF",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 200);
    let answer = r.json();
    assert_eq!(answer["ID"], id);
    assert_eq!(answer["uuid"], id);
    assert!(answer["Report_ID"].as_i64().unwrap() > 0);

    let back = get(s.addr(), &format!("/api/Report/Wsjf/{id}"));
    assert_eq!(
        back.body,
        body.as_bytes(),
        "fetched bytes differ from the submitted ones"
    );
    assert_eq!(s.stored_report(id).unwrap(), body.as_bytes());

    // The header is computed from the report.
    let h = get(s.addr(), "/api/Report/Query/Header?reportType=U").json();
    assert_eq!(h.as_array().unwrap().len(), 1);
    let h = &h[0];
    assert_eq!(h["uuid"], id);
    assert_eq!(h["serialNumber"], "SN-9");
    assert_eq!(h["partNumber"], "PN-9");
    assert_eq!(h["revision"], "A");
    assert_eq!(h["reportType"], "T");
    assert_eq!(h["stationName"], "ST-1");
    assert_eq!(h["processCode"], 30);
    assert_eq!(h["processName"], "FCT");
    assert_eq!(h["userName"], "op1");
    assert_eq!(h["result"], "P");
    assert_eq!(h["start"], "2026-02-01T10:00:00.1234567+01:00");
    assert_eq!(h["receiveCount"], 1);

    // Re-submitting the same id overwrites.
    let body2 = body.replace("\"result\":\"P\"", "\"result\":\"F\"");
    let r = request(s.addr(), "POST", "/api/Report/WSJF", &[], body2.as_bytes());
    assert_eq!(r.status, 200);
    assert_eq!(s.report_count(), 1);
    assert_eq!(
        get(s.addr(), &format!("/api/Report/Wsjf/{id}")).body,
        body2.as_bytes()
    );
    let h = get(s.addr(), "/api/Report/Query/Header?reportType=U").json();
    assert_eq!(h[0]["result"], "F");
    assert_eq!(h[0]["receiveCount"], 2);

    // Submitting creates the unit.
    assert_eq!(
        get(s.addr(), "/api/Production/Unit/SN-9/PN-9").json()["revision"],
        "A"
    );
}

#[test]
fn submit_sample_uur_roundtrips() {
    let s = MockServer::builder().seed(false).start().unwrap();
    let r = request(s.addr(), "POST", "/api/Report/WSJF", &[], UUR);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["ID"], "83ac0b8e-b575-4004-94de-f905774c3ed8");
    assert_eq!(
        get(
            s.addr(),
            "/api/Report/Wsjf/83ac0b8e-b575-4004-94de-f905774c3ed8"
        )
        .body,
        UUR
    );
    let h = get(s.addr(), "/api/Report/Query/Header?reportType=R").json();
    assert_eq!(h[0]["reportType"], "R");
    assert_eq!(h[0]["userName"], "RepairOperator");
    assert_eq!(
        h[0]["referencedUut"],
        "873d67f8-7669-4f4b-a627-e598e444d323"
    );
    assert!(
        get(s.addr(), "/api/Report/Query/Header?reportType=U")
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn submit_rejects_invalid_reports() {
    let s = MockServer::builder().seed(false).start().unwrap();
    for bad in [
        &b"{\"type\":\"T\","[..],
        b"[1,2]",
        b"{\"type\":\"Q\",\"pn\":\"a\",\"sn\":\"b\"}",
        b"{\"id\":\"not-a-guid\",\"type\":\"T\",\"pn\":\"a\",\"sn\":\"b\"}",
    ] {
        let r = request(s.addr(), "POST", "/api/Report/WSJF", &[], bad);
        assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(bad));
        assert!(!r.message().is_empty());
    }
    assert_eq!(s.report_count(), 0);
}

#[test]
fn missing_report_is_404_with_message() {
    let s = MockServer::start();
    let r = get(
        s.addr(),
        "/api/Report/Wsjf/00000000-0000-0000-0000-000000000001",
    );
    assert_eq!(r.status, 404);
    assert!(r.message().contains("00000000-0000-0000-0000-000000000001"));
    let r = get(s.addr(), "/api/Report/Wsjf/garbage");
    assert_eq!(r.status, 404);
    assert!(!r.message().is_empty());
}

#[test]
fn header_query_filters_order_and_paging() {
    let s = MockServer::start();
    let q = |query: &str| -> Vec<Value> {
        let r = get(s.addr(), &format!("/api/Report/Query/Header?{query}"));
        assert_eq!(
            r.status,
            200,
            "{query}: {}",
            String::from_utf8_lossy(&r.body)
        );
        r.json().as_array().unwrap().clone()
    };
    // Four seeded UUTs, newest first by default.
    let all = q("reportType=U");
    assert_eq!(all.len(), 4);
    let sns: Vec<&str> = all
        .iter()
        .map(|h| h["serialNumber"].as_str().unwrap())
        .collect();
    assert_eq!(
        sns,
        ["FATTest-883", "FATTest-325", "244750022142", "FATTest-333"]
    );

    let by_part = q(&format!(
        "reportType=U&$filter={}",
        enc("partNumber eq 'FATPartNo'")
    ));
    assert_eq!(by_part.len(), 3);
    assert!(by_part.iter().all(|h| h["partNumber"] == "FATPartNo"));

    let by_sn = q(&format!(
        "reportType=U&%24filter={}",
        enc("serialNumber eq 'FATTest-325' and partNumber eq 'FATPartNo'")
    ));
    assert_eq!(by_sn.len(), 1);
    assert_eq!(by_sn[0]["uuid"], "33a2d408-3fc8-480b-b554-6866c77fd91c");
    assert_eq!(by_sn[0]["stationName"], "OLALAPTOP");
    assert_eq!(by_sn[0]["userName"], "FATOperator");

    // Form encoding: '+' is a space.
    let plus = q("reportType=U&$filter=serialNumber+eq+%27FATTest-325%27");
    assert_eq!(plus.len(), 1);

    let top = q(&format!(
        "reportType=U&$top=2&$filter={}",
        enc("partNumber eq 'FATPartNo'")
    ));
    assert_eq!(top.len(), 2);
    assert_eq!(top[0]["serialNumber"], "FATTest-883");

    let asc = q("reportType=U&$orderby=start%20asc&$skip=1&$top=1");
    assert_eq!(asc[0]["serialNumber"], "244750022142");

    let range = q(&format!(
        "reportType=U&$filter={}",
        enc("start ge 2026-01-30T00:00:00Z and start le 2026-01-30T21:00:00Z")
    ));
    let sns: Vec<&str> = range
        .iter()
        .map(|h| h["serialNumber"].as_str().unwrap())
        .collect();
    assert_eq!(sns, ["244750022142"]);

    // Quote escaping: a serial with a quote matches only itself.
    let none = q(&format!(
        "reportType=U&$filter={}",
        enc("serialNumber eq 'O''Brien'")
    ));
    assert!(none.is_empty());

    let expanded = q(&format!(
        "reportType=U&$expand=subUnits,miscInfo&$filter={}",
        enc("serialNumber eq 'FATTest-325'")
    ));
    assert!(expanded[0]["subUnits"].is_array());
    assert!(expanded[0]["miscInfo"].is_array());

    for bad in [
        "",
        "reportType=X",
        "reportType=U&$top=abc",
        "reportType=U&$top=10001",
        "reportType=U&$filter=serialNumber%20eq",
        "reportType=U&$orderby=result",
    ] {
        let r = get(s.addr(), &format!("/api/Report/Query/Header?{bad}"));
        assert_eq!(r.status, 400, "{bad}");
        assert!(!r.message().is_empty());
    }
}

#[test]
fn header_query_default_top_is_10() {
    let s = MockServer::builder().seed(false).start().unwrap();
    for i in 0..12 {
        let body = format!(
            "{{\"type\":\"T\",\"id\":\"{}\",\"pn\":\"P\",\"sn\":\"S'{i}\",\"rev\":\"A\",\"start\":\"2026-01-{:02}T10:00:00Z\"}}",
            format_args!("00000000-0000-4000-8000-{i:012}"),
            i + 1
        );
        s.insert_report(body.into_bytes()).unwrap();
    }
    let mut c = Conn::open(s.addr()).unwrap();
    let r = c.get("/api/Report/Query/Header?reportType=U").json();
    assert_eq!(r.as_array().unwrap().len(), 10);
    assert_eq!(r[0]["serialNumber"], "S'11");
    let r = c
        .get(&format!(
            "/api/Report/Query/Header?reportType=U&$filter={}",
            enc("serialNumber eq 'S''3'")
        ))
        .json();
    assert_eq!(r.as_array().unwrap().len(), 1);
    assert_eq!(r[0]["serialNumber"], "S'3");
    let r = c
        .get("/api/Report/Query/Header?reportType=U&$top=100")
        .json();
    assert_eq!(r.as_array().unwrap().len(), 12);
}
