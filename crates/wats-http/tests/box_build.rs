//! The box-build template editor against the stateful mock: a plan is sent through the
//! relation calls (counted per route: no call more than the plan needs) and the template
//! read back is the template as edited.

use wats_core::{BoxBuild, BoxBuildChild, Error, Product, ProductRevision};
use wats_mock::MockServer;

const POST: &str = "/api/internal/Product/PostProductRevisionRelation";
const PUT: &str = "/api/internal/Product/PutProductRevisionRelation";
const DELETE: &str = "/api/internal/Product/DeleteProductRevisionRelation";
const INFO: &str = "/api/internal/Product/GetProductInfo";
const REVISION: &str = "/api/Product/{partNumber}/{revision}";

fn client(server: &MockServer) -> wats_http::Client {
    wats_http::Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .build()
        .unwrap()
}

fn product(pn: &str, revs: &[&str]) -> Product {
    let mut p = Product::new(pn);
    for rev in revs {
        let mut r = ProductRevision::default();
        r.part_number.set(pn.to_owned());
        r.revision.set((*rev).to_owned());
        p.revisions.push(r);
    }
    p
}

/// Requests per route since `before`.
fn counts(server: &MockServer, before: &[u64; 5]) -> [u64; 5] {
    let now = now(server);
    std::array::from_fn(|i| now[i] - before[i])
}

fn now(server: &MockServer) -> [u64; 5] {
    [POST, PUT, DELETE, INFO, REVISION].map(|r| server.requests_for(r))
}

/// (part number, revision, quantity, mask) of each line, sorted.
fn lines(t: &BoxBuild) -> Vec<(String, String, u32, Option<String>)> {
    let mut v: Vec<_> = t
        .children
        .iter()
        .map(|c| {
            (
                c.part_number.clone(),
                c.revision.clone().unwrap_or_default(),
                c.quantity,
                c.revision_mask.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

fn line(
    pn: &str,
    rev: &str,
    qty: u32,
    mask: Option<&str>,
) -> (String, String, u32, Option<String>) {
    (pn.into(), rev.into(), qty, mask.map(str::to_owned))
}

#[tokio::test]
async fn a_plan_is_sent_call_by_call_and_read_back_as_edited() {
    let server = MockServer::start();
    let c = client(&server);
    let products = [
        product("BOX-1", &["A"]),
        product("PSU-1", &["B1", "C1"]),
        product("FAN-1", &["A"]),
        product("CABLE-1", &["A"]),
        product("LID-1", &["A"]),
    ];
    c.products().save_many(&products).await.unwrap();
    let internal = c.products().internal();

    // From an empty template: three adds, each child revision looked up once.
    let empty = internal.box_build("BOX-1", "A").await.unwrap();
    assert!(empty.children.is_empty());
    let mut edit = empty.edit();
    edit.add(BoxBuildChild::new("PSU-1", "B1", 1))
        .unwrap()
        .add(BoxBuildChild::new("FAN-1", "A", 2).with_revision_mask("A"))
        .unwrap()
        .add(BoxBuildChild::new("CABLE-1", "A", 4).with_item_number("7"))
        .unwrap();
    let plan = edit.plan().unwrap();
    assert_eq!((plan.adds.len(), plan.len()), (3, 3));
    let before = now(&server);
    let first = internal.apply_box_build(&plan).await.unwrap();
    // POST, PUT, DELETE, GetProductInfo, revision lookups
    assert_eq!(counts(&server, &before), [3, 0, 0, 1, 3]);
    assert_eq!(lines(&first), lines(&edit.edited()));
    assert!(first.children.iter().all(|c| c.relation_id.is_some()));
    let cable = first.children.iter().find(|c| c.part_number == "CABLE-1");
    assert_eq!(cable.unwrap().item_number.as_deref(), Some("7"));

    // Edit what the server has: remove one, update one, relink one to another revision,
    // add one.
    let mut edit = first.edit();
    edit.remove("CABLE-1")
        .unwrap()
        .update("FAN-1", 3, None)
        .unwrap()
        .remove("PSU-1")
        .unwrap()
        .add(BoxBuildChild::new("PSU-1", "C1", 1))
        .unwrap()
        .add(BoxBuildChild::new("LID-1", "A", 1).with_revision_mask("A%"))
        .unwrap();
    let plan = edit.plan().unwrap();
    assert_eq!(
        (plan.removes.len(), plan.updates.len(), plan.adds.len()),
        (2, 1, 2)
    );
    let before = now(&server);
    let second = internal.apply_box_build(&plan).await.unwrap();
    assert_eq!(counts(&server, &before), [2, 1, 2, 1, 2]);
    assert_eq!(
        lines(&second),
        [
            line("FAN-1", "A", 3, None),
            line("LID-1", "A", 1, Some("A%")),
            line("PSU-1", "C1", 1, None),
        ]
    );

    // Nothing to change: only the read-back.
    let plan = second.edit().plan().unwrap();
    assert!(plan.is_empty());
    let before = now(&server);
    let third = internal.apply_box_build(&plan).await.unwrap();
    assert_eq!(counts(&server, &before), [0, 0, 0, 1, 0]);
    assert_eq!(third, second);
}

#[tokio::test]
async fn an_unknown_child_revision_stops_before_its_add() {
    let server = MockServer::start();
    let c = client(&server);
    c.products()
        .save_many(&[product("BOX-2", &["A"]), product("PSU-2", &["A"])])
        .await
        .unwrap();
    let internal = c.products().internal();
    let mut edit = internal.box_build("BOX-2", "A").await.unwrap().edit();
    edit.add(BoxBuildChild::new("PSU-2", "A", 1))
        .unwrap()
        .add(BoxBuildChild::new("PSU-2-GONE", "Z", 1))
        .unwrap();
    let plan = edit.plan().unwrap();
    let before = now(&server);
    assert!(matches!(
        internal.apply_box_build(&plan).await,
        Err(Error::NotFound { .. })
    ));
    // The first add went through; the lookup of the second failed, so no POST for it and
    // no read-back.
    assert_eq!(counts(&server, &before), [1, 0, 0, 0, 2]);
    let now = internal.box_build("BOX-2", "A").await.unwrap();
    assert_eq!(lines(&now), [line("PSU-2", "A", 1, None)]);
}
