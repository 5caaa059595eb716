#!/usr/bin/env bash
# The scorer benchmark of the README: the fused order-violation kernel against a naive LibTorch
# broadcast, timed in one process on the same inputs; prints the JSON (fused_gpds, naive_gpds,
# ratio, ...). Extra arguments go to `gxn bench score` and override the defaults below, e.g.
#   bench/score.sh --threads 1
# Builds the `gxn` target first (in $GXN_BUILD_DIR, default build/) if it is not up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${GXN_BUILD_DIR:-build}
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target gxn -j "$(nproc)" >/dev/null
"$build/tools/gxn/gxn" bench score --queries 1000 --candidates 5000 --dim 1024 --threads 2 --json "$@"
