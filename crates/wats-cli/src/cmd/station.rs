//! `wats station`: the detected station and the tier that supplied each value.
//!
//! Location, purpose and description always come from the tier that supplied the name
//! (wats-station reads them only together with the name), so each set value names that tier.

use serde::Serialize;
use wats_station::Station;

use crate::Ctx;
use crate::exit::{self, Failure};
use crate::output::{self, Table};

#[derive(Debug, Serialize)]
struct Value {
    value: Option<String>,
    source: Option<String>,
}

#[derive(Debug, Serialize)]
struct View {
    name: Value,
    location: Value,
    purpose: Value,
    description: Value,
}

fn view(station: &Station) -> View {
    let tier = station.source().to_string();
    let value = |v: Option<&str>| Value {
        value: v.map(str::to_owned),
        source: v.map(|_| tier.clone()),
    };
    View {
        name: value(Some(station.name())),
        location: value(station.location()),
        purpose: value(station.purpose()),
        description: value(station.description()),
    }
}

/// Run `wats station`.
pub(crate) fn run(ctx: &Ctx) -> Result<u8, Failure> {
    let station =
        Station::detect().map_err(|e| Failure::failed(format!("station detection failed: {e}")))?;
    let v = view(&station);
    if ctx.json {
        output::json(&v)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&["field", "value", "source"]);
    for (field, value) in [
        ("name", &v.name),
        ("location", &v.location),
        ("purpose", &v.purpose),
        ("description", &v.description),
    ] {
        table.row(vec![
            field.to_owned(),
            output::opt(value.value.as_deref()),
            output::opt(value.source.as_deref()),
        ]);
    }
    table.print()?;
    Ok(exit::OK)
}
