//! A quarantined spool file raises a warning event (captured by a global subscriber, because
//! spool file work runs on tokio's blocking threads).

use std::sync::{Arc, Mutex};

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

#[tokio::test]
async fn quarantine_raises_a_warning_event() {
    let warnings = Warnings::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(warnings.clone()))
        .unwrap();
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
    let warnings = warnings.0.lock().unwrap().clone();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("quarantined") && w.contains(bad)),
        "{warnings:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
