//! Readers for the public sentiment, complaint and offensive-language datasets that the shipped
//! sentiment model is trained and measured on (`../shared/data/`, never copied into the
//! repository), and the deterministic split the training and evaluation examples share.
//!
//! Every reader returns [`Example`]s. The readers of training data map their labels to the
//! three polarities [`NEGATIVE`], [`NEUTRAL`] and [`POSITIVE`]; the readers of evaluation-only
//! data keep the data's own labels where they are not polarities (complaint, offensive).
//!
//! How labels become polarities:
//!
//! - **XED** (Plutchik emotions, multi-label): anger, disgust, fear, sadness are negative; joy and
//!   trust are positive. Anticipation and surprise carry no polarity of their own ("I can't wait"
//!   and "what a mess" are both anticipation or surprise), so they are ignored: a row with only
//!   them is skipped (it is not neutral either: annotators found an emotion in it). A row with
//!   both a negative and a positive emotion has mixed polarity and is skipped. The lines of
//!   `neu_en.txt` are neutral.
//! - **LCC** (valence −5..+5): below 0 negative, 0 neutral, above 0 positive; the out-of-range
//!   annotation error (`9`) is skipped.
//! - **GermEval 2018**: `OFFENSE` is negative; `OTHER` is kept as `OTHER` by
//!   [`read_germeval2018`], and [`sentiment_corpus`] uses it as neutral (see there why).
//! - **Customer-service requests** (Bitext, Candor's own `data/intent/`): neutral, the
//!   domain's everyday message ("how do I change my address?"), except complaints and reports
//!   of a problem ([`PROBLEM_INTENTS`]: "I want to file a complaint", "I can't pay"), which are
//!   negative (a complaint is a negative customer-service message), Bitext's utterances tagged
//!   `W` (offensive language: "cancel the damn order"), also negative, and feedback
//!   ([`FEEDBACK_INTENTS`]), which can go either way and is skipped.

use std::path::{Path, PathBuf};

use candor_core::Lang;

use crate::train::Example;

/// The negative polarity label.
pub const NEGATIVE: &str = "negative";
/// The neutral polarity label.
pub const NEUTRAL: &str = "neutral";
/// The positive polarity label.
pub const POSITIVE: &str = "positive";

/// A dataset file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CorpusError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A CSV file that does not parse.
    #[error("cannot parse {}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// Why.
        source: csv::Error,
    },
    /// A labelled text file of this repository that does not read.
    #[error(transparent)]
    Dataset(#[from] crate::dataset::DatasetError),
    /// Content that does not have the dataset's documented shape.
    #[error("{}:{line}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

fn read(path: &Path) -> Result<String, CorpusError> {
    std::fs::read_to_string(path).map_err(|source| CorpusError::Read {
        path: path.to_owned(),
        source,
    })
}

fn format_error(path: &Path, line: usize, message: impl Into<String>) -> CorpusError {
    CorpusError::Format {
        path: path.to_owned(),
        line,
        message: message.into(),
    }
}

/// The polarity of a set of XED emotion numbers (1 anger, 2 anticipation, 3 disgust, 4 fear,
/// 5 joy, 6 sadness, 7 surprise, 8 trust), or `None` when it has none or a mixed one.
pub fn xed_polarity(emotions: &[u8]) -> Option<&'static str> {
    let negative = emotions.iter().any(|e| matches!(e, 1 | 3 | 4 | 6));
    let positive = emotions.iter().any(|e| matches!(e, 5 | 8));
    match (negative, positive) {
        (true, false) => Some(NEGATIVE),
        (false, true) => Some(POSITIVE),
        _ => None,
    }
}

