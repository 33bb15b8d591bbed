//! Product master data around [`Product`](crate::Product): groups and their filters, vendors,
//! BOMs, categories, box-build relations and the product hierarchy.
//!
//! Public routes use camelCase members; the internal ones (`/api/internal/Product/...`) use
//! PascalCase, spelled here exactly as the server writes them.

use crate::value::{NumOrStr, model};

model! {
    /// A product group (`/api/Product/Groups`, `/api/Product/ProductGroup`). The list route
    /// answers `productGroupId`/`productGroupName`; the group route `id`/`name`.
    pub struct ProductGroup {
        /// `productGroupId`.
        product_group_id: NumOrStr => "productGroupId",
        /// `productGroupName`.
        product_group_name: String => "productGroupName",
        /// `id`.
        id: NumOrStr => "id",
        /// `name`.
        name: String => "name",
        /// `description`.
        description: String => "description",
        /// `isPublic`.
        is_public: bool => "isPublic",
        /// `filters` (with `includeFilters=true`).
        filters: Vec<ProductGroupFilter> => "filters",
    }
}

impl ProductGroup {
    /// A new group to create (`name`, `description`, `isPublic`).
    pub fn new(name: impl Into<String>, description: impl Into<String>, is_public: bool) -> Self {
        ProductGroup {
            name: name.into().into(),
            description: description.into().into(),
            is_public: is_public.into(),
            ..Default::default()
        }
    }

    /// The group's name from either spelling (`name` first).
    pub fn group_name(&self) -> Option<&str> {
        self.name
            .as_str()
            .or_else(|| self.product_group_name.as_str())
    }
}

model! {
    /// One filter of a product group: a part number (and revision) included or excluded.
    pub struct ProductGroupFilter {
        /// `id`.
        id: NumOrStr => "id",
        /// `productGroupId`.
        product_group_id: NumOrStr => "productGroupId",
        /// `partNumber`: a pattern (`%` wildcards).
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `exclude`.
        exclude: bool => "exclude",
    }
}

model! {
    /// A vendor (server schema `Vendor`).
    pub struct Vendor {
        /// `VendorName` (the server schema's spelling).
        vendor_name: String => "VendorName",
        /// `vendorId`.
        vendor_id: NumOrStr => "vendorId",
        /// `name` (pyWATS' spelling).
        name: String => "name",
    }
}

impl Vendor {
    /// A vendor with this name (`VendorName`).
    pub fn new(name: impl Into<String>) -> Self {
        Vendor {
            vendor_name: name.into().into(),
            ..Default::default()
        }
    }
}

model! {
    /// A BOM in its public JSON form (`GET`/`PUT /api/Product/BOM`).
    pub struct Bom {
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `description`.
        description: String => "description",
        /// `components`.
        components: Vec<BomComponent> => "components",
    }
}

impl Bom {
    /// An empty BOM of a product revision.
    pub fn new(part_number: impl Into<String>, revision: impl Into<String>) -> Self {
        Bom {
            part_number: part_number.into().into(),
            revision: revision.into().into(),
            ..Default::default()
        }
    }

    /// Add a component.
    #[must_use]
    pub fn with_component(mut self, component: BomComponent) -> Self {
        self.components.push(component);
        self
    }

    /// The components.
    pub fn components(&self) -> &[BomComponent] {
        self.components.items()
    }
}

model! {
    /// One component line of a [`Bom`].
    pub struct BomComponent {
        /// `number`: the component's part number.
        number: String => "number",
        /// `revision`.
        revision: String => "revision",
        /// `quantity`.
        quantity: NumOrStr => "quantity",
        /// `description`.
        description: String => "description",
        /// `reference`: component references (`R1;R2`).
        reference: String => "reference",
        /// `functionBlock`.
        function_block: String => "functionBlock",
    }
}

impl BomComponent {
    /// A component line: part number, quantity, references.
    pub fn new(number: impl Into<String>, quantity: i64, reference: impl Into<String>) -> Self {
        BomComponent {
            number: number.into().into(),
            quantity: NumOrStr::from(quantity).into(),
            reference: reference.into().into(),
            ..Default::default()
        }
    }
}

model! {
    /// One BOM item as the internal BOM route answers it.
    pub struct BomItem {
        /// `bomItemId`.
        bom_item_id: NumOrStr => "bomItemId",
        /// `productRevisionId`.
        product_revision_id: String => "productRevisionId",
        /// `componentRef`.
        component_ref: String => "componentRef",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `description`.
        description: String => "description",
        /// `quantity`.
        quantity: NumOrStr => "quantity",
        /// `manufacturer`.
        manufacturer: String => "manufacturer",
        /// `manufacturerPn`.
        manufacturer_pn: String => "manufacturerPn",
        /// `vendor`.
        vendor: String => "vendor",
        /// `vendorPn`.
        vendor_pn: String => "vendorPn",
    }
}

