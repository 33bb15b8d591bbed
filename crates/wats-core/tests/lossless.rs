//! Hand-made edge cases for every model kind: null vs absent, numbers as strings,
//! NaN/Infinity, big integers, dates, whitespace, unknown members and step types.

#![recursion_limit = "512"]

use serde_json::{Value, json};
use wats_core::roundtrip::{Kind, check_bytes, check_value};
use wats_core::{Report, StepKind, json as wjson};

fn assert_lossless(kind: Kind, v: &Value) {
    let d = check_value(kind, v).unwrap();
    assert!(d.is_empty(), "{kind}: {d:#?}");
    let bytes = serde_json::to_vec(v).unwrap();
    let rt = check_bytes(kind, &bytes).unwrap();
    assert!(rt.is_lossless(), "{kind}: {:#?}", rt.differences);
}

fn edge_report() -> Value {
    json!({
        "type": "T",
        "id": "ABCDEF01-2345-6789-ABCD-EF0123456789",
        "pn": "  PN with spaces  ",
        "sn": "SN\t1",
        "rev": "01     ",
        "processCode": 10,
        "processCodeFormat": null,
        "result": "passed",
        "machineName": "ST",
        "location": "L",
        "purpose": "P",
        "start": "2026-01-30T22:01:41.4707353-03:30",
        "startUTC": "2026-01-31T01:31:41.4707353Z",
        "futureTopLevel": {"nested": [1, null, "x"]},
        "uut": {"user": "u", "execTime": "12.5", "errorCode": "E42", "newUutThing": true,
                "referencedByUURs": [{"id": "x", "start": "y", "extraRef": 1}]},
        "miscInfos": [{"description": "d", "text": null, "numeric": 18446744073709551615u64, "typeDef": "t"}],
        "subUnits": [{"pn": "a", "sn": "b", "partType": "Unknown", "idx": 1, "parentIdx": 0,
                      "failures": [{"category": "c", "code": "k", "refStepId": "12", "vendorX": []}]}],
        "assets": [{"sn": "A1", "usageCount": 9007199254740993u64, "assetSN": null}],
        "assetStats": [{"sn": "A1", "runningCount": 3}],
        "binaryData": [{"name": "f.txt", "contentType": "text/plain", "data": "aGk=", "failIdx": 2}],
        "additionalData": [{"name": "ad", "props": [{"name": "p", "type": "Number", "value": 1.25,
            "props": [{"name": "q", "type": "String", "value": null}],
            "array": {"dimension": 1, "type": "Number", "indexes": [{"text": "[0]", "indexes": [0], "value": "1"}]}}]}],
        "root": {
            "stepType": "SequenceCall", "name": "MainSequence Callback", "group": "m", "status": "Passed",
            "id": "1", "totTime": "NaN", "caller": {"x": 1}, "module": null,
            "seqCall": {"path": null, "name": "n", "version": "1", "sig": "?"},
            "loop": {"i": 0, "n": 3, "parent": 7},
            "steps": [
                {"stepType": "ET_NLT", "name": "v", "status": "P", "group": "S",
                 "numericMeas": [{"value": "Infinity", "lowLimit": "-Infinity", "highLimit": 1e308,
                                  "compOp": "gele", "unit": "V", "valueFormat": "%.3f", "status": "P", "weird": 1}]},
                {"stepType": "MultiNumericLimitTest", "name": "m", "status": "F",
                 "numericMeas": [{"name": "a", "value": -0.0, "compOp": "LOG", "status": "P"},
                                 {"name": "b", "value": 123456789012345678i64, "compOp": "LT", "lowLimit": 5, "status": "F"}]},
                {"stepType": "PassFailTest", "name": "pf", "status": "P", "booleanMeas": [{"status": "P", "value": true}]},
                {"stepType": "ET_MSVT", "name": "s", "status": "P",
                 "stringMeas": [{"name": "x", "value": "  spaced  ", "limit": "  SPACED  ", "compOp": "IgnoreCase", "status": "P"}]},
                {"stepType": "Chart", "name": "c", "chart": {"chartType": "LineLogXY", "series": [], "zoom": 2}},
                {"stepType": "CallExecutable", "name": "ce", "callExe": {"exitCode": -1, "stdout": "ok"}},
                {"stepType": "MessagePopup", "name": "mp", "messagePopup": {"response": "yes", "button": 2}},
                {"stepType": "SomethingNew", "name": "u", "status": "X", "group": "Z",
                 "payload": {"deep": [{"a": null}]}, "info": "x",
                 "steps": [{"stepType": "NI_Flow_If", "name": "if", "attachment": {"name": "a", "data": "AA=="},
                            "additionalResults": [{"name": "r", "props": []}]}]},
                {"stepType": "Goto", "name": "g", "loop": {"idx": null, "num": 2, "endingIndex": 2, "passed": 1, "failed": 1}},
                {"name": "no type at all", "start": "2026-01-30T10:49:36.919+00:00", "tsGuid": "ID#:abc"}
            ]
        }
    })
}

