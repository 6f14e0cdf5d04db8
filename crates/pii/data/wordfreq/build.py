#!/usr/bin/env python3
"""Rebuilds words.txt in this folder: how frequent a word is in general Danish, German,
English and Dutch text, for the person-name tagger (crates/pii/src/ner/freq.rs).

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python crates/pii/data/wordfreq/build.py

The frequencies come from the PyPI package `wordfreq` 3.1.1 (code Apache-2.0, data
CC BY-SA 4.0; Robyn Speer, built from Wikipedia, subtitles, news, books, web text and
tweets), whose wheel ships them. The casing lexicons (../casing) know only how ~15,000
German words of small corpora are written; a general frequency tells a German noun
("Regierung": frequent in German, rare elsewhere) from a surname ("Pofalla": rare) and from
a name that every language shares ("Peter": frequent in all four).

Every word among the TOP most frequent of at least one language is listed, with its
frequency band in each of the four languages (da, de, en, nl, in that order): 0 unseen,
else the Zipf value (log10 of occurrences per billion words) rounded down, 1 to 7.
wordfreq folds case (German "ß" becomes "ss"); the tagger folds its words the same way.
"""
import os

from wordfreq import top_n_list, zipf_frequency

LANGS = ["da", "de", "en", "nl"]
TOP = 30000


def band(z):
    return 0 if z <= 0 else max(1, min(7, int(z)))


def plain(word):
    # Words of letters, with inner hyphens and apostrophes, as the tagger's tokens are.
    core = word.replace("-", "").replace("'", "")
    return core.isalpha() and not word.startswith(("-", "'")) and not word.endswith(("-", "'"))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    words = set()
    for lang in LANGS:
        words.update(w for w in top_n_list(lang, TOP) if plain(w))
    rows = []
    for w in sorted(words):
        bands = "".join(str(band(zipf_frequency(w, l))) for l in LANGS)
        rows.append(f"{w}\t{bands}")
    with open(os.path.join(here, "words.txt"), "w", encoding="utf-8") as f:
        f.write("# General word frequency bands for the person-name tagger (crates/pii/src/ner/freq.rs).\n"
                "# Built by build.py here from wordfreq 3.1.1 (data CC BY-SA 4.0, Robyn Speer); do not edit.\n"
                f"# word<TAB>Zipf band in da, de, en, nl (0 unseen, else 1-7); the {TOP} most frequent words of each language.\n")
        f.write("\n".join(rows) + "\n")
    print(len(rows))


if __name__ == "__main__":
    main()
