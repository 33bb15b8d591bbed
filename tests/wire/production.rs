use serde_json::json;
use wats_core::{Phase, ProductionBatch, Unit};
use wats_http::{
    ChildCheck, ChildValidation, ReferenceFilter, ReserveRequest, SerialCountFilter, SerialFilter,
    SerialFormat, TakeOptions, UnitPhaseCache, UnitQuery,
};

use crate::{Expect, Wire, case};

fn unit() -> Unit {
    Unit::new("SN-1", "PCB-1", "A")
}

fn unit_json() -> serde_json::Value {
    json!({"serialNumber": "SN-1", "partNumber": "PCB-1", "revision": "A"})
}

fn ranges() -> [serde_json::Value; 1] {
    [json!({"serialNumberType": "MAC", "startAddress": "A0", "endAddress": "A9"})]
}

pub async fn cases(w: &mut Wire) {
    units(w).await;
    assembly_and_feed(w).await;
    serials(w).await;
    internal(w).await;
}

async fn units(w: &mut Wire) {
    case!(
        w,
        production.get_unit,
        c => c.production().get_unit("A/B?C#D E", "P/1"),
        Expect::new("GET", "/api/Production/Unit/A%2FB%3FC%23D%20E/P%2F1")
    );
    case!(
        w,
        production.get_unit_opt,
        c => c.production().get_unit_opt("SN-1", "PCB-1"),
        Expect::new("GET", "/api/Production/Unit/SN-1/PCB-1")
    );
    case!(
        w,
        production.query_units,
        c => c.production().query_units(&UnitQuery::new().part_number("O'Neil").top(3)),
        Expect::new(
            "GET",
            "/api/Production/Unit/Query?%24filter=partNumber%20eq%20%27O%27%27Neil%27&%24top=3"
        )
    );
    // Paging: `$top` is the page size, `$skip` the first row; the recorder's one-row answer
    // is a short page, so each helper sends exactly the first page.
    let uq = || {
        UnitQuery::new()
            .serial_number("S'1")
            .top(20)
            .skip(40)
            .order_by("serialNumber")
    };
    let paged = "/api/Production/Unit/Query?%24filter=serialNumber%20eq%20%27S%27%271%27&%24top=20&%24skip=40&%24orderby=serialNumber";
    case!(w, production.query_units, c => c.production().query_units(&uq()), Expect::new("GET", paged));
    case!(w, production.query_units_all, c => c.production().query_units_all(&uq()), Expect::new("GET", paged));
    for name in ["query_units_iter", "query_units_stream"] {
        let before = w.server.count();
        let _ = w
            .client
            .production()
            .query_units_stream(&uq())
            .next_item()
            .await;
        let b = w.blocking.clone();
        tokio::task::spawn_blocking(move || {
            let _ = b.production().query_units_iter(&uq()).next();
        })
        .await
        .unwrap();
        w.check("production", name, before, &Expect::new("GET", paged));
    }
    // Without `$top`, the helpers page by DEFAULT_PAGE_SIZE from row 0.
    case!(
        w,
        production.query_units_all,
        c => c.production().query_units_all(&UnitQuery::new()),
        Expect::new("GET", "/api/Production/Unit/Query?%24top=500&%24skip=0")
    );
    case!(
        w,
        production.save_units,
        c => c.production().save_units(&[unit(), Unit::new("SN-2", "PCB-1", "A")]),
        Expect::new("PUT", "/api/Production/Units").json(&json!([
            unit_json(),
            {"serialNumber": "SN-2", "partNumber": "PCB-1", "revision": "A"}
        ]))
    );
    case!(
        w,
        production.save_unit,
        c => c.production().save_unit(&unit()),
        Expect::new("PUT", "/api/Production/Units").json(&json!([unit_json()]))
    );
    case!(
        w,
        production.create_unit,
        c => c.production().create_unit(&unit()),
        Expect::new("POST", "/api/Production/Unit").json(&unit_json())
    );
    case!(
        w,
        production.update_unit,
        c => c.production().update_unit(&unit()),
        Expect::new("PUT", "/api/Production/Unit").json(&unit_json())
    );
    case!(
        w,
        production.delete_unit,
        c => c.production().delete_unit("SN 1", "PCB&1"),
        Expect::new("DELETE", "/api/Production/Unit?serialNumber=SN%201&partNumber=PCB%261")
    );
    case!(
        w,
        production.change_unit,
        c => c.production().change_unit("SN-1", "PCB-1", "PCB-2", "B"),
        Expect::new(
            "PUT",
            "/api/Production/ChangeUnit?serialNumber=SN-1&partNumber=PCB-1&newPartNumber=PCB-2&newRevision=B"
        )
    );
    case!(
        w,
        production.set_unit_tag,
        c => c.production().set_unit_tag("SN-1", "PCB-1", "Lot", "L 7"),
        Expect::new(
            "PUT",
            "/api/Production/UnitTag?serialNumber=SN-1&partNumber=PCB-1&key=Lot&value=L%207"
        )
    );
    case!(
        w,
        production.verify_unit,
        c => c.production().verify_unit("SN-1", Some("PCB-1")),
        Expect::new("GET", "/api/Production/UnitVerification?serialNumber=SN-1&partNumber=PCB-1")
    );
    case!(
        w,
        production.is_unit_passing,
        c => c.production().is_unit_passing("SN-1", None),
        Expect::new("GET", "/api/Production/UnitVerification?serialNumber=SN-1")
    );
    case!(
        w,
        production.set_unit_phase,
        c => c.production().set_unit_phase("SN-1", "PCB-1", 4098),
        Expect::new("PUT", "/api/Production/SetUnitPhase?serialNumber=SN-1&partNumber=PCB-1&phase=4098")
    );
    case!(
        w,
        production.set_phase,
        c => c.production().set_phase("SN-1", "PCB-1", Phase::Finalized),
        Expect::new("PUT", "/api/Production/SetUnitPhase?serialNumber=SN-1&partNumber=PCB-1&phase=16")
    );
    case!(
        w,
        production.set_unit_process,
        c => c.production().set_unit_process("SN-1", "PCB-1", "Final Test"),
        Expect::new(
            "PUT",
            "/api/Production/SetUnitProcess?serialNumber=SN-1&partNumber=PCB-1&processName=Final%20Test"
        )
    );
}

