//! Unicode normalisation with a map back to the original text.
//!
//! Recognisers run on NFKC text with invisible formatting characters removed, so that
//! `ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ` (full-width) or `jo\u{200B}hn@example.com` (a zero-width
//! space hidden inside) are found like the plain forms. Every span they report is mapped back
//! to byte offsets in the text the customer actually sent, through an [`OffsetMap`].

use candor_core::Span;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
use unicode_segmentation::UnicodeSegmentation;

/// Text after normalisation, with the way back to the original.
#[derive(Debug, Clone)]
pub struct Normalised {
    /// NFKC text without zero-width or bidirectional control characters.
    pub text: String,
    /// Maps byte offsets in `text` to byte offsets in the original.
    pub map: OffsetMap,
}

/// A run of normalised text and the run of original text it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    norm_start: usize,
    norm_len: usize,
    orig_start: usize,
    orig_len: usize,
    /// Whether the run is unchanged, so that offsets inside it map one to one.
    /// A changed run maps only as a whole.
    identity: bool,
}

/// Maps byte offsets in normalised text back to byte offsets in the original text.
#[derive(Debug, Clone)]
pub struct OffsetMap {
    // Invariant: sorted by `norm_start`, contiguous over the normalised text, no empty
    // normalised runs (characters that were removed belong to no segment).
    segments: Vec<Segment>,
    orig_len: usize,
}

impl OffsetMap {
    fn segment_at(&self, norm_offset: usize) -> Option<&Segment> {
        let idx = self
            .segments
            .partition_point(|s| s.norm_start <= norm_offset)
            .checked_sub(1)?;
        self.segments.get(idx)
    }

    /// The original span that produced `span` of the normalised text.
    ///
    /// A span that begins or ends inside a changed run (say, half of a full-width character's
    /// NFKC expansion) is widened to cover that whole run, so the result always covers every
    /// original byte that contributed.
    pub fn to_original(&self, span: Span) -> Span {
        let start = match self.segment_at(span.start) {
            Some(s) if s.identity => s.orig_start + (span.start - s.norm_start),
            Some(s) => s.orig_start,
            None => self.orig_len,
        };
        if span.is_empty() {
            return Span::new(start, start);
        }
        let end = match self.segment_at(span.end - 1) {
            Some(s) if s.identity => s.orig_start + (span.end - s.norm_start),
            Some(s) => s.orig_start + s.orig_len,
            None => self.orig_len,
        };
        Span::new(start, end.max(start))
    }
}

/// Whether a character is invisible formatting that can hide text from a recogniser:
/// zero-width characters, bidirectional controls, the soft hyphen and the byte-order mark.
pub fn is_invisible_control(c: char) -> bool {
    matches!(c,
        '\u{00AD}'              // soft hyphen
        | '\u{061C}'            // Arabic letter mark
        | '\u{180E}'            // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}' // zero-width space/non-joiner/joiner, LRM, RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{FEFF}'            // byte-order mark / zero-width no-break space
    )
}

/// Normalises `original` to NFKC without invisible controls, keeping the offset map.
///
/// NFKC is applied per extended grapheme cluster: canonical composition never crosses a
/// cluster boundary, so this equals whole-text NFKC for real text while giving every
/// normalised byte a small, exact origin.
pub fn normalise(original: &str) -> Normalised {
    let fast = is_nfkc_quick(original.chars()) == IsNormalized::Yes
        && !original.chars().any(is_invisible_control);
    if fast {
        let segments = if original.is_empty() {
            Vec::new()
        } else {
            vec![Segment {
                norm_start: 0,
                norm_len: original.len(),
                orig_start: 0,
                orig_len: original.len(),
                identity: true,
            }]
        };
        return Normalised {
            text: original.to_owned(),
            map: OffsetMap {
                segments,
                orig_len: original.len(),
            },
        };
    }

    let mut text = String::with_capacity(original.len());
    let mut segments: Vec<Segment> = Vec::new();
    for (orig_start, cluster) in original.grapheme_indices(true) {
        let unchanged = !cluster.chars().any(is_invisible_control)
            && is_nfkc_quick(cluster.chars()) == IsNormalized::Yes;
        let norm_start = text.len();
        if unchanged {
            text.push_str(cluster);
        } else {
            text.extend(cluster.chars().filter(|c| !is_invisible_control(*c)).nfkc());
        }
        let norm_len = text.len() - norm_start;
        if norm_len == 0 {
            continue;
        }
        match segments.last_mut() {
            // Merge adjacent unchanged runs so that long plain texts stay one segment.
            Some(last)
                if unchanged && last.identity && last.orig_start + last.orig_len == orig_start =>
            {
                last.norm_len += norm_len;
                last.orig_len += cluster.len();
            }
            _ => segments.push(Segment {
                norm_start,
                norm_len,
                orig_start,
                orig_len: cluster.len(),
                identity: unchanged,
            }),
        }
    }
    Normalised {
        text,
        map: OffsetMap {
            segments,
            orig_len: original.len(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(original: &str, needle: &str) -> String {
        let n = normalise(original);
        let start = n.text.find(needle).expect("needle in normalised text");
        let span = n.map.to_original(Span::new(start, start + needle.len()));
        original[span.start..span.end].to_owned()
    }

    #[test]
    fn plain_text_is_unchanged() {
        let n = normalise("Hej, jeg hedder Ole");
        assert_eq!(n.text, "Hej, jeg hedder Ole");
        assert_eq!(n.map.to_original(Span::new(4, 7)), Span::new(4, 7));
    }

    #[test]
    fn zero_width_and_bidi_controls_are_removed_and_spans_cover_them() {
        let original = "mail: jo\u{200B}hn@exa\u{202E}mple.com ok";
        let n = normalise(original);
        assert_eq!(n.text, "mail: john@example.com ok");
        assert_eq!(
            round_trip(original, "john@example.com"),
            "jo\u{200B}hn@exa\u{202E}mple.com"
        );
    }

    #[test]
    fn full_width_characters_fold_and_map_back_whole() {
        let original = "ｊｏｈｎ＠ｘ．ｄｋ!";
        let n = normalise(original);
        assert_eq!(n.text, "john@x.dk!");
        assert_eq!(round_trip(original, "john@x.dk"), "ｊｏｈｎ＠ｘ．ｄｋ");
        assert_eq!(round_trip(original, "!"), "!");
    }

    #[test]
    fn combining_marks_compose() {
        let original = "Cafe\u{0301} Ørsted";
        let n = normalise(original);
        assert_eq!(n.text, "Café Ørsted");
        assert_eq!(round_trip(original, "Ørsted"), "Ørsted");
        assert_eq!(round_trip(original, "Café"), "Cafe\u{0301}");
    }

    #[test]
    fn text_of_only_controls_normalises_to_empty() {
        let n = normalise("\u{200B}\u{FEFF}");
        assert_eq!(n.text, "");
        assert_eq!(n.map.to_original(Span::new(0, 0)), Span::new(2 * 3, 2 * 3));
    }

    #[test]
    fn every_normalised_char_maps_inside_the_original() {
        let original = "ﬁ\u{200D}x① ｶ e\u{0301}\u{0301} 🇩🇰 end";
        let n = normalise(original);
        for (i, c) in n.text.char_indices() {
            let s = n.map.to_original(Span::new(i, i + c.len_utf8()));
            assert!(s.end <= original.len() && s.start < s.end, "{c:?} -> {s:?}");
            assert!(original.is_char_boundary(s.start) && original.is_char_boundary(s.end));
        }
    }
}
