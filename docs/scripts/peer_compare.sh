#!/usr/bin/env bash
# Side by side with eager PyTorch, on one checkpoint:
#  1. the peer script, then `smdp bench network --peer`: both sides compute the same function (the
#     output check) and the network rows (forward, forward+backward at batch 1, 32, 128);
#  2. the sampling rows (`ode`, `sde` at batch 1, 32, 128), timed in alternation by
#     docs/scripts/interleave.py (10 rounds), because this machine's speed drifts over tens of
#     seconds (docs/BENCHMARKS.md). SAMPLING=sequential instead runs `smdp bench sampling --peer`,
#     which times the two sides one after the other, as before.
# Needs Debian's python3-torch (and libopenblas0-pthread for a fair peer; docs/BENCHMARKS.md).
# Usage: [SAMPLING=sequential] docs/scripts/peer_compare.sh [CKPT] [OUT_DIR]   (about 12 minutes)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:-$here/src/main/resources/models/smdp-heat-paper-ode.ckpt}"
out="${2:-$here/runs/bench/peer}"
[[ -f "$model" ]] || { echo "peer_compare.sh: no checkpoint $model" >&2; exit 1; }
model="$(cd "$(dirname "$model")" && pwd)/$(basename "$model")"
if [[ "${SAMPLING:-interleaved}" != sequential && -e "$out/sampling/results.json" ]]; then
  echo "peer_compare.sh: $out already holds a comparison; choose another OUT_DIR" >&2; exit 1
fi
mkdir -p "$out"
# The peer runs with the same glibc allocator settings as smdp4j's JVMs (allocator.env): without them
# its forward rows pay for fresh pages at every pass (32-35 ms instead of 44-48 ms at batch 32,
# measured on a Xeon), while its sampling loop warms the heap on its own (docs/BENCHMARKS.md).
set -a; . "$here/src/main/resources/dev/smdp4j/allocator.env"; set +a
/usr/bin/python3 "$here/docs/scripts/torch_peer.py" --model "$model" --out "$out/peer.json"
"$here/smdp" bench network --model "$model" --peer "$out/peer.json" --json > "$out/network.json"
if [[ "${SAMPLING:-interleaved}" == sequential ]]; then
  "$here/smdp" bench sampling --model "$model" --peer "$out/peer.json" --json > "$out/sampling.json"
  echo "wrote $out/peer.json, $out/network.json, $out/sampling.json (the side-by-side rows under \"peer\")"
else
  python3 "$here/docs/scripts/interleave.py" --out "$out/sampling" --rows ode/1,sde/1,ode/32,sde/32,ode/128,sde/128 \
    --rounds 10 --block 2 --warm-up 6 \
    --server peer="$here/docs/scripts/interleave/peer_server.sh $model" \
    --server smdp4j="$here/docs/scripts/interleave/java_server.sh $here $model" | tee "$out/sampling.md"
  echo "wrote $out/peer.json, $out/network.json (the side-by-side network rows under \"peer\"), $out/sampling.md and $out/sampling/results.json"
fi