/// Reads an XED file of emotion-labelled sentences (`en-annotated.tsv` or a
/// `*-projections.tsv`): `sentence<TAB>1, 4, 7`, as polarities ([`xed_polarity`]). Lines that
/// do not split into exactly two fields (stray alignment rows in the projections) or whose
/// labels are not emotion numbers are skipped, as the dataset's README advises, as are rows
/// without a single polarity.
///
/// # Errors
///
/// When the file cannot be read.
pub fn read_xed(path: impl AsRef<Path>) -> Result<Vec<Example>, CorpusError> {
    let path = path.as_ref();
    let text = read(path)?;
    let mut out = Vec::new();
    for line in text.lines() {
        let mut fields = line.split('\t');
        let (Some(sentence), Some(labels), None) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let emotions: Option<Vec<u8>> = labels
            .split(',')
            .map(|l| l.trim().parse::<u8>().ok().filter(|e| (1..=8).contains(e)))
            .collect();
        let sentence = sentence.trim();
        if let (Some(emotions), false) = (emotions, sentence.is_empty())
            && let Some(polarity) = xed_polarity(&emotions)
        {
            out.push(Example::new(sentence, polarity));
        }
    }
    Ok(out)
}

/// Reads XED's `neu_en.txt` (`9<TAB>sentence`, some lines with trailing TABs) as neutral
/// sentences.
///
/// # Errors
///
/// When the file cannot be read, or a line does not start with the neutral label `9`.
pub fn read_xed_neutral(path: impl AsRef<Path>) -> Result<Vec<Example>, CorpusError> {
    let path = path.as_ref();
    let text = read(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        if fields.next() != Some("9") {
            return Err(format_error(path, i + 1, "expected `9<TAB>sentence`"));
        }
        let sentence = fields.next().unwrap_or("").trim();
        if !sentence.is_empty() {
            out.push(Example::new(sentence, NEUTRAL));
        }
    }
    Ok(out)
}

/// The polarity of an LCC valence: below 0 negative, 0 neutral, above 0 positive; `None`
/// outside −5..=5.
pub fn lcc_polarity(valence: i32) -> Option<&'static str> {
    match valence {
        -5..=-1 => Some(NEGATIVE),
        0 => Some(NEUTRAL),
        1..=5 => Some(POSITIVE),
        _ => None,
    }
}

/// Reads an LCC sentiment file (`number,valence,text` with a header) as polarities
/// ([`lcc_polarity`]); rows without a valence are not annotated and are skipped.
///
/// # Errors
///
/// When the file cannot be read or parsed, or a valence is not an integer.
pub fn read_lcc(path: impl AsRef<Path>) -> Result<Vec<Example>, CorpusError> {
    let path = path.as_ref();
    let csv_error = |source| CorpusError::Csv {
        path: path.to_owned(),
        source,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(path)
        .map_err(csv_error)?;
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(csv_error)?;
        let (Some(valence), Some(text)) = (record.get(1), record.get(2)) else {
            return Err(format_error(path, i + 2, "expected `number,valence,text`"));
        };
        let valence = valence.trim();
        if valence.is_empty() {
            continue;
        }
        let valence: i32 = valence
            .parse()
            .map_err(|_| format_error(path, i + 2, format!("valence `{valence}`")))?;
        if let Some(polarity) = lcc_polarity(valence) {
            out.push(Example::new(text.trim(), polarity));
        }
    }
    Ok(out)
}

/// Reads a GermEval 2018 file (`tweet<TAB>coarse<TAB>fine`) with the coarse label, `OFFENSE`
/// or `OTHER`; the `|LBR|` line-break markers become spaces.
///
/// # Errors
///
/// When the file cannot be read, or a line does not have three fields with a known label.
pub fn read_germeval2018(path: impl AsRef<Path>) -> Result<Vec<Example>, CorpusError> {
    let path = path.as_ref();
    let text = read(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [tweet, coarse, _fine] = fields[..] else {
            return Err(format_error(
                path,
                i + 1,
                "expected three TAB-separated fields",
            ));
        };
        if coarse != "OFFENSE" && coarse != "OTHER" {
            return Err(format_error(path, i + 1, format!("label `{coarse}`")));
        }
        out.push(Example::new(tweet.replace("|LBR|", " ").trim(), coarse));
    }
    Ok(out)
}

