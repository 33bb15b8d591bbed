//! The internal product routes in the mock (PascalCase): BOM items, the product by part
//! number, box-build relations and the hierarchy, categories and tags.

use http::StatusCode;
use serde_json::{Value, json};

use super::{Inner, bom_key, key, lock, product, revisions, s, uuid};
use crate::domains::{Reply, Req};

// ---- internal routes (PascalCase) -------------------------------------------------------

pub(super) fn internal_bom(req: &Req<'_>) -> Reply {
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

pub(super) fn product_by_pn(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let pn = req.q("PN").unwrap_or_default();
    product(&inner, req, &pn).map_or_else(
        || Reply::not_found(&format!("Product '{pn}' was not found.")),
        |p| Reply::json(&p),
    )
}

/// A revision's id, its product's part number and revision name, over every product.
pub(super) fn revision_by_id(inner: &Inner, req: &Req<'_>, id: &str) -> Option<(String, Value)> {
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

pub(super) fn product_info(req: &Req<'_>) -> Reply {
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
            "Quantity": rel["Quantity"], "RevisionMask": rel["RevisionMask"],
            "ItemNumber": rel.get("ItemNumber"), "Level": 1}));
    }
    Reply::json(&Value::Array(rows))
}

pub(super) fn add_relation(req: &Req<'_>) -> Reply {
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

pub(super) fn update_relation(req: &Req<'_>) -> Reply {
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

pub(super) fn remove_relation(req: &Req<'_>) -> Reply {
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

pub(super) fn categories(req: &Req<'_>) -> Reply {
    Reply::json(&Value::Array(lock(req).categories.clone()))
}

pub(super) fn put_categories(req: &Req<'_>) -> Reply {
    let Ok(Value::Array(items)) = req.json() else {
        return Reply::bad_request("The body must be a JSON array.");
    };
    lock(req).categories = items;
    Reply::json(&json!({}))
}

pub(super) fn tag_key(req: &Req<'_>) -> String {
    format!(
        "{}\u{0}{}",
        key(&req.q("partNumber").unwrap_or_default()),
        req.q("revision").unwrap_or_default().to_ascii_lowercase()
    )
}

pub(super) fn get_tags(req: &Req<'_>) -> Reply {
    Reply::json(lock(req).tags.get(&tag_key(req)).unwrap_or(&json!([])))
}

pub(super) fn put_tags(req: &Req<'_>) -> Reply {
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
