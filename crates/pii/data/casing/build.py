#!/usr/bin/env python3
"""Rebuilds {da,de,en,nl}.txt in this folder: how each word is written in running text.

    python3 crates/pii/data/casing/build.py ../shared/data

For every word of the unlabelled "train, ship" texts listed in SOURCES, counts how often it
is written with a lower-case first letter, and how often with a capital where the sentence
does not force one (after a lower-case word, not after `.`, `!`, `?` or `:`). The tagger reads the
class (see crates/pii/src/ner/casing.rs): in Danish and English a word that is mostly written
in lower case is no name when capitalised at the start of a sentence; in German every noun
is capitalised, so a frequent capitalised word is more likely a noun than a surname.

No NER file is read (not even its text), so that cross-validation on them stays honest.
"""
import csv
import os
import re
import sys
from collections import Counter

# (language, path under the data folder, how to read it, licence/credit)
SOURCES = [
    ("da", "lcc-sentiment-da/dan_mixed_2014_10K-sentences.csv", "csv:text", "LCC sentiment (CC BY)"),
    ("da", "lcc-sentiment-da/dan_newscrawl_2011_10K-sentences.csv", "csv:text", "LCC sentiment (CC BY)"),
    ("da", "xed-emotion/da-projections.tsv", "tsv0", "XED (CC BY 4.0)"),
    ("da", "xsid-valid/da.valid.conll", "conll", "xSID (CC BY-SA 4.0)"),
    ("de", "xed-emotion/de-projections.tsv", "tsv0", "XED (CC BY 4.0)"),
    ("de", "germeval2018-offensive-de/germeval2018.training.txt", "tsv0", "GermEval 2018 (CC BY 4.0)"),
    ("de", "germeval2018-offensive-de/germeval2018.test.txt", "tsv0", "GermEval 2018 (CC BY 4.0)"),
    ("de", "xsid-valid/de.valid.conll", "conll", "xSID (CC BY-SA 4.0)"),
    ("en", "xed-emotion/en-annotated.tsv", "tsv0", "XED (CC BY 4.0)"),
    ("en", "xed-emotion/neu_en.txt", "tsv1", "XED (CC BY 4.0)"),
    ("en", "banking77/train.csv", "csv:text", "Banking77 (CC BY 4.0)"),
    ("en", "xsid-valid/en.valid.conll", "conll", "xSID (CC BY-SA 4.0)"),
    ("nl", "xed-emotion/nl-projections.tsv", "tsv0", "XED (CC BY 4.0)"),
    ("nl", "xsid-valid/nl.valid.conll", "conll", "xSID (CC BY-SA 4.0)"),
]
# A word capitalised mid-sentence this often, and more often than written in lower case, is
# a frequent capitalised word (class `C`) rather than a rare one (`c`).
FREQUENT = 4
# A word written in lower case this often is a common word of the language that is also
# capitalised (class `m`: Danish "ring" is a verb and a noun, and the name of a road).
MIXED = 5
WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")
# Tweets: user names, hashtags and links are no running text.
SKIP = re.compile(r"[@#]\S+|https?://\S+|\|LBR\|")


def lines(path, how):
    with open(path, encoding="utf-8", newline="") as f:
        if how == "csv:text":
            for row in csv.DictReader(f):
                yield row["text"]
        elif how == "conll":
            for line in f:
                if line.startswith("# text = "):
                    yield line[len("# text = "):].rstrip("\n")
        else:
            column = 0 if how == "tsv0" else 1
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if len(fields) > column:
                    yield fields[column]


def main(data):
    here = os.path.dirname(os.path.abspath(__file__))
    for lang in sorted({s[0] for s in SOURCES}):
        lower, capital = Counter(), Counter()
        credits = []
        for l, rel, how, credit in SOURCES:
            if l != lang:
                continue
            credits.append(f"{rel} ({credit})")
            for text in lines(os.path.join(data, rel), how):
                text = SKIP.sub(" ", text)
                last = 0
                opens = True
                # A capital counts only after a lower-case word: headlines, product lists and
                # menus capitalise every word.
                after_lower = False
                for m in WORD.finditer(text):
                    between = text[last:m.start()]
                    if any(c in between for c in ".!?:\n"):
                        opens = True
                    word = m.group(0)
                    last = m.end()
                    first = word[0]
                    key = word.lower()
                    if first.islower():
                        lower[key] += 1
                    elif first.isupper() and not opens and after_lower and not word.isupper():
                        capital[key] += 1
                    opens = False
                    after_lower = first.islower()
        out = []
        for word in sorted(set(lower) | set(capital)):
            lo, ca = lower[word], capital[word]
            if lo + ca < 2:
                continue
            if lo >= ca:
                cls = "l"
            elif lo >= MIXED:
                cls = "m"
            elif ca >= FREQUENT:
                cls = "C"
            else:
                cls = "c"
            out.append(f"{word}\t{cls}")
        with open(os.path.join(here, f"{lang}.txt"), "w", encoding="utf-8") as f:
            f.write(f"# How {lang} words are written in running text, for the person-name tagger "
                    "(crates/pii/src/ner/casing.rs).\n# Built by build.py here; do not edit. "
                    "word<TAB>class, words seen at least twice: l mostly lower case, m capitalised "
                    f"more often but at least {MIXED} times in lower case, c capitalised "
                    f"mid-sentence more often than not, C the same at least {FREQUENT} times.\n"
                    f"# Counted in ../shared/data: {'; '.join(credits)}.\n")
            f.write("\n".join(out) + "\n")
        print(lang, len(out))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
