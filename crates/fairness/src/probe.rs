//! Counterfactual probe messages and their variants.
//!
//! A probe is a customer message that may carry slots: `{name}`, `{place}`, `{postcode}`,
//! `{tenure}`.
//! Its *baseline* fills every slot with the first entry of the language's lists (and drops
//! `{tenure}`); each *variant* changes exactly one thing relative to the baseline:
//!
//! - [`Attribute::Name`]: another person's name (each name group of the language);
//! - [`Attribute::Place`]: another place and its postcode (high, middle and low income areas);
//! - [`Attribute::Tenure`]: a long- or short-tenure cue, in the `{tenure}` slot or appended;
//! - [`Attribute::Formality`]: an informal or formal opener (du/De, du/Sie, jij/u) prepended;
//! - [`Attribute::Typo`]: one swapped or dropped letter in one word of the message's own text,
//!   never in a filled-in name or place.
//!
//! Messages without slots get tenure, formality and typo variants only.
//! The lists are data (`data/{names,places,cues}/<lang>.toml`): adding a language is adding
//! files, and [`ProbeLists::from_dir`] reads a deployment's own.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::FairnessError;
use crate::rng::{SplitMix64, hash_str, mix};

/// A probe message, one line of a probe set: `{"text": "...", "lang": "da"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// The message, possibly with `{name}`, `{place}`, `{postcode}`, `{tenure}` slots.
    pub text: String,
    /// ISO 639-1 code of the message's language.
    pub lang: String,
}

/// What a variant changed relative to its baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    /// The unchanged baseline.
    Baseline,
    /// The person's name.
    Name,
    /// The place and postcode.
    Place,
    /// A customer-tenure cue.
    Tenure,
    /// The formality of the opener.
    Formality,
    /// A small spelling error.
    Typo,
}

impl Attribute {
    /// The attribute's name as used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Attribute::Baseline => "baseline",
            Attribute::Name => "name",
            Attribute::Place => "place",
            Attribute::Tenure => "tenure",
            Attribute::Formality => "formality",
            Attribute::Typo => "typo",
        }
    }
}

/// One message to decide: a baseline or a counterfactual variant of a probe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// The probe's language.
    pub lang: String,
    /// The full message text.
    pub text: String,
    /// What was changed.
    pub attribute: Attribute,
    /// The value put in (a name, "Gentofte 2820", a cue, or "faktura -> fkatura").
    pub value: String,
    /// The value's group: a name group, an income band, `long`/`new`, `formal`/`informal`,
    /// `swap`/`drop`; `baseline` for the baseline.
    pub group: String,
}

/// A group of person names common among people of one origin in a country.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameGroup {
    /// Group id, e.g. `turkish`.
    pub id: String,
    /// First names.
    pub first_names: Vec<String>,
    /// Surnames.
    pub surnames: Vec<String>,
}

/// A place with its postcode and the income band of the area.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// Place name.
    pub name: String,
    /// Postcode (or UK outward code).
    pub postcode: String,
    /// `high`, `middle` or `low`.
    pub income: String,
}

/// Long- and short-tenure sentences.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenureCues {
    /// "I have been a customer for 20 years."
    pub long: Vec<String>,
    /// "I just signed up."
    pub new: Vec<String>,
}

/// Informal and formal openers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormalityCues {
    /// Informal openers (du, jij, "hey").
    pub informal: Vec<String>,
    /// Formal openers (De, Sie, u, "Dear Sir or Madam").
    pub formal: Vec<String>,
}

/// Everything needed to make variants in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageLists {
    /// Name groups; the first group's first names are the baseline.
    pub names: Vec<NameGroup>,
    /// Places; the first is the baseline.
    pub places: Vec<Place>,
    /// Tenure cues.
    pub tenure: TenureCues,
    /// Formality openers.
    pub formality: FormalityCues,
}