/// Reads the complaints data set (CSV without header: `id,text,label,domain`) with labels
/// `complaint` (1) and `not_complaint` (0).
///
/// # Errors
///
/// When the file cannot be read or parsed, or a label is not 0 or 1.
pub fn read_complaints(path: impl AsRef<Path>) -> Result<Vec<Example>, CorpusError> {
    let path = path.as_ref();
    let csv_error = |source| CorpusError::Csv {
        path: path.to_owned(),
        source,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(csv_error)?;
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(csv_error)?;
        let label = match record.get(2) {
            Some("1") => "complaint",
            Some("0") => "not_complaint",
            other => {
                return Err(format_error(path, i + 1, format!("label {other:?}")));
            }
        };
        out.push(Example::new(record.get(1).unwrap_or("").trim(), label));
    }
    Ok(out)
}

/// Reads a TweetEval-style pair of files (one text per line, and one label per line: 0
/// negative, 1 neutral, 2 positive), as in `tweeteval-en/sentiment` and `umsab-sentiment-de`.
///
/// # Errors
///
/// When a file cannot be read, the files differ in length, or a label is not 0, 1 or 2.
pub fn read_tweeteval(
    texts: impl AsRef<Path>,
    labels: impl AsRef<Path>,
) -> Result<Vec<Example>, CorpusError> {
    let (texts, labels) = (texts.as_ref(), labels.as_ref());
    let text = read(texts)?;
    let label = read(labels)?;
    let texts_lines: Vec<&str> = text.lines().collect();
    let label_lines: Vec<&str> = label.lines().collect();
    if texts_lines.len() != label_lines.len() {
        return Err(format_error(
            labels,
            label_lines.len(),
            format!(
                "{} labels for {} texts",
                label_lines.len(),
                texts_lines.len()
            ),
        ));
    }
    texts_lines
        .iter()
        .zip(&label_lines)
        .enumerate()
        .map(|(i, (t, l))| {
            let polarity = match l.trim() {
                "0" => NEGATIVE,
                "1" => NEUTRAL,
                "2" => POSITIVE,
                other => return Err(format_error(labels, i + 1, format!("label `{other}`"))),
            };
            Ok(Example::new(t.trim(), polarity))
        })
        .collect()
}

/// Reads the GermEval 2017 Deutsche Bahn feedback file (`source<TAB>text<TAB>relevance<TAB>
/// sentiment[<TAB>aspects]`) with its document sentiment.
///
/// # Errors
///
/// When the file cannot be read, or a line has too few fields or an unknown sentiment.
pub fn read_germeval2017(path: impl AsRef<Path>) -> Result<Vec<Example>, CorpusError> {
    let path = path.as_ref();
    let text = read(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 4 {
            return Err(format_error(path, i + 1, "expected at least four fields"));
        }
        let polarity = match fields[3] {
            "negative" => NEGATIVE,
            "neutral" => NEUTRAL,
            "positive" => POSITIVE,
            other => return Err(format_error(path, i + 1, format!("sentiment `{other}`"))),
        };
        out.push(Example::new(fields[1].trim(), polarity));
    }
    Ok(out)
}

/// Customer-service intents whose messages complain or report that something went wrong:
/// negative.
pub const PROBLEM_INTENTS: &[&str] = &["complaint", "payment_issue", "registration_problems"];
/// Customer-service intents whose messages give feedback, which may be praise or blame: left
/// out.
pub const FEEDBACK_INTENTS: &[&str] = &["review"];

/// The polarity of a customer-service request by its intent: negative for
/// [`PROBLEM_INTENTS`], none for [`FEEDBACK_INTENTS`], neutral otherwise.
pub fn request_polarity(intent: &str) -> Option<&'static str> {
    if PROBLEM_INTENTS.contains(&intent) {
        Some(NEGATIVE)
    } else if FEEDBACK_INTENTS.contains(&intent) {
        None
    } else {
        Some(NEUTRAL)
    }
}

