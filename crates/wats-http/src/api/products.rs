//! Products: `client.products()`.
//!
//! Read, create and update products and revisions (one and many), delete them (deleted or
//! deactivated), query with a typed filter and page through everything, product groups and
//! their filters, BOMs (JSON and WSBF XML) and vendors. The internal routes (tags,
//! categories, box-build relations, hierarchy) are behind [`Products::internal`].

use bytes::Bytes;
use http::StatusCode;
use wats_core::{
    Bom, Error, Product, ProductGroup, ProductGroupFilter, ProductRevision, Result, Vendor,
};

use crate::api::products_pages::paged_calls;
use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller};
use crate::registry::{Exception, LeftToMockito};

pub use crate::api::products_bom::{WSBF_NAMESPACE, wsbf_xml};
pub use crate::api::products_internal::ProductsInternal;
pub use crate::api::products_pages::{DEFAULT_PAGE_SIZE, PageIter, PageStream};
pub use crate::api::query::{ProductQuery, ProductState};

/// What deleting a product or a revision did: WATS deletes it when nothing refers to it
/// (`204`), and otherwise deactivates it (`200`) and names the serial numbers that keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteOutcome {
    /// Deleted (`204 No Content`).
    Deleted,
    /// Deactivated instead (`200`): units with these serial numbers refer to it.
    Deactivated {
        /// The serial numbers that keep it (may be empty if the server names none).
        serial_numbers: Vec<String>,
    },
}

impl DeleteOutcome {
    /// Whether it is gone.
    pub fn is_deleted(&self) -> bool {
        matches!(self, DeleteOutcome::Deleted)
    }
}

/// The answer of a product or revision DELETE.
fn delete_answer(answer: Result<crate::stack::Answer>) -> Result<DeleteOutcome> {
    let answer = answer?;
    let resp = &answer.response;
    let body = resp.body();
    if resp.status() == StatusCode::NO_CONTENT {
        return Ok(DeleteOutcome::Deleted);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(DeleteOutcome::Deactivated {
            serial_numbers: Vec::new(),
        });
    }
    let value: serde_json::Value = wats_core::json::from_slice(body)?;
    let list = match &value {
        serde_json::Value::Array(_) => Some(&value),
        serde_json::Value::Object(map) => map
            .get("serialNumbers")
            .or_else(|| map.get("SerialNumbers")),
        _ => None,
    };
    let serial_numbers = match list {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Object(o) => o
                    .get("serialNumber")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                _ => None,
            })
            .collect(),
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(_) => {
            return Err(Error::Decode {
                target: "delete outcome",
                path: ".serialNumbers".to_owned(),
                message: "expected a list of serial numbers".to_owned(),
            });
        }
    };
    Ok(DeleteOutcome::Deactivated { serial_numbers })
}

