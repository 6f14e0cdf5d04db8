#!/bin/sh
# Reproduces models/sentiment.ctc and models/sentiment.datasheet.md, byte for byte, from the
# "train, ship" sentiment data in ../shared/data: XED (CC BY 4.0), LCC sentiment (CC BY) and
# GermEval 2018 (CC BY 4.0).
#
#   models/train-sentiment.sh            # from the repository root or anywhere
#   CANDOR_DATA=/path/to/data models/train-sentiment.sh
#
# The split (train / validation / held-out test) is a fixed hash of each text, the seed is 42,
# and the training date is fixed, so every run writes the same file. The code is
# crates/classify/examples/train_sentiment.rs; the readers and label mappings are in
# crates/classify/src/corpora.rs.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CANDOR_DATA=${CANDOR_DATA:-$root/../shared/data}
# A fixed training date, so that the datasheet (and so the file) is the same on every run.
export SOURCE_DATE_EPOCH=1795392000 # 2026-11-23
export SENTIMENT_BUCKET_BITS=18
# The crate compiles the model in (SentimentModel::builtin); a placeholder lets it build when
# the file is missing. Training does not read it.
[ -f models/sentiment.ctc ] || : > models/sentiment.ctc

cargo run --release --quiet -p candor-classify --example train_sentiment -- \
  models/sentiment.ctc models/sentiment.datasheet.md
sha256sum models/sentiment.ctc
ls -l models/sentiment.ctc
