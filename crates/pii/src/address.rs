//! Street addresses: a street name and house number, with the postcode and city where given,
//! in Danish, Dutch and German order ("Vesterbrogade 12, 1620 København V",
//! "Keizersgracht 123, 1015 CJ Amsterdam", "Hauptstraße 5, 10115 Berlin") and in British and
//! American order ("221B Baker Street, London NW1 6XE", "1600 Pennsylvania Avenue NW,
//! Washington, DC 20500").
//!
//! Every address holds a house number, so the recogniser looks only around numbers: the words
//! next to a number decide whether it is a house number (a street-type suffix from the
//! language data, capitalised), and the text after it may add a floor, a postcode and a city.
//! Each number is looked at once, and each look reads a bounded number of bounded words, so
//! the time is linear in the text.
//!
//! Other countries' conventions that customers paste into English text (Hungarian lower-case
//! types, Italian and Portuguese commas before the number, country letters before a postcode,
//! Irish Eircodes, Australian slashed flats, …) were written from a development set of Faker
//! addresses in 37 locales, `examples/address_devset.py`, scored by `examples/eval_addresses.rs`.

use std::collections::HashSet;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use candor_core::{EntityKind, Span};
use regex::Regex;

use crate::dates::{Phrases, ceil_boundary, entries};
use crate::{Detection, Recognizer};

/// Street addresses in Danish, Dutch, German, British and American conventions.
pub struct StreetAddressRecognizer;

/// The words the recogniser reads, from the language data files.
struct Lexicon {
    /// Suffixes that end a street name, glued or as their own word (`gade`, `straße`, `str.`).
    suffixes: Vec<String>,
    /// Preposition-led starts of German street names (`am`, `unter den`), as word lists.
    prefixes: Vec<Vec<String>>,
    /// Capitalised words that may open a street name (`Gammel`, `Oude`, `Neue`).
    adjectives: HashSet<String>,
    /// English street types after the name (`street`, `rd`).
    types: HashSet<String>,
    /// Street types that open the name (`rue`, `ul`).
    types_first: HashSet<String>,
    /// Capitalised words that end an address's place lines (`Thanks`, `Phone`).
    place_stops: HashSet<String>,
    /// Words after which a postcode may stand alone (`zip code`, `postnummer`).
    postcode_context: Phrases,
    /// Compass points after an English street type (`NW`).
    directions: HashSet<String>,
    /// Floor, door and flat words (`st`, `tv`, `apt`, `suite`).
    units: HashSet<String>,
    /// Unit words that count only in capitals (`OG`, `EG`: Obergeschoss, Erdgeschoss), since
    /// in lower case they are words of another language (Danish `og`, "and").
    capital_units: HashSet<&'static str>,
    /// Capitalised words that are no part of a street name (`Der`, `The`).
    not_names: HashSet<String>,
    /// A postcode before the city, followed by a space.
    postcode_before: Regex,
    /// A postcode (with a US state) after the city.
    postcode_after: Regex,
    context: Phrases,
}

fn lower_set(section: &str) -> HashSet<String> {
    entries(section)
        .into_iter()
        .map(str::to_lowercase)
        .collect()
}

fn anchored_alternation(section: &str, then: &str) -> Regex {
    let alternatives = entries(section).join("|");
    Regex::new(&format!("^(?:{alternatives}){then}")).expect("the data files' postcodes are valid")
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut suffixes: Vec<String> = entries("street_suffixes")
        .into_iter()
        .map(str::to_lowercase)
        .collect();
    suffixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
    suffixes.dedup();
    Lexicon {
        suffixes,
        prefixes: entries("street_prefixes")
            .into_iter()
            .map(|p| p.split(' ').map(str::to_lowercase).collect())
            .collect(),
        adjectives: lower_set("street_adjectives"),
        types: lower_set("street_types"),
        types_first: lower_set("street_types_first"),
        // A month ends a street name too: `on 12 March 2024` is a date.
        place_stops: lower_set("place_stop_words")
            .into_iter()
            .chain(
                entries("months")
                    .into_iter()
                    .filter_map(|m| m.split(' ').next())
                    .map(str::to_lowercase),
            )
            .collect(),
        postcode_context: Phrases::new(entries("postcode_context")),
        directions: lower_set("street_directions"),
        units: entries("unit_words")
            .into_iter()
            .filter(|w| !is_all_capitals(w))
            .map(str::to_lowercase)
            .collect(),
        capital_units: entries("unit_words")
            .into_iter()
            .filter(|w| is_all_capitals(w))
            .collect(),
        not_names: lower_set("not_names"),
        postcode_before: anchored_alternation("postcode_before_city", " "),
        postcode_after: anchored_alternation("postcode_after_city", r"(?-u:\b)"),
        context: Phrases::new(entries("address_context")),
    }
});

/// Longer words are never part of an address; the bound keeps every look short.
const MAX_WORD: usize = 64;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '\'' | '’' | '.')
}

fn is_all_capitals(word: &str) -> bool {
    word.chars().all(char::is_uppercase)
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// The word that ends one or two spaces before `end`, without leading punctuation.
fn word_before(text: &str, end: usize) -> Option<Span> {
    let trimmed = text[..end].trim_end_matches(' ');
    if !(1..=2).contains(&(end - trimmed.len())) {
        return None;
    }
    let stop = trimmed.len();
    let mut start = stop;
    for c in trimmed.chars().rev().take(MAX_WORD + 1) {
        if !is_word_char(c) {
            break;
        }
        start -= c.len_utf8();
    }
    if stop - start > MAX_WORD {
        return None;
    }
    let word = text[start..stop].trim_start_matches(['-', '\'', '’', '.']);
    let start = stop - word.len();
    (start < stop).then_some(Span::new(start, stop))
}

/// The word that starts one or two spaces (`gap` allows commas and one line break too) after
/// `start`.
fn word_after(text: &str, start: usize, gap: Gap) -> Option<Span> {
    let begin = gap.skip(text, start)?;
    let mut end = begin;
    for c in text[begin..].chars().take(MAX_WORD + 1) {
        if !is_word_char(c) {
            break;
        }
        end += c.len_utf8();
    }
    (begin < end && end - begin <= MAX_WORD).then_some(Span::new(begin, end))
}

/// What may stand between two words of an address.
#[derive(Clone, Copy, PartialEq)]
enum Gap {
    /// One or two spaces.
    Spaces,
    /// An optional comma, then spaces or one line break (with spaces around it).
    Separator,
}

impl Gap {
    /// Where the next word starts, if the gap at `at` is of this kind.
    fn skip(self, text: &str, at: usize) -> Option<usize> {
        let rest = &text[at..];
        match self {
            Gap::Spaces => {
                let body = rest.trim_start_matches(' ');
                (1..=2)
                    .contains(&(rest.len() - body.len()))
                    .then_some(text.len() - body.len())
            }
            Gap::Separator => {
                // Lines of an address pasted from an e-mail may be quoted (`> `), and a comma
                // may end a line or open the next (`Toronto\n, ON`).
                let (mut commas, mut newlines, mut quotes, mut len) = (0, 0, 0, 0);
                for c in rest.chars().take(9) {
                    match c {
                        ',' => commas += 1,
                        '\n' => newlines += 1,
                        '>' if newlines > 0 => quotes += 1,
                        ' ' | '\t' | '\r' => {}
                        _ => break,
                    }
                    len += 1;
                }
                let fits = len > 0 && len <= 8 && commas <= 1 && newlines <= 1 && quotes <= 2;
                fits.then_some(at + len)
            }
        }
    }
}

/// Whether `word` (without a trailing dot) is a house number: 1 to `max_digits` digits, not
/// starting with 0, at most one letter (`12`, `3a`, `221B`), and a Dutch floor or second
/// number after a hyphen (`263-II`, `12-14`).
fn is_house_number(word: &str, max_digits: usize) -> bool {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &word[digits..];
    let rest = match rest.split_once('-') {
        Some((letter, extra))
            if (1..=4).contains(&extra.len())
                && extra.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            letter
        }
        _ => rest,
    };
    (1..=max_digits).contains(&digits)
        && !word.starts_with('0')
        && (rest.is_empty() || (rest.len() == 1 && rest.bytes().all(|b| b.is_ascii_alphabetic())))
}

/// Whether `word` lower-cased is `lower`, without allocating.
fn same_lower(lower: &str, word: &str) -> bool {
    let mut expected = lower.chars();
    for c in word.chars().flat_map(char::to_lowercase) {
        if expected.next() != Some(c) {
            return false;
        }
    }
    expected.next().is_none()
}

fn lower(text: &str, span: Span) -> String {
    text[span.start..span.end].to_lowercase()
}

impl Lexicon {
    /// The start of the street name that ends with `word`, if `word` ends one.
    fn continental_street(&self, text: &str, word: Span) -> Option<usize> {
        let w = &text[word.start..word.end];
        let lw = w.to_lowercase();
        // `str.` matches only with its dot, which `word_before` keeps as part of the word.
        let suffix = self.suffixes.iter().find(|s| lw.ends_with(s.as_str()));
        // Hungarian and Finnish write the type, or a word ending in it, in lower case after
        // the name (`Kossuth utca 5`, `Capellan puistopolku 5`); the name before it must be
        // capitalised.
        if !is_capitalised(w) {
            let s = suffix?;
            // Standing alone in lower case, most types are ordinary words (`Oranienburg alle
            // 20`); Hungarian's are not.
            if s.len() == lw.len() && !LOWER_CASE_TYPES.contains(&lw.as_str()) {
                return None;
            }
            let name = word_before(text, word.start)?;
            let n = &text[name.start..name.end];
            if !is_capitalised(n) || self.not_names.contains(&n.to_lowercase()) {
                return None;
            }
            return Some(name.start);
        }
        let mut start = word.start;
        match suffix {
            // Glued to the name: `Vesterbrogade`, `Hauptstr.`.
            Some(s) if lw.len() > s.len() => {}
            Some(_) => {
                // A suffix standing alone (`Allee`, `Straße`) needs a name before it.
                let name = word_before(text, word.start)?;
                let n = &text[name.start..name.end];
                if !is_capitalised(n) || self.not_names.contains(&n.to_lowercase()) {
                    return None;
                }
                start = name.start;
            }
            None => {
                // `Am Markt`, `Unter den Linden`: a preposition-led name.
                let first = self.prefix_before(text, word.start)?;
                return Some(first);
            }
        }
        // `Gammel Kongevej`, `Oude Gracht`: capitalised adjectives may open the name, and
        // `C. Beerninckstraat`, `H.C. Andersens Boulevard`: so may a person's initials.
        for _ in 0..2 {
            match word_before(text, start) {
                Some(a)
                    if is_capitalised(&text[a.start..a.end])
                        && (self.adjectives.contains(&lower(text, a))
                            || is_initials(&text[a.start..a.end])) =>
                {
                    start = a.start;
                }
                _ => break,
            }
        }
        Some(start)
    }

