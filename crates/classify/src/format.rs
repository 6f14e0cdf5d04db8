//! The model file format, version 2, and version 1 before it.
//!
//! A model whose features are scaled `1/sqrt(n)` (the only scaling of version 1) is written as
//! version 1, so that such a model file re-saved by this build keeps its exact bytes, checksum
//! and version name; any other model is written as version 2.
//!
//! ```text
//! offset  size  field
//! 0       8     magic  89 43 54 43 0D 0A 1A 0A  ("\x89CTC\r\n\x1a\n": Candor text classifier;
//!               the CR LF and ^Z catch text-mode transfers, as in PNG)
//! 8       4     format version, u32 little-endian (2; 1 is read too)
//! 12      8     body length in bytes, u64 little-endian
//! 20      32    SHA-256 of the body
//! 52      ...   body
//! ```
//!
//! The body, all integers and floats little-endian, strings as a u32 byte length and UTF-8:
//!
//! ```text
//! features     bucket_bits u8, word_ngrams u8, skip_window u8, char_min u8, char_max u8, fold_digits u8 (0|1),
//!              scaling u8 (0 = 1/sqrt(n) per occurrence, 1 = sublinear and unit length, 2 = TF-IDF
//!              and unit length, 3 = sublinear with word and character features each of unit
//!              length; version 2 only: version 1 files are read as 0)
//! labels       count u32, then each label string
//! calibration  temperature f32, min_confidence f32
//! weights      encoding u8 (0 = f32, 1 = int8 with one f32 scale per row), rows u32,
//!              bucket of each row u32 × rows (strictly increasing),
//!              f32:  rows × labels × f32
//!              int8: rows × (scale f32, labels × i8), weight = i8 × scale
//!              bias labels × f32
//! idf          rows × f32, the inverse document frequency of each row (scaling 2 only)
//! datasheet    source, licence, created (strings), seed u64, train_rows u64, valid_rows u64,
//!              validation (string), classes u32 × (label string, train u64, valid u64),
//!              valid_accuracy f64, valid_macro_f1 f64, valid_nll f64, valid_ece f64,
//!              epochs_run u32, best_epoch u32, hyperparameters u32 × (name, value strings)
//! ```
//!
//! Every value is checked on reading; the checksum is checked before anything else is parsed,
//! so a damaged file is rejected rather than read as a different model.

use sha2::{Digest, Sha256};

use crate::datasheet::{ClassCount, Datasheet};
use crate::features::{FeatureConfig, Scaling};
use crate::model::{IntentModel, ModelError, WeightEncoding};

/// The first eight bytes of every model file.
pub const MAGIC: [u8; 8] = *b"\x89CTC\r\n\x1a\n";
/// The newest format version, written for models that need it; this build reads it and
/// [`FORMAT_VERSION_1`].
pub const FORMAT_VERSION: u32 = 2;
/// The first format: no scaling byte (every occurrence `1/sqrt(n)`), no idf.
pub const FORMAT_VERSION_1: u32 = 1;
/// Header size: magic, version, body length, checksum.
pub const HEADER_LEN: usize = 8 + 4 + 8 + 32;

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(len_u32(s.len()));
        self.0.extend_from_slice(s.as_bytes());
    }
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).expect("lengths in a model fit in u32")
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn malformed(what: impl Into<String>) -> ModelError {
    ModelError::Malformed(what.into())
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ModelError> {
        if self.bytes.len() - self.at < n {
            return Err(malformed(format!(
                "{what} runs past the end of the body at byte {}",
                self.at
            )));
        }
        let out = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }
    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], ModelError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }
    fn u8(&mut self, what: &str) -> Result<u8, ModelError> {
        Ok(self.take(1, what)?[0])
    }
    fn u32(&mut self, what: &str) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    fn u64(&mut self, what: &str) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    fn f32(&mut self, what: &str) -> Result<f32, ModelError> {
        let v = f32::from_le_bytes(self.array(what)?);
        if !v.is_finite() {
            return Err(malformed(format!("{what} is not a finite number")));
        }
        Ok(v)
    }
    fn f64(&mut self, what: &str) -> Result<f64, ModelError> {
        let v = f64::from_le_bytes(self.array(what)?);
        if !v.is_finite() {
            return Err(malformed(format!("{what} is not a finite number")));
        }
        Ok(v)
    }
    fn str(&mut self, what: &str) -> Result<String, ModelError> {
        let len = self.u32(what)? as usize;
        let bytes = self.take(len, what)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| malformed(format!("{what} is not valid UTF-8")))
    }
    /// A count of items of at least `min_item` bytes each, checked against what is left so that
    /// a damaged count cannot make us allocate gigabytes.
    fn count(&mut self, min_item: usize, what: &str) -> Result<usize, ModelError> {
        let n = self.u32(what)? as usize;
        if n.saturating_mul(min_item) > self.bytes.len() - self.at {
            return Err(malformed(format!(
                "{what} ({n}) is larger than the rest of the body"
            )));
        }
        Ok(n)
    }
}

