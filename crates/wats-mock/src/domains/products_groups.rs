//! Product groups and their filters, BOMs (JSON and WSBF XML) and vendors in the mock.

use std::collections::HashSet;

use http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Inner, lock, s};
use crate::domains::{Reply, Req};

// ---- groups and filters --------------------------------------------------------------

pub(super) fn group_named<'a>(inner: &'a mut Inner, name: &str) -> Option<&'a mut Value> {
    inner
        .groups
        .iter_mut()
        .find(|g| s(g, "name").eq_ignore_ascii_case(name))
}

pub(super) fn groups(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let rows: Vec<Value> = inner
        .groups
        .iter()
        .map(|g| json!({"productGroupId": g["id"], "productGroupName": g["name"]}))
        .collect();
    Reply::json(&Value::Array(rows))
}

pub(super) fn upsert_group(inner: &mut Inner, mut g: Value, by_id: bool) -> Result<Value, Reply> {
    let name = [s(&g, "name"), s(&g, "productGroupName")]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or("")
        .to_owned();
    if name.is_empty() {
        return Err(Reply::bad_request("name is required."));
    }
    g["name"] = json!(name);
    if let Some(m) = g.as_object_mut() {
        m.remove("productGroupName");
        m.remove("productGroupId");
    }
    let id = g.get("id").and_then(Value::as_i64);
    let slot = match id {
        Some(id) => inner.groups.iter_mut().find(|x| x["id"] == json!(id)),
        None if by_id => return Err(Reply::bad_request("id is required.")),
        None => group_named(inner, &name),
    };
    if let Some(slot) = slot {
        g["id"] = slot["id"].clone();
        *slot = g.clone();
        return Ok(g);
    }
    if by_id {
        return Err(Reply::not_found("The product group was not found."));
    }
    inner.next_id += 1;
    g["id"] = json!(inner.next_id);
    inner.groups.push(g.clone());
    Ok(g)
}

pub(super) fn group_reply(r: Result<Value, Reply>) -> Reply {
    r.map_or_else(|e| e, |g| Reply::json(&g))
}

pub(super) fn save_group(req: &Req<'_>) -> Reply {
    let body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    group_reply(
        upsert_group(&mut lock(req), body, false)
            .map(|g| json!({"productGroupId": g["id"], "productGroupName": g["name"]})),
    )
}

pub(super) fn create_product_group(req: &Req<'_>) -> Reply {
    let mut body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Some(m) = body.as_object_mut() {
        m.remove("id");
    }
    group_reply(upsert_group(&mut lock(req), body, false))
}

pub(super) fn update_product_group(req: &Req<'_>) -> Reply {
    let body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    group_reply(upsert_group(&mut lock(req), body, true))
}

pub(super) fn product_groups(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let with = req
        .q("includeFilters")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let rows: Vec<Value> = inner
        .groups
        .iter()
        .map(|g| {
            let mut g = g.clone();
            if with {
                g["filters"] = Value::Array(
                    inner
                        .filters
                        .iter()
                        .filter(|f| f["productGroupId"] == g["id"])
                        .cloned()
                        .collect(),
                );
            }
            g
        })
        .collect();
    Reply::json(&Value::Array(rows))
}

pub(super) fn delete_product_group(req: &Req<'_>) -> Reply {
    let mut inner = lock(req);
    let id: Value = req.p(0).parse::<i64>().map_or(Value::Null, Value::from);
    let before = inner.groups.len();
    inner.groups.retain(|g| g["id"] != id);
    if inner.groups.len() == before {
        return Reply::not_found("The product group was not found.");
    }
    inner.filters.retain(|f| f["productGroupId"] != id);
    Reply::empty(StatusCode::OK)
}

pub(super) fn group_filters(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let id: Value = req
        .q("productGroupId")
        .and_then(|v| v.parse::<i64>().ok())
        .map_or(Value::Null, Value::from);
    Reply::json(&Value::Array(
        inner
            .filters
            .iter()
            .filter(|f| f["productGroupId"] == id)
            .cloned()
            .collect(),
    ))
}

pub(super) fn add_group_filter(req: &Req<'_>) -> Reply {
    let mut inner = lock(req);
    let name = req.q("productGroup").unwrap_or_default().into_owned();
    let Some(gid) = group_named(&mut inner, &name).map(|g| g["id"].clone()) else {
        return Reply::not_found(&format!("Product group '{name}' was not found."));
    };
    let Some(pn) = req.q("partNumber").filter(|p| !p.is_empty()) else {
        return Reply::bad_request("partNumber is required.");
    };
    inner.next_id += 1;
    let f = json!({
        "id": inner.next_id, "productGroupId": gid, "partNumber": pn,
        "revision": req.q("revision").map(std::borrow::Cow::into_owned),
        "exclude": req.q("exclude").is_some_and(|v| v.eq_ignore_ascii_case("true")),
    });
    inner.filters.push(f.clone());
    Reply::json(&f)
}

