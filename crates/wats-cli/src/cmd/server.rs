//! `wats version`, `wats mock`, `wats config`, `wats login`, `wats completions`.

use clap::CommandFactory;
use serde::Serialize;

use crate::Ctx;
use crate::cli::Cli;
use crate::config::Origin;
use crate::exit::{self, Failure};
use crate::output::{self, Table};

/// `wats version`: this program's version, and the server's when one is configured.
pub(crate) async fn version(ctx: &Ctx) -> Result<u8, Failure> {
    #[derive(Serialize)]
    struct Version {
        cli: &'static str,
        server_url: Option<String>,
        server_version: Option<String>,
    }
    let mut v = Version {
        cli: env!("CARGO_PKG_VERSION"),
        server_url: None,
        server_version: None,
    };
    if ctx.settings.server.is_some() {
        let client = ctx.client()?;
        v.server_url = Some(client.base_url().to_owned());
        v.server_version = Some(client.app().version().await?);
    }
    if ctx.json {
        output::json(&v)?;
    } else {
        output::line(&format!("wats {}", v.cli))?;
        if let (Some(url), Some(version)) = (&v.server_url, &v.server_version) {
            output::line(&format!("server {url}: WATS {version}"))?;
        }
    }
    Ok(exit::OK)
}

/// `wats mock`: the embedded server until Ctrl-C or SIGTERM. The URL is the first line on
/// stdout.
pub(crate) async fn mock(
    ctx: &Ctx,
    port: u16,
    require_token: Option<String>,
) -> Result<u8, Failure> {
    let mut builder = wats_mock::MockServer::builder().port(port);
    if let Some(token) = require_token {
        builder = builder.token(token);
    }
    let server = builder
        .start()
        .map_err(|e| Failure::failed(format!("cannot start the mock server: {e}")))?;
    if ctx.json {
        output::json_line(&serde_json::json!({ "url": server.url() }))?;
    } else {
        output::line(server.url())?;
        output::note("the embedded WATS mock server is running; Ctrl-C stops it");
    }
    crate::signal::shutdown().await;
    tracing::info!(requests = server.requests_total(), "mock server stopped");
    drop(server);
    Ok(exit::OK)
}

/// `wats config`: every setting, its value (the token redacted) and where it came from.
pub(crate) fn config(ctx: &Ctx) -> Result<u8, Failure> {
    #[derive(Serialize)]
    struct Row {
        setting: &'static str,
        value: Option<String>,
        source: Option<String>,
    }
    let s = &ctx.settings;
    let origin = |o: &Origin| Some(o.to_string());
    let spool = s.spool_dir().ok();
    let rows = vec![
        Row {
            setting: "server",
            value: s.server.as_ref().map(|v| v.value.clone()),
            source: s.server.as_ref().and_then(|v| origin(&v.origin)),
        },
        Row {
            setting: "token",
            value: s.token.as_ref().map(|_| "<redacted>".to_owned()),
            source: s.token.as_ref().and_then(|v| origin(&v.origin)),
        },
        Row {
            setting: "settings file",
            value: s.file.as_ref().map(|f| {
                let exists = if f.value.exists() { "" } else { " (absent)" };
                format!("{}{exists}", f.value.display())
            }),
            source: s.file.as_ref().and_then(|f| origin(&f.origin)),
        },
        Row {
            setting: "spool dir",
            value: spool.as_ref().map(|d| d.value.display().to_string()),
            source: spool.as_ref().and_then(|d| origin(&d.origin)),
        },
    ];
    if ctx.json {
        output::json(&rows)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&["setting", "value", "source"]);
    for r in &rows {
        table.row(vec![
            r.setting.to_owned(),
            r.value.clone().unwrap_or_else(|| "(not set)".to_owned()),
            output::opt(r.source.as_deref()),
        ]);
    }
    table.print()?;
    Ok(exit::OK)
}

/// `wats login`: check the server (unless `--no-verify`), then store URL and token.
pub(crate) async fn login(ctx: &Ctx, no_verify: bool) -> Result<u8, Failure> {
    let server = ctx.settings.require_server()?;
    let token = ctx.settings.require_token()?;
    let file = ctx.settings.file.as_ref().ok_or_else(|| {
        Failure::usage("no user config directory: pass --config FILE or set WATS_CONFIG")
    })?;
    let mut version = None;
    if !no_verify {
        let client = ctx.client()?;
        version = Some(client.app().version().await?);
    }
    crate::config::write_login(&file.value, server, token)?;
    if ctx.json {
        output::json(&serde_json::json!({
            "server": server,
            "server_version": version,
            "file": file.value,
        }))?;
    } else {
        if let Some(v) = &version {
            output::line(&format!("{server}: WATS {v}"))?;
        }
        output::line(&format!(
            "saved server and token to {} (readable by you only)",
            file.value.display()
        ))?;
    }
    Ok(exit::OK)
}

/// `wats completions SHELL`.
pub(crate) fn completions(shell: clap_complete::Shell) -> Result<u8, Failure> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "wats", &mut out);
    let text = String::from_utf8_lossy(&out);
    output::line(text.trim_end())?;
    Ok(exit::OK)
}