    /// Where a street prefix (`Am`, `Unter den`) written capitalised ends just before `at`.
    fn prefix_before(&self, text: &str, at: usize) -> Option<usize> {
        let w1 = word_before(text, at)?;
        let w2 = word_before(text, w1.start);
        let (t1, t2) = (&text[w1.start..w1.end], w2.map(|w| &text[w.start..w.end]));
        // The prefixes are lower case; comparing without lower-cased copies keeps the look
        // around each number free of allocations.
        self.prefixes.iter().find_map(|p| match p.as_slice() {
            [one] if same_lower(one, t1) && is_capitalised(t1) => Some(w1.start),
            [one, two] => {
                let t2 = t2?;
                (same_lower(one, t2) && same_lower(two, t1) && is_capitalised(t2))
                    .then_some(w2?.start)
            }
            _ => None,
        })
    }

    /// The end of floor, door or flat words after `at` (`st. th.`, `, 2. tv.`, `Apt. 117`).
    fn units_after(&self, text: &str, at: usize) -> usize {
        let mut end = at;
        let mut pos = at;
        let mut saw_unit = false;
        for _ in 0..4 {
            let Some(w) = word_after(text, pos, Gap::Separator) else {
                break;
            };
            let lw = lower(text, w);
            let bare = lw.trim_end_matches('.');
            if self.units.contains(bare)
                || self
                    .capital_units
                    .contains(text[w.start..w.end].trim_end_matches('.'))
            {
                saw_unit = true;
                end = w.end;
            } else if is_house_number(bare, 4) {
                // `Apt. 117`, `Wohnung 12`: a flat's number follows its word on the same
                // line; after a comma or line break a number is the postcode.
                if saw_unit && !text[pos..w.start].contains([',', '\n']) {
                    end = w.end;
                } else if saw_unit {
                    break;
                }
            } else {
                break;
            }
            pos = w.end;
        }
        end
    }

    /// The end of a city name starting at `at`: capitalised words, a district letter
    /// (`København V`), or short particles between them (`Frankfurt am Main`).
    fn city_at(&self, text: &str, at: usize) -> Option<usize> {
        let first = word_after_here(text, at)?;
        let word = &text[first.start..first.end];
        if !is_capitalised(word) || !word.chars().all(|c| c.is_alphabetic() || c == '-') {
            return None;
        }
        let mut end = first.end;
        let mut pos = first.end;
        for _ in 0..3 {
            let Some(w) = word_after(text, pos, Gap::Spaces) else {
                break;
            };
            let s = text[w.start..w.end].trim_end_matches('.');
            let alphabetic = !s.is_empty() && s.chars().all(|c| c.is_alphabetic() || c == '-');
            if alphabetic && is_capitalised(s) {
                end = w.start + s.len();
                // `København V. Tak`: a dot after the district letter ends the sentence.
                if s.len() < w.len() {
                    break;
                }
            } else if !(alphabetic
                && matches!(
                    s,
                    "am" | "an" | "der" | "im" | "aan" | "den" | "upon" | "on" | "ob"
                ))
            {
                break;
            }
            pos = w.end;
        }
        Some(end)
    }

    /// The end of `, 1620 København V` after `at`, if a postcode and a city follow.
    fn postcode_city_after(&self, text: &str, at: usize) -> Option<usize> {
        let begin = Gap::Separator.skip(text, at)?;
        let slice = &text[begin..ceil_boundary(text, begin + 16)];
        let m = self.postcode_before.find(slice)?;
        self.city_at(text, begin + m.end())
    }

    /// The end of a country after a postcode and city ending at `at` (`10115 Berlin, Germany`,
    /// `1015 CJ Amsterdam⏎Nederland`), or `at`: a place of up to four name words after a comma
    /// or line break, which must end its clause or line, since in German the capitalised
    /// words after a comma may be the next sentence's nouns (`10115 Berlin, Bitte senden Sie`).
    fn country_after(&self, text: &str, at: usize) -> usize {
        let Some(begin) = Gap::Separator.skip(text, at) else {
            return at;
        };
        match self.place_at(text, begin, false) {
            Some(end)
                if text[end..].chars().next().is_none_or(|c| {
                    matches!(c, '.' | ',' | ';' | '!' | '?' | '\n' | '\r' | ')')
                }) =>
            {
                end
            }
            _ => at,
        }
    }

    /// An address in Danish, Dutch or German order around the house number `number`.
    fn continental(&self, text: &str, number: Span) -> Option<(Span, bool)> {
        // `Via Roma, 12`, `Rua Brito, 89`: Italian, Portuguese and Spanish addresses put a
        // comma between a street opened by its type and its number.
        if let Some(head) = text[..number.start].strip_suffix(", ")
            && !head.ends_with(' ')
        {
            let start = self.opener_street_from(text, word_ending_at(text, head.len())?)?;
            let end = self.units_after(text, self.number_end(text, number.end));
            let full = self
                .postcode_city_after(text, end)
                .map(|city| self.country_after(text, city))
                .or_else(|| {
                    // `Via Twitter, 36 Leute`: a German noun after a space is no place.
                    text[end..]
                        .trim_start_matches(' ')
                        .starts_with([',', '\n'])
                        .then(|| self.place_tail(text, end, false).map(|(e, _)| e))
                        .flatten()
                });
            // `via Twitter, 36 people`: without a place after it, the number must end its
            // clause or line.
            let ends = text[end..]
                .chars()
                .next()
                .is_none_or(|c| matches!(c, '.' | ',' | ';' | '!' | '?' | '\n' | '\r' | ')'));
            return (full.is_some() || ends)
                .then(|| (Span::new(start, full.unwrap_or(end)), full.is_some()));
        }
        let mut street = word_before(text, number.start)?;
        // `Gang Merdeka No. 728`, `Intrarea Voinea Nr. 131`: a number word between the street
        // and its number.
        if matches!(lower(text, street).as_str(), "no." | "nr." | "nº" | "n°") {
            street = word_before(text, street.start)?;
        }
        // `Im Januar 2013`, `Im Jahr 1982`: a month or a unit of time or measure before a
        // number is no street.
        if self.place_stops.contains(
            text[street.start..street.end]
                .trim_end_matches('.')
                .to_lowercase()
                .as_str(),
        ) {
            return None;
        }
        let typed = self
            .continental_street(text, street)
            .or_else(|| self.opener_street_before(text, number.start));
        let end = self.units_after(text, self.number_end(text, number.end));
        let city = self.postcode_city_after(text, end);
        // A street without a type (`Lienmyra 9`, `Augustova 645`, as Norwegian, Czech and
        // Slovak names are often written) is told by the postcode and city after its number.
        let start = match (typed, city) {
            (Some(start), _) => start,
            // The place must end its clause and be no currency or sign-off (`Artikel 5,
            // 2000 Euro`), and a "city" with a number after it is the street (`Apt. 675
            // 62314 Mellemvej 32`).
            (None, Some(c)) if self.place_ends_clause(text, end, c) => {
                self.loose_street_before(text, street.end)?
            }
            (None, _) => return None,
        };
        let full = city
            .map(|city| self.country_after(text, city))
            .or_else(|| self.place_tail(text, end, false).map(|(e, _)| e));
        Some((Span::new(start, full.unwrap_or(end)), full.is_some()))
    }

    /// The start of a street opened by its type that ends just before `at` (`ul. Cicha`,
    /// `Rua do Paseo`, `Via Nuova del Campo`): name words and particles back to the opener.
    fn opener_street_before(&self, text: &str, at: usize) -> Option<usize> {
        self.opener_street_from(text, word_before(text, at)?)
    }

    /// The start of a street opened by its type whose last word is `last`.
    fn opener_street_from(&self, text: &str, last: Span) -> Option<usize> {
        let mut names = 0;
        let mut next = Some(last);
        for _ in 0..6 {
            let w = next?;
            let s = text[w.start..w.end].trim_end_matches('.');
            let ls = s.to_lowercase();
            if names > 0 && self.types_first.contains(&ls) {
                return Some(w.start);
            }
            if self.name_word(s, false) {
                names += 1;
            } else if names == 0
                || s.chars().count() > 4
                || !s.chars().all(char::is_alphabetic)
                || CLAUSE_WORDS.contains(&ls.as_str())
            {
                return None;
            }
            next = word_before(text, w.start);
        }
        None
    }

    /// Whether an address word (`address`, `lives on`, `adresse`) stands in the 48 bytes
    /// before `at`.
    fn context_before(&self, text: &str, at: usize) -> bool {
        let from = crate::dates::floor_boundary(text, at.saturating_sub(48));
        self.context.find(&text[from..at]).next().is_some()
    }

    /// The end of a house number ending at `at` with what may follow it: a flat after a
    /// slash (`Urbanweg 3/1`, `ul. Wolności 81/42`), or the dot of a Hungarian house number
    /// when a place follows (`Nagyhídi utca 101., H-8921`).
    fn number_end(&self, text: &str, at: usize) -> usize {
        let rest = &text[at..];
        if let Some(flat) = rest.strip_prefix('/') {
            let digits = flat.bytes().take_while(u8::is_ascii_digit).count();
            let letter = usize::from(
                flat.as_bytes()
                    .get(digits)
                    .is_some_and(u8::is_ascii_alphabetic),
            );
            let len = digits + letter;
            if (1..=4).contains(&digits)
                && !flat[len..].starts_with(|c: char| c.is_alphanumeric() || c == '/')
            {
                return at + 1 + len;
            }
        }
        if rest.starts_with(".,") || rest.starts_with(".\n") {
            return at + 1;
        }
        at
    }

