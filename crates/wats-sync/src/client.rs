//! The blocking [`Client`], its builder and the domain handles.

use std::fmt;
use std::time::Duration;

use std::future::Future;

use wats_core::Result;

use crate::runtime::{Executor, RuntimeMode};

/// Default cap on each per-thread runtime's blocking thread pool (used only for DNS lookups).
pub const DEFAULT_MAX_BLOCKING_THREADS: usize = 2;

/// The blocking WATS client: every call of the async [`wats_http::Client`], returning values
/// instead of futures.
///
/// `Clone + Send + Sync`; clones share settings and, in [`RuntimeMode::Shared`], the pool. In
/// the default [`RuntimeMode::ThreadLocal`] each calling thread drives its own `current_thread`
/// runtime and connection pool, so a call costs no cross-thread hand-off and a script that
/// makes 100 calls opens one connection, not 100.
///
/// Calling it where an async runtime is current (a `#[tokio::main]` body, a spawned task) works:
/// the call runs on a background runtime thread while this thread waits (a warning is logged
/// once); in async code the async client is still the better tool.
#[derive(Clone)]
pub struct Client {
    exec: Executor<wats_http::Client>,
    template: wats_http::Client,
    /// Calls skip the cache's lookup ([`Client::fresh`]).
    fresh: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("base_url", &self.template.base_url())
            .field("mode", &self.exec.mode())
            .finish_non_exhaustive()
    }
}

/// Builds a blocking [`Client`]: every setting of [`wats_http::ClientBuilder`], plus the
/// [`RuntimeMode`].
#[must_use]
pub struct ClientBuilder {
    inner: wats_http::ClientBuilder,
    mode: RuntimeMode,
    max_blocking_threads: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::ClientBuilder")
            .field("mode", &self.mode)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder::from_async(wats_http::ClientBuilder::new())
    }
}

macro_rules! forward {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $($arg: $ty),*) -> Self {
                self.inner = self.inner.$name($($arg),*);
                self
            }
        )*
    };
}

impl ClientBuilder {
    /// A builder with default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder reading `WATS_BASE_URL` / `WATS_TOKEN` (or `PYWATS_SERVER_URL` /
    /// `PYWATS_API_TOKEN`), like [`wats_http::ClientBuilder::from_env`].
    pub fn from_env() -> Self {
        Self::from_async(wats_http::ClientBuilder::from_env())
    }

    /// Wrap an async builder, keeping all its settings.
    pub fn from_async(inner: wats_http::ClientBuilder) -> Self {
        ClientBuilder {
            inner,
            mode: RuntimeMode::default(),
            max_blocking_threads: DEFAULT_MAX_BLOCKING_THREADS,
        }
    }

    /// Change settings through the async builder, for anything not forwarded here.
    pub fn configure(
        mut self,
        f: impl FnOnce(wats_http::ClientBuilder) -> wats_http::ClientBuilder,
    ) -> Self {
        self.inner = f(self.inner);
        self
    }

    /// How calls are run: one runtime per calling thread (default) or one shared runtime thread.
    pub fn runtime_mode(mut self, mode: RuntimeMode) -> Self {
        self.mode = mode;
        self
    }

    /// Cap on each runtime's blocking thread pool (DNS lookups); default 2, minimum 1.
    pub fn max_blocking_threads(mut self, n: usize) -> Self {
        self.max_blocking_threads = n.max(1);
        self
    }