/// Reads a Bitext customer-service CSV (`utterance,intent,…,category,tags`) as polarities: an
/// utterance tagged `W` (offensive language) is negative, any other has its intent's
/// [`request_polarity`].
///
/// # Errors
///
/// When the file cannot be read or parsed, or lacks the `utterance`, `intent` or `tags` column.
pub fn read_bitext(path: impl AsRef<Path>) -> Result<Vec<Example>, CorpusError> {
    let path = path.as_ref();
    let csv_error = |source| CorpusError::Csv {
        path: path.to_owned(),
        source,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(csv_error)?;
    let headers = reader.headers().map_err(csv_error)?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format_error(path, 1, format!("no `{name}` column")))
    };
    let (utterance, intent, tags) = (column("utterance")?, column("intent")?, column("tags")?);
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let text = record.get(utterance).unwrap_or("").trim();
        let intent = record.get(intent).unwrap_or("");
        if text.is_empty() {
            continue;
        }
        let polarity = if record.get(tags).unwrap_or("").contains('W') {
            Some(NEGATIVE)
        } else {
            request_polarity(intent)
        };
        if let Some(polarity) = polarity {
            out.push(Example::new(text, polarity));
        }
    }
    Ok(out)
}

/// Which part of the data an example belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// Trains the model.
    Train,
    /// Early stopping and calibration.
    Valid,
    /// Held out, for evaluation only.
    Test,
}

/// The split of a text, from a fixed hash of the text alone: the same on every machine and in
/// every run, independent of file order, and a text that occurs twice is on one side only.
/// `valid` and `test` are the shares held out for validation and test.
pub fn split_of(text: &str, valid: f64, test: f64) -> Split {
    // FNV-1a, then the MurmurHash3 finaliser to spread the bits.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    let u = (h >> 11) as f64 / (1u64 << 53) as f64;
    if u < test {
        Split::Test
    } else if u < test + valid {
        Split::Valid
    } else {
        Split::Train
    }
}

/// One example of the sentiment corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The text and its polarity.
    pub example: Example,
    /// Its language.
    pub lang: Lang,
    /// The dataset it comes from (a folder of the data directory, or a file of it).
    pub source: &'static str,
    /// Its split.
    pub split: Split,
}

