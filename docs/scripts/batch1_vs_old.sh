#!/usr/bin/env bash
# Batch-1 sampling of this build against an older build of smdp4j, alternating, one process at a
# time: `smdp bench sampling --batch 1` (each version's own default network, untrained, 32 steps of
# `ode` and `sde`), ROUNDS times each. Prints milliseconds per sample and the old/new ratio per round.
# Usage: [BENCH_ARGS="--repeats 15"] docs/scripts/batch1_vs_old.sh OLD_TREE [ROUNDS] [OUT_DIR]
#   BENCH_ARGS: extra options for both versions' `smdp bench` (both must know them)
#   OLD_TREE: a checkout of the older commit, e.g. `git worktree add ../smdp4j-old 522f761`
#   (its ./smdp builds itself on first use).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
old="${1:?usage: batch1_vs_old.sh OLD_TREE [ROUNDS] [OUT_DIR]}"
rounds="${2:-6}"
out="${3:-$here/runs/bench/batch1}"
[[ -x "$old/smdp" ]] || { echo "batch1_vs_old.sh: no smdp launcher in $old" >&2; exit 1; }
mkdir -p "$out"
row() { # the milliseconds of one sampler's row in a bench table
  grep -h "$1, 32 steps, 1 samples per batch" "$2" | awk -F'|' '{gsub(/ /, "", $4); print $4}'
}
printf '| round | ode old | ode new | ratio | sde old | sde new | ratio |\n|---|---|---|---|---|---|---|\n'
for r in $(seq 1 "$rounds"); do
  "$old/smdp" bench sampling --batch 1 ${BENCH_ARGS:-} > "$out/old-$r.txt" 2>/dev/null
  "$here/smdp" bench sampling --batch 1 ${BENCH_ARGS:-} > "$out/new-$r.txt" 2>/dev/null
  oo=$(row ode "$out/old-$r.txt"); on=$(row ode "$out/new-$r.txt")
  so=$(row sde "$out/old-$r.txt"); sn=$(row sde "$out/new-$r.txt")
  printf '| %s | %s | %s | %.2fx | %s | %s | %.2fx |\n' "$r" "$oo" "$on" "$(echo "$oo / $on" | bc -l)" \
    "$so" "$sn" "$(echo "$so / $sn" | bc -l)"
done
