//! The rest of the report calls: attachments, certificate, WSXF get and submit (exact
//! requests against mockito, the mock does not serve them), and against the mock: one
//! attachment by step id or name, the header search by misc info, and the header query
//! over all its pages.

use mockito::Matcher;
use wats_core::step::Attachment;
use wats_core::{Error, Status, UutReportBuilder};
use wats_http::{HeaderQuery, MiscInfoQuery, WsxfOptions};
use wats_mock::MockServer;

const TOKEN: &str = "dXNlcjpwYXNz";

fn client(url: &str) -> wats_http::Client {
    wats_http::Client::builder()
        .base_url(url)
        .token(TOKEN)
        .max_attempts(1)
        .build()
        .unwrap()
}

#[tokio::test]
async fn attachments_zip_and_certificate_exact_requests() {
    let mut server = mockito::Server::new_async().await;
    let zip = server
        .mock("GET", "/api/Report/Attachments/R%201")
        .match_header("authorization", format!("Basic {TOKEN}").as_str())
        .with_header("content-type", "application/zip")
        .with_body(b"PK\x03\x04zip")
        .create_async()
        .await;
    let cert = server
        .mock("GET", "/api/Report/Certificate/R1")
        .with_header("content-type", "application/pdf")
        .with_body(b"%PDF-1.7")
        .create_async()
        .await;
    let c = client(&server.url());
    assert_eq!(
        &c.reports().attachments_zip("R 1").await.unwrap()[..],
        b"PK\x03\x04zip"
    );
    assert_eq!(
        &c.reports().certificate("R1").await.unwrap()[..],
        b"%PDF-1.7"
    );
    zip.assert_async().await;
    cert.assert_async().await;
    let missing = server
        .mock("GET", "/api/Report/Certificate/nope")
        .with_status(404)
        .with_body(r#"{"message":"not found"}"#)
        .create_async()
        .await;
    assert!(matches!(
        c.reports().certificate("nope").await,
        Err(Error::NotFound { .. })
    ));
    missing.assert_async().await;
}

#[tokio::test]
async fn wsxf_get_and_submit_exact_requests() {
    let mut server = mockito::Server::new_async().await;
    let xml = "<Reports><Report ID=\"x\"/></Reports>";
    let get = server
        .mock("GET", "/api/Report/Wsxf/R1")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("includeAttachments".into(), "false".into()),
            Matcher::UrlEncoded("includeIndexes".into(), "true".into()),
        ]))
        .with_header("content-type", "application/xml")
        .with_body(xml)
        .create_async()
        .await;
    let post = server
        .mock("POST", "/api/Report/WSXF")
        .match_header("content-type", "application/xml")
        .match_body(xml)
        .with_body(r#"{"ID":"3f1c6c8e-5f0a-4c1e-9a53-2b1d7f8e9a10","uuid":null,"Report_ID":7}"#)
        .expect(1)
        .create_async()
        .await;
    let c = client(&server.url());
    let got = c
        .reports()
        .get_wsxf(
            "R1",
            WsxfOptions::new()
                .include_attachments(false)
                .include_indexes(true),
        )
        .await
        .unwrap();
    assert_eq!(&got[..], xml.as_bytes());
    let id = c
        .reports()
        .submit_wsxf(xml.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!(id, "3f1c6c8e-5f0a-4c1e-9a53-2b1d7f8e9a10");
    get.assert_async().await;
    post.assert_async().await;
}

#[tokio::test]
async fn attachments_by_step_and_name_and_headers_by_misc_info() {
    let server = MockServer::start();
    let c = client(server.url());
    let mut report = UutReportBuilder::new("PCBA-1001", "SN-MISC-1", "A", 10)
        .result(Status::Passed)
        .misc_info("Firmware", "9.9.9")
        .build()
        .unwrap();
    report.add_attachment(Attachment::from_bytes("log.txt", "text/plain", b"line 1\n"));
    let root = report.root_mut().unwrap();
    let mut step = wats_core::Step::action("Scope");
    step.id = wats_core::NumOrStr::from(4_i64).into();
    step.attachment = Attachment::from_bytes("scope.png", "image/png", &[0x89, b'P']).into();
    root.push_step(step);
    let id = c.reports().submit(&report).await.unwrap();

    let by_name = c
        .reports()
        .attachment(&id, Some("log.txt"), None)
        .await
        .unwrap();
    assert_eq!(&by_name[..], b"line 1\n");
    let by_step = c.reports().attachment(&id, None, Some(4)).await.unwrap();
    assert_eq!(&by_step[..], &[0x89, b'P']);
    assert!(matches!(
        c.reports().attachment(&id, None, Some(99)).await,
        Err(Error::NotFound { .. })
    ));

    let hits = c
        .reports()
        .headers_by_misc_info(&MiscInfoQuery::new("Firmware", "9.9.9"))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].serial_number.as_str(), Some("SN-MISC-1"));
    let none = c
        .reports()
        .headers_by_misc_info(&MiscInfoQuery::new("Firmware", "9.9.9").serial_number("other"))
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn header_query_pages_cover_every_report_once() {
    let server = MockServer::start();
    let c = client(server.url());
    for i in 0..23 {
        let r = UutReportBuilder::new("PAGED-1", &format!("SN-P-{i:02}"), "A", 10)
            .result(Status::Passed)
            .build()
            .unwrap();
        c.reports().submit(&r).await.unwrap();
    }
    let q = HeaderQuery::uut().part_number("PAGED-1").top(5);
    let before = server.requests_for("/api/Report/Query/Header");
    let mut stream = c.reports().query_headers_stream(&q);
    let mut sns = Vec::new();
    while let Some(h) = stream.next_item().await {
        sns.push(h.unwrap().serial_number.as_str().unwrap().to_owned());
    }
    assert_eq!(server.requests_for("/api/Report/Query/Header") - before, 5);
    sns.sort();
    sns.dedup();
    assert_eq!(sns.len(), 23);
    let all = c.reports().query_headers_all(&q).await.unwrap();
    assert_eq!(all.len(), 23);
}
