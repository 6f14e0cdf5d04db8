//! The intent classifier end to end: train, save, load, predict, explain, and reject damage.

use std::sync::OnceLock;

use candor_classify::format::{FORMAT_VERSION, HEADER_LEN, MAGIC};
use candor_classify::{
    DataInfo, Example, FeatureConfig, IntentModel, ModelError, Progress, TrainConfig,
    WeightEncoding, evaluate, train,
};
use proptest::prelude::*;

/// A small generated customer-service set: four intents, varied phrasing, several languages.
fn dataset(seed: u64) -> Vec<Example> {
    let intents: [(&str, &[&str], &[&str]); 4] = [
        (
            "track_order",
            &[
                "where is my {}",
                "has my {} shipped yet",
                "track {} please",
                "when will the {} arrive",
                "wo ist mein {}",
                "hvor er min {}",
            ],
            &["order", "parcel", "package", "delivery", "pakke", "Paket"],
        ),
        (
            "get_refund",
            &[
                "I want my money back for the {}",
                "refund the {} now",
                "can I get a refund on my {}",
                "ich möchte mein Geld für die {} zurück",
                "jeg vil have pengene tilbage for {}",
            ],
            &["order", "shoes", "jacket", "subscription", "ticket"],
        ),
        (
            "contact_human",
            &[
                "let me talk to a {}",
                "I need a real {}",
                "connect me with a {}",
                "ich möchte mit einem {} sprechen",
                "jeg vil tale med et {}",
            ],
            &["person", "human", "agent", "menneske", "Menschen"],
        ),
        (
            "change_address",
            &[
                "I moved, update my {}",
                "change the delivery {}",
                "my {} is wrong",
                "neue {} bitte",
                "ny {} tak",
            ],
            &["address", "street", "postcode", "Adresse", "adresse"],
        ),
    ];
    let mut state = seed;
    let mut next = move |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    };
    let mut out = Vec::new();
    for _ in 0..40 {
        for (label, templates, fillers) in intents {
            let t = templates[next(templates.len())];
            let f = fillers[next(fillers.len())];
            let mut text = t.replace("{}", f);
            if next(3) == 0 {
                text.push_str(" #12345");
            }
            if next(4) == 0 {
                text = text.to_uppercase();
            }
            out.push(Example::new(text, label));
        }
    }
    out
}

fn small_config() -> TrainConfig {
    TrainConfig {
        features: FeatureConfig {
            bucket_bits: 16,
            skip_window: 3,
            ..FeatureConfig::default()
        },
        max_epochs: 15,
        ..TrainConfig::default()
    }
}

fn info() -> DataInfo {
    DataInfo {
        source: "generated in tests/intent.rs".into(),
        licence: "Apache-2.0".into(),
        created: "2025-01-01".into(),
        validation: String::new(),
    }
}

fn model() -> &'static IntentModel {
    static MODEL: OnceLock<IntentModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        train(
            &dataset(1),
            Some(&dataset(2)),
            &small_config(),
            &info(),
            &mut |_| {},
        )
        .unwrap()
    })
}

fn probes() -> Vec<String> {
    let mut texts: Vec<String> = dataset(3).into_iter().map(|e| e.text).collect();
    texts.extend(
        [
            "",
            "   ",
            "?!",
            "zzzz qqqq",
            "ＷＨＥＲＥ is my ｐａｒｃｅｌ",
            "Wo ist mein Päckchen?? 😡",
        ]
        .map(str::to_owned),
    );
    texts
}