    /// Whether the postcode and city between `at` and `end` end their clause or line (or go on
    /// with a lower-case word) and
    /// the city's first word is no stop word (`Euro`, `Thanks`).
    fn place_ends_clause(&self, text: &str, at: usize, end: usize) -> bool {
        let mut after = text[end..].chars();
        let ends = match after.next() {
            None => true,
            // `… 9898 Gulbrandsen and my order`: a lower-case word goes on the sentence.
            Some(' ') => after.next().is_some_and(char::is_lowercase),
            Some(c) => matches!(c, '.' | ',' | ';' | '!' | '?' | '\n' | '\r' | ')'),
        };
        let first_city_word = text[at..end]
            .split(|c: char| c.is_whitespace() || c == ',')
            .find(|w| w.starts_with(char::is_alphabetic));
        ends && first_city_word.is_some_and(|w| !self.place_stops.contains(&w.to_lowercase()))
    }

    /// The start of a street without a type that ends with `last` (`Lienmyra`, `Krležin
    /// gvozd`): one to three words, the first capitalised, none a function word. Only a
    /// postcode and city after the number make it a street.
    fn loose_street_before(&self, text: &str, end: usize) -> Option<usize> {
        let mut start = None;
        let mut next = word_ending_at(text, end);
        for _ in 0..3 {
            let Some(w) = next else { break };
            let s = text[w.start..w.end].trim_end_matches('.');
            let ls = s.to_lowercase();
            if s.is_empty()
                || !s.chars().all(|c| c.is_alphabetic() || c == '-')
                || CLAUSE_WORDS.contains(&ls.as_str())
                || self.not_names.contains(&ls)
                || self.place_stops.contains(&ls)
                || self.units.contains(&ls)
            {
                break;
            }
            if is_capitalised(s) {
                start = Some(w.start);
            } else if start.is_some() {
                // Lower-case words follow the name (`gvozd`, `utca`), never precede it.
                break;
            }
            next = word_before(text, w.start);
        }
        start
    }

    /// The start of one to three capitalised name words that end just before `at`
    /// (`Joaquin Suarez` before `2906`): a street only where address words precede it.
    fn plain_street_before(&self, text: &str, at: usize) -> Option<usize> {
        let mut pos = at;
        let mut start = None;
        for _ in 0..3 {
            let Some(w) = word_before(text, pos) else {
                break;
            };
            let s = text[w.start..w.end].trim_end_matches('.');
            if !self.name_word(s, false) {
                break;
            }
            start = Some(w.start);
            pos = w.start;
        }
        start
    }

    /// `the corner of Beiteveien 2 and Sieda Radial`: two streets at a crossing, each a run of
    /// name words, particles, house numbers and street types, at least one of them with a
    /// number or a type. Returns the span from the first street to the end of the second.
    fn corner(&self, text: &str, at: usize, caseless: bool) -> Option<Span> {
        let mut pos = at;
        let mut first_start = None;
        let (mut names, mut marked, mut end) = (0, false, 0);
        let mut second = false;
        for _ in 0..12 {
            let Some(w) = (if first_start.is_none() {
                word_after_here(text, pos)
            } else {
                word_after(text, pos, Gap::Spaces)
            }) else {
                break;
            };
            let s = text[w.start..w.end].trim_end_matches(['.', ',']);
            let ls = s.to_lowercase();
            first_start.get_or_insert(w.start);
            if ls == "and" || ls == "&" {
                if second || names == 0 {
                    return None;
                }
                second = true;
                names = 0;
            } else if is_house_number(s, 5)
                || (names > 0 && self.types.contains(&ls))
                || self.types_first.contains(&ls)
            {
                marked = true;
                end = w.start + s.len();
                // `ul. Cicha 86`: an abbreviated opener keeps its dot.
                if self.types_first.contains(&ls) && text[w.end..].starts_with(". ") {
                    pos = w.end + 1;
                    continue;
                }
            } else if self.name_word(s, caseless) || is_ordinal(s) {
                names += 1;
                end = w.start + s.len();
            } else if !(names > 0
                && s.chars().count() <= 4
                && s.chars().all(char::is_alphabetic)
                && !CLAUSE_WORDS.contains(&ls.as_str()))
            {
                break;
            }
            pos = w.end;
        }
        (second && names > 0 && marked).then(|| Span::new(first_start.unwrap_or(at), end))
    }

    /// Whether `s` may be a word of a street or place name: capitalised (in a text written
    /// without capitals, any alphabetic word), and no function word.
    fn name_word(&self, s: &str, caseless: bool) -> bool {
        let lettered = s
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'));
        let shaped = lettered
            && if caseless {
                s.chars().count() >= 2
            } else {
                is_capitalised(s)
            };
        if !shaped {
            return false;
        }
        let ls = s.to_lowercase();
        !self.not_names.contains(&ls) && !self.place_stops.contains(&ls)
    }

    /// An address in British or American order starting with the number `number`:
    /// `221B Baker Street`, `4521 Oak Ridge Drive Apt. 5`, `12 Rue de Tanger`, or a street
    /// without a type whose own number follows its name, as many countries write it after a
    /// building number (`6750 Koskikatu 25`). A second number may follow the first (a
    /// building and a house number).
    fn english(&self, text: &str, number: Span, caseless: bool) -> Option<EnglishMatch> {
        let first = &text[number.start..number.end];
        let leading_zero = first.starts_with('0');
        if !is_house_number(first.trim_start_matches('0'), 5) || first.len() > 5 {
            return None;
        }
        let mut pos = number.end;
        // `12, rue de la Paix`: French and Belgian addresses put a comma after the number
        // before a street opened by its type.
        if let Some(rest) = text[pos..].strip_prefix(", ")
            && let Some(w) = word_after_here(text, text.len() - rest.len())
            && self.types_first.contains(&lower(text, w))
        {
            pos += 1;
        }
        let mut second_number = false;
        if let Some(w) = word_after(text, pos, Gap::Spaces) {
            let s = text[w.start..w.end].trim_end_matches('.');
            if is_house_number(s, 5) {
                second_number = true;
                pos = w.start + s.len();
            }
        }
        let (mut names, mut typed, mut numbered, mut opener) = (0, false, false, false);
        let mut last_name_end = 0;
        let mut street_end = None;
        for i in 0..8 {
            let Some(w) = word_after(text, pos, Gap::Spaces) else {
                break;
            };
            let raw = &text[w.start..w.end];
            let s = raw.trim_end_matches(['.', '\'', '’']);
            if s.is_empty() {
                break;
            }
            let ls = s.to_lowercase();
            if names > 0 && self.types.contains(&ls) {
                // A second type may follow the first: `Oak Ridge Drive`.
                typed = true;
                street_end = Some(w.start + s.len());
                pos = w.end;
                continue;
            }
            if typed {
                break;
            }
            if names > 0 && is_house_number(s, 5) {
                numbered = true;
                street_end = Some(w.start + s.len());
                break;
            }
            let ordinal = i == 0
                && s.ends_with(['h', 't', 'd'])
                && s.starts_with(|c: char| c.is_ascii_digit());
            if names == 0 && self.types_first.contains(&ls) {
                opener = true;
                names += 1;
            } else if ordinal || self.name_word(s, caseless) {
                names += 1;
                last_name_end = w.start + s.len();
            } else if opener
                && s.chars().all(char::is_alphabetic)
                && !CLAUSE_WORDS.contains(&ls.as_str())
                && !self.place_stops.contains(&ls)
            {
                // After its type, a street's words need no capitals (`rue des lieutenants
                // Thomazo`); only a capitalised word may end it.
            } else if names > 0
                && s.chars().count() <= 4
                && s.chars().all(char::is_alphabetic)
                && !CLAUSE_WORDS.contains(&ls.as_str())
            {
                // Particles and abbreviations inside a name: `Rue de Tanger`, `Wesselényi u.`.
            } else {
                break;
            }
            pos = w.end;
        }
        // `Rue de Tanger`: a street opened by its type ends with its last name word.
        if opener && !typed && !numbered && names >= 2 {
            typed = true;
            street_end = Some(last_name_end);
        }
        if !(typed || numbered) {
            return None;
        }
        let mut end = street_end?;
        if typed
            && let Some(d) = word_after(text, end, Gap::Spaces)
            && self.directions.contains(&lower(text, d))
            && text[d.start..d.end].chars().all(|c| c.is_ascii_uppercase())
        {
            end = d.end;
        }
        // `St., Springfield`: the abbreviation's dot does not end the address when a comma
        // or a line break follows it.
        // After a dot and a space (`útja 62. Apt. 5`, `St. Suite 3`) only a unit may follow:
        // a capitalised word there more often starts the next sentence.
        let (resume, places) = match text[end..].strip_prefix('.') {
            Some(rest) if rest.starts_with([',', '\n']) => (end + 1, true),
            Some(rest) if rest.starts_with(' ') => (end + 1, false),
            _ => (end, true),
        };
        let after_units = self.units_after(text, resume);
        let units = after_units > resume;
        let tail = if places || units {
            self.place_tail(text, after_units, caseless)
        } else {
            None
        };
        if units || tail.is_some() {
            end = after_units;
        }
        // A number with a leading zero (`0557 Joshua Islands`, as generated data writes it)
        // is a house number only with a second number, a flat or a place line.
        if leading_zero && !(second_number || numbered || units || tail.is_some()) {
            return None;
        }
        let strong_tail = tail.is_some_and(|(_, strong)| strong);
        // A typed street is an address by its form; a street told only by its two numbers
        // (`3 Samsung Galaxy 5`), or any street in a text without capitals, needs more.
        // Without capitals, a street type followed by a comma and a place (`12 main street,
        // springfield`) is as much an address as a unit or a postcode would make it.
        let weak = if caseless {
            let place_after_comma =
                tail.is_some() && text[after_units..].trim_start_matches(' ').starts_with(',');
            !(second_number || units || strong_tail || (typed && !opener && place_after_comma))
        } else {
            !(typed || opener || second_number || units || strong_tail)
        };
        Some(EnglishMatch {
            span: Span::new(number.start, tail.map_or(end, |(e, _)| e)),
            full: tail.is_some(),
            weak,
        })
    }