async fn assembly_and_feed(w: &mut Wire) {
    case!(
        w,
        production.add_child_unit,
        c => c.production().add_child_unit("BOX-1", "BOX", "SUB-1", "PCB", &ChildCheck::box_build()),
        Expect::new(
            "POST",
            "/api/Production/AddChildUnit?parentSerialNumber=BOX-1&parentPartNumber=BOX&childSerialNumber=SUB-1&childPartNumber=PCB"
        )
    );
    case!(
        w,
        production.add_child_unit,
        c => c.production().add_child_unit("BOX-1", "BOX", "SUB-1", "PCB", &ChildCheck::against("PCB", "B")),
        Expect::new(
            "POST",
            "/api/Production/AddChildUnit?parentSerialNumber=BOX-1&parentPartNumber=BOX&childSerialNumber=SUB-1&childPartNumber=PCB&checkPartNumber=PCB&checkRevision=B"
        )
    );
    case!(
        w,
        production.remove_child_unit,
        c => c.production().remove_child_unit("BOX-1", "BOX", "SUB-1", "PCB"),
        Expect::new(
            "POST",
            "/api/Production/RemoveChildUnit?parentSerialNumber=BOX-1&parentPartNumber=BOX&childSerialNumber=SUB-1&childPartNumber=PCB"
        )
    );
    case!(
        w,
        production.check_child_units,
        c => c.production().check_child_units("BOX-1", "BOX"),
        Expect::new(
            "GET",
            "/api/Production/CheckChildUnits?parentSerialNumber=BOX-1&parentPartNumber=BOX"
        )
    );
    case!(
        w,
        production.batches,
        c => c.production().batches(Some("PCB-1"), None),
        Expect::new("GET", "/api/Production/Batches?partNumber=PCB-1")
    );
    case!(
        w,
        production.save_batch,
        c => c.production().save_batch(&ProductionBatch::new("B-1", 10)),
        Expect::new("PUT", "/api/Production/Batch").json(&json!({"batchNumber": "B-1", "batchSize": 10}))
    );
    case!(
        w,
        production.save_batches,
        c => c.production().save_batches(&[ProductionBatch::new("B-1", 10)]),
        Expect::new("PUT", "/api/Production/Batches")
            .json(&json!([{"batchNumber": "B-1", "batchSize": 10}]))
    );
    case!(
        w,
        production.unit_changes,
        c => c.production().unit_changes(50, Some(100)),
        Expect::new("GET", "/api/Production/Units/Changes?maxCount=50&%24skip=100")
    );
    case!(
        w,
        production.delete_unit_change,
        c => c.production().delete_unit_change(42),
        Expect::new("DELETE", "/api/Production/Units/Changes/42")
    );
}

