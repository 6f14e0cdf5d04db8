//! The article format: TOML front matter between `+++` lines, then a Markdown body.

use std::fmt;
use std::path::{Path, PathBuf};

use candor_core::Lang;

use crate::KbError;

/// One knowledge-base article in one language.
///
/// The same `id` in several languages is the same article translated; `(id, lang)` is the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Stable identifier shared by all translations: lowercase ASCII letters, digits, `-`, `_`.
    pub id: String,
    /// The language this text is written in.
    pub lang: Lang,
    /// Positive edit counter; a replacement must carry a greater one.
    pub version: u32,
    /// The article's title, as a customer would phrase the topic.
    pub title: String,
    /// Labels of the shipped intent model that this article answers (may be empty).
    pub intents: Vec<String>,
    /// Extra search terms that do not appear in the text (synonyms, colloquial words).
    pub keywords: Vec<String>,
    /// The answer, in Markdown, without leading or trailing blank lines.
    pub body: String,
}

/// One thing wrong with an article's text; [`KbError::Invalid`] lists all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArticleProblem {
    /// The text does not open with a `+++` line.
    NoFrontMatter,
    /// The opening `+++` line has no closing `+++` line.
    UnclosedFrontMatter,
    /// The front matter is not valid TOML.
    Toml(String),
    /// A required key is absent.
    MissingKey(&'static str),
    /// A key this format does not define (often a typo of one it does).
    UnknownKey(String),
    /// A key holds a value of the wrong type.
    WrongType {
        /// The key.
        key: &'static str,
        /// What it must hold.
        expected: &'static str,
    },
    /// `id` is empty or has characters other than lowercase ASCII letters, digits, `-`, `_`.
    BadId(String),
    /// `lang` is not an ISO 639-1 code.
    BadLang(String),
    /// `version` is zero, negative or larger than `u32::MAX`.
    BadVersion(i64),
    /// `title` is empty or only whitespace.
    EmptyTitle,
    /// An intent label is not lowercase ASCII letters, digits and `_`.
    BadIntent(String),
    /// A keyword is empty or only whitespace.
    EmptyKeyword,
    /// The body after the front matter is empty or only whitespace.
    EmptyBody,
}

impl fmt::Display for ArticleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoFrontMatter => f.write_str("the text must start with a `+++` line"),
            Self::UnclosedFrontMatter => f.write_str("the front matter has no closing `+++` line"),
            Self::Toml(e) => write!(f, "front matter is not valid TOML: {e}"),
            Self::MissingKey(k) => write!(f, "missing key `{k}`"),
            Self::UnknownKey(k) => write!(f, "unknown key `{k}`"),
            Self::WrongType { key, expected } => write!(f, "`{key}` must be {expected}"),
            Self::BadId(id) => write!(
                f,
                "id `{id}` must be non-empty lowercase ASCII letters, digits, `-` or `_`"
            ),
            Self::BadLang(l) => write!(f, "lang `{l}` is not an ISO 639-1 code (e.g. `da`)"),
            Self::BadVersion(v) => write!(f, "version {v} must be a positive 32-bit integer"),
            Self::EmptyTitle => f.write_str("title is empty"),
            Self::BadIntent(i) => write!(
                f,
                "intent `{i}` must be lowercase ASCII letters, digits or `_`"
            ),
            Self::EmptyKeyword => f.write_str("keywords contains an empty string"),
            Self::EmptyBody => f.write_str("the body is empty"),
        }
    }
}

const KEYS: [&str; 6] = ["id", "lang", "version", "title", "intents", "keywords"];

impl Article {
    /// Parses an article: a `+++` front matter block, then the Markdown body.
    ///
    /// # Errors
    ///
    /// [`KbError::Invalid`] listing every problem found, not only the first.
    pub fn parse(text: &str) -> Result<Article, KbError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (front, body) = split_front_matter(text).map_err(|p| KbError::Invalid(vec![p]))?;
        let table: toml::Table = front.parse().map_err(|e: toml::de::Error| {
            KbError::Invalid(vec![ArticleProblem::Toml(e.message().to_owned())])
        })?;