/// The shipped sentiment model's data: every "train, ship" sentiment source in the data
/// directory, mapped to polarities and split.
///
/// | source | language | split |
/// |---|---|---|
/// | XED `en-annotated.tsv`, `neu_en.txt` | en | 80/10/10 by [`split_of`] |
/// | XED `{da,de,nl}-projections.tsv` | da, de, nl | 80/10/10 |
/// | LCC (both files) | da | 60/20/20 (only 498 rows, so larger held-out parts) |
/// | GermEval 2018 training file | de | 90/10/0 |
/// | GermEval 2018 test file | de | all test (the official test split) |
/// | Bitext customer-service training and validation files | en | 80/10/10 |
/// | Candor's `data/intent/{da,de,nl,en}.tsv` (in `intent_dir`) | da, de, nl, en | 80/10/10 |
///
/// GermEval 2018's `OTHER` tweets are used as neutral. Many are opinionated political tweets,
/// so this teaches the model that criticism without abuse is not negative, but without them
/// German would have no neutral examples at all (XED's neutral file is English only), and the
/// model would call every German message negative or positive. The held-out GermEval 2018 test
/// split is scored as offensive (negative) against the rest, never as neutral.
///
/// The customer-service requests are the neutral examples of the domain the model serves, in
/// every language: without them, a plain question ("where is my parcel?") looks to a model of
/// subtitles and tweets as emotional as any sentence it saw. They are read as described in the
/// module documentation; Candor's own intent data is read from `intent_dir` (the repository's
/// `data/intent/`, never its `test/` folder).
///
/// # Errors
///
/// When a file is missing or malformed.
pub fn sentiment_corpus(
    data: impl AsRef<Path>,
    intent_dir: impl AsRef<Path>,
) -> Result<Vec<Item>, CorpusError> {
    let data = data.as_ref();
    let intent_dir = intent_dir.as_ref();
    let xed = data.join("xed-emotion");
    let mut items = Vec::new();
    let mut add = |examples: Vec<Example>,
                   lang: Lang,
                   source: &'static str,
                   split: &dyn Fn(&str) -> Split| {
        for example in examples {
            let split = split(&example.text);
            items.push(Item {
                example,
                lang,
                source,
                split,
            });
        }
    };
    let xed_split = |t: &str| split_of(t, 0.1, 0.1);
    add(
        read_xed(xed.join("en-annotated.tsv"))?,
        Lang::EN,
        "xed-emotion/en-annotated.tsv",
        &xed_split,
    );
    add(
        read_xed_neutral(xed.join("neu_en.txt"))?,
        Lang::EN,
        "xed-emotion/neu_en.txt",
        &xed_split,
    );
    for (file, lang, source) in [
        (
            "da-projections.tsv",
            Lang::DA,
            "xed-emotion/da-projections.tsv",
        ),
        (
            "de-projections.tsv",
            Lang::DE,
            "xed-emotion/de-projections.tsv",
        ),
        (
            "nl-projections.tsv",
            Lang::NL,
            "xed-emotion/nl-projections.tsv",
        ),
    ] {
        add(read_xed(xed.join(file))?, lang, source, &xed_split);
    }
    let lcc = data.join("lcc-sentiment-da");
    for file in [
        "dan_mixed_2014_10K-sentences.csv",
        "dan_newscrawl_2011_10K-sentences.csv",
    ] {
        add(
            read_lcc(lcc.join(file))?,
            Lang::DA,
            "lcc-sentiment-da",
            &|t| split_of(t, 0.2, 0.2),
        );
    }
    let germeval = data.join("germeval2018-offensive-de");
    let polarity = |examples: Vec<Example>| -> Vec<Example> {
        examples
            .into_iter()
            .map(|e| {
                let label = if e.label == "OFFENSE" {
                    NEGATIVE
                } else {
                    NEUTRAL
                };
                Example::new(e.text, label)
            })
            .collect()
    };
    add(
        polarity(read_germeval2018(
            germeval.join("germeval2018.training.txt"),
        )?),
        Lang::DE,
        "germeval2018-offensive-de/training",
        &|t| split_of(t, 0.1, 0.0),
    );
    add(
        polarity(read_germeval2018(germeval.join("germeval2018.test.txt"))?),
        Lang::DE,
        "germeval2018-offensive-de/test",
        &|_| Split::Test,
    );
    let bitext = data.join("bitext-customer-service-intent");
    for file in [
        "Bitext_Sample_Customer_Service_Training_Dataset.csv",
        "Bitext_Sample_Customer_Service_Validation_Dataset.csv",
    ] {
        add(
            read_bitext(bitext.join(file))?,
            Lang::EN,
            "bitext-customer-service-intent",
            &xed_split,
        );
    }
    let by_intent = |examples: Vec<Example>| -> Vec<Example> {
        examples
            .into_iter()
            .filter_map(|e| Some(Example::new(e.text, request_polarity(&e.label)?)))
            .collect()
    };
    for (lang, source) in [
        (Lang::DA, "data/intent/da.tsv"),
        (Lang::DE, "data/intent/de.tsv"),
        (Lang::NL, "data/intent/nl.tsv"),
        (Lang::EN, "data/intent/en.tsv"),
    ] {
        let path = intent_dir.join(format!("{}.tsv", lang.code()));
        add(
            by_intent(crate::dataset::read_examples(&path, "text", "label")?),
            lang,
            source,
            &xed_split,
        );
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xed_emotions_map_to_polarities() {
        assert_eq!(xed_polarity(&[1]), Some(NEGATIVE));
        assert_eq!(xed_polarity(&[3, 6, 7]), Some(NEGATIVE));
        assert_eq!(xed_polarity(&[5, 2]), Some(POSITIVE));
        assert_eq!(xed_polarity(&[8]), Some(POSITIVE));
        assert_eq!(xed_polarity(&[2, 7]), None);
        assert_eq!(xed_polarity(&[1, 5]), None);
    }

    #[test]
    fn lcc_valences_map_to_polarities() {
        assert_eq!(lcc_polarity(-2), Some(NEGATIVE));
        assert_eq!(lcc_polarity(0), Some(NEUTRAL));
        assert_eq!(lcc_polarity(1), Some(POSITIVE));
        assert_eq!(lcc_polarity(9), None);
    }

    #[test]
    fn xed_reader_skips_malformed_and_unpolar_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.tsv");
        std::fs::write(
            &path,
            "I hate this .\t1, 3\nstray\tde/x.xml.gz\t1502\nWow .\t7\nLovely !\t5\nBad\tx\n",
        )
        .unwrap();
        let got = read_xed(&path).unwrap();
        assert_eq!(
            got,
            vec![
                Example::new("I hate this .", NEGATIVE),
                Example::new("Lovely !", POSITIVE)
            ]
        );
    }

    #[test]
    fn lcc_reader_keeps_annotated_rows_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.csv");
        std::fs::write(
            &path,
            " number,valence,text\n1,0,\"Et, to\"\n2,,uden\n3,-2,Dårligt.\n4,9,fejl\n",
        )
        .unwrap();
        let got = read_lcc(&path).unwrap();
        assert_eq!(
            got,
            vec![
                Example::new("Et, to", NEUTRAL),
                Example::new("Dårligt.", NEGATIVE)
            ]
        );
    }

    #[test]
    fn tweeteval_reader_rejects_misaligned_files() {
        let dir = tempfile::tempdir().unwrap();
        let (t, l) = (dir.path().join("t"), dir.path().join("l"));
        std::fs::write(&t, "good\nbad\n").unwrap();
        std::fs::write(&l, "2\n0").unwrap();
        assert_eq!(
            read_tweeteval(&t, &l).unwrap(),
            vec![
                Example::new("good", POSITIVE),
                Example::new("bad", NEGATIVE)
            ]
        );
        std::fs::write(&l, "2\n").unwrap();
        assert!(matches!(
            read_tweeteval(&t, &l),
            Err(CorpusError::Format { .. })
        ));
    }

    #[test]
    fn bitext_reader_maps_complaints_and_offensive_language_to_negative() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.csv");
        std::fs::write(
            &path,
            "utterance,intent,entity_type,entity_value,start_offset,end_offset,category,tags\n\
             where is my order?,track_order,,,,,ORDER,BIL\n\
             cancel the damn order,cancel_order,,,,,ORDER,BLW\n\
             I want to file a complaint,complaint,,,,,FEEDBACK,BL\n\
             leave a review,review,,,,,FEEDBACK,BL\n",
        )
        .unwrap();
        assert_eq!(
            read_bitext(&path).unwrap(),
            vec![
                Example::new("where is my order?", NEUTRAL),
                Example::new("cancel the damn order", NEGATIVE),
                Example::new("I want to file a complaint", NEGATIVE)
            ]
        );
    }

    #[test]
    fn splits_are_stable_and_roughly_proportional() {
        assert_eq!(split_of("hello", 0.1, 0.1), split_of("hello", 0.1, 0.1));
        let n = 10_000;
        let test = (0..n)
            .filter(|i| split_of(&format!("text {i}"), 0.1, 0.2) == Split::Test)
            .count();
        assert!((1_800..2_200).contains(&test), "{test}");
        assert!((0..100).all(|i| split_of(&i.to_string(), 0.0, 0.0) == Split::Train));
    }
}
