//! Station-side commands over existing calls: `wats serial take`, `wats unit phase`,
//! `wats asset check|count`, `wats yield`.

use serde_json::json;
use wats_core::{Phase, WatsFilter};
use wats_http::TakeOptions;

use crate::Ctx;
use crate::cli::YieldArgs;
use crate::exit::{self, Failure};
use crate::output::{self, Table};

/// What `wats serial take` registers the numbers with.
#[derive(Debug, Default)]
pub(crate) struct TakeRefs {
    /// `--ref-serial`.
    pub(crate) serial: Option<String>,
    /// `--ref-part`.
    pub(crate) part: Option<String>,
    /// `--station`.
    pub(crate) station: Option<String>,
}

/// `wats serial take TYPE [--count N] ...`: one number per line, or a JSON list.
pub(crate) async fn serial_take(
    ctx: &Ctx,
    serial_type: &str,
    count: u32,
    refs: TakeRefs,
) -> Result<u8, Failure> {
    if count == 0 {
        return Err(Failure::usage("--count must be at least 1"));
    }
    let mut options = TakeOptions::new();
    if let Some(sn) = refs.serial {
        options = options.ref_serial_number(sn);
    }
    if let Some(pn) = refs.part {
        options = options.ref_part_number(pn);
    }
    if let Some(station) = refs.station {
        options = options.station_name(station);
    }
    let client = ctx.client()?;
    let numbers = client
        .production()
        .serials()
        .take(serial_type, count, &options)
        .await?;
    if ctx.json {
        output::json(&numbers)?;
    } else {
        for sn in &numbers {
            output::line(sn)?;
        }
    }
    Ok(exit::OK)
}

/// The phase id of `--phase`: a documented name (`Finalized`, `under production`, ...) or
/// a number.
fn phase_id(text: &str) -> Result<i32, Failure> {
    if let Ok(id) = text.trim().parse::<i32>() {
        return Ok(id);
    }
    Phase::from_name(text).map(Phase::id).ok_or_else(|| {
        Failure::usage(format!(
            "phase {text:?}: expected a phase name (Finalized, UnderProduction, Shipped, ...) \
             or a numeric id"
        ))
    })
}

/// `wats unit phase SN PN PHASE`.
pub(crate) async fn unit_phase(
    ctx: &Ctx,
    serial: &str,
    part: &str,
    phase: &str,
) -> Result<u8, Failure> {
    let id = phase_id(phase)?;
    let client = ctx.client()?;
    client.production().set_unit_phase(serial, part, id).await?;
    if ctx.json {
        output::json(&json!({"serialNumber": serial, "partNumber": part, "phase": id}))?;
    } else {
        output::line(&format!("{serial} / {part}: phase {id}"))?;
    }
    Ok(exit::OK)
}

/// `wats asset check SN`: exit 0 when the asset may be used, 1 when something blocks it.
pub(crate) async fn asset_check(ctx: &Ctx, serial: &str) -> Result<u8, Failure> {
    let client = ctx.client()?;
    let check = client.assets().check_fixture(serial).await?;
    let may_use = check.may_use();
    let blockers: Vec<String> = check.blockers.iter().map(|b| format!("{b:?}")).collect();
    let a = &check.asset;
    let running = a.running_count.value().copied();
    let total = a.total_count.value().copied();
    if ctx.json {
        output::json(&json!({
            "serialNumber": serial,
            "mayUse": may_use,
            "blockers": blockers,
            "runningCount": running,
            "totalCount": total,
        }))?;
    } else {
        let count = |v: Option<i64>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
        let mut table = Table::new(&["field", "value"]);
        for (name, value) in [
            ("serial number", serial.to_owned()),
            ("may use", may_use.to_string()),
            ("running count", count(running)),
            ("total count", count(total)),
        ] {
            table.row(vec![name.to_owned(), value]);
        }
        table.print()?;
        for b in &blockers {
            output::line(&format!("blocked: {b}"))?;
        }
    }
    Ok(if may_use { exit::OK } else { exit::FAILED })
}

/// `wats asset count SN`: one use.
pub(crate) async fn asset_count(ctx: &Ctx, serial: &str) -> Result<u8, Failure> {
    let client = ctx.client()?;
    client.assets().count_use(serial).await?;
    if ctx.json {
        output::json(&json!({"serialNumber": serial, "counted": 1}))?;
    } else {
        output::line(&format!("{serial}: one use counted"))?;
    }
    Ok(exit::OK)
}

/// `wats yield --part PN [--by DIMENSION]`.
pub(crate) async fn yield_by(ctx: &Ctx, args: &YieldArgs) -> Result<u8, Failure> {
    let filter = WatsFilter::new()
        .part_number(&args.part)
        .dimensions([args.by.as_str()]);
    let client = ctx.client()?;
    let rows = client.analytics().dynamic_yield(&filter).await?;
    if ctx.json {
        output::json(&rows)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&[args.by.as_str(), "units", "first pass", "FPY %"]);
    for row in &rows {
        let n = |f: &wats_core::Field<wats_core::NumOrStr>| {
            f.value()
                .and_then(wats_core::NumOrStr::as_i64)
                .map_or_else(|| "-".to_owned(), |v| v.to_string())
        };
        let group = serde_json::to_value(row)
            .ok()
            .and_then(|v| v.get(&args.by).cloned())
            .map_or_else(
                || "-".to_owned(),
                |v| v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            );
        table.row(vec![
            group,
            n(&row.unit_count),
            n(&row.fp_count),
            row.computed_fpy()
                .map_or_else(|| "-".to_owned(), |f| format!("{f:.1}")),
        ]);
    }
    table.print()?;
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_by_name_or_id() {
        assert_eq!(phase_id("Finalized").unwrap(), 16);
        assert_eq!(phase_id("under production").unwrap(), 2);
        assert_eq!(phase_id("2048").unwrap(), 2048);
        assert_eq!(phase_id("sold").unwrap_err().code, exit::USAGE);
    }
}