#[test]
fn it_learns_the_intents() {
    let eval = evaluate(model(), &dataset(4));
    assert!(eval.accuracy() > 0.95, "accuracy {}", eval.accuracy());
    let p = model().predict("where is my parcel");
    assert_eq!(p.label.as_deref(), Some("track_order"));
    assert!(!p.abstained && p.confidence > 0.5);
    assert_eq!(p.top.len(), 3);
    assert_eq!(p.top[0].0, "track_order");
    assert!(p.top.windows(2).all(|w| w[0].1 >= w[1].1));
    let sheet = model().datasheet();
    assert_eq!(sheet.train_rows, 160);
    assert_eq!(sheet.valid_rows, 160);
    assert_eq!(sheet.classes.len(), 4);
    assert!(sheet.classes.iter().all(|c| c.train == 40 && c.valid == 40));
    assert!(sheet.valid_accuracy > 0.95);
    assert_eq!(sheet.source, "generated in tests/intent.rs");
}

#[test]
fn save_load_predict_gives_identical_scores() {
    let dir = tempfile::tempdir().unwrap();
    for encoding in [WeightEncoding::Int8, WeightEncoding::F32] {
        let config = TrainConfig {
            encoding,
            ..small_config()
        };
        let trained = train(&dataset(1), None, &config, &info(), &mut |_| {}).unwrap();
        let path = dir.path().join(format!("{encoding:?}.ctc"));
        trained.save(&path).unwrap();
        let loaded = IntentModel::load(&path).unwrap();
        assert_eq!(loaded.labels(), trained.labels());
        assert_eq!(loaded.datasheet(), trained.datasheet());
        assert_eq!(loaded.temperature(), trained.temperature());
        assert_eq!(loaded.feature_config(), trained.feature_config());
        assert_eq!(loaded.encoding(), encoding);
        for text in probes() {
            // Bit for bit, not approximately.
            let a: Vec<u32> = trained.scores(&text).iter().map(|x| x.to_bits()).collect();
            let b: Vec<u32> = loaded.scores(&text).iter().map(|x| x.to_bits()).collect();
            assert_eq!(a, b, "{text:?}");
            assert_eq!(trained.predict(&text), loaded.predict(&text), "{text:?}");
        }
        // Saving again gives the same bytes.
        assert_eq!(loaded.to_bytes(), std::fs::read(&path).unwrap());
    }
}

#[test]
fn training_is_deterministic_given_the_seed() {
    let a = train(&dataset(1), None, &small_config(), &info(), &mut |_| {}).unwrap();
    let b = train(&dataset(1), None, &small_config(), &info(), &mut |_| {}).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    let other = TrainConfig {
        seed: 7,
        ..small_config()
    };
    let c = train(&dataset(1), None, &other, &info(), &mut |_| {}).unwrap();
    assert_ne!(a.to_bytes(), c.to_bytes());
}

#[test]
fn fixed_epochs_run_them_all_and_keep_the_last() {
    let config = TrainConfig {
        max_epochs: 4,
        patience: 1,
        fixed_epochs: true,
        ..small_config()
    };
    let mut reports = Vec::new();
    let model = train(&dataset(7), None, &config, &info(), &mut |p| {
        if let Progress::Epoch(r) = p {
            reports.push((r.epoch, r.best));
        }
    })
    .unwrap();
    // Patience 1 would stop early stopping at the first epoch without a gain; here every
    // epoch runs, and only the last is the one kept.
    assert_eq!(reports, [(1, false), (2, false), (3, false), (4, true)]);
    let sheet = model.datasheet();
    assert_eq!((sheet.epochs_run, sheet.best_epoch), (4, 4));
    assert!(
        sheet
            .hyperparameters
            .iter()
            .any(|(k, v)| k == "early stopping" && v == "none: exactly 4 epochs")
    );

    // With the refit, the refit runs as many epochs.
    let mut refit_epochs = None;
    train(
        &dataset(7),
        None,
        &TrainConfig {
            refit: true,
            ..config
        },
        &info(),
        &mut |p| {
            if let Progress::Refit { epochs, .. } = p {
                refit_epochs = Some(*epochs);
            }
        },
    )
    .unwrap();
    assert_eq!(refit_epochs, Some(4));
}

