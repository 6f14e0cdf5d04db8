//! `candor`: the trust layer for AI in customer service.

use std::path::PathBuf;
use std::process::ExitCode;

use candor::config::{CandorConfig, Overrides};
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "candor",
    version,
    about = "Trust layer for AI in customer service: pseudonymise, understand, route and record every message."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Common {
    /// Config file (default: ./candor.toml if it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory for the SQLite database and keys [default: ./candor-data].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Use PostgreSQL instead of SQLite.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API.
    #[command(
        after_help = "Example:\n  candor serve --addr 127.0.0.1:8080 --data-dir ./candor-data\n  candor serve --database-url postgres://candor@127.0.0.1:5432/candor"
    )]
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Run the message path over a JSONL file, without a server.
    #[command(
        after_help = "Each input line: {\"customer_id\": \"…\", \"text\": \"…\", \"conversation_id\"?: \"…\", \"channel\"?: \"email|chat|voice|api\", \"metadata\"?: {…}}\nEach output line: the decision for that input line, in order (docs/specs/decision.md).\nExit status: 0 when every line was processed, 1 otherwise.\n\nExample:\n  candor triage --input tickets.jsonl --output decisions.jsonl"
    )]
    Triage {
        /// Input, one JSON object per line.
        #[arg(long, value_name = "FILE.jsonl")]
        input: PathBuf,
        /// Output, one decision per input line [default: standard output].
        #[arg(long, value_name = "FILE.jsonl")]
        output: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Start Candor on the embedded default, send sample conversations in four languages
    /// through it over HTTP, print the decisions, and keep serving.
    #[command(
        after_help = "Example:\n  cargo run --release -- demo\n  candor demo --addr 127.0.0.1:9090 --exit"
    )]
    Demo {
        /// Address to listen on [default: 127.0.0.1:8080; a free port if taken].
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<String>,
        /// Stop after printing the decisions instead of serving on.
        #[arg(long)]
        exit: bool,
        #[command(flatten)]
        common: Common,
    },
}

fn load(common: &Common, addr: Option<String>) -> anyhow::Result<CandorConfig> {
    CandorConfig::load(
        common.config.as_deref(),
        &Overrides {
            addr,
            data_dir: common.data_dir.clone(),
            database_url: common.database_url.clone(),
        },
    )
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { addr, common } => {
            let config = load(&common, addr)?;
            candor::init_logging(&config)?;
            candor::serve::run(config).await?;
        }
        Command::Triage {
            input,
            output,
            common,
        } => {
            let config = load(&common, None)?;
            candor::init_logging(&config)?;
            let summary = candor::triage::run(config, &input, output.as_deref()).await?;
            if !summary.failed.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Demo { addr, exit, common } => {
            let config = load(&common, addr)?;
            // The demo's output is the table; keep the logs to warnings unless asked.
            let mut quiet = config.clone();
            if std::env::var_os("RUST_LOG").is_none() && quiet.log.level == "info" {
                quiet.log.level = "warn".to_owned();
            }
            candor::init_logging(&quiet)?;
            candor::demo::run(config, exit).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("candor: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("candor: {e:#}");
            ExitCode::FAILURE
        }
    }
}