model! {
    /// A product category (internal routes, PascalCase).
    pub struct ProductCategory {
        /// `ProductCategoryId`.
        product_category_id: String => "ProductCategoryId",
        /// `Name`.
        name: String => "Name",
        /// `Description`.
        description: String => "Description",
        /// `Status`.
        status: i64 => "Status",
    }
}

model! {
    /// A box-build relation: a child product revision inside a parent (internal routes,
    /// PascalCase).
    pub struct RevisionRelation {
        /// `ProductRevisionRelationId`.
        product_revision_relation_id: String => "ProductRevisionRelationId",
        /// `ParentProductRevisionId`.
        parent_product_revision_id: String => "ParentProductRevisionId",
        /// `ProductRevisionId`: the child revision.
        product_revision_id: String => "ProductRevisionId",
        /// `Quantity`.
        quantity: i64 => "Quantity",
        /// `ItemNumber`.
        item_number: String => "ItemNumber",
        /// `ChildPartNumber`.
        child_part_number: String => "ChildPartNumber",
        /// `ChildRevision`.
        child_revision: String => "ChildRevision",
        /// `RevisionMask`: which child revisions fit (`A,B`, `1.%`).
        revision_mask: String => "RevisionMask",
    }
}

impl RevisionRelation {
    /// A new relation: `quantity` of child revision `child` in parent revision `parent`
    /// (both `productRevisionId` GUIDs), optionally restricted by a revision mask.
    pub fn new(parent: &str, child: &str, quantity: i64, revision_mask: Option<&str>) -> Self {
        RevisionRelation {
            parent_product_revision_id: parent.into(),
            product_revision_id: child.into(),
            quantity: quantity.into(),
            revision_mask: revision_mask.map(str::to_owned).into(),
            ..Default::default()
        }
    }
}

model! {
    /// One row of a product hierarchy (`GetProductInfo`, internal, PascalCase): a revision
    /// and, for children, the relation that holds it.
    pub struct ProductInfo {
        /// `PartNumber`.
        part_number: String => "PartNumber",
        /// `Revision`.
        revision: String => "Revision",
        /// `Name`.
        name: String => "Name",
        /// `ProductRevisionId`.
        product_revision_id: String => "ProductRevisionId",
        /// `ParentProductRevisionId`.
        parent_product_revision_id: String => "ParentProductRevisionId",
        /// `ProductRevisionRelationId`.
        product_revision_relation_id: String => "ProductRevisionRelationId",
        /// `Quantity`.
        quantity: i64 => "Quantity",
        /// `RevisionMask`.
        revision_mask: String => "RevisionMask",
        /// `Level`: 0 for the product itself.
        level: i64 => "Level",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::round_trip;

    #[test]
    fn models_round_trip() {
        let bom: Bom = round_trip(
            r#"{"partNumber":"PCBA-1","revision":"A","description":null,"x":1,
               "components":[{"number":"R-10K","revision":"1","quantity":"2","description":"res",
               "reference":"R1;R2","functionBlock":"PSU","y":[true]}]}"#,
        );
        assert_eq!(
            bom.components()[0].quantity.value().unwrap().as_str(),
            Some("2")
        );
        let g: ProductGroup = round_trip(
            r#"{"id":7,"name":"Boards","description":"","isPublic":true,
               "filters":[{"id":1,"productGroupId":7,"partNumber":"PCBA-%","exclude":false}]}"#,
        );
        assert_eq!(g.group_name(), Some("Boards"));
        let _: Vendor = round_trip(r#"{"VendorName":"Acme","vendorId":3}"#);
        let _: RevisionRelation = round_trip(
            r#"{"ProductRevisionRelationId":"r","ParentProductRevisionId":"p",
               "ProductRevisionId":"c","Quantity":2,"RevisionMask":"A,B","ItemNumber":null}"#,
        );
        let _: ProductInfo =
            round_trip(r#"{"PartNumber":"P","Revision":"A","Level":0,"Quantity":1,"Z":2}"#);
        let _: BomItem = round_trip(r#"{"bomItemId":1,"partNumber":"C","quantity":1.5}"#);
        let _: ProductCategory = round_trip(r#"{"ProductCategoryId":"g","Name":"PCB"}"#);
    }
}
