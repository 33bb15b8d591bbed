use serde_json::json;
use wats_core::{ScimPatch, ScimUser};

use crate::{Expect, Wire, case};

fn patch_op(ops: &serde_json::Value) -> serde_json::Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

pub async fn cases(w: &mut Wire) {
    case!(w, scim.token, c => c.scim().token(Some(30)), Expect::new("GET", "/api/SCIM/v2/Token?duration=30"));
    case!(
        w,
        scim.users,
        c => c.scim().users(Some("userName eq \"ola\""), Some(11), Some(10)),
        Expect::new("GET", "/api/SCIM/v2/Users?filter=userName%20eq%20%22ola%22&startIndex=11&count=10")
    );
    let first = "/api/SCIM/v2/Users?startIndex=1&count=25";
    case!(w, scim.all_users, c => c.scim().all_users(25, None), Expect::new("GET", first));
    // The Stream is the async client's; the blocking client pages with `all_users`.
    let before = w.server.count();
    let _ = w.client.scim().users_stream(None, 25).next_item().await;
    let b = w.blocking.clone();
    tokio::task::spawn_blocking(move || {
        let _ = b.scim().all_users(25, None);
    })
    .await
    .unwrap();
    w.check("scim", "users_stream", before, &Expect::new("GET", first));
    let filtered = "/api/SCIM/v2/Users?filter=active%20eq%20true&startIndex=1&count=2";
    let before = w.server.count();
    let _ = w
        .client
        .scim()
        .users_stream(Some("active eq true"), 2)
        .next_item()
        .await;
    let _ = w
        .client
        .scim()
        .users(Some("active eq true"), Some(1), Some(2))
        .await;
    w.check(
        "scim",
        "users_stream",
        before,
        &Expect::new("GET", filtered),
    );
    case!(w, scim.user, c => c.scim().user("7"), Expect::new("GET", "/api/SCIM/v2/Users/7"));
    case!(w, scim.user_opt, c => c.scim().user_opt("7"), Expect::new("GET", "/api/SCIM/v2/Users/7"));
    case!(
        w,
        scim.user_by_name,
        c => c.scim().user_by_name("ola n@x"),
        Expect::new("GET", "/api/SCIM/v2/Users/userName=ola%20n%40x")
    );
    case!(
        w,
        scim.user_by_name_opt,
        c => c.scim().user_by_name_opt("ola"),
        Expect::new("GET", "/api/SCIM/v2/Users/userName=ola")
    );
    case!(
        w,
        scim.create_user,
        c => c.scim().create_user(&ScimUser::new("ola")),
        Expect::new("POST", "/api/SCIM/v2/Users").json(&json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ola"
        }))
    );
    case!(
        w,
        scim.patch_user,
        c => c.scim().patch_user("7", &ScimPatch::new().add("title", "Operator").remove("nickName")),
        Expect::new("PATCH", "/api/SCIM/v2/Users/7").json(&patch_op(&json!([
            {"op": "add", "path": "title", "value": "Operator"},
            {"op": "remove", "path": "nickName"}
        ])))
    );
    case!(
        w,
        scim.set_user_active,
        c => c.scim().set_user_active("7", true),
        Expect::new("PATCH", "/api/SCIM/v2/Users/7")
            .json(&patch_op(&json!([{"op": "replace", "path": "active", "value": true}])))
    );
    case!(
        w,
        scim.deactivate_user,
        c => c.scim().deactivate_user("7"),
        Expect::new("PATCH", "/api/SCIM/v2/Users/7")
            .json(&patch_op(&json!([{"op": "replace", "path": "active", "value": false}])))
    );
    case!(
        w,
        scim.update_display_name,
        c => c.scim().update_display_name("7", "Ola N"),
        Expect::new("PATCH", "/api/SCIM/v2/Users/7")
            .json(&patch_op(&json!([{"op": "replace", "path": "displayName", "value": "Ola N"}])))
    );
    case!(w, scim.delete_user, c => c.scim().delete_user("7"), Expect::new("DELETE", "/api/SCIM/v2/Users/7"));
}
