//! `wats`: the WATS command line.
//!
//! Submit WSJF report files, watch a station's report folder, look into the spool, ask which
//! station this is, query reports, units, products and processes, run the embedded mock
//! server. `wats --help` lists the commands, each with examples; exit codes are 0 ok,
//! 1 failed, 2 usage, 3 server unreachable, 4 rejected. The token is never printed.

mod cli;
mod cmd;
mod config;
mod exit;
mod files;
mod output;
mod signal;
mod watch;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, LogFormat};
use crate::config::Settings;
use crate::exit::Failure;

/// What every command gets: the global options and the resolved settings.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// `--json`.
    pub(crate) json: bool,
    /// Server, token, spool directory, settings file.
    pub(crate) settings: Settings,
}

impl Ctx {
    /// A client for the configured server (usage failure without server or token).
    pub(crate) fn client(&self) -> Result<wats_http::Client, Failure> {
        self.client_with(|b| b)
    }

    /// A client, with extra builder settings.
    pub(crate) fn client_with(
        &self,
        extra: impl FnOnce(wats_http::ClientBuilder) -> wats_http::ClientBuilder,
    ) -> Result<wats_http::Client, Failure> {
        let mut builder = wats_http::Client::builder()
            .base_url(self.settings.require_server()?)
            .token(self.settings.require_token()?);
        if let Some(dir) = &self.settings.spool_dir {
            builder = builder.spool_dir(&dir.value);
        }
        // A file-based uploader moves a report the server refuses (a 4xx about the report)
        // to rejected/ with the reason at once, where a technician sees it and can
        // `wats spool retry` it; the SDK's default would try it 10 times first.
        builder = builder.spool_dead_letter(wats_http::DeadLetter::new(
            1,
            std::time::Duration::from_secs(7 * 24 * 3600),
        ));
        Ok(extra(builder).build()?)
    }
}

fn init_logging(format: Option<LogFormat>, verbose_default: bool) -> Result<(), Failure> {
    let builder = wats_log::Builder::from_env()
        .map_err(|e| Failure::usage(e.to_string()))?
        .writer(std::io::stderr)
        .level(if verbose_default {
            wats_log::LevelFilter::INFO
        } else {
            wats_log::LevelFilter::ERROR
        });
    let builder = match format {
        Some(LogFormat::Json) => builder.json(),
        Some(LogFormat::Text) => builder.text(),
        None => builder,
    };
    match builder.init() {
        Ok(()) | Err(wats_log::Error::AlreadySet(_)) => Ok(()),
        Err(e) => Err(Failure::usage(e.to_string())),
    }
}

async fn dispatch(command: Command, ctx: Ctx) -> Result<u8, Failure> {
    use crate::cli::{
        AssetCommand, ProcessCommand, ProductCommand, ReportCommand, SerialCommand, UnitCommand,
    };
    use crate::cmd::{check, mes, query, server, spool, station, submit};
    match command {
        Command::Submit { paths } => submit::run(&ctx, &paths).await,
        Command::Watch(args) => watch::run(&ctx, &args).await,
        Command::Spool(c) => spool::run(&ctx, c).await,
        Command::Station => station::run(&ctx),
        Command::Check { kind, paths } => check::run(&ctx, &kind, &paths),
        Command::Report(ReportCommand::Get { id }) => query::report_get(&ctx, &id).await,
        Command::Report(ReportCommand::Query(args)) => query::report_query(&ctx, &args).await,
        Command::Unit(UnitCommand::Get { serial, part }) => {
            query::unit_get(&ctx, &serial, &part).await
        }
        Command::Unit(UnitCommand::Verify { serial, part }) => {
            query::unit_verify(&ctx, &serial, &part).await
        }
        Command::Unit(UnitCommand::Phase {
            serial,
            part,
            phase,
        }) => mes::unit_phase(&ctx, &serial, &part, &phase).await,
        Command::Serial(SerialCommand::Take {
            serial_type,
            count,
            ref_serial,
            ref_part,
            station,
        }) => {
            let refs = mes::TakeRefs {
                serial: ref_serial,
                part: ref_part,
                station,
            };
            mes::serial_take(&ctx, &serial_type, count, refs).await
        }
        Command::Asset(AssetCommand::Check { serial }) => mes::asset_check(&ctx, &serial).await,
        Command::Asset(AssetCommand::Count { serial }) => mes::asset_count(&ctx, &serial).await,
        Command::Yield(args) => mes::yield_by(&ctx, &args).await,
        Command::Product(ProductCommand::List) => query::product_list(&ctx).await,
        Command::Process(ProcessCommand::List { all }) => query::process_list(&ctx, all).await,
        Command::Version => server::version(&ctx).await,
        Command::Mock {
            port,
            require_token,
        } => server::mock(&ctx, port, require_token).await,
        Command::Config => server::config(&ctx),
        Command::Login { no_verify } => server::login(&ctx, no_verify).await,
        Command::Completions { shell } => server::completions(shell),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbose = matches!(cli.command, Command::Watch(_) | Command::Mock { .. });
    let result = init_logging(cli.global.log_format, verbose).and_then(|()| {
        let settings = Settings::resolve(&cli.global)?;
        let ctx = Ctx {
            json: cli.global.json,
            settings,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Failure::failed(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(dispatch(cli.command, ctx))
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            output::note(&format!(
                "{} {}",
                output::paint(output::BAD, "error:"),
                failure.message
            ));
            failure.exit_code()
        }
    }
}
