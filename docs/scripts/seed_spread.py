#!/usr/bin/env python3
"""Table 1 over several `smdp reproduce` runs that differ only in --seed.

Usage: python3 docs/scripts/seed_spread.py runs/paper-s0 runs/paper-s1 [...]

Reads DIR/table1.json of each run and prints one markdown table: per row the value of every run,
their mean and their spread (max - min), for the reconstruction MSE [1e-5] and the spectral error,
beside the paper's numbers. Rows are matched by method name and sampler; the closed-form rows do
not depend on the training seed apart from sampling noise. Standard library only.
"""
import json
import sys
from pathlib import Path


def main(dirs):
    if len(dirs) < 2:
        sys.exit("usage: seed_spread.py RUN_DIR RUN_DIR [...]  (each with a table1.json)")
    docs = []
    for d in dirs:
        f = Path(d) / "table1.json"
        if not f.is_file():
            sys.exit(f"error: {f} does not exist; run 'smdp reproduce' into {d} first")
        docs.append(json.loads(f.read_text()))
    seeds = [str(doc.get("seed", "?")) for doc in docs]
    rows = {}
    order = []
    for i, doc in enumerate(docs):
        for r in doc["rows"]:
            key = (r["method"], r.get("sampler") or "")
            if key not in rows:
                rows[key] = {"paper": (r.get("paper_mse_1e5"), r.get("paper_spectral_error")), "runs": {}}
                order.append(key)
            rows[key]["runs"][i] = (r["mse_1e5"], r["spectral_error"])
    head = " | ".join(f"seed {s}" for s in seeds)
    print(f"| method | MSE [1e-5]: {head} | mean | spread | spectral: {head} | mean | spread | paper MSE | paper spectral |")
    print("|---|" + "---|" * (2 * len(docs) + 6))
    for key in order:
        r = rows[key]
        cells = []
        for m in (0, 1):
            vals = [r["runs"][i][m] if i in r["runs"] else None for i in range(len(docs))]
            got = [v for v in vals if v is not None]
            cells += [fmt(v) for v in vals]
            cells += [fmt(sum(got) / len(got)) if got else "-", fmt(max(got) - min(got)) if len(got) > 1 else "-"]
        pm, ps = r["paper"]
        print(f"| {key[0]} | " + " | ".join(cells) + f" | {fmt(pm)} | {fmt(ps)} |")
    print()
    print("Runs: " + ", ".join(f"{d} (seed {s}, commit {doc.get('commit', '?')})" for d, s, doc in zip(dirs, seeds, docs)))


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:.1f}"
    return f"{v:.3f}"


if __name__ == "__main__":
    main(sys.argv[1:])
