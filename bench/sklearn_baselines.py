#!/usr/bin/env python3
"""scikit-learn's side of docs/baselines.md: LinearSVC, LogisticRegression and PCA + LinearSVC
on the same Fashion-MNIST split and preprocessing as examples/baselines.cpp (pixels/255, mean
image subtracted, divided by the overall standard deviation; PCA fitted on pixels/255 and its
features standardised per column).

Times are process CPU seconds (time.process_time); run with OMP_NUM_THREADS=1
OPENBLAS_NUM_THREADS=1 to compare with nabla's single-thread numbers.

Usage: /usr/bin/python3 bench/sklearn_baselines.py [--data DIR] [--train-subset N] [--pca N]
                                                   [--only svm,logreg,pca]
"""
import argparse
import gzip
import os
import time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(data_dir, prefix):
    x = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255
    y = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    return x, y


def timed(name, make, xtr, ytr, xte, yte):
    t0 = time.process_time()
    clf = make().fit(xtr, ytr)
    secs = time.process_time() - t0
    acc = clf.score(xte, yte)
    print(f"| {name} | {acc:.4f} | {secs:.1f} |", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--train-subset", type=int, default=0)
    ap.add_argument("--pca", type=int, default=50)
    ap.add_argument("--only", default="svm,logreg,pca")
    args = ap.parse_args()
    only = set(args.only.split(","))
    xtr, ytr = load(args.data, "train")
    xte, yte = load(args.data, "t10k")
    if args.train_subset > 0:
        xtr, ytr = xtr[: args.train_subset], ytr[: args.train_subset]
    mean = xtr.mean(axis=0, keepdims=True)
    scale = 1.0 / (xtr - mean).std(ddof=1)
    ptr, pte = (xtr - mean) * scale, (xte - mean) * scale
    print(f"Fashion-MNIST: {len(xtr)} train, {len(xte)} test images")
    print("| method (scikit-learn) | test accuracy | CPU s |\n|---|---|---|")
    if "svm" in only:
        timed("LinearSVC (pixels, C=1, primal)", lambda: LinearSVC(C=1.0, dual=False), ptr, ytr, pte, yte)
    if "logreg" in only:
        timed("LogisticRegression (pixels, lbfgs, 100 iterations)",
              lambda: LogisticRegression(max_iter=100), ptr, ytr, pte, yte)
    if "pca" in only:
        t0 = time.process_time()
        pca = PCA(n_components=args.pca, svd_solver="full").fit(xtr)
        ztr, zte = pca.transform(xtr), pca.transform(xte)
        print(f"| PCA-{args.pca} fit ({100 * pca.explained_variance_ratio_.sum():.0f}% variance) | – | "
              f"{time.process_time() - t0:.1f} |", flush=True)
        mu, sd = ztr.mean(axis=0), ztr.std(axis=0, ddof=1)
        timed(f"PCA-{args.pca} + LinearSVC", lambda: LinearSVC(C=1.0, dual=False), (ztr - mu) / sd, ytr,
              (zte - mu) / sd, yte)


if __name__ == "__main__":
    main()
