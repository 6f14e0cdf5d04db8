//! Scores one training configuration on held-out parts of a TRAINING set, never a test set:
//! an "outer" stratified 10% of each class is split off first (seeded by `SEED`), training runs
//! on the rest (validating on its own inner holdout), and the line printed gives the outer
//! accuracy, the inner validation accuracy and the per-epoch validation curve.
//!
//! ```sh
//! for seed in 1 2 3; do
//!   TUNE_DATA=$PWD/../shared/data/banking77/train.csv SKIP=5 REFIT=1 SEED=$seed \
//!     cargo bench -p candor-classify --bench tune -- skip5-refit
//! done
//! ```
//!
//! Settings (defaults: `TrainConfig::default()`): `TUNE_TEXT`, `TUNE_LABEL` (column names),
//! `BITS`, `WORD`, `SKIP`, `CMIN`, `CMAX`, `FOLD` (0/1), `SCALE` (0 = 1/sqrt(n), 1 = sublinear, 2 = TF-IDF, 3 = sublinear by kind), `EPOCHS`, `PATIENCE`, `BATCH`, `LR`, `DECAY`,
//! `L2`, `BAL` (0/1), `REFIT` (0/1), `VFRAC`, `SEED`, `F32` (0/1); experiments on top of the
//! trained model: `MEMBERS` (an ensemble), `KNN=1` with `TOPK` and `MAXDF` (a nearest-neighbour
//! blend). docs/EVALUATION.md lists what was tried for Banking77.

use candor_classify::*;
use std::time::Instant;

