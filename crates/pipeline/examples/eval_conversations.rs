//! Runs the labelled conversations in `data/conversations/eval.jsonl` through a real pipeline
//! (the shipped policy, the sample knowledge base, a temporary SQLite store) and scores the
//! decision on each conversation's last turn against its label.
//!
//! `cargo run -p candor-pipeline --release --example eval_conversations [-- --data PATH --format md|json]`
//!
//! The set is for evaluation only: nothing in Candor is trained or tuned on it
//! (`data/conversations/README.md`).

use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use candor_core::{Channel, Route};
use candor_pii::PseudonymKey;
use candor_pipeline::vault::MasterKey;
use candor_pipeline::{DEFAULT_POLICY, Inbound, Limits, Pipeline, Policy};
use candor_store::{SqliteStore, SqliteSync, Store};
use serde::Deserialize;
use serde_json::json;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// One labelled conversation, as a line of the JSONL file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Conversation {
    id: String,
    lang: String,
    opted_out: bool,
    turns: Vec<String>,
    expected: Expected,
    expected_article: Option<String>,
    why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Expected {
    Bot,
    Human,
}

/// What the pipeline did on the last turn, compared with the label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Bot-labelled, and the bot answered from the expected article.
    CorrectBot,
    /// The bot answered a human-labelled conversation, or from the wrong article.
    WrongBot,
    /// The bot asked a clarifying question on the last turn.
    AskedAgain,
    /// Human-labelled, and a person gets it.
    CorrectHuman,
    /// Bot-labelled, but a person gets it.
    NeedlessHuman,
}

/// The result of one conversation.
struct Scored {
    conversation: Conversation,
    verdict: Verdict,
    /// `bot:<article>`, `bot:clarify` or `human:<reason>` for the last turn.
    got: String,
    /// Whether the bot answered (or asked) on any turn of an opted-out conversation.
    bot_spoke_to_opted_out: bool,
}

#[derive(Default)]
struct Tally {
    total: usize,
    bot_labelled: usize,
    human_labelled: usize,
    correct_bot: usize,
    wrong_bot: usize,
    asked_again: usize,
    correct_human: usize,
    needless_human: usize,
    needless_reasons: BTreeMap<String, usize>,
    human_requests_answered: usize,
    opted_out_answered: usize,
}

impl Tally {
    fn add(&mut self, s: &Scored) {
        self.total += 1;
        match s.conversation.expected {
            Expected::Bot => self.bot_labelled += 1,
            Expected::Human => self.human_labelled += 1,
        }
        match s.verdict {
            Verdict::CorrectBot => self.correct_bot += 1,
            Verdict::WrongBot => self.wrong_bot += 1,
            Verdict::AskedAgain => self.asked_again += 1,
            Verdict::CorrectHuman => self.correct_human += 1,
            Verdict::NeedlessHuman => {
                self.needless_human += 1;
                let reason = s.got.trim_start_matches("human:").to_owned();
                *self.needless_reasons.entry(reason).or_default() += 1;
            }
        }
        // A clarifying question is a bot turn too: a customer who asked for a person must not
        // get one (decision step 2).
        if s.conversation.why == "human_request" && s.got.starts_with("bot:") {
            self.human_requests_answered += 1;
        }
        if s.bot_spoke_to_opted_out {
            self.opted_out_answered += 1;
        }
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "conversations": self.total,
            "bot_labelled": self.bot_labelled,
            "human_labelled": self.human_labelled,
            "correct_bot_answers": self.correct_bot,
            "wrong_bot_answers": self.wrong_bot,
            "bot_asked_again": self.asked_again,
            "correctly_escalated": self.correct_human,
            "unnecessarily_escalated": self.needless_human,
            "unnecessary_escalation_reasons": self.needless_reasons,
            "human_requests_answered_by_bot": self.human_requests_answered,
            "opted_out_answered_by_bot": self.opted_out_answered,
        })
    }
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        "–".to_owned()
    } else {
        format!("{n} ({:.1}%)", 100.0 * n as f64 / of as f64)
    }
}

fn parse_args() -> Result<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut data = root.join("data/conversations/eval.jsonl");
    let mut format = "md".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data" => data = args.next().ok_or("--data needs a path")?.into(),
            "--format" => format = args.next().ok_or("--format needs md or json")?,
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    if format != "md" && format != "json" {
        return Err(format!("--format must be md or json, not {format:?}").into());
    }
    Ok((data, format))
}

fn load(path: &Path) -> Result<Vec<Conversation>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut conversations = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let c: Conversation =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let valid =
            !c.turns.is_empty() && (c.expected == Expected::Bot) == c.expected_article.is_some();
        if !valid {
            return Err(format!(
                "{}:{}: needs turns, and expected_article exactly when expected is bot",
                path.display(),
                n + 1
            )
            .into());
        }
        conversations.push(c);
    }
    Ok(conversations)
}

async fn pipeline(dir: &Path) -> Result<Pipeline> {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir, SqliteSync::Normal).await?);
    let policy = Policy::parse(DEFAULT_POLICY)?;
    let pipeline = tokio::task::spawn_blocking(move || {
        Pipeline::new(
            policy,
            PseudonymKey::from_bytes([7; 32]),
            MasterKey::from_bytes([8; 32]),
            Limits::default(),
            store,
        )
    })
    .await??;
    let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb");
    let articles: Vec<String> = candor_kb::load_dir(&kb)?
        .iter()
        .map(|a| a.to_markdown())
        .collect();
    pipeline.import_articles(&articles, Pipeline::now()).await?;
    Ok(pipeline)
}