#[test]
fn explanations_point_into_the_text_and_sum_to_the_logit() {
    let model = model();
    for text in probes() {
        let logits = model.logits(&text);
        for (li, label) in model.labels().iter().enumerate() {
            let all = model.explain(&text, label, usize::MAX).unwrap();
            assert_eq!(all.logit.to_bits(), logits[li].to_bits(), "{text:?}");
            let sum: f32 = all.bias + all.contributions.iter().map(|c| c.weight).sum::<f32>();
            let tolerance = 1e-4 * (1.0 + all.logit.abs());
            assert!(
                (sum - all.logit).abs() <= tolerance,
                "{text:?} {label}: {sum} vs {}",
                all.logit
            );
            for c in &all.contributions {
                assert!(
                    c.span.end <= text.len() && c.span.start < c.span.end,
                    "{c:?}"
                );
                assert!(text.is_char_boundary(c.span.start) && text.is_char_boundary(c.span.end));
                assert!(c.weight != 0.0);
            }
            let top = model.explain(&text, label, 3).unwrap();
            assert!(top.contributions.len() <= 3);
            assert_eq!(
                top.contributions[..],
                all.contributions[..top.contributions.len()]
            );
            assert!(
                all.contributions
                    .windows(2)
                    .all(|w| w[0].weight.abs() >= w[1].weight.abs())
            );
        }
    }
    // The evidence inside "money back" is for a refund, not for tracking an order.
    let text = "I want my money back for the jacket";
    let phrase = text.find("money back").unwrap()..text.find(" for").unwrap();
    let inside = |label: &str| -> f32 {
        model
            .explain(text, label, usize::MAX)
            .unwrap()
            .contributions
            .iter()
            .filter(|c| c.span.start >= phrase.start && c.span.end <= phrase.end)
            .map(|c| c.weight)
            .sum()
    };
    assert!(inside("get_refund") > 0.0);
    assert!(inside("get_refund") > inside("track_order"));
    let err = model.explain(text, "nope", 3).unwrap_err();
    assert!(err.to_string().contains("unknown label `nope`"));
}

/// The sparse dot product of two feature vectors (rows increasing).
fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

#[test]
fn feature_vectors_are_sorted_unit_length_and_find_paraphrases() {
    let model = model();
    for text in probes() {
        let v = model.feature_vector(&text);
        assert!(v.windows(2).all(|w| w[0].0 < w[1].0), "{text:?}: {v:?}");
        if !v.is_empty() {
            let norm = dot(&v, &v).sqrt();
            assert!((norm - 1.0).abs() < 1e-4, "{text:?}: norm {norm}");
        }
    }
    // Nothing the model knows: no features, so no neighbour can be claimed.
    for text in ["", "   ", "漢字 ΩΨΦ"] {
        assert!(model.feature_vector(text).is_empty(), "{text:?}");
    }
    // The most similar training text of a paraphrase (da, de, nl, en) has its intent; the
    // unrelated German request does not come out as a parcel question.
    let train = dataset(1);
    let vectors: Vec<_> = train
        .iter()
        .map(|e| model.feature_vector(&e.text))
        .collect();
    let nearest = |text: &str| {
        let q = model.feature_vector(text);
        let best = (0..train.len())
            .max_by(|&a, &b| dot(&q, &vectors[a]).total_cmp(&dot(&q, &vectors[b])))
            .unwrap();
        train[best].label.as_str()
    };
    assert_eq!(nearest("hvor er min pakke henne"), "track_order");
    assert_eq!(nearest("wo ist mein Paket denn"), "track_order");
    assert_eq!(nearest("waar is mijn pakket"), "track_order");
    assert_eq!(
        nearest("please give me a refund on the jacket"),
        "get_refund"
    );
    assert_ne!(
        nearest("ich möchte mit einem Menschen sprechen"),
        "track_order"
    );
}

