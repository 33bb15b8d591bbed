//! The cached unit-phase list of `client.production().internal()`: [`UnitPhaseCache`], read
//! by `ProductionInternal::unit_phases` and `set_phase_by_name`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use wats_core::UnitPhase;

/// A cached list and when it was fetched.
type Cached = (Instant, Arc<Vec<UnitPhase>>);

/// A cache of the server's unit phases with a time to live, shared by clones (keep one per
/// application and pass it to [`ProductionInternal::unit_phases`](crate::ProductionInternal::unit_phases)). The clock is tokio's,
/// so a test with a paused runtime controls it.
#[derive(Debug, Clone)]
pub struct UnitPhaseCache {
    ttl: Duration,
    slot: Arc<Mutex<Option<Cached>>>,
}

impl UnitPhaseCache {
    /// An empty cache whose lists stay fresh for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        UnitPhaseCache {
            ttl,
            slot: Arc::new(Mutex::new(None)),
        }
    }

    /// Forget the cached list: the next [`ProductionInternal::unit_phases`](crate::ProductionInternal::unit_phases) asks the server.
    pub fn refresh(&self) {
        *self.slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The cached list while it is fresh.
    pub fn cached(&self) -> Option<Arc<Vec<UnitPhase>>> {
        let slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        slot.as_ref()
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, list)| Arc::clone(list))
    }

    pub(crate) fn store(&self, list: Vec<UnitPhase>) -> Arc<Vec<UnitPhase>> {
        let list = Arc::new(list);
        *self.slot.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Instant::now(), Arc::clone(&list)));
        list
    }

    /// The cached phase with this id (`UnitPhaseId`), while the list is fresh.
    pub fn phase_by_id(&self, id: i64) -> Option<UnitPhase> {
        self.cached()?
            .iter()
            .find(|p| p.unit_phase_id.value() == Some(&id))
            .cloned()
    }

    /// The cached phase whose `Name` or `Code` is `name` (ASCII case ignored), while the
    /// list is fresh. (pyWATS `get_phase_by_name`, `get_phase_id`.)
    pub fn phase_by_name(&self, name: &str) -> Option<UnitPhase> {
        let name = name.trim();
        self.cached()?
            .iter()
            .find(|p| {
                [p.name.as_str(), p.code.as_str()]
                    .into_iter()
                    .flatten()
                    .any(|n| n.trim().eq_ignore_ascii_case(name))
            })
            .cloned()
    }
}