async fn serials(w: &mut Wire) {
    case!(
        w,
        production_serials.types,
        c => c.production().serials().types(),
        Expect::new("GET", "/api/Production/SerialNumbers/Types")
    );
    case!(
        w,
        production_serials.take,
        c => c.production().serials().take(
            "PCBA SN",
            3,
            &TakeOptions::new().ref_serial_number("BOX-1").station_name("ST-1").only_in_sequence(true)
        ),
        Expect::new(
            "POST",
            "/api/Production/SerialNumbers/Take?serialNumberType=PCBA%20SN&quantity=3&refSN=BOX-1&stationName=ST-1&onlyInSequence=true"
        )
    );
    case!(
        w,
        production_serials.take_one,
        c => c.production().serials().take_one("MAC", &TakeOptions::new().ref_part_number("BOX")),
        Expect::new(
            "POST",
            "/api/Production/SerialNumbers/Take?serialNumberType=MAC&quantity=1&refPN=BOX"
        )
    );
    case!(
        w,
        production_serials.by_range,
        c => c.production().serials().by_range("MAC", "A0", "A9"),
        Expect::new(
            "GET",
            "/api/Production/SerialNumbers/ByRange?serialNumberType=MAC&startAddress=A0&endAddress=A9"
        )
    );
    case!(
        w,
        production_serials.by_reference,
        c => c.production().serials().by_reference("MAC", None, Some("BOX")),
        Expect::new("GET", "/api/Production/SerialNumbers/ByReference?serialNumberType=MAC&refPN=BOX")
    );
    let at = wats_core::time::parse("2026-01-30T22:01:41+01:00").unwrap();
    let utc =
        wats_core::chrono::TimeZone::with_ymd_and_hms(&wats_core::chrono::Utc, 2026, 2, 1, 7, 0, 0)
            .unwrap();
    case!(
        w,
        production_serials.by_reference_with,
        c => c.production().serials().by_reference_with(
            "MAC",
            &ReferenceFilter::serial_number("BOX 1").and_part_number("BOX").start_date(&at).end_date(&utc)
        ),
        Expect::new(
            "GET",
            "/api/Production/SerialNumbers/ByReference?serialNumberType=MAC&refSN=BOX%201&refPN=BOX&startDate=2026-01-30T22%3A01%3A41%2B01%3A00&endDate=2026-02-01T07%3A00%3A00%2B00%3A00"
        )
    );
    case!(
        w,
        production_serials.by_reference_with,
        c => c.production().serials().by_reference_with("MAC", &ReferenceFilter::part_number("BOX").end_date(&at)),
        Expect::new(
            "GET",
            "/api/Production/SerialNumbers/ByReference?serialNumberType=MAC&refPN=BOX&endDate=2026-01-30T22%3A01%3A41%2B01%3A00"
        )
    );
    case!(
        w,
        production_serials.by_range_with,
        c => c.production().serials().by_range_with(
            "MAC",
            &SerialFilter::new().start_address("A0").start_date(&at)
        ),
        Expect::new(
            "GET",
            "/api/Production/SerialNumbers/ByRange?serialNumberType=MAC&startAddress=A0&startDate=2026-01-30T22%3A01%3A41%2B01%3A00"
        )
    );
    case!(
        w,
        production_serials.export_with,
        c => c.production().serials().export_with(
            "MAC",
            SerialFormat::Csv,
            &SerialFilter::new().end_address("A9").end_date(&at)
        ),
        Expect::new(
            "GET",
            "/api/Production/SerialNumbers?serialNumberType=MAC&format=CSV&endAddress=A9&endDate=2026-01-30T22%3A01%3A41%2B01%3A00"
        )
    );
    case!(
        w,
        production_serials.import,
        c => c.production().serials().import("MAC", SerialFormat::Csv, &b"SN-1\nSN-2\n"[..]),
        Expect::new("PUT", "/api/Production/SerialNumbers?serialNumberType=MAC&format=CSV")
            .body(&b"SN-1\nSN-2\n"[..], "text/csv")
    );
    case!(
        w,
        production_serials.export,
        c => c.production().serials().export("MAC", SerialFormat::Xml),
        Expect::new("GET", "/api/Production/SerialNumbers?serialNumberType=MAC&format=XML")
    );
}

