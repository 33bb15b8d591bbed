//! The `products` domain's routes and state in the mock: products and revisions written
//! over the seeded catalog (created, updated, deleted or deactivated), groups and their
//! filters, BOMs (JSON and WSBF XML), vendors, and the internal tag, category, relation and
//! hierarchy routes. What a test writes, it reads back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Reply, Req, Served};

#[path = "products_groups.rs"]
mod group_routes;
#[path = "products_internal.rs"]
mod internal;

use crate::odata;
use crate::store::PRODUCT_FIELDS;
use group_routes::*;
use internal::*;

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

/// The names of the product groups whose filters take `pn` (read by the analytics
/// domain for the `productGroup` member of its filter).
pub(crate) fn group_names_of(store: &crate::store::Store, pn: &str) -> Vec<String> {
    let inner = store
        .domains
        .products
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    groups_of(&inner, pn)
        .iter()
        .map(|g| s(g, "name").to_owned())
        .collect()
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

/// The routes this module serves (handlers in this file, `products_groups.rs` and
/// `products_internal.rs`).
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
