//! Root-cause ticket calls: `client.root_cause()`.

use bytes::Bytes;
use wats_core::{Error, Ticket, TicketStatus, TicketUpdate, TicketView};

use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller};
use crate::registry::{Exception, LeftToMockito};

calls! {
    /// Root-cause ticket calls, from `client.root_cause()`.
    handle RootCause, domain "root_cause";

    /// One ticket (`GET /api/RootCause/Ticket?ticketId=`).
    ///
    /// # Errors
    /// [`Error::NotFound`] (see [`get_opt`](Self::get_opt)); status, transport, timeout and
    /// decode errors.
    fn get(ticket_id: &str) -> Ticket {
        GET "/api/RootCause/Ticket";
        pywats "rootcause.get_ticket";
        query ["ticketId" = ticket_id];
        answer json;
        opt get_opt;
    }

    /// Tickets with any of the `status` flags, in a `view`, optionally matching a search of
    /// subject, tags or tag values (`GET /api/RootCause/Tickets`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn list(status: TicketStatus, view: TicketView, search: Option<&str>) -> Vec<Ticket> {
        GET "/api/RootCause/Tickets";
        pywats "rootcause.get_tickets";
        query ["status" = status.bits(), "view" = view.code(), "searchString" = search];
        answer list;
        helpers [open, active];
    }

    /// Create a ticket (`POST /api/RootCause/Ticket`); its `update` is the first comment.
    /// Returns the ticket as created. Never retried automatically.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn create(ticket: &Ticket) -> Ticket {
        POST "/api/RootCause/Ticket";
        pywats "rootcause.create_ticket";
        body Body::json(ticket);
        answer json;
    }

    /// Update a ticket (`PUT /api/RootCause/Ticket`): the whole ticket, with an optional
    /// `update` (a comment) to add. Returns the ticket as saved. Not retried automatically:
    /// a replayed `update` would add its comment twice.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn update(ticket: &Ticket) -> Ticket {
        PUT "/api/RootCause/Ticket";
        pywats "rootcause.update_ticket";
        body Body::json(ticket);
        answer json;
        idempotent false;
    }

    /// Archive tickets (`POST /api/RootCause/ArchiveTickets`, body: the ids).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn archive(ticket_ids: &[&str]) -> () {
        POST "/api/RootCause/ArchiveTickets";
        pywats "rootcause.archive_tickets";
        body Body::json(ticket_ids);
        answer unit;
    }

    /// An attachment's bytes (`GET /api/RootCause/Attachment`); `file_name` asks for a
    /// download under that name.
    ///
    /// # Errors
    /// [`Error::NotFound`]; status, transport and timeout errors.
    fn attachment(attachment_id: &str, file_name: Option<&str>) -> Bytes {
        GET "/api/RootCause/Attachment";
        pywats "rootcause.get_attachment";
        query ["attachmentId" = attachment_id, "fileName" = file_name];
        answer bytes;
    }

    /// Upload an attachment (`POST /api/RootCause/Attachment`, `multipart/form-data` with
    /// one part `file`); returns the new attachment id, to reference from a ticket update's
    /// `attachments`. pyWATS 0.6 fails here before sending anything; this sends the form.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn upload_attachment(file_name: &str, content_type: &str, content: impl Into<Bytes>) -> String {
        POST "/api/RootCause/Attachment";
        pywats "rootcause.upload_attachment";
        body Body::multipart_file("file", file_name, content_type, content);
        answer with(attachment_id);
    }
}

/// The upload answer: a JSON string (the id) or, leniently, the bare id.
fn attachment_id(answer: wats_core::Result<crate::stack::Answer>) -> wats_core::Result<String> {
    let answer = answer?;
    let body = answer.response.body();
    let id = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(_) => String::new(),
        Err(_) => String::from_utf8_lossy(body).trim().to_owned(),
    };
    if id.is_empty() {
        return Err(Error::Decode {
            target: "attachment id",
            path: ".".to_owned(),
            message: "the upload answer holds no attachment id".to_owned(),
        });
    }
    Ok(id)
}

impl<'c, C: Caller> RootCause<'c, C> {
    /// Open tickets in a view (`status=1`).
    ///
    /// # Errors
    /// As [`list`](Self::list).
    pub fn open(&self, view: TicketView) -> C::Ret<'c, Vec<Ticket>> {
        self.list(TicketStatus::OPEN, view, None)
    }

    /// Active tickets, open or in progress, in a view (`status=3`).
    ///
    /// # Errors
    /// As [`list`](Self::list).
    pub fn active(&self, view: TicketView) -> C::Ret<'c, Vec<Ticket>> {
        self.list(TicketStatus::OPEN | TicketStatus::IN_PROGRESS, view, None)
    }

    /// Read a ticket, change it with `edit`, write it back (two requests, as the server has
    /// no partial update). The server does not answer `assignee`, so the one given here is
    /// kept in the result, as pyWATS does.
    fn modify(
        &self,
        ticket_id: &str,
        edit: impl FnOnce(&mut Ticket) + Send + 'static,
    ) -> C::Ret<'c, Ticket> {
        let id = ticket_id.to_owned();
        self.caller.run(move |client| async move {
            let mut ticket = client.root_cause().get(&id).await?;
            edit(&mut ticket);
            let assignee = ticket.assignee.clone();
            let mut saved = client.root_cause().update(&ticket).await?;
            if !saved.assignee.is_value() && assignee.is_value() {
                saved.assignee = assignee;
            }
            Ok(saved)
        })
    }

    /// Add a comment to a ticket (read, then `PUT` with `update` = the comment).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a blank comment (nothing sent); the errors of
    /// [`get`](Self::get) and [`update`](Self::update).
    pub fn add_comment(&self, ticket_id: &str, comment: &str) -> C::Ret<'c, Ticket> {
        if comment.trim().is_empty() {
            return self.caller.ready(Err(Error::InvalidInput {
                field: "comment".to_owned(),
                message: "a comment needs text".to_owned(),
            }));
        }
        let update = TicketUpdate::comment(comment);
        self.modify(ticket_id, move |t| t.update = update.into())
    }

    /// Change a ticket's status (read, then `PUT` with the new `status`).
    ///
    /// # Errors
    /// The errors of [`get`](Self::get) and [`update`](Self::update).
    pub fn change_status(&self, ticket_id: &str, status: TicketStatus) -> C::Ret<'c, Ticket> {
        self.modify(ticket_id, move |t| {
            t.status = i64::from(status.bits()).into();
            t.update = wats_core::Field::Absent;
        })
    }

    /// Assign a ticket to a user (read, then `PUT` with `assignee`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a blank user name (nothing sent); the errors of
    /// [`get`](Self::get) and [`update`](Self::update).
    pub fn assign(&self, ticket_id: &str, assignee: &str) -> C::Ret<'c, Ticket> {
        if assignee.trim().is_empty() {
            return self.caller.ready(Err(Error::InvalidInput {
                field: "assignee".to_owned(),
                message: "a user name is needed".to_owned(),
            }));
        }
        let who = assignee.to_owned();
        self.modify(ticket_id, move |t| {
            t.assignee = who.into();
            t.update = wats_core::Field::Absent;
        })
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
