#!/bin/sh
# Reproduces models/sentiment.ctc, models/sentiment.lexicon.toml (how the model combines with
# the VADER lexicon for English) and models/sentiment.datasheet.md, byte for byte, from the
# "train, ship" data in ../shared/data: XED (CC BY 4.0), LCC sentiment (CC BY), GermEval 2018
# (CC BY 4.0), Bitext customer service (CDLA-Sharing-1.0) and xSID (CC BY-SA 4.0), and from
# this repository's data/intent/.
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
export SOURCE_DATE_EPOCH=1796342400 # 2026-12-04
export SENTIMENT_BUCKET_BITS=18
# The crate compiles the model and its lexicon weights in (SentimentModel::builtin);
# placeholders let it build when the files are missing. Training reads neither.
[ -f models/sentiment.ctc ] || : > models/sentiment.ctc
[ -f models/sentiment.lexicon.toml ] || : > models/sentiment.lexicon.toml

cargo run --release --quiet -p candor-classify --example train_sentiment -- \
  models/sentiment.ctc models/sentiment.datasheet.md models/sentiment.lexicon.toml
sha256sum models/sentiment.ctc models/sentiment.lexicon.toml
ls -l models/sentiment.ctc
