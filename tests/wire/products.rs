use serde_json::json;
use wats_core::product::Setting;
use wats_core::{
    Bom, BomComponent, Product, ProductCategory, ProductGroup, ProductRevision, RevisionRelation,
    Vendor,
};
use wats_http::{ProductQuery, ProductState};

use crate::{Expect, Wire, case};

fn revision() -> ProductRevision {
    let mut r = ProductRevision::default();
    r.revision.set("B".to_owned());
    r.part_number.set("PCB-1".to_owned());
    r
}

fn bom() -> Bom {
    Bom::new("PCB-1", "A").with_component(BomComponent::new("R-1", 2, "R1;R2"))
}

fn pq() -> ProductQuery {
    ProductQuery::new()
        .state(ProductState::Active)
        .part_number_starts_with("PC'B")
        .top(50)
        .skip(10)
}

fn grp() -> ProductGroup {
    ProductGroup::new("Boards", "all boards", true)
}

fn rel() -> RevisionRelation {
    RevisionRelation::new("p-guid", "c-guid", 2, Some("A,B"))
}

fn tag() -> Setting {
    let mut tag = Setting::default();
    tag.key.set("color".to_owned());
    tag.value.set("red".to_owned());
    tag
}

const WSBF: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BOM Partnumber=\"PCB-1\" \
    Revision=\"A\" xmlns=\"http://wats.virinco.com/schemas/WATS/wsbf\">\
    <Component Number=\"R-1\" Qty=\"2\" Ref=\"R1;R2\"/></BOM>";

