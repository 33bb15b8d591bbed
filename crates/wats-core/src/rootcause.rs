//! Root-cause tickets (`/api/RootCause/...`).

use std::ops::{BitOr, BitOrAssign};

use crate::product::Setting;
use crate::value::model;

model! {
    /// A root-cause ticket, server schema `Ticket`.
    ///
    /// The server does not write `assignee` back in its answers (pyWATS notes it); the member
    /// is kept when present.
    pub struct Ticket {
        /// `ticketId`: GUID.
        ticket_id: String => "ticketId",
        /// `ticketNumber`.
        ticket_number: i64 => "ticketNumber",
        /// `progress`.
        progress: String => "progress",
        /// `owner`.
        owner: String => "owner",
        /// `assignee`.
        assignee: String => "assignee",
        /// `subject`.
        subject: String => "subject",
        /// `status`: one flag of [`TicketStatus`].
        status: i64 => "status",
        /// `priority`: see [`TicketPriority`].
        priority: i64 => "priority",
        /// `reportUuid`: the report the ticket is about.
        report_uuid: String => "reportUuid",
        /// `createdUtc`.
        created_utc: String => "createdUtc",
        /// `updatedUtc`.
        updated_utc: String => "updatedUtc",
        /// `team`.
        team: String => "team",
        /// `origin`.
        origin: String => "origin",
        /// `tags`.
        tags: Vec<Setting> => "tags",
        /// `history`: the updates so far, comments included.
        history: Vec<TicketUpdate> => "history",
        /// `update`: the update a create or update call adds (a comment, ...).
        update: TicketUpdate => "update",
    }
}

impl Ticket {
    /// A new ticket with a subject, ready to create.
    pub fn new(subject: impl Into<String>) -> Self {
        Ticket {
            subject: subject.into().into(),
            ..Default::default()
        }
    }

    /// The typed `status`.
    pub fn ticket_status(&self) -> Option<TicketStatus> {
        self.status
            .value()
            .and_then(|s| u32::try_from(*s).ok())
            .map(TicketStatus)
    }

    /// The comments of `history` (`updateType` 0), oldest first as the server lists them.
    pub fn comments(&self) -> impl Iterator<Item = &str> {
        self.history
            .items()
            .iter()
            .filter(|u| u.update_type.value().is_none_or(|t| *t == 0))
            .filter_map(|u| u.content.as_str())
    }
}

model! {
    /// One update of a ticket, server schema `Update`.
    pub struct TicketUpdate {
        /// `updateId`: GUID.
        update_id: String => "updateId",
        /// `updateUtc`.
        update_utc: String => "updateUtc",
        /// `updateUser`.
        update_user: String => "updateUser",
        /// `content`.
        content: String => "content",
        /// `updateType`: 0 content (a comment), 1 progress, 2 properties, 3 notification.
        update_type: i64 => "updateType",
        /// `attachments`.
        attachments: Vec<TicketAttachment> => "attachments",
    }
}

impl TicketUpdate {
    /// A comment (`content`, `updateType` 0).
    pub fn comment(content: impl Into<String>) -> Self {
        TicketUpdate {
            content: content.into().into(),
            update_type: 0.into(),
            ..Default::default()
        }
    }
}

model! {
    /// An attachment of a ticket update, server schema `Attachment`.
    pub struct TicketAttachment {
        /// `attachmentId`: GUID.
        attachment_id: String => "attachmentId",
        /// `filename`.
        filename: String => "filename",
    }
}

/// Ticket status flags (`status` of a ticket; a combination in a list query).
///
/// ```
/// use wats_core::TicketStatus;
/// let active = TicketStatus::OPEN | TicketStatus::IN_PROGRESS;
/// assert_eq!(active.bits(), 3);
/// assert!(active.contains(TicketStatus::OPEN));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TicketStatus(pub u32);

impl TicketStatus {
    /// 1: open.
    pub const OPEN: TicketStatus = TicketStatus(1);
    /// 2: in progress.
    pub const IN_PROGRESS: TicketStatus = TicketStatus(2);
    /// 4: on hold.
    pub const ON_HOLD: TicketStatus = TicketStatus(4);
    /// 8: solved.
    pub const SOLVED: TicketStatus = TicketStatus(8);
    /// 16: closed.
    pub const CLOSED: TicketStatus = TicketStatus(16);
    /// 32: archived.
    pub const ARCHIVED: TicketStatus = TicketStatus(32);
    /// Every status.
    pub const ALL: TicketStatus = TicketStatus(63);

    /// The flags as the wire integer.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: TicketStatus) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for TicketStatus {
    type Output = TicketStatus;

    fn bitor(self, rhs: TicketStatus) -> TicketStatus {
        TicketStatus(self.0 | rhs.0)
    }
}

impl BitOrAssign for TicketStatus {
    fn bitor_assign(&mut self, rhs: TicketStatus) {
        self.0 |= rhs.0;
    }
}

/// Which tickets a list shows (`view`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TicketView {
    /// 0: assigned to me.
    Assigned,
    /// 1: followed by me.
    Following,
    /// 2: all tickets ("Manage All Tickets" permission).
    All,
}

impl TicketView {
    /// The wire code.
    pub fn code(self) -> u32 {
        match self {
            TicketView::Assigned => 0,
            TicketView::Following => 1,
            TicketView::All => 2,
        }
    }
}

/// A ticket's `priority`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TicketPriority {
    /// 0.
    Low,
    /// 1.
    Medium,
    /// 2.
    High,
}

impl TicketPriority {
    /// The wire code.
    pub fn code(self) -> i64 {
        match self {
            TicketPriority::Low => 0,
            TicketPriority::Medium => 1,
            TicketPriority::High => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_round_trips_losslessly() {
        let text = r#"{"ticketId":"8d1c2f3e-0000-4000-8000-000000000001","ticketNumber":12,
            "subject":"ICT false fails","status":2,"priority":1,"assignee":null,
            "reportUuid":"3f1c6c8e-5f0a-4c1e-9a53-2b1d7f8e9a10",
            "createdUtc":"2026-01-30T22:01:41.4707353Z","tags":[{"key":"line","value":"L1"}],
            "history":[{"updateId":"u1","content":"first","updateType":0,
              "attachments":[{"attachmentId":"a1","filename":"scope.png"}]},
              {"updateId":"u2","content":"status","updateType":2}],
            "update":null,"newThing":{"x":1}}"#;
        let t: Ticket = crate::json::from_str(text).unwrap();
        assert_eq!(t.ticket_status(), Some(TicketStatus::IN_PROGRESS));
        assert_eq!(t.comments().collect::<Vec<_>>(), ["first"]);
        assert!(t.update.is_null() && t.assignee.is_null());
        let back = crate::json::to_vec(&t).unwrap();
        let a: serde_json::Value = serde_json::from_str(text).unwrap();
        let b: serde_json::Value = serde_json::from_slice(&back).unwrap();
        assert_eq!(a, b);
        let mut s = TicketStatus::SOLVED;
        s |= TicketStatus::CLOSED;
        assert_eq!(s.bits(), 24);
        assert!(!s.contains(TicketStatus::OPEN));
        assert_eq!(TicketView::All.code(), 2);
        assert_eq!(TicketPriority::High.code(), 2);
    }
}
