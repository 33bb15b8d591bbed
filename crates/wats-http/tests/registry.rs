//! The route registry checks the wire: every declared route is an operation of the server's
//! OpenAPI document (or on the one list of exceptions, with a reason), `docs/API.md` is the
//! registry's rendering, and every route is served by `wats-mock` or left to a named
//! `mockito` test.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;
use wats_http::{Route, left_to_mockito, outside_openapi, routes};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn openapi() -> Value {
    let path = repo().join("fixtures/wats-samples/openapi_public_v3.json");
    let text = std::fs::read_to_string(&path).expect("the OpenAPI fixture");
    serde_json::from_str(&text).expect("valid JSON")
}

fn exception(r: &Route, query: Option<&str>) -> bool {
    outside_openapi().any(|e| e.method == r.method && e.template == r.template && e.query == query)
}

#[test]
fn every_route_is_an_openapi_operation_or_a_listed_exception() {
    let doc = openapi();
    let paths = doc["paths"].as_object().expect("paths");
    let mut problems = Vec::new();
    for r in routes() {
        let op = paths
            .get(r.template)
            .and_then(|p| p.get(r.method.to_ascii_lowercase()));
        let Some(op) = op else {
            if !exception(r, None) {
                problems.push(format!(
                    "{} {} ({}.{}) is not in the OpenAPI document and not on outside_openapi()",
                    r.method, r.template, r.domain, r.name
                ));
            }
            continue;
        };
        assert!(
            !exception(r, None),
            "{} {} is in the document: remove it from outside_openapi()",
            r.method,
            r.template
        );
        let documented: BTreeSet<&str> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        let odata = format!("{}{}", op["summary"], op["description"]).contains("OData");
        for q in r.query.iter().chain(r.options) {
            let ok =
                documented.contains(q) || (odata && q.starts_with('$')) || exception(r, Some(q));
            if !ok {
                problems.push(format!(
                    "{} {} ({}.{}): query parameter `{q}` is not in the document",
                    r.method, r.template, r.domain, r.name
                ));
            }
        }
        // Path parameters: named as the document names them, filled by the declaration.
        let params: Vec<&str> = r.template_params().collect();
        let doc_params: BTreeSet<&str> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        for p in &params {
            if !doc_params.contains(p) {
                problems.push(format!(
                    "{} {}: path parameter {p} undocumented",
                    r.method, r.template
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_exception_is_used_and_every_declaration_fills_its_template() {
    for e in outside_openapi() {
        assert!(
            routes().any(|r| r.method == e.method
                && r.template == e.template
                && e.query
                    .is_none_or(|q| r.query.contains(&q) || r.options.contains(&q))),
            "outside_openapi() lists {} {} {:?}, which no call sends",
            e.method,
            e.template,
            e.query
        );
        assert!(!e.reason.trim().is_empty());
    }
    let mut names = BTreeSet::new();
    for r in routes() {
        assert_eq!(
            r.template_params().count(),
            r.path_args.len(),
            "{}.{}: {} has {} parameters, the declaration fills {}",
            r.domain,
            r.name,
            r.template,
            r.template_params().count(),
            r.path_args.len()
        );
        assert!(r.template.starts_with("/api/"), "{}", r.template);
        assert!(
            !r.summary.trim().is_empty(),
            "{}.{} has no doc line",
            r.domain,
            r.name
        );
        for name in std::iter::once(r.name)
            .chain(r.opt_name)
            .chain(r.helpers.iter().copied())
        {
            assert!(
                names.insert((r.domain, name)),
                "{}.{name} is declared twice",
                r.domain
            );
        }
        // Calls whose idempotency differs from their method's default, and why:
        // assets.increment_count is a PUT that adds to a counter (a replay counts twice);
        // root_cause.update is a PUT whose `update` adds a comment (a replay adds it twice).
        const NOT_DEFAULT: &[(&str, &str)] =
            &[("assets", "increment_count"), ("root_cause", "update")];
        assert_eq!(
            r.idempotent != NOT_DEFAULT.contains(&(r.domain, r.name)),
            r.method != "POST" && r.method != "PATCH",
            "{}.{}: idempotency differs from its method's default; say why in its declaration \
             and in this test",
            r.domain,
            r.name
        );
    }
}

#[test]
fn every_route_is_served_by_the_mock_or_left_to_a_named_mockito_test() {
    let served: BTreeSet<(&str, &str)> = wats_mock::served_routes().into_iter().collect();
    let mut missing = Vec::new();
    for r in routes() {
        let by_mock = served.contains(&(r.method, r.template));
        let left = left_to_mockito().find(|l| l.method == r.method && l.template == r.template);
        match (by_mock, left) {
            (true, Some(_)) => panic!(
                "{} {} is served by the mock: remove it from left_to_mockito()",
                r.method, r.template
            ),
            (false, None) => missing.push(format!("{} {}", r.method, r.template)),
            (false, Some(l)) => {
                // The named test exists.
                let (file, test) = l.test.split_once("::").expect("file::test");
                let file = file.strip_prefix("wats-http/").expect("a wats-http test");
                let text =
                    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file))
                        .expect("the named test file");
                assert!(
                    text.contains(&format!("fn {test}(")),
                    "{} names a missing test",
                    l.test
                );
            }
            (true, None) => {}
        }
    }
    assert!(
        missing.is_empty(),
        "neither served nor left to mockito: {missing:?}"
    );
}

#[test]
fn docs_api_md_is_the_registry_rendered() {
    let path = repo().join("docs/API.md");
    let mut want = wats_http::api_markdown();
    // The pages on the pyWATS methods each domain does not carry over (hand-written, one
    // per domain in docs/API-gaps/) close the file, one heading level down.
    let mut gaps: Vec<PathBuf> = std::fs::read_dir(repo().join("docs/API-gaps"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    gaps.retain(|p| p.extension().is_some_and(|e| e == "md"));
    gaps.sort();
    if !gaps.is_empty() {
        want.push_str("\n# pyWATS methods without a counterpart, domain by domain\n\n");
        want.push_str("Copied from `docs/API-gaps/<domain>.md` (edit those files).\n");
    }
    for gap in gaps {
        let text = std::fs::read_to_string(&gap).expect("a gap page");
        want.push('\n');
        for line in text.lines() {
            if line.starts_with('#') {
                want.push('#');
            }
            want.push_str(line);
            want.push('\n');
        }
    }
    if std::env::var_os("WATS_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write docs/API.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/API.md is stale: run `WATS_BLESS=1 cargo test -p wats-http --test registry`"
    );
}