/// A part-number pattern: `%` matches any run of characters, ASCII case ignored.
pub(super) fn like(pat: &str, s: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'%', rest)) => (0..=s.len()).any(|i| go(rest, &s[i..])),
            Some((c, rest)) => s
                .split_first()
                .is_some_and(|(d, tail)| c.eq_ignore_ascii_case(d) && go(rest, tail)),
        }
    }
    go(pat.as_bytes(), s.as_bytes())
}

/// Groups whose filters take `pn` (an include matches, no exclude does).
pub(super) fn groups_of(inner: &Inner, pn: &str) -> Vec<Value> {
    inner
        .groups
        .iter()
        .filter(|g| {
            let fs: Vec<&Value> = inner
                .filters
                .iter()
                .filter(|f| f["productGroupId"] == g["id"])
                .collect();
            let hit = |exclude: bool| {
                fs.iter()
                    .any(|f| f["exclude"] == json!(exclude) && like(s(f, "partNumber"), pn))
            };
            hit(false) && !hit(true)
        })
        .cloned()
        .collect()
}

pub(super) fn groups_by_product(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    Reply::json(&Value::Array(groups_of(
        &inner,
        &req.q("partNumber").unwrap_or_default(),
    )))
}

// ---- BOM and vendors ------------------------------------------------------------------

pub(super) fn bom_key(pn: &str, rev: &str) -> (String, String) {
    (pn.to_ascii_lowercase(), rev.trim().to_ascii_lowercase())
}

pub(super) fn get_bom(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let k = bom_key(
        &req.q("partNumber").unwrap_or_default(),
        &req.q("revision").unwrap_or_default(),
    );
    match inner.boms.get(&k) {
        Some(b) => Reply::json(b),
        None => Reply::not_found("No BOM was found for this product revision."),
    }
}

/// A WSBF document as the public BOM JSON.
pub(super) fn parse_wsbf(xml: &[u8]) -> Result<Value, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut bom = json!({"components": []});
    let mut buf = Vec::new();
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?
        {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let mut attrs = Map::new();
                for a in e.attributes() {
                    let a = a.map_err(|e| e.to_string())?;
                    let v = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
                    attrs.insert(
                        String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(),
                        json!(v),
                    );
                }
                let get = |k: &str| attrs.get(k).cloned().unwrap_or(Value::Null);
                match e.local_name().as_ref() {
                    b"BOM" => {
                        bom["partNumber"] = get("Partnumber");
                        bom["revision"] = get("Revision");
                        bom["description"] = get("Desc");
                    }
                    b"Component" => {
                        let qty = attrs
                            .get("Qty")
                            .and_then(Value::as_str)
                            .and_then(|q| q.parse::<i64>().ok())
                            .map_or(Value::Null, Value::from);
                        if let Some(Value::Array(list)) = bom.get_mut("components") {
                            list.push(json!({"number": get("Number"), "revision": get("Rev"), "quantity": qty,
                                "description": get("Desc"), "reference": get("Ref"), "functionBlock": get("FunctionBlock")}));
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(bom)
}

pub(super) fn put_bom(req: &Req<'_>) -> Reply {
    let xml = req
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("xml"));
    let bom = if xml {
        parse_wsbf(&req.body).map_err(|e| Reply::bad_request(&format!("Invalid WSBF: {e}")))
    } else {
        req.json()
    };
    let bom = match bom {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (pn, rev) = (
        s(&bom, "partNumber").to_owned(),
        s(&bom, "revision").to_owned(),
    );
    if pn.is_empty() || rev.is_empty() {
        return Reply::bad_request("The BOM needs a part number and a revision.");
    }
    lock(req).boms.insert(bom_key(&pn, &rev), bom);
    Reply::json(&json!({}))
}

pub(super) fn vendors(req: &Req<'_>) -> Reply {
    Reply::json(&Value::Array(lock(req).vendors.clone()))
}

pub(super) fn vendor_name(v: &Value) -> String {
    [s(v, "VendorName"), s(v, "name")]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or("")
        .to_ascii_lowercase()
}

pub(super) fn add_vendors(req: &Req<'_>) -> Reply {
    let Ok(Value::Array(items)) = req.json() else {
        return Reply::bad_request("The body must be a JSON array.");
    };
    let mut inner = lock(req);
    for v in items {
        let n = vendor_name(&v);
        if !n.is_empty() && !inner.vendors.iter().any(|x| vendor_name(x) == n) {
            inner.vendors.push(v);
        }
    }
    Reply::json(&json!({}))
}

pub(super) fn delete_vendors(req: &Req<'_>) -> Reply {
    let Ok(Value::Array(items)) = req.json() else {
        return Reply::bad_request("The body must be a JSON array.");
    };
    let names: HashSet<String> = items.iter().map(vendor_name).collect();
    lock(req)
        .vendors
        .retain(|v| !names.contains(&vendor_name(v)));
    Reply::json(&json!({}))
}
