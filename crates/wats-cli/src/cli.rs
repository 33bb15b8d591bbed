//! The command line grammar (clap derive): global options, commands and their `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes, shown under `wats --help`.
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0  ok
  1  failed (a file could not be read or parsed, a local error, nothing found)
  2  usage (bad arguments, missing server URL or token)
  3  server unreachable (connection refused, timeout, 5xx, circuit open)
  4  rejected (the server refused a report or the request: 4xx)";

const TOP_EXAMPLES: &str = "\
Examples:
  wats login --server https://acme.wats.com --token dXNlcjpwYXNz
  wats station
  wats submit reports/
  wats watch C:\\TestReports
  wats spool status

Settings: --server/--token, then WATS_BASE_URL/WATS_TOKEN, then
PYWATS_SERVER_URL/PYWATS_API_TOKEN, then the file written by `wats login`.
`wats config` shows which one won. The token is never printed.";

/// The `wats` command line.
#[derive(Debug, Parser)]
#[command(
    name = "wats",
    version,
    about = "WATS from the command line: submit reports, watch a folder, spool, station, queries",
    after_help = format!("{TOP_EXAMPLES}\n\n{EXIT_CODES}"),
    propagate_version = true
)]
pub(crate) struct Cli {
    /// Global options.
    #[command(flatten)]
    pub(crate) global: Global,
    /// The command.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options accepted by every command.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// WATS server URL (overrides WATS_BASE_URL, PYWATS_SERVER_URL and the login file).
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) server: Option<String>,
    /// API token (overrides WATS_TOKEN, PYWATS_API_TOKEN and the login file). Never printed.
    #[arg(long, global = true, value_name = "TOKEN")]
    pub(crate) token: Option<String>,
    /// Print machine-readable JSON (one document, or JSON lines for streams).
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Log format on stderr (default: WATS_LOG_FORMAT, else text).
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub(crate) log_format: Option<LogFormat>,
    /// The settings file (default: `config.toml` in the user's wats config directory;
    /// or WATS_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// The spool directory (default: WATS_SPOOL_DIR, else the per-server folder in the
    /// user's data directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) spool_dir: Option<PathBuf>,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Submit WSJF report files (directories are searched recursively for *.json).
    #[command(after_help = "\
