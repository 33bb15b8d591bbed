//! [`ClientBuilder`]: configuration, validation and `from_env`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, HeaderValue};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tower::retry::budget::TpsBudget;
use wats_core::{Error, Result};

use wats_breaker::CircuitBreaker;
use wats_station::{Detector, Station};

use crate::breaker::{BreakerConfig, CircuitBreakerSettings};
use crate::cache::CacheSettings;
use crate::client::Client;
use crate::layers::LayerSettings;
use crate::ratelimit::RateLimit;
use crate::retry::RetrySettings;
use crate::shared::Shared;
use crate::spool::settings::{SpoolSettings, SpoolState};
use crate::url::BaseUrl;

impl Client {
    /// A [`ClientBuilder`] with default settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Build a client from `WATS_BASE_URL` / `WATS_TOKEN` (or pyWATS's
    /// `PYWATS_SERVER_URL` / `PYWATS_API_TOKEN`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when a variable is missing or invalid.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env().build()
    }
}

/// Environment variables read by [`ClientBuilder::from_env`], in order of precedence.
pub const BASE_URL_ENV: [&str; 2] = ["WATS_BASE_URL", "PYWATS_SERVER_URL"];
/// Environment variables holding the token, in order of precedence.
pub const TOKEN_ENV: [&str; 2] = ["WATS_TOKEN", "PYWATS_API_TOKEN"];

