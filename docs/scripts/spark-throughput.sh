#!/usr/bin/env bash
# Throughput of two single-core Spark executors against one JVM with two engine threads, at several
# job sizes, on one machine: for each size, `smdp sample` on one file of that many regenerated heat
# test observations, then `sample-batch` on the same file through spark-submit on a standalone
# cluster (docs/scripts/spark-standalone.sh), then a bit-for-bit comparison of the two outputs.
#
#   docs/scripts/spark-throughput.sh WORKDIR [SIZE ...]        (default sizes: 1024 3072)
#
# Prints one line per size: both wall times (spark-submit's, without the cluster's own start), the
# executors' summed task time, and the ratio of the rates. Environment: SAMPLES (K, default 1),
# EXECUTORS and EXECUTOR_CORES (default 2 and 1), PORT (default 7177).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:?usage: spark-throughput.sh WORKDIR [SIZE ...]}"
shift
sizes=("$@")
[[ ${#sizes[@]} == 0 ]] && sizes=(1024 3072)
samples="${SAMPLES:-1}"
mkdir -p "$work"
for n in "${sizes[@]}"; do
  in="$work/in-$n"
  if [[ ! -f "$in/test.npz" ]]; then
    "$here/smdp" generate --out "$work/data-$n" --train 10 --test "$n" > /dev/null
    mkdir -p "$in" && cp "$work/data-$n/test.npz" "$in/test.npz"
  fi
  cp="$here/target/classes:$(cat "$here/target/classpath.txt")"  # ./smdp has built it by now
  mkdir -p "$work/alone-$n"
  t0=$(date +%s.%N)
  "$here/smdp" sample --input "$in/test.npz" --samples "$samples" --seed 1 --quiet --force \
    --out "$work/alone-$n/test.npz" > /dev/null
  t1=$(date +%s.%N)
  rm -rf "$work/cluster-$n"
  INPUT="$in" SAMPLES="$samples" COMPARE=0 "$here/docs/scripts/spark-standalone.sh" "$work/cluster-$n" \
    > "$work/cluster-$n.log" 2>&1
  same="bit-identical"
  java -cp "$cp" "$here/docs/scripts/SplitShards.java" --compare "$work/cluster-$n/out.npz" "$work/alone-$n" \
    || same="DIFFERENT"
  alone=$(echo "$t1 - $t0" | bc)
  spark=$(sed -n 's/.*sample-batch via spark-submit \([0-9.]*\) s.*/\1/p' "$work/cluster-$n.log")
  tasks=$(sed -n 's/.*tasks (\([0-9.]*\) s summed over tasks).*/\1/p' "$work/cluster-$n.log")
  printf '%d observations x %d: smdp sample %.1f s; %s executors x %s core: %.1f s (tasks %.1f s summed); %.2fx; %s\n' \
    "$n" "$samples" "$alone" "${EXECUTORS:-2}" "${EXECUTOR_CORES:-1}" "$spark" "$tasks" \
    "$(echo "$alone / $spark" | bc -l)" "$same"
done