async fn internal(w: &mut Wire) {
    let q = "serialNumber=SN-1&partNumber=PCB-1";
    case!(
        w,
        production_internal.get_unit_phases,
        c => c.production().internal().get_unit_phases(),
        Expect::new("GET", "/api/internal/Mes/GetUnitPhases")
    );
    case!(
        w,
        production_internal.unit_phases,
        c => c.production().internal().unit_phases(&UnitPhaseCache::new(std::time::Duration::from_secs(60))),
        Expect::new("GET", "/api/internal/Mes/GetUnitPhases")
    );
    case!(
        w,
        production_internal.get_unit,
        c => c.production().internal().get_unit("SN-1", None),
        Expect::new("GET", "/api/internal/Production/GetUnit?serialNumber=SN-1")
    );
    case!(
        w,
        production_internal.get_unit_info,
        c => c.production().internal().get_unit_info("SN-1", "PCB-1"),
        Expect::new("GET", format!("/api/internal/Production/GetUnitInfo?{q}"))
    );
    case!(
        w,
        production_internal.get_unit_hierarchy,
        c => c.production().internal().get_unit_hierarchy("SN-1", "PCB-1"),
        Expect::new("GET", format!("/api/internal/Production/GetUnitHierarchy?{q}"))
    );
    case!(
        w,
        production_internal.get_unit_state_history,
        c => c.production().internal().get_unit_state_history("SN-1", "PCB-1"),
        Expect::new("GET", format!("/api/internal/Production/GetUnitStateHistory?{q}"))
    );
    case!(
        w,
        production_internal.get_unit_phase,
        c => c.production().internal().get_unit_phase("SN-1", "PCB-1"),
        Expect::new("GET", format!("/api/internal/Production/GetUnitPhase?{q}"))
    );
    case!(
        w,
        production_internal.get_unit_process,
        c => c.production().internal().get_unit_process("SN-1", "PCB-1"),
        Expect::new("GET", format!("/api/internal/Production/GetUnitProcess?{q}"))
    );
    case!(
        w,
        production_internal.get_unit_contents,
        c => c.production().internal().get_unit_contents("SN-1", "PCB-1", "A"),
        Expect::new("GET", format!("/api/internal/Production/GetUnitContents?{q}&revision=A"))
    );
    case!(
        w,
        production_internal.create_unit,
        c => c.production().internal().create_unit("SN-1", "PCB-1", "A", None, Some(2)),
        Expect::new("POST", format!("/api/internal/Production/CreateUnit?{q}&revision=A&unitPhase=2"))
    );
    case!(
        w,
        production_internal.add_child_unit,
        c => c.production().internal().add_child_unit(
            "SN-1", "PCB-1", "SUB-1", "SUB", &ChildValidation::new("SUB", "B").check_phase(false)
        ),
        Expect::new(
            "POST",
            format!("/api/internal/Production/AddChildUnit?{q}&childSerialNumber=SUB-1&childPartNumber=SUB&checkPartNumber=SUB&checkRevision=B&cultureCode=en-US&checkPhase=false")
        )
    );
    case!(
        w,
        production_internal.remove_child_unit,
        c => c.production().internal().remove_child_unit("SN-1", "PCB-1", "SUB-1", "SUB", Some("nb-NO")),
        Expect::new(
            "POST",
            format!("/api/internal/Production/RemoveChildUnit?{q}&childSerialNumber=SUB-1&childPartNumber=SUB&cultureCode=nb-NO")
        )
    );
    case!(
        w,
        production_internal.remove_all_child_units,
        c => c.production().internal().remove_all_child_units("SN-1", "PCB-1", None),
        Expect::new("POST", format!("/api/internal/Production/RemoveAllChildUnits?{q}"))
    );
    case!(
        w,
        production_internal.check_child_units,
        c => c.production().internal().check_child_units("SN-1", "PCB-1", "en-US"),
        Expect::new(
            "GET",
            "/api/internal/Production/CheckChildUnits?ParentSerialNumber=SN-1&ParentPartNumber=PCB-1&CultureCode=en-US"
        )
    );
    case!(
        w,
        production_internal.serial_numbers,
        c => c.production().internal().serial_numbers("MAC", "A0", "A9"),
        Expect::new(
            "GET",
            "/api/internal/Production/SerialNumbers?serialNumberType=MAC&startAddress=A0&endAddress=A9"
        )
    );
    let at = wats_core::time::parse("2026-01-30T22:01:41-05:00").unwrap();
    case!(
        w,
        production_internal.serial_numbers_with,
        c => c.production().internal().serial_numbers_with(
            "MAC",
            &SerialFilter::new().start_address("A0").start_date(&at).end_date(&at)
        ),
        Expect::new(
            "GET",
            "/api/internal/Production/SerialNumbers?serialNumberType=MAC&startAddress=A0&startDate=2026-01-30T22%3A01%3A41-05%3A00&endDate=2026-01-30T22%3A01%3A41-05%3A00"
        )
    );
    // The count route names its dates `fromDate` / `toDate`.
    case!(
        w,
        production_internal.serial_number_count_with,
        c => c.production().internal().serial_number_count_with(
            "MAC",
            &SerialCountFilter::new().end_address("A9").from_date(&at).to_date(&at)
        ),
        Expect::new(
            "GET",
            "/api/internal/Production/SerialNumbers/Count?serialNumberType=MAC&endAddress=A9&fromDate=2026-01-30T22%3A01%3A41-05%3A00&toDate=2026-01-30T22%3A01%3A41-05%3A00"
        )
    );
    case!(
        w,
        production_internal.serial_number_count,
        c => c.production().internal().serial_number_count("MAC", None, Some("A9")),
        Expect::new(
            "GET",
            "/api/internal/Production/SerialNumbers/Count?serialNumberType=MAC&endAddress=A9"
        )
    );
    case!(
        w,
        production_internal.free_serial_numbers,
        c => c.production().internal().free_serial_numbers(&ranges()),
        Expect::new("PUT", "/api/internal/Production/SerialNumbers/Free").json(&json!(ranges()))
    );
    case!(
        w,
        production_internal.delete_free_serial_numbers,
        c => c.production().internal().delete_free_serial_numbers(&ranges()),
        Expect::new("DELETE", "/api/internal/Production/SerialNumbers/Free").json(&json!(ranges()))
    );
    case!(
        w,
        production_internal.serial_number_ranges,
        c => c.production().internal().serial_number_ranges(Some("MAC")),
        Expect::new("GET", "/api/internal/Production/SerialNumbers/Ranges?serialNumberType=MAC")
    );
    case!(
        w,
        production_internal.serial_number_statistics,
        c => c.production().internal().serial_number_statistics(None),
        Expect::new("GET", "/api/internal/Production/SerialNumbers/Statistics")
    );
    // The reservation body never carries the token (pyWATS sends it as `tokenId`).
    case!(
        w,
        production_internal.reserve_serial_numbers,
        c => c.production().internal().reserve_serial_numbers(
            &ReserveRequest::new("MAC", 5).station_name("ST-1")
        ),
        Expect::new("POST", "/api/internal/Production/GetAndReserveNewSerialNumbers").json(&json!({
            "sn": {
                "serialNumberType": "MAC",
                "batchSize": 5,
                "requestType": "Reserve",
                "onlyInSequence": false,
                "stationName": "ST-1"
            }
        }))
    );
    case!(
        w,
        production_internal.get_sites,
        c => c.production().internal().get_sites(),
        Expect::new("GET", "/api/internal/Production/GetSites")
    );
    case!(
        w,
        production_internal.is_connected,
        c => c.production().internal().is_connected(),
        Expect::new("GET", "/api/internal/Production/isConnected")
    );
}