/// Default whole-request timeout (all attempts and backoff sleeps included).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default TCP connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default cap on a response body (after decompression): 64 MiB.
pub const DEFAULT_BODY_LIMIT: u64 = 64 * 1024 * 1024;
/// Default idle timeout of pooled connections.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Builder of a [`Client`]. Obtain it with [`Client::builder`] or
/// [`ClientBuilder::from_env`].
///
/// The token never appears in this type's `Debug` output.
///
/// ```
/// use std::time::Duration;
/// let client = wats_http::Client::builder()
///     .base_url("https://wats.example.com/api/")
///     .token("dXNlcjpwYXNz")
///     .timeout(Duration::from_secs(20))
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "https://wats.example.com");
/// let dbg = format!("{:?}", wats_http::Client::builder().token("dXNlcjpwYXNz"));
/// assert!(!dbg.contains("dXNlcjpwYXNz"));
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    token: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    attempt_timeout: Option<Duration>,
    body_limit: u64,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
    correlation_header: String,
    root_ca_pems: Vec<Vec<u8>>,
    built_in_roots: bool,
    retry: RetrySettings,
    retry_budget_percent: f32,
    spool: SpoolSettings,
    breaker: BreakerConfig,
    station: Option<Station>,
    station_detector: Option<Detector>,
    layers: LayerSettings,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            token: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: None,
            body_limit: DEFAULT_BODY_LIMIT,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            pool_max_idle_per_host: usize::MAX,
            correlation_header: wats_core::correlation::DEFAULT_HEADER.to_owned(),
            root_ca_pems: Vec::new(),
            built_in_roots: true,
            retry: RetrySettings::default(),
            retry_budget_percent: 0.2,
            spool: SpoolSettings::default(),
            breaker: BreakerConfig::default(),
            station: None,
            station_detector: None,
            layers: LayerSettings::default(),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("body_limit", &self.body_limit)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("correlation_header", &self.correlation_header)
            .field("root_ca_pems", &self.root_ca_pems.len())
            .field("built_in_roots", &self.built_in_roots)
            .field("retry", &self.retry)
            .field("retry_budget_percent", &self.retry_budget_percent)
            .field("spool", &self.spool)
            .field("circuit_breaker", &self.breaker)
            .field("station", &self.station)
            .field("station_detector", &self.station_detector)
            .field("layers", &self.layers)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder with the defaults: 30 s request timeout, 10 s connect timeout,
    /// 64 MiB body cap, 3 attempts for idempotent calls.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with the base URL and token taken from the environment:
    /// `WATS_BASE_URL` (else `PYWATS_SERVER_URL`) and `WATS_TOKEN` (else
    /// `PYWATS_API_TOKEN`). Missing values surface as [`Error::InvalidConfig`] from
    /// [`build`](Self::build), naming the variables.
    pub fn from_env() -> Self {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env) with a custom variable lookup (tests,
    /// configuration layers).
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: [&str; 2]| {
            names
                .iter()
                .filter_map(|n| lookup(n))
                .find(|v| !v.trim().is_empty())
        };
        ClientBuilder {
            base_url: first(BASE_URL_ENV),
            token: first(TOKEN_ENV),
            ..Self::default()
        }
    }

    /// The server URL, for example `https://company.wats.com`. A trailing `/` and a
    /// trailing `/api` are removed.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The API token, sent verbatim as `Authorization: Basic <token>` (it is already
    /// base64 of `user:password` or `client:passcode`).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Whole-call timeout, covering every attempt, backoff sleeps and body reads.
    /// Default 30 s. A duration too long to add to the clock (`Duration::MAX`) is no
    /// limit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// TCP connect timeout. Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Optional timeout of each single attempt (an attempt that times out is
    /// retried for idempotent calls). Default: none, only the whole-call timeout.
    /// A duration too long to add to the clock (`Duration::MAX`) is no limit.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Cap on a response body after decompression; larger bodies fail with
    /// [`Error::BodyTooLarge`]. Default 64 MiB.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long an idle pooled connection is kept. Default 30 s; keep it below the
    /// server's keep-alive timeout. Over a century (`Duration::MAX`) is no limit.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Maximum idle connections kept per host. Default unlimited.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Name of the correlation id request header. Default `X-Correlation-ID`.
    pub fn correlation_header(mut self, name: impl Into<String>) -> Self {
        self.correlation_header = name.into();
        self
    }

    /// Trust an additional root CA, given as PEM (one or more certificates).
    /// Certificate verification itself is always on.
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_ca_pems.push(pem.as_ref().to_vec());
        self
    }

    /// Whether the built-in Mozilla root store (webpki-roots) is trusted. Default
    /// `true`; set `false` to trust only the CAs added with
    /// [`add_root_certificate_pem`](Self::add_root_certificate_pem).
    pub fn built_in_roots(mut self, enabled: bool) -> Self {
        self.built_in_roots = enabled;
        self
    }

    /// Total attempts for idempotent calls (GET, PUT, DELETE, HEAD), the first
    /// included. Default 3; `1` disables retries. POST is never retried.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.retry.max_attempts = attempts.max(1);
        self
    }

    /// Backoff: full jitter, uniform in `[0, min(max, base * 2^n)]` before retry
    /// `n + 1`. Defaults: base 200 ms, max 5 s.
    pub fn retry_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.retry.base_delay = base;
        self.retry.max_delay = max.max(base);
        self
    }

    /// Cap on a server-requested `Retry-After` delay. Default 30 s. A retry whose
    /// delay would pass the call's timeout is not made.
    pub fn retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry.retry_after_cap = cap;
        self
    }

    /// Also retry HTTP 500 (408, 429, 502, 503, 504 always are; see the
    /// [failure table](crate::failure)). Default `false`.
    pub fn retry_on_500(mut self, enabled: bool) -> Self {
        self.retry.retry_on_500 = enabled;
        self
    }

    /// Retry budget: retries may add at most this fraction of extra load over a
    /// 10 s window (plus 10 retries per second of slack). Default `0.2`.
    pub fn retry_budget_percent(mut self, percent: f32) -> Self {
        self.retry_budget_percent = percent;
        self
    }

    /// The circuit breaker's settings (threshold, open duration, probes); see
    /// [`CircuitBreakerSettings`]. The breaker is on by default: 5 consecutive
    /// failed attempts open it for 30 s, then 1 probe decides.
    ///
    /// One breaker serves the client, its clones and every
    /// [`Client::with_new_pool`] sibling (so every thread of a blocking client). It
    /// sits inside retry: every attempt is recorded, and once it is open each call
    /// fails at once with [`Error::CircuitOpen`] without touching the network.
    /// Failures: connect and transport errors, timeouts, HTTP 500/502/503/504;
    /// 407, 408, 429 and other 5xx are ignored; other answers, 4xx included, are
    /// successes (the `breaker` column of the [failure table](crate::failure)).
    pub fn circuit_breaker(mut self, settings: CircuitBreakerSettings) -> Self {
        self.breaker = BreakerConfig::Settings(settings);
        self
    }

    /// Consecutive failed attempts that open the circuit breaker (default 5).
    /// Like the other settings methods, this replaces a custom breaker and
    /// re-enables a disabled one.
    pub fn circuit_breaker_threshold(mut self, failures: u32) -> Self {
        self.breaker = BreakerConfig::Settings(self.breaker.settings().failure_threshold(failures));
        self
    }

    /// How long an open circuit breaker rejects calls before a probe (default 30 s).
    pub fn circuit_breaker_open_duration(mut self, duration: Duration) -> Self {
        self.breaker = BreakerConfig::Settings(self.breaker.settings().open_duration(duration));
        self
    }

    /// Probe calls a half-open circuit breaker admits at once (default 1).
    pub fn circuit_breaker_probes(mut self, probes: u32) -> Self {
        self.breaker = BreakerConfig::Settings(self.breaker.settings().probes(probes));
        self
    }

    /// Use this breaker, built by the caller (with hooks, a failure-rate rule, a
    /// growing open duration or a test clock). The WATS classification above
    /// still decides what an attempt's result means. Clones of `breaker` share
    /// its state, so the caller can watch it too.
    pub fn custom_circuit_breaker(mut self, breaker: CircuitBreaker) -> Self {
        self.breaker = BreakerConfig::Custom(breaker);
        self
    }

    /// No circuit breaker: every attempt goes to the network.
    pub fn disable_circuit_breaker(mut self) -> Self {
        self.breaker = BreakerConfig::Disabled;
        self
    }

    /// The station (tier 1, explicit) whose `machineName`, `location` and
    /// `purpose` fill submitted reports that do not set them. Without it the
    /// station is detected at [`build`](Self::build) with [`Station::detect`]
    /// (environment, station file, machine name).
    pub fn station(mut self, station: Station) -> Self {
        self.station = Some(station);
        self
    }

    /// Detect the station with this [`Detector`] instead of the default one
    /// (another working directory, environment or host-name source). Ignored
    /// when [`station`](Self::station) is given.
    pub fn station_detector(mut self, detector: Detector) -> Self {
        self.station_detector = Some(detector);
        self
    }

    /// Validate and build the client. Does not touch the network and needs no
    /// runtime. Without an explicit [`station`](Self::station) it detects the
    /// station, which may read the station files.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a missing or malformed base URL, a missing or
    /// malformed token (the token itself is never echoed), an invalid header name,
    /// zero timeouts or unparsable root certificates. [`Error::Setup`] (with the
    /// part's own error as its `source()`) for out-of-range circuit breaker settings,
    /// a station file that exists but cannot be read or parsed (the message names the
    /// file, line and column) or no usable station name.
    pub fn build(self) -> Result<Client> {
        let raw_url = self.base_url.as_deref().ok_or_else(|| {
            Error::InvalidConfig(format!(
                "missing base URL: call `base_url(..)` or set {} (or {})",
                BASE_URL_ENV[0], BASE_URL_ENV[1]
            ))
        })?;
        let base = BaseUrl::parse(raw_url)?;
        let token = self.token.as_deref().map(str::trim).unwrap_or_default();
        if token.is_empty() {
            return Err(Error::InvalidConfig(format!(
                "missing token: call `token(..)` or set {} (or {})",
                TOKEN_ENV[0], TOKEN_ENV[1]
            )));
        }
        let mut auth = HeaderValue::from_str(&format!("Basic {token}")).map_err(|_| {
            Error::InvalidConfig(
                "token contains characters not allowed in an HTTP header".to_owned(),
            )
        })?;
        auth.set_sensitive(true);
        let correlation_header = HeaderName::from_bytes(self.correlation_header.as_bytes())
            .map_err(|_| {
                Error::InvalidConfig(format!(
                    "invalid correlation header name `{}`",
                    self.correlation_header
                ))
            })?;
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::InvalidConfig("timeouts must be non-zero".to_owned()));
        }
        if self.attempt_timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::InvalidConfig(
                "attempt timeout must be non-zero".to_owned(),
            ));
        }
        if !(0.0..=1000.0).contains(&self.retry_budget_percent) {
            return Err(Error::InvalidConfig(
                "retry budget percent must be between 0 and 1000".to_owned(),
            ));
        }
        let tls = self.tls_config()?;
        let spool = SpoolState::new(self.spool.clone(), base.as_str());
        let breaker = self.breaker.build()?;
        let station = crate::station::resolve(self.station, self.station_detector.as_ref())?;
        let shared = Shared {
            base,
            auth,
            accept: HeaderValue::from_static("application/json"),
            user_agent: HeaderValue::from_static(concat!("wats-rs/", env!("CARGO_PKG_VERSION"))),
            correlation_header,
            tls,
            budget: Arc::new(TpsBudget::new(
                Duration::from_secs(10),
                10,
                self.retry_budget_percent,
            )),
            retry: Arc::new(self.retry),
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            attempt_timeout: self.attempt_timeout,
            body_limit: self.body_limit,
            pool_idle_timeout: self.pool_idle_timeout,
            pool_max_idle_per_host: self.pool_max_idle_per_host,
            spool,
            breaker,
            station,
            process_cache: Default::default(),
            layers: self.layers.build(token)?,
        };
        Ok(Client::from_shared(&Arc::new(shared)))
    }

    /// The directory of the report spool used by
    /// [`Reports::submit_or_spool`](crate::Reports::submit_or_spool) and
    /// [`Client::spool`]. Default: [`default_spool_dir`](crate::default_spool_dir),
    /// `<data dir>/wats/spool/<server>`. Nothing is created until the spool is used.
    pub fn spool_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.spool.dir = Some(dir.into());
        self
    }

    /// Make [`Reports::submit`](crate::Reports::submit) spool a report WATS cannot take
    /// now (transport error, timeout, 5xx, open circuit) and return its id as `Ok`, like
    /// [`submit_or_spool`](crate::Reports::submit_or_spool) without the outcome.
    /// Default `false`.
    pub fn spool_by_default(mut self, enabled: bool) -> Self {
        self.spool.by_default = enabled;
        self
    }

    /// When a flush gives up on a spooled report the server keeps refusing with an answer
    /// about the report (400, 409, 413, 422, ...: the failure table's
    /// [`Spool::Reject`](crate::failure::Spool::Reject)) and moves it to `rejected/` with the
    /// server's answer, so the reports behind it go on. Each such refusal is recorded in the
    /// report's spool file name; outages, 5xx and set-up failures (401, 403, 404, 407) never
    /// count. Default [`DeadLetter::default`](wats_spool::DeadLetter): 10 attempts or 7 days
    /// after the first; `DeadLetter::new(1, ..)` rejects at the first refusal.
    pub fn spool_dead_letter(mut self, policy: wats_spool::DeadLetter) -> Self {
        self.spool.dead_letter = policy;
        self
    }

    /// How long [`SpoolHandle::flush`](crate::SpoolHandle::flush) waits for another flusher
    /// (in this or another process) to release the spool's lock before it fails with
    /// [`SpoolError::LockTimeout`](wats_spool::SpoolError::LockTimeout). Zero: one try.
    /// Default [`DEFAULT_SPOOL_LOCK_TIMEOUT`](crate::DEFAULT_SPOOL_LOCK_TIMEOUT) (one minute).
    pub fn spool_lock_timeout(mut self, timeout: Duration) -> Self {
        self.spool.lock_timeout = timeout;
        self
    }

    /// How the spool is opened: the size limits of its folders (a write past one fails with
    /// [`SpoolError::Full`](wats_spool::SpoolError::Full), nothing is dropped) and the age
    /// of stale temporary files. Default [`SpoolOptions::default`](wats_spool::SpoolOptions).
    pub fn spool_options(mut self, options: wats_spool::SpoolOptions) -> Self {
        self.spool.options = options;
        self
    }

    fn tls_config(&self) -> Result<Arc<rustls::ClientConfig>> {
        let mut roots = rustls::RootCertStore::empty();
        if self.built_in_roots {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for pem in &self.root_ca_pems {
            let mut added = 0usize;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| {
                    Error::InvalidConfig(format!("invalid root certificate PEM: {e}"))
                })?;
                roots
                    .add(cert)
                    .map_err(|e| Error::InvalidConfig(format!("unusable root certificate: {e}")))?;
                added += 1;
            }
            if added == 0 {
                return Err(Error::InvalidConfig(
                    "root certificate PEM contains no certificate".to_owned(),
                ));
            }
        }
        // rustls 0.23.48 deprecates the ring provider (no post-quantum key exchange);
        // ring stays the choice here: aws-lc-rs needs cmake and a C toolchain to build.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::InvalidConfig(format!("TLS configuration: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    // ------------------------------------------------ opt-in layers (issue 21)

    /// A client-side rate limit, shared by every clone, every
    /// [`with_new_pool`](Client::with_new_pool) sibling and every thread of this
    /// client; applied to every attempt before the circuit breaker and the network.
    /// A call waits for the limiter within its deadline, or with
    /// [`RateLimit::fail_fast`] fails at once with [`Error::RateLimited`]. A 429 answer
    /// with `Retry-After` holds the limiter for everyone that long. Off by default.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.layers.rate_limit = Some(limit);
        self
    }

    /// Request coalescing (single flight): identical GETs (same URI) in flight at the
    /// same time, from any clone, pool sibling or thread of this client, share one
    /// request; a cancelled caller does not fail the others. Off by default.
    pub fn coalesce_gets(mut self, on: bool) -> Self {
        self.layers.coalesce = on;
        self
    }

    /// Record metrics through the `metrics` facade (requests by route template, method
    /// and status class, latency, breaker changes and rejections, coalesced calls,
    /// rate-limit waits): install a recorder of your choice to collect them. Off by
    /// default; see `docs/ARCHITECTURE.md` for the names.
    pub fn metrics(mut self, on: bool) -> Self {
        self.layers.metrics = on;
        self
    }

    /// A client-side cache of GET answers ([`CacheSettings`]: which routes, time to live,
    /// bounds), shared by every clone, pool sibling and thread of this client; keyed by
    /// the token's identity, the route and the full URI; never keeps an error or a
    /// non-2xx answer; a write the client makes drops the cached answers of its resource
    /// family. [`Client::fresh`] skips it for chosen calls, [`Client::clear_cache`]
    /// empties it. Off by default.
    pub fn cache(mut self, settings: CacheSettings) -> Self {
        self.layers.cache = Some(settings);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn from_env_prefers_wats_names_and_falls_back_to_pywats() {
        let c = ClientBuilder::from_env_with(env(&[
            ("WATS_BASE_URL", "https://a.example/api"),
            ("PYWATS_SERVER_URL", "https://b.example"),
            ("PYWATS_API_TOKEN", "dG9rZW4="),
        ]))
        .build()
        .unwrap();
        assert_eq!(c.base_url(), "https://a.example");
        let c = ClientBuilder::from_env_with(env(&[
            ("WATS_BASE_URL", " "),
            ("PYWATS_SERVER_URL", "https://b.example/"),
            ("WATS_TOKEN", "dG9rZW4="),
        ]))
        .build()
        .unwrap();
        assert_eq!(c.base_url(), "https://b.example");
    }

    #[test]
    fn missing_values_are_clear_config_errors() {
        let err = ClientBuilder::from_env_with(env(&[("WATS_TOKEN", "x")]))
            .build()
            .unwrap_err();
        assert!(matches!(&err, Error::InvalidConfig(m) if m.contains("WATS_BASE_URL")));
        let err = ClientBuilder::from_env_with(env(&[("WATS_BASE_URL", "http://h")]))
            .build()
            .unwrap_err();
        assert!(matches!(&err, Error::InvalidConfig(m) if m.contains("WATS_TOKEN")));
        let err = Client::builder()
            .base_url("http://h")
            .token("secret\nvalue")
            .build()
            .unwrap_err();
        assert!(matches!(&err, Error::InvalidConfig(_)));
        assert!(!err.to_string().contains("secret"));
        for bad in [
            Client::builder().token("t").base_url("nope"),
            Client::builder()
                .token("t")
                .base_url("http://h")
                .timeout(Duration::ZERO),
            Client::builder()
                .token("t")
                .base_url("http://h")
                .correlation_header("bad header"),
            Client::builder()
                .token("t")
                .base_url("http://h")
                .add_root_certificate_pem("not a pem"),
        ] {
            assert!(matches!(bad.build(), Err(Error::InvalidConfig(_))));
        }
    }

    #[test]
    fn token_never_in_debug() {
        let b = Client::builder()
            .base_url("http://h")
            .token("c3VwZXJzZWNyZXQ=");
        assert!(!format!("{b:?}").contains("c3VwZXJzZWNyZXQ="));
        let c = b.build().unwrap();
        assert!(!format!("{c:?}").contains("c3VwZXJzZWNyZXQ="));
        assert!(!format!("{c:#?}").contains("c3VwZXJzZWNyZXQ="));
    }
}
