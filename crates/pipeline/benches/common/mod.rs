//! What the `pipeline` and `latency` benches share: a mixed four-language sample of
//! customer-service messages, questions the sample knowledge base answers, and a real
//! pipeline over a real store.
//!
//! Lives in `benches/common/` so that Cargo does not take it for a bench target of its own.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use candor_classify::{LanguageConfig, LanguageIdentifier};
use candor_core::{Channel, LanguageGuess};
use candor_pii::{PseudonymKey, Registry, normalise, pseudonymise, without_tokens};
use candor_pipeline::vault::MasterKey;
use candor_pipeline::{DEFAULT_POLICY, Inbound, Limits, Pipeline, Policy};
use candor_store::{SqliteStore, SqliteSync, Store};

/// Forty messages, ten per language (Danish, Dutch, German, English), about half of them with
/// an e-mail address, a phone number or an IBAN. The first ones are the CLI's samples.
pub(crate) const SAMPLES: &[(Channel, &str)] = &[
    // Danish
    (
        Channel::Chat,
        "Hej, jeg har ikke modtaget min pakke endnu. Min e-mail er mette.jensen@example.dk og mit nummer er 22 33 44 55.",
    ),
    (
        Channel::Chat,
        "Kan I ringe til mig på 22 33 44 55 i stedet? Tak.",
    ),
    (
        Channel::Email,
        "Jeg vil gerne have pengene tilbage på min konto DK50 0040 0440 1162 43.",
    ),
    (
        Channel::Chat,
        "Min ordre er blevet annulleret uden grund, og jeg har allerede betalt for den.",
    ),
    (
        Channel::Email,
        "Goddag. Jeg flytter den første i næste måned og vil gerne opsige mit abonnement.",
    ),
    (
        Channel::Voice,
        "Jeg har prøvet at logge ind hele formiddagen, men adgangskoden virker ikke.",
    ),
    (
        Channel::Chat,
        "Skriv venligst til lars.nielsen@example.dk når varen er på lager igen.",
    ),
    (
        Channel::Email,
        "Fakturaen for marts er for høj. Der står to gange levering, men jeg fik kun én pakke.",
    ),
    (
        Channel::Chat,
        "Hvornår åbner jeres butik i Aarhus efter ombygningen?",
    ),
    (
        Channel::Api,
        "Kunden ønsker at ændre leveringsadressen og kan kontaktes på +45 31 22 45 67.",
    ),
    // Dutch
    (
        Channel::Email,
        "Goedemiddag, mijn factuur klopt niet. Kunt u contact opnemen via 06-12345678 of j.devries@example.nl?",
    ),
    (
        Channel::Email,
        "Ik wil graag met een medewerker spreken over mijn rekening NL91 ABNA 0417 1643 00.",
    ),
    (
        Channel::Chat,
        "Mijn pakket is gisteren bezorgd maar de doos was helemaal kapot.",
    ),
    (
        Channel::Chat,
        "Hoe lang duurt het voordat ik mijn geld terugkrijg na een retour?",
    ),
    (
        Channel::Voice,
        "Ik ben verhuisd en wil mijn nieuwe adres doorgeven. Mijn telefoonnummer is 06 87654321.",
    ),
    (
        Channel::Email,
        "Beste klantenservice, ik heb twee keer betaald voor dezelfde bestelling. Graag terugstorten.",
    ),
    (
        Channel::Chat,
        "Waarom kan ik niet inloggen in de app? Ik krijg steeds een foutmelding.",
    ),
    (
        Channel::Email,
        "Stuur de bevestiging alstublieft naar sanne.bakker@example.nl, dank u wel.",
    ),
    (
        Channel::Chat,
        "Is het mogelijk om mijn abonnement een maand te pauzeren tijdens de vakantie?",
    ),
    (
        Channel::Api,
        "De klant vraagt om een terugbelverzoek op +31 20 123 4567 voor vijf uur.",
    ),
    // German
    (
        Channel::Email,
        "Guten Tag, ich möchte meine Adresse ändern. Meine IBAN ist DE89 3704 0044 0532 0130 00.",
    ),
    (
        Channel::Voice,
        "Bitte rufen Sie mich unter +49 30 12345678 zurück, danke.",
    ),
    (
        Channel::Chat,
        "Meine Bestellung ist seit zwei Wochen unterwegs und die Sendungsverfolgung zeigt nichts an.",
    ),
    (
        Channel::Email,
        "Sehr geehrte Damen und Herren, ich möchte meinen Vertrag fristgerecht kündigen.",
    ),
    (
        Channel::Chat,
        "Warum wurde mir diesen Monat eine Mahngebühr berechnet? Ich habe pünktlich bezahlt.",
    ),
    (
        Channel::Email,
        "Bitte senden Sie die Rechnung an katrin.mueller@example.de und nicht an meine alte Adresse.",
    ),
    (
        Channel::Chat,
        "Das Gerät lässt sich nach dem letzten Update nicht mehr einschalten.",
    ),
    (
        Channel::Voice,
        "Ich warte schon seit einer Stunde in der Warteschleife, das ist wirklich ärgerlich.",
    ),
    (
        Channel::Email,
        "Die Erstattung soll bitte auf mein Konto DE75 5121 0800 1245 1261 99 gehen.",
    ),
    (
        Channel::Api,
        "Kunde bittet um Rückruf, erreichbar unter 0171 2345678 ab vierzehn Uhr.",
    ),
    // English
    (
        Channel::Chat,
        "Hi, I was charged twice this month. Please refund to GB82 WEST 1234 5698 7654 32, my email is sam.taylor@example.co.uk",
    ),
    (
        Channel::Chat,
        "Still waiting... can I talk to a person please? You can also reach me at sam.taylor@example.co.uk",
    ),
    (
        Channel::Api,
        "Contact me at an\u{200b}na@example.org, my number is +44 7911 123456.",
    ),
    (
        Channel::Email,
        "My order arrived yesterday but two of the items were missing from the box.",
    ),
    (
        Channel::Chat,
        "How do I change the delivery address on an order that has already shipped?",
    ),
    (
        Channel::Email,
        "I cancelled my subscription last week but I was still billed today. Please fix this.",
    ),
    (
        Channel::Voice,
        "The router keeps dropping the connection every evening around eight o'clock.",
    ),
    (
        Channel::Chat,
        "Could you send the receipt to olivia.brown@example.com instead of my work address?",
    ),
    (
        Channel::Email,
        "Please refund the deposit to GB29 NWBK 6016 1331 9268 19 as agreed on the phone.",
    ),
    (
        Channel::Chat,
        "Is there any way to speak to someone today? I have been waiting for three days.",
    ),
];

