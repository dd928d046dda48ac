#!/usr/bin/env python3
"""Reconstruction MSE of predictions split by Fourier ring, and the per-ring regression slope.

The benchmark's MSE compares H_T(x0_pred) with H_T(x0) (docs/HISTORY.md), which by Parseval is a
sum over modes k of |H_T(k)|^2 |X0_pred(k) - X0(k)|^2 / N^4 per pixel. This script reports that sum
per ring r = floor(|k|) (in 1e-5, normalised units, as the tables), and for rings >= 1 the slope of
the least-squares fit X0_pred(k) ~ slope * X0(k): 1 = no systematic shrinkage.

Usage: ode_rings.py DATA_DIR/test.npz PRED.npz [PRED.npz ...]
(the data set's dataset.json, next to test.npz, gives the normalisation, alpha and T; PRED.npz holds
key x0 [n, K, N, N] as written by `smdp sample`, of which sample 0 is used.)
"""
import json
import os
import sys

import numpy as np

RINGS = 6


def main(test_file, preds):
    meta = json.load(open(os.path.join(os.path.dirname(test_file), "dataset.json")))
    p = meta["parameters"]
    norm = meta["normalisation"]
    x0 = (np.load(test_file)["x0"] - norm["mean"]) / norm["std"]
    n = x0.shape[-1]
    k = np.fft.fftfreq(n, 1.0 / n)
    k2 = k[:, None] ** 2 + k[None, :] ** 2
    gain = np.exp(-p["alpha"] * k2 * p["end_time"])
    ring = np.floor(np.sqrt(k2) + 1e-9).astype(int)
    truth = np.fft.fft2(x0)
    print("%-32s %7s  %s" % ("predictions", "MSE", "  ".join("ring %d" % r for r in range(RINGS))))
    for f in preds:
        pred = (np.load(f)["x0"][:, 0] - norm["mean"]) / norm["std"]
        spectrum = np.fft.fft2(pred)
        power = np.abs((spectrum - truth) * gain) ** 2 / n ** 4  # per pixel, summed over modes
        per_ring = [power[:, ring == r].sum(axis=1).mean() * 1e5 for r in range(RINGS)]
        slopes = []
        for r in range(1, RINGS):
            m = ring == r
            slopes.append(np.real(np.conj(truth[:, m]) * spectrum[:, m]).sum() / (np.abs(truth[:, m]) ** 2).sum())
        print("%-32s %7.3f  %s" % (os.path.basename(f), power.sum(axis=(1, 2)).mean() * 1e5,
                                   "  ".join("%6.3f" % v for v in per_ring)))
        print("%-32s %7s  %6s  %s" % ("  slope", "", "", "  ".join("%6.3f" % v for v in slopes)))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
