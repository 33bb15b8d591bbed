//! The internal asset file store against mockito (the embedded server does not serve it):
//! the exact requests, and both answer forms of a download (raw bytes, base64 in JSON).

mod support;

use mockito::Matcher;

fn q(k: &str, v: &str) -> Matcher {
    Matcher::UrlEncoded(k.to_owned(), v.to_owned())
}

#[tokio::test]
async fn asset_file_store_requests_and_answers() {
    let mut server = mockito::Server::new_async().await;
    let c = support::client(&server.url()).build().unwrap();
    let files = c.assets().internal();

    let up = server
        .mock("POST", "/api/internal/Blob/Asset")
        .match_query(Matcher::AllOf(vec![
            q("assetId", "17"),
            q("filename", "cal cert.pdf"),
        ]))
        .match_header("content-type", "application/octet-stream")
        .match_body(Matcher::Exact("%PDF-1.7".to_owned()))
        .create_async()
        .await;
    files
        .upload_file("17", "cal cert.pdf", &b"%PDF-1.7"[..])
        .await
        .unwrap();
    up.assert_async().await;

    let raw = server
        .mock("GET", "/api/internal/Blob/Asset")
        .match_query(Matcher::AllOf(vec![
            q("assetId", "17"),
            q("filename", "a.bin"),
        ]))
        .with_header("content-type", "application/octet-stream")
        .with_body([0_u8, 159, 146, 150])
        .create_async()
        .await;
    let got = files.download_file("17", "a.bin").await.unwrap();
    assert_eq!(&got[..], &[0_u8, 159, 146, 150]);
    raw.assert_async().await;

    let b64 = server
        .mock("GET", "/api/internal/Blob/Asset")
        .match_query(Matcher::AllOf(vec![
            q("assetId", "17"),
            q("filename", "b.txt"),
        ]))
        .with_header("content-type", "application/json; charset=utf-8")
        .with_body(r#"{"Content":"aGVsbG8gd29ybGQ="}"#)
        .create_async()
        .await;
    let got = files.download_file("17", "b.txt").await.unwrap();
    assert_eq!(&got[..], b"hello world");
    b64.assert_async().await;

    let bad = server
        .mock("GET", "/api/internal/Blob/Asset")
        .match_query(Matcher::AllOf(vec![
            q("assetId", "17"),
            q("filename", "c.txt"),
        ]))
        .with_header("content-type", "application/json")
        .with_body(r#"{"content":"***"}"#)
        .create_async()
        .await;
    assert!(matches!(
        files.download_file("17", "c.txt").await,
        Err(wats_core::Error::Decode { .. })
    ));
    bad.assert_async().await;

    let list = server
        .mock("GET", "/api/internal/Blob/Asset/List/17")
        .with_header("content-type", "application/json")
        .with_body(r#"["a.bin","b.txt"]"#)
        .create_async()
        .await;
    assert_eq!(files.list_files("17").await.unwrap().len(), 2);
    list.assert_async().await;

    let del = server
        .mock("DELETE", "/api/internal/Blob/Assets")
        .match_query(q("assetId", "17"))
        .match_body(Matcher::Json(serde_json::json!(["a.bin", "b.txt"])))
        .create_async()
        .await;
    files.delete_files("17", &["a.bin", "b.txt"]).await.unwrap();
    del.assert_async().await;
}

/// The embedded server keeps the file store: upload, list, download, delete, and 404 for an
/// asset that does not exist.
#[tokio::test]
async fn the_mock_keeps_asset_files() {
    let server = wats_mock::MockServer::start();
    let c = support::client(server.url()).build().unwrap();
    let ty = c
        .assets()
        .save_type(&wats_core::AssetType::new("Fixture"))
        .await
        .unwrap();
    let ty = ty.type_id.as_str().unwrap().to_owned();
    let a = c
        .assets()
        .save(&wats_core::Asset::new("FX-FILES", &ty))
        .await
        .unwrap();
    let id = a.asset_id.as_str().unwrap().to_owned();
    let files = c.assets().internal();
    files
        .upload_file(&id, "cal cert.pdf", &b"%PDF-1.7"[..])
        .await
        .unwrap();
    files
        .upload_file(&id, "notes.txt", &b"pins"[..])
        .await
        .unwrap();
    // Same name again: replaced, not added.
    files
        .upload_file(&id, "notes.txt", &b"new pins"[..])
        .await
        .unwrap();
    let names = files.list_files(&id).await.unwrap();
    assert_eq!(
        names,
        [
            serde_json::json!("cal cert.pdf"),
            serde_json::json!("notes.txt")
        ]
    );
    let got = files.download_file(&id, "notes.txt").await.unwrap();
    assert_eq!(&got[..], b"new pins");
    files.delete_files(&id, &["cal cert.pdf"]).await.unwrap();
    assert_eq!(files.list_files(&id).await.unwrap().len(), 1);
    assert!(matches!(
        files.download_file(&id, "cal cert.pdf").await,
        Err(wats_core::Error::NotFound { .. })
    ));
    assert!(matches!(
        files.upload_file("no-such-asset", "x", &b"x"[..]).await,
        Err(wats_core::Error::NotFound { .. })
    ));
    assert_eq!(server.requests_for("/api/internal/Blob/Asset"), 6);
}
