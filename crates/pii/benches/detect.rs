//! Throughput of the privacy boundary on realistic customer messages in Danish, Dutch, German
//! and English, about half of them holding personal data.
//!
//! ```text
//! cargo bench -p candor-pii --bench detect
//! ```
//!
//! Criterion reports `elem/s`: messages per second on one thread.

use std::hint::black_box;

use candor_pii::{Registry, local_ordinals, normalise, pseudonymise};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const MESSAGES: &[&str] = &[
    // Danish.
    "Hej, jeg har ikke modtaget min pakke endnu. Kan I se, hvor den er?",
    "Mit CPR-nr. er 070761-4285, og jeg vil gerne opdatere min adresse.",
    "Ring venligst til mig på 22 33 44 55 efter kl. 16, tak.",
    "Pengene skal overføres til DK50 0040 0440 1162 43 hurtigst muligt.",
    "Jeg har betalt med kort 4111 1111 1111 1111, men beløbet er trukket to gange.",
    "Fakturaen til vores firma, moms DK13585628, er forkert.",
    "Leveringen var forsinket i tre dage, og æsken var beskadiget.",
    "Kan jeg ændre min bestilling, før den bliver sendt?",
    // Dutch.
    "Goedemiddag, mijn factuur klopt niet. Kunt u contact opnemen via 06-12345678?",
    "Mijn BSN is 1112.22.333, ik heb het formulier al ingevuld.",
    "Ik wil graag met een medewerker spreken over mijn rekening NL91 ABNA 0417 1643 00.",
    "Ons btw-nummer is NL004495445B01, graag aanpassen op de factuur.",
    "Stuur de bevestiging naar j.devries@example.nl alstublieft.",
    "Het pakket is nooit aangekomen en de track-and-trace doet niets.",
    "Waarom is mijn abonnement duurder geworden zonder bericht?",
    "Bedankt voor de snelle hulp gisteren!",
    // German.
    "Guten Tag, ich möchte meine Adresse ändern. Meine IBAN ist DE89 3704 0044 0532 0130 00.",
    "Meine Steuer-ID lautet 86 095 742 719, bitte korrigieren Sie die Bescheinigung.",
    "Rentenversicherungsnummer 65 170839 J 00 3, Versichertennummer A123456780.",
    "Bitte rufen Sie mich unter +49 30 12345678 zurück, danke.",
    "Die Nummer meines Personalausweises ist L01X00T471.",
    "Ich warte seit zwei Wochen auf meine Lieferung.",
    "Können Sie mir sagen, wann die Rechnung kommt?",
    "Der Artikel war beschädigt, ich möchte ihn zurückschicken.",
    // English.
    "Hi, I was charged twice this month. Please refund to GB82 WEST 1234 5698 7654 32.",
    "My email is sam.taylor@example.co.uk and my phone is 020 7946 0958.",
    "The login came from IP 203.0.113.7, see https://example.com/help?id=7 for the log.",
    "Can I talk to a person please? The chatbot keeps looping.",
    "I ordered the blue one but received the red one.",
    "Your website says in stock, but the order was cancelled.",
    "Thanks, that solved it.",
    "Where can I download my invoice from last March?",
];

fn bench(c: &mut Criterion) {
    let registry = Registry::default();
    let mut group = c.benchmark_group("pii");
    group.throughput(Throughput::Elements(MESSAGES.len() as u64));
    group.bench_function("normalise+detect", |b| {
        b.iter(|| {
            for m in MESSAGES {
                let n = normalise(black_box(m));
                black_box(registry.detect(&n.text));
            }
        });
    });
    group.bench_function("normalise+detect+pseudonymise", |b| {
        b.iter(|| {
            for m in MESSAGES {
                let n = normalise(black_box(m));
                let found = registry.detect(&n.text);
                black_box(pseudonymise(&n.text, &found, &local_ordinals(&found)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
