//! The searchable knowledge base: one in-RAM tantivy index per language.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};

use candor_core::Lang;
use sha2::{Digest, Sha256};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analysis::{analyse, analyzer, strip_pseudonyms, tokenizer_name};
use crate::{Article, KbError};

/// Field boosts: a word in the title or the keywords says more about the topic than one in
/// the body.
const TITLE_BOOST: f32 = 2.0;
const KEYWORDS_BOOST: f32 = 1.5;
/// Distinct query terms beyond this are ignored, so a 10 KB paste costs what a long
/// question costs.
const MAX_QUERY_TERMS: usize = 32;
/// How much a query term found only by typo correction or compound splitting counts,
/// relative to one found as typed; both in the query's scores and in coverage.
const CORRECTED_CREDIT: f32 = 0.75;
const COMPOUND_CREDIT: f32 = 0.9;
/// Articles fetched from tantivy for re-ranking by coverage, at least.
const CANDIDATES: usize = 20;
/// The smallest writer arena tantivy accepts; the knowledge base is small.
const WRITER_BYTES: usize = 15_000_000;

/// A knowledge base: articles in any number of languages, searchable per language.
///
/// Cloning is not offered: the indexes live in RAM and are rebuilt from the articles.
pub struct KnowledgeBase {
    langs: BTreeMap<Lang, LangIndex>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The article's id.
    pub id: String,
    /// The article's language (the one searched).
    pub lang: Lang,
    /// The article's version.
    pub version: u32,
    /// The article's title.
    pub title: String,
    /// tantivy's BM25 score with field boosts; unbounded, only comparable within one query.
    pub score: f32,
    /// How sure the knowledge base is that this article answers the query, in `[0, 1]`:
    /// coverage × (0.5 + 0.5 × margin), see `docs/specs/kb.md`.
    pub confidence: f32,
    /// The query's own words (lower-cased, as typed) that this article matched, including
    /// ones matched after typo correction or compound splitting.
    pub matched_terms: Vec<String>,
}

struct Fields {
    id: Field,
    title: Field,
    keywords: Field,
    body: Field,
}

struct LangIndex {
    lang: Lang,
    articles: BTreeMap<String, Article>,
    /// Analysed terms of each article (all fields), for coverage and document frequency.
    terms: HashMap<String, HashSet<String>>,
    /// In how many articles each term occurs.
    df: HashMap<String, u32>,
    analyzer: TextAnalyzer,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

/// A candidate article for a query, before it becomes a [`Hit`].
struct Ranked<'a> {
    key: f32,
    score: f32,
    coverage: f32,
    article: &'a Article,
    matched_terms: Vec<String>,
}

/// A query term as the customer typed it and what it resolved to in this language's
/// vocabulary.
struct QueryTerm {
    surface: String,
    /// Vocabulary terms it stands for: one, or two for a split compound, none if unknown.
    resolved: Vec<String>,
    credit: f32,
    /// Its share of the query's information: the idf of the term (of the rarer piece).
    weight: f32,
}

impl KnowledgeBase {
    /// Indexes `articles`.
    ///
    /// # Errors
    ///
    /// [`KbError::Duplicate`] if two articles share an `(id, lang)`, or [`KbError::Index`]
    /// if tantivy fails.
    pub fn new(articles: Vec<Article>) -> Result<KnowledgeBase, KbError> {
        let mut by_lang: BTreeMap<Lang, Vec<Article>> = BTreeMap::new();
        for article in articles {
            by_lang.entry(article.lang).or_default().push(article);
        }
        let mut langs = BTreeMap::new();
        for (lang, articles) in by_lang {
            let mut index = LangIndex::new(lang)?;
            let mut writer = index.writer()?;
            for article in articles {
                if index.articles.contains_key(&article.id) {
                    return Err(KbError::Duplicate {
                        id: article.id,
                        lang,
                    });
                }
                index.add_document(&mut writer, &article)?;
                index.remember(article);
            }
            index.commit(writer)?;
            langs.insert(lang, index);
        }
        Ok(KnowledgeBase { langs })
    }

