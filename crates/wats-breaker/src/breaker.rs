//! The state machine: [`CircuitBreaker`], [`Permit`], [`OwnedPermit`].
//!
//! # Layout
//! The whole state lives in one `AtomicU64` word: kind (2 bits), probes in
//! flight (16 bits), probe successes (16 bits) and a generation (30 bits)
//! that changes on every transition. A permit remembers the generation it
//! was issued in, so a result that arrives after the breaker moved on is
//! ignored. Admission in CLOSED is one load; admission in HALF_OPEN is a CAS
//! on the word that cannot raise the in-flight count past the cap. Kind
//! changes (trip, OPEN → HALF_OPEN, close, reset, force open) are rare and
//! take a mutex (never on the CLOSED path), which keeps the open deadline
//! and the word consistent.

use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::clock::nanos;
use crate::config::{Builder, Settings};
use crate::stripes::{Counter, Counters, slot};
use crate::window::Window;
use crate::{RejectReason, Rejected};

const KIND_MASK: u64 = 0b11;
const CLOSED: u64 = 0;
const OPEN: u64 = 1;
const HALF_OPEN: u64 = 2;
const INFLIGHT_SHIFT: u32 = 2;
const SUCCESS_SHIFT: u32 = 18;
const COUNT_MASK: u64 = 0xFFFF;
const GEN_SHIFT: u32 = 34;
const GEN_MASK: u32 = (1 << 30) - 1;
/// `open_until` value of a forced-open breaker.
const FORCED: u64 = u64::MAX;

fn kind(w: u64) -> u64 {
    w & KIND_MASK
}
fn inflight(w: u64) -> u64 {
    (w >> INFLIGHT_SHIFT) & COUNT_MASK
}
fn successes(w: u64) -> u64 {
    (w >> SUCCESS_SHIFT) & COUNT_MASK
}
#[allow(clippy::cast_possible_truncation)]
fn generation(w: u64) -> u32 {
    (w >> GEN_SHIFT) as u32
}
fn pack(kind: u64, generation: u32, inflight: u64, successes: u64) -> u64 {
    (u64::from(generation & GEN_MASK) << GEN_SHIFT)
        | (successes << SUCCESS_SHIFT)
        | (inflight << INFLIGHT_SHIFT)
        | kind
}
/// The word of the next generation, of kind `to`, with no probe counts.
fn next(w: u64, to: u64) -> u64 {
    pack(to, generation(w).wrapping_add(1) & GEN_MASK, 0, 0)
}
fn state_of(w: u64) -> State {
    match kind(w) {
        CLOSED => State::Closed,
        OPEN => State::Open,
        _ => State::HalfOpen,
    }
}

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Calls flow; failures are counted.
    Closed,
    /// Calls are rejected at once until the open duration has passed (or
    /// until [`CircuitBreaker::reset`] when forced open).
    Open,
    /// A limited number of probe calls decide whether to close or re-open.
    HalfOpen,
}

/// What a call's result means to the breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The call worked: resets the consecutive-failure count; a probe
    /// success counts towards closing.
    Success,
    /// The call failed: counts towards tripping; a probe failure re-opens.
    Failure,
    /// Neither (e.g. the caller's own mistake): changes nothing, frees a
    /// probe slot.
    Ignored,
}

/// A state change, handed to the hook and to `tracing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateChange {
    /// The state before.
    pub from: State,
    /// The state after.
    pub to: State,
    /// For a change to OPEN: how long it stays open (`Duration::MAX` when
    /// forced). Zero otherwise.
    pub open_for: Duration,
}

/// A snapshot of the breaker's counters, see [`CircuitBreaker::metrics`].
///
/// Counters are striped per thread and summed on read, so a snapshot taken
/// while calls are running may be a few calls behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// The current state.
    pub state: State,
    /// Admitted calls that finished: successes + failures + ignored + dropped.
    pub calls: u64,
    /// Calls recorded as [`Outcome::Success`].
    pub successes: u64,
    /// Calls recorded as [`Outcome::Failure`].
    pub failures: u64,
    /// Calls recorded as [`Outcome::Ignored`].
    pub ignored: u64,
    /// Permits dropped without a result (e.g. a cancelled future).
    pub dropped: u64,
    /// Calls the breaker rejected.
    pub rejections: u64,
    /// How many times the breaker opened (tripped or forced).
    pub opened: u64,
}

/// One admitted call: its generation and whether it is a probe.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket(u32);

