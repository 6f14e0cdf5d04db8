//! Search latency over the shipped sample knowledge base (`kb/`).
//!
//! `cargo bench -p candor-kb --bench search`

use std::hint::black_box;
use std::path::PathBuf;

use candor_core::Lang;
use candor_kb::{KnowledgeBase, load_dir};
use criterion::{Criterion, criterion_group, criterion_main};

fn sample() -> KnowledgeBase {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../kb");
    KnowledgeBase::new(load_dir(&dir).expect("sample kb loads")).expect("sample kb indexes")
}

fn search(c: &mut Criterion) {
    let kb = sample();
    let queries = [
        (
            "en_typical",
            Lang::EN,
            "I forgot my password and can't log in",
        ),
        ("en_typo", Lang::EN, "how do i reset my pasword??"),
        (
            "de_compound",
            Lang::DE,
            "ich brauche eine Rechnungskopie für <ORDER_1>",
        ),
        (
            "da_typical",
            Lang::DA,
            "hvor er min pakke? ordrenummer <ORDER_1>",
        ),
        (
            "nl_no_answer",
            Lang::NL,
            "mijn pakket is beschadigd aangekomen en ik wil een vergoeding",
        ),
    ];
    for (name, lang, query) in queries {
        c.bench_function(&format!("search/{name}"), |b| {
            b.iter(|| kb.search(black_box(query), lang, 3))
        });
    }
    let garbage: String = (0..10_240u32)
        .map(|i| char::from_u32(0x20 + (i * 7919) % 0x2fff).unwrap_or('x'))
        .collect();
    c.bench_function("search/garbage_10kb", |b| {
        b.iter(|| kb.search(black_box(&garbage), Lang::EN, 3))
    });
    c.bench_function("index/sample_kb", |b| b.iter(sample));
}

criterion_group!(benches, search);
criterion_main!(benches);
