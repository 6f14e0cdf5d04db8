#!/usr/bin/env python3
"""Rebuilds given.txt and surnames.txt in this folder from two MIT-licensed PyPI packages.

    pip download --no-deps faker==40.54.0 names==0.3.0 -d /tmp/names-src
    (cd /tmp/names-src && unzip -q faker-40.54.0-py3-none-any.whl -d faker \
        && tar xzf names-0.3.0.tar.gz)
    python3 crates/pii/data/names/build.py /tmp/names-src

Faker's person providers give given names and surnames for the four languages Candor
serves (LOCALES) and for the Latin-script locales of the communities its customers come from
(ORIGIN_LOCALES: Central and Eastern European, Nordic, Southern European, Turkish and Azeri,
Maghrebi, South Asian, West and East African, Vietnamese, Chinese pinyin, Indonesian;
entries in another script are skipped, so Arabic, Persian, Cyrillic and Devanagari
providers add nothing and are not listed); the `names` package holds the US Census 1990 frequency lists (public domain), of
which the 20,000 most frequent surnames are kept (rarer ones are mostly noise).
Entries are folded as `person::fold` folds (lower case, no diacritics).

Given names that are first of all very common lower-case words of da, de, en or nl are left
out (WORD_LIKE): a Zipf band of 5 or more in some language's word-frequency list
(../wordfreq/words.txt) where that language's casing lexicon (../casing/) marks the word `l`
(mostly written in lower case), unless some casing lexicon marks it capitalised (`c`, `C`,
`m`), which is evidence that it is mostly a name there ("Anders", "Mark"). The same test
leaves out the surnames that only ORIGIN_LOCALES add.
"""
import importlib
import os
import sys
import unicodedata

LOCALES = ["da_DK", "de_DE", "de_AT", "de_CH", "nl_NL", "nl_BE", "en_US", "en_GB"]
ORIGIN_LOCALES = ["pl_PL", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "hr_HR", "sl_SI", "lt_LT",
                  "lv_LV", "et_EE", "fi_FI", "sv_SE", "no_NO", "pt_PT", "pt_BR", "es_ES",
                  "it_IT", "fr_FR", "fr_BE", "fr_DZ", "en_IE", "tr_TR", "az_AZ", "uz_UZ",
                  "en_IN", "en_PK", "en_NG", "yo_NG", "ig_NG", "ha_NG", "tw_GH", "en_KE", "sw",
                  "zu_ZA", "vi_VN", "zh_CN", "zh_TW", "id_ID"]
GIVEN_ATTRS = ["first_names", "first_names_male", "first_names_female", "first_names_nonbinary",
               "first_names_unisex", "first_names_est", "first_names_rus",
               "first_romanized_names", "first_romanized_names_male",
               "first_romanized_names_female"]
# Vietnamese middle names ("Văn", "Thị") are read as given names.
MIDDLE_ATTRS = {"vi_VN": ["middle_names"]}
SURNAME_ATTRS = ["last_names", "last_names_male", "last_names_female", "last_names_nonbinary",
                 "last_names_unisex", "male_last_names", "unisex_last_names", "last_names_est",
                 "last_names_rus", "last_romanized_names"]
WORD_LIKE_ZIPF = 5
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
# from the person providers of Faker 40.54.0 ({locales}; Latin-script entries only; MIT
# licence, (c) Daniele Faraglia and contributors) and the US Census 1990 {census} as
# packaged in the PyPI package `names` 0.3.0 (Census data: public domain; package: MIT).
# Multi-word entries are split into words; name particles and function words are left out{extra}.
"""


def fold(word):
    for a, b in [("ø", "o"), ("Ø", "o"), ("æ", "ae"), ("Æ", "ae"), ("œ", "oe"), ("Œ", "oe"),
                 ("ß", "ss"), ("ł", "l"), ("Ł", "l"), ("đ", "d"), ("Đ", "d"), ("ı", "i"),
                 ("’", "'")]:
        word = word.replace(a, b)
    word = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return word.lower()


def latin(name):
    return all(unicodedata.name(c, "").startswith("LATIN") for c in name if c.isalpha())


def values(provider, attr):
    v = getattr(provider, attr, None)
    return list(v) if isinstance(v, (list, tuple, dict, set)) else []


def word_like(here):
    """Words that are first of all lower-case words of da, de, en or nl (see the docstring)."""
    data = os.path.join(here, "..")
    langs = ["da", "de", "en", "nl"]
    casing = {}
    for lang in langs:
        casing[lang] = dict(line.rstrip("\n").split("\t")
                            for line in open(os.path.join(data, "casing", lang + ".txt"))
                            if not line.startswith("#"))
    out = set()
    for line in open(os.path.join(data, "wordfreq", "words.txt")):
        if line.startswith("#"):
            continue
        word, bands = line.rstrip("\n").split("\t")
        lower = any(int(b) >= WORD_LIKE_ZIPF and casing[lang].get(word) == "l"
                    for lang, b in zip(["da", "de", "en", "nl"], bands))
        capitalised = any(casing[lang].get(word) in ("c", "C", "m") for lang in langs)
        if lower and not capitalised:
            out.add(word)
    return out


def add(into, names):
    for name in names:
        if not latin(name):
            continue
        for part in name.strip().split(" "):
            folded = fold(part)
            if len(part) >= 2 and part[0].isalpha() and folded not in PARTICLES \
                    and folded not in FUNCTION_WORDS:
                into.add(folded)


def main(src):
    sys.path.insert(0, os.path.join(src, "faker"))
    given, surnames, origin_surnames = set(), set(), set()
    for locale in LOCALES + ORIGIN_LOCALES:
        provider = importlib.import_module("faker.providers.person." + locale).Provider
        for attr in GIVEN_ATTRS + MIDDLE_ATTRS.get(locale, []):
            add(given, values(provider, attr))
        for attr in SURNAME_ATTRS:
            add(surnames if locale in LOCALES else origin_surnames, values(provider, attr))
    census = os.path.join(src, "names-0.3.0", "names")
    for f in ["dist.male.first", "dist.female.first"]:
        add(given, [line.split()[0] for line in open(os.path.join(census, f))])
    rows = [line.split() for line in open(os.path.join(census, "dist.all.last"))]
    add(surnames, [r[0] for r in rows if int(r[3]) <= CENSUS_SURNAMES])
    here = os.path.dirname(os.path.abspath(__file__))
    words = word_like(here)
    dropped = given & words
    given -= dropped
    print("given names left out as words:", " ".join(sorted(dropped)))
    # The surnames of the four languages' own lists keep their words ("Koch", "White"): the
    # tagger learnt them. Those only the origin locales add are left out when they are words
    # ("she", "such", "mir").
    origin_only = origin_surnames - surnames
    surnames |= origin_only - words
    print("origin surnames left out as words:", " ".join(sorted(origin_only & words)))
    locales = ", ".join(LOCALES + ORIGIN_LOCALES)
    for file, what, census_what, names in [
        ("given.txt", "Given names", "given-name lists", given),
        ("surnames.txt", "Surnames", f"surname list (the {CENSUS_SURNAMES:,} most frequent)",
         surnames),
    ]:
        with open(os.path.join(here, file), "w") as out:
            extra = (",\n# and so are given names that are first of all lower-case words of da, de,"
                     " en or nl (see build.py)") if file == "given.txt" else (
                ",\n# and so are the words among the surnames that only the origin locales add"
                " (see build.py)")
            out.write(HEADER.format(what=what, locales=locales, census=census_what, extra=extra))
            out.write("\n".join(sorted(names)) + "\n")
        print(file, len(names))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/names-src")
