//! Configuration: [`Builder`], [`Format`] and [`Error`].

use std::io::Stdout;
use std::str::FromStr;
use std::sync::Arc;
use std::time::SystemTime;

use tracing::subscriber::DefaultGuard;
use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Layered, SubscriberExt as _};
use tracing_subscriber::registry::Registry;

use crate::layer::LogLayer;
use crate::render::FieldConfig;

/// Environment variable that selects the format: `json` or `text`.
pub const FORMAT_ENV: &str = "WATS_LOG_FORMAT";
/// Environment variable with filter directives (`EnvFilter` syntax).
pub const FILTER_ENV: &str = "RUST_LOG";
/// Default name of the field that carries the correlation id.
pub const DEFAULT_CORRELATION_FIELD: &str = "correlation_id";
/// Field names redacted by default (compared ASCII case-insensitively, whole
/// name only).
pub const DEFAULT_REDACTED_FIELDS: &[&str] =
    &["authorization", "password", "token", "secret", "api_key"];

/// Errors from building or installing a subscriber.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A global default subscriber was already installed (by this crate or
    /// anything else); the existing one stays in place.
    #[error("a global tracing subscriber is already set")]
    AlreadySet(#[source] tracing::subscriber::SetGlobalDefaultError),
    /// The filter directives (from [`Builder::directives`] or `RUST_LOG`)
    /// do not parse.
    #[error("invalid log filter directives {directives:?}: {message}")]
    InvalidFilter {
        /// The directives as given.
        directives: String,
        /// What the parser reported.
        message: String,
    },
    /// `WATS_LOG_FORMAT` (or [`Format::from_str`]) got something other than
    /// `json` or `text`.
    #[error("invalid log format {0:?}: expected \"json\" or \"text\"")]
    InvalidFormat(String),
}

/// Output format of a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// One flat JSON object per line.
    Json,
    /// One human-readable line.
    #[default]
    Text,
}

impl FromStr for Format {
    type Err = Error;

    /// Parses `json` or `text` (ASCII case-insensitive, surrounding
    /// whitespace ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("json") {
            Ok(Format::Json)
        } else if t.eq_ignore_ascii_case("text") {
            Ok(Format::Text)
        } else {
            Err(Error::InvalidFormat(s.to_owned()))
        }
    }
}

/// The default writer: standard output (locked once per line).
pub type StdoutWriter = fn() -> Stdout;

/// The subscriber [`Builder::build`] returns: a [`Registry`] with an
/// [`EnvFilter`] and a [`LogLayer`].
pub type LogSubscriber<W = StdoutWriter> = Layered<LogLayer<W>, Layered<EnvFilter, Registry>>;

/// Configures the log output; start with [`builder`](crate::builder) or
/// [`Builder::from_env`].
///
/// Defaults: text format, level `INFO`, no extra directives, standard output,
/// correlation field `correlation_id`, [`DEFAULT_REDACTED_FIELDS`] redacted,
/// system clock.
#[must_use]
pub struct Builder<W = StdoutWriter> {
    format: Format,
    level: LevelFilter,
    directives: Option<String>,
    writer: W,
    correlation_field: String,
    redact: Vec<String>,
    clock: Option<crate::layer::Clock>,
}

impl<W> std::fmt::Debug for Builder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("format", &self.format)
            .field("level", &self.level)
            .field("directives", &self.directives)
            .field("correlation_field", &self.correlation_field)
            .field("redact", &self.redact)
            .field("custom_clock", &self.clock.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            format: Format::default(),
            level: LevelFilter::INFO,
            directives: None,
            writer: std::io::stdout,
            correlation_field: DEFAULT_CORRELATION_FIELD.to_owned(),
            redact: DEFAULT_REDACTED_FIELDS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            clock: None,
        }
    }
}

impl Builder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder configured from `WATS_LOG_FORMAT` and `RUST_LOG`; see
    /// [`Builder::env_values`].
    ///
    /// # Errors
    /// [`Error::InvalidFormat`] for an unknown `WATS_LOG_FORMAT`. Filter
    /// directives are checked when the subscriber is built.
    pub fn from_env() -> Result<Self, Error> {
        let format = std::env::var(FORMAT_ENV).ok();
        let filter = std::env::var(FILTER_ENV).ok();
        Builder::new().env_values(format.as_deref(), filter.as_deref())
    }
}

impl<W> Builder<W> {
    /// Applies environment-style values, as [`Builder::from_env`] does with
    /// the real environment (handy in tests, which cannot safely set
    /// variables): `format` as `WATS_LOG_FORMAT` and `filter` as `RUST_LOG`.
    /// `None` or blank values leave the current setting.
    ///
    /// # Errors
    /// [`Error::InvalidFormat`] if `format` is neither `json` nor `text`.
    pub fn env_values(mut self, format: Option<&str>, filter: Option<&str>) -> Result<Self, Error> {
        if let Some(f) = format.filter(|f| !f.trim().is_empty()) {
            self.format = f.parse()?;
        }
        if let Some(d) = filter.filter(|d| !d.trim().is_empty()) {
            self.directives = Some(d.to_owned());
        }
        Ok(self)
    }