pub async fn cases(w: &mut Wire) {
    case!(w, products.list, c => c.products().list(), Expect::new("GET", "/api/Product/Query"));
    case!(
        w,
        products.get,
        c => c.products().get("PCB 1/2"),
        Expect::new("GET", "/api/Product/PCB%201%2F2")
    );
    case!(
        w,
        products.get_opt,
        c => c.products().get_opt("PCB-1"),
        Expect::new("GET", "/api/Product/PCB-1")
    );
    case!(
        w,
        products.revision,
        c => c.products().revision("PCB-1", "A#1"),
        Expect::new("GET", "/api/Product/PCB-1/A%231")
    );
    case!(
        w,
        products.revision_opt,
        c => c.products().revision_opt("PCB-1", ".."),
        Expect::new("GET", "/api/Product/PCB-1/%2E%2E")
    );
    let target = "/api/Product/Query?%24filter=%28state%20eq%201%29%20and%20%28startswith%28partNumber%2C%20%27PC%27%27B%27%29%29&%24top=50&%24skip=10";
    case!(w, products.query, c => c.products().query(&pq()), Expect::new("GET", target));
    case!(w, products.query_all, c => c.products().query_all(&pq()), Expect::new("GET", target));
    // The paging helpers exist per client kind: the Stream on the async client, the
    // iterator on the blocking one. Each sends the first page, as `query` does.
    for name in ["query_iter", "query_stream"] {
        let before = w.server.count();
        let _ = w.client.products().query_stream(&pq()).next_item().await;
        let b = w.blocking.clone();
        tokio::task::spawn_blocking(move || {
            let _ = b.products().query_iter(&pq()).next();
        })
        .await
        .unwrap();
        w.check("products", name, before, &Expect::new("GET", target));
    }
    case!(
        w,
        products.save,
        c => c.products().save(&Product::new("PCB-1")),
        Expect::new("PUT", "/api/Product").json(&json!({"partNumber": "PCB-1"}))
    );
    case!(
        w,
        products.save_many,
        c => c.products().save_many(&[Product::new("PCB-1")]),
        Expect::new("PUT", "/api/Products").json(&json!([{"partNumber": "PCB-1"}]))
    );
    case!(
        w,
        products.save_revision,
        c => c.products().save_revision(&revision()),
        Expect::new("PUT", "/api/Product/Revision")
            .json(&json!({"revision": "B", "partNumber": "PCB-1"}))
    );
    case!(
        w,
        products.save_revisions,
        c => c.products().save_revisions(&[revision()]),
        Expect::new("PUT", "/api/Products/Revisions")
            .json(&json!([{"revision": "B", "partNumber": "PCB-1"}]))
    );
    case!(
        w,
        products.delete,
        c => c.products().delete("PCB 1"),
        Expect::new("DELETE", "/api/Product/PCB%201")
    );
    case!(
        w,
        products.delete_revision,
        c => c.products().delete_revision("PCB-1", "A/1"),
        Expect::new("DELETE", "/api/Product/PCB-1/A%2F1")
    );
    case!(w, products.groups, c => c.products().groups(), Expect::new("GET", "/api/Product/Groups"));
    let gj = json!({"name": "Boards", "description": "all boards", "isPublic": true});
    case!(
        w,
        products.save_group,
        c => c.products().save_group(&grp()),
        Expect::new("PUT", "/api/Product/Group").json(&gj)
    );
    case!(
        w,
        products.product_groups,
        c => c.products().product_groups(true),
        Expect::new("GET", "/api/Product/ProductGroup?includeFilters=true")
    );
    case!(
        w,
        products.create_product_group,
        c => c.products().create_product_group(&grp()),
        Expect::new("POST", "/api/Product/ProductGroup").json(&gj)
    );
    case!(
        w,
        products.update_product_group,
        c => c.products().update_product_group(&grp()),
        Expect::new("PUT", "/api/Product/ProductGroup").json(&gj)
    );
    case!(
        w,
        products.delete_product_group,
        c => c.products().delete_product_group(7),
        Expect::new("DELETE", "/api/Product/ProductGroup/7")
    );
    case!(
        w,
        products.product_group_filters,
        c => c.products().product_group_filters(7),
        Expect::new("GET", "/api/Product/ProductGroupFilter?productGroupId=7")
    );
    case!(
        w,
        products.add_product_group_filter,
        c => c.products().add_product_group_filter("Boards & co", "PCB-%", None, false),
        Expect::new(
            "POST",
            "/api/Product/ProductGroupFilter?productGroup=Boards%20%26%20co&partNumber=PCB-%25&exclude=false"
        )
    );
    case!(
        w,
        products.product_groups_by_product,
        c => c.products().product_groups_by_product("PCB-1", Some("A")),
        Expect::new("GET", "/api/Product/ProductGroupsByProduct?partNumber=PCB-1&revision=A")
    );
    case!(
        w,
        products.bom,
        c => c.products().bom("PCB-1", "A"),
        Expect::new("GET", "/api/Product/BOM?partNumber=PCB-1&revision=A")
    );
    case!(
        w,
        products.bom_opt,
        c => c.products().bom_opt("PCB-1", "A"),
        Expect::new("GET", "/api/Product/BOM?partNumber=PCB-1&revision=A")
    );
    case!(
        w,
        products.put_bom,
        c => c.products().put_bom(&bom()),
        Expect::new("PUT", "/api/Product/BOM").json(&json!({
            "partNumber": "PCB-1", "revision": "A",
            "components": [{"number": "R-1", "quantity": 2, "reference": "R1;R2"}]
        }))
    );
    case!(
        w,
        products.put_bom_wsbf,
        c => c.products().put_bom_wsbf(WSBF.as_bytes().to_vec()),
        Expect::new("PUT", "/api/Product/BOM").body(WSBF, "application/xml")
    );
    case!(
        w,
        products.put_bom_as_wsbf,
        c => c.products().put_bom_as_wsbf(&bom()),
        Expect::new("PUT", "/api/Product/BOM").body(WSBF, "application/xml")
    );
    case!(w, products.vendors, c => c.products().vendors(), Expect::new("GET", "/api/Product/Vendors"));
    case!(
        w,
        products.add_vendors,
        c => c.products().add_vendors(&[Vendor::new("Acme")]),
        Expect::new("PUT", "/api/Product/Vendors").json(&json!([{"VendorName": "Acme"}]))
    );
    case!(
        w,
        products.delete_vendors,
        c => c.products().delete_vendors(&[Vendor::new("Acme")]),
        Expect::new("DELETE", "/api/Product/Vendors").json(&json!([{"VendorName": "Acme"}]))
    );
    internal(w).await;
}

