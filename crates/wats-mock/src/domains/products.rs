//! The `products` domain's routes and state in the mock: products and revisions written
//! over the seeded catalog (created, updated, deleted or deactivated), groups and their
//! filters, BOMs (JSON and WSBF XML), vendors, and the internal tag, category, relation and
//! hierarchy routes. What a test writes, it reads back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Reply, Req, Served};
use crate::odata;
use crate::store::PRODUCT_FIELDS;

/// This domain's state.
#[derive(Debug, Default)]
pub(crate) struct State {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Products written (or changed) since start, by lower-case part number.
    products: BTreeMap<String, Value>,
    /// Seeded products deleted, by lower-case part number.
    deleted: HashSet<String>,
    groups: Vec<Value>,
    filters: Vec<Value>,
    next_id: i64,
    boms: HashMap<(String, String), Value>,
    vendors: Vec<Value>,
    relations: Vec<Value>,
    categories: Vec<Value>,
    tags: HashMap<String, Value>,
}

fn lock<'a>(req: &Req<'a>) -> MutexGuard<'a, Inner> {
    req.store
        .domains
        .products
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn key(pn: &str) -> String {
    pn.to_ascii_lowercase()
}

/// The current product (written, else seeded unless deleted).
fn product(inner: &Inner, req: &Req<'_>, pn: &str) -> Option<Value> {
    if let Some(p) = inner.products.get(&key(pn)) {
        return Some(p.clone());
    }
    if inner.deleted.contains(&key(pn)) {
        return None;
    }
    let p = req.store.catalog.product(pn)?;
    serde_json::from_slice(&p.full).ok()
}

fn view(p: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "partNumber".into(),
        p.get("partNumber").cloned().unwrap_or(Value::Null),
    );
    m.insert("name".into(), p.get("name").cloned().unwrap_or(Value::Null));
    let cat = p
        .get("productCategoryName")
        .or_else(|| p.get("category"))
        .cloned()
        .unwrap_or(Value::Null);
    m.insert("category".into(), cat);
    m.insert(
        "nonSerial".into(),
        p.get("nonSerial").cloned().unwrap_or(json!(false)),
    );
    m.insert("state".into(), p.get("state").cloned().unwrap_or(json!(1)));
    m
}

fn query(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let mut rows: Vec<Map<String, Value>> = req
        .store
        .catalog
        .products
        .iter()
        .filter(|p| {
            let k = key(&p.part_number);
            !inner.deleted.contains(&k) && !inner.products.contains_key(&k)
        })
        .map(|p| p.view.clone())
        .collect();
    rows.extend(inner.products.values().map(view));
    drop(inner);
    let filter = match req.q("$filter") {
        Some(f) => match odata::parse(&f, PRODUCT_FIELDS) {
            Ok(e) => Some(e),
            Err(d) => {
                return Reply::bad_request(&format!(
                    "The query specified in the URI is not valid. {d}"
                ));
            }
        },
        None => None,
    };
    let num = |k: &str| req.q(k).map(|v| v.trim().parse::<usize>());
    let top = match num("$top") {
        Some(Ok(n)) => n,
        Some(Err(_)) => return Reply::bad_request("Invalid value for $top."),
        None if filter.is_some() => usize::MAX,
        None => 1000,
    };
    let skip = match num("$skip") {
        Some(Ok(n)) => n,
        Some(Err(_)) => return Reply::bad_request("Invalid value for $skip."),
        None => 0,
    };
    rows.retain(|r| filter.as_ref().is_none_or(|f| odata::eval(f, r)));
    if let Some(order) = req.q("$orderby") {
        let mut words = order.split_whitespace();
        let field = words.next().unwrap_or("").to_owned();
        let desc = words.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
        let Some(field) = PRODUCT_FIELDS
            .iter()
            .find(|f| f.eq_ignore_ascii_case(&field))
        else {
            return Reply::bad_request("$orderby is not supported on this property.");
        };
        rows.sort_by(|a, b| {
            let o = odata::order_values(a.get(*field), b.get(*field));
            if desc { o.reverse() } else { o }
        });
    }
    let rows: Vec<_> = rows.into_iter().skip(skip).take(top).collect();
    Reply::json(&Value::from(
        rows.into_iter().map(Value::Object).collect::<Vec<_>>(),
    ))
}

