//! The runtime pool behind the blocking client.
//!
//! Two modes (see [`RuntimeMode`]):
//!
//! - **Thread-local** (default): each OS thread that makes calls gets its own `current_thread`
//!   tokio runtime and its own connection pool for each client. The calling thread *is* the
//!   executor while the call runs: there is no hand-off to another thread on the hot path. The
//!   slot (runtime + pool) is owned by the client and reached through a thread-local weak
//!   reference, so dropping the last clone of the client shuts every slot down (and closes its
//!   sockets), and a thread that exits releases its own slot.
//! - **Shared**: one background thread per client runs a `current_thread` runtime; calls are
//!   spawned onto it and the caller waits on a channel (the `reqwest::blocking` design). One pool
//!   for all threads, at the price of two cross-thread hand-offs per call.
//!
//! A call made where a tokio runtime is current (a `#[tokio::main]` body, a task,
//! `spawn_blocking`) cannot start or drive a runtime of its own there. It runs on a background
//! runtime instead: the shared one in shared mode, else one started lazily for the client on
//! first such call. The caller's thread waits on a plain channel, which tokio does not police,
//! so nothing panics. Runtimes dropped while a runtime is current are shut down in the
//! background instead of waiting (tokio panics on a blocking drop there), and the shared
//! runtime thread is then detached instead of joined.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::thread::{JoinHandle, ThreadId};

use wats_core::{CorrelationExt, CorrelationId, Error, Result};

/// How a blocking client runs its calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeMode {
    /// One `current_thread` runtime and one connection pool per calling thread (the default).
    ///
    /// Lowest latency: the caller's thread drives the I/O itself. Choose it when a moderate
    /// number of long-lived threads make the calls (test stations, scripts, worker pools).
    #[default]
    ThreadLocal,
    /// One background runtime thread per client, shared by all calling threads.
    ///
    /// One connection pool for the whole program. Choose it when many short-lived threads
    /// each make a few calls: they then reuse warm connections instead of opening their own.
    Shared,
}

/// Builds the per-thread (or shared) inner value, usually an async client with a fresh pool.
pub(crate) type MakeFn<C> = Box<dyn Fn() -> C + Send + Sync>;

/// Runs futures to completion for blocking callers.
pub(crate) struct Executor<C: Clone + Send + Sync + 'static> {
    inner: Arc<ExecInner<C>>,
}

impl<C: Clone + Send + Sync + 'static> Clone for Executor<C> {
    fn clone(&self) -> Self {
        Executor {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct ExecInner<C: Clone + Send + Sync + 'static> {
    id: u64,
    make: MakeFn<C>,
    max_blocking_threads: usize,
    mode: Mode<C>,
    /// Thread-local mode: the background runtime for calls made where a tokio runtime is
    /// current, started on the first such call.
    background: OnceLock<SharedRuntime<C>>,
}

enum Mode<C: Clone + Send + Sync + 'static> {
    ThreadLocal {
        slots: Mutex<HashMap<ThreadId, Arc<Slot<C>>>>,
    },
    Shared(SharedRuntime<C>),
}

/// One thread's runtime and pool. Field order matters: the pool is dropped before the runtime,
/// and dropping the runtime drops the connection tasks, which closes their sockets.
struct Slot<C> {
    client: C,
    rt: OwnedRuntime,
}

/// A runtime that may be dropped anywhere: where a tokio runtime is current (the last clone
/// of a client dropped in async code), tokio refuses the blocking drop with a panic, so the
/// runtime is then shut down in the background instead.
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            if runtime_is_current() {
                rt.shutdown_background();
            } else {
                drop(rt);
            }
        }
    }
}

/// True when a tokio runtime is current on this thread (one thread-local read; no
/// allocation, no system call).
fn runtime_is_current() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

struct SharedRuntime<C> {
    client: C,
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl<C> Drop for SharedRuntime<C> {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // The runtime thread only runs our own futures, never user code that could hold
            // the last client, so this join cannot be a self-join. Where a runtime is current
            // the join would block an executor: the thread is detached, it ends by itself
            // once it has seen `stop`.
            if !runtime_is_current() {
                let _ = thread.join();
            }
        }
    }
}

