//! The typed domain API against mockito: exact request shapes (method, path, query,
//! headers, body) and answer decoding.

mod support;

use mockito::Matcher;
use support::{Reply, TestServer};
use wats_core::{CorrelationExt, Error, Report, json};
use wats_http::{HeaderQuery, ProcessFilter, ReportOptions, UnitQuery};

const TOKEN: &str = "dXNlcjpwYXNz";
const UUT: &str = include_str!("../../../fixtures/wats-samples/uut-wsjf-export.json");

fn client(url: &str) -> wats_http::Client {
    support::client(url).build().unwrap()
}

fn q(k: &str, v: &str) -> Matcher {
    Matcher::UrlEncoded(k.to_owned(), v.to_owned())
}

#[tokio::test]
async fn report_get_with_options() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock(
            "GET",
            "/api/Report/Wsjf/33a2d408-3fc8-480b-b554-6866c77fd91c",
        )
        .match_query(Matcher::AllOf(vec![
            q("detailLevel", "3"),
            q("includeChartdata", "false"),
            q("includeAttachments", "true"),
        ]))
        .match_header("authorization", format!("Basic {TOKEN}").as_str())
        .match_header("accept", "application/json")
        .match_header("x-correlation-id", "get-1")
        .with_body(UUT)
        .create_async()
        .await;
    let c = client(&server.url());
    let opts = ReportOptions::new()
        .detail_level(3)
        .include_chartdata(false)
        .include_attachments(true);
    let report = c
        .reports()
        .get_with("33a2d408-3fc8-480b-b554-6866c77fd91c", opts)
        .with_correlation_id("get-1")
        .await
        .unwrap();
    assert!(report.is_uut());
    assert_eq!(report.sn(), Some("FATTest-325"));
    assert_eq!(report.pn(), Some("FATPartNo"));
    m.assert_async().await;
}

#[tokio::test]
async fn report_get_without_options_sends_no_query_and_404_rule() {
    let mut server = mockito::Server::new_async().await;
    let found = server
        .mock("GET", "/api/Report/Wsjf/a")
        .match_query(Matcher::Exact(String::new()))
        .with_body(UUT)
        .create_async()
        .await;
    let missing = server
        .mock("GET", "/api/Report/Wsjf/b")
        .with_status(404)
        .with_body(r#"{"Message":"Report not found"}"#)
        .expect(2)
        .create_async()
        .await;
    let c = client(&server.url());
    assert!(c.reports().get_opt("a").await.unwrap().is_some());
    let err = c.reports().get("b").await.unwrap_err();
    assert!(matches!(&err, Error::NotFound { message, .. } if message == "Report not found"));
    assert!(err.correlation_id().is_some());
    assert!(c.reports().get_opt("b").await.unwrap().is_none());
    found.assert_async().await;
    missing.assert_async().await;
}

#[tokio::test]
async fn query_headers_shape() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", "/api/Report/Query/Header")
        .match_query(Matcher::AllOf(vec![
            q("reportType", "U"),
            q(
                "$filter",
                "(serialNumber eq 'S''N') and (subUnits/any(s: s/partNumber eq 'SUB-1'))",
            ),
            q("$top", "10"),
            q("$orderby", "start desc"),
            q("$expand", "subUnits,miscInfo"),
        ]))
        .with_body(
            r#"[{"uuid":"u1","serialNumber":"S'N","partNumber":"P","reportType":"T"},
                {"uuid":"u2","serialNumber":"S'N","partNumber":"P","reportType":"T","newField":1}]"#,
        )
        .create_async()
        .await;
    let uur = server
        .mock("GET", "/api/Report/Query/Header")
        .match_query(Matcher::AllOf(vec![
            q("reportType", "R"),
            q("$filter", "uurSubUnits/any(s: s/serialNumber eq 'X')"),
        ]))
        .with_status(204)
        .create_async()
        .await;
    let c = client(&server.url());
    let query = HeaderQuery::uut()
        .serial_number("S'N")
        .sub_unit_part_number("SUB-1")
        .top(10)
        .order_by("start desc")
        .expand("subUnits")
        .expand("miscInfo");
    let headers = c.reports().query_headers(&query).await.unwrap();
    assert_eq!(headers.len(), 2);
    assert_eq!(headers[1].uuid.as_str(), Some("u2"));
    let none = c
        .reports()
        .query_headers(&HeaderQuery::uur().sub_unit_serial_number("X"))
        .await
        .unwrap();
    assert!(none.is_empty());
    m.assert_async().await;
    uur.assert_async().await;
}