        let mut problems = Vec::new();
        for key in table.keys() {
            if !KEYS.contains(&key.as_str()) {
                problems.push(ArticleProblem::UnknownKey(key.clone()));
            }
        }
        let id = required_str(&table, "id", &mut problems);
        if let Some(id) = &id
            && !is_slug(id, true)
        {
            problems.push(ArticleProblem::BadId(id.clone()));
        }
        let lang = required_str(&table, "lang", &mut problems).and_then(|l| match l.parse() {
            Ok(lang) => Some(lang),
            Err(_) => {
                problems.push(ArticleProblem::BadLang(l));
                None
            }
        });
        let version = match table.get("version") {
            None => {
                problems.push(ArticleProblem::MissingKey("version"));
                None
            }
            Some(toml::Value::Integer(v)) => match u32::try_from(*v) {
                Ok(v) if v > 0 => Some(v),
                _ => {
                    problems.push(ArticleProblem::BadVersion(*v));
                    None
                }
            },
            Some(_) => {
                problems.push(ArticleProblem::WrongType {
                    key: "version",
                    expected: "an integer",
                });
                None
            }
        };
        let title = required_str(&table, "title", &mut problems);
        if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
            problems.push(ArticleProblem::EmptyTitle);
        }
        let intents = match table.get("intents") {
            None => {
                problems.push(ArticleProblem::MissingKey("intents"));
                None
            }
            Some(v) => string_array(v, "intents", &mut problems),
        };
        for intent in intents.iter().flatten() {
            if !is_slug(intent, false) {
                problems.push(ArticleProblem::BadIntent(intent.clone()));
            }
        }
        let keywords = match table.get("keywords") {
            None => Some(Vec::new()),
            Some(v) => string_array(v, "keywords", &mut problems),
        };
        if keywords.iter().flatten().any(|k| k.trim().is_empty()) {
            problems.push(ArticleProblem::EmptyKeyword);
        }
        let body = body
            .trim_matches(|c: char| c == '\n' || c == '\r')
            .trim_end();
        if body.trim().is_empty() {
            problems.push(ArticleProblem::EmptyBody);
        }

        match (id, lang, version, title, intents, keywords) {
            (Some(id), Some(lang), Some(version), Some(title), Some(intents), Some(keywords))
                if problems.is_empty() =>
            {
                Ok(Article {
                    id,
                    lang,
                    version,
                    title,
                    intents,
                    keywords,
                    body: body.to_owned(),
                })
            }
            _ => Err(KbError::Invalid(problems)),
        }
    }

    /// Writes the article in the format [`Article::parse`] reads.
    ///
    /// `Article::parse(&a.to_markdown())` gives `a` back for every article `parse` produced.
    pub fn to_markdown(&self) -> String {
        let strings = |items: &[String]| {
            let quoted: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
            format!("[{}]", quoted.join(", "))
        };
        format!(
            "+++\nid = {}\nlang = {}\nversion = {}\ntitle = {}\nintents = {}\nkeywords = {}\n+++\n{}\n",
            toml_string(&self.id),
            toml_string(self.lang.code()),
            self.version,
            toml_string(&self.title),
            strings(&self.intents),
            strings(&self.keywords),
            self.body
        )
    }

    /// The body as plain text a chat bot can send; see [`crate::markdown_to_text`].
    pub fn answer_text(&self) -> String {
        crate::plain::markdown_to_text(&self.body)
    }
}

/// Reads every `*.md` file under `dir`, recursively, in path order.
///
/// Entries whose names start with `.` are skipped, and symbolic links are not followed,
/// so a checkout's `.git` or a link cycle cannot be read as articles.
///
/// # Errors
///
/// [`KbError::Io`] for a directory or file that cannot be read, and [`KbError::File`]
/// naming the file for an article that does not parse.
pub fn load_dir(dir: &Path) -> Result<Vec<Article>, KbError> {
    let mut files = Vec::new();
    collect_md(dir, &mut files)?;
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|source| KbError::Io {
                path: path.clone(),
                source,
            })?;
            Article::parse(&text).map_err(|e| KbError::File {
                path,
                source: Box::new(e),
            })
        })
        .collect()
}

