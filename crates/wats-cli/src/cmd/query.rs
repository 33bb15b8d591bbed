//! `wats report get|query`, `wats unit get`, `wats product list`, `wats process list`.

use serde::Serialize;
use wats_http::{HeaderQuery, ProcessFilter};

use crate::Ctx;
use crate::cli::QueryArgs;
use crate::exit::{self, Failure};
use crate::output::{self, Table};

/// Any serialisable value as a table cell: text as is, `-` for null or absent.
fn cell<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => "-".to_owned(),
        Ok(other) => other.to_string(),
    }
}

/// Parse `--since`: a date (UTC midnight) or an RFC 3339 time.
fn since(text: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, Failure> {
    if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(t) = date.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc().fixed_offset());
        }
    }
    wats_core::time::parse(text).ok_or_else(|| {
        Failure::usage(format!(
            "--since {text:?}: expected a date (2026-01-31) or an RFC 3339 time"
        ))
    })
}

/// Turn "not found" into exit 1 with a clear message.
fn not_found(what: &str) -> Failure {
    Failure::failed(format!("{what} not found"))
}

/// `wats report get ID`.
pub(crate) async fn report_get(ctx: &Ctx, id: &str) -> Result<u8, Failure> {
    let client = ctx.client()?;
    let report = client
        .reports()
        .get_opt(id)
        .await?
        .ok_or_else(|| not_found(&format!("report {id}")))?;
    if ctx.json {
        output::json(&report)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&["field", "value"]);
    for (name, value) in [
        ("id", cell(&report.id)),
        ("type", cell(&report.report_type)),
        ("part number", cell(&report.pn)),
        ("serial number", cell(&report.sn)),
        ("revision", cell(&report.rev)),
        ("process", cell(&report.process_code)),
        ("result", cell(&report.result)),
        ("start", cell(&report.start)),
        ("station", cell(&report.machine_name)),
        ("location", cell(&report.location)),
        ("purpose", cell(&report.purpose)),
    ] {
        table.row(vec![name.to_owned(), value]);
    }
    table.print()?;
    Ok(exit::OK)
}

/// `wats report query ...`.
pub(crate) async fn report_query(ctx: &Ctx, args: &QueryArgs) -> Result<u8, Failure> {
    let mut query = if args.uur {
        HeaderQuery::uur()
    } else {
        HeaderQuery::uut()
    };
    if let Some(sn) = &args.serial {
        query = query.serial_number(sn);
    }
    if let Some(pn) = &args.part {
        query = query.part_number(pn);
    }
    if let Some(rev) = &args.revision {
        query = query.revision(rev);
    }
    if let Some(station) = &args.station {
        query = query.station_name(station);
    }
    if let Some(text) = &args.since {
        query = query.started_since(&since(text)?);
    }
    if let Some(top) = args.top {
        query = query.top(top);
    }
    let client = ctx.client()?;
    let headers = client.reports().query_headers(&query).await?;
    if ctx.json {
        output::json(&headers)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&[
        "id", "serial", "part", "rev", "result", "start", "station", "process",
    ]);
    for h in &headers {
        table.row(vec![
            cell(&h.uuid),
            cell(&h.serial_number),
            cell(&h.part_number),
            cell(&h.revision),
            cell(&h.result),
            cell(&h.start),
            cell(&h.station_name),
            cell(&h.process_name),
        ]);
    }
    table.print()?;
    Ok(exit::OK)
}

/// `wats unit get SN PN`.
/// `wats unit verify SN PN`: exit 0 when the unit passes its verification, 1 when not.
pub(crate) async fn unit_verify(ctx: &Ctx, serial: &str, part: &str) -> Result<u8, Failure> {
    let client = ctx.client()?;
    let grade = client.production().verify_unit(serial, Some(part)).await?;
    let code = if grade.is_passing() {
        exit::OK
    } else {
        exit::FAILED
    };
    if ctx.json {
        output::json(&grade)?;
        return Ok(code);
    }
    let mut table = Table::new(&["field", "value"]);
    for (name, value) in [
        ("status", cell(&grade.status)),
        ("grade", cell(&grade.grade)),
        ("passing", grade.is_passing().to_string()),
        ("no repairs", cell(&grade.no_repairs)),
        ("processes", grade.results.items().len().to_string()),
    ] {
        table.row(vec![name.to_owned(), value]);
    }
    table.print()?;
    let mut failing = Table::new(&["process", "name", "status", "station"]);
    let mut any = false;
    for r in grade.not_passed() {
        any = true;
        failing.row(vec![
            cell(&r.process_code),
            cell(&r.process_name),
            cell(&r.status),
            cell(&r.station_name),
        ]);
    }
    if any {
        output::line("not passed:")?;
        failing.print()?;
    }
    Ok(code)
}

pub(crate) async fn unit_get(ctx: &Ctx, serial: &str, part: &str) -> Result<u8, Failure> {
    let client = ctx.client()?;
    let unit = client
        .production()
        .get_unit_opt(serial, part)
        .await?
        .ok_or_else(|| not_found(&format!("unit {serial} / {part}")))?;
    if ctx.json {
        output::json(&unit)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&["field", "value"]);
    for (name, value) in [
        ("serial number", cell(&unit.serial_number)),
        ("part number", cell(&unit.part_number)),
        ("revision", cell(&unit.revision)),
        ("batch", cell(&unit.batch_number)),
        ("phase", cell(&unit.unit_phase)),
        ("process", cell(&unit.process_code)),
        ("location", cell(&unit.current_location)),
        ("parent", cell(&unit.parent_serial_number)),
        ("sub-units", unit.sub_units.items().len().to_string()),
    ] {
        table.row(vec![name.to_owned(), value]);
    }
    table.print()?;
    Ok(exit::OK)
}

/// `wats product list`.
pub(crate) async fn product_list(ctx: &Ctx) -> Result<u8, Failure> {
    let client = ctx.client()?;
    let products = client.products().list().await?;
    if ctx.json {
        output::json(&products)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&["part number", "name", "state", "category"]);
    for p in &products {
        table.row(vec![
            cell(&p.part_number),
            cell(&p.name),
            cell(&p.state),
            cell(&p.category),
        ]);
    }
    table.print()?;
    Ok(exit::OK)
}

/// `wats process list [--all]`.
pub(crate) async fn process_list(ctx: &Ctx, all: bool) -> Result<u8, Failure> {
    let client = ctx.client()?;
    let processes = if all {
        client.processes().list_with(ProcessFilter::all()).await?
    } else {
        client.processes().list().await?
    };
    if ctx.json {
        output::json(&processes)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&["code", "name", "test", "repair", "wip"]);
    for p in &processes {
        table.row(vec![
            cell(&p.code),
            cell(&p.name),
            cell(&p.is_test_operation),
            cell(&p.is_repair_operation),
            cell(&p.is_wip_operation),
        ]);
    }
    table.print()?;
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_dates_and_times() {
        assert_eq!(
            since("2026-01-31").unwrap().to_rfc3339(),
            "2026-01-31T00:00:00+00:00"
        );
        assert_eq!(
            since("2026-01-31T10:00:00+02:00").unwrap().to_rfc3339(),
            "2026-01-31T10:00:00+02:00"
        );
        assert_eq!(since("yesterday").unwrap_err().code, exit::USAGE);
    }
}
