#!/bin/sh
# Reproduces models/person-ner.bin, byte for byte, from the "train, ship" NER data in
# ../shared/data: UNER Danish DDT / DaNE (CC BY-SA 4.0), GermEval 2014 (CC BY 4.0) and UNER
# English EWT (CC BY-SA 4.0), the dev half (by template) of Presidio Research's synthetic English
# set (MIT), with the word-frequency bands of crates/pii/data/wordfreq (wordfreq, CC BY-SA 4.0),
# the name gazetteer of crates/pii/data/names (Faker, MIT;
# US Census lists, public domain). See models/person-ner.datasheet.md. Pass 1 tunes the
# epochs and the decision threshold on held-out train/dev sentences; pass 2 trains on all.
#
#   models/train-person-ner.sh            # from the repository root or anywhere
#   CANDOR_DATA=/path/to/data models/train-person-ner.sh
#
# The visiting order is drawn from a fixed seed and there is no clock in the file, so every
# run writes the same bytes. The code is crates/pii/examples/train_person_ner.rs and
# crates/pii/src/ner/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=${CANDOR_DATA:-$root/../shared/data}
# The crate compiles the model in (PersonModel::shipped); a placeholder lets it build when the
# file is missing. Training does not read it.
[ -f models/person-ner.bin ] || : > models/person-ner.bin

cargo run --release --quiet -p candor-pii --example train_person_ner -- \
  --data "$data" --out models/person-ner.bin --seed 20140916 --epochs 12 --bits 18 --presidio-dev
sha256sum models/person-ner.bin
ls -l models/person-ner.bin
