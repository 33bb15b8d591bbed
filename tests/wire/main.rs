//! Every call on the wire: for each declared call, the exact method, path, query, body and
//! content type it sends, through the async client **and** the blocking client (which share
//! the declaration), against a loopback recorder. The last test checks that every call of
//! the route registry (and every `_opt` twin and helper) has a case here, so a call added
//! without a wire test fails the suite.
//!
//! One module per domain; each adds its cases with [`case!`].

#![allow(missing_docs, unreachable_pub)]

#[path = "../../crates/wats-http/tests/support/mod.rs"]
mod support;

mod analytics;
mod app;
mod assets;
mod processes;
mod production;
mod products;
mod reports;
mod rootcause;
mod scim;
mod software;

use std::collections::BTreeSet;
use std::sync::Arc;

use support::{Reply, Seen, TestServer};

/// The recorder, the two clients over it, and the names of the calls exercised.
pub struct Wire {
    pub server: TestServer,
    pub client: wats_http::Client,
    pub blocking: Arc<wats_sync::Client>,
    pub tested: BTreeSet<String>,
    pub spool_dir: std::path::PathBuf,
}

/// What a call must send.
pub struct Expect {
    pub method: &'static str,
    pub target: String,
    pub body: Option<Vec<u8>>,
    pub content_type: Option<&'static str>,
}

impl Expect {
    pub fn new(method: &'static str, target: impl Into<String>) -> Expect {
        Expect {
            method,
            target: target.into(),
            body: None,
            content_type: None,
        }
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>, content_type: &'static str) -> Expect {
        self.body = Some(body.into());
        self.content_type = Some(content_type);
        self
    }

    pub fn json(self, value: &serde_json::Value) -> Expect {
        self.body(serde_json::to_vec(value).unwrap(), "application/json")
    }
}

impl Wire {
    async fn start() -> Wire {
        // Answers every request with 200 and a JSON list holding one id, which every
        // answer type of the registry can read or reject without a panic.
        let server = TestServer::start(|_, _| {
            Reply::json(200, r#"["00000000-0000-4000-8000-00000000aaaa"]"#)
        })
        .await;
        let spool_dir = std::env::temp_dir().join(format!(
            "wats-wire-{}-{}",
            std::process::id(),
            fastrand_suffix()
        ));
        let client = support::client(&server.url())
            .max_attempts(1)
            .spool_dir(&spool_dir)
            .station(
                wats_http::Station::new("ST-WIRE")
                    .unwrap()
                    .with_location("Lab")
                    .with_purpose("Development"),
            )
            .build()
            .unwrap();
        let blocking =
            Arc::new(wats_sync::Client::from_async(&client, Default::default()).unwrap());
        Wire {
            server,
            client,
            blocking,
            tested: BTreeSet::new(),
            spool_dir,
        }
    }

    /// Check the last two requests (async, then blocking) against `expect`, and record that
    /// `domain.name` was exercised.
    pub fn check(&mut self, domain: &str, name: &str, before: usize, expect: &Expect) {
        let seen = self.server.seen();
        assert_eq!(
            seen.len(),
            before + 2,
            "{domain}.{name}: expected one request from each client"
        );
        for (which, s) in ["async", "blocking"].iter().zip(&seen[before..]) {
            check_one(domain, name, which, s, expect);
        }
        let route = wats_http::routes()
            .find(|r| {
                r.domain == domain
                    && (r.name == name || r.opt_name == Some(name) || r.helpers.contains(&name))
            })
            .unwrap_or_else(|| panic!("{domain}.{name} is not in the registry"));
        assert_eq!(
            route.method, expect.method,
            "{domain}.{name}: method of the declaration"
        );
        assert!(
            matches_template(route.template, &expect.target),
            "{domain}.{name}: {} does not fit {}",
            expect.target,
            route.template
        );
        self.tested.insert(format!("{domain}.{name}"));
    }
}

fn check_one(domain: &str, name: &str, which: &str, s: &Seen, expect: &Expect) {
    assert_eq!(s.method, expect.method, "{domain}.{name} ({which}): method");
    assert_eq!(
        s.target, expect.target,
        "{domain}.{name} ({which}): path and query"
    );
    match &expect.body {
        None => assert!(
            s.body.is_empty(),
            "{domain}.{name} ({which}): no body expected"
        ),
        Some(want) => {
            let got: Option<serde_json::Value> = serde_json::from_slice(&s.body).ok();
            let exp: Option<serde_json::Value> = serde_json::from_slice(want).ok();
            match (got, exp) {
                (Some(g), Some(e)) => assert_eq!(g, e, "{domain}.{name} ({which}): JSON body"),
                _ => assert_eq!(&s.body[..], &want[..], "{domain}.{name} ({which}): body"),
            }
            assert_eq!(
                s.headers.get("content-type").and_then(|v| v.to_str().ok()),
                expect.content_type,
                "{domain}.{name} ({which}): content type"
            );
        }
    }
}

/// Whether an encoded path (and query) fits a template: same literal segments (ASCII case
/// ignored, as the server's routing does), one non-empty segment per `{..}`.
fn matches_template(template: &str, target: &str) -> bool {
    let path = target.split_once('?').map_or(target, |(p, _)| p);
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| {
            if let Some(i) = t.find('{') {
                // A parameter is a whole segment or ends one (`userName={userName}`).
                p.len() > i && p.is_char_boundary(i) && t[..i].eq_ignore_ascii_case(&p[..i])
            } else {
                t.eq_ignore_ascii_case(p)
            }
        })
}

fn fastrand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Run one call through both clients and check what it sent:
/// `case!(w, domain.name, c => c.domain().name(args), Expect::new("GET", "/api/..."))`.
/// The call expression is written once and run with `c` bound to the async client (and
/// awaited), then to the blocking client (on a blocking thread).
#[macro_export]
macro_rules! case {
    ($w:expr, $domain:ident . $name:ident, $c:ident => $call:expr, $expect:expr) => {{
        let before = $w.server.count();
        {
            let $c = &$w.client;
            let _ = $call.await;
        }
        {
            let b = $w.blocking.clone();
            tokio::task::spawn_blocking(move || {
                let $c = &*b;
                let _ = $call;
            })
            .await
            .unwrap();
        }
        $w.check(stringify!($domain), stringify!($name), before, &$expect);
    }};
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_declared_call_sends_exactly_its_request() {
    let mut w = Wire::start().await;
    app::cases(&mut w).await;
    reports::cases(&mut w).await;
    products::cases(&mut w).await;
    production::cases(&mut w).await;
    processes::cases(&mut w).await;
    assets::cases(&mut w).await;
    software::cases(&mut w).await;
    rootcause::cases(&mut w).await;
    scim::cases(&mut w).await;
    analytics::cases(&mut w).await;

    let mut declared = BTreeSet::new();
    for r in wats_http::routes() {
        declared.insert(format!("{}.{}", r.domain, r.name));
        if let Some(opt) = r.opt_name {
            declared.insert(format!("{}.{opt}", r.domain));
        }
        for h in r.helpers {
            declared.insert(format!("{}.{h}", r.domain));
        }
    }
    let missing: Vec<_> = declared.difference(&w.tested).collect();
    assert!(missing.is_empty(), "calls without a wire test: {missing:?}");
    std::fs::remove_dir_all(&w.spool_dir).ok();
    // Release the blocking client's runtimes on a blocking thread.
    let Wire { blocking, .. } = w;
    tokio::task::spawn_blocking(move || drop(blocking))
        .await
        .unwrap();
}
