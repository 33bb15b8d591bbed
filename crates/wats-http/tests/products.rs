//! Products against the stateful mock: what is written is read back (created products are
//! listed and fetched, a deleted revision is gone, a BOM written is read back), deletes give
//! their two typed outcomes, queries page through everything (the blocking iterator is
//! tested in `wats-sync/tests/master_data.rs`).

use wats_core::{Bom, BomComponent, Error, Product, ProductGroup, ProductRevision, Vendor};
use wats_http::{DeleteOutcome, ProductQuery, ProductState};
use wats_mock::MockServer;

fn client(server: &MockServer) -> wats_http::Client {
    wats_http::Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .build()
        .unwrap()
}

fn revision(pn: &str, rev: &str) -> ProductRevision {
    let mut r = ProductRevision::default();
    r.part_number.set(pn.to_owned());
    r.revision.set(rev.to_owned());
    r
}

#[tokio::test]
async fn a_created_product_is_listed_fetched_updated_and_its_revisions_saved() {
    let server = MockServer::start();
    let c = client(&server);
    let mut p = Product::new("NEW-1");
    p.name.set("New board".to_owned());
    p.extra
        .insert("futureField".into(), serde_json::json!({"kept": true}));
    let saved = c.products().save(&p).await.unwrap();
    let id = saved.product_id.as_str().unwrap().to_owned();
    assert!(!id.is_empty());

    let got = c.products().get("NEW-1").await.unwrap();
    assert_eq!(got.name.as_str(), Some("New board"));
    assert_eq!(got.product_id.as_str(), Some(id.as_str()));
    assert_eq!(got.extra["futureField"]["kept"], true);

    let listed = c
        .products()
        .query(&ProductQuery::new().part_number("NEW-1"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name.as_str(), Some("New board"));

    // update: same part number, new name; the id is kept
    p.name.set("Renamed".to_owned());
    let again = c.products().save(&p).await.unwrap();
    assert_eq!(again.product_id.as_str(), Some(id.as_str()));

    // revisions, one and many; by productId too
    let mut a = ProductRevision::default();
    a.product_id.set(id.clone());
    a.revision.set("A".to_owned());
    let ra = c.products().save_revision(&a).await.unwrap();
    assert_eq!(ra.part_number(), Some("NEW-1"));
    let many = c
        .products()
        .save_revisions(&[revision("NEW-1", "B"), revision("NEW-1", "C")])
        .await
        .unwrap();
    assert_eq!(many.len(), 3 - 1);
    let revs: Vec<String> = c
        .products()
        .get("NEW-1")
        .await
        .unwrap()
        .revisions
        .items()
        .iter()
        .map(|r| r.revision.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(revs, ["A", "B", "C"]);

    // a deleted revision is gone; nothing refers to it, so it is deleted, not deactivated
    let out = c.products().delete_revision("NEW-1", "B").await.unwrap();
    assert_eq!(out, DeleteOutcome::Deleted);
    assert!(
        c.products()
            .revision_opt("NEW-1", "B")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        c.products()
            .revision_opt("NEW-1", "C")
            .await
            .unwrap()
            .is_some()
    );

    // many products at once
    let saved = c
        .products()
        .save_many(&[Product::new("NEW-2"), Product::new("NEW-3")])
        .await
        .unwrap();
    assert_eq!(saved.len(), 2);
    assert!(c.products().get_opt("NEW-3").await.unwrap().is_some());

    // a product is deleted: it is gone from get and the query
    assert!(c.products().delete("NEW-2").await.unwrap().is_deleted());
    assert!(c.products().get_opt("NEW-2").await.unwrap().is_none());
    assert!(matches!(
        c.products().delete("NEW-2").await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_product_with_test_reports_is_deactivated_with_their_serial_numbers() {
    let server = MockServer::start();
    let c = client(&server);
    let report = wats_core::UutReportBuilder::new("USED-1", "SN-USED-7", "A", 10)
        .result(wats_core::Status::Passed)
        .build()
        .unwrap();
    c.save_product_for_test("USED-1").await;
    c.reports().submit(&report).await.unwrap();
    match c.products().delete("USED-1").await.unwrap() {
        DeleteOutcome::Deactivated { serial_numbers } => {
            assert_eq!(serial_numbers, ["SN-USED-7"]);
        }
        other => panic!("expected deactivated, got {other:?}"),
    }
    let p = c.products().get("USED-1").await.unwrap();
    assert_eq!(p.state.value(), Some(&0));
    let inactive = c
        .products()
        .query(
            &ProductQuery::new()
                .state(ProductState::Inactive)
                .part_number("USED-1"),
        )
        .await
        .unwrap();
    assert_eq!(inactive.len(), 1);
}

trait SaveForTest {
    async fn save_product_for_test(&self, pn: &str);
}

impl SaveForTest for wats_http::Client {
    async fn save_product_for_test(&self, pn: &str) {
        self.products().save(&Product::new(pn)).await.unwrap();
    }
}

#[tokio::test]
async fn query_pages_cover_everything_once_async_and_blocking() {
    let server = MockServer::start();
    let c = client(&server);
    let all = c.products().list().await.unwrap();
    assert!(all.len() > 20, "the seeded catalog");
    let q = ProductQuery::new().order_by("partNumber").top(7);
    let before = server.requests_for("/api/Product/Query");

    let mut stream = c.products().query_stream(&q);
    let mut seen = Vec::new();
    while let Some(p) = stream.next_item().await {
        seen.push(p.unwrap().part_number.as_str().unwrap().to_owned());
    }
    let pages = all.len().div_ceil(7) + usize::from(all.len().is_multiple_of(7));
    assert_eq!(stream.pages_fetched() as usize, pages);
    assert_eq!(
        server.requests_for("/api/Product/Query") - before,
        pages as u64
    );
    let mut want: Vec<String> = all
        .iter()
        .map(|p| p.part_number.as_str().unwrap().to_owned())
        .collect();
    want.sort();
    assert_eq!(seen, want);

    let collected = c.products().query_all(&q).await.unwrap();
    assert_eq!(collected.len(), all.len());

    // a filter the server rejects ends the stream with its error
    let mut bad = c
        .products()
        .query_stream(&ProductQuery::new().filter_raw("nope eq 1"));
    assert!(matches!(
        bad.next_item().await,
        Some(Err(Error::Status { status: 400, .. }))
    ));
    assert!(bad.next_item().await.is_none());
}

#[tokio::test]
async fn a_bom_written_as_json_or_wsbf_is_read_back() {
    let server = MockServer::start();
    let c = client(&server);
    assert!(c.products().bom_opt("B-1", "A").await.unwrap().is_none());
    let bom = Bom::new("B-1", "A")
        .with_component(BomComponent::new("R<10k>", 2, "R1;R2"))
        .with_component(BomComponent::new("C-1", 1, "C1"));
    c.products().put_bom(&bom).await.unwrap();
    let back = c.products().bom("B-1", "A").await.unwrap();
    assert_eq!(back, bom);

    let mut xml_bom = Bom::new("B-1", "B").with_component(BomComponent::new("R<10k>", 4, "R&1"));
    xml_bom.description.set("\"quoted\" & <odd>".to_owned());
    c.products().put_bom_as_wsbf(&xml_bom).await.unwrap();
    let back = c.products().bom("B-1", "B").await.unwrap();
    assert_eq!(back.description.as_str(), Some("\"quoted\" & <odd>"));
    let comp = &back.components()[0];
    assert_eq!(comp.number.as_str(), Some("R<10k>"));
    assert_eq!(comp.reference.as_str(), Some("R&1"));
    assert_eq!(
        comp.quantity.value().and_then(wats_core::NumOrStr::as_i64),
        Some(4)
    );
    let items = c.products().internal().bom_items("B-1", "B").await.unwrap();
    assert_eq!(items.len(), 1);
}

#[tokio::test]
async fn groups_filters_and_vendors() {
    let server = MockServer::start();
    let c = client(&server);
    let g = c
        .products()
        .create_product_group(&ProductGroup::new("Boards", "all boards", true))
        .await
        .unwrap();
    let id = g.id.value().and_then(wats_core::NumOrStr::as_i64).unwrap();
    c.products()
        .add_product_group_filter("Boards", "PCBA-%", None, false)
        .await
        .unwrap();
    c.products()
        .add_product_group_filter("Boards", "PCBA-9%", None, true)
        .await
        .unwrap();
    let filters = c.products().product_group_filters(id).await.unwrap();
    assert_eq!(filters.len(), 2);
    let with = c.products().product_groups(true).await.unwrap();
    assert_eq!(with[0].filters.items().len(), 2);
    let by = c
        .products()
        .product_groups_by_product("PCBA-1001", None)
        .await
        .unwrap();
    assert_eq!(by.len(), 1);
    let excluded = c
        .products()
        .product_groups_by_product("PCBA-9001", None)
        .await
        .unwrap();
    assert!(excluded.is_empty());
    let listed = c.products().groups().await.unwrap();
    assert_eq!(listed[0].product_group_name.as_str(), Some("Boards"));
    c.products().delete_product_group(id).await.unwrap();
    assert!(c.products().groups().await.unwrap().is_empty());

    c.products()
        .add_vendors(&[
            Vendor::new("Acme"),
            Vendor::new("Bolt"),
            Vendor::new("acme"),
        ])
        .await
        .unwrap();
    assert_eq!(c.products().vendors().await.unwrap().len(), 2);
    c.products()
        .delete_vendors(&[Vendor::new("Acme")])
        .await
        .unwrap();
    let left = c.products().vendors().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].vendor_name.as_str(), Some("Bolt"));
}

#[tokio::test]
async fn box_build_relations_and_what_a_unit_lacks() {
    let server = MockServer::start();
    let c = client(&server);
    let mut parent = Product::new("BOX-1");
    parent.revisions.push(revision("BOX-1", "A"));
    let mut child = Product::new("PSU-1");
    child.revisions.push(revision("PSU-1", "B1"));
    c.products().save_many(&[parent, child]).await.unwrap();
    let pid = c.products().revision("BOX-1", "A").await.unwrap();
    let cid = c.products().revision("PSU-1", "B1").await.unwrap();
    let rel = wats_core::RevisionRelation::new(
        pid.product_revision_id.as_str().unwrap(),
        cid.product_revision_id.as_str().unwrap(),
        2,
        Some("B%"),
    );
    let saved = c.products().internal().add_relation(&rel).await.unwrap();
    let rel_id = saved
        .product_revision_relation_id
        .as_str()
        .unwrap()
        .to_owned();

    let template = c
        .products()
        .internal()
        .box_build("BOX-1", "A")
        .await
        .unwrap();
    assert_eq!(template.children.len(), 1);
    assert_eq!(template.children[0].part_number, "PSU-1");
    assert_eq!(template.children[0].quantity, 2);
    let unit: wats_core::Unit = serde_json::from_value(serde_json::json!({
        "serialNumber": "BX1", "partNumber": "BOX-1",
        "subUnits": [{"serialNumber": "P1", "partNumber": "PSU-1", "revision": "B1"}]
    }))
    .unwrap();
    let missing = template.missing(&unit);
    assert_eq!((missing[0].present, missing[0].missing), (1, 1));

    c.products()
        .internal()
        .remove_relation(&rel_id)
        .await
        .unwrap();
    let template = c
        .products()
        .internal()
        .box_build("BOX-1", "A")
        .await
        .unwrap();
    assert!(template.children.is_empty());
    assert!(template.is_complete(&unit));
    assert!(matches!(
        c.products().internal().box_build("NOPE", "A").await,
        Err(Error::NotFound { .. })
    ));
}