#[tokio::test]
async fn submit_posts_wsjf_and_parses_the_id() {
    let report: Report = json::from_str(UUT).unwrap();
    let expected: serde_json::Value = serde_json::from_str(UUT).unwrap();
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("POST", "/api/Report/WSJF")
        .match_header("content-type", "application/json")
        .match_header("authorization", format!("Basic {TOKEN}").as_str())
        .match_body(Matcher::Json(expected))
        .with_body(r#"[{"ID":"33a2d408-3fc8-480b-b554-6866c77fd91c"}]"#)
        .create_async()
        .await;
    let c = client(&server.url());
    let id = c.reports().submit(&report).await.unwrap();
    assert_eq!(id, "33a2d408-3fc8-480b-b554-6866c77fd91c");
    m.assert_async().await;
}

#[tokio::test]
async fn products_list_get_revision() {
    let mut server = mockito::Server::new_async().await;
    let list = server
        .mock("GET", "/api/Product/Query")
        .with_body(r#"[{"partNumber":"A","name":"Alpha","state":1},{"partNumber":"B"}]"#)
        .create_async()
        .await;
    let get = server
        .mock("GET", "/api/Product/PCB%2F100")
        .with_body(r#"{"partNumber":"PCB/100","revisions":[{"revision":"A"},{"revision":"B"}]}"#)
        .create_async()
        .await;
    let rev = server
        .mock("GET", "/api/Product/PCB-1/Rev%20A")
        .with_body(r#"{"revision":"Rev A","partNumber":"PCB-1"}"#)
        .create_async()
        .await;
    let missing = server
        .mock("GET", "/api/Product/NOPE")
        .with_status(404)
        .create_async()
        .await;
    let c = client(&server.url());
    let products = c.products().list().await.unwrap();
    assert_eq!(products.len(), 2);
    assert_eq!(products[0].name.as_str(), Some("Alpha"));
    let p = c.products().get("PCB/100").await.unwrap();
    assert_eq!(p.revisions.items().len(), 2);
    let r = c.products().revision("PCB-1", "Rev A").await.unwrap();
    assert_eq!(r.revision.as_str(), Some("Rev A"));
    assert!(c.products().get_opt("NOPE").await.unwrap().is_none());
    list.assert_async().await;
    get.assert_async().await;
    rev.assert_async().await;
    missing.assert_async().await;
}

#[tokio::test]
async fn units_get_and_query() {
    let mut server = mockito::Server::new_async().await;
    let get = server
        .mock("GET", "/api/Production/Unit/SN-1/PCB-1")
        .with_body(r#"{"serialNumber":"SN-1","partNumber":"PCB-1","revision":"A"}"#)
        .create_async()
        .await;
    let query = server
        .mock("GET", "/api/Production/Unit/Query")
        .match_query(Matcher::AllOf(vec![
            q("$filter", "partNumber eq 'PCB-1'"),
            q("$top", "2"),
        ]))
        .with_body(r#"[{"serialNumber":"SN-1"},{"serialNumber":"SN-2"}]"#)
        .create_async()
        .await;
    let c = client(&server.url());
    let u = c.production().get_unit("SN-1", "PCB-1").await.unwrap();
    assert_eq!(u.revision.as_str(), Some("A"));
    let units = c
        .production()
        .query_units(&UnitQuery::new().part_number("PCB-1").top(2))
        .await
        .unwrap();
    assert_eq!(units.len(), 2);
    assert!(matches!(
        c.production().get_unit("", "PCB-1").await,
        Err(Error::InvalidInput { field, .. }) if field == "serialNumber"
    ));
    get.assert_async().await;
    query.assert_async().await;
}

#[tokio::test]
async fn unit_serial_with_reserved_characters_reaches_the_right_route() {
    let server = TestServer::start(|_, s| {
        if s.target == "/api/Production/Unit/A%2FB%3FC%23D%20E/P%2F1" {
            Reply::json(200, r#"{"serialNumber":"A/B?C#D E","partNumber":"P/1"}"#)
        } else {
            Reply::json(404, "{}")
        }
    })
    .await;
    let c = client(&server.url());
    let u = c.production().get_unit("A/B?C#D E", "P/1").await.unwrap();
    assert_eq!(u.serial_number.as_str(), Some("A/B?C#D E"));
    assert_eq!(
        server.seen()[0].target,
        "/api/Production/Unit/A%2FB%3FC%23D%20E/P%2F1"
    );
}

#[tokio::test]
async fn processes_flags_and_server_version() {
    let mut server = mockito::Server::new_async().await;
    let all = server
        .mock("GET", "/api/App/Processes")
        .match_query(Matcher::AllOf(vec![
            q("includeTestOperations", "true"),
            q("includeRepairOperations", "false"),
            q("includeWipOperations", "true"),
            q("includeInactiveProcesses", "true"),
        ]))
        .with_body(r#"[{"code":10,"name":"SW Debug","isTestOperation":true},{"code":500,"name":"Repair"}]"#)
        .create_async()
        .await;
    let version = server
        .mock("GET", "/api/App/Version")
        .with_body(r#""2025.2.1""#)
        .create_async()
        .await;
    let c = client(&server.url());
    let procs = c
        .processes()
        .list_with(ProcessFilter::all().repair_operations(false))
        .await
        .unwrap();
    assert_eq!(procs.len(), 2);
    assert_eq!(procs[0].code.value(), Some(&10));
    assert_eq!(c.server_version().await.unwrap(), "2025.2.1");
    all.assert_async().await;
    version.assert_async().await;
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_its_path() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/api/Product/Query")
        // Broken syntax, not a wrong type: a member of an unexpected JSON type is kept
        // verbatim since issue 15 §2 (`"state":"active"` decodes).
        .with_body(r#"[{"partNumber":"A"},{"partNumber":"B","state":activ}]"#)
        .create_async()
        .await;
    let _t = server
        .mock("GET", "/api/Production/Unit/S/P")
        .with_body(r#"{"serialNumber":"S","#)
        .create_async()
        .await;
    let c = client(&server.url());
    let err = c.products().list().await.unwrap_err();
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "[1].state"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        c.production().get_unit("S", "P").await,
        Err(Error::Decode { .. })
    ));
}
