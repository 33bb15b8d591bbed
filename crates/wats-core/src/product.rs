//! Products and product revisions (`/api/Product/...`).

use crate::value::model;

model! {
    /// A product (part number), server schema `Product`.
    pub struct Product {
        /// `productId`: GUID.
        product_id: String => "productId",
        /// `nonSerial`: units are not serialized.
        non_serial: bool => "nonSerial",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `name`.
        name: String => "name",
        /// `description`.
        description: String => "description",
        /// `state`: 0 inactive, 1 active.
        state: i64 => "state",
        /// `xmlData`.
        xml_data: String => "xmlData",
        /// `productCategoryId`: GUID.
        product_category_id: String => "productCategoryId",
        /// `productCategoryName`.
        product_category_name: String => "productCategoryName",
        /// `category` (product view form).
        category: String => "category",
        /// `revisions`.
        revisions: Vec<ProductRevision> => "revisions",
        /// `tags`.
        tags: Vec<Setting> => "tags",
    }
}

impl Product {
    /// A product with a part number.
    pub fn new(part_number: impl Into<String>) -> Self {
        Product {
            part_number: part_number.into().into(),
            ..Default::default()
        }
    }

    /// Whether the product is active (`state` 1), as pyWATS' `is_active` says; a product
    /// without a `state` is not.
    ///
    /// ```
    /// let p: wats_core::Product = serde_json::from_str(r#"{"partNumber":"P","state":1}"#).unwrap();
    /// assert!(p.is_active());
    /// assert!(!wats_core::Product::new("Q").is_active());
    /// ```
    pub fn is_active(&self) -> bool {
        self.state.value() == Some(&1)
    }
}

model! {
    /// A product revision, server schema `ProductRevision`.
    pub struct ProductRevision {
        /// `productRevisionId`: GUID.
        product_revision_id: String => "productRevisionId",
        /// `productId`: GUID.
        product_id: String => "productId",
        /// `revision`.
        revision: String => "revision",
        /// `name`.
        name: String => "name",
        /// `description`.
        description: String => "description",
        /// `state`.
        state: i64 => "state",
        /// `xmlData`.
        xml_data: String => "xmlData",
        /// `PartNumber` (the server schema's spelling).
        part_number_pascal: String => "PartNumber",
        /// `partNumber` (camelCase spelling, also seen).
        part_number: String => "partNumber",
        /// `tags`.
        tags: Vec<Setting> => "tags",
    }
}

impl ProductRevision {
    /// The part number from either spelling (`partNumber` first).
    pub fn part_number(&self) -> Option<&str> {
        self.part_number
            .as_str()
            .or_else(|| self.part_number_pascal.as_str())
    }
}

model! {
    /// A key/value tag (server schema `Setting`).
    pub struct Setting {
        /// `key`.
        key: String => "key",
        /// `value`.
        value: String => "value",
        /// `change`.
        change: i64 => "change",
    }
}
