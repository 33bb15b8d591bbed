//! Master data: keep products in step with an ERP/PLM system and repair from the server's
//! own fail-code tree.
//!
//! ```text
//! cargo run --example master_data
//! ```
//!
//! It creates a box-build product with two revisions and a child product, writes the box's
//! BOM as WSBF XML and reads it back, adds a box-build relation with the template editor
//! (two power supplies of revision `1.x`), queries the products back, asks what a unit still lacks, finds the fail
//! codes of repair operation 500, and submits a failed UUT and the UUR repairing it with one
//! of those codes. It uses the blocking client.
//!
//! Without `WATS_BASE_URL` it runs against the embedded server of `wats-mock`. Against a
//! real server (`WATS_BASE_URL`, `WATS_TOKEN`) it writes master data only when
//! `WATS_MASTER_DATA_WRITE=1` is set: it creates products and reports there.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use wats::blocking::Client;
use wats::core::report::Failure;
use wats::core::{
    Bom, BomComponent, BoxBuildChild, CompOp, NumericMeas, Product, ProductRevision, Status, Step,
    Unit, UutReportBuilder,
};
use wats::http::{ProductQuery, ProductState};

const DEMO_TOKEN: &str = "bWFzdGVyOmRhdGE=";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("master_data failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn revision(pn: &str, rev: &str) -> ProductRevision {
    let mut r = ProductRevision::default();
    r.part_number.set(pn.to_owned());
    r.revision.set(rev.to_owned());
    r
}

fn run() -> wats::Result<()> {
    let mut _mock = None;
    let client = if std::env::var_os("WATS_BASE_URL").is_some() {
        if std::env::var("WATS_MASTER_DATA_WRITE").as_deref() != Ok("1") {
            println!("set WATS_MASTER_DATA_WRITE=1 to create products and reports on that server");
            return Ok(());
        }
        Client::from_env()?
    } else {
        let server = wats_mock::MockServer::builder()
            .token(DEMO_TOKEN)
            .start()
            .map_err(|e| wats::Error::InvalidConfig(format!("embedded server: {e}")))?;
        let client = Client::builder()
            .base_url(server.url())
            .token(DEMO_TOKEN)
            .build()?;
        _mock = Some(server);
        client
    };
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (box_pn, psu_pn) = (format!("MD-BOX-{stamp}"), format!("MD-PSU-{stamp}"));
    println!("WATS master data on {}", client.base_url());

    // 1. Two products: the box with revisions A and B, the power supply with 1.0.
    let mut boxp = Product::new(box_pn.as_str());
    boxp.name.set("Demo box build".to_owned());
    let mut psu = Product::new(psu_pn.as_str());
    psu.name.set("Power supply".to_owned());
    client.products().save_many(&[boxp, psu])?;
    client.products().save_revisions(&[
        revision(&box_pn, "A"),
        revision(&box_pn, "B"),
        revision(&psu_pn, "1.0"),
    ])?;
    let got = client.products().get(&box_pn)?;
    println!(
        "  product      {box_pn}: revisions {:?}",
        got.revisions
            .items()
            .iter()
            .filter_map(|r| r.revision.as_str())
            .collect::<Vec<_>>()
    );

    // 2. The box's BOM, written as WSBF XML and read back as JSON.
    let bom = Bom::new(box_pn.as_str(), "A")
        .with_component(BomComponent::new(psu_pn.as_str(), 2, "PS1;PS2"))
        .with_component(BomComponent::new("SCREW-M3", 8, "M1-M8"));
    client.products().put_bom_as_wsbf(&bom)?;
    let back = client.products().bom(&box_pn, "A")?;
    println!("  BOM          {} components", back.components().len());

    // 3. A box-build relation, through the template editor: two power supplies of revision
    //    1.x per box. The editor checks the line (quantity, mask) and plans the relation
    //    calls; `apply_box_build` sends them and reads the template back.
    let internal = client.products().internal();
    let mut edit = internal.box_build(&box_pn, "A")?.edit();
    edit.add(BoxBuildChild::new(psu_pn.as_str(), "1.0", 2).with_revision_mask("1.%"))?;
    let plan = edit.plan()?;
    println!("  box build    plan: {} relation call(s)", plan.len());
    let template = internal.apply_box_build(&plan)?;
    let unit: Unit = serde_json::from_value(serde_json::json!({
        "serialNumber": "BOX-0001", "partNumber": box_pn,
        "subUnits": [{"serialNumber": "PSU-0001", "partNumber": psu_pn, "revision": "1.0"}]
    }))
    .map_err(|e| wats::Error::InvalidConfig(e.to_string()))?;
    for m in template.missing(&unit) {
        println!(
            "  box build    BOX-0001 lacks {} x {} (has {})",
            m.missing, m.child.part_number, m.present
        );
    }

    // 4. Query them back: active products whose part number starts with MD-, all pages.
    let found: Vec<String> = client
        .products()
        .query_iter(
            &ProductQuery::new()
                .state(ProductState::Active)
                .part_number_starts_with("MD-")
                .top(50),
        )
        .map(|p| p.map(|p| p.part_number.as_str().unwrap_or("").to_owned()))
        .collect::<wats::Result<_>>()?;
    println!("  query        {} products start with MD-", found.len());

    // 5. The fail codes of repair operation 500, from the server's own tree.
    if !client.processes().is_valid_repair_operation(500)? {
        return Err(wats::Error::InvalidConfig("no repair operation 500".into()));
    }
    let codes = client.processes().internal().fail_codes(500)?;
    let code = codes.first().ok_or_else(|| {
        wats::Error::InvalidConfig("repair operation 500 has no fail codes".into())
    })?;
    println!("  fail code    {} / {}", code.category, code.code);

    // 6. A failed UUT, and the UUR that repairs it with that code.
    let mut uut = UutReportBuilder::new(&box_pn, "BOX-0001", "A", 10)
        .result(Status::Failed)
        .misc_info("Firmware", "2.1.0")
        .build()?;
    if let Some(root) = uut.root_mut() {
        root.push_step(
            Step::sequence_call("Power")
                .with_status(Status::Failed)
                .with_step(
                    Step::numeric_limit(
                        "Voltage",
                        NumericMeas::new(5.4, CompOp::GeLe, Some(4.9), Some(5.1)),
                    )
                    .with_status(Status::Failed),
                ),
        );
    }
    let uut_id = client.reports().submit(&uut)?;
    let voltage = uut
        .find_step("Power/Voltage")
        .ok_or_else(|| wats::Error::InvalidConfig("no Power/Voltage step".into()))?;
    let uur = uut
        .uur_builder()?
        .operator("repair-tech")
        .failure(Failure::from_fail_code(code).with_step(voltage))
        .build()?;
    let uur_id = client.reports().submit(&uur)?;
    println!("  reports      UUT {uut_id} repaired by UUR {uur_id}");
    println!("done.");
    Ok(())
}