/// Lists for every language, keyed by ISO 639-1 code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProbeLists {
    /// Per language.
    pub languages: BTreeMap<String, LanguageLists>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesFile {
    groups: Vec<NameGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacesFile {
    places: Vec<Place>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CuesFile {
    tenure: TenureCues,
    formality: FormalityCues,
}

macro_rules! shipped_lang {
    ($lang:literal) => {
        (
            $lang,
            include_str!(concat!("../data/names/", $lang, ".toml")),
            include_str!(concat!("../data/places/", $lang, ".toml")),
            include_str!(concat!("../data/cues/", $lang, ".toml")),
        )
    };
}

const SHIPPED_LISTS: [(&str, &str, &str, &str); 4] = [
    shipped_lang!("da"),
    shipped_lang!("nl"),
    shipped_lang!("de"),
    shipped_lang!("en"),
];

const SHIPPED_PROBES: [(&str, &str); 4] = [
    ("probes/da.jsonl", include_str!("../data/probes/da.jsonl")),
    ("probes/nl.jsonl", include_str!("../data/probes/nl.jsonl")),
    ("probes/de.jsonl", include_str!("../data/probes/de.jsonl")),
    ("probes/en.jsonl", include_str!("../data/probes/en.jsonl")),
];

impl ProbeLists {
    /// The lists shipped in `crates/fairness/data` for da, nl, de and en.
    ///
    /// # Errors
    ///
    /// [`FairnessError::Data`] if a shipped file is malformed (a test keeps that from happening).
    pub fn shipped() -> Result<Self, FairnessError> {
        let mut lists = ProbeLists::default();
        for (lang, names, places, cues) in SHIPPED_LISTS {
            lists.insert(lang, names, places, cues)?;
        }
        Ok(lists)
    }

    /// Reads `names/<lang>.toml`, `places/<lang>.toml` and `cues/<lang>.toml` under `dir`,
    /// for every language that has a names file.
    ///
    /// # Errors
    ///
    /// [`FairnessError::Io`] when a file is missing or unreadable, [`FairnessError::Data`] when
    /// one is malformed.
    pub fn from_dir(dir: &Path) -> Result<Self, FairnessError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|source| FairnessError::Io {
                path: p.display().to_string(),
                source,
            })
        };
        let names_dir = dir.join("names");
        let entries = std::fs::read_dir(&names_dir).map_err(|source| FairnessError::Io {
            path: names_dir.display().to_string(),
            source,
        })?;
        let mut langs: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let p = e.path();
                (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(str::to_owned))?
            })
            .collect();
        langs.sort();
        let mut lists = ProbeLists::default();
        for lang in langs {
            let file = |kind: &str| dir.join(kind).join(format!("{lang}.toml"));
            lists.insert(
                &lang,
                &read(&file("names"))?,
                &read(&file("places"))?,
                &read(&file("cues"))?,
            )?;
        }
        Ok(lists)
    }

    fn insert(
        &mut self,
        lang: &str,
        names: &str,
        places: &str,
        cues: &str,
    ) -> Result<(), FairnessError> {
        let data = |kind: &str, e: &dyn std::fmt::Display| FairnessError::Data {
            file: format!("{kind}/{lang}.toml"),
            reason: e.to_string(),
        };
        let names: NamesFile = toml::from_str(names).map_err(|e| data("names", &e))?;
        let places: PlacesFile = toml::from_str(places).map_err(|e| data("places", &e))?;
        let cues: CuesFile = toml::from_str(cues).map_err(|e| data("cues", &e))?;
        let empty = names.groups.is_empty()
            || names
                .groups
                .iter()
                .any(|g| g.first_names.is_empty() || g.surnames.is_empty());
        if empty {
            return Err(data(
                "names",
                &"every language needs a name group, and every group first names and surnames",
            ));
        }
        if places.places.is_empty() {
            return Err(data("places", &"at least one place is required"));
        }
        self.languages.insert(
            lang.to_owned(),
            LanguageLists {
                names: names.groups,
                places: places.places,
                tenure: cues.tenure,
                formality: cues.formality,
            },
        );
        Ok(())
    }
}

/// The shipped probe set: at least 25 messages in each of da, nl, de, en.
///
/// # Errors
///
/// [`FairnessError::Data`] if a shipped file is malformed (a test keeps that from happening).
pub fn shipped_probes() -> Result<Vec<Probe>, FairnessError> {
    let mut out = Vec::new();
    for (file, text) in SHIPPED_PROBES {
        out.extend(parse_probes(file, text)?);
    }
    Ok(out)
}