impl<C> SharedRuntime<C> {
    /// Start a `current_thread` runtime on its own thread and build the client inside it.
    fn start(max_blocking_threads: usize, make: &MakeFn<C>) -> Result<Self> {
        let rt = build_runtime(max_blocking_threads)?;
        let handle = rt.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("wats-blocking-rt".to_owned())
            .spawn(move || {
                rt.block_on(async move {
                    let _ = stopped.await;
                });
                // Not inside a runtime here: a plain drop waits for the blocking pool.
                drop(rt);
            })
            .map_err(|source| Error::Io {
                path: "wats-blocking-rt thread".to_owned(),
                source,
            })?;
        let client = {
            // Build the client inside the runtime context in case it needs one.
            let _guard = handle.enter();
            make()
        };
        Ok(SharedRuntime {
            client,
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Spawn the future built by `f` on the runtime thread, carrying the caller's span,
    /// subscriber and correlation id; its result goes to `send`.
    fn spawn<T, F, Fut>(&self, f: F, send: impl FnOnce(Result<T>) + Send + 'static)
    where
        C: Clone,
        F: FnOnce(C) -> Fut,
        Fut: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        let fut = f(self.client.clone());
        // Carry the caller's span and its subscriber (which may be a thread-local
        // default) to the runtime thread, so events emitted there reach it.
        let fut = tracing::Instrument::instrument(fut, tracing::Span::current());
        let fut = tracing::instrument::WithSubscriber::with_current_subscriber(fut);
        let task = async move { send(fut.await) };
        match CorrelationId::current() {
            Some(id) => drop(self.handle.spawn(task.with_correlation_id(id))),
            None => drop(self.handle.spawn(task)),
        }
    }
}

fn runtime_stopped() -> Error {
    Error::Transport {
        message: "the blocking client's runtime thread stopped".to_owned(),
        connect: false,
        source: None,
    }
}

/// Released when a thread that used a client exits.
trait Release: Send + Sync {
    fn release(&self, thread: ThreadId);
}

impl<C: Clone + Send + Sync + 'static> Release for ExecInner<C> {
    fn release(&self, thread: ThreadId) {
        if let Mode::ThreadLocal { slots } = &self.mode {
            let slot = match slots.lock() {
                Ok(mut map) => map.remove(&thread),
                Err(poisoned) => poisoned.into_inner().remove(&thread),
            };
            drop(slot);
        }
    }
}

struct LocalEntry {
    executor_id: u64,
    thread: ThreadId,
    slot: Weak<dyn Any + Send + Sync>,
    owner: Weak<dyn Release>,
}

impl Drop for LocalEntry {
    fn drop(&mut self) {
        if let Some(owner) = self.owner.upgrade() {
            owner.release(self.thread);
        }
    }
}

thread_local! {
    static LOCAL: RefCell<Vec<LocalEntry>> = const { RefCell::new(Vec::new()) };
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn build_runtime(max_blocking_threads: usize) -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(max_blocking_threads.max(1))
        .build()
        .map_err(|source| Error::Io {
            path: "tokio runtime".to_owned(),
            source,
        })
}

impl<C: Clone + Send + Sync + 'static> Executor<C> {
    /// Create an executor; `make` builds one inner client per thread (thread-local mode) or
    /// once (shared mode).
    pub(crate) fn new(
        mode: RuntimeMode,
        max_blocking_threads: usize,
        make: MakeFn<C>,
    ) -> Result<Self> {
        let mode = match mode {
            RuntimeMode::ThreadLocal => Mode::ThreadLocal {
                slots: Mutex::new(HashMap::new()),
            },
            RuntimeMode::Shared => Mode::Shared(SharedRuntime::start(max_blocking_threads, &make)?),
        };
        Ok(Executor {
            inner: Arc::new(ExecInner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                make,
                max_blocking_threads,
                mode,
                background: OnceLock::new(),
            }),
        })
    }

    /// The mode this executor runs in.
    pub(crate) fn mode(&self) -> RuntimeMode {
        match self.inner.mode {
            Mode::ThreadLocal { .. } => RuntimeMode::ThreadLocal,
            Mode::Shared(_) => RuntimeMode::Shared,
        }
    }

    /// Number of threads that currently hold a runtime slot (thread-local mode).
    pub(crate) fn thread_slots(&self) -> usize {
        match &self.inner.mode {
            Mode::ThreadLocal { slots } => slots.lock().map(|m| m.len()).unwrap_or(0),
            Mode::Shared(_) => 0,
        }
    }