    /// The end of the place lines after a street (`, Warwick, United States`,
    /// `\n Toronto\n, ON\n 82269`, `, Washington, DC 20500`, `, London NW1 6XE`), and whether
    /// they hold a postcode, a region code or a line of their own.
    fn place_tail(&self, text: &str, at: usize, caseless: bool) -> Option<(usize, bool)> {
        let (mut end, mut strong, mut segments) = (at, false, 0);
        for _ in 0..6 {
            // A flat or suite line among the place lines (`Hibberdene Rd⏎ Apt. 724⏎ City`).
            let after_units = self.units_after(text, end);
            if after_units > end {
                end = after_units;
                segments += 1;
                continue;
            }
            let Some(begin) = Gap::Separator.skip(text, end) else {
                break;
            };
            let line_break = text[end..begin].contains('\n');
            let rest = &text[begin..ceil_boundary(text, begin + 16)];
            // A code followed by more digit groups is the start of a longer number (a
            // phone number on the next line), not a postcode.
            let bounded = |len: usize| {
                let mut after = text[begin + len..].chars();
                let next = after.next();
                let digit_group =
                    next == Some(' ') && after.next().is_some_and(|c| c.is_ascii_digit());
                !(next.is_some_and(char::is_alphanumeric) || digit_group)
            };
            let postcode = self
                .postcode_after
                .find(rest)
                .or_else(|| POSTCODE.find(rest))
                .filter(|m| bounded(m.end()));
            if let Some(m) = postcode {
                end = begin + m.end();
                strong = true;
            } else if let Some(m) = REGION
                .find(rest)
                .filter(|m| segments > 0 && bounded(m.end()))
            {
                end = begin + m.end();
                strong = true;
            } else if let Some(e) = self.place_at(text, begin, caseless) {
                end = e;
                strong |= line_break;
            } else {
                break;
            }
            segments += 1;
        }
        (segments > 0).then_some((end, strong))
    }

    /// The end of a place name at `at`: up to four name words, or one in brackets
    /// (`Cyprus (Greek)`).
    fn place_at(&self, text: &str, at: usize, caseless: bool) -> Option<usize> {
        let mut end = None;
        let mut pos = at;
        // Up to four name words, and the particles between them.
        let mut names = 0;
        for i in 0..7 {
            let w = if i == 0 {
                word_after_here(text, pos)
            } else {
                word_after(text, pos, Gap::Spaces)
            };
            let Some(w) = w else { break };
            let s = text[w.start..w.end].trim_end_matches(['.', '\'', '’']);
            // `United States of America`, `Isle of Man`, `Turkovice u Prelouce`, `Rio de
            // Janeiro`: `of` or a short lower-case particle joins two name words.
            let particle = s == "of"
                || (s.chars().count() <= 3
                    && s.chars().all(char::is_lowercase)
                    && !CLAUSE_WORDS.contains(&s));
            if i > 0
                && particle
                && let Some(next) = word_after(text, w.end, Gap::Spaces)
                && self.name_word(&text[next.start..next.end], caseless)
            {
                pos = w.end;
                continue;
            }
            if s.is_empty()
                || !self.name_word(s, caseless)
                || self.units.contains(&s.to_lowercase())
            {
                break;
            }
            end = Some(w.start + s.len());
            pos = w.start + s.len();
            names += 1;
            if s.len() < text[w.start..w.end].len() || names == 4 {
                break;
            }
        }
        let mut end = end?;
        // `Cyprus (Greek)`: a bracketed word ends the place.
        if let Some(rest) = text[end..].strip_prefix(" (")
            && let Some(close) = rest[..crate::dates::floor_boundary(rest, MAX_WORD)].find(')')
            && rest[..close]
                .split(' ')
                .all(|w| !w.is_empty() && self.name_word(w, caseless))
        {
            end += 2 + close + 1;
        }
        Some(end)
    }

    /// A street on its own line or after a comma following a flat and its number (`Flat
    /// 51⏎Roy Village`, `Studio 6, Dominic Dale, New Lewisshire`): name words and a street
    /// type, then place lines. The span starts at the number; the flat word joins it later.
    fn street_line_after_unit(
        &self,
        text: &str,
        number: Span,
        caseless: bool,
    ) -> Option<(Span, bool)> {
        let unit = word_before(text, number.start)?;
        if !self.units.contains(lower(text, unit).trim_end_matches('.')) {
            return None;
        }
        let begin = Gap::Separator.skip(text, number.end)?;
        if !text[number.end..begin].contains([',', '\n']) {
            return None;
        }
        let (mut names, mut street_end) = (0, None);
        let mut w = word_after_here(text, begin);
        for _ in 0..5 {
            let Some(word) = w else { break };
            let s = text[word.start..word.end].trim_end_matches('.');
            let ls = s.to_lowercase();
            if names > 0 && self.types.contains(&ls) {
                street_end = Some(word.start + s.len());
                break;
            }
            if !self.name_word(s, caseless) {
                return None;
            }
            names += 1;
            w = word_after(text, word.end, Gap::Spaces);
        }
        let end = street_end?;
        let tail = self.place_tail(text, end, caseless);
        Some((
            Span::new(number.start, tail.map_or(end, |(e, _)| e)),
            tail.is_some(),
        ))
    }

    /// Where the street name before an address that starts with its house number and a flat
    /// starts (`Dalmatinova 43 Apt. 678`, `Ulica Nowa 5 Suite 2`): one or two capitalised
    /// name words before the number, as streets without a type are written in many
    /// countries. Only a flat word right after the number makes the number a house number,
    /// so `Galaxy 12 phones` is no street.
    fn street_before_unit(&self, text: &str, start: usize) -> Option<usize> {
        let number = word_after_here(text, start)?;
        if !text[number.start..].starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let next = word_after(text, number.end, Gap::Spaces)?;
        if !self.units.contains(lower(text, next).trim_end_matches('.')) {
            return None;
        }
        let mut begin = None;
        let mut pos = number.start;
        for _ in 0..2 {
            match word_before(text, pos) {
                Some(w) if self.name_word(&text[w.start..w.end], false) => {
                    begin = Some(w.start);
                    pos = w.start;
                }
                _ => break,
            }
        }
        begin
    }

    /// Where a flat or suite written before an address starts: `Flat 3, ` before
    /// `12 High Street`, `Apt. 675 ` before `62314 Mellemvej 32`.
    fn unit_before(&self, text: &str, start: usize) -> Option<usize> {
        let is_unit = |w: Span| self.units.contains(lower(text, w).trim_end_matches('.'));
        if let Some(unit) = word_before(text, start).filter(|w| is_unit(*w)) {
            return Some(unit.start);
        }
        let head = text[..start].trim_end_matches(' ');
        let head = head.strip_suffix(',').unwrap_or(head).trim_end_matches(' ');
        if head.len() == start || start - head.len() > 3 {
            return None;
        }
        let number = word_ending_at(text, head.len())?;
        if !is_house_number(text[number.start..number.end].trim_end_matches('.'), 5) {
            return None;
        }
        let unit = word_before(text, number.start)?;
        self.units
            .contains(lower(text, unit).trim_end_matches('.'))
            .then_some(unit.start)
    }
}

/// Whether `s` is one or two initials with their dots (`C.`, `H.C.`).
fn is_initials(s: &str) -> bool {
    let mut chars = s.chars();
    let mut count = 0;
    while let Some(c) = chars.next() {
        if !c.is_uppercase() || chars.next() != Some('.') {
            return false;
        }
        count += 1;
    }
    (1..=2).contains(&count)
}

/// Whether `s` is an ordinal number as street names use them (`5th`, `42nd`, `1st`).
fn is_ordinal(s: &str) -> bool {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    (1..=3).contains(&digits)
        && matches!(
            s[digits..].to_ascii_lowercase().as_str(),
            "st" | "nd" | "rd" | "th"
        )
}

/// The word that ends at `end`.
fn word_ending_at(text: &str, end: usize) -> Option<Span> {
    let mut start = end;
    for c in text[..end].chars().rev().take(MAX_WORD + 1) {
        if !is_word_char(c) {
            break;
        }
        start -= c.len_utf8();
    }
    (start < end && end - start <= MAX_WORD).then_some(Span::new(start, end))
}

/// Street types written in lower case after a capitalised name (Hungarian).
const LOWER_CASE_TYPES: &[&str] = &["utca", "út", "útja", "körút", "tér", "köz", "sor"];

/// Short lower-case words that join clauses, never street names (da, nl, de, en); other short
/// words inside a name are particles (`Rue de Tanger`, `Trenerys gate`).
const CLAUSE_WORDS: &[&str] = &[
    "and", "or", "is", "are", "was", "to", "at", "on", "in", "for", "from", "by", "it", "og", "er",
    "til", "på", "en", "of", "is", "op", "und", "oder", "ist", "im", "am", "bei",
];

/// Words after which a number counts things instead of numbering a house (da, nl, de, en).
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "my", "our", "your", "his", "her", "their", "these", "those", "all", "de",
    "het", "mijn", "onze", "die", "der", "das", "den", "meine", "unsere", "alle", "mine", "vores",
    "dine", "disse",
];

/// What [`Lexicon::english`] found.
struct EnglishMatch {
    span: Span,
    /// Place lines (city, region, postcode) follow the street.
    full: bool,
    /// Only context words make it an address.
    weak: bool,
}

/// A postcode among an address's place lines: British, Canadian (`M5V 2T6`), Dutch, or digits
/// (US ZIP+4 and the spaced Swedish form included).
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|[1-9]\d{3} ?[A-Z]{2}|(?:[A-Z]{1,2}-)?\d{3,6}(?:[ -]\d{2,4})?)",
    )
    .expect("valid postcode pattern")
});

/// A US state, Canadian province or Australian state code (`DC`, `ON`, `VIC`).
static REGION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z]{2,3}").expect("valid region pattern"));

/// The word starting exactly at `at`.
fn word_after_here(text: &str, at: usize) -> Option<Span> {
    let mut end = at;
    for c in text[at..].chars().take(MAX_WORD + 1) {
        if !is_word_char(c) {
            break;
        }
        end += c.len_utf8();
    }
    let word = text[at..end].trim_end_matches(['.', '\'', '’']);
    (!word.is_empty() && word.len() <= MAX_WORD).then_some(Span::new(at, at + word.len()))
}

/// Whether a text is written without capitals, so that names cannot be told by them.
fn is_caseless(text: &str) -> bool {
    !text.chars().any(char::is_uppercase)
}

