//! Where the server URL, the token and the spool directory come from.
//!
//! Precedence, first wins: the `--server`/`--token` flags; `WATS_BASE_URL`/`WATS_TOKEN`;
//! pyWATS's `PYWATS_SERVER_URL`/`PYWATS_API_TOKEN`; the settings file written by
//! `wats login` (`config.toml` in the user's config directory, or `--config`/`WATS_CONFIG`).
//! Blank values count as unset. The file is created owner-only (0600 on Unix); on Windows
//! the user's profile directory is already private to the user.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::Global;
use crate::exit::Failure;

/// Environment variables for the server URL, in order of precedence.
const SERVER_ENV: [&str; 2] = ["WATS_BASE_URL", "PYWATS_SERVER_URL"];
/// Environment variables for the token, in order of precedence.
const TOKEN_ENV: [&str; 2] = ["WATS_TOKEN", "PYWATS_API_TOKEN"];
/// Environment variable naming the settings file.
const CONFIG_ENV: &str = "WATS_CONFIG";
/// Environment variable naming the spool directory.
const SPOOL_ENV: &str = "WATS_SPOOL_DIR";

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// The settings file.
    File(PathBuf),
    /// The built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Env(var) => write!(f, "env {var}"),
            Origin::File(path) => write!(f, "file {}", path.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A resolved value and where it came from.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Setting<T> {
    /// The value.
    pub(crate) value: T,
    /// Where it came from.
    pub(crate) origin: Origin,
}

impl<T: fmt::Debug> fmt::Debug for Setting<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({})", self.value, self.origin)
    }
}

/// The token: its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Token(pub(crate) String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The contents of the settings file.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    server: Option<String>,
    token: Option<String>,
}

/// All resolved settings.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The settings file and where its path came from (it may not exist).
    pub(crate) file: Option<Setting<PathBuf>>,
    /// The server URL.
    pub(crate) server: Option<Setting<String>>,
    /// The token.
    pub(crate) token: Option<Setting<Token>>,
    /// An explicit spool directory (flag or env); else the per-server default.
    pub(crate) spool_dir: Option<Setting<PathBuf>>,
}

fn non_blank(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl Settings {
    /// Resolve from the flags, the process environment and the settings file.
    pub(crate) fn resolve(global: &Global) -> Result<Settings, Failure> {
        Settings::resolve_with(global, |name| std::env::var(name).ok(), default_file())
    }

    /// Resolve with a custom environment lookup and default file path (tests).
    pub(crate) fn resolve_with(
        global: &Global,
        env: impl Fn(&str) -> Option<String>,
        default_file: Option<PathBuf>,
    ) -> Result<Settings, Failure> {
        let env = |name: &str| non_blank(env(name));
        let file = match (&global.config, env(CONFIG_ENV)) {
            (Some(path), _) => Some(Setting {
                value: path.clone(),
                origin: Origin::Flag("--config"),
            }),
            (None, Some(path)) => Some(Setting {
                value: PathBuf::from(path),
                origin: Origin::Env(CONFIG_ENV),
            }),
            (None, None) => default_file.map(|value| Setting {
                value,
                origin: Origin::Default,
            }),
        };
        let stored = match &file {
            Some(f) => read_file(&f.value)?,
            None => FileSettings::default(),
        };
        let from_file = |v: Option<String>| {
            let path = file.as_ref().map(|f| f.value.clone()).unwrap_or_default();
            non_blank(v).map(|value| (value, Origin::File(path)))
        };
        let pick =
            |flag: Option<String>, flag_name: &'static str, vars: [&'static str; 2], stored| {
                non_blank(flag)
                    .map(|v| (v, Origin::Flag(flag_name)))
                    .or_else(|| {
                        vars.iter()
                            .find_map(|var| env(var).map(|v| (v, Origin::Env(var))))
                    })
                    .or_else(|| from_file(stored))
            };
        let server = pick(global.server.clone(), "--server", SERVER_ENV, stored.server)
            .map(|(value, origin)| Setting { value, origin });
        let token = pick(global.token.clone(), "--token", TOKEN_ENV, stored.token).map(
            |(value, origin)| Setting {
                value: Token(value),
                origin,
            },
        );
        let spool_dir = match (&global.spool_dir, env(SPOOL_ENV)) {
            (Some(dir), _) => Some(Setting {
                value: dir.clone(),
                origin: Origin::Flag("--spool-dir"),
            }),
            (None, Some(dir)) => Some(Setting {
                value: PathBuf::from(dir),
                origin: Origin::Env(SPOOL_ENV),
            }),
            (None, None) => None,
        };
        Ok(Settings {
            file,
            server,
            token,
            spool_dir,
        })
    }

    /// The server URL, or a usage failure naming every way to set it.
    pub(crate) fn require_server(&self) -> Result<&str, Failure> {
        self.server
            .as_ref()
            .map(|s| s.value.as_str())
            .ok_or_else(|| {
                Failure::usage(
                    "no WATS server: pass --server URL, set WATS_BASE_URL, or run `wats login`",
                )
            })
    }

    /// The token, or a usage failure naming every way to set it.
    pub(crate) fn require_token(&self) -> Result<&str, Failure> {
        self.token
            .as_ref()
            .map(|t| t.value.0.as_str())
            .ok_or_else(|| {
                Failure::usage("no WATS token: pass --token, set WATS_TOKEN, or run `wats login`")
            })
    }

    /// The spool directory: explicit, else the SDK's default for the server.
    pub(crate) fn spool_dir(&self) -> Result<Setting<PathBuf>, Failure> {
        if let Some(dir) = &self.spool_dir {
            return Ok(dir.clone());
        }
        let server = self.require_server()?;
        wats_http::default_spool_dir(server)
            .map(|value| Setting {
                value,
                origin: Origin::Default,
            })
            .ok_or_else(|| {
                Failure::usage("no spool directory: pass --spool-dir or set WATS_SPOOL_DIR")
            })
    }
}

