#!/usr/bin/env bash
# Side by side with eager PyTorch: the peer script, then `smdp bench network` and `smdp bench
# sampling` against its timings, on one checkpoint, one after the other. Needs Debian's
# python3-torch (and libopenblas0-pthread for a fair peer; docs/BENCHMARKS.md).
# Usage: docs/scripts/peer_compare.sh [CKPT] [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:-$here/src/main/resources/models/smdp-heat-paper-ode.ckpt}"
out="${2:-$here/runs/bench/peer}"
mkdir -p "$out"
# The peer runs with the same glibc allocator settings as smdp4j's JVMs (allocator.env): without them
# its forward rows pay for fresh pages at every pass (32-35 ms instead of 44-48 ms at batch 32,
# measured on a Xeon), while its sampling loop warms the heap on its own (docs/BENCHMARKS.md).
(set -a; . "$here/src/main/resources/dev/smdp4j/allocator.env"; set +a
 /usr/bin/python3 "$here/docs/scripts/torch_peer.py" --model "$model" --out "$out/peer.json")
for target in network sampling; do
  "$here/smdp" bench "$target" --model "$model" --peer "$out/peer.json" --json > "$out/$target.json"
done
echo "wrote $out/peer.json, $out/network.json, $out/sampling.json (the side-by-side rows under \"peer\")"
