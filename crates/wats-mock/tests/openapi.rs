//! Every served route exists, with its method, in the server's OpenAPI document.

const OPENAPI: &str = include_str!("../../../fixtures/wats-samples/openapi_public_v3.json");

/// Served routes missing from the document (each listed in wats-http's `outside_openapi()`).
const OUTSIDE_THE_DOCUMENT: &[(&str, &str)] = &[
    ("GET", "/api/Production/Unit/Query"),
    ("POST", "/api/Production/Unit"),
    ("PUT", "/api/Production/Unit"),
    ("DELETE", "/api/Production/Unit"),
    ("PUT", "/api/Production/ChangeUnit"),
    ("PUT", "/api/Production/UnitTag"),
    ("GET", "/api/Production/Batches"),
    ("PUT", "/api/Production/Batch"),
];

#[test]
fn every_served_route_is_in_the_openapi_document() {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    let served = wats_mock::served_routes();
    assert!(served.len() >= 9);
    for (method, template) in served {
        // The domain tables also serve internal routes and the routes pyWATS sends outside
        // the document; wats-http's registry test holds each of those to its listed reason.
        if template.to_ascii_lowercase().starts_with("/api/internal/")
            || OUTSIDE_THE_DOCUMENT.contains(&(method, template))
        {
            continue;
        }
        let ops = paths
            .get(template)
            .unwrap_or_else(|| panic!("{template} is not in the OpenAPI document"));
        assert!(
            ops.get(method.to_ascii_lowercase()).is_some(),
            "{method} {template} is not in the OpenAPI document"
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
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        declared.sort_unstable();
        in_template.sort_unstable();
        assert_eq!(declared, in_template, "{method} {template}");
    }
}

fn is_internal(template: &str) -> bool {
    template.to_ascii_lowercase().starts_with("/api/internal/")
}