/// Whether the number at `span` (a candidate phone number without a country code) belongs to
/// an address instead: a flat or suite word stands before it, or a street follows it that
/// makes it a building and house number (`62314 Mellemvej 32`, `3378 217 Lovers Lane`).
pub(crate) fn is_house_number_run(text: &str, span: Span) -> bool {
    let lex = &*LEXICON;
    if word_before(text, span.start)
        .is_some_and(|w| lex.units.contains(lower(text, w).trim_end_matches('.')))
    {
        return true;
    }
    // Only the text around the number decides whether it is written without capitals, so
    // that the look stays bounded however long the text.
    let window = &text[crate::dates::floor_boundary(text, span.start.saturating_sub(128))
        ..ceil_boundary(text, (span.end + 128).min(text.len()))];
    let Some(number) = word_after_here(text, span.start) else {
        return false;
    };
    lex.english(text, number, is_caseless(window))
        .is_some_and(|m| !m.weak && m.span.end > span.end)
}

/// Post office boxes, in English and the other languages' words: `P.O. Box 104`, `Postboks 12`.
static PO_BOX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:(?-u:\b)\d{1,5} )?(?-u:\b)(?:P\.? ?O\.? ?Box|Post Office Box|Postboks|Postbus|Postfach|Box)(?-u:\b) ?\d{1,6}(?-u:\b)",
    )
    .expect("valid post office box pattern")
});

/// US military and diplomatic mail: `PSC 1234, Box 5678` or `USNS Bergman`, then
/// `APO AE 09012`.
static MILITARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:(?:(?:PSC|CMR|Unit) \d{1,5},? Box \d{1,5}|(?:USNS|USNV|USS|USCGC) \p{L}+(?: \p{L}+)?)[ ,\n>]{1,5})?[ADF]PO A[AEP] \d{5}(?-u:\b)",
    )
    .expect("valid military address pattern")
});

/// The words that the box, military and corner patterns need: most messages hold none, and
/// one pass finds that out for all of them.
static TRIGGERS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["box", "boks", "postfach", "postbus", "po a", "corner of"])
        .expect("the trigger words build an automaton")
});

/// Which of the [`TRIGGERS`] a text holds.
#[derive(Clone, Copy, Default)]
struct Triggers {
    post_box: bool,
    military: bool,
    corner: bool,
}

impl Triggers {
    fn of(text: &str) -> Triggers {
        let mut t = Triggers::default();
        for m in TRIGGERS.find_iter(text) {
            match m.pattern().as_usize() {
                0..=3 => t.post_box = true,
                4 => t.military = true,
                _ => t.corner = true,
            }
            if t.post_box && t.military && t.corner {
                break;
            }
        }
        t
    }
}

/// A place with its postcode and no street: `Springfield, IL 62704`, `London SW1A 1AA`. The
/// US state code with a ZIP code, or a full British postcode, is rare enough in other text
/// to stand for an address on its own.
static PLACE_POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)\p{Lu}\p{Ll}+(?: \p{Lu}\p{Ll}+){0,2}(?:,? [A-Z]{2} \d{5}(?:-\d{4})?|,? [A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2})(?-u:\b)",
    )
    .expect("valid place and postcode pattern")
});

/// The postal codes of the US states, the District of Columbia and the territories.
const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP", "AA", "AE", "AP",
];

/// The words before two streets that cross.
static CORNER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:the )?corner of (?:the )?").expect("valid corner pattern")
});

/// A postcode after a postcode word (`zip code is 35350`, `PLZ: 10115`). A second group holds
/// a digit or two capitals (`SW1A 1AA`, `1015 CJ`), so that `zip code is 10001 and` stops at
/// the number.
static LONE_POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[:#=]?\s{0,2}(?:(?:is|er|ist|was|lautet|luidt|are)\s{1,2}[:#]?\s{0,2})?([A-Z0-9]{2,6}(?:[ -](?:[A-Z]{0,2}\d[A-Z0-9]{0,2}|(?-i:[A-Z]{2})))?)")
        .expect("valid postcode pattern")
});

