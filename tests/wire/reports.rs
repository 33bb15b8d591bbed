use wats_core::{Report, Status, UutReportBuilder};
use wats_http::{HeaderQuery, MiscInfoQuery, ReportOptions, WsxfOptions};

use crate::{Expect, Wire, case};

/// One report (its start time fixed once), cloned for every use.
fn report() -> Report {
    static REPORT: std::sync::OnceLock<Report> = std::sync::OnceLock::new();
    REPORT
        .get_or_init(|| {
            let mut r = UutReportBuilder::new("PCBA-1", "SN-1", "A", 10)
                .result(Status::Passed)
                .build()
                .unwrap();
            r.id.set("00000000-0000-4000-8000-000000000001".to_owned());
            r
        })
        .clone()
}

pub async fn cases(w: &mut Wire) {
    case!(
        w,
        reports.get,
        c => c.reports().get("R 1"),
        Expect::new("GET", "/api/Report/Wsjf/R%201")
    );
    case!(
        w,
        reports.get_opt,
        c => c.reports().get_opt("R1"),
        Expect::new("GET", "/api/Report/Wsjf/R1")
    );
    case!(
        w,
        reports.get_with,
        c => c.reports().get_with(
            "R1",
            ReportOptions::new().detail_level(3).include_attachments(false)
        ),
        Expect::new("GET", "/api/Report/Wsjf/R1?detailLevel=3&includeAttachments=false")
    );
    case!(
        w,
        reports.query_headers,
        c => c.reports().query_headers(&HeaderQuery::uur().serial_number("S'1").top(5)),
        Expect::new(
            "GET",
            "/api/Report/Query/Header?reportType=R&%24filter=serialNumber%20eq%20%27S%27%271%27&%24top=5"
        )
    );
    case!(
        w,
        reports.submit_raw,
        c => c.reports().submit_raw(&b"{\"raw\":true}"[..]),
        Expect::new("POST", "/api/Report/WSJF").body(&b"{\"raw\":true}"[..], "application/json")
    );
    // `submit` and `submit_or_spool` send the report with the client's station filled in.
    let encoded = w.client.reports().encode(&report()).unwrap();
    let sent: serde_json::Value = serde_json::from_slice(&encoded).unwrap();
    assert_eq!(sent["machineName"], "ST-WIRE");
    case!(
        w,
        reports.submit,
        c => c.reports().submit(&report()),
        Expect::new("POST", "/api/Report/WSJF").json(&sent)
    );
    case!(
        w,
        reports.submit_or_spool,
        c => c.reports().submit_or_spool(&report()),
        Expect::new("POST", "/api/Report/WSJF").json(&sent)
    );
    more(w).await;
}

async fn more(w: &mut Wire) {
    let hq = || HeaderQuery::uut().part_number("P1").top(20);
    let target = "/api/Report/Query/Header?reportType=U&%24filter=partNumber%20eq%20%27P1%27&%24top=20&%24skip=0";
    // The paged forms always send `$skip` (0 for the first page).
    case!(
        w,
        reports.query_headers_all,
        c => c.reports().query_headers_all(&hq()),
        Expect::new("GET", target)
    );
    for name in ["query_headers_iter", "query_headers_stream"] {
        let before = w.server.count();
        let _ = w
            .client
            .reports()
            .query_headers_stream(&hq())
            .next_item()
            .await;
        let b = w.blocking.clone();
        tokio::task::spawn_blocking(move || {
            let _ = b.reports().query_headers_iter(&hq()).next();
        })
        .await
        .unwrap();
        w.check("reports", name, before, &Expect::new("GET", target));
    }
    case!(
        w,
        reports.attachment,
        c => c.reports().attachment("R1", None, Some(4)),
        Expect::new("GET", "/api/Report/Attachment?reportId=R1&stepId=4")
    );
    case!(
        w,
        reports.attachments_zip,
        c => c.reports().attachments_zip("R 1"),
        Expect::new("GET", "/api/Report/Attachments/R%201")
    );
    case!(
        w,
        reports.certificate,
        c => c.reports().certificate("R1"),
        Expect::new("GET", "/api/Report/Certificate/R1")
    );
    case!(
        w,
        reports.get_wsxf,
        c => c.reports().get_wsxf("R1", WsxfOptions::new().detail_level(2).include_chartdata(false)),
        Expect::new("GET", "/api/Report/Wsxf/R1?detailLevel=2&includeChartdata=false")
    );
    case!(
        w,
        reports.submit_wsxf,
        c => c.reports().submit_wsxf(&b"<Reports/>"[..]),
        Expect::new("POST", "/api/Report/WSXF").body(&b"<Reports/>"[..], "application/xml")
    );
    case!(
        w,
        reports.headers_by_misc_info,
        c => c.reports().headers_by_misc_info(&MiscInfoQuery::new("Firm ware", "1&2").process_code(10)),
        Expect::new(
            "GET",
            "/api/Report/Query/HeaderByMiscInfo?processCode=10&description=Firm%20ware&data=1%262"
        )
    );
}
