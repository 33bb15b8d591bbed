//! What a submission and a flush report back.

use wats_core::Error;

/// What [`Reports::submit_or_spool`](crate::Reports::submit_or_spool) did with a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubmitOutcome {
    /// The server stored the report under this id.
    Submitted(String),
    /// The server could not be reached (or failed); the report is durably in the spool under
    /// this id and will be delivered by a flush.
    Spooled(String),
}

impl SubmitOutcome {
    /// The report id.
    pub fn id(&self) -> &str {
        match self {
            SubmitOutcome::Submitted(id) | SubmitOutcome::Spooled(id) => id,
        }
    }

    /// The report id, owned.
    pub fn into_id(self) -> String {
        match self {
            SubmitOutcome::Submitted(id) | SubmitOutcome::Spooled(id) => id,
        }
    }

    /// Whether the report went to the spool.
    pub fn is_spooled(&self) -> bool {
        matches!(self, SubmitOutcome::Spooled(_))
    }
}

/// What one flush did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct FlushSummary {
    /// Ids delivered to the server (and removed from the spool), in order.
    pub delivered: Vec<String>,
    /// Ids the server rejected with a 4xx, now in `rejected/` with the server's message.
    pub rejected: Vec<String>,
    /// Ids of unparsable files, now in `quarantine/`.
    pub quarantined: Vec<String>,
    /// Reports still waiting after the flush.
    pub remaining: usize,
    /// The failure that stopped the flush early (server unreachable, 5xx, open circuit, a
    /// set-up error such as 401, or a local I/O error); `None` when every report was handled.
    pub stopped_by: Option<Error>,
}

impl FlushSummary {
    /// Whether the spool was emptied: nothing remains and nothing stopped the flush.
    pub fn is_complete(&self) -> bool {
        self.remaining == 0 && self.stopped_by.is_none()
    }
}