/// `config.toml` in the user's wats config directory (where `station.toml` lives too).
fn default_file() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.config_dir().join("wats").join("config.toml"))
}

fn read_file(path: &Path) -> Result<FileSettings, Failure> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text)
            .map_err(|e| Failure::usage(format!("invalid settings file {}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileSettings::default()),
        Err(e) => Err(Failure::failed(format!(
            "cannot read settings file {}: {e}",
            path.display()
        ))),
    }
}

/// Write the server URL and token to `path`, readable by the owner only: a temporary file
/// created with mode 0600 (Unix), then renamed over the old file.
pub(crate) fn write_login(path: &Path, server: &str, token: &str) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::failed(format!(
            "cannot write settings file {}: {e}",
            path.display()
        ))
    };
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let text = toml::to_string(&FileSettings {
        server: Some(server.to_owned()),
        token: Some(token.to_owned()),
    })
    .map_err(|e| Failure::failed(format!("cannot encode settings: {e}")))?;
    let tmp = dir.join(format!(".config.toml.tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    {
        use std::io::Write;
        let mut file = options.open(&tmp).map_err(fail)?;
        file.write_all(text.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).map_err(fail)?;
    }
    std::fs::rename(&tmp, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(server: Option<&str>, token: Option<&str>, config: Option<&Path>) -> Global {
        Global {
            server: server.map(str::to_owned),
            token: token.map(str::to_owned),
            json: false,
            log_format: None,
            config: config.map(Path::to_path_buf),
            spool_dir: None,
        }
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn flags_beat_wats_env_beat_pywats_env_beat_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        write_login(&file, "https://file.example", "ZmlsZQ==").unwrap();
        let all = [
            ("WATS_BASE_URL", "https://wats.example"),
            ("WATS_TOKEN", "d2F0cw=="),
            ("PYWATS_SERVER_URL", "https://py.example"),
            ("PYWATS_API_TOKEN", "cHk="),
        ];
        let g = global(Some("https://flag.example"), Some("ZmxhZw=="), None);
        let s = Settings::resolve_with(&g, env(&all), Some(file.clone())).unwrap();
        assert_eq!(s.server.as_ref().unwrap().origin, Origin::Flag("--server"));
        assert_eq!(s.require_token().unwrap(), "ZmxhZw==");

        let g = global(None, None, None);
        let s = Settings::resolve_with(&g, env(&all), Some(file.clone())).unwrap();
        assert_eq!(s.require_server().unwrap(), "https://wats.example");
        assert_eq!(s.token.as_ref().unwrap().origin, Origin::Env("WATS_TOKEN"));

        let s = Settings::resolve_with(&g, env(&all[2..]), Some(file.clone())).unwrap();
        assert_eq!(s.require_server().unwrap(), "https://py.example");
        assert_eq!(s.token.unwrap().origin, Origin::Env("PYWATS_API_TOKEN"));

        // blank variables fall through to the file
        let blank = [("WATS_BASE_URL", " "), ("WATS_TOKEN", "")];
        let s = Settings::resolve_with(&g, env(&blank), Some(file.clone())).unwrap();
        assert_eq!(s.require_server().unwrap(), "https://file.example");
        assert_eq!(s.require_token().unwrap(), "ZmlsZQ==");
        assert_eq!(s.server.unwrap().origin, Origin::File(file.clone()));

        let s = Settings::resolve_with(&g, env(&[]), None).unwrap();
        assert_eq!(s.require_server().unwrap_err().code, crate::exit::USAGE);
        assert!(!format!("{:?}", Token("ZmlsZQ==".into())).contains("ZmlsZQ=="));
    }

    #[cfg(unix)]
    #[test]
    fn login_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub").join("config.toml");
        write_login(&file, "https://a.example", "dA==").unwrap();
        write_login(&file, "https://b.example", "dQ==").unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let s = read_file(&file).unwrap();
        assert_eq!(s.server.as_deref(), Some("https://b.example"));
    }
}