fn collect_md(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), KbError> {
    let io = |source| KbError::Io {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().map_err(io)?;
        if kind.is_dir() {
            collect_md(&path, files)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    Ok(())
}

/// Splits `+++\n<front>\n+++\n<body>`; the delimiter lines may carry trailing spaces or `\r`.
fn split_front_matter(text: &str) -> Result<(&str, &str), ArticleProblem> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or(ArticleProblem::NoFrontMatter)?;
    if first.trim_end() != "+++" {
        return Err(ArticleProblem::NoFrontMatter);
    }
    let start = first.len();
    let mut pos = start;
    for line in lines {
        if line.trim_end() == "+++" {
            return Ok((&text[start..pos], &text[pos + line.len()..]));
        }
        pos += line.len();
    }
    Err(ArticleProblem::UnclosedFrontMatter)
}

fn required_str(
    table: &toml::Table,
    key: &'static str,
    problems: &mut Vec<ArticleProblem>,
) -> Option<String> {
    match table.get(key) {
        None => {
            problems.push(ArticleProblem::MissingKey(key));
            None
        }
        Some(toml::Value::String(s)) => Some(s.clone()),
        Some(_) => {
            problems.push(ArticleProblem::WrongType {
                key,
                expected: "a string",
            });
            None
        }
    }
}

fn string_array(
    value: &toml::Value,
    key: &'static str,
    problems: &mut Vec<ArticleProblem>,
) -> Option<Vec<String>> {
    let strings: Option<Vec<String>> = value
        .as_array()
        .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect());
    if strings.is_none() {
        problems.push(ArticleProblem::WrongType {
            key,
            expected: "an array of strings",
        });
    }
    strings
}

