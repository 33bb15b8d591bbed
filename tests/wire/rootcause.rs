use serde_json::json;
use wats_core::{Ticket, TicketStatus, TicketView};

use crate::{Expect, Wire, case};

/// The multipart boundary `Body::multipart_file` derives (FNV-1a of content and name).
fn boundary(content: &[u8], name: &str) -> String {
    let fnv = |b: &[u8]| {
        b.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, x| {
            (h ^ u64::from(*x)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!("----wats-{:016x}", fnv(content) ^ fnv(name.as_bytes()))
}

pub async fn cases(w: &mut Wire) {
    case!(
        w,
        root_cause.get,
        c => c.root_cause().get("8d1c2f3e-0000-4000-8000-000000000001"),
        Expect::new("GET", "/api/RootCause/Ticket?ticketId=8d1c2f3e-0000-4000-8000-000000000001")
    );
    case!(
        w,
        root_cause.get_opt,
        c => c.root_cause().get_opt("t1"),
        Expect::new("GET", "/api/RootCause/Ticket?ticketId=t1")
    );
    case!(
        w,
        root_cause.list,
        c => c.root_cause().list(TicketStatus::SOLVED | TicketStatus::CLOSED, TicketView::All, Some("ICT fail")),
        Expect::new("GET", "/api/RootCause/Tickets?status=24&view=2&searchString=ICT%20fail")
    );
    case!(
        w,
        root_cause.open,
        c => c.root_cause().open(TicketView::Assigned),
        Expect::new("GET", "/api/RootCause/Tickets?status=1&view=0")
    );
    case!(
        w,
        root_cause.active,
        c => c.root_cause().active(TicketView::Following),
        Expect::new("GET", "/api/RootCause/Tickets?status=3&view=1")
    );
    case!(
        w,
        root_cause.create,
        c => c.root_cause().create(&Ticket::new("Fixture false fails")),
        Expect::new("POST", "/api/RootCause/Ticket").json(&json!({"subject": "Fixture false fails"}))
    );
    let mut t = Ticket::new("S");
    t.ticket_id.set("t1".to_owned());
    t.status.set(8);
    let t2 = t.clone();
    case!(
        w,
        root_cause.update,
        c => c.root_cause().update(&t2),
        Expect::new("PUT", "/api/RootCause/Ticket")
            .json(&json!({"ticketId": "t1", "subject": "S", "status": 8}))
    );
    case!(
        w,
        root_cause.archive,
        c => c.root_cause().archive(&["t1", "t2"]),
        Expect::new("POST", "/api/RootCause/ArchiveTickets").json(&json!(["t1", "t2"]))
    );
    case!(
        w,
        root_cause.attachment,
        c => c.root_cause().attachment("a1", Some("scope shot.png")),
        Expect::new("GET", "/api/RootCause/Attachment?attachmentId=a1&fileName=scope%20shot.png")
    );
    let b = boundary(b"\x89PNG", "scope.png");
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scope.png\"\r\n\
         Content-Type: image/png\r\n\r\n\u{89}PNG\r\n--{b}--\r\n"
    );
    let mut body = body.into_bytes();
    // `\u{89}` is two bytes in UTF-8; the content is the one byte 0x89.
    let at = body.windows(2).position(|w| w == [0xc2, 0x89]).unwrap();
    body.splice(at..at + 2, [0x89]);
    let ct: &'static str = Box::leak(format!("multipart/form-data; boundary={b}").into_boxed_str());
    case!(
        w,
        root_cause.upload_attachment,
        c => c.root_cause().upload_attachment("scope.png", "image/png", &b"\x89PNG"[..]),
        Expect::new("POST", "/api/RootCause/Attachment").body(body.clone(), ct)
    );
}
