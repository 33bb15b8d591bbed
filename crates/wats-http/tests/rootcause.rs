//! Root-cause tickets against the embedded server: comments are kept, status changes and
//! assignment read-modify-write the ticket, attachments go up as multipart and come back
//! byte for byte.

mod support;

use wats_core::{Error, Ticket, TicketStatus, TicketUpdate, TicketView};
use wats_mock::MockServer;

fn client(server: &MockServer) -> wats_http::Client {
    support::client(server.url()).build().unwrap()
}

#[tokio::test]
async fn tickets_keep_their_comments_and_move_through_statuses() {
    let server = MockServer::start();
    let c = client(&server);
    let rc = c.root_cause();
    let mut t = Ticket::new("ICT false fails on FX-1");
    t.update = TicketUpdate::comment("seen on line 1").into();
    let created = rc.create(&t).await.unwrap();
    let id = created.ticket_id.as_str().unwrap().to_owned();
    assert_eq!(created.ticket_status(), Some(TicketStatus::OPEN));

    let after = rc.add_comment(&id, "pins worn").await.unwrap();
    assert_eq!(
        after.comments().collect::<Vec<_>>(),
        ["seen on line 1", "pins worn"]
    );
    let assigned = rc.assign(&id, "ola").await.unwrap();
    assert_eq!(
        assigned.assignee.as_str(),
        Some("ola"),
        "kept though the server omits it"
    );
    rc.change_status(&id, TicketStatus::IN_PROGRESS)
        .await
        .unwrap();

    let active = rc.active(TicketView::All).await.unwrap();
    assert_eq!(active.len(), 1);
    assert!(rc.open(TicketView::All).await.unwrap().is_empty());
    let found = rc
        .list(TicketStatus::ALL, TicketView::All, Some("false FAILS"))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let again = rc.get(&id).await.unwrap();
    assert_eq!(
        again.comments().count(),
        2,
        "the status update is not a comment"
    );
    assert_eq!(again.history.items().len(), 3);

    rc.change_status(&id, TicketStatus::SOLVED).await.unwrap();
    rc.archive(&[id.as_str()]).await.unwrap();
    let archived = rc.get(&id).await.unwrap();
    assert_eq!(archived.ticket_status(), Some(TicketStatus::ARCHIVED));

    assert!(rc.get_opt("no-such-ticket").await.unwrap().is_none());
    assert!(matches!(
        rc.add_comment(&id, "  ").await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn attachments_upload_as_multipart_and_download_as_bytes() {
    let server = MockServer::start();
    let c = client(&server);
    // Every byte value, CRLFs and a would-be boundary inside the content.
    let mut content: Vec<u8> = (0..=255_u8).cycle().take(4096).collect();
    content.extend_from_slice(b"\r\n------wats-0000000000000000--\r\n");
    let id = c
        .root_cause()
        .upload_attachment(
            "scope \"shot\".bin",
            "application/octet-stream",
            content.clone(),
        )
        .await
        .unwrap();
    let back = c.root_cause().attachment(&id, None).await.unwrap();
    assert_eq!(&back[..], &content[..]);
    assert!(matches!(
        c.root_cause().attachment("missing", None).await,
        Err(Error::NotFound { .. })
    ));
}