/// Encodes a model as a complete file.
pub(crate) fn encode(model: &IntentModel) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    let f = model.features;
    w.u8(f.bucket_bits);
    w.u8(f.word_ngrams);
    w.u8(f.skip_window);
    w.u8(f.char_min);
    w.u8(f.char_max);
    w.u8(u8::from(f.fold_digits));
    let version = match f.scaling {
        Scaling::SqrtCount => FORMAT_VERSION_1,
        Scaling::Sublinear | Scaling::TfIdf | Scaling::SublinearByKind => FORMAT_VERSION,
    };
    if version != FORMAT_VERSION_1 {
        w.u8(match f.scaling {
            Scaling::SqrtCount => 0,
            Scaling::Sublinear => 1,
            Scaling::TfIdf => 2,
            Scaling::SublinearByKind => 3,
        });
    }
    w.u32(len_u32(model.labels.len()));
    for label in &model.labels {
        w.str(label);
    }
    w.f32(model.temperature);
    w.f32(model.min_confidence);
    let c = model.labels.len();
    let rows = model.buckets.len();
    w.u8(match model.encoding {
        WeightEncoding::F32 => 0,
        WeightEncoding::Int8 => 1,
    });
    w.u32(len_u32(rows));
    for &b in &model.buckets {
        w.u32(b);
    }
    match model.encoding {
        WeightEncoding::F32 => {
            for &x in &model.weights {
                w.f32(x);
            }
        }
        WeightEncoding::Int8 => {
            for (row, &scale) in model.steps.chunks_exact(c).zip(&model.scales) {
                w.f32(scale);
                w.0.extend(row.iter().map(|&q| q as u8));
            }
        }
    }
    for &b in &model.bias {
        w.f32(b);
    }
    for &x in &model.idf {
        w.f32(x);
    }
    let d = &model.datasheet;
    w.str(&d.source);
    w.str(&d.licence);
    w.str(&d.created);
    w.u64(d.seed);
    w.u64(d.train_rows);
    w.u64(d.valid_rows);
    w.str(&d.validation);
    w.u32(len_u32(d.classes.len()));
    for class in &d.classes {
        w.str(&class.label);
        w.u64(class.train);
        w.u64(class.valid);
    }
    w.f64(d.valid_accuracy);
    w.f64(d.valid_macro_f1);
    w.f64(d.valid_nll);
    w.f64(d.valid_ece);
    w.u32(d.epochs_run);
    w.u32(d.best_epoch);
    w.u32(len_u32(d.hyperparameters.len()));
    for (name, value) in &d.hyperparameters {
        w.str(name);
        w.str(value);
    }
    let body = w.0;

    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    let digest: [u8; 32] = Sha256::digest(&body).into();
    out.extend_from_slice(&digest);
    out.extend_from_slice(&body);
    out
}

