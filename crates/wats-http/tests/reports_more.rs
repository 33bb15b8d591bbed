//! The rest of the report calls against the stateful mock: the attachments zip and the
//! certificate of a stored report, WSXF submit (queried and fetched back) and a WSJF report
//! fetched as WSXF, one attachment by step id or name, the header search by misc info, and
//! the header query over all its pages. (The exact requests are checked in `tests/wire`.)

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

/// The entry names of a zip archive (its central directory, read by hand: wats-http has no
/// zip dependency; the mock's own tests read the entries back with the `zip` crate).
fn zip_names(zip: &[u8]) -> Vec<String> {
    let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]) as usize;
    let u32_at =
        |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]) as usize;
    let eocd = (0..=zip.len() - 22)
        .rev()
        .find(|&i| zip[i..i + 4] == *b"PK\x05\x06")
        .expect("end of central directory");
    let (count, mut at) = (u16_at(eocd + 10), u32_at(eocd + 16));
    let mut names = Vec::new();
    for _ in 0..count {
        assert_eq!(&zip[at..at + 4], b"PK\x01\x02");
        let (n, extra, comment) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
        names.push(String::from_utf8(zip[at + 46..at + 46 + n].to_vec()).unwrap());
        at += 46 + n + extra + comment;
    }
    names
}