Examples:
  wats submit report.json
  wats submit reports/ more/*.json
  wats submit --json reports/ > result.json

Each report is sent once; when WATS cannot take it now (unreachable, 5xx) it is kept
in the spool and delivered by `wats spool flush` or `wats watch`. Exit code 4 if the
server rejected any report, 1 if a file could not be read or parsed.")]
    Submit {
        /// Files or directories.
        #[arg(required = true, value_name = "FILE|DIR")]
        paths: Vec<PathBuf>,
    },
    /// Watch a folder: submit new report files, move them to done/ or rejected/.
    #[command(after_help = "\
Examples:
  wats watch C:\\TestReports
  wats watch /srv/reports --poll            # network share: no OS notifications
  wats watch reports --log-format json      # JSON log lines on stderr

A file is taken when its size and modification time stay the same across two checks
SETTLE apart (or write `name.json.part` and rename it to `name.json` when complete;
files not ending in .json, or starting with '.', and subfolders are ignored). Taken files wait in
DIR/.wats-watch/ until delivered: then done/, or rejected/ with NAME.reason.txt.
Survives restarts without submitting a file twice. Stops on Ctrl-C or SIGTERM.")]
    Watch(WatchArgs),
    /// The report spool: what waits for WATS.
    #[command(
        subcommand,
        after_help = "Examples:\n  wats spool status\n  wats spool flush\n  wats spool rejected"
    )]
    Spool(SpoolCommand),
    /// Which test station this is, and which tier supplied each value.
    #[command(after_help = "\
Examples:
  wats station
  WATS_STATION=ICT-07 wats station --json

Tiers: explicit, env (WATS_STATION, PYWATS_STATION), file (.wats/station.toml, ...),
machine (host name).")]
    Station,
    /// Check that WSJF files load and round-trip losslessly through the models.
    #[command(after_help = "\
Examples:
  wats check converter-output/
  wats check --kind unit unit.json

Each file is parsed and written back; any difference is printed with its JSON path.
Exit code 1 if any file fails.")]
    Check {
        /// What the files hold.
        #[arg(long, default_value = "report", value_name = "KIND")]
        kind: String,
        /// Files or directories.
        #[arg(required = true, value_name = "FILE|DIR")]
        paths: Vec<PathBuf>,
    },
    /// Reports: get one, query headers.
    #[command(
        subcommand,
        after_help = "Examples:\n  wats report query --serial SN-0042\n  wats report get 3f2c1a9e-8d5b-4c1e-9a7f-0b6d2e4c8a10"
    )]
    Report(ReportCommand),
    /// Production units.
    #[command(
        subcommand,
        after_help = "Examples:\n  wats unit get SN-0042 PCBA-1001"
    )]
    Unit(UnitCommand),
    /// Serial numbers: take new ones from the server's pools.
    #[command(
        subcommand,
        after_help = "Examples:\n  wats serial take PCBA-SN\n  wats serial take MAC --count 4 --json"
    )]
    Serial(SerialCommand),
    /// Assets (fixtures, instruments): may this one be used, count a use.
    #[command(
        subcommand,
        after_help = "Examples:\n  wats asset check FX-0042\n  wats asset check FX-0042 && run-test && wats asset count FX-0042"
    )]
    Asset(AssetCommand),
    /// First-pass yield of a product, per station (or another dimension).
    #[command(after_help = "\
Examples:
  wats yield --part PCBA-1001
  wats yield --part PCBA-1001 --by testOperation --json

Units, first-pass count and first-pass yield (percent, computed from the counts), one row
per value of the dimension (`--by`, a WATS dimension name; default stationName).")]
    Yield(YieldArgs),
    /// Products.
    #[command(subcommand, after_help = "Examples:\n  wats product list")]
    Product(ProductCommand),
    /// Processes (operation types).
    #[command(subcommand, after_help = "Examples:\n  wats process list --all")]
    Process(ProcessCommand),
    /// The version of this program and of the server.
    #[command(after_help = "\
Examples:
  wats version
  wats version --json")]
    Version,
    /// Run the embedded WATS mock server (for trying things) until Ctrl-C.
    #[command(after_help = "\
Examples:
  wats mock --port 8080
  WATS_BASE_URL=http://127.0.0.1:8080 WATS_TOKEN=dGVzdDp0ZXN0 wats product list")]
    Mock {
        /// Port on 127.0.0.1 (0: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Require this token.
        #[arg(long, value_name = "TOKEN")]
        require_token: Option<String>,
    },
    /// Where each setting comes from (the token is redacted).
    #[command(after_help = "\
Examples:
  wats config
  wats --server https://other.wats.com config --json")]
    Config,
    /// Store the server URL and token in the user's config file (owner-only permissions).
    #[command(after_help = "\
Examples:
  wats login --server https://acme.wats.com --token dXNlcjpwYXNz
  WATS_TOKEN=dXNlcjpwYXNz wats login --server https://acme.wats.com
  wats login --server https://acme.wats.com --no-verify

The server is asked for its version first (skip with --no-verify).")]
    Login {
        /// Do not contact the server before saving.
        #[arg(long)]
        no_verify: bool,
    },
    /// Print a shell completion script.
    #[command(after_help = "\
Examples:
  wats completions bash > ~/.local/share/bash-completion/completions/wats
  wats completions zsh > ~/.zfunc/_wats
  wats completions fish > ~/.config/fish/completions/wats.fish
  wats completions powershell >> $PROFILE")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `wats watch` options.
#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// The folder stations write reports into.
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// Do not use OS file notifications; find files by scanning only (network shares).
    #[arg(long)]
    pub(crate) poll: bool,
    /// How often the folder is scanned and the spool flushed, in milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub(crate) interval_ms: u64,
    /// A file must be unchanged (size and modification time) across two checks this far
    /// apart before it is read, in milliseconds.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub(crate) settle_ms: u64,
}

/// `wats spool ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum SpoolCommand {
    /// How many reports wait, were rejected or quarantined.
    #[command(after_help = "Examples:\n  wats spool status\n  wats spool status --json")]
    Status,
    /// The reports waiting, oldest first.
    #[command(after_help = "Examples:\n  wats spool list\n  wats spool list --json")]
    List,
    /// Deliver the waiting reports now.
    #[command(after_help = "\
Examples:
  wats spool flush
  wats spool flush --json

Exit code 3 when the server stopped the flush (unreachable), 4 if any report was rejected.")]
    Flush,
    /// Reports the server rejected, with its reason.
    #[command(after_help = "Examples:\n  wats spool rejected\n  wats spool rejected --json")]
    Rejected,
    /// Put a rejected report back in the queue (after fixing the cause).
    #[command(after_help = "\
Examples:
  wats spool retry 3f2c1a9e-8d5b-4c1e-9a7f-0b6d2e4c8a10
  wats spool retry 3f2c1a9e-8d5b-4c1e-9a7f-0b6d2e4c8a10 && wats spool flush")]
    Retry {
        /// The report id (see `wats spool rejected`).
        id: String,
    },
}

/// `wats report ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// Print a report (WSJF JSON, as stored).
    #[command(after_help = "Examples:\n  wats report get 3f2c1a9e-8d5b-4c1e-9a7f-0b6d2e4c8a10")]
    Get {
        /// The report id.
        id: String,
    },
    /// Query report headers.
    #[command(after_help = "\
Examples:
  wats report query --serial SN-0042
  wats report query --part PCBA-1001 --since 2026-01-31 --top 50
  wats report query --serial SN-0042 --uur --json")]
    Query(QueryArgs),
}

/// `wats report query` options.
#[derive(Debug, Args)]
pub(crate) struct QueryArgs {
    /// Serial number.
    #[arg(long, value_name = "SN")]
    pub(crate) serial: Option<String>,
    /// Part number.
    #[arg(long, value_name = "PN")]
    pub(crate) part: Option<String>,
    /// Revision.
    #[arg(long, value_name = "REV")]
    pub(crate) revision: Option<String>,
    /// Station name.
    #[arg(long, value_name = "NAME")]
    pub(crate) station: Option<String>,
    /// Started at or after: a date (2026-01-31, UTC midnight) or an RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    pub(crate) since: Option<String>,
    /// At most this many headers (server default 10).
    #[arg(long, value_name = "N")]
    pub(crate) top: Option<u32>,
    /// Repair (UUR) reports instead of test (UUT) reports.
    #[arg(long)]
    pub(crate) uur: bool,
}

/// `wats unit ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum UnitCommand {
    /// One unit by serial and part number.
    #[command(
        after_help = "Examples:\n  wats unit get SN-0042 PCBA-1001\n  wats unit get SN-0042 PCBA-1001 --json"
    )]
    Get {
        /// Serial number.
        serial: String,
        /// Part number.
        part: String,
    },
    /// May this unit go on? Its verification against the product's process rules: the
    /// grade, and each process that has not passed. Exit status 0 when the unit passes,
    /// 1 when it does not.
    #[command(
        after_help = "Examples:\n  wats unit verify SN-0042 PCBA-1001\n  wats unit verify SN-0042 PCBA-1001 --json"
    )]
    Verify {
        /// Serial number.
        serial: String,
        /// Part number.
        part: String,
    },
    /// Set a unit's phase: a name (Finalized, UnderProduction, Shipped, ...) or an id.
    #[command(
        after_help = "Examples:\n  wats unit phase SN-0042 PCBA-1001 Finalized\n  wats unit phase SN-0042 PCBA-1001 16"
    )]
    Phase {
        /// Serial number.
        serial: String,
        /// Part number.
        part: String,
        /// The phase: a name or a numeric id.
        phase: String,
    },
}

/// `wats serial ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum SerialCommand {
    /// Take new serial numbers of a type (they are never handed out again).
    #[command(after_help = "\
Examples:
  wats serial take PCBA-SN
  wats serial take MAC --count 4 --station ICT-07 --json

One number per line (JSON: a list). Not retried: a repeated request would take more.")]
    Take {
        /// The serial-number type (see the server's types, for example PCBA-SN).
        #[arg(value_name = "TYPE")]
        serial_type: String,
        /// How many.
        #[arg(long, default_value_t = 1, value_name = "N")]
        count: u32,
        /// Register them with this reference serial number.
        #[arg(long, value_name = "SN")]
        ref_serial: Option<String>,
        /// Register them with this reference part number.
        #[arg(long, value_name = "PN")]
        ref_part: Option<String>,
        /// Register them with this station (default: none).
        #[arg(long, value_name = "NAME")]
        station: Option<String>,
    },
}

/// `wats asset ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum AssetCommand {
    /// May this asset be used now? Exit status 0 when it may, 1 when something blocks it
    /// (alarm, calibration or maintenance overdue, a count at its limit).
    #[command(
        after_help = "Examples:\n  wats asset check FX-0042\n  wats asset check FX-0042 --json"
    )]
    Check {
        /// The asset's serial number.
        serial: String,
    },
    /// Count one use of the asset (its running and total counts grow by one).
    #[command(after_help = "Examples:\n  wats asset count FX-0042")]
    Count {
        /// The asset's serial number.
        serial: String,
    },
}

/// `wats yield` options.
#[derive(Debug, Args)]
pub(crate) struct YieldArgs {
    /// Part number.
    #[arg(long, value_name = "PN")]
    pub(crate) part: String,
    /// The dimension of the rows (a WATS dimension name).
    #[arg(long, default_value = "stationName", value_name = "DIMENSION")]
    pub(crate) by: String,
}

/// `wats product ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ProductCommand {
    /// All products.
    #[command(
        after_help = "Examples:\n  wats product list\n  wats product list --json | jq '.[].partNumber'"
    )]
    List,
}

/// `wats process ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ProcessCommand {
    /// Processes (test, repair and WIP operations).
    #[command(after_help = "Examples:\n  wats process list\n  wats process list --all")]
    List {
        /// Include every kind, inactive processes too.
        #[arg(long)]
        all: bool,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn grammar_is_consistent_and_every_command_has_examples() {
        Cli::command().debug_assert();
        fn walk(cmd: &clap::Command, path: &str) {
            for sub in cmd.get_subcommands() {
                let name = format!("{path} {}", sub.get_name());
                if sub.get_name() == "help" {
                    continue;
                }
                let help = sub.get_after_help().map(ToString::to_string);
                assert!(
                    help.is_some_and(|h| h.contains("Examples:")),
                    "{name} has no examples in --help"
                );
                walk(sub, &name);
            }
        }
        walk(&Cli::command(), "wats");
    }
}