async fn run(pipeline: &Pipeline, c: Conversation) -> Result<Scored> {
    let customer = format!("eval-{}", c.id);
    if c.opted_out {
        pipeline
            .set_ai_preference(&customer, true, "api", Pipeline::now())
            .await?;
    }
    let mut conversation_id = None;
    let mut bot_spoke_to_opted_out = false;
    let mut last = None;
    for text in &c.turns {
        let outcome = pipeline
            .process(Inbound {
                customer_id: customer.clone(),
                conversation_id: conversation_id.clone(),
                channel: Channel::Chat,
                text: text.clone(),
                metadata: None,
            })
            .await?;
        conversation_id = Some(outcome.conversation_id.clone());
        bot_spoke_to_opted_out |= c.opted_out && outcome.decision.route == Route::Bot;
        last = Some(outcome.decision);
    }
    let decision = last.ok_or("a conversation without turns")?;
    let article = decision.reply.as_ref().and_then(|r| r.article_id.clone());
    let (verdict, got) = match (decision.route, article) {
        (Route::Bot, None) => (Verdict::AskedAgain, "bot:clarify".to_owned()),
        (Route::Bot, Some(article)) => {
            let right = c.expected_article.as_deref() == Some(article.as_str());
            let verdict = if right {
                Verdict::CorrectBot
            } else {
                Verdict::WrongBot
            };
            (verdict, format!("bot:{article}"))
        }
        // Unknown routes are a person's (docs/specs/decision.md).
        _ => {
            let reason = decision
                .escalation_reason
                .map_or("none", |r| r.as_str())
                .to_owned();
            let verdict = match c.expected {
                Expected::Human => Verdict::CorrectHuman,
                Expected::Bot => Verdict::NeedlessHuman,
            };
            (verdict, format!("human:{reason}"))
        }
    };
    Ok(Scored {
        conversation: c,
        verdict,
        got,
        bot_spoke_to_opted_out,
    })
}

fn markdown(tallies: &BTreeMap<String, Tally>, overall: &Tally, scored: &[Scored]) {
    println!(
        "| language | conversations | bot answers correct (of bot-labelled) | bot answered wrongly | bot asked again (last turn) | correctly escalated (of human-labelled) | unnecessarily escalated (of bot-labelled) | human requests answered by bot | opted-out answered by bot |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let rows = tallies
        .iter()
        .map(|(l, t)| (l.as_str(), t))
        .chain([("all", overall)]);
    for (lang, t) in rows {
        println!(
            "| {lang} | {} | {} | {} | {} | {} | {} | {} | {} |",
            t.total,
            pct(t.correct_bot, t.bot_labelled),
            pct(t.wrong_bot, t.total),
            pct(t.asked_again, t.total),
            pct(t.correct_human, t.human_labelled),
            pct(t.needless_human, t.bot_labelled),
            t.human_requests_answered,
            t.opted_out_answered,
        );
    }
    println!();
    let reasons: Vec<String> = overall
        .needless_reasons
        .iter()
        .map(|(r, n)| format!("{r} {n}"))
        .collect();
    println!(
        "Reasons for unnecessary escalations: {}",
        if reasons.is_empty() {
            "none".to_owned()
        } else {
            reasons.join(", ")
        }
    );
    println!();
    println!("Errors:");
    println!();
    println!("| id | why | last turn | expected | got |");
    println!("|---|---|---|---|---|");
    for s in scored.iter().filter(|s| {
        !matches!(s.verdict, Verdict::CorrectBot | Verdict::CorrectHuman)
            || s.bot_spoke_to_opted_out
    }) {
        let c = &s.conversation;
        let expected = match c.expected {
            Expected::Bot => format!("bot:{}", c.expected_article.as_deref().unwrap_or("")),
            Expected::Human => "human".to_owned(),
        };
        println!(
            "| {} | {} | {} | {expected} | {} |",
            c.id,
            c.why,
            c.turns
                .last()
                .map_or("", |t| t.as_str())
                .replace('|', "\\|"),
            s.got,
        );
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let (data, format) = parse_args()?;
    let conversations = load(&data)?;
    let dir = tempfile::tempdir()?;
    let pipeline = pipeline(dir.path()).await?;

    let mut scored = Vec::with_capacity(conversations.len());
    for c in conversations {
        scored.push(run(&pipeline, c).await?);
    }
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut overall = Tally::default();
    for s in &scored {
        tallies
            .entry(s.conversation.lang.clone())
            .or_default()
            .add(s);
        overall.add(s);
    }

    if format == "json" {
        let errors: Vec<_> = scored
            .iter()
            .filter(|s| !matches!(s.verdict, Verdict::CorrectBot | Verdict::CorrectHuman))
            .map(|s| {
                json!({
                    "id": s.conversation.id,
                    "why": s.conversation.why,
                    "text": s.conversation.turns.last(),
                    "expected": s.conversation.expected_article.as_deref()
                        .map_or("human".to_owned(), |a| format!("bot:{a}")),
                    "got": s.got,
                })
            })
            .collect();
        let by_lang: BTreeMap<_, _> = tallies.iter().map(|(l, t)| (l, t.json())).collect();
        let report = json!({
            "data": data.display().to_string(),
            "by_language": by_lang,
            "overall": overall.json(),
            "errors": errors,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        markdown(&tallies, &overall, &scored);
    }
    Ok(())
}
