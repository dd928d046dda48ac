#!/usr/bin/env python3
"""Eager-PyTorch peer of smdp4j's score network, for side-by-side speed measurements.

Builds the network described by an smdp4j checkpoint (its checkpoint.json), loads the checkpoint's
weights, evaluates it on a fixed input (written to the output JSON, so that `smdp bench --peer`
can check that both implementations compute the same function), and times, with the given number
of intra-op threads:

  * the network forward (no autograd) and forward+backward (gradients of all parameters) at each batch;
  * `ode` and `sde` posterior sampling: the reverse Euler loop of Algorithm 1 over the checkpoint's
    time grid, with the exact heat step as two matrix products (as smdp4j's default scheme).

The network is written as a PyTorch user would write it: `F.pad(mode="circular")`, `F.conv2d` with
dilation, `torch.fft.rfft2`/`irfft2`, complex `einsum` for the spectral branch.

Usage (Debian: apt-get install python3-torch; the system interpreter):

    /usr/bin/python3 docs/scripts/torch_peer.py --model CKPT --out runs/bench/peer.json
    ./smdp bench network --model CKPT --peer runs/bench/peer.json

With --serve it is instead a timing server for docs/scripts/interleave.py: it prints "ready", then
answers each stdin line "SAMPLER BATCH SECONDS" with "SECONDS_PER_CALL CALLS" (sampling calls of that
row, back to back for at least SECONDS), so that smdp4j and the peer can be timed in alternating blocks.

Only the score-net architecture of SMDP and the reverse-process baselines is supported.
"""
import argparse
import io
import json
import math
import platform
import sys
import time
import zipfile

import numpy as np
import torch
import torch.nn.functional as F


def load_checkpoint(path):
    with zipfile.ZipFile(path) as z:
        meta = json.loads(z.read("checkpoint.json"))
        params = {}
        for name in z.namelist():
            if name.startswith("tensors/param/") and name.endswith(".npy"):
                key = name[len("tensors/param/"):-len(".npy")]
                params[key] = np.load(io.BytesIO(z.read(name)))
    return meta, params


def param(params, suffix):
    """The parameter whose stored name ends with `suffix` (names carry a block-order prefix, e.g. 02block0_conv0_)."""
    hits = [k for k in params if k.endswith(suffix)]
    if len(hits) != 1:
        raise SystemExit(f"checkpoint: expected one parameter ending in {suffix!r}, found {hits}")
    return torch.from_numpy(params[hits[0]].astype(np.float32)).clone()