    /// Sets the output format.
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Shorthand for `format(Format::Json)`.
    pub fn json(self) -> Self {
        self.format(Format::Json)
    }

    /// Shorthand for `format(Format::Text)`.
    pub fn text(self) -> Self {
        self.format(Format::Text)
    }

    /// Sets the default level: targets without a more specific directive log
    /// at this level and above. A bare level in [`directives`](Self::directives)
    /// (for example `RUST_LOG=debug`) takes precedence.
    pub fn level(mut self, level: impl Into<LevelFilter>) -> Self {
        self.level = level.into();
        self
    }

    /// Sets filter directives in `RUST_LOG` / `EnvFilter` syntax, for example
    /// `"my_app=debug,wats_http=trace"`. Parsed when the subscriber is built.
    pub fn directives(mut self, directives: impl Into<String>) -> Self {
        self.directives = Some(directives.into());
        self
    }

    /// Sets the name of the field that carries the correlation id (default
    /// `correlation_id`). The nearest span (or the event itself) with this
    /// field supplies the id of a line.
    pub fn correlation_field(mut self, name: impl Into<String>) -> Self {
        self.correlation_field = name.into();
        self
    }

    /// Replaces the list of redacted field names (default
    /// [`DEFAULT_REDACTED_FIELDS`]); values of these span or event fields are
    /// written as `"[redacted]"`. Names are compared ASCII case-insensitively
    /// and whole (`token` does not match `token_count`). Pass an empty list to
    /// redact nothing.
    pub fn redact<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.redact = names.into_iter().map(Into::into).collect();
        self
    }

    /// Uses `clock` instead of [`SystemTime::now`] for timestamps; for
    /// deterministic output in tests and snapshots.
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Sets where lines go: any [`MakeWriter`], for example
    /// `std::io::stderr`, a file behind a `Mutex`, or a [`MemoryWriter`](crate::MemoryWriter).
    /// Each line is passed in one `write_all` call.
    pub fn writer<W2>(self, writer: W2) -> Builder<W2>
    where
        W2: for<'w> MakeWriter<'w> + Send + Sync + 'static,
    {
        Builder {
            format: self.format,
            level: self.level,
            directives: self.directives,
            writer,
            correlation_field: self.correlation_field,
            redact: self.redact,
            clock: self.clock,
        }
    }

    /// Builds the level filter alone (default level plus directives).
    ///
    /// # Errors
    /// [`Error::InvalidFilter`] if the directives do not parse.
    pub fn build_filter(&self) -> Result<EnvFilter, Error> {
        let directives = self.directives.as_deref().unwrap_or("");
        let filter = EnvFilter::builder()
            .parse(directives)
            .map_err(|e| Error::InvalidFilter {
                directives: directives.to_owned(),
                message: e.to_string(),
            })?;
        let has_bare_level = directives
            .split(',')
            .map(str::trim)
            .any(|d| !d.is_empty() && d.parse::<LevelFilter>().is_ok());
        Ok(if has_bare_level {
            filter
        } else {
            filter.add_directive(self.level.into())
        })
    }
}

impl<W> Builder<W>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    /// Builds the formatting layer WITHOUT a filter, to compose with your
    /// own registry and filters (level and directives are ignored here; see
    /// [`build_filter`](Self::build_filter)).
    pub fn layer(self) -> LogLayer<W> {
        let redact = self
            .redact
            .into_iter()
            .map(|s| s.to_ascii_lowercase())
            .collect();
        LogLayer::new(
            FieldConfig::new(self.format, self.correlation_field, redact),
            self.writer,
            self.clock,
        )
    }

    /// Builds the complete subscriber (registry + filter + layer) without
    /// installing it; use it with `tracing::subscriber::with_default` or
    /// `set_default` for scoped logging, for example in tests.
    ///
    /// # Errors
    /// [`Error::InvalidFilter`] if the directives do not parse.
    pub fn build(self) -> Result<LogSubscriber<W>, Error> {
        let filter = self.build_filter()?;
        Ok(Registry::default().with(filter).with(self.layer()))
    }

    /// Builds the subscriber and installs it as the default for the current
    /// thread until the returned guard is dropped.
    ///
    /// # Errors
    /// [`Error::InvalidFilter`] if the directives do not parse.
    pub fn set_default(self) -> Result<DefaultGuard, Error> {
        Ok(tracing::subscriber::set_default(self.build()?))
    }

    /// Builds the subscriber and installs it as the global default. Never
    /// panics: if a global subscriber is already set it returns
    /// [`Error::AlreadySet`] and leaves that one in place.
    ///
    /// # Errors
    /// [`Error::InvalidFilter`] or [`Error::AlreadySet`].
    pub fn init(self) -> Result<(), Error> {
        tracing::subscriber::set_global_default(self.build()?).map_err(Error::AlreadySet)
    }
}