async fn internal(w: &mut Wire) {
    case!(
        w,
        products_internal.bom_items,
        c => c.products().internal().bom_items("PCB-1", "A"),
        Expect::new("GET", "/api/internal/Product/Bom?partNumber=PCB-1&revision=A")
    );
    case!(
        w,
        products_internal.product_info,
        c => c.products().internal().product_info("BOX 1", "A"),
        Expect::new("GET", "/api/internal/Product/GetProductInfo?partNumber=BOX%201&revision=A")
    );
    case!(
        w,
        products_internal.box_build,
        c => c.products().internal().box_build("BOX-1", "A"),
        Expect::new("GET", "/api/internal/Product/GetProductInfo?partNumber=BOX-1&revision=A")
    );
    case!(
        w,
        products_internal.product_by_pn,
        c => c.products().internal().product_by_pn("PCB-1"),
        Expect::new("GET", "/api/internal/Product/GetProductByPN?PN=PCB-1")
    );
    let rj = json!({"ParentProductRevisionId": "p-guid", "ProductRevisionId": "c-guid",
                    "Quantity": 2, "RevisionMask": "A,B"});
    case!(
        w,
        products_internal.add_relation,
        c => c.products().internal().add_relation(&rel()),
        Expect::new("POST", "/api/internal/Product/PostProductRevisionRelation").json(&rj)
    );
    case!(
        w,
        products_internal.update_relation,
        c => c.products().internal().update_relation(&rel()),
        Expect::new("PUT", "/api/internal/Product/PutProductRevisionRelation").json(&rj)
    );
    case!(
        w,
        products_internal.remove_relation,
        c => c.products().internal().remove_relation("r-guid"),
        Expect::new(
            "DELETE",
            "/api/internal/Product/DeleteProductRevisionRelation?productRevisionRelationId=r-guid"
        )
    );
    case!(
        w,
        products_internal.categories,
        c => c.products().internal().categories(),
        Expect::new("GET", "/api/internal/Product/GetProductCategories")
    );
    let mut cat = ProductCategory::default();
    cat.name.set("PCB".to_owned());
    case!(
        w,
        products_internal.save_categories,
        c => c.products().internal().save_categories(std::slice::from_ref(&cat)),
        Expect::new("PUT", "/api/internal/Product/PutProductCategories").json(&json!([{"Name": "PCB"}]))
    );
    let tj = json!([{"key": "color", "value": "red"}]);
    case!(
        w,
        products_internal.product_tags,
        c => c.products().internal().product_tags("PCB-1"),
        Expect::new("GET", "/api/internal/Product/GetProductTags?partNumber=PCB-1")
    );
    case!(
        w,
        products_internal.set_product_tags,
        c => c.products().internal().set_product_tags("PCB-1", &[tag()]),
        Expect::new("PUT", "/api/internal/Product/PutProductTags?partNumber=PCB-1").json(&tj)
    );
    case!(
        w,
        products_internal.revision_tags,
        c => c.products().internal().revision_tags("PCB-1", "A"),
        Expect::new("GET", "/api/internal/Product/GetRevisionTags?partNumber=PCB-1&revision=A")
    );
    case!(
        w,
        products_internal.set_revision_tags,
        c => c.products().internal().set_revision_tags("PCB-1", "A", &[tag()]),
        Expect::new("PUT", "/api/internal/Product/PutRevisionTags?partNumber=PCB-1&revision=A")
            .json(&tj)
    );
    case!(
        w,
        products_internal.groups_for_product,
        c => c.products().internal().groups_for_product("PCB-1"),
        Expect::new("GET", "/api/internal/Product/GetGroupsForProduct?partNumber=PCB-1")
    );
}