    forward! {
        /// The WATS server URL; a trailing `/` and `/api` are removed.
        base_url(url: impl Into<String>);
        /// The API token, sent verbatim as `Authorization: Basic <token>`.
        token(token: impl Into<String>);
        /// Deadline for a whole call, retries included (default 30 s).
        timeout(timeout: Duration);
        /// Deadline for opening a connection.
        connect_timeout(timeout: Duration);
        /// Deadline for one attempt.
        attempt_timeout(timeout: Duration);
        /// Cap on a response body in bytes (default 64 MiB).
        max_body_size(bytes: u64);
        /// How long an idle pooled connection is kept.
        pool_idle_timeout(timeout: Duration);
        /// How many idle connections a pool keeps per host.
        pool_max_idle_per_host(max: usize);
        /// Name of the correlation-id request header (default `X-Correlation-ID`).
        correlation_header(name: impl Into<String>);
        /// Trust an extra root CA (PEM).
        add_root_certificate_pem(pem: impl AsRef<[u8]>);
        /// Whether the built-in web PKI roots are trusted.
        built_in_roots(enabled: bool);
        /// Attempts per idempotent call, the first included (default 3).
        max_attempts(attempts: u32);
        /// Full-jitter exponential backoff: base and cap.
        retry_backoff(base: Duration, max: Duration);
        /// Cap on a server's `Retry-After`.
        retry_after_cap(cap: Duration);
        /// Whether HTTP 500 is retried.
        retry_on_500(enabled: bool);
        /// Retry budget, as a percentage of extra load.
        retry_budget_percent(percent: f32);
        /// Circuit breaker settings; see [`wats_http::ClientBuilder::circuit_breaker`]. One
        /// breaker serves every thread of the client.
        circuit_breaker(settings: wats_http::CircuitBreakerSettings);
        /// Consecutive failed attempts that open the circuit breaker (default 5).
        circuit_breaker_threshold(failures: u32);
        /// How long an open circuit breaker rejects calls (default 30 s).
        circuit_breaker_open_duration(duration: Duration);
        /// Probe calls a half-open circuit breaker admits at once (default 1).
        circuit_breaker_probes(probes: u32);
        /// Use a breaker built by the caller (hooks, test clock).
        custom_circuit_breaker(breaker: wats_http::CircuitBreaker);
        /// No circuit breaker.
        disable_circuit_breaker();
        /// The station filled into submitted reports (else detected at build).
        station(station: wats_http::Station);
        /// Detect the station with this detector instead of the default one.
        station_detector(detector: wats_http::Detector);
    }

    /// Build the client. Runtimes and pools are created lazily, per thread, on first use.
    ///
    /// # Errors
    /// [`wats_core::Error::InvalidConfig`] for an invalid URL or a missing token, as the async
    /// builder; [`wats_core::Error::Io`] if the shared runtime thread cannot start.
    pub fn build(self) -> Result<Client> {
        Client::over(self.inner.build()?, self.mode, self.max_blocking_threads)
    }
}

impl Client {
    /// A [`ClientBuilder`] with default settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Build a client from `WATS_BASE_URL` / `WATS_TOKEN` (or pyWATS's
    /// `PYWATS_SERVER_URL` / `PYWATS_API_TOKEN`).
    ///
    /// # Errors
    /// [`wats_core::Error::InvalidConfig`] when a variable is missing or invalid.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env().build()
    }

    /// Wrap an async client: the blocking client shares its settings (token, TLS, retry
    /// budget) but runs its own pools.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`] if the shared runtime thread cannot start.
    pub fn from_async(client: &wats_http::Client, mode: RuntimeMode) -> Result<Client> {
        Client::over(client.with_new_pool(), mode, DEFAULT_MAX_BLOCKING_THREADS)
    }

    /// A blocking client whose threads each run a pool sibling of `template`.
    fn over(
        template: wats_http::Client,
        mode: RuntimeMode,
        max_blocking_threads: usize,
    ) -> Result<Client> {
        let make_from = template.clone();
        let exec = Executor::new(
            mode,
            max_blocking_threads,
            Box::new(move || make_from.with_new_pool()),
        )?;
        Ok(Client {
            exec,
            template,
            fresh: false,
        })
    }

    /// The normalised base URL.
    pub fn base_url(&self) -> &str {
        self.template.base_url()
    }

    /// The circuit breaker shared by every thread (and clone) of this client; `None` when
    /// disabled. See [`wats_http::Client::circuit_breaker`].
    pub fn circuit_breaker(&self) -> Option<&wats_http::CircuitBreaker> {
        self.template.circuit_breaker()
    }

    /// The station filled into submitted reports. See [`wats_http::Client::station`].
    pub fn station(&self) -> &wats_http::Station {
        self.template.station()
    }

    /// How this client runs its calls.
    pub fn runtime_mode(&self) -> RuntimeMode {
        self.exec.mode()
    }

    /// Number of threads that currently hold a runtime and pool of this client
    /// ([`RuntimeMode::ThreadLocal`]); a thread's slot is released when the thread exits.
    pub fn active_threads(&self) -> usize {
        self.exec.thread_slots()
    }

    /// An async client with the same settings and its own pool, for async code.
    pub fn to_async(&self) -> wats_http::Client {
        self.template.with_new_pool()
    }

    wats_http::domain_accessors!();
}

