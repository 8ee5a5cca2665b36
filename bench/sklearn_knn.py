#!/usr/bin/python3
"""scikit-learn's brute-force k-NN on Fashion-MNIST, the peer of examples/knn.cpp.

Usage: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/sklearn_knn.py \
           [--data DIR] [--metric euclidean|manhattan|both] [--k 5] [--test-subset N] [--n-jobs 1]
Prints the test accuracy and the process CPU time and wall time of predict().
Pixels are passed as float64 (scikit-learn's usual dtype), unscaled.
"""
import argparse
import gzip
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--metric", default="both")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--test-subset", type=int, default=0)
    p.add_argument("--n-jobs", type=int, default=1)
    a = p.parse_args()
    xtr = read_idx(a.data + "/train-images-idx3-ubyte.gz").reshape(60000, -1).astype(np.float64)
    ytr = read_idx(a.data + "/train-labels-idx1-ubyte.gz")
    xte = read_idx(a.data + "/t10k-images-idx3-ubyte.gz").reshape(10000, -1).astype(np.float64)
    yte = read_idx(a.data + "/t10k-labels-idx1-ubyte.gz")
    if a.test_subset:
        xte, yte = xte[: a.test_subset], yte[: a.test_subset]
    metrics = ["manhattan", "euclidean"] if a.metric == "both" else [a.metric]
    for metric in metrics:
        clf = KNeighborsClassifier(n_neighbors=a.k, algorithm="brute", metric=metric, n_jobs=a.n_jobs)
        clf.fit(xtr, ytr)
        c0, w0 = time.process_time(), time.perf_counter()
        pred = clf.predict(xte)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        acc = float(np.mean(pred == yte))
        print(f"sklearn {metric} k={a.k}: test accuracy {acc:.4f}  (predict: {cpu:.2f} s CPU, {wall:.2f} s wall)",
              flush=True)


if __name__ == "__main__":
    main()