class ScoreNet(torch.nn.Module):
    """smdp4j's ScoreNet: lift, residual blocks of dilated circular convolutions, projection,
    optional exclusive spectral branch fed by the last hidden layer and powers of the time channel
    times the field."""

    def __init__(self, cfg, params):
        super().__init__()
        self.kernel = cfg["kernel"]
        self.blocks = cfg["blocks"]
        self.dilations = [cfg["dilations"][j % len(cfg["dilations"])] for j in range(2 * self.blocks)]
        self.activation = cfg["activation"]
        self.modes = cfg.get("spectral_modes", 0)
        self.powers = cfg.get("spectral_field_powers", [])
        self.exclusive = cfg.get("spectral_exclusive", False)

        def conv(prefix):
            return (torch.nn.Parameter(param(params, prefix + "_01conv_weight")),
                    torch.nn.Parameter(param(params, prefix + "_01conv_bias")))

        self.lift_w, self.lift_b = conv("lift")
        ws, bs = [], []
        for j in range(2 * self.blocks):
            w, b = conv(f"block{j // 2}_conv{j % 2}")
            ws.append(w)
            bs.append(b)
        self.ws = torch.nn.ParameterList(ws)
        self.bs = torch.nn.ParameterList(bs)
        self.proj_w, self.proj_b = conv("project")
        if self.modes > 0:
            # stored as [C_in, C_out, 2m, m] real and imaginary parts; rows 0..m-1 are wavenumbers 0..m-1,
            # rows m..2m-1 wavenumbers -m..-1
            self.spec_re = torch.nn.Parameter(param(params, "spectral_weight_real"))
            self.spec_im = torch.nn.Parameter(param(params, "spectral_weight_imag"))

    def act(self, x):
        return F.gelu(x) if self.activation == "gelu" else F.leaky_relu(x, 0.01)

    def cconv(self, x, w, b, dilation):
        p = dilation * (self.kernel - 1) // 2
        if p > 0:
            x = F.pad(x, (p, p, p, p), mode="circular")
        return F.conv2d(x, w, b, dilation=dilation)

    def forward(self, inp):
        h = self.cconv(inp, self.lift_w, self.lift_b, 1)
        for j in range(0, 2 * self.blocks, 2):
            r = self.cconv(self.act(h), self.ws[j], self.bs[j], self.dilations[j])
            r = self.cconv(self.act(r), self.ws[j + 1], self.bs[j + 1], self.dilations[j + 1])
            h = h + r
        out = self.cconv(self.act(h), self.proj_w, self.proj_b, 1)
        if self.modes == 0:
            return out
        n = inp.shape[-1]
        m = self.modes
        if self.exclusive:
            spec = torch.fft.rfft2(out)
            mask = torch.ones(n, n // 2 + 1, device=out.device)
            mask[:m, :m] = 0
            mask[n - m:, :m] = 0
            mask[m, 0] = 0
            out = torch.fft.irfft2(spec * mask, s=(n, n))
        x = inp[:, 0:1]
        tau = inp[:, 1:2]
        terms = [h] + [x if j == 0 else x * tau ** j for j in self.powers]
        branch = torch.cat(terms, 1)
        spec = torch.fft.rfft2(branch)
        kept = torch.cat([spec[:, :, :m, :m], spec[:, :, n - m:, :m]], 2)
        weight = torch.complex(self.spec_re, self.spec_im)
        mixed = torch.einsum("bixy,ioxy->boxy", kept, weight)
        full = torch.zeros(inp.shape[0], mixed.shape[1], n, n // 2 + 1, dtype=mixed.dtype, device=inp.device)
        full[:, :, :m, :m] = mixed[:, :, :m]
        full[:, :, n - m:, :m] = mixed[:, :, m:]
        return out + torch.fft.irfft2(full, s=(n, n))


def circulant(n, alpha, d):
    k = np.fft.fftfreq(n, 1.0 / n)
    column = np.array([np.sum(np.exp(-alpha * k * k * d) * np.cos(2 * np.pi * k * m / n)) / n for m in range(n)])
    idx = (np.arange(n)[:, None] - np.arange(n)[None, :]) % n
    return torch.from_numpy(column[idx].astype(np.float32))


class Model:
    """The network as smdp4j's sampler sees it: inputs [x, t/T, physics feature], output scale, score factor."""

    def __init__(self, meta, params):
        cfg = meta["network"]
        if cfg.get("architecture") != "score-net":
            raise SystemExit(f"only the score-net architecture is supported, got {cfg.get('architecture')}")
        ds = meta["dataset"]["parameters"]
        self.n = ds["grid_size"]
        self.end_time = ds["end_time"]
        self.steps = ds["steps"]
        self.g = ds["diffusion"]
        self.alpha = ds["alpha"]
        self.span = self.end_time / self.steps
        root = self.g * math.sqrt(self.span)
        self.physics_feature = meta["method"] == "smdp"
        if meta["method"] in ("ism", "ssm-vr"):
            raise SystemExit("score-matching checkpoints use the MLP network; not supported here")
        self.out_scale = 2 / root if root > 0 else 1.0
        self.feature_scale = 1 / root if root > 0 else 1.0
        self.factor = meta.get("training", {}).get("score_factor", 0.5)
        self.net = ScoreNet(cfg, params)
        self.a = circulant(self.n, self.alpha, self.span)

    def heat_increment(self, x):
        return self.a @ x @ self.a - x  # H_d(x) - x, with A symmetric

    def output(self, x, t):
        b = x.shape[0]
        chans = [x.unsqueeze(1), torch.full((b, 1, self.n, self.n), t / self.end_time, dtype=x.dtype)]
        if self.physics_feature:
            chans.append((self.heat_increment(x) * self.feature_scale).unsqueeze(1))
        return self.net(torch.cat(chans, 1)).squeeze(1) * self.out_scale

    def sample(self, y, noisy, generator):
        x = y
        for m in range(self.steps, 0, -1):
            t = m * self.span
            x = x - self.heat_increment(x) + (self.span * self.g * self.g * self.factor) * self.output(x, t)
            if noisy and m > 1:
                x = x + self.g * math.sqrt(self.span) * torch.randn(x.shape, generator=generator)
        return x


def check_input(batch, n):
    """A fixed smooth input, rebuilt by `smdp bench --peer` from the same formula."""
    b = np.arange(batch)[:, None, None]
    r = np.arange(n)[None, :, None]
    c = np.arange(n)[None, None, :]
    return (np.sin(2 * np.pi * (r + 2 * b) / n) * np.cos(4 * np.pi * c / n) + 0.1 * (b + 1)).astype(np.float32)


def timed(call, repeats, warm_up=1.0, block=0.2):
    """Median seconds per call over `repeats` timed blocks, as `smdp bench` times: warm-up calls
    for at least `warm_up` seconds (and at least two), calls shorter than `block` seconds timed in
    blocks of about that length."""
    start = time.perf_counter()
    warm = 0
    while warm < 2 or time.perf_counter() - start < warm_up:
        call()
        warm += 1
    per_call = (time.perf_counter() - start) / warm
    inner = max(1, min(1000, int(block / max(per_call, 1e-9))))
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            call()
        ts.append((time.perf_counter() - t0) / inner)
    ts.sort()
    return ts[len(ts) // 2]


def serve(model):
    """The timing-server loop of --serve (see the module's doc): sampling rows on the check input."""
    gen = torch.Generator().manual_seed(3)
    n = model.n
    y = torch.from_numpy(check_input(1, n))
    print("ready", flush=True)
    for line in sys.stdin:
        sampler, batch, seconds = line.split()
        if sampler not in ("ode", "sde"):
            sys.exit(f"torch_peer.py: unknown sampler {sampler!r} (ode or sde)")
        yb = y.expand(int(batch), n, n).contiguous()
        calls = 0
        start = time.perf_counter()
        with torch.no_grad():
            while calls == 0 or time.perf_counter() - start < float(seconds):
                model.sample(yb, sampler == "sde", gen)
                calls += 1
        print(f"{(time.perf_counter() - start) / calls} {calls}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="smdp4j checkpoint (.ckpt)")
    ap.add_argument("--out", help="JSON file to write (required unless --serve)")
    ap.add_argument("--serve", action="store_true", help="be a timing server for interleave.py (see above)")
    ap.add_argument("--threads", type=int, default=2, help="intra-op threads (default 2)")
    ap.add_argument("--batches", default="1,32,128", help="batch sizes (default 1,32,128)")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats, median reported (default 5)")
    ap.add_argument("--sampling-repeats", type=int, default=3, help="timed sampling repeats (default 3)")
    args = ap.parse_args()
    if not args.serve and not args.out:
        ap.error("--out is required unless --serve")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    meta, params = load_checkpoint(args.model)
    model = Model(meta, params)
    if args.serve:
        serve(model)
        return
    net_params = list(model.net.parameters())
    batches = [int(b) for b in args.batches.split(",")]
    n = model.n

    check_t = 0.1
    xin = torch.from_numpy(check_input(2, n))
    with torch.no_grad():
        out = model.output(xin, check_t)
        # the same function in float64: the scale of float32 round-off for this network and input
        exact = Model(meta, params)
        exact.net = exact.net.double()
        exact.a = exact.a.double()
        out64 = exact.output(xin.double(), check_t)
    result = {
        "peer": "eager PyTorch",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "model": args.model,
        "check": {"t": check_t, "batch": 2, "grid": n, "output": out.numpy().ravel().tolist(),
                  "output_float64": out64.numpy().ravel().tolist()},
        "rows": [],
    }

    def row(group, name, seconds, rate, unit):
        result["rows"].append({"group": group, "name": name, "millis": seconds * 1e3, "rate": rate, "unit": unit})
        print(f"  {group:9s} {name:58s} {seconds * 1e3:10.2f} ms", file=sys.stderr)

    for b in batches:
        x = torch.randn(b, n, n)
        with torch.no_grad():
            s = timed(lambda: model.output(x, 0.1), args.repeats)
        row("network", f"forward, batch {b}", s, b / s, "evals/s")

        def fwd_bwd():
            for p in net_params:
                p.grad = None
            model.output(x, 0.1).square().mean().backward()

        s = timed(fwd_bwd, args.repeats)
        row("network", f"forward+backward, batch {b}", s, b / s, "evals/s")

    gen = torch.Generator().manual_seed(3)
    y = torch.from_numpy(check_input(1, n))
    for sampler in ("ode", "sde"):
        for b in batches:
            yb = y.expand(b, n, n).contiguous()
            with torch.no_grad():
                s = timed(lambda: model.sample(yb, sampler == "sde", gen), args.sampling_repeats)
            row("sampling", f"{sampler}, {model.steps} steps, {b} samples per batch", s, b / s, "samples/s")
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