#[tokio::test]
async fn attachments_zip_and_certificate_of_a_stored_report() {
    let server = MockServer::start();
    let c = client(server.url());
    let mut report = UutReportBuilder::new("PCBA-1001", "SN-ZIP-1", "A", 10)
        .result(Status::Passed)
        .build()
        .unwrap();
    report.add_attachment(Attachment::from_bytes("log.txt", "text/plain", b"line 1\n"));
    report.add_attachment(Attachment::from_bytes("log.txt", "text/plain", b"line 2\n"));
    let root = report.root_mut().unwrap();
    let mut step = wats_core::Step::action("Scope");
    step.attachment = Attachment::from_bytes("scope.png", "image/png", &[0x89, b'P']).into();
    root.push_step(step);
    let id = c.reports().submit(&report).await.unwrap();

    let zip = c.reports().attachments_zip(&id).await.unwrap();
    assert_eq!(&zip[..4], b"PK\x03\x04");
    assert_eq!(zip_names(&zip), ["log.txt", "log (2).txt", "scope.png"]);
    // One at a time, the same attachments come back as they were sent.
    let one = c
        .reports()
        .attachment(&id, Some("log.txt"), None)
        .await
        .unwrap();
    assert_eq!(&one[..], b"line 1\n");

    let cert = c.reports().certificate(&id).await.unwrap();
    assert!(cert.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&cert);
    assert!(text.contains("(Serial number: SN-ZIP-1)"), "{text}");
    assert!(text.contains("(Part number: PCBA-1001)"));

    // A report without attachments has an empty archive; unknown reports are 404.
    let bare = UutReportBuilder::new("PCBA-1001", "SN-ZIP-2", "A", 10)
        .result(Status::Passed)
        .build()
        .unwrap();
    let bare_id = c.reports().submit(&bare).await.unwrap();
    let empty = c.reports().attachments_zip(&bare_id).await.unwrap();
    assert!(zip_names(&empty).is_empty());
    let unknown = "0d9c4a56-3a8e-4a51-9d8e-7a0c3d1b2e4f";
    assert!(matches!(
        c.reports().attachments_zip(unknown).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        c.reports().certificate(unknown).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        c.reports().certificate("not-a-guid").await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(server.requests_for("/api/Report/Certificate/{id}"), 3);
    assert_eq!(server.requests_for("/api/Report/Attachments/{id}"), 3);
}

const WSXF: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf">
  <Report type="UUT" ID="D26DDF31-FD90-47A5-AF13-180404CDE8BE" Start="2017-06-07T09:24:20.857+02:00"
          Result="Failed" SN="SN-XML &amp; 1" PN="PCBA-XML" Rev="Rev1" MachineName="ST-XML"
          Location="Lab" Purpose="Debug">
    <UUT UserLoginName="op" ExecutionTime="12.5"><Comment>from XML</Comment></UUT>
    <Process Code="10" Name="SW Debug" />
    <MiscInfo Description="Firmware">7.1</MiscInfo>
  </Report>
</Reports>"#;

#[tokio::test]
async fn wsxf_submitted_is_queried_and_fetched_back() {
    let server = MockServer::start();
    let c = client(server.url());
    let id = c
        .reports()
        .submit_wsxf(WSXF.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!(id, "d26ddf31-fd90-47a5-af13-180404cde8be");

    // Its header shows in the header query and the search by misc info.
    let headers = c
        .reports()
        .query_headers(&HeaderQuery::uut().part_number("PCBA-XML"))
        .await
        .unwrap();
    assert_eq!(headers.len(), 1);
    assert_eq!(headers[0].serial_number.as_str(), Some("SN-XML & 1"));
    assert_eq!(headers[0].process_code.value(), Some(&10));
    let by_misc = c
        .reports()
        .headers_by_misc_info(&MiscInfoQuery::new("Firmware", "7.1"))
        .await
        .unwrap();
    assert_eq!(by_misc.len(), 1);

    // Fetched back as the XML that was sent, whatever case the id is given in.
    let xml = c
        .reports()
        .get_wsxf(
            &id.to_uppercase(),
            WsxfOptions::new().include_attachments(false),
        )
        .await
        .unwrap();
    assert_eq!(&xml[..], WSXF.as_bytes());

    // Submitted again as WSJF (same id): the report is replaced, and WSXF is written from it.
    let mut again = UutReportBuilder::new("PCBA-XML", "SN-XML-2", "Rev1", 10)
        .result(Status::Passed)
        .build()
        .unwrap();
    again.id.set(id.clone());
    c.reports().submit(&again).await.unwrap();
    let xml = c.reports().get_wsxf(&id, WsxfOptions::new()).await.unwrap();
    let text = std::str::from_utf8(&xml).unwrap();
    assert!(text.contains(r#"Result="Passed" SN="SN-XML-2""#), "{text}");

    // A broken document is a 400 and stores nothing.
    let before = server.report_count();
    assert!(matches!(
        c.reports().submit_wsxf(&b"<Reports><Report"[..]).await,
        Err(Error::Status { status: 400, .. })
    ));
    assert!(matches!(
        c.reports().submit_wsxf(&b"<Reports/>"[..]).await,
        Err(Error::Status { status: 400, .. })
    ));
    assert_eq!(server.report_count(), before);
}

#[tokio::test]
async fn wsjf_report_is_fetched_as_wsxf() {
    let server = MockServer::start();
    let c = client(server.url());
    let report = UutReportBuilder::new("PCBA-1001", "SN <1>", "A", 10)
        .result(Status::Failed)
        .misc_info("Firmware", "9.9.9")
        .build()
        .unwrap();
    let id = c.reports().submit(&report).await.unwrap();
    let xml = c.reports().get_wsxf(&id, WsxfOptions::new()).await.unwrap();
    let text = std::str::from_utf8(&xml).unwrap();
    assert!(text.contains(r#"<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf">"#));
    assert!(
        text.contains(&format!(r#"<Report type="UUT" ID="{id}""#)),
        "{text}"
    );
    assert!(
        text.contains(r#"Result="Failed" SN="SN &lt;1&gt;" PN="PCBA-1001" Rev="A""#),
        "{text}"
    );
    assert!(text.contains(r#"<Process Code="10""#));
    assert!(text.contains(r#"<MiscInfo Description="Firmware">9.9.9</MiscInfo>"#));
    assert!(matches!(
        c.reports()
            .get_wsxf("0d9c4a56-3a8e-4a51-9d8e-7a0c3d1b2e4f", WsxfOptions::new())
            .await,
        Err(Error::NotFound { .. })
    ));
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