calls! {
    /// Product calls, from `client.products()`: products, revisions, groups, BOMs, vendors.
    handle Products, domain "products";

    /// All products (`GET /api/Product/Query`), light rows. An empty answer is an empty
    /// list.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn list() -> Vec<Product> {
        GET "/api/Product/Query";
        pywats "product.get_products, product.get_products_full";
        answer list;
    }

    /// Products matching a typed query (`GET /api/Product/Query` with `$filter`, `$top`,
    /// `$skip`, `$orderby`): one page. Page through all with [`query_all`](Self::query_all),
    /// `query_iter` (blocking) or `query_stream` (async).
    ///
    /// # Errors
    /// Status (400 for a filter the server rejects), transport, timeout and decode errors.
    fn query(query: &ProductQuery) -> Vec<Product> {
        GET "/api/Product/Query";
        pywats "product.query_products, product.get_active_products";
        options query: ProductQuery;
        answer list;
        helpers [query_all, query_iter, query_stream];
    }

    /// One product with its revisions (`GET /api/Product/{partNumber}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown part number (see
    /// [`get_opt`](Self::get_opt)); [`wats_core::Error::InvalidInput`] for an empty part
    /// number (nothing sent); status, transport, timeout and decode errors.
    fn get(part_number: &str) -> Product {
        GET "/api/Product/{partNumber}";
        pywats "product.get_product, product.get_revisions";
        path [part_number];
        answer json;
        opt get_opt;
    }

    /// One product revision (`GET /api/Product/{partNumber}/{revision}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown part number or revision (see
    /// [`revision_opt`](Self::revision_opt)); status, transport, timeout and decode errors.
    fn revision(part_number: &str, revision: &str) -> ProductRevision {
        GET "/api/Product/{partNumber}/{revision}";
        pywats "product.get_revision";
        path [part_number, revision];
        answer json;
        opt revision_opt;
    }

    /// Create or update a product (`PUT /api/Product`): without `productId` it is created.
    /// Returns the product as saved.
    ///
    /// # Errors
    /// Status (400 for an invalid product), transport, timeout and decode errors.
    fn save(product: &Product) -> Product {
        PUT "/api/Product";
        pywats "product.create_product, product.update_product";
        body Body::json(product);
        answer json;
    }

    /// Create or update many products (`PUT /api/Products`, the ERP route).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn save_many(products: &[Product]) -> Vec<Product> {
        PUT "/api/Products";
        pywats "product.bulk_save_products";
        body Body::json(products);
        answer list;
    }

    /// Create or update a revision (`PUT /api/Product/Revision`); set its `productId` (or
    /// `partNumber`) to name the product.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn save_revision(revision: &ProductRevision) -> ProductRevision {
        PUT "/api/Product/Revision";
        pywats "product.create_revision, product.update_revision";
        body Body::json(revision);
        answer json;
    }

    /// Create or update many revisions (`PUT /api/Products/Revisions`, the ERP route).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn save_revisions(revisions: &[ProductRevision]) -> Vec<ProductRevision> {
        PUT "/api/Products/Revisions";
        pywats "product.bulk_save_revisions";
        body Body::json(revisions);
        answer list;
    }

    /// Delete a product (`DELETE /api/Product/{partNumber}`): [`DeleteOutcome::Deleted`], or
    /// [`DeleteOutcome::Deactivated`] with the serial numbers of the units that keep it.
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown part number; status, transport,
    /// timeout and decode errors.
    fn delete(part_number: &str) -> DeleteOutcome {
        DELETE "/api/Product/{partNumber}";
        pywats "product.delete_product";
        path [part_number];
        answer with(delete_answer);
    }

    /// Delete a revision (`DELETE /api/Product/{partNumber}/{revision}`), with the same two
    /// outcomes as [`delete`](Self::delete).
    ///
    /// # Errors
    /// As [`delete`](Self::delete).
    fn delete_revision(part_number: &str, revision: &str) -> DeleteOutcome {
        DELETE "/api/Product/{partNumber}/{revision}";
        pywats "product.delete_revision";
        path [part_number, revision];
        answer with(delete_answer);
    }

    /// The product groups (`GET /api/Product/Groups`): `productGroupId`, `productGroupName`.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn groups() -> Vec<ProductGroup> {
        GET "/api/Product/Groups";
        pywats "product.get_groups";
        answer list;
    }

    /// Create or update a group (`PUT /api/Product/Group`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn save_group(group: &ProductGroup) -> ProductGroup {
        PUT "/api/Product/Group";
        pywats "product.create_group";
        body Body::json(group);
        answer json;
    }

    /// The product groups with their filters when asked (`GET /api/Product/ProductGroup`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn product_groups(include_filters: bool) -> Vec<ProductGroup> {
        GET "/api/Product/ProductGroup";
        pywats "product.get_product_groups";
        query ["includeFilters" = include_filters];
        answer list;
    }

    /// Create a product group (`POST /api/Product/ProductGroup`: `name`, `description`,
    /// `isPublic`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn create_product_group(group: &ProductGroup) -> ProductGroup {
        POST "/api/Product/ProductGroup";
        pywats "product.create_product_group";
        body Body::json(group);
        answer json;
    }

    /// Update a product group (`PUT /api/Product/ProductGroup`, with its `id`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn update_product_group(group: &ProductGroup) -> ProductGroup {
        PUT "/api/Product/ProductGroup";
        pywats "product.update_product_group";
        body Body::json(group);
        answer json;
    }

    /// Delete a product group (`DELETE /api/Product/ProductGroup/{id}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown id; status, transport, timeout errors.
    fn delete_product_group(id: i64) -> () {
        DELETE "/api/Product/ProductGroup/{id}";
        pywats "product.delete_product_group";
        path [id];
        answer unit;
    }

    /// The filters of a product group (`GET /api/Product/ProductGroupFilter`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn product_group_filters(product_group_id: i64) -> Vec<ProductGroupFilter> {
        GET "/api/Product/ProductGroupFilter";
        pywats "product.get_product_group_filters";
        query ["productGroupId" = product_group_id];
        answer list;
    }

    /// Add a filter to an existing product group (`POST /api/Product/ProductGroupFilter`):
    /// the group's name, a part-number pattern, an optional revision, include or exclude.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn add_product_group_filter(
        product_group: &str,
        part_number: &str,
        revision: Option<&str>,
        exclude: bool
    ) -> () {
        POST "/api/Product/ProductGroupFilter";
        pywats "";
        query [
            "productGroup" = product_group,
            "partNumber" = part_number,
            "revision" = revision,
            "exclude" = exclude
        ];
        answer unit;
    }

    /// The groups a product (revision) belongs to (`GET /api/Product/ProductGroupsByProduct`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn product_groups_by_product(part_number: &str, revision: Option<&str>) -> Vec<ProductGroup> {
        GET "/api/Product/ProductGroupsByProduct";
        pywats "product.get_product_groups_by_product";
        query ["partNumber" = part_number, "revision" = revision];
        answer list;
    }

    /// A revision's BOM (`GET /api/Product/BOM`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] when the revision has no BOM (see
    /// [`bom_opt`](Self::bom_opt)); status, transport, timeout and decode errors.
    fn bom(part_number: &str, revision: &str) -> Bom {
        GET "/api/Product/BOM";
        pywats "product.get_bom_public";
        query ["partNumber" = part_number, "revision" = revision];
        answer json;
        opt bom_opt;
    }

    /// Insert or replace a BOM in its JSON form (`PUT /api/Product/BOM`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn put_bom(bom: &Bom) -> () {
        PUT "/api/Product/BOM";
        pywats "product.upload_bom_json";
        body Body::json(bom);
        answer unit;
    }

    /// Insert or replace a BOM from WSBF XML bytes (`PUT /api/Product/BOM`,
    /// `Content-Type: application/xml`), sent verbatim. [`wsbf_xml`] writes them from a
    /// [`Bom`]; `put_bom_as_wsbf` does both.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn put_bom_wsbf(xml: impl Into<Bytes>) -> () {
        PUT "/api/Product/BOM";
        pywats "product.update_bom";
        body Body::raw(xml, "application/xml");
        answer unit;
        helpers [put_bom_as_wsbf];
    }

    /// Every vendor (`GET /api/Product/Vendors`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn vendors() -> Vec<Vendor> {
        GET "/api/Product/Vendors";
        pywats "product.get_vendors";
        answer list;
    }

    /// Add the vendors that do not exist yet (`PUT /api/Product/Vendors`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn add_vendors(vendors: &[Vendor]) -> () {
        PUT "/api/Product/Vendors";
        pywats "product.save_vendor";
        body Body::json(vendors);
        answer unit;
    }

    /// Delete vendors (`DELETE /api/Product/Vendors`, the vendors in the body).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn delete_vendors(vendors: &[Vendor]) -> () {
        DELETE "/api/Product/Vendors";
        pywats "product.delete_vendor";
        body Body::json(vendors);
        answer unit;
    }
}

