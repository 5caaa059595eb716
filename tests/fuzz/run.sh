#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan, the engine and the engine-only C API) and
# runs each for SECONDS on its committed corpus (tests/fuzz/corpus/NAME, read only: new inputs
# go to a scratch folder). Prints executions and findings per harness; exits non-zero on any
# finding, leaving the crashing input in OUT/crashes/. Usage: tests/fuzz/run.sh SECONDS [OUT]
# (HARNESSES="image npy" runs only those; FUZZ_SEED=N fixes libFuzzer's seed, as CI does, so a
# run explores the same inputs each time and a CI failure is a regression, not a new find).
# FUZZ_RUNS=N stops each harness after N executions instead (SECONDS still bounds it), for a
# count that does not depend on how busy the machine is.
# FUZZ_MODEL=1 builds gxn::model too (LibTorch; minutes more) and runs the model_* harnesses
# (model file, checkpoint, config JSON); without it they are listed as not built.
set -euo pipefail
seconds=${1:?usage: run.sh SECONDS [OUT]}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$source_dir/build-fuzz}
model=$([ -n "${FUZZ_MODEL:-}" ] && echo ON || echo OFF)
options=(-DGXN_BUILD_FUZZERS=ON -DGXN_BUILD_MODEL="$model")
# A tree that exists keeps its other settings: in CI, OUT is the ASan + UBSan tree of
# tests/sanitizers/run.sh, whose engine and C API are already built with these flags.
if [ ! -f "$out/CMakeCache.txt" ]; then
  flags="-O1 -gline-tables-only -DNDEBUG"  # what libFuzzer's documentation advises
  options+=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags"
            -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" -DGXN_BUILD_TOOLS=OFF -DGXN_BUILD_TESTS=OFF
            -DGXN_BUILD_EXAMPLES=OFF -DGXN_BUILD_BENCH=OFF)
fi
CC=clang CXX=clang++ cmake -S "$source_dir" -B "$out" "${options[@]}" >/dev/null
cmake --build "$out" --target gxn_fuzz_harnesses -j "$(nproc)" >/dev/null
mkdir -p "$out/crashes"
failed=0
printf '%-22s %12s %9s %s\n' harness executions findings corpus
for corpus in "$source_dir"/tests/fuzz/corpus/*/; do
  name=$(basename "$corpus")
  if [ -n "${HARNESSES:-}" ] && [[ " $HARNESSES " != *" $name "* ]]; then continue; fi
  harness=$out/tests/fuzz/fuzz_$name
  if [ ! -x "$harness" ]; then
    printf '%-22s %12s %9s %s\n' "$name" - - "not built (FUZZ_MODEL=1 builds it)"
    continue
  fi
  scratch=$out/scratch/$name
  rm -rf "$scratch" && mkdir -p "$scratch"
  status=0
  # One process, many inputs: -fork would hide the executions count; -timeout catches hangs.
  UBSAN_OPTIONS=print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 "$harness" "$scratch" "$corpus" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    ${FUZZ_SEED:+-seed=$FUZZ_SEED} ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
    -artifact_prefix="$out/crashes/$name-" >"$out/$name.log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log" | tail -1)
  findings=$([ "$status" -eq 0 ] && echo 0 || echo 1)
  printf '%-22s %12s %9s %s\n' "$name" "${executions:-?}" "$findings" "$(ls "$corpus" | wc -l) seeds"
  if [ "$status" -ne 0 ]; then
    failed=1
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$out/$name.log" | head -5 >&2
  fi
done
exit "$failed"
