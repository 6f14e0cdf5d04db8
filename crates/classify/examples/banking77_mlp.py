#!/usr/bin/env python3
"""Does a hidden layer help on Banking77? An outside check with scikit-learn (evaluation only).

    python3 -m venv /tmp/sk && /tmp/sk/bin/pip install scikit-learn   # 1.9.1 here
    for seed in 1 2 3; do /tmp/sk/bin/python crates/classify/examples/banking77_mlp.py $seed; done

Splits a stratified 10% off the Banking77 *training* set (the test set is never read), builds
TF-IDF features close to Candor's (word 1-2-grams and character 2-5-grams inside word
boundaries, sublinear counts, unit length), and prints the held-out accuracy of logistic
regression, of a one-hidden-layer network (512 ReLU units, Adam, 12 epochs) and of the two
averaged. See docs/EVALUATION.md, "Fourth round".
"""
import csv
import os
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_union

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "../../../../shared/data/banking77/train.csv")
rows = list(csv.DictReader(open(path, encoding="utf-8")))
texts = [r["text"] for r in rows]
labels = [r["category"] for r in rows]
seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
x_train, x_out, y_train, y_out = train_test_split(
    texts, labels, test_size=0.1, stratify=labels, random_state=seed)
features = make_union(
    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
)
a = features.fit_transform(x_train)
b = features.transform(x_out)
y_out = np.array(y_out)
print("seed", seed, "features", a.shape, flush=True)
started = time.time()
lr = LogisticRegression(C=10, max_iter=300).fit(a, y_train)
print("logistic regression", (lr.predict(b) == y_out).mean(), f"{time.time() - started:.0f} s",
      flush=True)
started = time.time()
mlp = MLPClassifier(hidden_layer_sizes=(512,), max_iter=12, alpha=1e-4,
                    random_state=seed).fit(a, y_train)
print("one hidden layer", (mlp.predict(b) == y_out).mean(), f"{time.time() - started:.0f} s",
      flush=True)
both = mlp.predict_proba(b) + lr.predict_proba(b)
print("both, averaged", (mlp.classes_[both.argmax(1)] == y_out).mean(), flush=True)
