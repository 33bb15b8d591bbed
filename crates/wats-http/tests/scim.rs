//! SCIM users against the embedded server: create, read by id and by name, patch, page
//! through, delete; the token's duration.

mod support;

use wats_core::{Error, ScimPatch, ScimUser};
use wats_mock::MockServer;

fn client(server: &MockServer) -> wats_http::Client {
    support::client(server.url()).build().unwrap()
}

#[tokio::test]
async fn users_are_created_patched_paged_and_deleted() {
    let server = MockServer::start();
    let c = client(&server);
    let scim = c.scim();
    let mut ids = Vec::new();
    for i in 0..7 {
        let mut u = ScimUser::new(format!("user {i}"));
        u.display_name.set(format!("User {i}"));
        let made = scim.create_user(&u).await.unwrap();
        ids.push(made.id.as_str().unwrap().to_owned());
    }
    assert!(matches!(
        scim.create_user(&ScimUser::new("USER 0")).await,
        Err(Error::Status { status: 409, .. })
    ));

    let by_name = scim.user_by_name("user 3").await.unwrap();
    assert_eq!(by_name.id.as_str(), Some(ids[3].as_str()));
    assert!(scim.user_by_name_opt("nobody").await.unwrap().is_none());

    let off = scim.deactivate_user(&ids[3]).await.unwrap();
    assert_eq!(off.active.value(), Some(&false));
    scim.update_display_name(&ids[3], "Renamed").await.unwrap();
    scim.patch_user(&ids[3], &ScimPatch::new().add("title", "Operator"))
        .await
        .unwrap();
    let u = scim.user(&ids[3]).await.unwrap();
    assert_eq!(u.display_name.as_str(), Some("Renamed"));
    assert_eq!(u.extra["title"], "Operator");

    server.reset_counters();
    let all = scim.all_users(3, None).await.unwrap();
    assert_eq!(all.len(), 7);
    assert_eq!(
        server.requests_for("/api/SCIM/v2/Users"),
        3,
        "pages of 3, 3 and 1"
    );
    server.reset_counters();
    let mut pages = scim.pages(3);
    let mut sizes = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        sizes.push(page.len());
    }
    assert_eq!(sizes, [3, 3, 1]);
    assert!(pages.next_page().await.unwrap().is_none());
    assert_eq!(
        server.requests_for("/api/SCIM/v2/Users"),
        3,
        "one request per page"
    );
    let first5 = scim.all_users(2, Some(5)).await.unwrap();
    assert_eq!(first5.len(), 5);
    let page = scim.users(None, Some(7), Some(10)).await.unwrap();
    assert_eq!(page.total_results.value(), Some(&7));
    assert_eq!(page.resources.items().len(), 1);

    scim.delete_user(&ids[0]).await.unwrap();
    assert!(scim.user_opt(&ids[0]).await.unwrap().is_none());
    assert!(matches!(
        scim.delete_user(&ids[0]).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn token_has_its_duration_and_is_not_in_debug_output() {
    let server = MockServer::start();
    let c = client(&server);
    let t = c.scim().token(Some(30)).await.unwrap();
    assert_eq!(t.duration_days.value(), Some(&30));
    let secret = t.token.as_str().unwrap().to_owned();
    assert!(!secret.is_empty());
    assert!(!format!("{t:?}").contains(&secret));
    let d = c.scim().token(None).await.unwrap();
    assert_eq!(d.duration_days.value(), Some(&90));
}

#[tokio::test]
async fn users_stream_holds_one_page_at_a_time_and_counts_pages() {
    let server = MockServer::start();
    let c = client(&server);
    let before = c.scim().all_users(100, None).await.unwrap().len();
    for i in 0..5 {
        let mut u = ScimUser::new(format!("stream-{i}"));
        u.active.set(i % 2 == 0);
        c.scim().create_user(&u).await.unwrap();
    }
    server.reset_counters();
    let mut users = c.scim().users_stream(None, 2);
    let mut names = Vec::new();
    while let Some(u) = users.next_item().await {
        names.push(u.unwrap().user_name.as_str().unwrap_or("").to_owned());
    }
    let total = before + 5;
    assert_eq!(names.len(), total);
    // Pages of 2 until a short one (or an empty one after a full one).
    let pages = u32::try_from(total / 2 + 1).unwrap();
    assert_eq!(users.pages_fetched(), pages);
    assert_eq!(server.requests_for("/api/SCIM/v2/Users"), u64::from(pages));
    for i in 0..5 {
        assert!(names.contains(&format!("stream-{i}")), "{names:?}");
    }
}
