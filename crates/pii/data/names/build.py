#!/usr/bin/env python3
"""Rebuilds given.txt and surnames.txt in this folder from two MIT-licensed PyPI packages.

    pip download --no-deps faker==40.54.0 names==0.3.0 -d /tmp/names-src
    (cd /tmp/names-src && unzip -q faker-40.54.0-py3-none-any.whl -d faker \
        && tar xzf names-0.3.0.tar.gz)
    python3 crates/pii/data/names/build.py /tmp/names-src

Faker's person providers give given names and surnames for the four languages Candor
serves; the `names` package holds the US Census 1990 frequency lists (public domain), of
which the 20,000 most frequent surnames are kept (rarer ones are mostly noise).
Entries are folded as `person::fold` folds (lower case, no diacritics).
"""
import importlib
import os
import sys
import unicodedata

LOCALES = ["da_DK", "de_DE", "de_AT", "de_CH", "nl_NL", "nl_BE", "en_US", "en_GB"]
CENSUS_SURNAMES = 20000
PARTICLES = {"van", "de", "der", "den", "von", "zu", "la", "le", "du", "di", "da", "ten",
             "ter", "el", "al", "het", "vom", "zum", "of"}
# Census surnames that are first of all function words of the four languages.
FUNCTION_WORDS = {"the", "und", "and", "an", "in", "on", "to", "or", "is", "it", "as", "at",
                  "by", "for", "so", "no", "do", "be", "we", "he", "me", "my", "die", "das",
                  "ein", "er", "es", "ich", "mit", "og", "en", "et", "i", "på", "som", "har",
                  "een", "ik", "je", "het", "met", "op", "te", "dat", "wie", "was", "hat"}
HEADER = """# {what} for the person-name tagger's gazetteer feature (crates/pii/src/ner/names.rs),
# folded (lower case, no diacritics, see person::fold), one per line. Built by build.py here
# from the person providers of Faker 40.54.0 ({locales}; MIT licence, (c) Daniele Faraglia
# and contributors) and the US Census 1990 {census} as packaged in the PyPI package `names`
# 0.3.0 (Census data: public domain; package: MIT). Multi-word entries are split into words;
# name particles and function words are left out.
"""


def fold(word):
    for a, b in [("ø", "o"), ("Ø", "o"), ("æ", "ae"), ("Æ", "ae"), ("œ", "oe"), ("Œ", "oe"),
                 ("ß", "ss"), ("ł", "l"), ("Ł", "l"), ("đ", "d"), ("Đ", "d"), ("ı", "i"),
                 ("’", "'")]:
        word = word.replace(a, b)
    word = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return word.lower()


def add(into, names):
    for name in names:
        for part in name.strip().split(" "):
            folded = fold(part)
            if len(part) >= 2 and part[0].isalpha() and folded not in PARTICLES \
                    and folded not in FUNCTION_WORDS:
                into.add(folded)


def main(src):
    sys.path.insert(0, os.path.join(src, "faker"))
    given, surnames = set(), set()
    for locale in LOCALES:
        provider = importlib.import_module("faker.providers.person." + locale).Provider
        for attr in ["first_names", "first_names_male", "first_names_female",
                     "first_names_nonbinary"]:
            add(given, getattr(provider, attr, None) or [])
        add(surnames, getattr(provider, "last_names", None) or [])
    census = os.path.join(src, "names-0.3.0", "names")
    for f in ["dist.male.first", "dist.female.first"]:
        add(given, [line.split()[0] for line in open(os.path.join(census, f))])
    rows = [line.split() for line in open(os.path.join(census, "dist.all.last"))]
    add(surnames, [r[0] for r in rows if int(r[3]) <= CENSUS_SURNAMES])
    here = os.path.dirname(os.path.abspath(__file__))
    locales = ", ".join(LOCALES)
    for file, what, census_what, names in [
        ("given.txt", "Given names", "given-name lists", given),
        ("surnames.txt", "Surnames", f"surname list (the {CENSUS_SURNAMES:,} most frequent)",
         surnames),
    ]:
        with open(os.path.join(here, file), "w") as out:
            out.write(HEADER.format(what=what, locales=locales, census=census_what))
            out.write("\n".join(sorted(names)) + "\n")
        print(file, len(names))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/names-src")
