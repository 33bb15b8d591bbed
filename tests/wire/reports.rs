use wats_core::{Report, Status, UutReportBuilder};
use wats_http::{HeaderQuery, ReportOptions};

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
}