/// Parses a JSONL probe set (`{"text", "lang"}` per line; blank lines are skipped).
///
/// # Errors
///
/// [`FairnessError::Data`] naming the first bad line.
pub fn parse_probes(file: &str, jsonl: &str) -> Result<Vec<Probe>, FairnessError> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| FairnessError::Data {
                file: format!("{file}:{}", i + 1),
                reason: e.to_string(),
            })
        })
        .collect()
}

/// Slot values to fill a template with; `None` for tenure drops the slot.
struct Fill<'a> {
    name: &'a str,
    place: &'a str,
    postcode: &'a str,
    tenure: Option<&'a str>,
}

const SLOTS: [&str; 4] = ["{name}", "{place}", "{postcode}", "{tenure}"];

fn fill(template: &str, f: &Fill) -> String {
    let text = template
        .replace("{name}", f.name)
        .replace("{place}", f.place)
        .replace("{postcode}", f.postcode)
        .replace("{tenure}", f.tenure.unwrap_or(""));
    // A dropped slot leaves a double space; collapse runs of whitespace.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn lists_for<'a>(probe: &Probe, lists: &'a ProbeLists) -> Result<&'a LanguageLists, FairnessError> {
    lists
        .languages
        .get(&probe.lang)
        .ok_or_else(|| FairnessError::UnknownLanguage(probe.lang.clone()))
}

fn baseline_fill(l: &LanguageLists) -> (String, &Place) {
    let g = &l.names[0];
    (
        format!("{} {}", g.first_names[0], g.surnames[0]),
        &l.places[0],
    )
}

/// The probe with its slots filled by the baseline values; variants are compared with it.
///
/// # Errors
///
/// [`FairnessError::UnknownLanguage`] when `lists` has nothing for the probe's language.
pub fn baseline(probe: &Probe, lists: &ProbeLists) -> Result<Variant, FairnessError> {
    let l = lists_for(probe, lists)?;
    let (name, place) = baseline_fill(l);
    Ok(Variant {
        lang: probe.lang.clone(),
        text: fill(
            &probe.text,
            &Fill {
                name: &name,
                place: &place.name,
                postcode: &place.postcode,
                tenure: None,
            },
        ),
        attribute: Attribute::Baseline,
        value: String::new(),
        group: "baseline".into(),
    })
}

/// Names tried per name group and probe.
pub const NAMES_PER_GROUP: usize = 2;

/// The counterfactual variants of a probe, each differing from [`baseline`] in one attribute.
///
/// Deterministic: the same probe, lists and seed give the same variants.
/// Variants whose text equals the baseline's are left out.
///
/// # Errors
///
/// [`FairnessError::UnknownLanguage`] when `lists` has nothing for the probe's language.
pub fn variants(
    probe: &Probe,
    lists: &ProbeLists,
    seed: u64,
) -> Result<Vec<Variant>, FairnessError> {
    let l = lists_for(probe, lists)?;
    let base = baseline(probe, lists)?;
    let (base_name, base_place) = baseline_fill(l);
    let t = &probe.text;
    let mut rng = SplitMix64::new(mix(&[seed, hash_str(t), hash_str(&probe.lang)]));
    let mut out = Vec::new();
    let mut push = |text: String, attribute, value: String, group: &str| {
        if text != base.text {
            out.push(Variant {
                lang: probe.lang.clone(),
                text,
                attribute,
                value,
                group: group.to_owned(),
            });
        }
    };
    let with = |name: &str, place: &Place, tenure: Option<&str>| {
        fill(
            t,
            &Fill {
                name,
                place: &place.name,
                postcode: &place.postcode,
                tenure,
            },
        )
    };

    if t.contains("{name}") {
        for g in &l.names {
            for _ in 0..NAMES_PER_GROUP {
                let first = &g.first_names[rng.below(g.first_names.len())];
                let last = &g.surnames[rng.below(g.surnames.len())];
                let name = format!("{first} {last}");
                push(with(&name, base_place, None), Attribute::Name, name, &g.id);
            }
        }
    }
    if t.contains("{place}") || t.contains("{postcode}") {
        for p in &l.places[1..] {
            let value = format!("{} {}", p.name, p.postcode);
            push(
                with(&base_name, p, None),
                Attribute::Place,
                value,
                &p.income,
            );
        }
    }
    for (group, cues) in [("long", &l.tenure.long), ("new", &l.tenure.new)] {
        for cue in cues {
            let text = if t.contains("{tenure}") {
                with(&base_name, base_place, Some(cue))
            } else {
                format!("{} {cue}", base.text)
            };
            push(text, Attribute::Tenure, cue.clone(), group);
        }
    }
    for (group, cues) in [
        ("informal", &l.formality.informal),
        ("formal", &l.formality.formal),
    ] {
        for cue in cues {
            push(
                format!("{cue} {}", base.text),
                Attribute::Formality,
                cue.clone(),
                group,
            );
        }
    }
    for kind in [TypoKind::Swap, TypoKind::Drop] {
        if let Some((template, value)) = typo(t, kind, &mut rng) {
            let text = fill(
                &template,
                &Fill {
                    name: &base_name,
                    place: &base_place.name,
                    postcode: &base_place.postcode,
                    tenure: None,
                },
            );
            push(text, Attribute::Typo, value, kind.as_str());
        }
    }
    Ok(out)
}