impl Ticket {
    /// The generation (30 bits) above a probe flag in bit 0.
    #[inline]
    fn new(generation: u32, probe: bool) -> Self {
        Self((generation << 1) | u32::from(probe))
    }
    #[inline]
    fn generation(self) -> u32 {
        self.0 >> 1
    }
    #[inline]
    fn probe(self) -> bool {
        self.0 & 1 == 1
    }
}

/// Slow-path state, guarded by the transition mutex.
struct Slow {
    /// Trips since the breaker last closed (for the growing open duration).
    trips_in_row: u32,
}

#[repr(align(128))]
struct Padded<T>(T);

struct Inner {
    /// The state word (read by every call; written only on changes).
    word: Padded<AtomicU64>,
    /// Consecutive failures in the current CLOSED generation (written only
    /// on failures, and on a success when it is not zero).
    consecutive: Padded<AtomicU32>,
    /// When the current OPEN period ends (clock nanoseconds), or `FORCED`.
    open_until: AtomicU64,
    opened: AtomicU64,
    slow: Mutex<Slow>,
    counters: Counters,
    window: Option<Window>,
    settings: Settings,
}

/// A circuit breaker. Cheap to clone: clones share one state.
///
/// ```
/// use std::time::Duration;
/// use wats_breaker::{CircuitBreaker, ManualClock, Outcome, State};
///
/// let clock = ManualClock::new();
/// let breaker = CircuitBreaker::builder()
///     .consecutive_failures(2)
///     .open_duration(Duration::from_secs(10))
///     .clock(clock.clone())
///     .build()
///     .unwrap();
/// for _ in 0..2 {
///     breaker.try_acquire().unwrap().record(Outcome::Failure);
/// }
/// assert_eq!(breaker.state(), State::Open);
/// let rejected = breaker.try_acquire().unwrap_err();
/// assert_eq!(rejected.retry_after(), Duration::from_secs(10));
///
/// clock.advance(Duration::from_secs(10));
/// let probe = breaker.try_acquire().unwrap();
/// assert!(probe.is_probe());
/// probe.record(Outcome::Success);
/// assert_eq!(breaker.state(), State::Closed);
/// ```
#[derive(Clone)]
pub struct CircuitBreaker {
    inner: Arc<Inner>,
}

impl fmt::Debug for CircuitBreaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreaker")
            .field("name", &self.inner.settings.name)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl Default for CircuitBreaker {
    /// A breaker with the default settings (see [`Builder`]).
    fn default() -> Self {
        Self::from_settings(Builder::new().into_settings())
    }
}

impl CircuitBreaker {
    /// A builder with the defaults.
    pub fn builder() -> Builder {
        Builder::new()
    }

    pub(crate) fn from_settings(settings: Settings) -> Self {
        let window = settings
            .failure_rate
            .map(|r| Window::new(r.threshold, r.window, r.min_calls));
        Self {
            inner: Arc::new(Inner {
                word: Padded(AtomicU64::new(pack(CLOSED, 0, 0, 0))),
                consecutive: Padded(AtomicU32::new(0)),
                open_until: AtomicU64::new(0),
                opened: AtomicU64::new(0),
                slow: Mutex::new(Slow { trips_in_row: 0 }),
                counters: Counters::new(),
                window,
                settings,
            }),
        }
    }