#[test]
fn edge_case_report_is_lossless_and_typed() {
    let v = edge_report();
    assert_lossless(Kind::Report, &v);

    let r: Report = wjson::from_value(v).unwrap();
    assert_eq!(r.rev(), Some("01     "));
    assert_eq!(
        r.start().unwrap().offset().local_minus_utc(),
        -(3 * 3600 + 1800)
    );
    assert_eq!(r.result(), Some(wats_core::Status::Passed));
    let kinds: Vec<_> = r.steps().map(|s| s.kind()).collect();
    assert!(kinds.contains(&StepKind::Unknown("SomethingNew")));
    assert!(kinds.contains(&StepKind::Ni("NI_Flow_If")));
    assert!(kinds.contains(&StepKind::Unknown("")));
    let nlt = r
        .steps()
        .find(|s| s.kind() == StepKind::NumericLimit)
        .unwrap();
    let m = &nlt.numeric_measurements()[0];
    assert_eq!(m.value_f64(), Some(f64::INFINITY));
    assert_eq!(m.low_limit_f64(), Some(f64::NEG_INFINITY));
    assert_eq!(m.comp_op(), Some(wats_core::CompOp::GeLe));
    assert!(
        r.root()
            .unwrap()
            .tot_time
            .value()
            .unwrap()
            .as_f64()
            .unwrap()
            .is_nan()
    );
    let unknown = r.steps().find(|s| s.step_type() == "SomethingNew").unwrap();
    assert!(unknown.extra.contains_key("payload"));
    assert_eq!(unknown.children().len(), 1);
    assert_eq!(unknown.status(), None);
    assert_eq!(unknown.status.value().unwrap().as_str(), "X");
    assert!(r.extra.contains_key("futureTopLevel"));
}

#[test]
fn product_revision_unit_process_header_are_lossless() {
    let product = json!({
        "productId": "5f1e0a47-0000-4000-8000-000000000001", "nonSerial": false, "partNumber": "PN",
        "name": null, "state": 1, "xmlData": "<x/>", "productCategoryId": null,
        "revisions": [{"revision": "A", "PartNumber": "PN", "state": 1, "tags": [], "newRev": 1}],
        "tags": [{"key": "k", "value": "v"}], "somethingElse": [1, 2]
    });
    assert_lossless(Kind::Product, &product);
    assert_lossless(Kind::Product, &json!([product, {"partNumber": "Q"}]));

    let rev = json!({"productRevisionId": "x", "productId": "y", "revision": "B  ", "partNumber": "PN",
                     "description": null, "xmlData": null, "extra": {"a": 1}});
    assert_lossless(Kind::ProductRevision, &rev);
    let typed: wats_core::ProductRevision = wjson::from_value(rev).unwrap();
    assert_eq!(typed.part_number(), Some("PN"));

    let unit = json!({"serialNumber": "S", "partNumber": "P", "revision": "A", "processCode": "10",
                      "unitPhaseId": 2, "unitPhase": "UnderProduction", "serialDate": "2026-01-01T00:00:00.1234567Z",
                      "product": product, "productRevision": {"revision": "A"},
                      "subUnits": [{"serialNumber": "C", "processCode": null}], "tags": null});
    assert_lossless(Kind::Unit, &unit);
    let typed: wats_core::Unit = wjson::from_value(unit).unwrap();
    assert_eq!(typed.process_code.as_str(), Some("10"));

    let processes = json!([
        {"code": 10, "name": "SW Debug", "description": "", "isTestOperation": true,
         "isRepairOperation": false, "isWipOperation": false, "processIndex": 1, "state": 1},
        {"code": 500, "name": "Repair", "isRepairOperation": true,
         "repairOperation": {"uutBinding": 0, "bomBinding": 1}, "ProcessID": "abc", "Properties": null}
    ]);
    assert_lossless(Kind::Process, &processes);

    let header = json!({
        "uuid": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "serialNumber": "S", "partNumber": "P",
        "reportType": "T", "start": "2026-01-30T22:01:41.47+01:00", "userName": "op",
        "result": "Passed", "timeStamp": 638738000000000000i64, "executionTime": 1.5,
        "measuresDeleted": false, "causedUutFailure": null, "referencedUut": null,
        "subUnits": [{"partType": "PCBA", "serialNumber": "x", "partNumber": "y", "revision": "1"}],
        "miscInfo": [{"description": "d", "value": "v"}],
        "assets": [{"serialNumber": "a", "runningCount": 1, "daysSinceCalibration": 2.5}],
        "attachments": [{"stepId": 3, "filename": "f"}],
        "uurAttachments": [{"id": "g", "filename": "h"}],
        "odataThing": "x"
    });
    assert_lossless(Kind::ReportHeader, &header);
    let typed: wats_core::ReportHeader = wjson::from_value(header).unwrap();
    assert!(typed.start().is_some());
    assert_eq!(typed.user_name.as_str(), Some("op"));
}

#[test]
fn a_member_of_another_json_type_is_kept_verbatim() {
    // Issue 15 §2: this made the whole report fail to decode; now it is kept as it came.
    let mut v = edge_report();
    v["root"]["steps"][1]["numericMeas"][1]["value"] = json!({"no": 1});
    v["root"]["steps"][2]["booleanMeas"][0]["value"] = json!("true");
    v["root"]["name"] = json!(["a"]);
    v["subUnits"] = json!([null]);
    assert_lossless(Kind::Report, &v);
    let typed: Report = wjson::from_value(v).unwrap();
    let root = typed.root().unwrap();
    assert_eq!(root.name(), "");
    let steps = root.children();
    assert_eq!(steps[1].numeric_measurements()[1].value_f64(), None);
    assert_eq!(
        steps[1].numeric_measurements()[1].value.other(),
        Some(&json!({"no": 1}))
    );
    assert_eq!(steps[2].boolean_measurements()[0].value.value(), None);
    assert!(typed.sub_units().is_empty());
}
