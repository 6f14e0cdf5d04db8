//! The promises as behaviour, end to end through the real server: bot answers with disclosure,
//! every escalation reason in every language, opt-out, priority by need only, the agent's side,
//! complaints and explanations.

use candor_core::Role;
use serde_json::{Value, json};

use crate::{Backend, call, per_backend, spawn_app};

per_backend!(
    bot_answers_cite_their_article_and_always_disclose_ai,
    a_request_for_a_person_never_gets_a_bot_answer_in_any_language,
    an_opted_out_customer_never_gets_a_bot_answer,
    frustration_always_human_and_low_confidence_escalate_in_every_language,
    a_failed_bot_answer_hands_over_to_a_person,
    priority_depends_on_need_not_on_name_place_channel_or_tenure,
    agents_claim_reply_override_and_give_feedback_on_the_record,
    complaints_are_filed_owned_and_resolved,
    explanations_speak_to_customers_and_staff,
    bad_service_requests_are_named,
);

const LANGS: [&str; 4] = ["da", "nl", "de", "en"];

fn password_question(lang: &str) -> &'static str {
    match lang {
        "da" => "Hvordan nulstiller jeg min adgangskode? Jeg har glemt den.",
        "nl" => "Hoe kan ik mijn wachtwoord opnieuw instellen? Ik ben het vergeten.",
        "de" => "Wie kann ich mein Passwort zurücksetzen? Ich habe es vergessen.",
        _ => "How do I reset my password? I forgot it.",
    }
}

/// The decision of a sent message; asserts the AI-disclosure promise on every bot reply.
fn decision(created: &Value) -> &Value {
    let d = &created["decision"];
    if d["route"] == "bot" {
        let reply = &d["reply"];
        let disclosure = reply["ai_disclosure"].as_str().unwrap();
        assert!(!disclosure.trim().is_empty(), "{d}");
        assert!(
            reply["text"].as_str().unwrap().contains(disclosure),
            "a bot reply without its AI disclosure: {d}"
        );
        assert!(d["escalation_reason"].is_null(), "{d}");
    } else {
        assert_eq!(d["route"], "human", "{d}");
        assert!(d["reply"].is_null(), "{d}");
        assert!(d["escalation_reason"].is_string(), "{d}");
        assert!(d["priority"]["score"].is_number(), "{d}");
    }
    d
}

