//! The internal analytics routes against mockito: exact method, path, query and
//! body of the unit-flow and alarm-log calls, and their answers decoded.

mod support;

use mockito::Matcher;
use serde_json::json;
use wats_core::WatsFilter;
use wats_http::UnitFlowView;

fn client(url: &str) -> wats_http::Client {
    support::client(url).build().unwrap()
}

const FLOW: &str = r#"{"nodes":[{"id":1,"name":"ICT","unitCount":10,"passCount":9,"yield":90.0},
    {"id":2,"name":"FCT","unitCount":9,"passCount":9,"yield":100.0,"color":"green"}],
  "links":[{"sourceId":1,"targetId":2,"unitCount":9}],
  "units":[{"serialNumber":"S1","status":"Passed"}],"totalUnits":10,"zoom":1.5}"#;

#[tokio::test]
async fn unit_flow_and_alarm_requests_are_exact() {
    let mut server = mockito::Server::new_async().await;
    let flow = server
        .mock("POST", "/api/internal/UnitFlow")
        .match_query(Matcher::Missing)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(json!({
            "partNumber": "PCB-1", "dateFrom": "2026-01-01T00:00:00.000000+02:00",
            "showList": ["ICT"], "expandOperations": false
        })))
        .with_body(FLOW)
        .create_async()
        .await;
    let sn = server
        .mock("POST", "/api/internal/UnitFlow/SN")
        .match_body(Matcher::Json(json!({"serialNumbers": ["S1"]})))
        .with_body(FLOW)
        .create_async()
        .await;
    let split = server
        .mock("POST", "/api/internal/UnitFlow/SplitBy")
        .match_body(Matcher::Json(json!({"splitBy": "location"})))
        .with_body("{}")
        .create_async()
        .await;
    let order = server
        .mock("POST", "/api/internal/UnitFlow/UnitOrder")
        .match_body(Matcher::Json(
            json!({"unitOrder": "serialNumber", "partNumber": "P"}),
        ))
        .with_body("{}")
        .create_async()
        .await;
    let mut gets = Vec::new();
    for (path, body) in [
        (
            "/api/internal/UnitFlow/Links",
            r#"[{"sourceId":1,"targetId":2,"unitCount":9}]"#,
        ),
        (
            "/api/internal/UnitFlow/Nodes",
            r#"[{"id":"a","name":"ICT","processCode":10}]"#,
        ),
        (
            "/api/internal/UnitFlow/Units",
            r#"[{"serialNumber":"S1"},{"serialNumber":"S2"}]"#,
        ),
    ] {
        gets.push(
            server
                .mock("GET", path)
                .match_query(Matcher::Missing)
                .match_body(Matcher::Exact(String::new()))
                .with_body(body)
                .create_async()
                .await,
        );
    }
    let alarms = server
        .mock("POST", "/api/internal/Trigger/GetAlarmAndNotificationLogs")
        .match_body(Matcher::Json(json!({
            "topCount": 2, "dateTo": "2026-02-01T00:00:00.000000+00:00", "level": "L1"
        })))
        .with_body(r#"[{"name":"Yield low","type":2,"fpy":71.5},{"name":"Pool","type":3}]"#)
        .create_async()
        .await;

    let c = client(&server.url());
    let a = c.analytics().internal();
    let g = a
        .unit_flow(
            &WatsFilter::new()
                .part_number("PCB-1")
                .date_from_str("2026-01-01T00:00:00+02:00"),
            &UnitFlowView::new().show(["ICT"]).expand_operations(false),
        )
        .await
        .unwrap();
    assert_eq!(g.nodes.items().len(), 2);
    assert_eq!(
        g.links.items()[0].unit_count.value().unwrap().as_i64(),
        Some(9)
    );
    assert_eq!(g.extra["zoom"], json!(1.5));
    // Lossless: the graph is written back as received.
    let back: serde_json::Value = serde_json::to_value(&g).unwrap();
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(FLOW).unwrap()
    );
    let traced = a
        .unit_flow_by_serial_numbers(
            &WatsFilter::new(),
            &UnitFlowView::new().serial_numbers(["S1"]),
        )
        .await
        .unwrap();
    assert_eq!(traced.units.items()[0].serial_number.as_str(), Some("S1"));
    a.unit_flow_split_by(
        &WatsFilter::new(),
        &UnitFlowView::new().split_by("location"),
    )
    .await
    .unwrap();
    a.unit_flow_unit_order(
        &WatsFilter::new().part_number("P"),
        &UnitFlowView::new().unit_order("serialNumber"),
    )
    .await
    .unwrap();
    assert_eq!(a.unit_flow_links().await.unwrap().len(), 1);
    let nodes = a.unit_flow_nodes().await.unwrap();
    assert_eq!(nodes[0].id.value(), Some(&json!("a")));
    assert_eq!(a.unit_flow_units().await.unwrap().len(), 2);
    let to = wats_core::chrono::DateTime::parse_from_rfc3339("2026-02-01T00:00:00Z").unwrap();
    let logs = a
        .alarm_logs(&WatsFilter::new().top_count(2).date_to(to).level("L1"))
        .await
        .unwrap();
    let yield_alarms: Vec<_> = logs
        .iter()
        .filter(|l| l.alarm_type.value().and_then(wats_core::NumOrStr::as_i64) == Some(2))
        .collect();
    assert_eq!(yield_alarms.len(), 1);
    assert_eq!(
        yield_alarms[0]
            .fpy
            .value()
            .and_then(wats_core::NumOrStr::as_f64),
        Some(71.5)
    );
    for m in [flow, sn, split, order, alarms].iter().chain(&gets) {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn an_invalid_filter_sends_nothing() {
    let mut server = mockito::Server::new_async().await;
    let never = server
        .mock("POST", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let c = client(&server.url());
    let naive = WatsFilter::new().date_from_str("2026-01-01T00:00:00");
    match c.analytics().internal().top_failed(&naive).await {
        Err(wats_core::Error::InvalidInput { field, .. }) => assert_eq!(field, "dateFrom"),
        other => panic!("{other:?}"),
    }
    let semicolon = WatsFilter::new().serial_number("A;B");
    assert!(matches!(
        c.analytics().top_failed(&semicolon).await,
        Err(wats_core::Error::InvalidInput { .. })
    ));
    assert!(c.analytics().dynamic_yield(&naive).await.is_err());
    never.assert_async().await;
}