fn get(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    match product(&inner, req, req.p(0)) {
        Some(p) => Reply::json(&p),
        None => Reply::not_found(&format!("Product '{}' was not found.", req.p(0))),
    }
}

fn revisions(p: &Value) -> &[Value] {
    p.get("revisions")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn get_revision(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let rev = product(&inner, req, req.p(0)).and_then(|p| {
        revisions(&p)
            .iter()
            .find(|r| s(r, "revision").eq_ignore_ascii_case(req.p(1)))
            .cloned()
    });
    match rev {
        Some(r) => Reply::json(&r),
        None => Reply::not_found(&format!(
            "Product revision '{}' '{}' was not found.",
            req.p(0),
            req.p(1)
        )),
    }
}

fn uuid() -> Value {
    Value::String(uuid::Uuid::new_v4().to_string())
}

/// Create or update one product; the saved product or a 400 message.
fn save_one(inner: &mut Inner, req: &Req<'_>, body: Value) -> Result<Value, String> {
    let Value::Object(fields) = body else {
        return Err("The product must be a JSON object.".into());
    };
    let pn = fields
        .get("partNumber")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    if pn.is_empty() {
        return Err("partNumber is required.".into());
    }
    let mut p = product(inner, req, &pn)
        .unwrap_or_else(|| json!({"productId": uuid(), "state": 1, "revisions": []}));
    if let Value::Object(m) = &mut p {
        for (k, v) in fields {
            if k != "productId" || !v.is_null() {
                m.insert(k, v);
            }
        }
        if m.get("productId").is_none_or(Value::is_null) {
            m.insert("productId".into(), uuid());
        }
        let id = m.get("productId").cloned().unwrap_or(Value::Null);
        if let Some(Value::Array(revs)) = m.get_mut("revisions") {
            for r in revs.iter_mut().filter_map(Value::as_object_mut) {
                r.insert("productId".into(), id.clone());
                r.entry("productRevisionId").or_insert_with(uuid);
                r.insert("partNumber".into(), json!(pn));
            }
        }
    }
    inner.deleted.remove(&key(&pn));
    inner.products.insert(key(&pn), p.clone());
    Ok(p)
}

fn save(req: &Req<'_>) -> Reply {
    let body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut inner = lock(req);
    match save_one(&mut inner, req, body) {
        Ok(p) => Reply::json(&p),
        Err(m) => Reply::bad_request(&m),
    }
}

fn save_many(req: &Req<'_>) -> Reply {
    many(req, save_one)
}

type SaveFn = fn(&mut Inner, &Req<'_>, Value) -> Result<Value, String>;

fn many(req: &Req<'_>, one: SaveFn) -> Reply {
    let Ok(Value::Array(items)) = req.json() else {
        return Reply::bad_request("The body must be a JSON array.");
    };
    let mut inner = lock(req);
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match one(&mut inner, req, item) {
            Ok(v) => out.push(v),
            Err(m) => return Reply::bad_request(&m),
        }
    }
    Reply::json(&Value::Array(out))
}

/// The part number a revision names: `partNumber`/`PartNumber`, else by `productId`.
fn owner(inner: &Inner, req: &Req<'_>, r: &Value) -> Option<Value> {
    let pn = [s(r, "partNumber"), s(r, "PartNumber")]
        .into_iter()
        .find(|p| !p.is_empty());
    if let Some(pn) = pn {
        return product(inner, req, pn);
    }
    let id = s(r, "productId");
    if id.is_empty() {
        return None;
    }
    inner
        .products
        .values()
        .find(|p| s(p, "productId").eq_ignore_ascii_case(id))
        .cloned()
        .or_else(|| {
            req.store.catalog.products.iter().find_map(|c| {
                let p: Value = serde_json::from_slice(&c.full).ok()?;
                (s(&p, "productId").eq_ignore_ascii_case(id)
                    && !inner.deleted.contains(&key(&c.part_number)))
                .then_some(p)
            })
        })
}

fn save_revision_one(inner: &mut Inner, req: &Req<'_>, body: Value) -> Result<Value, String> {
    let rev_name = s(&body, "revision").trim().to_owned();
    if rev_name.is_empty() {
        return Err("revision is required.".into());
    }
    let Some(mut p) = owner(inner, req, &body) else {
        return Err("The revision's product (productId or partNumber) was not found.".into());
    };
    let pn = s(&p, "partNumber").to_owned();
    let mut rev = body;
    if let Value::Object(m) = &mut rev {
        m.insert(
            "productId".into(),
            p.get("productId").cloned().unwrap_or(Value::Null),
        );
        m.insert("partNumber".into(), Value::String(pn.clone()));
        if m.get("productRevisionId").is_none_or(Value::is_null) {
            m.insert("productRevisionId".into(), uuid());
        }
    }
    if let Some(Value::Array(list)) = p.get_mut("revisions") {
        match list
            .iter_mut()
            .find(|r| s(r, "revision").eq_ignore_ascii_case(&rev_name))
        {
            Some(slot) => *slot = rev.clone(),
            None => list.push(rev.clone()),
        }
    } else if let Value::Object(m) = &mut p {
        m.insert("revisions".into(), json!([rev.clone()]));
    }
    inner.products.insert(key(&pn), p);
    Ok(rev)
}

fn save_revision(req: &Req<'_>) -> Reply {
    let body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut inner = lock(req);
    match save_revision_one(&mut inner, req, body) {
        Ok(r) => Reply::json(&r),
        Err(m) => Reply::bad_request(&m),
    }
}

fn save_revisions(req: &Req<'_>) -> Reply {
    many(req, save_revision_one)
}

/// Serial numbers of stored test reports on `pn` (and `rev`): what keeps it from deletion.
fn users(req: &Req<'_>, pn: &str, rev: Option<&str>) -> Vec<Value> {
    req.store
        .matching_reports(b'T', None)
        .iter()
        .filter(|r| {
            r.header
                .get("partNumber")
                .and_then(Value::as_str)
                .is_some_and(|p| p.eq_ignore_ascii_case(pn))
        })
        .filter(|r| {
            rev.is_none_or(|rev| {
                r.header
                    .get("revision")
                    .and_then(Value::as_str)
                    .is_some_and(|x| x.trim().eq_ignore_ascii_case(rev))
            })
        })
        .filter_map(|r| r.header.get("serialNumber").cloned())
        .collect()
}

fn delete(req: &Req<'_>) -> Reply {
    let pn = req.p(0);
    let mut inner = lock(req);
    let Some(mut p) = product(&inner, req, pn) else {
        return Reply::not_found(&format!("Product '{pn}' was not found."));
    };
    let sns = users(req, pn, None);
    if sns.is_empty() {
        inner.products.remove(&key(pn));
        inner.deleted.insert(key(pn));
        return Reply::empty(StatusCode::NO_CONTENT);
    }
    p["state"] = json!(0);
    inner.products.insert(key(pn), p);
    Reply::json(&json!({ "serialNumbers": sns }))
}

fn delete_revision(req: &Req<'_>) -> Reply {
    let (pn, rev) = (req.p(0), req.p(1));
    let mut inner = lock(req);
    let Some(mut p) = product(&inner, req, pn) else {
        return Reply::not_found(&format!("Product '{pn}' was not found."));
    };
    let Some(Value::Array(list)) = p.get_mut("revisions") else {
        return Reply::not_found(&format!("Product revision '{pn}' '{rev}' was not found."));
    };
    let Some(i) = list
        .iter()
        .position(|r| s(r, "revision").eq_ignore_ascii_case(rev))
    else {
        return Reply::not_found(&format!("Product revision '{pn}' '{rev}' was not found."));
    };
    let sns = users(req, pn, Some(rev));
    let reply = if sns.is_empty() {
        list.remove(i);
        Reply::empty(StatusCode::NO_CONTENT)
    } else {
        list[i]["state"] = json!(0);
        Reply::json(&json!({ "serialNumbers": sns }))
    };
    inner.products.insert(key(pn), p);
    reply
}

// ---- groups and filters --------------------------------------------------------------

fn group_named<'a>(inner: &'a mut Inner, name: &str) -> Option<&'a mut Value> {
    inner
        .groups
        .iter_mut()
        .find(|g| s(g, "name").eq_ignore_ascii_case(name))
}

