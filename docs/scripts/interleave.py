#!/usr/bin/env python3
"""Times the same sampling rows on several timing servers, block by block in alternation, and prints
the speed ratio of every pair of servers.

Why: on a shared or virtual machine the speed of the CPU changes over tens of seconds (measured on a
2-core virtual machine: one process alternated between about 67 and 100-125 ms per batch-1 sample in
phases of 20-40 s). Two programs timed one after the other, each in its own process, then differ
by up to 1.8x from that alone. Here every server stays loaded and warm, and for every row the servers
take turns with short blocks, so that each round compares blocks run seconds apart. The speed ratio
of every pair of servers (a later one against an earlier one: the earlier one's time over the later
one's) is taken per round; its median and quartiles are reported.

A timing server is any command that prints "ready" on stdout once loaded, then answers each stdin
line "SAMPLER BATCH SECONDS" with a line "SECONDS_PER_CALL CALLS", having run that row's calls back
to back for at least SECONDS. docs/scripts/interleave/java_server.sh (a build of smdp4j) and
`docs/scripts/torch_peer.py --serve` (eager PyTorch) are such servers.

Usage:
  docs/scripts/interleave.py --server old='docs/scripts/interleave/java_server.sh ../old default' \\
      --server new='docs/scripts/interleave/java_server.sh . default' --rows ode/1,sde/1 --out runs/bench/i1
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


class Server:
    def __init__(self, label, command, log):
        self.label = label
        self.command = command
        self.log = open(log, "w")
        self.proc = subprocess.Popen(["bash", "-c", command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True, bufsize=1)
        self.log_path = log

    def expect_ready(self):
        while True:
            line = self.proc.stdout.readline()
            if not line:
                self.fail("exited before it was ready")
            if line.strip() == "ready":
                return

    def run(self, sampler, batch, seconds):
        """Seconds per call of the row, over a block of at least `seconds`."""
        try:
            self.proc.stdin.write(f"{sampler} {batch} {seconds}\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.fail("exited")
        line = self.proc.stdout.readline()
        if not line:
            self.fail(f"exited while timing {sampler}/{batch}")
        per_call, calls = line.split()
        return float(per_call), int(calls)

    def fail(self, what):
        self.log.flush()
        tail = open(self.log_path).read()[-2000:]
        sys.exit(f"interleave.py: server {self.label} {what}; its stderr ({self.log_path}) ends with:\n{tail}")

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def quartiles(values):
    v = sorted(values)
    return v[len(v) // 4], statistics.median(v), v[(3 * len(v)) // 4]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", action="append", required=True, metavar="LABEL=COMMAND",
                    help="a timing server (at least two)")
    ap.add_argument("--rows", default="ode/1,sde/1", help="SAMPLER/BATCH,... (default ode/1,sde/1)")
    ap.add_argument("--rounds", type=int, default=12, help="alternating rounds per row (default 12)")
    ap.add_argument("--block", type=float, default=2.0,
                    help="seconds per timed block, at least one call (default 2)")
    ap.add_argument("--warm-up", type=float, default=6.0,
                    help="untimed seconds per server before each row (default 6)")
    ap.add_argument("--out", required=True, help="directory for results.json and the servers' logs")
    ap.add_argument("--force", action="store_true", help="replace an earlier results.json in --out")
    args = ap.parse_args()
    if len(args.server) < 2:
        sys.exit("interleave.py: need at least two --server")
    if args.rounds < 1 or args.block <= 0 or args.warm_up < 0:
        sys.exit("interleave.py: --rounds must be >= 1, --block > 0, --warm-up >= 0")
    rows = []
    for r in args.rows.split(","):
        sampler, _, batch = r.partition("/")
        if not batch.isdigit() or int(batch) < 1:
            sys.exit(f"interleave.py: a row is SAMPLER/BATCH with BATCH >= 1, got {r!r}")
        rows.append((sampler, int(batch)))
    if os.path.exists(os.path.join(args.out, "results.json")) and not args.force:
        sys.exit(f"interleave.py: {args.out} already holds results.json; choose another --out or pass --force")
    os.makedirs(args.out, exist_ok=True)
    servers = []
    for spec in args.server:
        label, eq, command = spec.partition("=")
        if not eq or not command:
            sys.exit(f"interleave.py: --server is LABEL=COMMAND, got {spec!r}")
        servers.append(Server(label, command, os.path.join(args.out, f"{label}.log")))
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    try:
        for s in servers:  # load one after the other: loading competes for the cores
            s.expect_ready()
        result = {"started": started, "servers": {s.label: s.command for s in servers},
                  "rounds": args.rounds, "block_seconds": args.block, "rows": []}
        pairs = [(a, b) for i, a in enumerate(servers) for b in servers[i + 1:]]
        print(f"| row | " + " | ".join(f"{s.label} ms" for s in servers) + " | "
              + " | ".join(f"{b.label} vs {a.label}" for a, b in pairs) + " |")
        print("|---" * (1 + len(servers) + len(pairs)) + "|")
        for sampler, batch in rows:
            for s in servers:
                s.run(sampler, batch, args.warm_up)
            times = {s.label: [] for s in servers}
            for r in range(args.rounds):
                order = servers if r % 2 == 0 else servers[::-1]
                for s in order:
                    times[s.label].append(s.run(sampler, batch, args.block)[0])
            row = {"sampler": sampler, "batch": batch, "millis": times, "speed": {}}
            cells = [f"{statistics.median(times[s.label]) * 1e3:.1f}" for s in servers]
            for a, b in pairs:
                q1, med, q3 = quartiles([ta / tb for ta, tb in zip(times[a.label], times[b.label])])
                row["speed"][f"{b.label} vs {a.label}"] = {"median": med, "q1": q1, "q3": q3}
                cells.append(f"{med:.2f}x ({q1:.2f}-{q3:.2f})")
            for s in servers:
                row["millis"][s.label] = [t * 1e3 for t in times[s.label]]
            result["rows"].append(row)
            print(f"| `{sampler}`, batch {batch} | " + " | ".join(cells) + " |", flush=True)
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(result, f, indent=1)
        print(f"(speeds: 'B vs A' is the median over rounds of A's time / B's time, quartiles in brackets; "
              f"wrote {os.path.join(args.out, 'results.json')})")
    finally:
        for s in servers:
            s.close()


if __name__ == "__main__":
    main()