    /// Adds `article`, or replaces the one with the same `(id, lang)`.
    ///
    /// # Errors
    ///
    /// [`KbError::StaleVersion`] if a held article's version is not lower than the new one's
    /// (the knowledge base is left unchanged), or [`KbError::Index`] if tantivy fails.
    pub fn upsert(&mut self, article: Article) -> Result<(), KbError> {
        if let Some(held) = self.get(&article.id, article.lang)
            && held.version >= article.version
        {
            return Err(KbError::StaleVersion {
                id: article.id,
                lang: article.lang,
                held: held.version,
                offered: article.version,
            });
        }
        let index = match self.langs.entry(article.lang) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(LangIndex::new(article.lang)?),
        };
        // The index changes first: if tantivy fails, the uncommitted writer is dropped and
        // both the index and the article maps still hold the old article.
        let mut writer = index.writer()?;
        writer.delete_term(Term::from_field_text(index.fields.id, &article.id));
        index.add_document(&mut writer, &article)?;
        index.commit(writer)?;
        index.forget(&article.id);
        index.remember(article);
        Ok(())
    }

    /// The article `id` in `lang`, if there is one.
    pub fn get(&self, id: &str, lang: Lang) -> Option<&Article> {
        self.langs.get(&lang)?.articles.get(id)
    }

    /// Every article, by language then id.
    pub fn articles(&self) -> impl Iterator<Item = &Article> {
        self.langs.values().flat_map(|l| l.articles.values())
    }

    /// `"sha256:"` and the first 16 hex digits of SHA-256 over the sorted `(id, lang, version)`
    /// of every article; any added, removed or re-versioned article changes it.
    pub fn version(&self) -> String {
        let mut keys: Vec<(&str, &str, u32)> = self
            .articles()
            .map(|a| (a.id.as_str(), a.lang.code(), a.version))
            .collect();
        keys.sort_unstable();
        let mut hasher = Sha256::new();
        for (id, lang, version) in keys {
            // The length prefix keeps the encoding unambiguous even for an id built in code
            // (not parsed) that contains a tab or newline.
            hasher.update(format!("{}:{id}\t{lang}\t{version}\n", id.len()).as_bytes());
        }
        let digest = hasher.finalize();
        format!("sha256:{}", &hex::encode(digest)[..16])
    }

    /// The articles in `lang` that best match `query`, best first, at most `limit`.
    ///
    /// "Best" is BM25 weighted by coverage (see `docs/specs/kb.md`), so `score` need not
    /// decrease along the list; only the first hit's `confidence` carries a margin.
    ///
    /// Pseudonym tokens (`<ORDER_1>`) and punctuation are ignored, query syntax has no
    /// meaning (the query is analysed into terms, never parsed), and a query with nothing
    /// searchable in it returns no hits. Never panics, whatever the input.
    pub fn search(&self, query: &str, lang: Lang, limit: usize) -> Vec<Hit> {
        let Some(index) = self.langs.get(&lang) else {
            return Vec::new();
        };
        if limit == 0 || index.articles.is_empty() {
            return Vec::new();
        }
        // tantivy errors here could only come from a corrupt in-RAM index; a search that
        // cannot run has no answer, which the caller already handles.
        index.search(query, limit).unwrap_or_default()
    }
}

