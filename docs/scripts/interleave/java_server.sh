#!/usr/bin/env bash
# Runs SamplingServer (a timing server for interleave.py) against the build in TREE, with the process
# settings that TREE's own launcher gives its JVM.
# Usage: docs/scripts/interleave/java_server.sh TREE default|CKPT
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tree="$(cd "${1:?usage: java_server.sh TREE default|CKPT}" && pwd)"
# the tree's launcher builds its classes and class path when they are missing or stale
"$tree/smdp" --version > /dev/null
classes="$tree/target/interleave-server"
mkdir -p "$classes"
cp="$tree/target/classes:$(cat "$tree/target/classpath.txt")"
javac -nowarn -d "$classes" -cp "$cp" "$here/SamplingServer.java"
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
if [[ -f "$tree/src/main/resources/dev/smdp4j/allocator.env" ]]; then
  set -a; . "$tree/src/main/resources/dev/smdp4j/allocator.env"; set +a
else # the settings the launcher of older builds (522f761) exported, and no others
  unset MKL_CBWR
  export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_ARENA_MAX=2
fi
exec java ${SMDP_JAVA_OPTS:--Xmx8g} -Dai.djl.offline=true -cp "$classes:$cp" SamplingServer "${2:?usage: java_server.sh TREE default|CKPT}"