fn groups(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let rows: Vec<Value> = inner
        .groups
        .iter()
        .map(|g| json!({"productGroupId": g["id"], "productGroupName": g["name"]}))
        .collect();
    Reply::json(&Value::Array(rows))
}

fn upsert_group(inner: &mut Inner, mut g: Value, by_id: bool) -> Result<Value, Reply> {
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

fn group_reply(r: Result<Value, Reply>) -> Reply {
    r.map_or_else(|e| e, |g| Reply::json(&g))
}

fn save_group(req: &Req<'_>) -> Reply {
    let body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    group_reply(
        upsert_group(&mut lock(req), body, false)
            .map(|g| json!({"productGroupId": g["id"], "productGroupName": g["name"]})),
    )
}

fn create_product_group(req: &Req<'_>) -> Reply {
    let mut body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Some(m) = body.as_object_mut() {
        m.remove("id");
    }
    group_reply(upsert_group(&mut lock(req), body, false))
}

fn update_product_group(req: &Req<'_>) -> Reply {
    let body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    group_reply(upsert_group(&mut lock(req), body, true))
}

fn product_groups(req: &Req<'_>) -> Reply {
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

fn delete_product_group(req: &Req<'_>) -> Reply {
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

fn group_filters(req: &Req<'_>) -> Reply {
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

fn add_group_filter(req: &Req<'_>) -> Reply {
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
fn like(pat: &str, s: &str) -> bool {
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
fn groups_of(inner: &Inner, pn: &str) -> Vec<Value> {
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

fn groups_by_product(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    Reply::json(&Value::Array(groups_of(
        &inner,
        &req.q("partNumber").unwrap_or_default(),
    )))
}

// ---- BOM and vendors ------------------------------------------------------------------

fn bom_key(pn: &str, rev: &str) -> (String, String) {
    (pn.to_ascii_lowercase(), rev.trim().to_ascii_lowercase())
}

fn get_bom(req: &Req<'_>) -> Reply {
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
fn parse_wsbf(xml: &[u8]) -> Result<Value, String> {
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

fn put_bom(req: &Req<'_>) -> Reply {
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

fn vendors(req: &Req<'_>) -> Reply {
    Reply::json(&Value::Array(lock(req).vendors.clone()))
}

fn vendor_name(v: &Value) -> String {
    [s(v, "VendorName"), s(v, "name")]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn add_vendors(req: &Req<'_>) -> Reply {
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

fn delete_vendors(req: &Req<'_>) -> Reply {
    let Ok(Value::Array(items)) = req.json() else {
        return Reply::bad_request("The body must be a JSON array.");
    };
    let names: HashSet<String> = items.iter().map(vendor_name).collect();
    lock(req)
        .vendors
        .retain(|v| !names.contains(&vendor_name(v)));
    Reply::json(&json!({}))
}

/// The routes this module serves (the internal ones are in `products_internal` below).
pub(crate) static ROUTES: &[Served] = &[
    Served {
        method: "GET",
        template: "/api/Product/Query",
        handler: query,
    },
    Served {
        method: "GET",
        template: "/api/Product/{partNumber}",
        handler: get,
    },
    Served {
        method: "GET",
        template: "/api/Product/{partNumber}/{revision}",
        handler: get_revision,
    },
    Served {
        method: "PUT",
        template: "/api/Product",
        handler: save,
    },
    Served {
        method: "PUT",
        template: "/api/Products",
        handler: save_many,
    },
    Served {
        method: "PUT",
        template: "/api/Product/Revision",
        handler: save_revision,
    },
    Served {
        method: "PUT",
        template: "/api/Products/Revisions",
        handler: save_revisions,
    },
    Served {
        method: "DELETE",
        template: "/api/Product/{partNumber}",
        handler: delete,
    },
    Served {
        method: "DELETE",
        template: "/api/Product/{partNumber}/{revision}",
        handler: delete_revision,
    },
    Served {
        method: "GET",
        template: "/api/Product/Groups",
        handler: groups,
    },
    Served {
        method: "PUT",
        template: "/api/Product/Group",
        handler: save_group,
    },
    Served {
        method: "GET",
        template: "/api/Product/ProductGroup",
        handler: product_groups,
    },
    Served {
        method: "POST",
        template: "/api/Product/ProductGroup",
        handler: create_product_group,
    },
    Served {
        method: "PUT",
        template: "/api/Product/ProductGroup",
        handler: update_product_group,
    },
    Served {
        method: "DELETE",
        template: "/api/Product/ProductGroup/{id}",
        handler: delete_product_group,
    },
    Served {
        method: "GET",
        template: "/api/Product/ProductGroupFilter",
        handler: group_filters,
    },
    Served {
        method: "POST",
        template: "/api/Product/ProductGroupFilter",
        handler: add_group_filter,
    },
    Served {
        method: "GET",
        template: "/api/Product/ProductGroupsByProduct",
        handler: groups_by_product,
    },
    Served {
        method: "GET",
        template: "/api/Product/BOM",
        handler: get_bom,
    },
    Served {
        method: "PUT",
        template: "/api/Product/BOM",
        handler: put_bom,
    },
    Served {
        method: "GET",
        template: "/api/Product/Vendors",
        handler: vendors,
    },
    Served {
        method: "PUT",
        template: "/api/Product/Vendors",
        handler: add_vendors,
    },
    Served {
        method: "DELETE",
        template: "/api/Product/Vendors",
        handler: delete_vendors,
    },
    // internal
    Served {
        method: "GET",
        template: "/api/internal/Product/Bom",
        handler: internal_bom,
    },
    Served {
        method: "GET",
        template: "/api/internal/Product/GetProductInfo",
        handler: product_info,
    },
    Served {
        method: "GET",
        template: "/api/internal/Product/GetProductByPN",
        handler: product_by_pn,
    },
    Served {
        method: "POST",
        template: "/api/internal/Product/PostProductRevisionRelation",
        handler: add_relation,
    },
    Served {
        method: "PUT",
        template: "/api/internal/Product/PutProductRevisionRelation",
        handler: update_relation,
    },
    Served {
        method: "DELETE",
        template: "/api/internal/Product/DeleteProductRevisionRelation",
        handler: remove_relation,
    },
    Served {
        method: "GET",
        template: "/api/internal/Product/GetProductCategories",
        handler: categories,
    },
    Served {
        method: "PUT",
        template: "/api/internal/Product/PutProductCategories",
        handler: put_categories,
    },
    Served {
        method: "GET",
        template: "/api/internal/Product/GetProductTags",
        handler: get_tags,
    },
    Served {
        method: "PUT",
        template: "/api/internal/Product/PutProductTags",
        handler: put_tags,
    },
    Served {
        method: "GET",
        template: "/api/internal/Product/GetRevisionTags",
        handler: get_tags,
    },
    Served {
        method: "PUT",
        template: "/api/internal/Product/PutRevisionTags",
        handler: put_tags,
    },
    Served {
        method: "GET",
        template: "/api/internal/Product/GetGroupsForProduct",
        handler: groups_by_product,
    },
];

// ---- internal routes (PascalCase) -------------------------------------------------------

fn internal_bom(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let k = bom_key(
        &req.q("partNumber").unwrap_or_default(),
        &req.q("revision").unwrap_or_default(),
    );
    let items: Vec<Value> = inner.boms.get(&k).map(|b| {
        b.get("components").and_then(Value::as_array).map_or(&[][..], Vec::as_slice).iter().enumerate().map(|(i, c)| json!({
            "bomItemId": i + 1, "componentRef": c.get("reference"), "partNumber": c.get("number"),
            "description": c.get("description"), "quantity": c.get("quantity"),
        })).collect()
    }).unwrap_or_default();
    Reply::json(&Value::Array(items))
}

fn product_by_pn(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let pn = req.q("PN").unwrap_or_default();
    product(&inner, req, &pn).map_or_else(
        || Reply::not_found(&format!("Product '{pn}' was not found.")),
        |p| Reply::json(&p),
    )
}

/// A revision's id, its product's part number and revision name, over every product.
fn revision_by_id(inner: &Inner, req: &Req<'_>, id: &str) -> Option<(String, Value)> {
    let from = |p: &Value| {
        revisions(p)
            .iter()
            .find(|r| s(r, "productRevisionId").eq_ignore_ascii_case(id))
            .map(|r| (s(p, "partNumber").to_owned(), r.clone()))
    };
    inner.products.values().find_map(from).or_else(|| {
        req.store
            .catalog
            .products
            .iter()
            .filter(|c| !inner.products.contains_key(&key(&c.part_number)))
            .find_map(|c| from(&serde_json::from_slice(&c.full).ok()?))
    })
}

fn product_info(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let (pn, rev) = (
        req.q("partNumber").unwrap_or_default(),
        req.q("revision").unwrap_or_default(),
    );
    let Some(root) = product(&inner, req, &pn).and_then(|p| {
        revisions(&p)
            .iter()
            .find(|r| s(r, "revision").eq_ignore_ascii_case(&rev))
            .cloned()
    }) else {
        return Reply::json(&json!([]));
    };
    let rid = s(&root, "productRevisionId").to_owned();
    let mut rows = vec![
        json!({"PartNumber": pn, "Revision": s(&root, "revision"), "Name": root.get("name"), "ProductRevisionId": rid, "Level": 0, "Quantity": 1}),
    ];
    for rel in inner
        .relations
        .iter()
        .filter(|r| s(r, "ParentProductRevisionId").eq_ignore_ascii_case(&rid))
    {
        let child = revision_by_id(&inner, req, s(rel, "ProductRevisionId"));
        let (cpn, crev) = child.map_or((String::new(), Value::Null), |(p, r)| {
            (p, r["revision"].clone())
        });
        rows.push(json!({"PartNumber": cpn, "Revision": crev, "ProductRevisionId": rel["ProductRevisionId"],
            "ParentProductRevisionId": rid, "ProductRevisionRelationId": rel["ProductRevisionRelationId"],
            "Quantity": rel["Quantity"], "RevisionMask": rel["RevisionMask"], "Level": 1}));
    }
    Reply::json(&Value::Array(rows))
}

fn add_relation(req: &Req<'_>) -> Reply {
    let mut rel = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut inner = lock(req);
    for k in ["ParentProductRevisionId", "ProductRevisionId"] {
        if revision_by_id(&inner, req, s(&rel, k)).is_none() {
            return Reply::bad_request(&format!("{k} names no product revision."));
        }
    }
    rel["ProductRevisionRelationId"] = uuid();
    inner.relations.push(rel.clone());
    Reply::json(&json!([rel]))
}

fn update_relation(req: &Req<'_>) -> Reply {
    let rel = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut inner = lock(req);
    let id = s(&rel, "ProductRevisionRelationId").to_owned();
    match inner
        .relations
        .iter_mut()
        .find(|r| s(r, "ProductRevisionRelationId").eq_ignore_ascii_case(&id))
    {
        Some(slot) => {
            if let (Some(m), Some(new)) = (slot.as_object_mut(), rel.as_object()) {
                m.extend(new.clone());
            }
            Reply::json(slot)
        }
        None => Reply::not_found("The relation was not found."),
    }
}

fn remove_relation(req: &Req<'_>) -> Reply {
    let id = req
        .q("productRevisionRelationId")
        .unwrap_or_default()
        .into_owned();
    let mut inner = lock(req);
    let before = inner.relations.len();
    inner
        .relations
        .retain(|r| !s(r, "ProductRevisionRelationId").eq_ignore_ascii_case(&id));
    if inner.relations.len() == before {
        return Reply::not_found("The relation was not found.");
    }
    Reply::empty(StatusCode::OK)
}

fn categories(req: &Req<'_>) -> Reply {
    Reply::json(&Value::Array(lock(req).categories.clone()))
}

fn put_categories(req: &Req<'_>) -> Reply {
    let Ok(Value::Array(items)) = req.json() else {
        return Reply::bad_request("The body must be a JSON array.");
    };
    lock(req).categories = items;
    Reply::json(&json!({}))
}

fn tag_key(req: &Req<'_>) -> String {
    format!(
        "{}\u{0}{}",
        key(&req.q("partNumber").unwrap_or_default()),
        req.q("revision").unwrap_or_default().to_ascii_lowercase()
    )
}

fn get_tags(req: &Req<'_>) -> Reply {
    Reply::json(lock(req).tags.get(&tag_key(req)).unwrap_or(&json!([])))
}

fn put_tags(req: &Req<'_>) -> Reply {
    let body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    if !body.is_array() {
        return Reply::bad_request("The body must be a JSON array.");
    }
    lock(req).tags.insert(tag_key(req), body);
    Reply::json(&json!({}))
}