impl LangIndex {
    fn new(lang: Lang) -> Result<LangIndex, KbError> {
        let tokenizer = tokenizer_name(lang);
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(&tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let mut schema = Schema::builder();
        let fields = Fields {
            id: schema.add_text_field("id", STRING | STORED),
            title: schema.add_text_field("title", text.clone()),
            keywords: schema.add_text_field("keywords", text.clone()),
            body: schema.add_text_field("body", text),
        };
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(&tokenizer, analyzer(lang));
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(LangIndex {
            lang,
            articles: BTreeMap::new(),
            terms: HashMap::new(),
            df: HashMap::new(),
            analyzer: analyzer(lang),
            index,
            reader,
            fields,
        })
    }

    fn writer(&self) -> Result<IndexWriter, KbError> {
        Ok(self.index.writer_with_num_threads(1, WRITER_BYTES)?)
    }

    fn commit(&mut self, mut writer: IndexWriter) -> Result<(), KbError> {
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    fn add_document(&self, writer: &mut IndexWriter, article: &Article) -> Result<(), KbError> {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.fields.id, &article.id);
        doc.add_text(self.fields.title, &article.title);
        doc.add_text(self.fields.keywords, article.keywords.join("\n"));
        doc.add_text(self.fields.body, &article.body);
        writer.add_document(doc)?;
        Ok(())
    }

    /// Records the article and its terms; its document must already be in the index.
    fn remember(&mut self, article: Article) {
        let text = format!(
            "{}\n{}\n{}",
            article.title,
            article.keywords.join("\n"),
            article.body
        );
        let terms: HashSet<String> = analyse(&mut self.analyzer, &text)
            .into_iter()
            .map(|a| a.term)
            .collect();
        for term in &terms {
            *self.df.entry(term.clone()).or_default() += 1;
        }
        self.terms.insert(article.id.clone(), terms);
        self.articles.insert(article.id.clone(), article);
    }

    /// Drops an article and its terms from the maps; the index is the caller's business.
    fn forget(&mut self, id: &str) {
        self.articles.remove(id);
        for term in self.terms.remove(id).into_iter().flatten() {
            if let Some(n) = self.df.get_mut(&term) {
                *n -= 1;
                if *n == 0 {
                    self.df.remove(&term);
                }
            }
        }
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, KbError> {
        let terms = self.query_terms(query);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for qt in &terms {
            for term in &qt.resolved {
                for (field, boost) in [
                    (self.fields.title, TITLE_BOOST),
                    (self.fields.keywords, KEYWORDS_BOOST),
                    (self.fields.body, 1.0),
                ] {
                    let tq = TermQuery::new(
                        Term::from_field_text(field, term),
                        IndexRecordOption::WithFreqs,
                    );
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(tq), boost * qt.credit)),
                    ));
                }
            }
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let candidates = limit
            .saturating_add(1)
            .max(CANDIDATES)
            .min(self.articles.len());
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(candidates.max(1)).order_by_score(),
        )?;
        let total: f32 = terms.iter().map(|t| t.weight).sum();
        let mut ranked = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let id = doc.get_first(self.fields.id).and_then(|v| v.as_str());
            let Some(article) = id.and_then(|id| self.articles.get(id)) else {
                continue;
            };
            let doc_terms = &self.terms[&article.id];
            let mut covered = 0.0;
            let mut matched_terms = Vec::new();
            for qt in &terms {
                let found = qt
                    .resolved
                    .iter()
                    .filter(|t| doc_terms.contains(*t))
                    .count();
                if found > 0 {
                    covered += qt.weight * qt.credit * found as f32 / qt.resolved.len() as f32;
                    matched_terms.push(qt.surface.clone());
                }
            }
            let coverage = if total > 0.0 { covered / total } else { 0.0 };
            ranked.push(Ranked {
                key: score * coverage,
                score,
                coverage,
                article,
                matched_terms,
            });
        }
        // BM25 rewards repeating one word; weighting it by coverage (an idf-weighted form of
        // Lucene's old coordination factor) prefers the article that explains all of the
        // question's rare words over one that mentions its most common word often.
        ranked.sort_by(|a, b| {
            b.key
                .total_cmp(&a.key)
                .then(b.score.total_cmp(&a.score))
                .then(a.article.id.cmp(&b.article.id))
        });
        let best = ranked.first().map_or(0.0, |r| r.key);
        let runner_up = ranked.get(1).map_or(0.0, |r| r.key);
        let mut hits = Vec::with_capacity(limit.min(ranked.len()));
        for (rank, r) in ranked.into_iter().enumerate().take(limit) {
            // The margin is over the best other article: the runner-up for the top hit,
            // the top hit for every other, whose margin is therefore 0.
            let other = if rank == 0 { runner_up } else { best };
            let margin = if r.key > 0.0 {
                ((r.key - other) / r.key).clamp(0.0, 1.0)
            } else {
                0.0
            };
            hits.push(Hit {
                id: r.article.id.clone(),
                lang: self.lang,
                version: r.article.version,
                title: r.article.title.clone(),
                score: r.score,
                confidence: (r.coverage * (0.5 + 0.5 * margin)).clamp(0.0, 1.0),
                matched_terms: r.matched_terms,
            });
        }
        Ok(hits)
    }

    /// Analyses the query and resolves each distinct term against the vocabulary: as typed,
    /// else the nearest term within a small edit distance (typos), else as two known terms
    /// (an unseen compound such as `Rechnungskopie`), else unknown.
    fn query_terms(&self, query: &str) -> Vec<QueryTerm> {
        let cleaned = strip_pseudonyms(query);
        let mut analyzer = self.analyzer.clone();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for token in analyse(&mut analyzer, &cleaned) {
            if out.len() == MAX_QUERY_TERMS {
                break;
            }
            if !seen.insert(token.term.clone()) {
                continue;
            }
            let surface = cleaned[token.from..token.to].to_lowercase();
            let (resolved, credit) = if self.df.contains_key(&token.term) {
                (vec![token.term.clone()], 1.0)
            } else if let Some(near) = self.nearest(&token.term) {
                (vec![near], CORRECTED_CREDIT)
            } else if let Some(parts) = self.split_compound(&mut analyzer, &surface) {
                (parts, COMPOUND_CREDIT)
            } else {
                (Vec::new(), 1.0)
            };
            let weight = if resolved.is_empty() {
                self.idf(0)
            } else {
                resolved
                    .iter()
                    .map(|t| self.idf(self.df.get(t).copied().unwrap_or(0)))
                    .fold(0.0, f32::max)
            };
            out.push(QueryTerm {
                surface,
                resolved,
                credit,
                weight,
            });
        }
        out
    }

    /// BM25's idf over this language's articles.
    fn idf(&self, df: u32) -> f32 {
        let n = self.articles.len() as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// The most frequent vocabulary term within edit distance 1 (2 for terms of 8 or more
    /// characters) that starts with the same letter; typos rarely hit the first one, and
    /// requiring it halves the false corrections.
    fn nearest(&self, term: &str) -> Option<String> {
        let len = term.chars().count();
        if len < 4 {
            return None;
        }
        let max = if len >= 8 { 2 } else { 1 };
        let first = term.chars().next();
        self.df
            .iter()
            .filter(|(t, _)| t.chars().next() == first)
            .filter_map(|(t, &df)| edit_distance(term, t, max).map(|d| (d, df, t)))
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)))
            .map(|(_, _, t)| t.clone())
    }

    /// Splits an unknown word into two known terms, preferring the longest first part.
    fn split_compound(&self, analyzer: &mut TextAnalyzer, word: &str) -> Option<Vec<String>> {
        let bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
        let known = |analyzer: &mut TextAnalyzer, piece: &str| {
            let terms = analyse(analyzer, piece);
            match &terms[..] {
                [one] if self.df.contains_key(&one.term) => Some(one.term.clone()),
                _ => None,
            }
        };
        for &at in bounds.iter().rev() {
            let (left, right) = word.split_at(at);
            if left.chars().count() < 3 || right.chars().count() < 3 {
                continue;
            }
            let Some(r) = known(analyzer, right) else {
                continue;
            };
            // Compounds join with a linking `s` (German `Rechnungs-`, Dutch `bestellings-`).
            let l = known(analyzer, left)
                .or_else(|| left.strip_suffix('s').and_then(|l| known(analyzer, l)));
            if let Some(l) = l {
                return Some(vec![l, r]);
            }
        }
        None
    }
}

/// Edit distance between `a` and `b` counting a swap of two neighbouring letters as one edit
/// (optimal string alignment), if it is at most `max`; swaps are among the commonest typos.
fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    // Three rows: two back for transpositions, one back, and the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for i in 0..a.len() {
        row[0] = i + 1;
        for j in 0..b.len() {
            let mut d = (prev[j] + usize::from(a[i] != b[j]))
                .min(prev[j + 1] + 1)
                .min(row[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                d = d.min(before[j - 1] + 1);
            }
            row[j + 1] = d;
        }
        if row.iter().min().is_some_and(|&m| m > max) {
            return None;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_is_bounded() {
        assert_eq!(edit_distance("passwrd", "password", 1), Some(1));
        assert_eq!(edit_distance("pasword", "password", 2), Some(1));
        assert_eq!(edit_distance("kitten", "sitting", 2), None);
        assert_eq!(edit_distance("kitten", "sitting", 3), Some(3));
        assert_eq!(edit_distance("æøå", "aoa", 3), Some(3));
        assert_eq!(edit_distance("invioc", "invoic", 1), Some(1));
        assert_eq!(edit_distance("ab", "ba", 1), Some(1));
    }
}
