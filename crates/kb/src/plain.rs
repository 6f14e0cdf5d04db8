//! Markdown to chat text: the subset knowledge-base authors use, not all of CommonMark.

/// Turns an article's Markdown body into plain text a chat channel can send as is.
///
/// Headings lose their `#`s, emphasis and code markers are removed, `[text](url)` becomes
/// `text (url)`, unordered list items become `- item` (ordered ones keep their number),
/// block quotes and code fences lose their markers, and the soft-wrapped lines of a paragraph
/// are joined. Paragraphs, headings and list items each stay on their own line, with a blank
/// line between blocks.
///
/// ```
/// let text = candor_kb::markdown_to_text("## Steps\n\n* Open **My account**\n* See [help](https://x.example)");
/// assert_eq!(text, "Steps\n\n- Open My account\n- See help (https://x.example)");
/// ```
pub fn markdown_to_text(markdown: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    // The block being built, and whether it is a paragraph that later lines may extend.
    let mut current: Vec<String> = Vec::new();
    let mut in_paragraph = false;
    let mut in_fence = false;

    let flush = |current: &mut Vec<String>, blocks: &mut Vec<String>| {
        if !current.is_empty() {
            blocks.push(current.join("\n"));
            current.clear();
        }
    };

    for raw in markdown.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            in_paragraph = false;
            continue;
        }
        if in_fence {
            current.push(line.to_owned());
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut current, &mut blocks);
            in_paragraph = false;
            continue;
        }
        if is_rule(trimmed) {
            flush(&mut current, &mut blocks);
            in_paragraph = false;
            continue;
        }
        let mut content = trimmed;
        while let Some(rest) = content.strip_prefix('>') {
            content = rest.trim_start();
        }
        if let Some(heading) = heading_text(content) {
            flush(&mut current, &mut blocks);
            blocks.push(inline(heading));
            in_paragraph = false;
        } else if let Some(item) = bullet_text(content) {
            let indent = if raw.len() - raw.trim_start().len() >= 2 {
                "  "
            } else {
                ""
            };
            current.push(format!("{indent}- {}", inline(item)));
            in_paragraph = false;
        } else if let Some((number, item)) = ordered_item(content) {
            current.push(format!("{number}. {}", inline(item)));
            in_paragraph = false;
        } else if in_paragraph && let Some(last) = current.last_mut() {
            last.push(' ');
            last.push_str(&inline(content));
        } else {
            current.push(inline(content));
            in_paragraph = true;
        }
    }
    flush(&mut current, &mut blocks);
    blocks.join("\n\n")
}

fn is_rule(line: &str) -> bool {
    let marks: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3
        && ['-', '*', '_']
            .iter()
            .any(|m| marks.chars().all(|c| c == *m))
}

fn heading_text(line: &str) -> Option<&str> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim_end())
}

fn bullet_text(line: &str) -> Option<&str> {
    ["- ", "* ", "+ "]
        .iter()
        .find_map(|m| line.strip_prefix(m))
        .map(str::trim_start)
}

fn ordered_item(line: &str) -> Option<(&str, &str)> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let rest = line[digits..]
        .strip_prefix(". ")
        .or_else(|| line[digits..].strip_prefix(") "))?;
    Some((&line[..digits], rest.trim_start()))
}

/// Removes inline markup: emphasis, code spans, links, images, autolinks, escapes.
fn inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '!' if chars.get(i + 1) == Some(&'[') => {
                // An image keeps only its description: a chat text cannot show it.
                if let Some((label, _url, end)) = link_at(&chars, i + 1) {
                    out.push_str(&inline(&label));
                    i = end;
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            '[' => {
                if let Some((label, url, end)) = link_at(&chars, i) {
                    let label = inline(&label);
                    if label.is_empty() || label == url {
                        out.push_str(&url);
                    } else {
                        out.push_str(&format!("{label} ({url})"));
                    }
                    i = end;
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            '<' => {
                let close = chars[i..].iter().position(|&ch| ch == '>');
                let inner: Option<String> = close.map(|n| chars[i + 1..i + n].iter().collect());
                match inner {
                    Some(url)
                        if url.starts_with("http://")
                            || url.starts_with("https://")
                            || url.starts_with("mailto:") =>
                    {
                        out.push_str(url.trim_start_matches("mailto:"));
                        i += url.chars().count() + 2;
                    }
                    _ => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            '`' => i += 1,
            '*' => i += 1,
            '_' => {
                // Only a `_` at a word edge is emphasis; inside a word (`order_id`) it is text.
                let prev = i.checked_sub(1).map(|p| chars[p]);
                let next = chars.get(i + 1).copied();
                let inside = prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric);
                if inside {
                    out.push(c);
                }
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Parses `[label](url)` starting at `chars[start] == '['`; returns the label, url and the
/// index just past the closing parenthesis.
fn link_at(chars: &[char], start: usize) -> Option<(String, String, usize)> {
    let mut depth = 0usize;
    let mut close = None;
    for (k, &ch) in chars.iter().enumerate().skip(start) {
        match ch {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = chars[close + 2..].iter().position(|&ch| ch == ')')? + close + 2;
    let label: String = chars[start + 1..close].iter().collect();
    let target: String = chars[close + 2..end].iter().collect();
    // A link title (`(url "title")`) is not part of the address.
    let url = target.split_whitespace().next().unwrap_or("").to_owned();
    Some((label, url, end + 1))
}

#[cfg(test)]
mod tests {
    use super::markdown_to_text as text;

    #[test]
    fn strips_headings_and_emphasis() {
        assert_eq!(
            text("# Title #\n\n**bold** and *it* and __b__ _i_"),
            "Title\n\nbold and it and b i"
        );
        assert_eq!(text("#hashtag"), "#hashtag");
        assert_eq!(
            text("use `order_id` or snake_case"),
            "use order_id or snake_case"
        );
    }

    #[test]
    fn rewrites_links() {
        assert_eq!(
            text("see [the page](https://a.example/x \"T\")."),
            "see the page (https://a.example/x)."
        );
        assert_eq!(
            text("[https://a.example](https://a.example)"),
            "https://a.example"
        );
        assert_eq!(
            text("mail <mailto:help@example.com> or <https://a.example>"),
            "mail help@example.com or https://a.example"
        );
        assert_eq!(
            text("![logo](x.png) [not a link] 2 < 3 > 1"),
            "logo [not a link] 2 < 3 > 1"
        );
    }

    #[test]
    fn keeps_lists_and_joins_paragraph_lines() {
        let md = "Do this:\n\n* one\n+ two\n  - nested\n1. first\n2) second\n\nA long\nwrapped line.\n\n---\n> quoted\n\n```\ncode *kept*\n```";
        assert_eq!(
            text(md),
            "Do this:\n\n- one\n- two\n  - nested\n1. first\n2. second\n\nA long wrapped line.\n\nquoted\n\ncode *kept*"
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for md in [
            "[",
            "[](",
            "[a](b",
            "![",
            "<",
            "\\",
            "_",
            "**",
            "]]]]((((",
            "# ",
            "1.",
            "[ä](ö) ü_ß",
        ] {
            let _ = text(md);
        }
        assert_eq!(text("\\*not emphasis\\*"), "*not emphasis*");
    }
}