    /// The breaker's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.inner.settings.name
    }

    /// Asks to make one call. Returns a [`Permit`] to report the call's
    /// outcome with, or a [`Rejected`] saying how long until the breaker may
    /// admit calls again. In CLOSED this is a single atomic load.
    ///
    /// # Errors
    /// [`Rejected`] when OPEN, or HALF_OPEN with every probe slot taken.
    #[inline]
    pub fn try_acquire(&self) -> Result<Permit<'_>, Rejected> {
        let ticket = self.inner.acquire()?;
        Ok(Permit {
            inner: &self.inner,
            ticket,
            done: false,
        })
    }

    /// Like [`try_acquire`](Self::try_acquire), but the permit owns a handle
    /// on the breaker (for futures that must be `'static`).
    ///
    /// # Errors
    /// As [`try_acquire`](Self::try_acquire).
    #[inline]
    pub fn try_acquire_owned(&self) -> Result<OwnedPermit, Rejected> {
        let ticket = self.inner.acquire()?;
        Ok(OwnedPermit {
            inner: Arc::clone(&self.inner),
            ticket,
            done: false,
        })
    }

    /// Admission without a permit object (for the tower adapter).
    #[inline]
    pub(crate) fn acquire_ticket(&self) -> Result<Ticket, Rejected> {
        self.inner.acquire()
    }

    /// Completion of a [`acquire_ticket`](Self::acquire_ticket) admission.
    #[inline]
    pub(crate) fn complete_ticket(&self, ticket: Ticket, outcome: Option<Outcome>) {
        self.inner.complete(ticket, outcome);
    }

    /// The current state. OPEN is reported until a call moves the breaker
    /// to HALF_OPEN (transitions happen on calls, there is no timer).
    #[must_use]
    pub fn state(&self) -> State {
        state_of(self.inner.word.0.load(Ordering::Acquire))
    }

    /// A snapshot of the counters and the state.
    #[must_use]
    pub fn metrics(&self) -> Metrics {
        let c = &self.inner.counters;
        let successes = c.sum(Counter::Successes);
        let failures = c.sum(Counter::Failures);
        let ignored = c.sum(Counter::Ignored);
        let dropped = c.sum(Counter::Dropped);
        Metrics {
            state: self.state(),
            calls: successes + failures + ignored + dropped,
            successes,
            failures,
            ignored,
            dropped,
            rejections: c.sum(Counter::Rejections),
            opened: self.inner.opened.load(Ordering::Relaxed),
        }
    }

    /// Closes the breaker now and forgets its failure history. Permits
    /// issued before are ignored when they report.
    pub fn reset(&self) {
        let inner = &*self.inner;
        let mut slow = inner.lock();
        slow.trips_in_row = 0;
        inner.consecutive.0.store(0, Ordering::Relaxed);
        if let Some(w) = &inner.window {
            w.reset();
        }
        let prev = inner.word.0.load(Ordering::Acquire);
        inner.word.0.store(next(prev, CLOSED), Ordering::Release);
        drop(slow);
        if kind(prev) != CLOSED {
            inner.emit(state_of(prev), State::Closed, Duration::ZERO);
        }
    }

    /// Opens the breaker until [`reset`](Self::reset): every call is
    /// rejected with [`RejectReason::ForcedOpen`].
    pub fn force_open(&self) {
        let inner = &*self.inner;
        let slow = inner.lock();
        inner.open_until.store(FORCED, Ordering::Relaxed);
        let prev = inner.word.0.load(Ordering::Acquire);
        inner.word.0.store(next(prev, OPEN), Ordering::Release);
        inner.opened.fetch_add(1, Ordering::Relaxed);
        drop(slow);
        inner.emit(state_of(prev), State::Open, Duration::MAX);
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Slow> {
        self.slow.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[inline]
    fn acquire(&self) -> Result<Ticket, Rejected> {
        let w = self.word.0.load(Ordering::Acquire);
        if kind(w) == CLOSED {
            return Ok(Ticket::new(generation(w), false));
        }
        self.acquire_slow(w)
    }

    #[cold]
    fn acquire_slow(&self, mut w: u64) -> Result<Ticket, Rejected> {
        loop {
            match kind(w) {
                CLOSED => {
                    return Ok(Ticket::new(generation(w), false));
                }
                HALF_OPEN => {
                    if inflight(w) >= u64::from(self.settings.permitted_probes) {
                        return Err(self.reject(
                            RejectReason::HalfOpenBusy,
                            half_open_retry_after(self.settings.open_duration),
                        ));
                    }
                    let taken = w + (1 << INFLIGHT_SHIFT);
                    match self.word.0.compare_exchange_weak(
                        w,
                        taken,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => {
                            return Ok(Ticket::new(generation(w), true));
                        }
                        Err(actual) => w = actual,
                    }
                }
                _ => {
                    // OPEN. The deadline was stored before the word was
                    // published (Release), and we loaded the word with Acquire.
                    let until = self.open_until.load(Ordering::Relaxed);
                    if until == FORCED {
                        return Err(self.reject(RejectReason::ForcedOpen, Duration::MAX));
                    }
                    let now = nanos(self.settings.clock.now());
                    if now < until {
                        return Err(
                            self.reject(RejectReason::Open, Duration::from_nanos(until - now))
                        );
                    }
                    // Time is up: the first caller in moves to HALF_OPEN and
                    // holds the first probe slot.
                    let slow = self.lock();
                    let cur = self.word.0.load(Ordering::Acquire);
                    if cur == w {
                        let half = pack(HALF_OPEN, generation(next(w, HALF_OPEN)), 1, 0);
                        self.word.0.store(half, Ordering::Release);
                        drop(slow);
                        self.emit(State::Open, State::HalfOpen, Duration::ZERO);
                        return Ok(Ticket::new(generation(half), true));
                    }
                    drop(slow);
                    w = cur;
                }
            }
        }
    }

    #[cold]
    fn reject(&self, reason: RejectReason, retry_after: Duration) -> Rejected {
        self.counters.bump(slot(), Counter::Rejections);
        let r = Rejected {
            retry_after,
            reason,
        };
        if let Some(hook) = &self.settings.on_rejection {
            hook(&r);
        }
        r
    }

    /// Records the end of an admitted call (`None`: dropped without result).
    ///
    /// The common case (a CLOSED success, no failure-rate window, no
    /// failures to forget) is inlined: one thread-local read and one plain
    /// store to this thread's own counter stripe.
    #[inline(always)]
    fn complete(&self, t: Ticket, outcome: Option<Outcome>) {
        if t.probe() || self.window.is_some() || outcome != Some(Outcome::Success) {
            self.complete_slow(t, outcome);
            return;
        }
        self.counters.bump(slot(), Counter::Successes);
        // Write only when there is something to reset: no shared write on
        // the success path while nothing fails.
        if self.consecutive.0.load(Ordering::Relaxed) != 0 {
            self.clear_consecutive(t);
        }
    }

    #[cold]
    fn clear_consecutive(&self, t: Ticket) {
        if generation(self.word.0.load(Ordering::Acquire)) == t.generation() {
            self.consecutive.0.store(0, Ordering::Relaxed);
        }
    }

    #[inline(never)]
    fn complete_slow(&self, t: Ticket, outcome: Option<Outcome>) {
        let s = slot();
        self.counters.bump(
            s,
            match outcome {
                Some(Outcome::Success) => Counter::Successes,
                Some(Outcome::Failure) => Counter::Failures,
                Some(Outcome::Ignored) => Counter::Ignored,
                None => Counter::Dropped,
            },
        );
        if t.probe() {
            self.complete_probe(t, outcome);
            return;
        }
        match outcome {
            Some(Outcome::Success) => {
                if let Some(win) = &self.window {
                    win.record(s, false);
                }
                if self.consecutive.0.load(Ordering::Relaxed) != 0 {
                    self.clear_consecutive(t);
                }
            }
            Some(Outcome::Failure) => self.closed_failure(s, t),
            Some(Outcome::Ignored) | None => {}
        }
    }

    #[cold]
    fn closed_failure(&self, s: usize, t: Ticket) {
        let w = self.word.0.load(Ordering::Acquire);
        if generation(w) != t.generation() || kind(w) != CLOSED {
            return; // late result from an earlier cycle
        }
        let n = self.consecutive.0.fetch_add(1, Ordering::AcqRel) + 1;
        let by_rate = self.window.as_ref().is_some_and(|win| win.record(s, true));
        if n >= self.settings.consecutive_failures || by_rate {
            self.trip(t.generation(), CLOSED);
        }
    }

    #[cold]
    fn complete_probe(&self, t: Ticket, outcome: Option<Outcome>) {
        let mut w = self.word.0.load(Ordering::Acquire);
        loop {
            if generation(w) != t.generation() || kind(w) != HALF_OPEN {
                return; // this probe's cycle is over
            }
            let new = match outcome {
                Some(Outcome::Failure) => {
                    self.trip(t.generation(), HALF_OPEN);
                    return;
                }
                Some(Outcome::Success)
                    if successes(w) + 1 >= u64::from(self.settings.probe_successes) =>
                {
                    self.close(t.generation());
                    return;
                }
                Some(Outcome::Success) => w - (1 << INFLIGHT_SHIFT) + (1 << SUCCESS_SHIFT),
                Some(Outcome::Ignored) | None => w - (1 << INFLIGHT_SHIFT),
            };
            match self
                .word
                .0
                .compare_exchange_weak(w, new, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return,
                Err(actual) => w = actual,
            }
        }
    }

    /// Moves from `from_kind` in generation `from_gen` to OPEN, unless the
    /// breaker has moved on already.
    fn trip(&self, from_gen: u32, from_kind: u64) {
        let mut slow = self.lock();
        let open_for = self.settings.open_for(slow.trips_in_row);
        let until = nanos(self.settings.clock.now()).saturating_add(nanos(open_for));
        let mut w = self.word.0.load(Ordering::Acquire);
        loop {
            if generation(w) != from_gen || kind(w) != from_kind {
                return;
            }
            // Nobody else writes the deadline: we hold the lock.
            self.open_until
                .store(until.min(FORCED - 1), Ordering::Relaxed);
            match self.word.0.compare_exchange_weak(
                w,
                next(w, OPEN),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => w = actual,
            }
        }
        slow.trips_in_row = slow.trips_in_row.saturating_add(1);
        self.consecutive.0.store(0, Ordering::Relaxed);
        self.opened.fetch_add(1, Ordering::Relaxed);
        drop(slow);
        self.emit(state_of(w), State::Open, open_for);
    }

    /// HALF_OPEN generation `from_gen` → CLOSED.
    fn close(&self, from_gen: u32) {
        let mut slow = self.lock();
        let mut w = self.word.0.load(Ordering::Acquire);
        loop {
            if generation(w) != from_gen || kind(w) != HALF_OPEN {
                return;
            }
            self.consecutive.0.store(0, Ordering::Relaxed);
            match self.word.0.compare_exchange_weak(
                w,
                next(w, CLOSED),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => w = actual,
            }
        }
        slow.trips_in_row = 0;
        if let Some(win) = &self.window {
            win.reset();
        }
        drop(slow);
        self.emit(State::HalfOpen, State::Closed, Duration::ZERO);
    }

    #[cold]
    fn emit(&self, from: State, to: State, open_for: Duration) {
        let change = StateChange { from, to, open_for };
        let open_for_ms = u64::try_from(open_for.as_millis()).unwrap_or(u64::MAX);
        // Opening is worth a warning; recovering is news.
        if to == State::Open {
            tracing::warn!(
                target: "wats_breaker",
                breaker = %self.settings.name,
                from = ?from,
                to = ?to,
                open_for_ms,
                "circuit breaker state changed"
            );
        } else {
            tracing::info!(
                target: "wats_breaker",
                breaker = %self.settings.name,
                from = ?from,
                to = ?to,
                open_for_ms,
                "circuit breaker state changed"
            );
        }
        if let Some(hook) = &self.settings.on_state_change {
            hook(&change);
        }
    }
}

/// The right to make one call, from [`CircuitBreaker::try_acquire`].
///
/// Report the call's result with [`record`](Self::record). Dropping a permit
/// without a result (e.g. the call's future was cancelled) changes no state
/// and frees its probe slot, if it held one.
#[must_use = "record the call's outcome with `Permit::record`"]
pub struct Permit<'a> {
    inner: &'a Inner,
    ticket: Ticket,
    done: bool,
}