async fn bot_answers_cite_their_article_and_always_disclose_ai(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_sample_kb().await;
    for lang in LANGS {
        let created = app
            .accept(&format!("kb-{lang}"), None, password_question(lang))
            .await;
        let d = decision(&created);
        assert_eq!(d["route"], "bot", "{lang}: {d}");
        assert_eq!(d["reply"]["article_id"], "password-reset", "{lang}: {d}");
        assert_eq!(d["reply"]["article_version"], 1);
        assert_eq!(d["reply"]["language"], lang);
        assert_eq!(d["intent"]["label"], "recover_password", "{lang}: {d}");
        assert!(
            d["versions"]["knowledge_base"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
        // The disclosure is in the customer's language, as the policy writes it.
        let disclosure = d["reply"]["ai_disclosure"].as_str().unwrap();
        let says_ai = match lang {
            "de" => "KI-Assistenten",
            _ => "AI-",
        };
        assert!(
            disclosure.contains(says_ai) || disclosure.contains("AI assistant"),
            "{lang}: {disclosure}"
        );
    }
}

async fn a_request_for_a_person_never_gets_a_bot_answer_in_any_language(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_sample_kb().await;
    let asks = [
        ("da", "Jeg vil gerne tale med et menneske, tak."),
        ("nl", "Ik wil een medewerker spreken alstublieft."),
        ("de", "Ich möchte bitte mit einem Menschen sprechen."),
        ("en", "I want to speak to a real person."),
        // Asking for a person in the middle of a bot-answerable question still wins.
        (
            "en",
            "How do I reset my password? Actually, let me talk to a human.",
        ),
    ];
    for (lang, text) in asks {
        let created = app.accept(&format!("ask-{lang}"), None, text).await;
        let d = decision(&created);
        assert_eq!(d["route"], "human", "{lang} {text}: {d}");
        assert_eq!(d["escalation_reason"], "human_requested", "{lang}: {d}");
        assert_eq!(d["human_request"]["detected"], true);
        assert!(d["notice"].as_str().unwrap().len() > 10, "{d}");
    }
}

async fn an_opted_out_customer_never_gets_a_bot_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_sample_kb().await;
    for lang in LANGS {
        let customer = format!("opted-out-{lang}");
        let (status, body) = call(
            &app.client,
            reqwest::Method::PUT,
            format!("{}/v1/customers/{customer}/ai-preference", app.base),
            Some(json!({"opt_out": true})),
        )
        .await;
        // An admin may not set it: it is the customer's (channel) or an agent's call.
        assert_eq!(status, 403, "{body}");
        let channel = app.client_as(Role::Channel).await;
        let (status, body) = call(
            &channel,
            reqwest::Method::PUT,
            format!("{}/v1/customers/{customer}/ai-preference", app.base),
            Some(json!({"opt_out": true})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let created = app.accept(&customer, None, password_question(lang)).await;
        let d = decision(&created);
        assert_eq!(d["escalation_reason"], "opted_out", "{lang}: {d}");
        // No AI triage for them.
        assert!(d["intent"].is_null() && d["sentiment"].is_null() && d["frustration"].is_null());
    }
    // Opting out by a phrase in the conversation works too, and holds for later messages.
    let created = app
        .accept(
            "phrase-opt-out",
            None,
            "Ingen robot, tak. Jeg vil ikke have svar fra AI.",
        )
        .await;
    let d = decision(&created);
    assert_eq!(d["escalation_reason"], "opted_out", "{d}");
    let conversation = created["conversation_id"].as_str().unwrap();
    let later = app
        .accept(
            "phrase-opt-out",
            Some(conversation),
            password_question("da"),
        )
        .await;
    assert_eq!(decision(&later)["route"], "human");
    let fresh = app
        .accept("phrase-opt-out", None, password_question("da"))
        .await;
    assert_eq!(decision(&fresh)["escalation_reason"], "opted_out");
}

async fn frustration_always_human_and_low_confidence_escalate_in_every_language(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_sample_kb().await;
    let frustrated = [
        (
            "da",
            "Det er TREDJE gang jeg skriver!!! Stadig ingen pakke. Elendig service, jeg opsiger mit abonnement.",
        ),
        (
            "nl",
            "Dit is al de DERDE keer!!! Nog steeds geen pakket. Waardeloze service, ik zeg mijn abonnement op.",
        ),
        (
            "de",
            "Das ist jetzt das DRITTE Mal!!! Immer noch kein Paket. Miserabler Service, ich kündige.",
        ),
        (
            "en",
            "This is the THIRD time I write!!! Still no parcel. Useless service, I'm cancelling my subscription.",
        ),
    ];
    for (lang, text) in frustrated {
        let d = app.accept(&format!("angry-{lang}"), None, text).await;
        let d = decision(&d).clone();
        assert_eq!(d["escalation_reason"], "frustration", "{lang}: {d}");
        assert!(d["frustration"]["score"].as_f64().unwrap() >= 0.6, "{d}");
    }
    let always_human = [
        (
            "da",
            "Der er nogen, der har brugt mit kort. Det er svindel.",
        ),
        ("nl", "Iemand heeft mijn kaart gebruikt, dit is fraude."),
        ("de", "Jemand hat meine Karte benutzt, das ist Betrug."),
        (
            "en",
            "My mother passed away and I need to close her account.",
        ),
        // Bereavement as people write it, not only the formal noun.
        (
            "da",
            "Min mand er gået bort, hvad gør jeg med hans abonnement?",
        ),
        (
            "nl",
            "Mijn vader is gestorven, ik wil zijn abonnement opzeggen.",
        ),
        (
            "de",
            "Meine Mutter ist gestorben, ich muss ihr Konto kündigen.",
        ),
        (
            "en",
            "I'm the executor of my late father's estate and need his account closed.",
        ),
    ];
    for (lang, text) in always_human {
        let d = app.accept(&format!("care-{lang}"), None, text).await;
        let d = decision(&d).clone();
        assert_eq!(d["escalation_reason"], "always_human", "{lang}: {d}");
    }
    // Unclear: one clarifying question (a bot reply, disclosed), then a person.
    let unclear = [
        (
            "da",
            "Ja altså, det der fra i går, I ved nok godt hvad jeg mener",
        ),
        (
            "nl",
            "Ja nou, dat ding van gisteren, u weet wel wat ik bedoel",
        ),
        (
            "de",
            "Ja also, das Ding von gestern, Sie wissen schon was ich meine",
        ),
        ("en", "hmm well it is about that stuff again"),
    ];
    for (lang, text) in unclear {
        let first = app.accept(&format!("unclear-{lang}"), None, text).await;
        let d = decision(&first).clone();
        assert_eq!(d["route"], "bot", "{lang}: {d}");
        assert!(
            d["reply"]["article_id"].is_null(),
            "{lang}: a clarifying question: {d}"
        );
        let conversation = first["conversation_id"].as_str().unwrap();
        let second = app
            .accept(&format!("unclear-{lang}"), Some(conversation), text)
            .await;
        let d = decision(&second).clone();
        assert_eq!(d["escalation_reason"], "low_confidence", "{lang}: {d}");
    }
}

async fn a_failed_bot_answer_hands_over_to_a_person(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_sample_kb().await;
    let agent = app.client_as(Role::Agent).await;
    for lang in LANGS {
        let customer = format!("failed-{lang}");
        let first = app.accept(&customer, None, password_question(lang)).await;
        assert_eq!(decision(&first)["route"], "bot");
        let message = first["message_id"].as_str().unwrap();
        let (status, body) = call(
            &agent,
            reqwest::Method::POST,
            format!("{}/v1/decisions/{message}/feedback", app.base),
            Some(json!({"correct": false, "comment": "the customer has no e-mail access"})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let conversation = first["conversation_id"].as_str().unwrap();
        let next = app
            .accept(&customer, Some(conversation), password_question(lang))
            .await;
        assert_eq!(decision(&next)["escalation_reason"], "bot_failed", "{lang}");
    }
    // Asking the same thing again after a bot answer also counts as a failed answer.
    let first = app.accept("repeat", None, password_question("en")).await;
    let conversation = first["conversation_id"].as_str().unwrap();
    let again = app
        .accept(
            "repeat",
            Some(conversation),
            "I still can't reset my password, how do I reset it?",
        )
        .await;
    assert_eq!(decision(&again)["route"], "human", "{again}");
}

async fn priority_depends_on_need_not_on_name_place_channel_or_tenure(backend: Backend) {
    let app = spawn_app(backend).await;
    let variants = [
        (
            "Mette Jensen",
            "Vesterbrogade 12, 1620 København V",
            "chat",
            "20 years",
        ),
        (
            "Ahmed Yilmaz",
            "Tingbjerg Allé 7, 2700 Brønshøj",
            "email",
            "new",
        ),
        (
            "Fatima El Amrani",
            "Nørrebrogade 55, 2200 København N",
            "api",
            "5 years",
        ),
    ];
    let mut scores = Vec::new();
    for (i, (name, place, channel, tenure)) in variants.iter().enumerate() {
        let text = format!(
            "Hej, jeg hedder {name} og bor på {place}. Jeg vil gerne tale med en medarbejder om min faktura, det haster."
        );
        let (status, created) = app
            .post(&json!({
                "customer_id": format!("priority-{i}"),
                "channel": channel,
                "text": text,
                "metadata": {"tenure": tenure, "region": place},
            }))
            .await;
        assert_eq!(status, 201, "{created}");
        let d = decision(&created);
        assert!(
            !d["pseudonymised_text"]
                .as_str()
                .unwrap()
                .contains(name.split(' ').next().unwrap()),
            "the name reached the models: {d}"
        );
        scores.push((d["priority"].clone(), d["pseudonymised_text"].clone()));
    }
    for (priority, text) in &scores[1..] {
        assert_eq!(
            text, &scores[0].1,
            "the same request after pseudonymisation"
        );
        assert_eq!(
            priority, &scores[0].0,
            "priority moved with name, place, channel or tenure"
        );
    }
    assert_eq!(scores[0].0["urgent"], true);
    // The queue scores them alike too, and lists the need signals only.
    let (status, queue) = app.get("/v1/queue").await;
    assert_eq!(status, 200, "{queue}");
    let needs = &queue["conversations"][0]["needs"];
    let keys: Vec<&str> = needs
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "frustration",
            "service_level_minutes",
            "urgent",
            "waiting_minutes"
        ]
    );
}

async fn agents_claim_reply_override_and_give_feedback_on_the_record(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_sample_kb().await;
    let agent = app.client_as(Role::Agent).await;
    let created = app
        .accept(
            "agent-side",
            None,
            "I want to talk to a person about my order.",
        )
        .await;
    let conversation = created["conversation_id"].as_str().unwrap();
    let message = created["message_id"].as_str().unwrap();
    let base = &app.base;

    // The hand-off packet carries what the agent needs.
    let (status, packet) = call(
        &agent,
        reqwest::Method::GET,
        format!("{base}/v1/conversations/{conversation}/handoff"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{packet}");
    assert_eq!(packet["escalation_reason"], "human_requested");
    assert_eq!(packet["language"], "en");
    assert_eq!(packet["transcript"][0]["from"], "customer");
    assert!(packet["frustration_trajectory"].is_array());

    // Replying before claiming is refused; claiming twice too.
    let reply = json!({"text": "Hi, I'm Sam from the support team. Let me look at your order."});
    let url = format!("{base}/v1/conversations/{conversation}/replies");
    let (status, body) = call(
        &agent,
        reqwest::Method::POST,
        url.clone(),
        Some(reply.clone()),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let claim = format!("{base}/v1/conversations/{conversation}/claim");
    let (status, body) = call(&agent, reqwest::Method::POST, claim.clone(), None).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&agent, reqwest::Method::POST, claim, None).await;
    assert_eq!(status, 409, "{body}");
    let (status, body) = call(&agent, reqwest::Method::POST, url, Some(reply)).await;
    assert_eq!(status, 201, "{body}");

    // An override needs a reason and is recorded.
    let override_url = format!("{base}/v1/decisions/{message}/override");
    let (status, body) = call(
        &agent,
        reqwest::Method::POST,
        override_url.clone(),
        Some(json!({"field": "intent", "to": "track_order", "reason": " "})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "reason");
    let (status, body) = call(
        &agent,
        reqwest::Method::POST,
        override_url,
        Some(json!({"field": "intent", "to": "track_order", "reason": "asked about order 1234"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let feedback = format!("{base}/v1/decisions/{message}/feedback");
    let (status, body) = call(
        &agent,
        reqwest::Method::POST,
        feedback,
        Some(json!({"correct": true, "comment": "right to hand over"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = call(
        &agent,
        reqwest::Method::POST,
        format!("{base}/v1/conversations/{conversation}/resolve"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // All of it is in the conversation's history…
    let (_, view) = app.get(&format!("/v1/conversations/{conversation}")).await;
    assert_eq!(view["state"], "resolved");
    let kinds: Vec<&str> = view["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in ["state", "agent_reply", "override", "feedback"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let states: Vec<(&Value, &Value)> = view["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "state")
        .map(|e| (&e["to_state"], &e["actor"]))
        .collect();
    assert_eq!(states[0].0, "waiting_for_human");
    assert_eq!(states[0].1, "candor");
    assert_eq!(states.last().unwrap().0, "resolved");
    // …and in the audit ledger, linked to the decision.
    let entries = app.store.audit_entries(0, 1000).await.unwrap();
    let records: Vec<Value> = entries
        .iter()
        .map(|e| serde_json::from_slice(&e.payload).unwrap())
        .collect();
    let of = |t: &str| {
        records
            .iter()
            .filter(|r| r["type"] == t && r["message_id"] == message)
            .count()
    };
    assert_eq!(of("override"), 1);
    assert_eq!(of("feedback"), 1);
    // The decision itself shows what people did about it.
    let (_, view) = app.get(&format!("/v1/messages/{message}")).await;
    let corrections: Vec<&str> = view["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(corrections, ["override", "feedback"], "{view}");
    let override_record = records.iter().find(|r| r["type"] == "override").unwrap();
    assert_eq!(override_record["field"], "intent");
    assert_eq!(override_record["to"], "track_order");
    // The customer writing again reopens it.
    let again = app
        .accept(
            "agent-side",
            Some(conversation),
            "One more question about that order please",
        )
        .await;
    assert!(decision(&again)["route"].is_string());
    let (_, view) = app.get(&format!("/v1/conversations/{conversation}")).await;
    assert_ne!(view["state"], "resolved");
}

async fn complaints_are_filed_owned_and_resolved(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_sample_kb().await;
    let first = app
        .accept("complainer", None, password_question("de"))
        .await;
    let message = first["message_id"].as_str().unwrap();
    let conversation = first["conversation_id"].as_str().unwrap();
    // By phrase: against the previous decision, and the conversation goes to a person.
    let phrase = app
        .accept(
            "complainer",
            Some(conversation),
            "Ich möchte mich über diese Entscheidung beschweren.",
        )
        .await;
    let d = decision(&phrase);
    assert_eq!(d["escalation_reason"], "always_human", "{d}");
    assert!(d["notice"].as_str().unwrap().contains("Beschwerde"), "{d}");
    let officer = app.client_as(Role::AiOfficer).await;
    let (status, list) = call(
        &officer,
        reqwest::Method::GET,
        format!("{}/v1/complaints?status=open", app.base),
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let complaint = &list["complaints"][0];
    assert_eq!(complaint["message_id"], message);
    assert_eq!(complaint["owner_role"], "ai_officer");
    assert!(complaint["due_at"].as_str().unwrap() > complaint["filed_at"].as_str().unwrap());

    // Through the API, by the channel for the customer.
    let channel = app.client_as(Role::Channel).await;
    let (status, filed) = call(
        &channel,
        reqwest::Method::POST,
        format!("{}/v1/decisions/{message}/complaints", app.base),
        Some(json!({"text": "The bot should not have answered me."})),
    )
    .await;
    assert_eq!(status, 201, "{filed}");
    let id = filed["id"].as_str().unwrap();
    let resolution = format!("{}/v1/complaints/{id}/resolution", app.base);
    let (status, body) = call(
        &officer,
        reqwest::Method::POST,
        resolution.clone(),
        Some(json!({"upheld": true, "resolution": "A person should have answered.", "corrected_route": "human"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "upheld");
    let (status, body) = call(
        &officer,
        reqwest::Method::POST,
        resolution,
        Some(json!({"upheld": false, "resolution": "again"})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    // The correction is an override on the decision; the resolution is in the ledger.
    let records: Vec<Value> = app
        .store
        .audit_entries(0, 1000)
        .await
        .unwrap()
        .iter()
        .map(|e| serde_json::from_slice(&e.payload).unwrap())
        .collect();
    assert!(
        records
            .iter()
            .any(|r| r["type"] == "complaint" && r["status"] == "upheld")
    );
    assert!(
        records
            .iter()
            .any(|r| r["type"] == "override" && r["message_id"] == message && r["to"] == "human")
    );
    let (_, metrics) = app.get_text("/metrics").await;
    assert!(
        metrics.contains(r#"candor_complaints_total{status="upheld"} 1"#),
        "{metrics}"
    );
}

async fn explanations_speak_to_customers_and_staff(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_sample_kb().await;
    let created = app.accept("explain", None, password_question("nl")).await;
    let message = created["message_id"].as_str().unwrap();
    let channel = app.client_as(Role::Channel).await;
    let url = |q: &str| format!("{}/v1/decisions/{message}/explanation?{q}", app.base);
    let (status, customer) = call(
        &channel,
        reqwest::Method::GET,
        url("audience=customer"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{customer}");
    assert_eq!(customer["language"], "nl");
    let text = customer["text"].as_str().unwrap();
    for expected in ["password-reset", "medewerker", "klacht"] {
        assert!(text.contains(expected), "`{expected}` missing: {text}");
    }
    let (status, danish) = call(&channel, reqwest::Method::GET, url("lang=da"), None).await;
    assert_eq!(status, 200);
    assert!(
        danish["text"].as_str().unwrap().contains("menneske"),
        "{danish}"
    );
    // The staff explanation is not for the channel.
    let (status, body) = call(&channel, reqwest::Method::GET, url("audience=staff"), None).await;
    assert_eq!(status, 403, "{body}");
    let agent = app.client_as(Role::Agent).await;
    let (status, staff) = call(&agent, reqwest::Method::GET, url("audience=staff"), None).await;
    assert_eq!(status, 200, "{staff}");
    assert!(staff["thresholds"]["min_retrieval_confidence"].is_number());
    assert!(
        staff["versions"]["intent_model"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let text = created["decision"]["pseudonymised_text"].as_str().unwrap();
    for f in staff["intent_features"].as_array().unwrap() {
        let (s, e) = (
            f["start"].as_u64().unwrap() as usize,
            f["end"].as_u64().unwrap() as usize,
        );
        assert!(
            e <= text.len() && s < e,
            "feature span outside the text: {f}"
        );
    }
    assert!(!staff["intent_features"].as_array().unwrap().is_empty());
}

async fn bad_service_requests_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.client_as(Role::Agent).await;
    let created = app.accept("bad", None, "I want to talk to a person.").await;
    let message = created["message_id"].as_str().unwrap();
    let base = &app.base;
    let cases = [
        (
            format!("{base}/v1/decisions/{message}/override"),
            json!({"field": "colour", "to": "red", "reason": "x"}),
            422,
            "field",
        ),
        (
            format!("{base}/v1/decisions/{message}/override"),
            json!({"field": "route", "to": "robot", "reason": "x"}),
            422,
            "to",
        ),
        (
            format!("{base}/v1/decisions/{message}/override"),
            json!({"field": "priority", "to": "NaN", "reason": "x"}),
            422,
            "to",
        ),
        (
            format!("{base}/v1/decisions/not-a-uuid/feedback"),
            json!({"correct": true}),
            404,
            "",
        ),
        (
            format!("{base}/v1/decisions/{message}/feedback"),
            json!({"correct": "yes"}),
            422,
            "",
        ),
        (
            format!("{base}/v1/conversations/nope/replies"),
            json!({"text": "x".repeat(9000)}),
            422,
            "text",
        ),
    ];
    for (url, body, expected, field) in cases {
        let (status, answer) = call(&agent, reqwest::Method::POST, url.clone(), Some(body)).await;
        assert_eq!(status, expected, "{url}: {answer}");
        assert!(answer["error"]["code"].is_string(), "{answer}");
        if !field.is_empty() {
            assert_eq!(answer["error"]["field"], field, "{answer}");
        }
    }
    // Malformed JSON and non-UTF-8 bodies.
    let r = agent
        .post(format!("{base}/v1/decisions/{message}/feedback"))
        .header("content-type", "application/json")
        .body(vec![0xff, 0xfe, b'{'])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // Articles: invalid ones are named, nothing half-imported.
    let (status, body) = call(
        &app.client,
        reqwest::Method::POST,
        format!("{base}/v1/kb/articles"),
        Some(json!({"articles": ["+++\nid = \"x\"\nlang = \"xx-YY\"\nversion = 0\n+++\n"]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_article");
    let (status, body) = call(
        &app.client,
        reqwest::Method::POST,
        format!("{base}/v1/kb/articles"),
        Some(json!({"articles": []})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = call(
        &app.client,
        reqwest::Method::GET,
        format!("{base}/v1/complaints?status=lost"),
        None,
    )
    .await;
    // An admin may not read complaints; a supervisor gets the named error.
    assert_eq!(status, 403, "{body}");
    let supervisor = app.client_as(Role::Supervisor).await;
    let (status, body) = call(
        &supervisor,
        reqwest::Method::GET,
        format!("{base}/v1/complaints?status=lost"),
        None,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "status");
    // Nothing accepted was lost.
    let (status, _) = app.get(&format!("/v1/messages/{message}")).await;
    assert_eq!(status, 200);
}
