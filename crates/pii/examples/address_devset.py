#!/usr/bin/env python3
"""Writes a development set of street addresses in customer-service sentences (JSON lines).

    python3 -m venv /tmp/fk && /tmp/fk/bin/pip install faker
    /tmp/fk/bin/python crates/pii/examples/address_devset.py > /tmp/addresses.jsonl
    cargo run -p candor-pii --release --example eval_addresses -- /tmp/addresses.jsonl [--errors]

Presidio's synthetic set fills its addresses with Faker across many locales, and half of its
templates are held out, so rules are developed here instead: Faker's per-locale address formats
carry real national conventions (street and number order, postcode before or after the city,
region lines, flat words, PO boxes), real-world addresses are written by hand (HAND), and the
sentences around them are written here. Each line
is {"locale", "text", "spans": [[start, end], ...]} with character offsets of the address.
A fixed seed makes the set the same on every run; the set is not committed (regenerate it).
"""
import json
import os
import random
import sys

from faker import Faker

SEED = 20261205
PER_LOCALE = 40

# Latin-script locales: the recogniser reads Latin script only.
LOCALES = [
    "en_US", "en_GB", "en_CA", "en_AU", "en_IE", "en_NZ", "en_IN", "en_PH",
    "da_DK", "de_DE", "de_AT", "de_CH", "nl_NL", "nl_BE",
    "fr_FR", "fr_CA", "fr_CH", "es_ES", "es_MX", "it_IT", "pt_PT", "pt_BR",
    "sv_SE", "no_NO", "fi_FI", "pl_PL", "cs_CZ", "sk_SK", "hu_HU", "ro_RO",
    "hr_HR", "sl_SI", "et_EE", "lv_LV", "lt_LT", "tr_TR", "id_ID",
]

# {a} is the address. Multi-line and one-line forms, openers customers use, signatures.
TEMPLATES = [
    "Please ship to:\n{a}",
    "Ship to {a} please.",
    "My new address is {a}.",
    "I moved to {a} last month, can you update my account?",
    "Send the replacement to {a}, thanks.",
    "Kind regards,\n{n}\n{a}",
    "Delivery address: {a}\nOrder {o}",
    "The parcel went to {a} but I live somewhere else now.",
    "Billing address\n{a}\n\nPhone on file is the same.",
    "Can you pick it up from {a} tomorrow?",
    "Hi, I'm {n} from {a} and my order {o} never arrived.",
    "{a}",
    "Please update the address on order {o} to {a}",
    "Invoice to: {a}",
]


# Real-world layouts written by hand (public buildings and well-known addresses), scored as
# locale "hand": the forms people type, which Faker's formats do not all cover.
HAND = [
    "10 Downing Street, London SW1A 2AA",
    "221B Baker Street\nLondon NW1 6XE",
    "Flat 2, 14 Elm Road\nLondon\nE8 3BU",
    "1600 Amphitheatre Parkway, Mountain View, CA 94043",
    "350 Fifth Avenue, New York, NY 10118",
    "Apt 4B, 55 Water Street, Brooklyn, NY 11201",
    "PO Box 1234, Springfield, IL 62704",
    "Unit 5/22 George St, Sydney NSW 2000",
    "Rådhuspladsen 1, 1550 København V",
    "Sankt Annæ Plads 13, 1250 København K",
    "Nørrebrogade 20, 2. tv.\n2200 København N",
    "Postboks 120, 1001 København K",
    "Dam 1, 1012 JS Amsterdam",
    "Keizersgracht 123-II, 1015 CJ Amsterdam",
    "Meir 50, 2000 Antwerpen",
    "Platz der Republik 1, 11011 Berlin",
    "Wiedner Hauptstraße 12/3, A-1040 Wien",
    "Bahnhofstrasse 1, CH-8001 Zürich",
    "Via del Corso, 12, 00186 Roma",
    "Rua Augusta, 100, 1100-053 Lisboa",
    "Calle de Alcalá, 50, 28014 Madrid",
    "Váci utca 10., H-1052 Budapest",
    "ul. Marszałkowska 10/12, 00-590 Warszawa",
    "Hlavní 12, 110 00 Praha 1",
    "Mannerheimintie 5, 00100 Helsinki",
    "Drottninggatan 53, 111 21 Stockholm",
    "Karl Johans gate 22, 0159 Oslo",
    "12, rue de la Paix, 75002 Paris",
]


def address(fake: Faker, rnd: random.Random) -> str:
    kind = rnd.random()
    if kind < 0.55:
        return fake.address()
    if kind < 0.75:
        return fake.street_address()
    if kind < 0.9:
        return f"{fake.street_address()}, {fake.city()}"
    try:
        return f"{fake.street_address()}, {fake.postcode()} {fake.city()}"
    except AttributeError:
        return fake.address()


def main() -> None:
    # Some locales pick from sets, whose order follows Python's per-process string hashing:
    # fixing the hash seed keeps the set the same from run to run.
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    rnd = random.Random(SEED)
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(SEED)
        names = Faker("en_US")
        names.seed_instance(SEED)
        for _ in range(PER_LOCALE):
            a = address(fake, rnd)
            template = rnd.choice(TEMPLATES)
            one_line = "\n" not in template.split("{a}")[0][-1:] and rnd.random() < 0.5
            if one_line:
                a = ", ".join(p.strip() for p in a.split("\n"))
            head, tail = template.split("{a}")
            fill = {"n": names.name(), "o": f"#{rnd.randint(100000, 999999)}"}
            head, tail = head.format(**fill), tail.format(**fill)
            text = head + a + tail
            print(json.dumps({"locale": locale, "text": text,
                              "spans": [[len(head), len(head) + len(a)]]},
                             ensure_ascii=False))
    # Each hand-written address in two sentences: on a line of its own and inline.
    hand_templates = (
        "Please ship to:\n{a}",
        "I moved to {a} last month, can you update my account?",
    )
    for written in HAND:
        for template in hand_templates:
            a = written
            if "\n" not in template.split("{a}")[0]:
                a = ", ".join(p.strip() for p in a.split("\n"))
            head, tail = template.split("{a}")
            print(json.dumps({"locale": "hand", "text": head + a + tail,
                              "spans": [[len(head), len(head) + len(a)]]},
                             ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
