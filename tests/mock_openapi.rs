//! Every built-in route exists, with its method, in the server's OpenAPI document; the
//! domain tables' routes outside it are checked against wats-http's `outside_openapi()`
//! list by `wats-http/tests/registry.rs`.

const OPENAPI: &str = include_str!("../fixtures/wats-samples/openapi_public_v3.json");

#[test]
fn every_served_route_is_in_the_openapi_document() {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    let served = wats_mock::served_routes();
    assert!(served.len() >= 9);
    for (method, template) in served {
        // A route outside the document must be one wats-http lists, with its reason.
        let listed = || {
            wats_http::outside_openapi()
                .any(|e| e.method == method && e.template == template && e.query.is_none())
        };
        let ops = paths.get(template);
        assert!(
            ops.is_some_and(|o| o.get(method.to_ascii_lowercase()).is_some()) || listed(),
            "{method} {template} is not in the OpenAPI document nor in wats-http's exceptions"
        );
    }
}

#[test]
fn path_parameters_match_the_document() {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    for (method, template) in wats_mock::served_routes()
        .into_iter()
        .filter(|(_, t)| !is_internal(t))
    {
        let op = &doc["paths"][template][method.to_ascii_lowercase()];
        if op.is_null() {
            continue; // outside the document: checked by the test above
        }
        let mut declared: Vec<&str> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        let mut in_template: Vec<&str> = template
            .split('/')
            .filter_map(|s| s[s.find('{')? + 1..].strip_suffix('}'))
            .collect();
        declared.sort_unstable();
        in_template.sort_unstable();
        assert_eq!(declared, in_template, "{method} {template}");
    }
}

fn is_internal(template: &str) -> bool {
    template.to_ascii_lowercase().starts_with("/api/internal/")
}