impl StreetAddressRecognizer {
    fn push(text: &str, span: Span, score: f32, out: &mut Vec<Detection>) {
        out.push(Detection {
            kind: EntityKind::StreetAddress,
            span,
            score,
            recogniser: "street-address-pattern",
            validator: None,
            canonical: text[span.start..span.end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        });
    }

    /// Post office boxes and military addresses, with their place lines.
    fn boxes(
        lex: &Lexicon,
        text: &str,
        caseless: bool,
        triggers: Triggers,
        out: &mut Vec<Detection>,
    ) {
        let mut military = Vec::new();
        if triggers.military {
            for m in MILITARY.find_iter(text) {
                military.push(Span::new(m.start(), m.end()));
                Self::push(text, Span::new(m.start(), m.end()), 0.9, out);
            }
        }
        if triggers.post_box {
            // Both lists are in text order, so one pointer walks the military spans.
            let mut next_military = 0;
            for m in PO_BOX.find_iter(text) {
                while military
                    .get(next_military)
                    .is_some_and(|s: &Span| s.end <= m.start())
                {
                    next_military += 1;
                }
                if military
                    .get(next_military)
                    .is_some_and(|s| s.start < m.end())
                {
                    continue;
                }
                let bare = m
                    .as_str()
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
                // A bare `Box 12` is an address only with place lines that hold a postcode
                // or a region.
                let plain_box = bare.len() >= 3 && bare[..3].eq_ignore_ascii_case("box");
                let end = lex.units_after(text, m.end());
                let tail = lex.place_tail(text, end, caseless);
                if plain_box && tail.is_none_or(|(_, strong)| !strong) {
                    continue;
                }
                let span = Span::new(m.start(), tail.map_or(end, |(e, _)| e));
                Self::push(text, span, if tail.is_some() { 0.9 } else { 0.8 }, out);
            }
        }
    }

    /// Street corners: `the corner of Kuusiku 7 and Alexander Flat`.
    /// Returns their spans, in order, so that their numbers are not read again.
    fn corners(lex: &Lexicon, text: &str, caseless: bool, out: &mut Vec<Detection>) -> Vec<Span> {
        let mut spans = Vec::new();
        for m in CORNER.find_iter(text) {
            // "the corner of" is part of how the address is written, and masked with it.
            if let Some(span) = lex.corner(text, m.end(), caseless) {
                let span = Span::new(m.start(), span.end);
                Self::push(text, span, 0.85, out);
                spans.push(span);
            }
        }
        spans
    }

    /// Places with a postcode and no street (see [`PLACE_POSTCODE`]).
    /// Streets named without a house number right after address words (`I live on Elm
    /// Street`, `Ich wohne in der Hauptstraße`, `bor på Vesterbrogade`): one to three
    /// capitalised name words and an English street type, or one word with a street suffix
    /// glued to it. Without address words a street's name alone is a place people talk about
    /// ("Wall Street", "Abbey Road"), so none is reported.
    fn named_streets(lex: &Lexicon, text: &str, out: &mut Vec<Detection>) {
        const LINKS: &[&str] = &[
            "is", "on", "in", "at", "the", "der", "die", "den", "på", "i", "op", "aan", "de",
            "het", "am", "an", "er", "ist",
        ];
        for (_, phrase) in lex.context.find(text) {
            let mut pos = phrase.end;
            if text[pos..].starts_with(':') {
                pos += 1;
            }
            let mut first = None;
            for _ in 0..3 {
                let Some(w) = word_after(text, pos, Gap::Spaces) else {
                    break;
                };
                if LINKS.contains(&lower(text, w).as_str()) {
                    pos = w.end;
                } else {
                    first = Some(w);
                    break;
                }
            }
            let Some(first) = first else { continue };
            let mut end = None;
            let mut w = first;
            for i in 0..4 {
                let word = &text[w.start..w.end];
                let lw = word.to_lowercase();
                if i > 0 && is_capitalised(word) && lex.types.contains(&lw) {
                    end = Some(w.end);
                    break;
                }
                if i == 0 && lex.continental_street(text, w) == Some(w.start) {
                    end = Some(w.end);
                    break;
                }
                if !lex.name_word(word, false) {
                    break;
                }
                match word_after(text, w.end, Gap::Spaces) {
                    Some(next) => w = next,
                    None => break,
                }
            }
            let Some(end) = end else { continue };
            // A number after the street makes an address the other rules read in full.
            let numbered = word_after(text, end, Gap::Spaces)
                .is_some_and(|n| text[n.start..].starts_with(|c: char| c.is_ascii_digit()));
            if !numbered {
                Self::push(text, Span::new(first.start, end), 0.6, out);
            }
        }
    }

    /// `found` holds the addresses already found, in text order; a place inside one is
    /// part of it.
    fn places(lex: &Lexicon, text: &str, found: &[Span], out: &mut Vec<Detection>) {
        let mut next = 0;
        for m in PLACE_POSTCODE.find_iter(text) {
            while found.get(next).is_some_and(|s| s.end <= m.start()) {
                next += 1;
            }
            if found.get(next).is_some_and(|s| s.start < m.end()) {
                continue;
            }
            let value = m.as_str();
            let place = value
                .split([' ', ','])
                .next()
                .unwrap_or_default()
                .to_lowercase();
            // `Call SW1A 1AA`? A sentence word is no place.
            if lex.place_stops.contains(&place) || lex.not_names.contains(&place) {
                continue;
            }
            // A two-letter code before five digits must be a US state's.
            let state = value
                .rsplit(' ')
                .nth(1)
                .filter(|code| code.len() == 2 && value.ends_with(|c: char| c.is_ascii_digit()));
            if state.is_some_and(|code| !US_STATES.contains(&code)) {
                continue;
            }
            Self::push(text, Span::new(m.start(), m.end()), 0.8, out);
        }
    }

    /// Postcodes standing alone after a postcode word.
    fn lone_postcodes(lex: &Lexicon, text: &str, out: &mut Vec<Detection>) {
        for (_, phrase) in lex.postcode_context.find(text) {
            let rest = &text[phrase.end..ceil_boundary(text, (phrase.end + 32).min(text.len()))];
            let Some(code) = LONE_POSTCODE.captures(rest).and_then(|c| c.get(1)) else {
                continue;
            };
            let span = Span::new(phrase.end + code.start(), phrase.end + code.end());
            // The first group holds a digit (`SW1A 1AA`, `90010-170`), so that `zip file 123`
            // is no postcode.
            let first_group = code.as_str().split([' ', '-']).next().unwrap_or_default();
            let digits = if first_group.bytes().any(|b| b.is_ascii_digit()) {
                code.as_str().bytes().filter(u8::is_ascii_digit).count()
            } else {
                0
            };
            let glued = text[span.end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
            if digits >= 2 && !glued {
                Self::push(text, span, 0.85, out);
            }
        }
    }
}

impl Recognizer for StreetAddressRecognizer {
    fn name(&self) -> &'static str {
        "street-address-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::StreetAddress]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        let lex = &*LEXICON;
        let bytes = text.as_bytes();
        let caseless = is_caseless(text);
        let first = out.len();
        let triggers = Triggers::of(text);
        Self::boxes(lex, text, caseless, triggers, out);
        Self::lone_postcodes(lex, text, out);
        Self::named_streets(lex, text, out);
        let corners = if triggers.corner {
            Self::corners(lex, text, caseless, out)
        } else {
            Vec::new()
        };
        // Numbers inside a box or a named street found above are read no further.
        let mut prior: Vec<Span> = out[first..].iter().map(|d| d.span).collect();
        prior.sort_by_key(|s| s.start);
        let mut next_prior = 0;
        let mut next_corner = 0;
        let mut i = 0;
        let mut last_end = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if start < last_end || text[..start].chars().next_back().is_some_and(is_word_char) {
                continue;
            }
            while prior.get(next_prior).is_some_and(|p| p.end <= start) {
                next_prior += 1;
            }
            if prior[next_prior..]
                .iter()
                .take_while(|p| p.start <= start)
                .any(|p| start < p.end)
            {
                continue;
            }
            while corners.get(next_corner).is_some_and(|c| c.end <= start) {
                next_corner += 1;
            }
            if corners.get(next_corner).is_some_and(|c| c.start <= start) {
                continue;
            }
            // The number with its letter (`3a`, `221B`), not glued to anything after.
            let Some(number) = word_after_here(text, start) else {
                continue;
            };
            let found = if is_house_number(&text[number.start..number.end], 4) {
                lex.continental(text, number)
                    .map(|(span, full)| (span, full, false))
            } else {
                None
            };
            // `the 3 Musketeers Way`, `my 2 Apple Watch`: after a determiner a number counts
            // things; nobody writes "the 12 Main Street".
            let counted = word_before(text, number.start)
                .is_some_and(|w| DETERMINERS.contains(&lower(text, w).as_str()));
            let found = found.or_else(|| {
                (!counted)
                    .then(|| lex.english(text, number, caseless))
                    .flatten()
                    .map(|m| (m.span, m.full, m.weak))
            });
            // `Flat 51⏎Roy Village⏎Victorhaven`: a flat's line before a street without a
            // number, as British addresses of a building's flats are written.
            let found = found.or_else(|| {
                lex.street_line_after_unit(text, number, caseless)
                    .map(|(span, full)| (span, full, false))
            });
            // `lives on Joaquin Suarez 2906`: name words and a number, after address words.
            let found = found.or_else(|| {
                let start = lex.plain_street_before(text, number.start)?;
                (is_house_number(&text[number.start..number.end], 4)
                    && start >= last_end
                    && lex.context_before(text, start))
                .then_some((Span::new(start, number.end), false, false))
            });
            let Some((mut span, full, weak)) = found else {
                continue;
            };
            if let Some(unit) = lex.unit_before(text, span.start).filter(|u| *u >= last_end) {
                span.start = unit;
            } else if let Some(street) = lex
                .street_before_unit(text, span.start)
                .filter(|s| *s >= last_end)
            {
                span.start = street;
            }
            // `03/181 Clark Nook`, `19/53, Sarkar Ganj`: Australian and Indian addresses write
            // the flat and the house number with a slash between them.
            if let Some(head) = text[..span.start].strip_suffix('/') {
                let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
                if (1..=4).contains(&digits)
                    && !head[..head.len() - digits].ends_with(|c: char| is_word_char(c) || c == '/')
                {
                    span.start -= digits + 1;
                }
            }
            if span.start < last_end {
                continue;
            }
            let context = lex.context_before(text, span.start);
            if weak && !context {
                continue;
            }
            let score = match (full, context) {
                (true, true) => 0.95,
                (true, false) => 0.85,
                (false, true) => 0.75,
                (false, false) => 0.6,
            };
            Self::push(text, span, score, out);
            last_end = span.end;
            i = i.max(span.end);
        }
        let mut found: Vec<Span> = out[first..].iter().map(|d| d.span).collect();
        found.sort_by_key(|s| s.start);
        Self::places(lex, text, &found, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::hits;

    fn found(text: &str) -> Vec<(String, f32)> {
        hits(&StreetAddressRecognizer, text)
            .into_iter()
            .map(|(s, _, _, score)| (s, score))
            .collect()
    }

    fn one(text: &str) -> String {
        let f = found(text);
        assert_eq!(f.len(), 1, "{text}: {f:?}");
        f[0].0.clone()
    }

    #[test]
    fn house_numbers() {
        assert!(is_house_number("12", 4));
        assert!(is_house_number("221B", 5));
        assert!(!is_house_number("012", 4));
        assert!(!is_house_number("3rd", 4));
        assert!(!is_house_number("12345", 4));
        assert!(is_house_number("263-II", 4));
        assert!(!is_house_number("12-", 4));
    }

    #[test]
    fn continental_addresses_with_postcode_and_city() {
        assert_eq!(
            one("Send it to Vesterbrogade 12, 1620 København V please"),
            "Vesterbrogade 12, 1620 København V"
        );
        assert_eq!(
            one("Keizersgracht 123, 1015 CJ Amsterdam."),
            "Keizersgracht 123, 1015 CJ Amsterdam"
        );
        assert_eq!(
            one("Hauptstraße 5, 10115 Berlin"),
            "Hauptstraße 5, 10115 Berlin"
        );
        assert!(found("Hauptstraße 5, 10115 Berlin")[0].1 > found("Hauptstraße 5")[0].1);
    }

    #[test]
    fn floors_prefixes_and_standalone_suffixes() {
        assert_eq!(one("Nørregade 7 st. th. er min"), "Nørregade 7 st. th.");
        assert_eq!(
            one("bor på Gammel Kongevej 4, 2. tv."),
            "Gammel Kongevej 4, 2. tv."
        );
        assert_eq!(one("Am Markt 3a, bitte"), "Am Markt 3a");
        assert_eq!(one("Unter den Linden 77"), "Unter den Linden 77");
        assert_eq!(one("in der Frankfurter Allee 5"), "Frankfurter Allee 5");
        assert_eq!(one("Berliner Str. 20"), "Berliner Str. 20");
    }

    #[test]
    fn floors_and_flats_between_the_number_and_the_postcode() {
        // Danish floors and doors, also after streets in the definite form or without a type.
        assert_eq!(
            one("Jeg bor på Strandvejen 12, 2. tv., 2900 Hellerup"),
            "Strandvejen 12, 2. tv., 2900 Hellerup"
        );
        assert_eq!(
            one("Jeg bor på Åboulevarden 22, 3. th., 8000 Aarhus C"),
            "Åboulevarden 22, 3. th., 8000 Aarhus C"
        );
        assert_eq!(
            one("Send den til Torvet 3, st. th., 4000 Roskilde"),
            "Torvet 3, st. th., 4000 Roskilde"
        );
        // German floors, flats and rear buildings.
        assert_eq!(
            one("Ich wohne Am Sonnenhang 4, 3. OG, 80331 München"),
            "Am Sonnenhang 4, 3. OG, 80331 München"
        );
        assert_eq!(
            one("Ich wohne in der Hauptstraße 4, Wohnung 12, 80331 München"),
            "Hauptstraße 4, Wohnung 12, 80331 München"
        );
        assert_eq!(
            one("Lieferung an Lindenstr. 5, 2. Stock links, 10969 Berlin"),
            "Lindenstr. 5, 2. Stock links, 10969 Berlin"
        );
        assert_eq!(
            one("Bergstraße 9, Hinterhaus, 01069 Dresden"),
            "Bergstraße 9, Hinterhaus, 01069 Dresden"
        );
        // Dutch upper floors and ground-floor flats.
        assert_eq!(
            one("Mijn adres is Prinsengracht 263 hs, 1016 GV Amsterdam"),
            "Prinsengracht 263 hs, 1016 GV Amsterdam"
        );
        assert_eq!(
            one("Mijn adres is Kerkweg 12 bis, 1234 AB Ergens"),
            "Kerkweg 12 bis, 1234 AB Ergens"
        );
        // A floor word alone is no address.
        for text in [
            "Vi bor på 2. sal og elevatoren virker ikke",
            "Das Büro ist im 3. OG, Zimmer 12",
            "Ik woon op de 2e verdieping",
            "Die Wohnung 12 ist frei",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
        // Danish `og` ("and") is no Obergeschoss.
        assert_eq!(
            one("Jeg bor på Vestergade 12 og har ikke fået pakken"),
            "Vestergade 12"
        );
    }

    #[test]
    fn english_addresses() {
        assert_eq!(
            one("221B Baker Street, London NW1 6XE"),
            "221B Baker Street, London NW1 6XE"
        );
        assert_eq!(
            one("at 1600 Pennsylvania Avenue NW, Washington, DC 20500."),
            "1600 Pennsylvania Avenue NW, Washington, DC 20500"
        );
        assert_eq!(
            one("24 Clarke Avenue, Apt. 117 is"),
            "24 Clarke Avenue, Apt. 117"
        );
        assert_eq!(one("2450 Crown St."), "2450 Crown St");
    }

    #[test]
    fn ordinary_text_is_no_address() {
        for text in [
            "I live on the 3rd floor",
            "order 12 items",
            "Der Weg 5 Minuten",
            "Ich bestelle 3 Stück",
            "bestil 2 stk. til Vesterbro",
            "The 12 Days of Christmas",
            "I bought 2 Samsung Galaxy",
            "version 1.2 road map",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn english_addresses_with_units_places_and_postcodes() {
        assert_eq!(
            one("It is 4521 Oak Ridge Drive Apt. 5 now"),
            "4521 Oak Ridge Drive Apt. 5"
        );
        assert_eq!(
            one("Flat 3, 12 High Street, London SW1A 1AA."),
            "Flat 3, 12 High Street, London SW1A 1AA"
        );
        assert_eq!(
            one("new address is 224 Bond Street\n Suite 413\n Warwick\n United States"),
            "224 Bond Street\n Suite 413\n Warwick\n United States"
        );
        assert_eq!(
            one("> 935 Gordon Terrace\n> Toronto\n>, ON\n> 82269"),
            "935 Gordon Terrace\n> Toronto\n>, ON\n> 82269"
        );
        assert_eq!(
            one("Send it to 77 Main St., Springfield, IL 62704-1234, thanks"),
            "77 Main St., Springfield, IL 62704-1234"
        );
        assert_eq!(one("meet at 12 Rue de Tanger tomorrow"), "12 Rue de Tanger");
        assert_eq!(
            one("It's 12 Cyprus Lane, Nicosia\nCyprus (Greek) 51034"),
            "12 Cyprus Lane, Nicosia\nCyprus (Greek) 51034"
        );
    }

    #[test]
    fn streets_without_a_type_need_a_second_number_units_or_place_lines() {
        // A building number before a street written with its own number.
        assert_eq!(
            one("The address is 6750 Koskikatu 25 Apt. 864, Artilleros"),
            "6750 Koskikatu 25 Apt. 864, Artilleros"
        );
        assert_eq!(
            one("Our office: 228 Ringvej 144\nQaqortoq\nGreenland 96817"),
            "228 Ringvej 144\nQaqortoq\nGreenland 96817"
        );
        // Two numbers before a typed street (a building and a house number).
        assert_eq!(one("at 3378 217 Lovers Lane."), "3378 217 Lovers Lane");
        // Without any of that, a number, a capitalised word and a number are no address.
        assert!(found("I bought 2 Samsung Galaxy 5 phones").is_empty());
        assert!(found("We had 3 Sony TV 4 sale").is_empty());
    }

    #[test]
    fn text_without_capitals_needs_a_unit_a_second_number_or_a_postcode() {
        assert_eq!(
            one("3747 3911 fourth avenue suite 112 calgary alberta"),
            "3747 3911 fourth avenue suite 112 calgary alberta"
        );
        assert!(found("i ordered 2 new street lamps").is_empty());
        assert!(found("we need 5 more days").is_empty());
    }

    #[test]
    fn post_office_and_military_boxes() {
        assert_eq!(one("Write to P.O. Box 104, thanks"), "P.O. Box 104");
        assert_eq!(
            one("PO Box 12, Springfield, IL 62701"),
            "PO Box 12, Springfield, IL 62701"
        );
        assert_eq!(
            one("PSC 6293, Box 8158\nAPO AP 04336"),
            "PSC 6293, Box 8158\nAPO AP 04336"
        );
        assert_eq!(
            one("USNS Bergman\nFPO AP 93757"),
            "USNS Bergman\nFPO AP 93757"
        );
        assert_eq!(
            one("Postboks 120, 1001 København K"),
            "Postboks 120, 1001 København K"
        );
        // A box of things is no post office box.
        assert!(found("I got a box 12 days ago").is_empty());
        assert!(found("Box 3 of 5 arrived").is_empty());
    }

    #[test]
    fn postcodes_after_a_postcode_word() {
        assert_eq!(one("my zip code is 35350"), "35350");
        assert_eq!(one("ZIP: 90010-170"), "90010-170");
        assert_eq!(one("postcode SW1A 1AA please"), "SW1A 1AA");
        assert_eq!(one("Mein PLZ ist 10115."), "10115");
        assert_eq!(one("postnummer 2100"), "2100");
        assert!(found("zip file 123 attached").is_empty());
        assert!(found("postcode is wrong").is_empty());
    }

    #[test]
    fn a_flat_before_the_address_is_part_of_it() {
        assert_eq!(
            one("Apt. 675 62314 Mellemvej 32\nAalborg"),
            "Apt. 675 62314 Mellemvej 32\nAalborg"
        );
    }

    #[test]
    fn ordinary_customer_service_text_is_no_address() {
        for text in [
            "order 123 Main menu",
            "Please open 123 Main menu again",
            "I paid 120 EUR on 12 March 2024",
            "I moved to Berlin on 12 March 2024",
            "The meeting is at 10 30 in Room B",
            "We have 2 Apple Watch 3 left",
            "Ich habe 2 Pakete und 3 Briefe bekommen",
            "Jeg har bestilt 3 varer og 2 er defekte",
            "Ik heb 2 pakketten en 3 brieven ontvangen",
            "The 3 Musketeers Way of doing things",
            "Call me at 5 pm, Thanks",
            "my order 4411 costs 49 Dollars",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn house_number_runs_are_not_phone_numbers() {
        let text = "at 62314 Mellemvej 32\nAalborg";
        assert!(is_house_number_run(text, Span::new(3, 8)));
        let text = "Apt. 675 62314";
        assert!(is_house_number_run(text, Span::new(5, 14)));
        let text = "Call 2233 4455 today";
        assert!(!is_house_number_run(text, Span::new(5, 14)));
    }

    #[test]
    fn streets_opened_by_their_type() {
        assert_eq!(one("mieszkam na ul. Cicha 86"), "ul. Cicha 86");
        assert_eq!(one("na Via Nuova del Campo 85 a"), "Via Nuova del Campo 85");
        assert_eq!(one("Rua Diadema 1903."), "Rua Diadema 1903");
        assert_eq!(
            one("at 26 rue des lieutenants Thomazo, Dole"),
            "26 rue des lieutenants Thomazo, Dole"
        );
        assert_eq!(one("at 31 Rue tachkent St. today"), "31 Rue tachkent St");
        // An opener with nothing capitalised after it names no street.
        assert!(found("we go via the 12 exits").is_empty());
    }

    #[test]
    fn a_unit_may_follow_the_house_number_s_dot() {
        assert_eq!(
            one("12521 Belgrád rkp. 18. Apt. 417 Csipkerek"),
            "12521 Belgrád rkp. 18. Apt. 417 Csipkerek"
        );
        // A capitalised word after the dot starts a new sentence.
        assert_eq!(one("at 12 Main St. Tomorrow we"), "12 Main St");
    }

    #[test]
    fn street_corners() {
        assert_eq!(
            one("my new address is the corner of Beiteveien 2 and Sieda Radial"),
            "the corner of Beiteveien 2 and Sieda Radial"
        );
        assert_eq!(
            one("at the corner of 5th Avenue and Main Street."),
            "the corner of 5th Avenue and Main Street"
        );
        assert_eq!(
            one("the corner of heiligengeistbrücke 77 and minik courts"),
            "the corner of heiligengeistbrücke 77 and minik courts"
        );
        assert!(found("the corner of the box is damaged and bent").is_empty());
        assert!(found("the corner of Anna and Peter").is_empty());
    }

    #[test]
    fn name_words_and_a_number_after_address_words() {
        assert_eq!(
            one("He lives on the north side of Joaquin Suarez 2906."),
            "Joaquin Suarez 2906"
        );
        // Without address words, a capitalised word and a number are a product or a date.
        assert!(found("I have an iPhone and a Galaxy 12 here").is_empty());
        assert!(found("We met Tuesday 14 at noon").is_empty());
    }

    #[test]
    fn a_unit_line_among_the_place_lines() {
        assert_eq!(
            one("sent to 1737 Cheriton Dr Hibberdene\n Apt. 724\n Durban\n South Africa 68793"),
            "1737 Cheriton Dr Hibberdene\n Apt. 724\n Durban\n South Africa 68793"
        );
    }

    #[test]
    fn a_country_after_the_postcode_and_city_ends_its_line() {
        for text in [
            "Hauptstraße 5, 10115 Berlin, Deutschland",
            "Keizersgracht 123\n1015 CJ Amsterdam\nNederland",
            "Vesterbrogade 12, 1620 København V, Danmark",
            "ul. Marszałkowska 10, 00-590 Warszawa, Poland",
            "Sveavägen 44, 111 34 Stockholm, Sweden",
        ] {
            assert_eq!(one(&format!("Adresse: {text}.")), text);
        }
        // The capitalised words after a comma may be the next sentence.
        assert_eq!(
            one("Hauptstraße 5, 10115 Berlin, Bitte senden Sie die Rechnung"),
            "Hauptstraße 5, 10115 Berlin"
        );
        assert_eq!(
            one("Vesterbrogade 12, 1620 København V, Tak for hjælpen"),
            "Vesterbrogade 12, 1620 København V"
        );
        assert_eq!(
            one("Kerkstraat 12, 1234 AB Utrecht, Alvast bedankt"),
            "Kerkstraat 12, 1234 AB Utrecht"
        );
    }

    #[test]
    fn countries_of_several_words_canadian_postcodes_and_french_commas() {
        assert_eq!(
            one("The store is at 14 Wall St., New York, NY 10005, United States of America"),
            "14 Wall St., New York, NY 10005, United States of America"
        );
        assert_eq!(
            one("Send to 123 Main St\nToronto, ON M5V 2T6"),
            "123 Main St\nToronto, ON M5V 2T6"
        );
        assert_eq!(
            one("Envoyez-le au 12, rue de la Paix\n75002 Paris"),
            "12, rue de la Paix\n75002 Paris"
        );
        assert!(found("We sold 12, then 14 more").is_empty());
        assert!(found("I live in Brighton of course").is_empty());
    }

    #[test]
    fn text_without_capitals_with_a_street_type_and_a_place() {
        assert_eq!(
            one("meet me at 12 main street, springfield"),
            "12 main street, springfield"
        );
        assert!(found("we need 2 new street signs please").is_empty());
        assert!(found("i bought 3 street lamps, thanks").is_empty());
    }

    #[test]
    fn a_postcode_word_takes_the_code_not_the_next_word() {
        assert_eq!(one("My zip code is 10001 and I live there"), "10001");
        assert_eq!(one("mijn postcode is 1015 CJ en"), "1015 CJ");
        assert_eq!(one("Postleitzahl 10115 und Ort"), "10115");
        assert_eq!(one("postnummer 8000 og by"), "8000");
        assert_eq!(one("postcode SW1A 1AA please"), "SW1A 1AA");
    }

    #[test]
    fn a_street_without_a_type_before_the_number_and_a_flat() {
        assert_eq!(
            one("Send it to Dalmatinova 43 Apt. 678, Velenje, Slovenia 3320"),
            "Dalmatinova 43 Apt. 678, Velenje, Slovenia 3320"
        );
        assert!(found("I bought a Galaxy 12 phone").is_empty());
        assert!(found("Room 12 is free").is_empty());
    }

    #[test]
    fn a_street_without_a_number_after_address_words() {
        assert_eq!(one("I live on Elm Street"), "Elm Street");
        assert_eq!(one("My address: Baker Street, London"), "Baker Street");
        assert_eq!(one("Ich wohne in der Hauptstraße"), "Hauptstraße");
        assert_eq!(one("Jeg bor på Vesterbrogade"), "Vesterbrogade");
        assert_eq!(one("Ik woon aan de Keizersgracht"), "Keizersgracht");
        // Without address words, or without a street type, no street.
        assert!(found("I walked down Wall Street yesterday").is_empty());
        assert!(found("I live on the second floor").is_empty());
        assert!(found("I live in London").is_empty());
        assert!(found("My address is wrong").is_empty());
        assert!(found("Jeg bor på Fyn").is_empty());
        assert!(found("Ich wohne in der Nähe").is_empty());
        assert!(found("Ik woon in Utrecht").is_empty());
    }

    #[test]
    fn nordic_baltic_and_hungarian_street_names() {
        assert_eq!(one("bor på Magasinsgatan 7, tack"), "Magasinsgatan 7");
        assert_eq!(one("Osoite: Koskikatu 25 B"), "Koskikatu 25 B");
        assert_eq!(
            one("Skoanveien 226, 8200 Fauske"),
            "Skoanveien 226, 8200 Fauske"
        );
        assert!(found("Der Artikel 5 ist kaputt, die Lieferung kam am Dienstag").is_empty());
    }

    #[test]
    fn time_and_measure_words_before_a_number_are_no_street() {
        for text in [
            "Im Januar 2013 kam die Rechnung",
            "Im Jahr 1982 war alles anders",
            "Ich habe 12V 20 Watt 10 Grad bestellt",
            "Het pakket kwam na 3 dagen 2 uur te laat",
            "Pakken kom efter 3 dage 2 timer for sent",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn a_place_with_a_us_zip_or_a_british_postcode() {
        assert_eq!(
            one("I moved to Springfield, IL 62704 last year"),
            "Springfield, IL 62704"
        );
        assert_eq!(one("we are in London SW1A 1AA now"), "London SW1A 1AA");
        assert_eq!(
            one("Kansas City MO 64105-1234."),
            "Kansas City MO 64105-1234"
        );
        assert!(found("Order AB 12345 was late").is_empty());
        assert!(found("Please call US 12345 today").is_empty());
    }

    #[test]
    fn a_street_without_a_type_before_a_postcode_and_city() {
        for (text, address) in [
            (
                "Please ship to Augustova 645, 310 81 Přerov.",
                "Augustova 645, 310 81 Přerov",
            ),
            (
                "Pakken skal til Lienmyra 9, 9898 Gulbrandsen.",
                "Lienmyra 9, 9898 Gulbrandsen",
            ),
            (
                "Stuur het naar Krležin gvozd 6a\n7337 Glina",
                "Krležin gvozd 6a\n7337 Glina",
            ),
            (
                "Bitte an Lienmyra 9, 9898 Gulbrandsen senden.",
                "Lienmyra 9, 9898 Gulbrandsen",
            ),
        ] {
            assert_eq!(one(text), address);
        }
        // Prices, chapters and products with a year read the same way, and stay no address.
        for text in [
            "Artikel 5, 2000 Euro",
            "Side 4, 2010 Udgave",
            "Kapitel 3, 1999 Ausgabe",
            "Hoofdstuk 3, 1999 Editie",
            "I run Windows 10, 2024 Edition.",
            "Ich habe 5, 2000 Stück bestellt",
            "Vi fik 12, 2000 Andre fik ingen",
            "We ordered 12, 2000 Extra were sent",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn hungarian_lower_case_types_dotted_numbers_and_country_letters() {
        assert_eq!(
            one("My address is Nagyhídi utca 101., H-8921 Salgótarján"),
            "Nagyhídi utca 101., H-8921 Salgótarján"
        );
        assert_eq!(
            one("Min adresse er Kossuth utca 5, H-1055 Budapest."),
            "Kossuth utca 5, H-1055 Budapest"
        );
        assert_eq!(
            one("Mijn adres: Hauptstraße 5, A-1010 Wien"),
            "Hauptstraße 5, A-1010 Wien"
        );
        assert_eq!(
            one("Neue Adresse: Bahnhofstrasse 12, CH-8001 Zürich"),
            "Bahnhofstrasse 12, CH-8001 Zürich"
        );
        // A type glued to a lower-case word is an ordinary word, and a type alone is none.
        assert!(found("wir haben 5 utca 3 mal").is_empty());
        assert!(found("the gade 5 was closed").is_empty());
        assert!(found("Kossuth utca is long").is_empty());
    }

    #[test]
    fn a_comma_between_an_opened_street_and_its_number() {
        assert_eq!(
            one("Spedire a Vicolo Argurio, 36, Formigine"),
            "Vicolo Argurio, 36, Formigine"
        );
        assert_eq!(
            one("Send it to Rua Brito, 89\n5953-369 Lisboa"),
            "Rua Brito, 89\n5953-369 Lisboa"
        );
        assert_eq!(one("Adresse: Via Roma, 12."), "Via Roma, 12");
        // Without a place after it, the number must end its clause.
        for text in [
            "I found it via Twitter, 36 people wrote about it",
            "Via Twitter, 36 Leute haben geschrieben",
            "Via Facebook, 12 mensen reageerden",
            "Via Facebook, 12 personer svarede",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn a_number_word_a_slashed_flat_and_romance_flat_words() {
        assert_eq!(
            one("Bitte an Hauptstraße Nr. 5, 10115 Berlin"),
            "Hauptstraße Nr. 5, 10115 Berlin"
        );
        assert_eq!(
            one("Kirim ke Gang Merdeka No. 728, Depok"),
            "Gang Merdeka No. 728, Depok"
        );
        assert_eq!(
            one("Neue Adresse: Urbanweg 3/1, 1576 Gerasdorf"),
            "Urbanweg 3/1, 1576 Gerasdorf"
        );
        assert_eq!(one("Adres: ul. Wolności 81/42"), "ul. Wolności 81/42");
        assert_eq!(
            one("Ship to 03/181 Clark Nook, Mariabury, QLD, 2902"),
            "03/181 Clark Nook, Mariabury, QLD, 2902"
        );
        assert_eq!(
            one("Envíe a Calle Gisela Vicens 4 Puerta 8"),
            "Calle Gisela Vicens 4 Puerta 8"
        );
        for text in [
            "Order No. 728 is late",
            "Bestellung Nr. 5 kam nicht",
            "Ordre nr. 728 er forsinket",
            "Bestelling nr. 728 is te laat",
            "on 12/05 we called",
            "Am 12/05 rief ich an",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn a_flat_line_before_a_street_without_a_number() {
        assert_eq!(
            one("Please ship to:\nFlat 51\nRoy Village\nVictorhaven\nL8S 1US"),
            "Flat 51\nRoy Village\nVictorhaven\nL8S 1US"
        );
        assert_eq!(
            one("Studio 6, Dominic Dale, New Lewisshire"),
            "Studio 6, Dominic Dale, New Lewisshire"
        );
        for text in [
            "Flat 3, nice view",
            "Suite 5, Thanks again",
            "Lejlighed 3, Tak for hjælpen",
            "Wohnung 3, Danke",
            "Appartement 3, Bedankt",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn a_corner_with_an_abbreviated_opener() {
        assert_eq!(
            one("the corner of ul. Cicha 86 and Leokadia Trail?"),
            "the corner of ul. Cicha 86 and Leokadia Trail"
        );
    }

    #[test]
    fn initials_czech_prepositions_and_lower_case_finnish_types() {
        for (text, address) in [
            (
                "The bus station is on C. Beerninckstraat 88",
                "C. Beerninckstraat 88",
            ),
            (
                "Het station ligt aan de J.F. Kennedylaan 3",
                "J.F. Kennedylaan 3",
            ),
            ("Vi bor på H.C. Ørstedsvej 7", "H.C. Ørstedsvej 7"),
            ("Wir wohnen in der Pod Floriánem 1677", "Pod Floriánem 1677"),
            ("Please ship to Nad Rohatci 77.", "Nad Rohatci 77"),
            (
                "Send it to Capellan puistopolku 553",
                "Capellan puistopolku 553",
            ),
            ("Levér til Furutorget 988, Lund", "Furutorget 988, Lund"),
            ("Stuur het naar Bartlei 3", "Bartlei 3"),
        ] {
            assert_eq!(one(text), address);
        }
        for text in [
            "A. 5 items were missing",
            "Plan B. 3 times",
            "Pod 5 is broken",
            "Na 3 dagen kwam het pakket",
            "U 2 concert tickets",
            "Die puistopolku 5 mal",
            "ich habe 5 polku 3 mal",
            "Oranienburg alle 20 Minuten",
            "300 Meter vom Strand",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn particles_inside_a_place_and_leading_zeros_with_a_flat_or_place() {
        assert_eq!(
            one("Meet at 641 Main Street, Turkovice u Prelouce, Czech Republic 33156"),
            "641 Main Street, Turkovice u Prelouce, Czech Republic 33156"
        );
        assert_eq!(
            one("Ship to 006 Hendricks Ferry Apt. 881\nDonaldtown, MO 57741"),
            "006 Hendricks Ferry Apt. 881\nDonaldtown, MO 57741"
        );
        // A clause word is no particle, and a leading zero alone makes no house number.
        assert_eq!(
            one("I live at 12 Main Street, Springfield and the weather is nice"),
            "12 Main Street, Springfield"
        );
        for text in [
            "Call 0800 Customer Service Road now",
            "Ring 0800 Kunde Service",
            "Bel 0900 Klanten Service",
            "Ring 070 Kunde Service",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn irish_eircodes_after_the_street() {
        assert_eq!(
            one("My address is 12 Main Street, Dublin D02 X285"),
            "12 Main Street, Dublin D02 X285"
        );
        assert_eq!(
            one("Mijn adres: 06 Giles Street P81F2AW Cara Ville"),
            "06 Giles Street P81F2AW Cara Ville"
        );
        // A code alone, after no street, is no address.
        for text in [
            "the code is D02 X285 ok",
            "Koden er D02 X285",
            "Der Code ist D02 X285",
            "De code is D02 X285",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