/// Twenty self-service questions, five per language, that the sample knowledge base
/// (`kb/<lang>/`) answers, so that a pipeline with it imported takes the bot path.
#[allow(
    dead_code,
    reason = "the latency bench uses it, the pipeline bench does not"
)]
pub(crate) const KB_QUESTIONS: &[&str] = &[
    "Jeg har glemt min adgangskode, hvordan får jeg en ny?",
    "Hvornår har jeres kundeservice åbent?",
    "Hvilke betalingsmetoder tager I imod?",
    "Hvordan kan jeg følge min pakke?",
    "Hvordan returnerer jeg en vare?",
    "Ik ben mijn wachtwoord vergeten, wat nu?",
    "Wat zijn de openingstijden van de klantenservice?",
    "Welke betaalmethoden kan ik gebruiken?",
    "Hoe kan ik mijn pakket volgen?",
    "Hoe kan ik mijn bestelling annuleren?",
    "Ich habe mein Passwort vergessen, was kann ich tun?",
    "Wann ist der Kundenservice erreichbar?",
    "Welche Zahlungsarten kann ich nutzen?",
    "Wie kann ich meine Sendung verfolgen?",
    "Wie lange dauert die Lieferung?",
    "I forgot my password, how do I get a new one?",
    "When is customer service open?",
    "Which payment methods can I use?",
    "How can I track my parcel?",
    "How do I get a copy of my invoice?",
];

