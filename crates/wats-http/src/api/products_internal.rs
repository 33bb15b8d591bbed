//! Internal product routes: `client.products().internal()`.
//!
//! **Undocumented by the server** (`/api/internal/...`): they may change without notice.
//! pyWATS relies on them for tags, categories, box-build relations and the hierarchy.

use wats_core::product::Setting;
use wats_core::{
    BomItem, BoxBuild, BoxBuildPlan, Error, Product, ProductCategory, ProductGroup, ProductInfo,
    Result, RevisionRelation,
};

use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller};
use crate::registry::{Exception, LeftToMockito};

/// The answer of a relation POST/PUT: the relation, or a list whose first item it is.
fn relation_answer(answer: Result<crate::stack::Answer>) -> Result<RevisionRelation> {
    let answer = answer?;
    let body = answer.response.body();
    match wats_core::json::from_slice::<serde_json::Value>(body)? {
        serde_json::Value::Array(items) => match items.into_iter().next() {
            Some(first) => serde_json::from_value(first).map_err(|e| Error::Decode {
                target: "RevisionRelation",
                path: "[0]".to_owned(),
                message: e.to_string(),
            }),
            None => Err(Error::Decode {
                target: "RevisionRelation",
                path: ".".to_owned(),
                message: "the answer is an empty list".to_owned(),
            }),
        },
        _ => wats_core::json::from_slice(body),
    }
}

calls! {
    /// Internal product calls, from `client.products().internal()`: undocumented by the
    /// server, may change without notice.
    handle ProductsInternal, domain "products_internal", via "products().internal()";

    /// A revision's BOM items (`GET /api/internal/Product/Bom`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn bom_items(part_number: &str, revision: &str) -> Vec<BomItem> {
        GET "/api/internal/Product/Bom";
        pywats "product.get_bom, product.get_bom_items";
        query ["partNumber" = part_number, "revision" = revision];
        answer list;
    }

    /// The product hierarchy of a revision (`GET /api/internal/Product/GetProductInfo`):
    /// the revision itself (`Level` 0) and its box-build children.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn product_info(part_number: &str, revision: &str) -> Vec<ProductInfo> {
        GET "/api/internal/Product/GetProductInfo";
        pywats "product.get_product_hierarchy, product.get_box_build_template";
        query ["partNumber" = part_number, "revision" = revision];
        answer list;
        helpers [box_build];
    }

    /// A product with its relations (`GET /api/internal/Product/GetProductByPN`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn product_by_pn(part_number: &str) -> Product {
        GET "/api/internal/Product/GetProductByPN";
        pywats "product.get_product_with_relations";
        query ["PN" = part_number];
        answer json;
    }

    /// Add a box-build relation: a child revision with quantity and revision mask
    /// (`POST /api/internal/Product/PostProductRevisionRelation`). Returns it as saved.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn add_relation(relation: &RevisionRelation) -> RevisionRelation {
        POST "/api/internal/Product/PostProductRevisionRelation";
        pywats "product.add_subunit, product.add_box_build_subunit";
        body Body::json(relation);
        answer with(relation_answer);
    }

    /// Update a box-build relation (`PUT /api/internal/Product/PutProductRevisionRelation`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn update_relation(relation: &RevisionRelation) -> RevisionRelation {
        PUT "/api/internal/Product/PutProductRevisionRelation";
        pywats "product.update_box_build_subunit";
        body Body::json(relation);
        answer with(relation_answer);
    }

    /// Remove a box-build relation
    /// (`DELETE /api/internal/Product/DeleteProductRevisionRelation`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn remove_relation(relation_id: &str) -> () {
        DELETE "/api/internal/Product/DeleteProductRevisionRelation";
        pywats "product.remove_subunit";
        query ["productRevisionRelationId" = relation_id];
        answer unit;
    }

    /// The product categories (`GET /api/internal/Product/GetProductCategories`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn categories() -> Vec<ProductCategory> {
        GET "/api/internal/Product/GetProductCategories";
        pywats "product.get_product_categories";
        answer list;
    }

    /// Save the product categories (`PUT /api/internal/Product/PutProductCategories`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn save_categories(categories: &[ProductCategory]) -> () {
        PUT "/api/internal/Product/PutProductCategories";
        pywats "product.save_product_categories";
        body Body::json(categories);
        answer unit;
    }

    /// A product's tags (`GET /api/internal/Product/GetProductTags`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn product_tags(part_number: &str) -> Vec<Setting> {
        GET "/api/internal/Product/GetProductTags";
        pywats "product.get_product_tags";
        query ["partNumber" = part_number];
        answer list;
    }

    /// Replace a product's tags (`PUT /api/internal/Product/PutProductTags`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn set_product_tags(part_number: &str, tags: &[Setting]) -> () {
        PUT "/api/internal/Product/PutProductTags";
        pywats "product.set_product_tags, product.add_product_tag";
        query ["partNumber" = part_number];
        body Body::json(tags);
        answer unit;
    }

    /// A revision's tags (`GET /api/internal/Product/GetRevisionTags`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn revision_tags(part_number: &str, revision: &str) -> Vec<Setting> {
        GET "/api/internal/Product/GetRevisionTags";
        pywats "product.get_revision_tags";
        query ["partNumber" = part_number, "revision" = revision];
        answer list;
    }

    /// Replace a revision's tags (`PUT /api/internal/Product/PutRevisionTags`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn set_revision_tags(part_number: &str, revision: &str, tags: &[Setting]) -> () {
        PUT "/api/internal/Product/PutRevisionTags";
        pywats "product.set_revision_tags, product.add_revision_tag";
        query ["partNumber" = part_number, "revision" = revision];
        body Body::json(tags);
        answer unit;
    }

    /// The groups a product belongs to (`GET /api/internal/Product/GetGroupsForProduct`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn groups_for_product(part_number: &str) -> Vec<ProductGroup> {
        GET "/api/internal/Product/GetGroupsForProduct";
        pywats "product.get_groups_for_product";
        query ["partNumber" = part_number];
        answer list;
    }
}