/// Every call of the domain handles ([`wats_http::Reports`], [`wats_http::Production`], ...)
/// runs here: built on the calling thread, sent on this thread's runtime and pool (or the
/// shared runtime thread), returned as the `Result` itself.
impl wats_http::Caller for Client {
    type Ret<'c, T: Send + 'static> = Result<T>;

    fn http(&self) -> &wats_http::Client {
        &self.template
    }

    fn call<T: Send + 'static>(&self, prepared: wats_http::Prepared<T>) -> Result<T> {
        if self.fresh {
            return self.exec.run(move |c| c.fresh().execute(prepared));
        }
        self.exec.run(move |c| c.execute(prepared))
    }

    fn ready<T: Send + 'static>(&self, value: Result<T>) -> Result<T> {
        value
    }

    fn run<T, F, Fut>(&self, job: F) -> Result<T>
    where
        F: FnOnce(wats_http::Client) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        if self.fresh {
            return self.exec.run(move |c| job(c.fresh()));
        }
        self.exec.run(job)
    }
}

// ---- durable submit spool ---------------------------------------------------------------

impl ClientBuilder {
    forward! {
        /// Directory of the report spool (default `<data dir>/wats/spool/<server>`).
        spool_dir(dir: impl Into<std::path::PathBuf>);
        /// Make `reports().submit` spool a report WATS cannot take now and return its id.
        spool_by_default(enabled: bool);
        /// When a flush gives up on a report the server keeps refusing; see
        /// [`wats_http::ClientBuilder::spool_dead_letter`].
        spool_dead_letter(policy: wats_http::DeadLetter);
        /// How long a flush waits for the spool's lock; see
        /// [`wats_http::ClientBuilder::spool_lock_timeout`].
        spool_lock_timeout(timeout: Duration);
        /// The spool folders' limits; see [`wats_http::ClientBuilder::spool_options`].
        spool_options(options: wats_http::SpoolOptions);
    }
}

// ---- opt-in layers (issue 21) -------------------------------------------------------------

impl ClientBuilder {
    forward! {
        /// A client-side rate limit shared by every thread and clone of the client; see
        /// [`wats_http::ClientBuilder::rate_limit`].
        rate_limit(limit: wats_http::RateLimit);
        /// Identical GETs in flight at once, from any thread, share one request; see
        /// [`wats_http::ClientBuilder::coalesce_gets`].
        coalesce_gets(on: bool);
        /// Record metrics through the `metrics` facade; see
        /// [`wats_http::ClientBuilder::metrics`].
        metrics(on: bool);
        /// A GET cache shared by every thread and clone of the client; see
        /// [`wats_http::ClientBuilder::cache`] and [`Client::fresh`].
        cache(settings: wats_http::CacheSettings);
    }
}

impl Client {
    /// A clone whose calls skip the cache's lookup and go to the server (their answers
    /// still refresh the cache); see [`wats_http::Client::fresh`]. Cheap: the runtimes,
    /// pools and cache stay shared.
    pub fn fresh(&self) -> Client {
        Client {
            exec: self.exec.clone(),
            template: self.template.fresh(),
            fresh: true,
        }
    }

    /// Whether this client's calls skip the cache's lookup ([`fresh`](Self::fresh)).
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Drop every cached answer (shared by every thread and clone of this client); see
    /// [`wats_http::Client::clear_cache`].
    pub fn clear_cache(&self) {
        self.template.clear_cache();
    }

    /// The number of cached answers; `None` without a cache.
    pub fn cached_entries(&self) -> Option<u64> {
        self.template.cached_entries()
    }
}
