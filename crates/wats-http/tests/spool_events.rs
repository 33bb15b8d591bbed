//! A quarantined spool file, and a 2xx answer without a readable id, raise a warning event
//! (captured by one global subscriber, because spool file work runs on tokio's blocking
//! threads).

use std::sync::{Arc, Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<String>>>);

struct Text<'a>(&'a mut String);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

impl<S: Subscriber> Layer<S> for Warnings {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() == Level::WARN {
            let mut text = String::new();
            event.record(&mut Text(&mut text));
            self.0.lock().unwrap().push(text);
        }
    }
}

/// The warnings seen by the global subscriber (installed once for this test binary).
fn warnings() -> Vec<String> {
    static WARNINGS: OnceLock<Warnings> = OnceLock::new();
    let w = WARNINGS.get_or_init(|| {
        let w = Warnings::default();
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(w.clone()))
            .unwrap();
        w
    });
    w.0.lock().unwrap().clone()
}

#[tokio::test]
async fn quarantine_raises_a_warning_event() {
    warnings();
    let server = wats_mock::MockServer::start();
    let dir = std::env::temp_dir().join(format!("wats-http-spool-events-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let c = wats_http::Client::builder()
        .base_url(server.url())
        .token("dA==")
        .spool_dir(&dir)
        .build()
        .unwrap();
    let bad = "00000000-0000-4000-8000-0000000000ee";
    c.spool()
        .open()
        .await
        .unwrap()
        .put(bad, b"{\"id\":")
        .unwrap();
    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.quarantined, [bad]);
    let warnings = warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("quarantined") && w.contains(bad)),
        "{warnings:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A spooled report answered 200 with a body that is not JSON is delivered, and the warning
/// carries the report id and the raw answer.
#[tokio::test]
async fn a_2xx_without_a_readable_id_logs_the_raw_answer() {
    warnings();
    let server = wats_mock::MockServer::start();
    let dir =
        std::env::temp_dir().join(format!("wats-http-spool-events-2xx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let c = wats_http::Client::builder()
        .base_url(server.url())
        .token("dA==")
        .spool_dir(&dir)
        .build()
        .unwrap();
    let report = wats_core::UutReportBuilder::new("PCBA-1001", "SN-EVENTS-2XX", "B", 10)
        .station("STATION-1", "Line 1", "Production")
        .result(wats_core::Status::Passed)
        .build()
        .unwrap();
    let id = report.id.as_str().unwrap().to_owned();
    c.spool()
        .open()
        .await
        .unwrap()
        .put(&id, &wats_core::json::to_vec(&report).unwrap())
        .unwrap();
    server.inject(wats_mock::Fault::malformed_json().times(1));
    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.delivered, [id.as_str()]);
    let warnings = warnings();
    assert!(
        warnings.iter().any(|w| w.contains(&id)
            && w.contains("no readable id")
            && w.contains("wats-mock malformed answer")),
        "{warnings:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