    /// Run the future built by `f` to completion and return its output.
    pub(crate) fn run<T, F, Fut>(&self, f: F) -> Result<T>
    where
        F: FnOnce(C) -> Fut,
        Fut: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        if runtime_is_current() {
            return self.run_from_async(f);
        }
        match &self.inner.mode {
            Mode::ThreadLocal { .. } => {
                let slot = self.local_slot()?;
                let fut = f(slot.client.clone());
                match &slot.rt.0 {
                    Some(rt) => rt.block_on(fut),
                    None => Err(runtime_stopped()),
                }
            }
            Mode::Shared(shared) => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                shared.spawn(f, move |out| drop(tx.send(out)));
                // No runtime is current (checked above), so blocking here is allowed.
                rx.blocking_recv()
                    .unwrap_or_else(|_| Err(runtime_stopped()))
            }
        }
    }

    /// A call made where a tokio runtime is current: this thread may not drive a runtime of
    /// its own, so the call runs on a background runtime and this thread waits for it on a
    /// plain channel (tokio's own blocking waits panic there). In a `#[tokio::main]` body or
    /// a `spawn_blocking` closure that blocks no worker; in a task it blocks that task's
    /// worker thread for the call (other workers go on; on a `current_thread` runtime the
    /// other tasks wait).
    #[cold]
    fn run_from_async<T, F, Fut>(&self, f: F) -> Result<T>
    where
        F: FnOnce(C) -> Fut,
        Fut: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        static WARNED: AtomicBool = AtomicBool::new(false);
        let shared = match &self.inner.mode {
            Mode::Shared(shared) => shared,
            Mode::ThreadLocal { .. } => match self.inner.background.get() {
                Some(shared) => shared,
                None => {
                    let started =
                        SharedRuntime::start(self.inner.max_blocking_threads, &self.inner.make)?;
                    // A racing thread may have won: its runtime is kept, ours is dropped.
                    let _ = self.inner.background.set(started);
                    self.inner.background.get().ok_or_else(runtime_stopped)?
                }
            },
        };
        if !WARNED.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "wats_sync::Client called inside a tokio runtime: the call runs on a background \
                 runtime thread and blocks the calling thread until it is done; prefer \
                 wats_http::Client in async code, or tokio::task::spawn_blocking"
            );
        }
        // A std channel: tokio's own blocking receive panics where a runtime is current,
        // and a tokio channel polled by hand would obey the task's cooperative budget.
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        shared.spawn(f, move |out| drop(tx.send(out)));
        rx.recv().unwrap_or_else(|_| Err(runtime_stopped()))
    }

    fn local_slot(&self) -> Result<Arc<Slot<C>>> {
        let id = self.inner.id;
        let found = LOCAL.try_with(|local| {
            let local = local.borrow();
            local
                .iter()
                .find(|e| e.executor_id == id)
                .and_then(|e| e.slot.upgrade())
        });
        match found {
            Ok(Some(any)) => any.downcast::<Slot<C>>().map_err(|_| {
                Error::InvalidConfig("blocking client slot has an unexpected type".to_owned())
            }),
            Ok(None) => self.create_slot(),
            // The thread is being torn down: serve this call from a temporary slot.
            Err(_) => Ok(Arc::new(self.new_slot()?)),
        }
    }

    fn new_slot(&self) -> Result<Slot<C>> {
        let rt = build_runtime(self.inner.max_blocking_threads)?;
        let client = {
            let _guard = rt.enter();
            (self.inner.make)()
        };
        Ok(Slot {
            client,
            rt: OwnedRuntime(Some(rt)),
        })
    }

    fn create_slot(&self) -> Result<Arc<Slot<C>>> {
        let Mode::ThreadLocal { slots } = &self.inner.mode else {
            return Err(Error::InvalidConfig(
                "thread-local slot requested in shared mode".to_owned(),
            ));
        };
        let slot = Arc::new(self.new_slot()?);
        let thread = std::thread::current().id();
        match slots.lock() {
            Ok(mut map) => map.insert(thread, Arc::clone(&slot)),
            Err(poisoned) => poisoned.into_inner().insert(thread, Arc::clone(&slot)),
        };
        let any: Arc<dyn Any + Send + Sync> = slot.clone();
        let owner: Arc<dyn Release> = self.inner.clone();
        let entry = LocalEntry {
            executor_id: self.inner.id,
            thread,
            slot: Arc::downgrade(&any),
            owner: Arc::downgrade(&owner),
        };
        let _ = LOCAL.try_with(|local| {
            let mut local = local.borrow_mut();
            // Forget entries of clients that are gone.
            local.retain(|e| e.owner.strong_count() > 0);
            local.push(entry);
        });
        Ok(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A stand-in for the async client: counts how many were made and dropped.
    #[derive(Clone)]
    struct Probe {
        made: Arc<AtomicUsize>,
        _alive: Arc<DropCount>,
    }

    struct DropCount(Arc<AtomicUsize>);

    impl Drop for DropCount {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn executor(mode: RuntimeMode) -> (Executor<Probe>, Arc<AtomicUsize>, Arc<AtomicUsize>) {
        let made = Arc::new(AtomicUsize::new(0));
        let dropped = Arc::new(AtomicUsize::new(0));
        let (m, d) = (made.clone(), dropped.clone());
        let exec = Executor::new(
            mode,
            2,
            Box::new(move || {
                m.fetch_add(1, Ordering::SeqCst);
                Probe {
                    made: m.clone(),
                    _alive: Arc::new(DropCount(d.clone())),
                }
            }),
        )
        .unwrap();
        (exec, made, dropped)
    }

    fn call(exec: &Executor<Probe>) -> Result<usize> {
        exec.run(|p| async move {
            tokio::time::sleep(std::time::Duration::from_millis(0)).await;
            Ok(p.made.load(Ordering::SeqCst))
        })
    }

    #[test]
    fn one_slot_per_thread_reused_across_calls() {
        let (exec, made, _) = executor(RuntimeMode::ThreadLocal);
        for _ in 0..100 {
            call(&exec).unwrap();
        }
        assert_eq!(made.load(Ordering::SeqCst), 1);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10 {
                        call(&exec).unwrap();
                    }
                });
            }
        });
        assert_eq!(made.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn exited_threads_release_their_slot_and_last_drop_releases_all() {
        let (exec, _, dropped) = executor(RuntimeMode::ThreadLocal);
        call(&exec).unwrap();
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let exec = exec.clone();
                std::thread::spawn(move || call(&exec).unwrap())
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        // The 8 worker threads exited: their slots are gone, the main thread's remains.
        assert_eq!(exec.thread_slots(), 1);
        assert_eq!(dropped.load(Ordering::SeqCst), 8);
        drop(exec);
        assert_eq!(dropped.load(Ordering::SeqCst), 9);
    }

    #[test]
    fn two_clients_on_one_thread_have_separate_slots() {
        let (a, made_a, _) = executor(RuntimeMode::ThreadLocal);
        let (b, made_b, _) = executor(RuntimeMode::ThreadLocal);
        for _ in 0..3 {
            call(&a).unwrap();
            call(&b).unwrap();
        }
        assert_eq!(made_a.load(Ordering::SeqCst), 1);
        assert_eq!(made_b.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn shared_mode_makes_one_client_for_all_threads() {
        let (exec, made, dropped) = executor(RuntimeMode::Shared);
        assert_eq!(exec.mode(), RuntimeMode::Shared);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10 {
                        call(&exec).unwrap();
                    }
                });
            }
        });
        assert_eq!(made.load(Ordering::SeqCst), 1);
        drop(exec);
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn correlation_id_reaches_the_future_in_both_modes() {
        for mode in [RuntimeMode::ThreadLocal, RuntimeMode::Shared] {
            let (exec, _, _) = executor(mode);
            let seen = wats_core::with_correlation_id("corr-1", || {
                exec.run(|_| async { Ok(CorrelationId::current()) })
            })
            .unwrap();
            assert_eq!(seen.unwrap().as_str(), "corr-1", "{mode:?}");
        }
    }

    #[test]
    fn inside_a_runtime_calls_run_on_one_background_runtime() {
        for mode in [RuntimeMode::ThreadLocal, RuntimeMode::Shared] {
            let (exec, made, _) = executor(mode);
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            // A `#[tokio::main]` body, a task, `spawn_blocking`, a `current_thread` body.
            assert!(rt.block_on(async { call(&exec) }).is_ok(), "{mode:?}");
            let e2 = exec.clone();
            assert!(
                rt.block_on(rt.spawn(async move { call(&e2) }))
                    .unwrap()
                    .is_ok()
            );
            let e3 = exec.clone();
            assert!(
                rt.block_on(rt.spawn_blocking(move || call(&e3)))
                    .unwrap()
                    .is_ok()
            );
            let current = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            assert!(current.block_on(async { call(&exec) }).is_ok());
            // One inner client for all of them: the background (or shared) runtime's.
            assert_eq!(made.load(Ordering::SeqCst), 1, "{mode:?}");
            assert_eq!(exec.thread_slots(), 0, "{mode:?}");
        }
    }

    #[test]
    fn the_last_drop_inside_a_runtime_does_not_panic() {
        // Issue 15: a client used on a plain thread and dropped in async code panicked with
        // "Cannot drop a runtime in a context where blocking is not allowed".
        for mode in [RuntimeMode::ThreadLocal, RuntimeMode::Shared] {
            let (exec, _, dropped) = executor(mode);
            let exec = std::thread::spawn(move || {
                call(&exec).unwrap();
                exec
            })
            .join()
            .unwrap();
            call(&exec).unwrap();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                call(&exec).unwrap();
                drop(exec);
            });
            // Thread-local: the spawned thread's slot went with it, then this thread's slot
            // and the background runtime's client; shared: the one client.
            let want = if mode == RuntimeMode::Shared { 1 } else { 3 };
            assert_eq!(dropped.load(Ordering::SeqCst), want, "{mode:?}");
        }
    }
}