#[test]
fn it_abstains_instead_of_guessing() {
    let model = model();
    for text in ["", "   ", "漢字 ΩΨΦ"] {
        let p = model.predict(text);
        assert!(p.abstained, "{text:?}: {p:?}");
        assert_eq!(p.label, None);
    }
    // Just above a prediction's confidence, the model abstains; just below, it answers.
    let text = "refund my parcel address";
    let p = model.predict(text);
    assert!(p.confidence < 1.0, "{p:?}");
    let mut strict = model.clone();
    strict
        .set_min_confidence(p.confidence.next_up().min(1.0))
        .unwrap();
    let q = strict.predict(text);
    assert!(q.abstained && q.label.is_none(), "{q:?}");
    assert_eq!(q.confidence, p.confidence);
    strict.set_min_confidence(p.confidence).unwrap();
    assert!(!strict.predict(text).abstained);
    assert!(strict.set_min_confidence(1.5).is_err());
}

fn bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| model().to_bytes())
}

#[test]
fn damaged_files_are_rejected_with_the_reason() {
    let good = bytes();
    assert!(IntentModel::from_bytes(good).is_ok());

    let mut magic = good.to_vec();
    magic[0] = b'P';
    assert!(matches!(
        IntentModel::from_bytes(&magic),
        Err(ModelError::BadMagic)
    ));
    assert!(matches!(
        IntentModel::from_bytes(b"{\"not\": \"a model\"}"),
        Err(ModelError::BadMagic)
    ));

    let mut version = good.to_vec();
    version[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let err = IntentModel::from_bytes(&version).unwrap_err();
    assert!(
        matches!(err, ModelError::UnsupportedVersion { found, supported } if found == FORMAT_VERSION + 1 && supported == FORMAT_VERSION)
    );
    assert!(
        err.to_string()
            .contains(&format!("version {} is not supported", FORMAT_VERSION + 1)),
        "{err}"
    );

    for len in [
        0,
        3,
        MAGIC.len(),
        HEADER_LEN - 1,
        HEADER_LEN,
        good.len() / 2,
        good.len() - 1,
    ] {
        let err = IntentModel::from_bytes(&good[..len]).unwrap_err();
        assert!(matches!(err, ModelError::Truncated { .. }), "{len}: {err}");
        assert!(err.to_string().contains("truncated"));
    }

    let mut longer = good.to_vec();
    longer.push(0);
    assert!(matches!(
        IntentModel::from_bytes(&longer),
        Err(ModelError::TrailingBytes(1))
    ));

    let mut flipped = good.to_vec();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    let err = IntentModel::from_bytes(&flipped).unwrap_err();
    assert!(matches!(err, ModelError::ChecksumMismatch { .. }), "{err}");
    assert!(err.to_string().contains("corrupted"));

    let dir = tempfile::tempdir().unwrap();
    let err = IntentModel::load(dir.path().join("absent.ctc")).unwrap_err();
    assert!(matches!(err, ModelError::Read { .. }));
    assert!(err.to_string().contains("absent.ctc"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_byte_flip_is_detected(flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4)) {
        let mut damaged = bytes().to_vec();
        for (at, mask) in &flips {
            let i = at.index(damaged.len());
            damaged[i] ^= mask;
        }
        // Flips may cancel out (the same byte twice): then the file is intact and must load.
        if damaged == bytes() {
            prop_assert!(IntentModel::from_bytes(&damaged).is_ok());
        } else {
            prop_assert!(IntentModel::from_bytes(&damaged).is_err());
        }
    }

    #[test]
    fn any_truncation_or_garbage_is_rejected_without_panic(cut in 0usize..4096, garbage in prop::collection::vec(any::<u8>(), 0..256)) {
        let good = bytes();
        let cut = cut.min(good.len() - 1);
        prop_assert!(IntentModel::from_bytes(&good[..cut]).is_err());
        prop_assert!(IntentModel::from_bytes(&garbage).is_err());
        let mut header_then_garbage = good[..HEADER_LEN].to_vec();
        header_then_garbage.extend_from_slice(&garbage);
        prop_assert!(IntentModel::from_bytes(&header_then_garbage).is_err());
    }
}