impl<'c, C: Caller> ProductsInternal<'c, C> {
    /// The box-build template of a revision, from its hierarchy
    /// ([`product_info`](Self::product_info)): which child products it needs; then
    /// [`BoxBuild::missing`] says what a unit still lacks.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the hierarchy is empty; the errors of
    /// [`product_info`](Self::product_info).
    pub fn box_build(&self, part_number: &str, revision: &str) -> C::Ret<'c, BoxBuild> {
        let (pn, rev) = (part_number.to_owned(), revision.to_owned());
        self.caller.run(move |client| async move {
            let rows = ProductsInternal::new(&client)
                .product_info(&pn, &rev)
                .await?;
            BoxBuild::from_hierarchy(&rows).ok_or_else(|| Error::NotFound {
                message: format!("no product hierarchy for {pn} revision {rev}"),
                correlation_id: None,
            })
        })
    }
}

impl<'c, C: Caller> ProductsInternal<'c, C> {
    /// Send a box-build plan ([`BoxBuildEditor::plan`](wats_core::BoxBuildEditor::plan))
    /// through the relation calls, one at a time and in order: every remove
    /// ([`remove_relation`](Self::remove_relation)), then every update
    /// ([`update_relation`](Self::update_relation)), then every add
    /// ([`add_relation`](Self::add_relation); a line without its child revision id first
    /// looks it up with `products().revision(part number, revision)`). Then the template is
    /// read back ([`box_build`](Self::box_build)) and returned.
    ///
    /// An empty plan sends only the read-back. The calls are not a transaction: on an error
    /// the calls before it stay done; read the template again and plan anew.
    ///
    /// # Errors
    /// The first failing call's error (status, transport, timeout, decode);
    /// [`Error::InvalidInput`] for a remove or update without a relation id (nothing of it
    /// sent); [`Error::Decode`] when a looked-up child revision has no `productRevisionId`;
    /// [`Error::NotFound`] when the read-back finds no hierarchy.
    pub fn apply_box_build(&self, plan: &BoxBuildPlan) -> C::Ret<'c, BoxBuild> {
        let plan = plan.clone();
        self.caller.run(move |client| async move {
            let internal = ProductsInternal::new(&client);
            let no_id = |part: &str| Error::InvalidInput {
                field: "box build".to_owned(),
                message: format!("the line of {part} to change has no relation id"),
            };
            for line in &plan.removes {
                let id = line
                    .relation_id
                    .as_deref()
                    .ok_or_else(|| no_id(&line.part_number))?;
                internal.remove_relation(id).await?;
            }
            for line in &plan.updates {
                if line.relation_id.is_none() {
                    return Err(no_id(&line.part_number));
                }
                internal
                    .update_relation(&plan.update_relation(line))
                    .await?;
            }
            for line in &plan.adds {
                let child = match &line.product_revision_id {
                    Some(id) => id.clone(),
                    None => {
                        let rev = line.revision.as_deref().unwrap_or("");
                        let found = client.products().revision(&line.part_number, rev).await?;
                        found
                            .product_revision_id
                            .as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| Error::Decode {
                                target: "ProductRevision",
                                path: ".productRevisionId".to_owned(),
                                message: format!(
                                    "revision {rev} of {} has no id",
                                    line.part_number
                                ),
                            })?
                    }
                };
                internal
                    .add_relation(&plan.add_relation(line, &child))
                    .await?;
            }
            internal.box_build(&plan.part_number, &plan.revision).await
        })
    }
}

const REASON: &str = "internal route pyWATS' product domain relies on (undocumented)";

/// This domain's routes outside the server's OpenAPI document: every internal route.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[
    Exception {
        method: "GET",
        template: "/api/internal/Product/Bom",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Product/GetProductInfo",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Product/GetProductByPN",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "POST",
        template: "/api/internal/Product/PostProductRevisionRelation",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "PUT",
        template: "/api/internal/Product/PutProductRevisionRelation",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "DELETE",
        template: "/api/internal/Product/DeleteProductRevisionRelation",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Product/GetProductCategories",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "PUT",
        template: "/api/internal/Product/PutProductCategories",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Product/GetProductTags",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "PUT",
        template: "/api/internal/Product/PutProductTags",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Product/GetRevisionTags",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "PUT",
        template: "/api/internal/Product/PutRevisionTags",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Product/GetGroupsForProduct",
        query: None,
        reason: REASON,
    },
];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
