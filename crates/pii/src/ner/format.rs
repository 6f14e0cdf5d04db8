//! The person-name model file, version 2.
//!
//! ```text
//! offset  size  field
//! 0       8     magic  89 43 50 4E 0D 0A 1A 0A  ("\x89CPN\r\n\x1a\n": Candor person names;
//!               the CR LF and ^Z catch text-mode transfers, as in PNG)
//! 8       4     format version, u32 little-endian (2)
//! 12      8     body length in bytes, u64 little-endian
//! 20      32    SHA-256 of the body
//! 52      ...   body
//! ```
//!
//! The body, little-endian, strings as a u32 byte length and UTF-8:
//!
//! ```text
//! bits u8, features_version u8, tags u8 (3: O, B-PER, I-PER)
//! scale f32 (emission weight = i16 × scale), margin_scale f32, min_margin f32,
//! outside_bias f32 (added to every token's O score)
//! transitions 4 × 3 f32 (from O, B, I, sentence start; to O, B, I)
//! datasheet string (training data, licences, seed, scores)
//! weights u32 count (= 2^bits × 3), then count × i16 (bucket-major)
//! ```
//!
//! The checksum is checked before anything else is read, so a damaged file is refused rather
//! than read as a different model.

use sha2::{Digest, Sha256};

use super::features::FEATURES_VERSION;
use super::{PersonModel, TAGS};

/// The first eight bytes of every person-name model file.
pub const MAGIC: [u8; 8] = *b"\x89CPN\r\n\x1a\n";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 2;
const HEADER_LEN: usize = 8 + 4 + 8 + 32;

/// Why a person-name model file was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    /// The file does not start with the model magic: it is no person-name model.
    #[error("not a Candor person-name model (bad magic)")]
    BadMagic,
    /// Written by a newer or older format.
    #[error("unsupported model format version {0} (this build reads {FORMAT_VERSION})")]
    UnsupportedVersion(u32),
    /// Shorter than its header says.
    #[error("model file truncated: {0}")]
    Truncated(&'static str),
    /// The body does not match its checksum: the file was damaged.
    #[error("model file damaged: SHA-256 of the body does not match the header")]
    ChecksumMismatch,
    /// Trained with other feature templates than this build computes.
    #[error("model uses feature templates version {found}; this build computes version {expected}")]
    FeatureVersion {
        /// The version in the file.
        found: u8,
        /// The version this build computes.
        expected: u8,
    },
    /// A field holds an impossible value.
    #[error("malformed model: {0}")]
    Malformed(String),
}

pub(super) fn write(model: &PersonModel) -> Vec<u8> {
    let mut body = Vec::with_capacity(model.weights.len() * 2 + 1024);
    body.extend_from_slice(&[model.bits, FEATURES_VERSION, TAGS as u8]);
    for v in [
        model.scale,
        model.margin_scale,
        model.min_margin,
        model.outside_bias,
    ] {
        body.extend_from_slice(&v.to_le_bytes());
    }
    for row in &model.transitions {
        for v in row {
            body.extend_from_slice(&v.to_le_bytes());
        }
    }
    let sheet = model.datasheet.as_bytes();
    body.extend_from_slice(
        &u32::try_from(sheet.len())
            .expect("short datasheet")
            .to_le_bytes(),
    );
    body.extend_from_slice(sheet);
    let count = u32::try_from(model.weights.len()).expect("2^bits × 3 fits in u32");
    body.extend_from_slice(&count.to_le_bytes());
    for w in &model.weights {
        body.extend_from_slice(&w.to_le_bytes());
    }
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&body));
    out.extend_from_slice(&body);
    out
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ModelError> {
        if self.0.len() < n {
            return Err(ModelError::Truncated(what));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], ModelError> {
        Ok(self.take(N, what)?.try_into().expect("took N bytes"))
    }
    fn f32(&mut self, what: &'static str) -> Result<f32, ModelError> {
        let v = f32::from_le_bytes(self.array(what)?);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(ModelError::Malformed(format!("{what} is not finite")))
        }
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
}

pub(super) fn read(bytes: &[u8]) -> Result<PersonModel, ModelError> {
    let mut header = Reader(bytes);
    if header.take(8, "magic").ok() != Some(&MAGIC[..]) {
        return Err(ModelError::BadMagic);
    }
    let version = header.u32("version")?;
    if version != FORMAT_VERSION {
        return Err(ModelError::UnsupportedVersion(version));
    }
    let len = u64::from_le_bytes(header.array("body length")?);
    let sum: [u8; 32] = header.array("checksum")?;
    let body = header.0;
    if (body.len() as u64) < len {
        return Err(ModelError::Truncated("body"));
    }
    if body.len() as u64 != len {
        return Err(ModelError::Malformed("bytes after the body".into()));
    }
    if Sha256::digest(body)[..] != sum {
        return Err(ModelError::ChecksumMismatch);
    }
    let mut r = Reader(body);
    let [bits, features, tags] = r.array::<3>("parameters")?;
    if features != FEATURES_VERSION {
        return Err(ModelError::FeatureVersion {
            found: features,
            expected: FEATURES_VERSION,
        });
    }
    if !(8..=24).contains(&bits) || usize::from(tags) != TAGS {
        return Err(ModelError::Malformed(format!("bits {bits}, tags {tags}")));
    }
    let scale = r.f32("scale")?;
    let margin_scale = r.f32("margin scale")?;
    let min_margin = r.f32("minimum margin")?;
    let outside_bias = r.f32("outside bias")?;
    if scale <= 0.0 || margin_scale <= 0.0 {
        return Err(ModelError::Malformed("scales must be positive".into()));
    }
    let mut transitions = [[0.0; TAGS]; TAGS + 1];
    for row in &mut transitions {
        for v in row.iter_mut() {
            *v = r.f32("transitions")?;
        }
    }
    let sheet_len = r.u32("datasheet length")? as usize;
    let datasheet = std::str::from_utf8(r.take(sheet_len, "datasheet")?)
        .map_err(|_| ModelError::Malformed("datasheet is not UTF-8".into()))?
        .to_owned();
    let count = r.u32("weight count")? as usize;
    if count != (1usize << bits) * TAGS {
        return Err(ModelError::Malformed(format!(
            "{count} weights for {bits} bits"
        )));
    }
    let raw = r.take(count * 2, "weights")?;
    if !r.0.is_empty() {
        return Err(ModelError::Malformed("bytes after the weights".into()));
    }
    let weights = raw
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    Ok(PersonModel {
        bits,
        weights,
        scale,
        transitions,
        margin_scale,
        min_margin,
        outside_bias,
        datasheet,
    })
}
