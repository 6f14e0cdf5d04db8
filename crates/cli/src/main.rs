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
    /// Verify the tamper-evident audit ledger, print proofs, sign checkpoints.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Put a policy or intent model into force, only when it passes the counterfactual
    /// fairness probes (route and priority through the pipeline; names and places on the model
    /// alone) within the maximum flip rate of the policy in force. Exits 1 when refused.
    #[command(
        after_help = "Example:\n  candor activate --intent-model intent.ctc\n  candor activate --policy policy.toml --probe-set our-probes.jsonl"
    )]
    Activate {
        #[command(flatten)]
        args: candor::activate_cmd::ActivateArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Train an intent classifier on labelled texts and save it as a checksummed model file.
    #[command(
        after_help = "Reads .csv and .tsv (with a header row) and .jsonl (one object per line) by extension.\nPrints the validation accuracy of every epoch; the best epoch's weights are kept.\nThe same data, settings and seed give the same model (set SOURCE_DATE_EPOCH for the same bytes).\n\nExample:\n  candor train --data tickets.csv --text-col text --label-col intent --out intent.ctc\n  candor train --data train.jsonl --valid dev.jsonl --text-col text --label-col label --out intent.ctc --source 'Support tickets 2024' --licence internal --datasheet intent.md"
    )]
    Train(candor::train_cmd::TrainArgs),
    /// Score an intent model on labelled texts: accuracy, macro-F1, per-class precision, recall
    /// and F1, and the most confused label pairs.
    #[command(
        after_help = "Example:\n  candor eval --model intent.ctc --data test.csv --text-col text --label-col intent\n  candor eval --model intent.ctc --data test.jsonl --text-col text --label-col label --format json"
    )]
    Eval(EvalCommand),
    /// Create, list and revoke API tokens (each grants one role).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Accounts for people, who log in with a password (POST /v1/sessions).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the knowledge base the bot answers from.
    #[command(subcommand)]
    Kb(KbCommand),
    /// Data-subject rights: export or erase everything held about a customer; record and show
    /// their consent.
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Purge data older than its retention period (`[retention]` in the policy).
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Re-wrap every customer's data key with a new master key.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Find and pseudonymise personal data in texts, without a server or database.
    #[command(
        subcommand,
        after_help = "Example:\n  candor pii detect --input messages.jsonl > found.jsonl"
    )]
    Pii(candor::pii_cmd::PiiCommand),
}

/// `candor eval --model …` scores an intent model; `candor eval pii …` the PII detector.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct EvalCommand {
    #[command(subcommand)]
    what: Option<EvalWhat>,
    #[command(flatten)]
    intent: Option<candor::train_cmd::EvalArgs>,
}

#[derive(Subcommand)]
enum EvalWhat {
    /// Score PII detection on labelled texts: per-kind precision, recall and F1 by overlap and
    /// by exact span, untyped recall and leak rate.
    #[command(
        after_help = "Data: Candor's JSONL {\"text\", \"spans\": [{\"start\", \"end\", \"type\"}]} (byte offsets), CoNLL/IOB (.iob2/.conll/.tsv, PER → PERSON)\nor Presidio's synthetic JSON (.json, character offsets). Format: docs/specs/pii.md.\n\nExample:\n  candor eval pii --data labelled.jsonl --format json\n  candor eval pii --data ../shared/data/uner-da-ddt/da_ddt-ud-test.iob2 --format md"
    )]
    Pii(candor::pii_cmd::EvalPiiArgs),
}

