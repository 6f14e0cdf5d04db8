//! `candor demo`: starts the server on the embedded default, sends the shipped sample
//! conversations in Danish, Dutch, German and English through it over HTTP, prints each
//! decision, and keeps serving.

use std::collections::HashMap;

use anyhow::{Context, bail};
use candor_server::dto::MessageCreated;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Deserialize;

use candor_core::Role;
use candor_pipeline::Pipeline;
use candor_pipeline::access::issue_token;

use crate::config::CandorConfig;

const DEMO_TOKEN_NAME: &str = "demo";

/// The sample conversations, shipped in the binary so the demo runs from anywhere.
pub const SAMPLES: &str = include_str!("../samples/conversations.jsonl");

include!(concat!(env!("OUT_DIR"), "/sample_kb.rs"));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sample {
    conversation: String,
    customer_id: String,
    channel: String,
    text: String,
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max_chars - 1).collect();
        format!("{cut}…")
    }
}

/// `candor demo`.
///
/// # Errors
///
/// When Candor cannot start or a sample is not accepted.
pub async fn run(config: CandorConfig, exit_when_done: bool) -> anyhow::Result<()> {
    let samples: Vec<Sample> = SAMPLES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .context("shipped samples are invalid")?;

    eprintln!(
        "Starting Candor (storage: {}) …",
        if config.storage.database_url.is_empty() {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );
    let (pipeline, ledger) = crate::app::build(&config).await?;
    // The sample knowledge base travels in the binary; newer stored articles are kept.
    let sample_kb: Vec<String> = SAMPLE_KB
        .iter()
        .map(|(_, text)| (*text).to_owned())
        .collect();
    pipeline
        .import_newer_articles(&sample_kb, Pipeline::now())
        .await
        .context("importing the sample knowledge base")?;
    let listener = match crate::serve::bind(&config.server.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e:#}; using a free port instead");
            crate::serve::bind("127.0.0.1:0").await?
        }
    };
    // The demo acts as an admin through a token of its own; earlier demo tokens are revoked so
    // that running the demo again does not leave live credentials behind.
    let store = pipeline.store().clone();
    for old in store.tokens().await? {
        if old.name == DEMO_TOKEN_NAME && old.revoked_at.is_none() {
            store.revoke_token(&old.id, Pipeline::now()).await?;
        }
    }
    let token = issue_token(
        store.as_ref(),
        DEMO_TOKEN_NAME,
        Role::Admin,
        Pipeline::now(),
    )
    .await?;
    // The agent's side (hand-off packets) is not an admin's: a supervisor token shows it.
    let supervisor = issue_token(
        store.as_ref(),
        DEMO_TOKEN_NAME,
        Role::Supervisor,
        Pipeline::now(),
    )
    .await?;
    let running = crate::serve::start(listener, pipeline, ledger, &config)?;
    let base = format!("http://{}", running.addr);

    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {}", token.secret).parse()?,
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()?;
    let mut conversations: HashMap<String, String> = HashMap::new();
    let mut escalated = Vec::new();
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec![
            "#",
            "conv",
            "channel",
            "language",
            "personal data",
            "route",
            "why",
            "what models see",
            "what the customer gets",
        ]);
    for (i, sample) in samples.iter().enumerate() {
        let mut body = serde_json::json!({
            "customer_id": sample.customer_id,
            "channel": sample.channel,
            "text": sample.text,
        });
        if let Some(id) = conversations.get(&sample.conversation) {
            body["conversation_id"] = serde_json::Value::String(id.clone());
        }
        let response = client
            .post(format!("{base}/v1/messages"))
            .json(&body)
            .send()
            .await
            .with_context(|| format!("sending sample {}", i + 1))?;
        let status = response.status();
        if status.as_u16() != 201 {
            let text = response.text().await.unwrap_or_default();
            bail!("sample {} was rejected with {status}: {text}", i + 1);
        }
        let created: MessageCreated = response.json().await.context("reading the decision")?;
        conversations
            .entry(sample.conversation.clone())
            .or_insert_with(|| created.conversation_id.clone());
        let d = &created.decision;
        let language = match &d.language.code {
            Some(code) => format!("{code} ({:.2})", d.language.confidence),
            None => format!("unknown ({:.2})", d.language.confidence),
        };
        let pii = if d.pii.is_empty() {
            "–".to_owned()
        } else {
            d.pii
                .iter()
                .map(|p| format!("{} {}", p.kind, p.token))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let why = match (&d.escalation_reason, &d.reply) {
            (Some(reason), _) => reason.clone(),
            (None, Some(reply)) => match &reply.article_id {
                Some(id) => format!("kb: {id} v{}", reply.article_version.unwrap_or(0)),
                None => "clarifying question".to_owned(),
            },
            (None, None) => d.rule.clone(),
        };
        let gets = match (&d.reply, &d.notice) {
            (Some(reply), _) => format!("[AI] {}", shorten(&reply.text, 70)),
            (None, Some(notice)) => shorten(notice, 70),
            (None, None) => "–".to_owned(),
        };
        if d.escalation_reason.as_deref() == Some("frustration") {
            escalated.push(created.conversation_id.clone());
        }
        table.add_row(vec![
            (i + 1).to_string(),
            sample.conversation.clone(),
            sample.channel.clone(),
            language,
            pii,
            d.route.clone(),
            why,
            shorten(&d.pseudonymised_text, 60),
            gets,
        ]);
    }
    println!("{table}");
    println!();
    println!(
        "Every AI-written reply ([AI]) carries its disclosure; a request for a person, an opted-out customer, frustration or an unclear question goes to a person."
    );
    if let Some(id) = escalated.first() {
        let packet: serde_json::Value = client
            .get(format!("{base}/v1/conversations/{id}/handoff"))
            .bearer_auth(&supervisor.secret)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        println!();
        println!("Warm hand-off packet for the frustrated customer (what the agent sees):");
        println!("{}", serde_json::to_string_pretty(&packet)?);
    }
    println!();
    println!(
        "Every message above was pseudonymised before any model saw it; originals are kept apart."
    );
    println!("Each decision is in the audit log with its explanation, policy and model versions.");
    println!();
    println!(
        "Candor is serving on {base}. This demo's admin token (revoked by the next demo run):"
    );
    println!("  export CANDOR_TOKEN={}", token.secret);
    println!("Try:");
    println!("  curl -s -H \"Authorization: Bearer $CANDOR_TOKEN\" {base}/v1/queue");
    println!(
        "  curl -s -X POST {base}/v1/messages -H \"Authorization: Bearer $CANDOR_TOKEN\" -H 'content-type: application/json' \\"
    );
    println!(
        "       -d '{{\"customer_id\":\"c-1\",\"channel\":\"chat\",\"text\":\"Hej, min mail er ole@example.dk\"}}'"
    );
    println!("  curl -s {base}/v1/audit/checkpoint");
    println!("  curl -s {base}/openapi.json");
    println!("  curl -s {base}/metrics");

    if exit_when_done {
        running.stop().await
    } else {
        println!("Press Ctrl-C to stop.");
        running.until_signal().await
    }
}