impl Permit<'_> {
    /// Reports the call's outcome.
    #[inline]
    pub fn record(mut self, outcome: Outcome) {
        self.done = true;
        self.inner.complete(self.ticket, Some(outcome));
    }

    /// Whether this permit is a HALF_OPEN probe.
    #[must_use]
    pub fn is_probe(&self) -> bool {
        self.ticket.probe()
    }
}

impl Drop for Permit<'_> {
    #[inline]
    fn drop(&mut self) {
        if !self.done {
            self.inner.complete(self.ticket, None);
        }
    }
}

impl fmt::Debug for Permit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit")
            .field("probe", &self.ticket.probe())
            .field("generation", &self.ticket.generation())
            .finish()
    }
}

/// A [`Permit`] that owns a handle on its breaker, from
/// [`CircuitBreaker::try_acquire_owned`]. Same rules.
#[must_use = "record the call's outcome with `OwnedPermit::record`"]
pub struct OwnedPermit {
    inner: Arc<Inner>,
    ticket: Ticket,
    done: bool,
}

impl OwnedPermit {
    /// Reports the call's outcome.
    #[inline]
    pub fn record(mut self, outcome: Outcome) {
        self.done = true;
        self.inner.complete(self.ticket, Some(outcome));
    }

    /// Whether this permit is a HALF_OPEN probe.
    #[must_use]
    pub fn is_probe(&self) -> bool {
        self.ticket.probe()
    }
}

impl Drop for OwnedPermit {
    #[inline]
    fn drop(&mut self) {
        if !self.done {
            self.inner.complete(self.ticket, None);
        }
    }
}

impl fmt::Debug for OwnedPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit")
            .field("probe", &self.ticket.probe())
            .field("generation", &self.ticket.generation())
            .finish()
    }
}

/// The `retry_after` of a [`RejectReason::HalfOpenBusy`] rejection: the probes under way
/// decide within about one call, so the base open duration, at most one second (never zero,
/// which told callers to retry at once and spin).
pub(crate) fn half_open_retry_after(open_duration: Duration) -> Duration {
    open_duration.min(HALF_OPEN_RETRY_AFTER_MAX)
}

/// The upper bound of [`half_open_retry_after`].
pub(crate) const HALF_OPEN_RETRY_AFTER_MAX: Duration = Duration::from_secs(1);