fn env<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}
fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let path = std::env::var("TUNE_DATA").expect("TUNE_DATA names a training file");
    let data = read_examples(
        std::path::Path::new(&path),
        &env("TUNE_TEXT", "text".to_string()),
        &env("TUNE_LABEL", "category".to_string()),
    )
    .unwrap();
    let d = TrainConfig::default();
    let config = TrainConfig {
        features: FeatureConfig {
            bucket_bits: env("BITS", d.features.bucket_bits),
            word_ngrams: env("WORD", d.features.word_ngrams),
            skip_window: env("SKIP", d.features.skip_window),
            char_min: env("CMIN", d.features.char_min),
            char_max: env("CMAX", d.features.char_max),
            fold_digits: env("FOLD", 1u8) == 1,
            scaling: match env("SCALE", 1u8) {
                0 => Scaling::SqrtCount,
                1 => Scaling::Sublinear,
                3 => Scaling::SublinearByKind,
                _ => Scaling::TfIdf,
            },
        },
        max_epochs: env("EPOCHS", d.max_epochs),
        patience: env("PATIENCE", d.patience),
        batch_size: env("BATCH", d.batch_size),
        learning_rate: env("LR", d.learning_rate),
        lr_decay: env("DECAY", d.lr_decay),
        l2: env("L2", d.l2),
        class_weighting: if env("BAL", 1u8) == 1 {
            ClassWeighting::Balanced
        } else {
            ClassWeighting::None
        },
        refit: env("REFIT", 0u8) == 1,
        valid_fraction: env("VFRAC", d.valid_fraction),
        seed: env("SEED", d.seed),
        min_confidence: 0.5,
        encoding: if env("F32", 0u8) == 1 {
            WeightEncoding::F32
        } else {
            WeightEncoding::Int8
        },
        fixed_epochs: env("FIXED", 0u8) == 1,
    };
    // Outer split: 10% of each class, never seen by training, scores the configuration.
    let mut by: std::collections::BTreeMap<String, Vec<Example>> = Default::default();
    for e in data {
        by.entry(e.label.clone()).or_default().push(e);
    }
    let (mut inner, mut outer) = (Vec::new(), Vec::new());
    let mut st: u64 = env("SEED", 42u64) * 7919 + 1;
    for (_, mut v) in by {
        for i in (1..v.len()).rev() {
            st = st
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let j = ((st >> 33) as usize) % (i + 1);
            v.swap(i, j);
        }
        let k = (v.len() as f32 * 0.1).round() as usize;
        outer.extend(v.drain(..k));
        inner.extend(v);
    }
    let data = inner;
    let thread_cpu = || -> f64 {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1e9
    };
    let cpu_started = thread_cpu();
    let t = Instant::now();
    let mut log = String::new();
    let m = train(&data, None, &config, &DataInfo::default(), &mut |p| {
        if let Progress::Epoch(r) = p {
            log.push_str(&format!(" {}:{:.2}", r.epoch, r.valid_accuracy * 100.0));
        }
    })
    .unwrap();
    let train_s = t.elapsed().as_secs_f64();
    let train_cpu = thread_cpu() - cpu_started;
    let s = m.datasheet();
    let o = evaluate(&m, &outer);
    // One-at-a-time prediction speed on the outer texts, in CPU time of this thread.
    let cpu = thread_cpu;
    let passes = env("PASSES", 5usize);
    let c0 = cpu();
    for _ in 0..passes {
        for e in &outer {
            std::hint::black_box(m.predict(std::hint::black_box(&e.text)));
        }
    }
    let per_s = (passes * outer.len()) as f64 / (cpu() - c0);
    // `KNN=1`: cosine similarity of each outer text to the training texts (an inverted index
    // over the model's own feature vectors, skipping rows in more than `MAXDF` texts), the best
    // similarity per class blended with the calibrated probabilities; prints the outer accuracy
    // for a grid of blend weights.
    if env("KNN", 0u8) == 1 {
        let labels = m.labels();
        let max_df = env("MAXDF", usize::MAX);
        let topk = env("TOPK", 1usize);
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); m.rows()];
        let mut doc_label = Vec::new();
        for (d, e) in data.iter().enumerate() {
            for (r, v) in m.feature_vector(&e.text) {
                postings[r as usize].push((d as u32, v));
            }
            doc_label.push(labels.iter().position(|l| *l == e.label).unwrap());
        }
        let grid = [
            0.0f32, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0,
        ];
        let mut hits_p = vec![0usize; grid.len()];
        let mut hits_l = vec![0usize; grid.len()];
        let mut hits_knn = 0;
        let mut sims = vec![0f32; data.len()];
        let c0 = cpu();
        let mut knn_time = 0.0;
        for e in &outer {
            let k0 = cpu();
            sims.iter_mut().for_each(|s| *s = 0.0);
            for (r, v) in m.feature_vector(&e.text) {
                let p = &postings[r as usize];
                if p.len() <= max_df {
                    for &(d, w) in p {
                        sims[d as usize] += v * w;
                    }
                }
            }
            // Per class: mean of the top-k similarities.
            let mut best: Vec<Vec<f32>> = vec![Vec::new(); labels.len()];
            for (d, &s) in sims.iter().enumerate() {
                if s > 0.0 {
                    best[doc_label[d]].push(s);
                }
            }
            let cls: Vec<f32> = best
                .iter_mut()
                .map(|v| {
                    v.sort_unstable_by(|a, b| b.total_cmp(a));
                    v.iter().take(topk).sum::<f32>() / topk as f32
                })
                .collect();
            knn_time += cpu() - k0;
            let gold = labels.iter().position(|l| *l == e.label).unwrap();
            let am = |xs: &[f32]| (0..xs.len()).fold(0, |b, i| if xs[i] > xs[b] { i } else { b });
            hits_knn += usize::from(am(&cls) == gold);
            let probs = m.scores(&e.text);
            let lg: Vec<f32> = m
                .logits(&e.text)
                .iter()
                .map(|x| x / m.temperature())
                .collect();
            for (gi, &w) in grid.iter().enumerate() {
                let a: Vec<f32> = probs.iter().zip(&cls).map(|(p, s)| p + w * s).collect();
                hits_p[gi] += usize::from(am(&a) == gold);
                let b: Vec<f32> = lg.iter().zip(&cls).map(|(p, s)| p + 10.0 * w * s).collect();
                hits_l[gi] += usize::from(am(&b) == gold);
            }
        }
        let n = outer.len() as f64;
        let avg_post = postings
            .iter()
            .filter(|p| p.len() <= max_df)
            .map(|p| p.len())
            .sum::<usize>();
        println!(
            "knn alone {:.2}% | knn {:.1} us/query ({:.1} us all) postings {} (maxdf {max_df}, topk {topk})",
            hits_knn as f64 * 100.0 / n,
            knn_time * 1e6 / n,
            (cpu() - c0) * 1e6 / n,
            avg_post
        );
        for (gi, w) in grid.iter().enumerate() {
            println!(
                "  w {w:>5}: p+w*s {:.2}%   logit/T+10w*s {:.2}%",
                hits_p[gi] as f64 * 100.0 / n,
                hits_l[gi] as f64 * 100.0 / n
            );
        }
    }
    // `MEMBERS=k`: k - 1 more models with other seeds (and `SCALE2`/`CMAX2`/`WORD2` for the
    // second), their logits averaged with the first's, scored on the outer split.
    let members = env("MEMBERS", 1usize);
    if members > 1 {
        let mut models = vec![m.clone()];
        for k in 1..members {
            let mut other = config.clone();
            other.seed = config.seed + 1000 * k as u64;
            if k == 1 {
                other.features.scaling = match env("SCALE2", 9u8) {
                    0 => Scaling::SqrtCount,
                    1 => Scaling::Sublinear,
                    2 => Scaling::TfIdf,
                    _ => config.features.scaling,
                };
                other.features.char_max = env("CMAX2", config.features.char_max);
                other.features.char_min = env("CMIN2", config.features.char_min);
                other.features.word_ngrams = env("WORD2", config.features.word_ngrams);
                other.features.skip_window = env("SKIP2", config.features.skip_window);
            }
            models.push(train(&data, None, &other, &DataInfo::default(), &mut |_| {}).unwrap());
        }
        let labels = m.labels();
        let mut hits = 0;
        for e in &outer {
            let mut sum = vec![0f32; labels.len()];
            for mm in &models {
                for (a, b) in sum.iter_mut().zip(mm.logits(&e.text)) {
                    *a += b;
                }
            }
            let best = (0..sum.len()).fold(0, |b, i| if sum[i] > sum[b] { i } else { b });
            hits += usize::from(labels[best] == e.label);
        }
        println!(
            "ensemble of {members}: outer {:.2}% ({:.1}s)",
            hits as f64 * 100.0 / outer.len() as f64,
            t.elapsed().as_secs_f64()
        );
    }
    println!(
        "{:?} outer {:.2}% valid {:.2}% f1 {:.2} T {:.3} ece {:.4} rows {} bytes {} time {:.2}s ({:.2}s CPU) {:.0}/cpu-s |{}",
        std::env::args()
            .skip(1)
            .filter(|a| a != "--bench")
            .collect::<Vec<_>>(),
        o.accuracy() * 100.0,
        s.valid_accuracy * 100.0,
        s.valid_macro_f1 * 100.0,
        m.temperature(),
        s.valid_ece,
        m.rows(),
        m.to_bytes().len(),
        train_s,
        train_cpu,
        per_s,
        log
    );
}