/// Ids may contain `-`; intent labels (the intent model's) use only `_`.
fn is_slug(s: &str, allow_dash: bool) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || (allow_dash && b == b'-')
        })
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nid = \"password-reset\"\nlang = \"en\"\nversion = 3\ntitle = \"Resetting your password\"\nintents = [\"recover_password\"]\nkeywords = [\"password\", \"log in\"]\n+++\n\nUse **Forgot password?** on the [login page](https://example.com/login).\n";

    fn problems(text: &str) -> Vec<ArticleProblem> {
        match Article::parse(text) {
            Err(KbError::Invalid(p)) => p,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn parses_every_key() {
        let a = Article::parse(GOOD).unwrap();
        assert_eq!(a.id, "password-reset");
        assert_eq!(a.lang, Lang::EN);
        assert_eq!(a.version, 3);
        assert_eq!(a.title, "Resetting your password");
        assert_eq!(a.intents, ["recover_password"]);
        assert_eq!(a.keywords, ["password", "log in"]);
        assert!(a.body.starts_with("Use **Forgot"));
        assert!(a.body.ends_with("login)."));
    }

    #[test]
    fn round_trips() {
        let a = Article::parse(GOOD).unwrap();
        assert_eq!(Article::parse(&a.to_markdown()).unwrap(), a);
        let tricky = Article {
            title: "Quotes \" and \\ back\nslash".into(),
            keywords: vec![],
            intents: vec![],
            body: "+++\nnot front matter\n\n- list".into(),
            ..a
        };
        assert_eq!(Article::parse(&tricky.to_markdown()).unwrap(), tricky);
    }

    #[test]
    fn keywords_are_optional_and_crlf_is_accepted() {
        let text = GOOD
            .replace("keywords = [\"password\", \"log in\"]\n", "")
            .replace('\n', "\r\n");
        let a = Article::parse(&text).unwrap();
        assert!(a.keywords.is_empty());
        assert_eq!(
            a.body,
            "Use **Forgot password?** on the [login page](https://example.com/login)."
        );
    }

    #[test]
    fn names_every_problem_at_once() {
        let text = "+++\nid = \"Bad Id\"\nlang = \"english\"\nversion = 0\ntitle = \" \"\nintents = [\"Recover-Password\"]\nkeywords = [\"\"]\nauthor = \"me\"\n+++\n \n";
        let p = problems(text);
        assert!(p.contains(&ArticleProblem::UnknownKey("author".into())));
        assert!(p.contains(&ArticleProblem::BadId("Bad Id".into())));
        assert!(p.contains(&ArticleProblem::BadLang("english".into())));
        assert!(p.contains(&ArticleProblem::BadVersion(0)));
        assert!(p.contains(&ArticleProblem::EmptyTitle));
        assert!(p.contains(&ArticleProblem::BadIntent("Recover-Password".into())));
        assert!(p.contains(&ArticleProblem::EmptyKeyword));
        assert!(p.contains(&ArticleProblem::EmptyBody));
        assert_eq!(p.len(), 8, "{p:?}");
    }

    #[test]
    fn names_missing_keys_and_wrong_types() {
        let p = problems("+++\nversion = \"3\"\nintents = \"x\"\n+++\nbody\n");
        for key in ["id", "lang", "title"] {
            assert!(p.contains(&ArticleProblem::MissingKey(key)), "{key}: {p:?}");
        }
        assert!(p.contains(&ArticleProblem::WrongType {
            key: "version",
            expected: "an integer"
        }));
        assert!(p.contains(&ArticleProblem::WrongType {
            key: "intents",
            expected: "an array of strings"
        }));
        let p = problems("+++\nid = \"a\"\nlang = \"en\"\ntitle = \"t\"\n+++\nbody\n");
        assert_eq!(
            p,
            [
                ArticleProblem::MissingKey("version"),
                ArticleProblem::MissingKey("intents")
            ]
        );
    }

    #[test]
    fn rejects_bad_framing() {
        assert_eq!(problems("no front matter"), [ArticleProblem::NoFrontMatter]);
        assert_eq!(problems(""), [ArticleProblem::NoFrontMatter]);
        assert_eq!(
            problems("+++\nid = \"a\"\n"),
            [ArticleProblem::UnclosedFrontMatter]
        );
        assert!(matches!(
            problems("+++\nid = \n+++\nbody")[..],
            [ArticleProblem::Toml(_)]
        ));
        assert_eq!(
            problems(&GOOD.replace("3", "-1")),
            [ArticleProblem::BadVersion(-1)]
        );
        assert_eq!(
            problems(&GOOD.replace("3", "4294967296")),
            [ArticleProblem::BadVersion(4_294_967_296)]
        );
    }

    #[test]
    fn errors_display_the_problem() {
        let e = Article::parse(&GOOD.replace("version = 3", "version = 0")).unwrap_err();
        assert!(e.to_string().contains("version 0"), "{e}");
    }

    #[test]
    fn load_dir_names_the_bad_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("en/sub")).unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join("en/a.md"), GOOD).unwrap();
        std::fs::write(dir.path().join("en/notes.txt"), "ignored").unwrap();
        std::fs::write(dir.path().join(".git/x.md"), "ignored").unwrap();
        let b = GOOD.replace("password-reset", "b");
        std::fs::write(dir.path().join("en/sub/b.md"), &b).unwrap();
        let ids: Vec<String> = load_dir(dir.path())
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, ["password-reset", "b"]);

        std::fs::write(dir.path().join("en/sub/c.md"), "+++\n+++\n").unwrap();
        let err = load_dir(dir.path()).unwrap_err();
        assert!(err.to_string().contains("c.md"), "{err}");
        assert!(matches!(err, KbError::File { .. }));
        assert!(matches!(
            load_dir(&dir.path().join("missing")),
            Err(KbError::Io { .. })
        ));
    }
}
