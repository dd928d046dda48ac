"""Why the physics surrogate is a spectral generator rather than a small convolution (docs/HISTORY.md,
"Learned physics"). For the heat step P_d(x) = H_d(x) - x at d = T/M on the states of noisy forward
trajectories of a data set (normalised units), prints
  - the least-squares optimal K x K convolution's one-step relative L2 error and the condition number
    of its tap basis under the states' spectrum, and
  - where Adam on the 7 x 7 taps gets in 2000 steps (per-batch relative loss, batches of 32 fields
    at one random state index, as `smdp train --method surrogate`).
Usage: python3 docs/scripts/surrogate_conditioning.py runs/paper   (numpy only; first 200 fields)
"""
import json
import sys

import numpy as np

data = sys.argv[1] if len(sys.argv) > 1 else "runs/paper"
meta = json.load(open(f"{data}/dataset.json"))
p = meta["parameters"]
x0 = np.load(f"{data}/train.npz")["x0"][:200].astype(np.float64)
x0 = (x0 - meta["normalisation"]["mean"]) / meta["normalisation"]["std"]
N, M, T, g, alpha = p["grid_size"], p["steps"], p["end_time"], p["diffusion"], p["alpha"]
k = np.fft.fftfreq(N, 1 / N)
K2 = k[:, None] ** 2 + k[None, :] ** 2
d = T / M
rng = np.random.default_rng(0)


def heat(x, span):
    return np.real(np.fft.ifft2(np.fft.fft2(x) * np.exp(-alpha * K2 * span)))


states = [x0]
x = x0
for _ in range(M):
    x = heat(x, d) + g * np.sqrt(d) * rng.standard_normal(x.shape)
    states.append(x)
energy = (np.abs(np.fft.fft2(np.concatenate(states))) ** 2).sum(0)  # per-mode energy of all states
m = np.exp(-alpha * K2 * d) - 1  # the exact multiplier of P_d


def tap_basis(size):
    r = size // 2
    idx = np.r_[0:r + 1, N - r:N]
    return np.stack([np.exp(-2j * np.pi * (k[:, None] * i + k[None, :] * j) / N) for i in idx for j in idx], -1)


def error(mh, w=energy):
    return np.sqrt((w * np.abs(mh - m) ** 2).sum() / (w * np.abs(m) ** 2).sum())


for size in (5, 7, 9, 11, 15):
    B = tap_basis(size).reshape(N * N, -1) * np.sqrt(energy.reshape(-1))[:, None]
    A = np.concatenate([B.real, B.imag])
    y = np.concatenate([m.reshape(-1) * np.sqrt(energy.reshape(-1)), np.zeros(N * N)])
    taps = np.linalg.lstsq(A, y, rcond=None)[0]
    sv = np.linalg.svd(A, compute_uv=False)
    print(f"{size}x{size} taps: least-squares one-step error {error((tap_basis(size) @ taps)):.4f}, "
          f"condition number {sv[0] / sv[-1]:.0f}")

B = tap_basis(7)
per_state = np.abs(np.fft.fft2(np.stack(states))) ** 2  # [M + 1, fields, N, N]
taps = np.zeros(B.shape[-1])
mom = np.zeros_like(taps)
var = np.zeros_like(taps)
steps = 2000
for t in range(1, steps + 1):
    w = per_state[rng.integers(M + 1), rng.integers(0, 200 - 32):][:32].sum(0)
    res = B @ taps - m
    grad = 2 * np.real(np.einsum("ab,abt->t", w * np.conj(res), B)) / (w * m ** 2).sum()
    lr = 1e-2 * (1e-5 / 1e-2) ** (t / steps)
    mom = 0.9 * mom + 0.1 * grad
    var = 0.999 * var + 0.001 * grad ** 2
    taps -= lr * (mom / (1 - 0.9 ** t)) / (np.sqrt(var / (1 - 0.999 ** t)) + 1e-8)
print(f"7x7 taps by Adam (lr 1e-2 -> 1e-5, {steps} steps): one-step error {error(B @ taps):.4f}")
