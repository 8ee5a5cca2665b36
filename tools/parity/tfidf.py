#!/usr/bin/python3
"""scikit-learn parity fixture for nabla's TfidfVectorizer (nabla/data/text_features.h).

Run with Debian's python3-sklearn:  /usr/bin/python3 tools/parity/tfidf.py
Writes tests/fixtures/parity/tfidf.safetensors. The documents below are split on single spaces
on both sides and handed to scikit-learn pre-tokenised (analyzer=lambda doc: doc), so only the
weighting is compared. For every configuration NAME it stores NAME.train (fit_transform of
TRAIN), NAME.test (transform of TEST, whose unknown tokens are ignored) and NAME.idf (when
use_idf). tests/data/text_features_test.cpp holds the same documents and configurations (keep
both in sync).
"""
import os

import torch
from sklearn.feature_extraction.text import TfidfVectorizer

from safetensors_writer import write_safetensors

TRAIN = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog",
    "the the the end",
    "mat log mat log cat",
]
TEST = [
    "the cat and the bird",
    "unknown words only",
    "dog dog dog mat",
]

CONFIGS = {
    "default": {},
    "sublinear_l1": {"sublinear_tf": True, "norm": "l1"},
    "raw_idf_no_norm": {"smooth_idf": False, "norm": None},
    "no_idf": {"use_idf": False},
}


def main():
    tensors = {}
    split = lambda docs: [d.split(" ") for d in docs]
    for name, kwargs in CONFIGS.items():
        vec = TfidfVectorizer(analyzer=lambda doc: doc, **kwargs)
        tensors[name + ".train"] = torch.from_numpy(vec.fit_transform(split(TRAIN)).toarray())
        tensors[name + ".test"] = torch.from_numpy(vec.transform(split(TEST)).toarray())
        if vec.use_idf:
            tensors[name + ".idf"] = torch.from_numpy(vec.idf_.copy())
        assert list(vec.get_feature_names_out()) == sorted(vec.vocabulary_)
    out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "parity", "tfidf.safetensors")
    write_safetensors(out, tensors)


if __name__ == "__main__":
    main()