impl<'c, C: Caller> Products<'c, C> {
    /// The internal product routes: tags, categories, box-build relations, the hierarchy.
    /// **Undocumented by the server and may change without notice.**
    pub fn internal(&self) -> ProductsInternal<'c, C> {
        ProductsInternal::new(self.caller)
    }

    /// Write `bom` as WSBF XML ([`wsbf_xml`]) and send it
    /// ([`put_bom_wsbf`](Self::put_bom_wsbf)).
    ///
    /// # Errors
    /// [`wats_core::Error::Encode`] if the XML cannot be written (nothing sent); the errors
    /// of [`put_bom_wsbf`](Self::put_bom_wsbf).
    pub fn put_bom_as_wsbf(&self, bom: &Bom) -> C::Ret<'c, ()> {
        match wsbf_xml(bom) {
            Ok(xml) => self.put_bom_wsbf(xml),
            Err(e) => self.caller.ready(Err(e)),
        }
    }
}

paged_calls! {
    Products {
        "product": query(ProductQuery) -> Product => query_all, query_iter, query_stream;
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[
    Exception {
        method: "DELETE",
        template: "/api/Product/{partNumber}",
        query: None,
        reason: "pyWATS product.delete_product relies on it (204 deleted, 200 deactivated)",
    },
    Exception {
        method: "DELETE",
        template: "/api/Product/{partNumber}/{revision}",
        query: None,
        reason: "pyWATS product.delete_revision relies on it (204 deleted, 200 deactivated)",
    },
    Exception {
        method: "GET",
        template: "/api/Product/Groups",
        query: None,
        reason: "pyWATS product.get_groups relies on it",
    },
    Exception {
        method: "PUT",
        template: "/api/Product/Group",
        query: None,
        reason: "pyWATS product.create_group relies on it",
    },
    Exception {
        method: "GET",
        template: "/api/Product/ProductGroup",
        query: None,
        reason: "pyWATS product.get_product_groups relies on it",
    },
    Exception {
        method: "POST",
        template: "/api/Product/ProductGroup",
        query: None,
        reason: "pyWATS product.create_product_group relies on it",
    },
    Exception {
        method: "PUT",
        template: "/api/Product/ProductGroup",
        query: None,
        reason: "pyWATS product.update_product_group relies on it",
    },
    Exception {
        method: "DELETE",
        template: "/api/Product/ProductGroup/{id}",
        query: None,
        reason: "pyWATS product.delete_product_group relies on it",
    },
    Exception {
        method: "GET",
        template: "/api/Product/ProductGroupFilter",
        query: None,
        reason: "pyWATS product.get_product_group_filters relies on it (only POST is documented)",
    },
    Exception {
        method: "GET",
        template: "/api/Product/BOM",
        query: None,
        reason: "pyWATS product.get_bom_public relies on it (only PUT is documented)",
    },
];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