#[derive(Subcommand)]
enum CustomerCommand {
    /// Print everything held about a customer as JSON: conversations, decisions, originals,
    /// vault values, AI preference, consent history, complaints and events.
    #[command(after_help = "Example:\n  candor customer export cust-123 > cust-123.json")]
    Export {
        /// The customer id, as the integration identifies them.
        id: String,
        #[command(flatten)]
        common: Common,
    },
    /// Erase a customer by crypto-shredding their data key and deleting derived plaintext;
    /// decisions stay, pseudonymised, and the audit ledger still verifies.
    #[command(after_help = "Example:\n  candor customer erase cust-123 --actor dpo-jane --yes")]
    Erase {
        /// The customer id.
        id: String,
        /// Who erases (recorded as a keyed hash in the audit ledger).
        #[arg(long, default_value = "cli")]
        actor: String,
        /// Confirm: erasure cannot be undone.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Record that a customer grants or withdraws consent to one purpose (with a
    /// `consent_change` audit record), then print their consent as JSON.
    #[command(
        after_help = "Example:\n  candor customer consent cust-123 --purpose model_training --withdraw --source 'phone call 2026-11-20'"
    )]
    Consent {
        /// The customer id.
        id: String,
        /// The purpose.
        #[arg(long, value_parser = ["ai_triage", "ai_answers", "analytics", "model_training"])]
        purpose: String,
        /// The customer gives consent.
        #[arg(
            long,
            conflicts_with = "withdraw",
            required_unless_present = "withdraw"
        )]
        grant: bool,
        /// The customer withdraws consent.
        #[arg(long)]
        withdraw: bool,
        /// How it was given, recorded with the change.
        #[arg(long, default_value = "cli")]
        source: String,
        #[command(flatten)]
        common: Common,
    },
    /// Print a customer's consent in force per purpose and its history as JSON (the same as
    /// `GET /v1/customers/{id}/consent`).
    #[command(after_help = "Example:\n  candor customer consents cust-123")]
    Consents {
        /// The customer id.
        id: String,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Purge, per data class, everything older than its retention period; every batch is one
    /// transaction with a `retention_purge` audit record. `serve` does the same every
    /// `retention.purge_interval_minutes`.
    #[command(
        after_help = "Prints per class how many items expired and the oldest of them; a real run also prints the audit records.\n\nExample:\n  candor retention purge --dry-run\n  candor retention purge --database-url postgres://candor@db:5432/candor"
    )]
    Purge {
        /// Only count and show what would be purged; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Re-wrap every customer's data key with a new master key, in batches, while nodes keep
    /// serving; re-running continues where a run stopped. Prints the steps to finish.
    #[command(
        after_help = "Zero downtime with running nodes:\n  1. candor keys rotate --new-key-file NEW --create-only\n  2. on every node: privacy.master_key_file = NEW, privacy.previous_master_key_files = [OLD]; restart one at a time\n  3. candor keys rotate   (again until it reports 0 left)\n  4. empty privacy.previous_master_key_files\n\nExample:\n  candor keys rotate --new-key-file /run/secrets/master-2027.key"
    )]
    Rotate {
        /// The new master key (64 hex digits); created, readable by the owner only, if missing
        /// [default: privacy.master_key_file].
        #[arg(long, value_name = "PATH")]
        new_key_file: Option<PathBuf>,
        /// Data keys per transaction.
        #[arg(long, value_name = "N", default_value_t = candor_pipeline::rotation::ROTATION_BATCH)]
        batch_size: u32,
        /// Only create the new key file and print the steps; re-wrap nothing.
        #[arg(long)]
        create_only: bool,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum KbCommand {
    /// Import every article under DIR (`*.md` with `+++` front matter, e.g. `da/password-reset.md`);
    /// articles whose stored version is the same or newer are left as they are.
    #[command(
        after_help = "Example:\n  candor kb import kb/\n  candor kb import ./articles --database-url postgres://candor@db:5432/candor"
    )]
    Import {
        /// The directory of articles.
        dir: PathBuf,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; its secret is printed once on stdout.
    #[command(
        after_help = "Roles: channel (submits messages), agent, supervisor, ai_officer, dpo, admin.\n\nExample:\n  candor token create --name first-admin --role admin\n  candor token create --name chat-widget --role channel --database-url postgres://candor@db:5432/candor\n  candor token create --name contractor --role agent --expires-in 30"
    )]
    Create {
        /// What the token is for [default: the role's name].
        #[arg(long)]
        name: Option<String>,
        /// The role it grants.
        #[arg(long)]
        role: String,
        /// Make it stop working after this many days (1 to 3650) [default: never].
        #[arg(long, value_name = "DAYS")]
        expires_in: Option<u32>,
        #[command(flatten)]
        common: Common,
    },
    /// List tokens (never their secrets).
    #[command(after_help = "Example:\n  candor token list")]
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Revoke a token; it stops working at once.
    #[command(after_help = "Example:\n  candor token revoke tok_1a2b3c4d5e6f")]
    Revoke {
        /// The token's id (from `candor token list`).
        id: String,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from CANDOR_PASSWORD if set, else one line of
    /// standard input, and must be at least 12 characters.
    #[command(
        after_help = "Roles: agent, supervisor, ai_officer, dpo, admin (channel is for integrations' tokens).\nUsernames: 1 to 64 of ASCII letters, digits, `-`, `_`, `.`; compared case-insensitively.\n\nExample:\n  candor user create --username jane --role agent < password.txt\n  CANDOR_PASSWORD=\"$(cat secret)\" candor user create --username dpo-anna --role dpo"
    )]
    Create {
        /// The login name.
        #[arg(long)]
        username: String,
        /// The role the user's sessions grant.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        common: Common,
    },
    /// List users (never their password hashes).
    #[command(after_help = "Example:\n  candor user list")]
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Disable a user: they cannot log in any more, and their open sessions are revoked.
    #[command(after_help = "Example:\n  candor user disable --username jane")]
    Disable {
        /// The login name.
        #[arg(long)]
        username: String,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the whole Merkle tree from the stored records and check every stored hash,
    /// every checkpoint signature and the consistency between consecutive checkpoints.
    /// Exits 0 only when everything verifies; otherwise names the first bad entry or checkpoint.
    #[command(
        after_help = "Example:\n  candor audit verify --data-dir ./candor-data\n  candor audit verify --database-url postgres://candor@db:5432/candor --public-key 'candor-audit-1a2b3c4d+0badc0de+AU…'"
    )]
    Verify {
        /// Verifier key to check checkpoints against (as published at /v1/audit/public-key)
        /// [default: derived from the local signing key].
        #[arg(long, value_name = "VKEY")]
        public_key: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Print an entry with its inclusion proof, or a consistency proof, as JSON.
    #[command(
        after_help = "Example:\n  candor audit proof --entry 41\n  candor audit proof --entry 41 --tree-size 100\n  candor audit proof --consistency 100 250"
    )]
    Proof {
        /// The entry (leaf index, from 0) to prove.
        #[arg(
            long,
            value_name = "N",
            conflicts_with = "consistency",
            required_unless_present = "consistency"
        )]
        entry: Option<u64>,
        /// The tree size to prove inclusion in [default: the current size].
        #[arg(long, value_name = "M", requires = "entry")]
        tree_size: Option<u64>,
        /// Prove that the tree of B entries extends the tree of A entries.
        #[arg(long, num_args = 2, value_names = ["A", "B"])]
        consistency: Option<Vec<u64>>,
        #[command(flatten)]
        common: Common,
    },
    /// Check that Candor treats customers alike: counterfactual probes through the pipeline
    /// (names, places, tenure, formality, typos) and group audits of logged decisions.
    #[command(
        after_help = "Exit status: 0 when no flip rate is above --max-flip-rate and the group audit raised no alert, 1 otherwise.\nProbe set: one {\"text\", \"lang\"} per line; slots {name}, {place}, {postcode}, {tenure} (docs/specs/fairness.md).\n\nExample:\n  candor audit fairness --probe --format json\n  candor audit fairness --probe --probe-set probes.jsonl --max-flip-rate 0\n  candor audit fairness --since 30d --format html --output fairness.html"
    )]
    Fairness {
        #[command(flatten)]
        args: candor::fairness_cmd::FairnessArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Sign a checkpoint of the log as it is now and print it.
    #[command(after_help = "Example:\n  candor audit checkpoint --data-dir ./candor-data")]
    Checkpoint {
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

/// Commands whose output is the point log only warnings, unless asked otherwise.
fn quiet_logs(config: &CandorConfig) -> CandorConfig {
    let mut quiet = config.clone();
    if std::env::var_os("RUST_LOG").is_none() && quiet.log.level == "info" {
        quiet.log.level = "warn".to_owned();
    }
    quiet
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
            candor::init_logging(&quiet_logs(&config))?;
            candor::demo::run(config, exit).await?;
        }
        Command::Token(command) => {
            let (TokenCommand::Create { common, .. }
            | TokenCommand::List { common }
            | TokenCommand::Revoke { common, .. }) = &command;
            let config = load(common, None)?;
            candor::init_logging(&quiet_logs(&config))?;
            match &command {
                TokenCommand::Create {
                    name,
                    role,
                    expires_in,
                    ..
                } => candor::token_cmd::create(&config, name.as_deref(), role, *expires_in).await?,
                TokenCommand::List { .. } => candor::token_cmd::list(&config).await?,
                TokenCommand::Revoke { id, .. } => candor::token_cmd::revoke(&config, id).await?,
            }
        }
        Command::User(command) => {
            let (UserCommand::Create { common, .. }
            | UserCommand::List { common }
            | UserCommand::Disable { common, .. }) = &command;
            let config = load(common, None)?;
            candor::init_logging(&quiet_logs(&config))?;
            match &command {
                UserCommand::Create { username, role, .. } => {
                    candor::user_cmd::create(&config, username, role).await?
                }
                UserCommand::List { .. } => candor::user_cmd::list(&config).await?,
                UserCommand::Disable { username, .. } => {
                    candor::user_cmd::disable(&config, username).await?
                }
            }
        }
        Command::Customer(CustomerCommand::Export { id, common }) => {
            let mut config = load(&common, None)?;
            candor::init_logging(&quiet_logs(&config))?;
            config.pipeline.knowledge_base_dir = PathBuf::new();
            candor::customer_cmd::export(&config, &id).await?;
        }
        Command::Customer(CustomerCommand::Erase {
            id,
            actor,
            yes,
            common,
        }) => {
            let mut config = load(&common, None)?;
            candor::init_logging(&quiet_logs(&config))?;
            config.pipeline.knowledge_base_dir = PathBuf::new();
            candor::customer_cmd::erase(&config, &id, &actor, yes).await?;
        }
        Command::Customer(CustomerCommand::Consent {
            id,
            purpose,
            grant,
            source,
            common,
            ..
        }) => {
            let mut config = load(&common, None)?;
            candor::init_logging(&quiet_logs(&config))?;
            config.pipeline.knowledge_base_dir = PathBuf::new();
            candor::customer_cmd::consent(&config, &id, &purpose, grant, &source).await?;
        }
        Command::Customer(CustomerCommand::Consents { id, common }) => {
            let mut config = load(&common, None)?;
            candor::init_logging(&quiet_logs(&config))?;
            config.pipeline.knowledge_base_dir = PathBuf::new();
            candor::customer_cmd::consents(&config, &id).await?;
        }
        Command::Retention(RetentionCommand::Purge { dry_run, common }) => {
            let config = load(&common, None)?;
            candor::init_logging(&quiet_logs(&config))?;
            candor::retention_cmd::purge(&config, dry_run).await?;
        }
        Command::Keys(KeysCommand::Rotate {
            new_key_file,
            batch_size,
            create_only,
            common,
        }) => {
            let config = load(&common, None)?;
            candor::init_logging(&quiet_logs(&config))?;
            let args = candor::keys_cmd::RotateArgs {
                new_key_file,
                batch_size,
                create_only,
            };
            candor::keys_cmd::rotate(&config, &args).await?;
        }
        Command::Kb(KbCommand::Import { dir, common }) => {
            let mut config = load(&common, None)?;
            candor::init_logging(&quiet_logs(&config))?;
            // Only the directory asked for, not the configured one as well.
            config.pipeline.knowledge_base_dir = PathBuf::new();
            let (found, imported) = candor::kb_cmd::import(&config, &dir).await?;
            println!(
                "{found} article(s) found in {}, {imported} imported",
                dir.display()
            );
        }
        Command::Pii(command) => {
            if !candor::pii_cmd::run(&command)? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Activate { args, common } => {
            let config = load(&common, None)?;
            candor::init_logging(&quiet_logs(&config))?;
            if !candor::activate_cmd::run(&args, &config).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Train(args) => candor::train_cmd::train(&args)?,
        Command::Eval(EvalCommand {
            what: Some(EvalWhat::Pii(args)),
            ..
        }) => candor::pii_cmd::eval(&args)?,
        Command::Eval(EvalCommand {
            intent: Some(args), ..
        }) => candor::train_cmd::eval(&args)?,
        Command::Eval(_) => {
            anyhow::bail!("candor eval needs --model, --data, --text-col and --label-col, or `pii`")
        }
        Command::Audit(command) => match command {
            AuditCommand::Verify { public_key, common } => {
                let config = load(&common, None)?;
                candor::init_logging(&quiet_logs(&config))?;
                candor::audit_cmd::verify(&config, public_key.as_deref()).await?;
            }
            AuditCommand::Proof {
                entry,
                tree_size,
                consistency,
                common,
            } => {
                let config = load(&common, None)?;
                candor::init_logging(&quiet_logs(&config))?;
                match (entry, consistency.as_deref()) {
                    (Some(n), _) => candor::audit_cmd::entry_proof(&config, n, tree_size).await?,
                    (None, Some([a, b])) => {
                        candor::audit_cmd::consistency_proof(&config, *a, *b).await?
                    }
                    _ => anyhow::bail!("give --entry N or --consistency A B"),
                }
            }
            AuditCommand::Fairness { args, common } => {
                let config = load(&common, None)?;
                candor::init_logging(&quiet_logs(&config))?;
                if !candor::fairness_cmd::run(&args, &config).await? {
                    return Ok(ExitCode::FAILURE);
                }
            }
            AuditCommand::Checkpoint { common } => {
                let config = load(&common, None)?;
                candor::init_logging(&quiet_logs(&config))?;
                candor::audit_cmd::checkpoint(&config).await?;
            }
        },
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
