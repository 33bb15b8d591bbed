//! Processes against the mock: one cached list (time-to-live, explicit refresh, single
//! flight under 16 concurrent misses, counted on the mock), the lookups and validity checks
//! over it, and the internal detailed list and repair-operation fail codes.

use std::sync::Arc;
use std::time::Duration;

use wats_core::Error;
use wats_mock::MockServer;

const LIST: &str = "/api/App/Processes";

fn client(server: &MockServer) -> wats_http::Client {
    wats_http::Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_misses_send_one_request() {
    let server = MockServer::start();
    // Slow answers keep all 16 callers inside the miss at once.
    server.set_latency(Duration::from_millis(50));
    let c = client(&server);
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (c, barrier) = (c.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                c.processes().cached().await.unwrap()
            })
        })
        .collect();
    let mut lists = Vec::new();
    for t in tasks {
        lists.push(t.await.unwrap());
    }
    assert_eq!(server.requests_for(LIST), 1);
    assert!(lists.iter().all(|l| Arc::ptr_eq(l, &lists[0])));
    assert!(!lists[0].is_empty());
}

#[tokio::test]
async fn ttl_refresh_and_invalidate() {
    let server = MockServer::start();
    let c = client(&server);
    let first = c.processes().cached().await.unwrap();
    let second = c.processes().cached().await.unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(server.requests_for(LIST), 1);

    // lookups read the same list
    assert_eq!(
        c.processes()
            .by_code(20)
            .await
            .unwrap()
            .unwrap()
            .name
            .as_str(),
        Some("ICT")
    );
    assert_eq!(
        c.processes()
            .by_name(" repair ")
            .await
            .unwrap()
            .unwrap()
            .code
            .value(),
        Some(&500)
    );
    assert!(c.processes().by_code(12345).await.unwrap().is_none());
    assert!(c.processes().is_valid_test_operation(30).await.unwrap());
    assert!(!c.processes().is_valid_test_operation(500).await.unwrap());
    assert!(c.processes().is_valid_repair_operation(510).await.unwrap());
    assert!(c.processes().is_valid_wip_operation(600).await.unwrap());
    assert!(!c.processes().is_valid_wip_operation(510).await.unwrap());
    let repair: Vec<i64> = c
        .processes()
        .repair_operations()
        .await
        .unwrap()
        .iter()
        .map(|p| *p.code.value().unwrap())
        .collect();
    assert_eq!(repair, [500, 510]);
    let wip = c.processes().wip_operations().await.unwrap();
    assert!(
        wip.iter()
            .all(|p| p.is_wip_operation.value() == Some(&true))
    );
    assert!(!wip.is_empty());
    assert!(c.processes().test_operations().await.unwrap().len() > 5);
    assert_eq!(server.requests_for(LIST), 1, "all lookups from the cache");

    // explicit refresh fetches, invalidate makes the next read fetch
    let fresh = c.processes().refresh().await.unwrap();
    assert!(!Arc::ptr_eq(&fresh, &first));
    assert_eq!(server.requests_for(LIST), 2);
    c.processes().invalidate();
    c.processes().cached().await.unwrap();
    assert_eq!(server.requests_for(LIST), 3);

    // a zero time-to-live: every read fetches; clones share the cache
    c.clone().processes().set_cache_ttl(Duration::ZERO);
    c.processes().cached().await.unwrap();
    c.processes().cached().await.unwrap();
    assert_eq!(server.requests_for(LIST), 5);

    // an error is not cached, and the next read tries again
    c.processes().set_cache_ttl(Duration::from_secs(3600));
    c.processes().invalidate();
    server.fail_next(1, 404);
    assert!(matches!(
        c.processes().cached().await,
        Err(Error::NotFound { .. })
    ));
    assert!(c.processes().cached().await.is_ok());
    assert_eq!(server.requests_for(LIST), 7);
}

#[tokio::test]
async fn internal_details_and_fail_codes() {
    let server = MockServer::start();
    let c = client(&server);
    let detailed = c.processes().internal().processes_detailed().await.unwrap();
    let repair = detailed
        .iter()
        .find(|p| p.code.value() == Some(&500))
        .unwrap();
    let id = repair.process_id.as_str().unwrap();
    let one = c.processes().internal().process(id).await.unwrap();
    assert_eq!(one.name.as_str(), Some("Repair"));
    assert!(
        c.processes()
            .internal()
            .process_opt("nope")
            .await
            .unwrap()
            .is_none()
    );

    let configs = c
        .processes()
        .internal()
        .repair_operation_configs()
        .await
        .unwrap();
    assert_eq!(configs.keys().collect::<Vec<_>>(), ["500", "510"]);
    let codes = c.processes().internal().fail_codes(500).await.unwrap();
    assert_eq!(codes.len(), 4, "the retired code is not selectable");
    assert_eq!(
        (codes[0].category.as_str(), codes[0].code.as_str()),
        ("Component", "Defect Component")
    );
    assert!(
        c.processes()
            .internal()
            .fail_codes(10)
            .await
            .unwrap()
            .is_empty()
    );
    let cfg = c
        .processes()
        .internal()
        .repair_operation(id, 500)
        .await
        .unwrap();
    assert!(cfg.is_valid_fail_code("Solder Process", "Bridge"));
    assert!(!cfg.is_valid_fail_code("Component", "Obsolete"));
}