/// The `i`-th message of an endless stream that alternates [`inbound`]'s messages with
/// [`KB_QUESTIONS`]. Each question starts a conversation of its own, as a customer's first
/// question does, so that neither an earlier hand-off nor an earlier bot answer to the same
/// intent decides it before retrieval runs.
#[allow(
    dead_code,
    reason = "the latency bench uses it, the pipeline bench does not"
)]
pub(crate) fn inbound_with_questions(i: usize) -> Inbound {
    if i.is_multiple_of(2) {
        return inbound(i / 2);
    }
    let q = i / 2;
    Inbound {
        customer_id: format!("bench-kb-customer-{}", q % 500),
        conversation_id: Some(format!("bench-kb-conv-{q}")),
        channel: Channel::Chat,
        text: KB_QUESTIONS[q % KB_QUESTIONS.len()].to_owned(),
        metadata: None,
    }
}

/// The sample knowledge base (`kb/` at the repository root), as Markdown for
/// [`Pipeline::import_articles`].
#[allow(
    dead_code,
    reason = "the latency bench uses it, the pipeline bench does not"
)]
pub(crate) fn sample_articles() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb");
    candor_kb::load_dir(&dir)
        .expect("the sample knowledge base loads")
        .iter()
        .map(|a| a.to_markdown())
        .collect()
}

/// The `i`-th message of an endless stream over [`SAMPLES`]: 500 customers with one
/// conversation each, so that conversations grow and pseudonyms are reused as in real traffic.
pub(crate) fn inbound(i: usize) -> Inbound {
    let (channel, text) = SAMPLES[i % SAMPLES.len()];
    let customer = i % 500;
    Inbound {
        customer_id: format!("bench-customer-{customer}"),
        conversation_id: Some(format!("bench-conv-{customer}")),
        channel,
        text: text.to_owned(),
        metadata: None,
    }
}

/// A pipeline with the shipped policy and fixed keys over a SQLite store in `dir`. Loads the language
/// models, which takes a few seconds.
pub(crate) async fn sqlite_pipeline(dir: &Path, sync: SqliteSync) -> Pipeline {
    let store = SqliteStore::open(dir, sync)
        .await
        .expect("open the SQLite store");
    let store: Arc<dyn Store> = Arc::new(store);
    let policy = Policy::parse(DEFAULT_POLICY).expect("the shipped policy parses");
    tokio::task::spawn_blocking(move || {
        Pipeline::new(
            policy,
            PseudonymKey::from_bytes([7; 32]),
            MasterKey::from_bytes([8; 32]),
            Limits::default(),
            store,
        )
    })
    .await
    .expect("building the pipeline panicked")
    .expect("build the pipeline")
}

/// A language identifier configured as the shipped policy configures the pipeline's.
pub(crate) fn language_identifier() -> LanguageIdentifier {
    let policy = Policy::parse(DEFAULT_POLICY).expect("the shipped policy parses");
    LanguageIdentifier::new(&LanguageConfig {
        languages: policy.languages.clone(),
        confidence_floor: policy.confidence_floor,
    })
    .expect("the shipped policy's languages are available")
}

/// Everything `Pipeline::process` computes without storage (less the small policy decision
/// and audit encoding): normalise, detect, pseudonymise with made-up ordinals (the store
/// assigns the real ones), identify the language of what is left.
pub(crate) fn cpu_stages(
    registry: &Registry,
    language: &LanguageIdentifier,
    text: &str,
) -> LanguageGuess {
    let normalised = normalise(text);
    let detections = registry.detect(&normalised.text);
    let ordinals: Vec<u32> = (1..).take(detections.len()).collect();
    let pseudonymised = pseudonymise(&normalised.text, &detections, &ordinals);
    language.identify(&without_tokens(&pseudonymised))
}

/// Nearest-rank percentile of sorted durations.
// The criterion bench (`pipeline`) reports criterion's own statistics.
#[allow(dead_code)]
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
