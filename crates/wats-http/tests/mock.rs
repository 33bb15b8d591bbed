//! Every domain call and the resilience behaviour against `wats-mock`, the embedded,
//! stateful WATS server (its own thread and runtime, real loopback sockets).

use std::time::Duration;

use wats_core::{CorrelationExt, Error, Status, UutReportBuilder};
use wats_http::{Client, HeaderQuery, ProcessFilter, ReportOptions};
use wats_mock::{AWKWARD_SERIAL, Fault, MockServer, SERVER_VERSION};

const TOKEN: &str = "dXNlcjpwYXNz";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(format!("{}/api/", server.url()))
        .token(TOKEN)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_domain_call_against_the_mock() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let c = client(&server);

    assert_eq!(c.server_version().await.unwrap(), SERVER_VERSION);

    let processes = c.processes().list_with(ProcessFilter::all()).await.unwrap();
    assert!(!processes.is_empty());
    assert!(processes.iter().any(|p| p.code.value().is_some()));
    c.processes().list().await.unwrap();

    let products = c.products().list().await.unwrap();
    assert!(products.len() >= 3);
    let product = c.products().get("FATPartNo").await.unwrap();
    assert_eq!(product.part_number.as_str(), Some("FATPartNo"));
    let rev = product.revisions.items()[0]
        .revision
        .as_str()
        .unwrap()
        .to_owned();
    let revision = c.products().revision("FATPartNo", &rev).await.unwrap();
    assert_eq!(revision.revision.as_str(), Some(rev.as_str()));
    assert!(c.products().get_opt("NO-SUCH-PN").await.unwrap().is_none());
    assert!(matches!(
        c.products().get("NO-SUCH-PN").await,
        Err(Error::NotFound { .. })
    ));

    // A serial number with `/ ? # %` and a space reaches the right route.
    let unit = c
        .production()
        .get_unit(AWKWARD_SERIAL, "PCBA-1001")
        .await
        .unwrap();
    assert_eq!(unit.serial_number.as_str(), Some(AWKWARD_SERIAL));
    assert_eq!(
        server.requests_for("/api/Production/Unit/{serialNumber}/{partNumber}"),
        1
    );
    assert!(
        c.production()
            .get_unit_opt("NOPE", "PCBA-1001")
            .await
            .unwrap()
            .is_none()
    );

    // Submit a new report, read it back, find it by the header query.
    let report = UutReportBuilder::new("PCBA-1001", "SN-RT-0001", "B", 10)
        .station("STATION-1", "Line 1", "Production")
        .result(Status::Passed)
        .build()
        .unwrap();
    let id = c.reports().submit(&report).await.unwrap();
    assert_eq!(Some(id.as_str()), report.id.as_str());
    let back = c
        .reports()
        .get_with(&id, ReportOptions::new().detail_level(7))
        .await
        .unwrap();
    assert_eq!(back.sn(), Some("SN-RT-0001"));
    assert!(
        c.reports()
            .get_opt("00000000-0000-4000-8000-000000000000")
            .await
            .unwrap()
            .is_none()
    );
    let headers = c
        .reports()
        .query_headers(&HeaderQuery::uut().serial_number("SN-RT-0001").top(5))
        .await
        .unwrap();
    assert_eq!(headers.len(), 1);
    assert_eq!(headers[0].uuid.as_str(), Some(id.as_str()));
    let none = c
        .reports()
        .query_headers(&HeaderQuery::uut().serial_number("O'Neil").top(5))
        .await
        .unwrap();
    assert!(none.is_empty());

    // Every request carried the token and a correlation id.
    for r in server.recent_requests() {
        assert_eq!(r.header("authorization"), Some("Basic dXNlcjpwYXNz"));
        assert!(r.header("x-correlation-id").is_some());
    }
}

#[tokio::test]
async fn wrong_token_is_unauthorized() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let c = Client::builder()
        .base_url(server.url())
        .token("d3Jvbmc=")
        .build()
        .unwrap();
    let err = c.server_version().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(server.requests_total(), 1, "401 is not retried");
}

#[tokio::test]
async fn get_retried_on_503_post_not_and_ids_identical() {
    let server = MockServer::start();
    let c = client(&server);
    server.fail_next(2, 503);
    c.server_version()
        .with_correlation_id("mock-retry-1")
        .await
        .unwrap();
    assert_eq!(server.requests_for("/api/App/Version"), 3);
    let ids: Vec<String> = server
        .recent_requests()
        .iter()
        .map(|r| r.header("x-correlation-id").unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["mock-retry-1"; 3]);

    let report = UutReportBuilder::new("PCBA-1001", "SN-RT-0002", "B", 10)
        .station("STATION-1", "Line 1", "Production")
        .build()
        .unwrap();
    server.fail_next(1, 503);
    let err = c.reports().submit(&report).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.requests_for("/api/Report/WSJF"), 1);
    // The same report goes through once the server is healthy again.
    c.reports().submit(&report).await.unwrap();
    assert_eq!(server.requests_for("/api/Report/WSJF"), 2);
}

#[tokio::test]
async fn dropped_connection_is_retried_for_get() {
    let server = MockServer::start();
    let c = client(&server);
    server.inject(Fault::close_mid_response().times(1));
    assert!(!c.products().list().await.unwrap().is_empty());
    assert_eq!(server.requests_for("/api/Product/Query"), 2);
}

#[tokio::test]
async fn malformed_json_and_gzip() {
    let server = MockServer::start();
    let c = client(&server);
    server.inject(Fault::malformed_json().times(1));
    assert!(matches!(
        c.products().list().await,
        Err(Error::Decode { .. })
    ));
    server.set_gzip(true);
    assert!(!c.products().list().await.unwrap().is_empty());
}

#[tokio::test]
async fn hang_hits_the_timeout() {
    let server = MockServer::start();
    let c = Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    server.inject(Fault::hang().times(1));
    let err = c.server_version().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                phase: wats_core::TimeoutPhase::Call,
                ..
            }
        ),
        "{err:?}"
    );
}
