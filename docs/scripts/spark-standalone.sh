#!/usr/bin/env bash
# Runs 'smdp sample-batch' through spark-submit on a standalone Spark cluster of one Master and one
# Worker, all on the loopback address of this machine, and checks that the samples are bit-identical
# to 'smdp sample' on the same observations. No Spark distribution is needed: the Master, the Worker and
# spark-submit run as plain 'java -cp' processes from Spark's jars in the local Maven repository (the
# spark profile lists them in target/classpath-spark.txt), linked into a minimal Spark home.
#
#   docs/scripts/spark-standalone.sh [WORKDIR]     (default: a new temporary directory)
#
# Environment: OBS (observations, default 256, in shards of 100), SAMPLES (K, default 2), STEPS (default:
# the model's), EXECUTORS (default 2), EXECUTOR_CORES (task slots per executor, default 1; one engine
# thread per task), PORT (Master, default 7177), INPUT (a directory of
# shards to use instead of generated ones), COMPARE (0: skip the comparison with smdp sample).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
obs="${OBS:-256}" samples="${SAMPLES:-2}" executors="${EXECUTORS:-2}" port="${PORT:-7177}"
executor_cores="${EXECUTOR_CORES:-1}"
steps=(); [[ -n "${STEPS:-}" ]] && steps=(--steps "$STEPS")
export DJL_OFFLINE=true OPT_OUT_TRACKING=true SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.13
# the allocator settings of ./smdp (NAME=VALUE lines; a value already in the environment wins)
while IFS='=' read -r name value; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  export "$name=${!name:-$value}"
done < "$here/src/main/resources/dev/smdp4j/allocator.env"

jar="$(ls "$here"/target/smdp4j-*-spark.jar 2>/dev/null | head -1 || true)"
if [[ -z "$jar" || ! -f "$here/target/classpath-spark.txt" ]]; then
  echo "building the jar for spark-submit (mvn -Pspark package) ..." >&2
  (cd "$here" && mvn -B -q -Pspark package -DskipTests >&2)
  jar="$(ls "$here"/target/smdp4j-*-spark.jar | head -1)"
fi

# A minimal Spark home: jars/ holds Spark's jars (the Worker puts them on its executors' class path).
export SPARK_HOME="$work/spark-home"
mkdir -p "$SPARK_HOME/jars" "$work/worker" "$work/logs"
# (plus SLF4J: the profile leaves out Spark's log4j provider, since the project brings slf4j-simple)
{ tr ':' '\n' < "$here/target/classpath-spark.txt"; echo; tr ':' '\n' < "$here/target/classpath.txt" | grep -E '/slf4j-(api|simple)-'; } |
  while read -r j; do
    [[ -n "$j" ]] && ln -sf "$j" "$SPARK_HOME/jars/$(basename "$j")"
  done
opens=()
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
    java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
opens+=(-Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true)
spark_cp="$SPARK_HOME/jars/*"

# Observations: the heat benchmark's test fields, regenerated, in shards of 100 (the last one shorter).
input="${INPUT:-$work/in}"
if [[ ! -d "$input" ]]; then
  "$here/smdp" generate --out "$work/data" --train 10 --test "$obs" > /dev/null
  java -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" "$here/docs/scripts/SplitShards.java" \
    "$work/data/test.npz" y 100 "$work/in"
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

start=$(date +%s.%N)
java -Xmx512m "${opens[@]}" -cp "$spark_cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" \
  --webui-port 0 > "$work/logs/master.log" 2>&1 &
pids+=($!)
java -Xmx512m "${opens[@]}" -cp "$spark_cp" org.apache.spark.deploy.worker.Worker "spark://127.0.0.1:$port" \
  --host 127.0.0.1 --cores "$((executors * executor_cores))" --memory "$((executors * 2))g" --webui-port 0 --work-dir "$work/worker" \
  > "$work/logs/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  grep -q "Successfully registered with master" "$work/logs/worker.log" 2>/dev/null && break
  sleep 1
done
grep -q "Successfully registered with master" "$work/logs/worker.log" || { echo "the Worker did not register; see $work/logs" >&2; exit 1; }
up=$(date +%s.%N)

rm -rf "$work/out" "$work/out.npz" "$work/alone"
submit() {
  java -Xmx2g "${opens[@]}" -cp "$spark_cp" org.apache.spark.deploy.SparkSubmit \
    --master "spark://127.0.0.1:$port" --deploy-mode client --class dev.smdp4j.cli.Main \
    --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
    --conf spark.executor.cores="$executor_cores" --conf spark.task.cpus=1 --conf spark.executor.memory=1g \
    --conf spark.executor.memoryOverhead=1g --conf spark.cores.max="$((executors * executor_cores))" \
    "$jar" "$@"
}
t0=$(date +%s.%N)
submit sample-batch --input "$input" --out "$work/out" --samples "$samples" --seed 1 ${steps[@]+"${steps[@]}"} \
  2> "$work/logs/submit.log"
t1=$(date +%s.%N)
submit export-npz --in "$work/out" --out "$work/out.npz" 2>> "$work/logs/submit.log"
t2=$(date +%s.%N)

# The same observations, each shard alone, through the plain command line (keys FILE#i as in the batch).
if [[ "${COMPARE:-1}" == 0 ]]; then
  printf 'standalone cluster up in %.1f s; sample-batch via spark-submit %.1f s; export-npz %.1f s\n' \
    "$(echo "$up - $start" | bc)" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  exit 0
fi
mkdir -p "$work/alone"
same=1
for shard in "$input"/*.npz; do
  "$here/smdp" sample --input "$shard" --samples "$samples" --seed 1 ${steps[@]+"${steps[@]}"} --quiet \
    --out "$work/alone/$(basename "$shard")" > /dev/null
done
java -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" "$here/docs/scripts/SplitShards.java" \
  --compare "$work/out.npz" "$work/alone" || same=0
t3=$(date +%s.%N)
printf 'standalone cluster up in %.1f s; sample-batch via spark-submit %.1f s; export-npz %.1f s; smdp sample per shard %.1f s\n' \
  "$(echo "$up - $start" | bc)" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t3 - $t2" | bc)"
[[ $same == 1 ]] && echo "bit-identical to smdp sample" || { echo "DIFFERENT from smdp sample" >&2; exit 1; }