/// Checks the header and checksum of a complete file and returns its format version and body.
fn verified_body(bytes: &[u8]) -> Result<(u32, &[u8]), ModelError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        // A prefix of the magic is a truncated model file, anything else is not a model.
        if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) {
            return Err(ModelError::Truncated {
                expected: HEADER_LEN as u64,
                actual: bytes.len() as u64,
            });
        }
        return Err(ModelError::BadMagic);
    }
    if bytes.len() < HEADER_LEN {
        return Err(ModelError::Truncated {
            expected: HEADER_LEN as u64,
            actual: bytes.len() as u64,
        });
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION && version != FORMAT_VERSION_1 {
        return Err(ModelError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let body_len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let expected = (HEADER_LEN as u64).saturating_add(body_len);
    let actual = bytes.len() as u64;
    if actual < expected {
        return Err(ModelError::Truncated { expected, actual });
    }
    if actual > expected {
        return Err(ModelError::TrailingBytes(actual - expected));
    }
    let body = &bytes[HEADER_LEN..];
    let digest: [u8; 32] = Sha256::digest(body).into();
    let stored = &bytes[20..52];
    if digest[..] != stored[..] {
        return Err(ModelError::ChecksumMismatch {
            expected: hex(stored),
            actual: hex(&digest),
        });
    }
    Ok((version, body))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a complete file's body, as stored in its header (hex).
pub(crate) fn body_digest(bytes: &[u8]) -> String {
    hex(&bytes[20..52])
}

/// Decodes a complete model file.
pub(crate) fn decode(bytes: &[u8]) -> Result<IntentModel, ModelError> {
    let (version, body) = verified_body(bytes)?;
    let mut r = Reader { bytes: body, at: 0 };
    let features = FeatureConfig {
        bucket_bits: r.u8("bucket bits")?,
        word_ngrams: r.u8("word n-grams")?,
        skip_window: r.u8("word pair window")?,
        char_min: r.u8("char n-gram minimum")?,
        char_max: r.u8("char n-gram maximum")?,
        fold_digits: match r.u8("digit folding")? {
            0 => false,
            1 => true,
            other => return Err(malformed(format!("digit folding flag is {other}"))),
        },
        scaling: if version == FORMAT_VERSION_1 {
            Scaling::SqrtCount
        } else {
            match r.u8("scaling")? {
                0 => Scaling::SqrtCount,
                1 => Scaling::Sublinear,
                2 => Scaling::TfIdf,
                3 => Scaling::SublinearByKind,
                other => return Err(malformed(format!("unknown scaling {other}"))),
            }
        },
    };
    features
        .validate()
        .map_err(|e| malformed(format!("feature settings: {e}")))?;
    let n_labels = r.count(4, "label count")?;
    if n_labels < 2 {
        return Err(malformed(format!("{n_labels} labels; a model needs two")));
    }
    let mut labels = Vec::with_capacity(n_labels);
    for i in 0..n_labels {
        let label = r.str("label")?;
        if label.is_empty() {
            return Err(malformed(format!("label {i} is empty")));
        }
        if labels.contains(&label) {
            return Err(malformed(format!("label `{label}` appears twice")));
        }
        labels.push(label);
    }
    let temperature = r.f32("temperature")?;
    if temperature <= 0.0 {
        return Err(malformed(format!(
            "temperature {temperature} is not positive"
        )));
    }
    let min_confidence = r.f32("minimum confidence")?;
    if !(0.0..=1.0).contains(&min_confidence) {
        return Err(malformed(format!(
            "minimum confidence {min_confidence} is not in [0, 1]"
        )));
    }
    let encoding = match r.u8("weight encoding")? {
        0 => WeightEncoding::F32,
        1 => WeightEncoding::Int8,
        other => return Err(malformed(format!("unknown weight encoding {other}"))),
    };
    let c = n_labels;
    let row_bytes = match encoding {
        WeightEncoding::F32 => 4 + 4 * c,
        WeightEncoding::Int8 => 4 + 4 + c,
    };
    let rows = r.count(row_bytes, "row count")?;
    let mut buckets = Vec::with_capacity(rows);
    let limit = features.buckets() as u64;
    for _ in 0..rows {
        let b = r.u32("row bucket")?;
        if u64::from(b) >= limit {
            return Err(malformed(format!(
                "row bucket {b} is outside the {limit} buckets"
            )));
        }
        if buckets.last().is_some_and(|&last| last >= b) {
            return Err(malformed("row buckets are not strictly increasing"));
        }
        buckets.push(b);
    }
    let mut weights = Vec::with_capacity(rows * c);
    let mut scales = Vec::new();
    match encoding {
        WeightEncoding::F32 => {
            for _ in 0..rows * c {
                weights.push(r.f32("weight")?);
            }
        }
        WeightEncoding::Int8 => {
            for _ in 0..rows {
                let scale = r.f32("row scale")?;
                if scale < 0.0 {
                    return Err(malformed("negative row scale"));
                }
                let q = r.take(c, "row weights")?;
                scales.push(scale);
                weights.extend(q.iter().map(|&v| crate::model::dequantise(v as i8, scale)));
            }
        }
    }
    let mut bias = Vec::with_capacity(c);
    for _ in 0..c {
        bias.push(r.f32("bias")?);
    }
    let mut idf = Vec::new();
    if features.scaling == Scaling::TfIdf {
        idf.reserve(rows);
        for _ in 0..rows {
            let x = r.f32("idf")?;
            if x <= 0.0 {
                return Err(malformed(format!("idf {x} is not positive")));
            }
            idf.push(x);
        }
    }
    let source = r.str("datasheet source")?;
    let licence = r.str("datasheet licence")?;
    let created = r.str("datasheet date")?;
    let seed = r.u64("datasheet seed")?;
    let train_rows = r.u64("datasheet training rows")?;
    let valid_rows = r.u64("datasheet validation rows")?;
    let validation = r.str("datasheet validation source")?;
    let n_classes = r.count(20, "datasheet class count")?;
    let mut classes = Vec::with_capacity(n_classes);
    for _ in 0..n_classes {
        classes.push(ClassCount {
            label: r.str("datasheet class label")?,
            train: r.u64("datasheet class training count")?,
            valid: r.u64("datasheet class validation count")?,
        });
    }
    let valid_accuracy = r.f64("datasheet accuracy")?;
    let valid_macro_f1 = r.f64("datasheet macro-F1")?;
    let valid_nll = r.f64("datasheet NLL")?;
    let valid_ece = r.f64("datasheet ECE")?;
    let epochs_run = r.u32("datasheet epochs")?;
    let best_epoch = r.u32("datasheet best epoch")?;
    let n_hyper = r.count(8, "datasheet hyperparameter count")?;
    let mut hyperparameters = Vec::with_capacity(n_hyper);
    for _ in 0..n_hyper {
        hyperparameters.push((
            r.str("hyperparameter name")?,
            r.str("hyperparameter value")?,
        ));
    }
    if r.at != body.len() {
        return Err(malformed(format!(
            "{} bytes after the datasheet",
            body.len() - r.at
        )));
    }
    let datasheet = Datasheet {
        source,
        licence,
        created,
        seed,
        train_rows,
        valid_rows,
        validation,
        classes,
        valid_accuracy,
        valid_macro_f1,
        valid_nll,
        valid_ece,
        epochs_run,
        best_epoch,
        hyperparameters,
    };
    Ok(IntentModel::from_parts(
        features,
        labels,
        buckets,
        weights,
        scales,
        bias,
        idf,
        temperature,
        min_confidence,
        encoding,
        datasheet,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::{DataInfo, Example, TrainConfig, train};

    fn model(scaling: Scaling) -> IntentModel {
        let mut data = Vec::new();
        for i in 0..12 {
            data.push(Example::new(
                format!("where is my parcel number {i}"),
                "track",
            ));
            data.push(Example::new(
                format!("refund my order {i} please"),
                "refund",
            ));
            data.push(Example::new(format!("talk to a person now {i}"), "human"));
        }
        let config = TrainConfig {
            features: FeatureConfig {
                bucket_bits: 12,
                scaling,
                ..FeatureConfig::default()
            },
            max_epochs: 5,
            ..TrainConfig::default()
        };
        train(&data, None, &config, &DataInfo::default(), &mut |_| {}).unwrap()
    }

    #[test]
    fn version_1_is_written_when_it_suffices_and_read_with_its_scaling() {
        let version = |bytes: &[u8]| u32::from_le_bytes(bytes[8..12].try_into().unwrap());
        let old = encode(&model(Scaling::SqrtCount));
        assert_eq!(version(&old), FORMAT_VERSION_1);
        let read = decode(&old).unwrap();
        assert_eq!(read.feature_config().scaling, Scaling::SqrtCount);
        // Re-saving keeps the exact bytes, so the checksum and version name stay.
        assert_eq!(encode(&read), old);
        for scaling in [Scaling::Sublinear, Scaling::TfIdf, Scaling::SublinearByKind] {
            assert_eq!(version(&encode(&model(scaling))), FORMAT_VERSION);
        }
    }

    #[test]
    fn the_shipped_intent_model_is_format_1_and_re_saves_unchanged() {
        let bytes = include_bytes!("../../../models/customer-service-intent.ctc");
        let model = decode(bytes).unwrap();
        assert_eq!(model.feature_config().scaling, Scaling::SqrtCount);
        assert_eq!(&encode(&model)[..], &bytes[..]);
    }

    #[test]
    fn every_scaling_round_trips_and_explains_its_logits() {
        for scaling in [
            Scaling::SqrtCount,
            Scaling::Sublinear,
            Scaling::TfIdf,
            Scaling::SublinearByKind,
        ] {
            let trained = model(scaling);
            assert_eq!(trained.idf.is_empty(), scaling != Scaling::TfIdf);
            let loaded = decode(&encode(&trained)).unwrap();
            assert_eq!(loaded.feature_config().scaling, scaling);
            assert_eq!(loaded.idf, trained.idf);
            for text in [
                "where where where is my parcel",
                "refund my order please",
                "talk to a person",
                "unseen ###",
            ] {
                let logits = trained.logits(text);
                assert_eq!(logits, loaded.logits(text), "{scaling:?} {text}");
                for (li, label) in trained.labels().iter().enumerate() {
                    let why = trained.explain(text, label, usize::MAX).unwrap();
                    let sum = why.bias + why.contributions.iter().map(|c| c.weight).sum::<f32>();
                    assert!(
                        (sum - logits[li]).abs() <= 1e-4 * (1.0 + logits[li].abs()),
                        "{scaling:?} {text} {label}: {sum} vs {}",
                        logits[li]
                    );
                }
            }
            assert_eq!(
                trained.predict("where is my parcel").label.as_deref(),
                Some("track")
            );
        }
    }

    #[test]
    fn a_bad_scaling_or_idf_is_malformed() {
        let bytes = encode(&model(Scaling::TfIdf));
        assert_eq!(bytes[8..12], FORMAT_VERSION.to_le_bytes());
        let reseal = |mut body: Vec<u8>| {
            let mut out = bytes[..HEADER_LEN].to_vec();
            let digest: [u8; 32] = Sha256::digest(&body).into();
            out[20..52].copy_from_slice(&digest);
            out.append(&mut body);
            out
        };
        let mut body = bytes[HEADER_LEN..].to_vec();
        body[6] = 7;
        let err = decode(&reseal(body)).unwrap_err();
        assert!(err.to_string().contains("unknown scaling 7"), "{err}");
        // A writer that stores an idf of zero or less has a bug; refuse the file.
        let mut m = model(Scaling::TfIdf);
        let last = m.idf.len() - 1;
        m.idf[last] = -1.0;
        let err = decode(&encode(&m)).unwrap_err();
        assert!(err.to_string().contains("idf -1 is not positive"), "{err}");
    }
}
