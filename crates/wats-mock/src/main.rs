//! `wats-mock`: run the embedded WATS server standalone.
//!
//! ```text
//! cargo run -p wats-mock -- --port 8080 [--token TOKEN] [--latency-ms N] [--no-seed] [--gzip]
//! ```

use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str =
    "usage: wats-mock [--port N] [--token TOKEN] [--latency-ms N] [--no-seed] [--gzip]";

fn value(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<String, String> {
    args.next().ok_or_else(|| format!("{flag} needs a value"))
}

fn run() -> Result<(), String> {
    let mut builder = wats_mock::MockServer::builder();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let v = value(&mut args, "--port")?;
                builder = builder.port(v.parse().map_err(|_| format!("invalid port '{v}'"))?);
            }
            "--token" => builder = builder.token(value(&mut args, "--token")?),
            "--latency-ms" => {
                let v = value(&mut args, "--latency-ms")?;
                let ms: u64 = v.parse().map_err(|_| format!("invalid latency '{v}'"))?;
                builder = builder.latency(Duration::from_millis(ms));
            }
            "--no-seed" => builder = builder.seed(false),
            "--gzip" => builder = builder.gzip(true),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    let server = builder.start().map_err(|e| e.to_string())?;
    println!("{}", server.url());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(tokio::signal::ctrl_c())
        .map_err(|e| e.to_string())?;
    drop(server);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wats-mock: {e}");
            ExitCode::FAILURE
        }
    }
}