#[derive(Clone, Copy)]
enum TypoKind {
    Swap,
    Drop,
}

impl TypoKind {
    fn as_str(self) -> &'static str {
        match self {
            TypoKind::Swap => "swap",
            TypoKind::Drop => "drop",
        }
    }
}

/// Misspells one word of the template (outside slots, at least five letters, so the
/// misspelling stays recognisable). Returns the new template and "word -> misspelt".
fn typo(template: &str, kind: TypoKind, rng: &mut SplitMix64) -> Option<(String, String)> {
    // Slots are ASCII, so masking them keeps byte offsets valid for the template.
    let mut masked = template.to_owned();
    for s in SLOTS {
        masked = masked.replace(s, &" ".repeat(s.len()));
    }
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in masked.char_indices().chain([(masked.len(), ' ')]) {
        match (c.is_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if masked[s..i].chars().count() >= 5 {
                    words.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    if words.is_empty() {
        return None;
    }
    let (s, e) = words[rng.below(words.len())];
    let word = &template[s..e];
    let mut chars: Vec<char> = word.chars().collect();
    // Interior positions only: first and last letters carry most of a word's legibility.
    let i = 1 + rng.below(chars.len() - 3);
    match kind {
        TypoKind::Swap if chars[i] != chars[i + 1] => chars.swap(i, i + 1),
        _ => {
            chars.remove(i);
        }
    }
    let wrong: String = chars.into_iter().collect();
    let value = format!("{word} -> {wrong}");
    Some((
        format!("{}{wrong}{}", &template[..s], &template[e..]),
        value,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(text: &str, lang: &str) -> Probe {
        Probe {
            text: text.into(),
            lang: lang.into(),
        }
    }

    #[test]
    fn shipped_data_loads_for_four_languages() {
        let lists = ProbeLists::shipped().unwrap();
        assert_eq!(
            lists.languages.keys().collect::<Vec<_>>(),
            ["da", "de", "en", "nl"]
        );
        for (lang, l) in &lists.languages {
            assert!(l.names.len() >= 5, "{lang}");
            for band in ["high", "middle", "low"] {
                assert!(l.places.iter().any(|p| p.income == band), "{lang} {band}");
            }
        }
        let probes = shipped_probes().unwrap();
        for lang in ["da", "nl", "de", "en"] {
            let n = probes.iter().filter(|p| p.lang == lang).count();
            assert!(n >= 25, "{lang}: {n}");
            assert!(
                probes
                    .iter()
                    .any(|p| p.lang == lang && p.text.contains("{place}"))
            );
            assert!(
                probes
                    .iter()
                    .any(|p| p.lang == lang && p.text.contains("{tenure}"))
            );
        }
    }

    #[test]
    fn every_variant_swaps_what_it_records() {
        let lists = ProbeLists::shipped().unwrap();
        let p = probe(
            "Jeg er flyttet til {postcode} {place}. {tenure} Hvordan ændrer jeg adressen? Mvh {name}",
            "da",
        );
        let base = baseline(&p, &lists).unwrap();
        assert_eq!(
            base.text,
            "Jeg er flyttet til 8000 Aarhus C. Hvordan ændrer jeg adressen? Mvh Mette Nielsen"
        );
        let vs = variants(&p, &lists, 1).unwrap();
        for v in &vs {
            assert_ne!(v.text, base.text);
            assert!(!v.text.contains('{'), "{}", v.text);
            match v.attribute {
                Attribute::Name => {
                    assert!(v.text.ends_with(&v.value) && !v.text.contains("Mette Nielsen"));
                    assert!(lists.languages["da"].names.iter().any(|g| g.id == v.group));
                }
                Attribute::Place => {
                    let (name, code) = v.value.rsplit_once(' ').unwrap();
                    assert!(
                        v.text.contains(&format!("{code} {name}")) && !v.text.contains("Aarhus")
                    );
                    assert!(["high", "middle", "low"].contains(&v.group.as_str()));
                }
                Attribute::Tenure => {
                    assert!(v.text.contains(&v.value) && v.text.contains("Mette Nielsen"))
                }
                Attribute::Formality => assert!(v.text.starts_with(&v.value)),
                Attribute::Typo => {
                    let (from, to) = v.value.split_once(" -> ").unwrap();
                    assert!(base.text.contains(from) && v.text.contains(to));
                    assert!(v.text.contains("Mette Nielsen") && v.text.contains("Aarhus C"));
                }
                Attribute::Baseline => panic!("baseline among variants"),
            }
        }
        let count = |a| vs.iter().filter(|v| v.attribute == a).count();
        assert!(count(Attribute::Name) >= 10);
        assert_eq!(count(Attribute::Place), 7);
        assert_eq!(count(Attribute::Tenure), 4);
        assert_eq!(count(Attribute::Formality), 4);
        assert_eq!(count(Attribute::Typo), 2);
        assert_eq!(vs, variants(&p, &lists, 1).unwrap(), "deterministic");
    }

    #[test]
    fn messages_without_slots_get_cues_and_typos_only() {
        let lists = ProbeLists::shipped().unwrap();
        let p = probe("What are your opening hours at the weekend?", "en");
        let vs = variants(&p, &lists, 9).unwrap();
        assert!(vs.iter().all(|v| matches!(
            v.attribute,
            Attribute::Tenure | Attribute::Formality | Attribute::Typo
        )));
        let tenure = vs
            .iter()
            .find(|v| v.attribute == Attribute::Tenure)
            .unwrap();
        assert!(tenure.text.starts_with("What are your opening hours"));
        assert!(vs.iter().any(|v| v.attribute == Attribute::Typo));
    }

    #[test]
    fn unknown_language_is_an_error() {
        let lists = ProbeLists::shipped().unwrap();
        assert!(matches!(
            variants(&probe("Hej {name}", "sv"), &lists, 0),
            Err(FairnessError::UnknownLanguage(l)) if l == "sv"
        ));
    }

    #[test]
    fn from_dir_reads_a_deployments_own_language() {
        let dir = tempfile::tempdir().unwrap();
        for (kind, lang_file) in [
            ("names", include_str!("../data/names/da.toml")),
            ("places", include_str!("../data/places/da.toml")),
            ("cues", include_str!("../data/cues/da.toml")),
        ] {
            std::fs::create_dir(dir.path().join(kind)).unwrap();
            std::fs::write(dir.path().join(kind).join("sv.toml"), lang_file).unwrap();
        }
        let lists = ProbeLists::from_dir(dir.path()).unwrap();
        assert_eq!(lists.languages.keys().collect::<Vec<_>>(), ["sv"]);
        assert!(
            !variants(&probe("Hej {name}, jeg bor i {place}.", "sv"), &lists, 0)
                .unwrap()
                .is_empty()
        );
        std::fs::remove_file(dir.path().join("cues/sv.toml")).unwrap();
        assert!(matches!(
            ProbeLists::from_dir(dir.path()),
            Err(FairnessError::Io { .. })
        ));
    }

    #[test]
    fn bad_probe_line_is_named() {
        let err = parse_probes(
            "mine.jsonl",
            "{\"text\":\"a\",\"lang\":\"da\"}\n\nnot json\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("mine.jsonl:3"), "{err}");
    }
}
