#!/usr/bin/env bash
# Builds the engine and the engine-only C API with a sanitizer and runs their tests there:
#   run.sh address,undefined BUILD_DIR   ASan + UBSan (leaks included)
#   run.sh thread BUILD_DIR              TSan
# Any report fails the run (-fno-sanitize-recover, halt_on_error). Built with clang, so OpenMP is
# LLVM's runtime, whose Archer tool tells TSan about OpenMP's barriers and reductions
# (Debian's libgomp is not instrumented: TSan would report every parallel region as a race).
# The model (LibTorch) is not built here: Debian's LibTorch is not instrumented.
set -euo pipefail
kind=${1:?usage: run.sh address,undefined|thread BUILD_DIR}
build=${2:?usage: run.sh address,undefined|thread BUILD_DIR}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
# clang for both: it builds this faster than gcc, and its OpenMP runtime is the one TSan needs.
compilers=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++)
if [ "$kind" = thread ]; then
  archer=$(dirname "$(dirname "$(clang -print-resource-dir)")")/libarcher.so
  [ -f "$archer" ] || { echo "run.sh: no $archer (Debian: libomp-14-dev)" >&2; exit 1; }
  export OMP_TOOL_LIBRARIES=$archer
fi
# ASan + UBSan is the fuzz build's configuration (every target instrumented) with the tests on, so
# that tests/fuzz/run.sh can build its harnesses in this tree instead of compiling the engine again.
if [ "$kind" = address,undefined ]; then sanitize=(-DGXN_BUILD_FUZZERS=ON); else sanitize=(-DGXN_SANITIZE="$kind"); fi
# -O1 with line tables only, as ASan's and libFuzzer's documentation advise (reports keep file
# and line). Configured on every run, so an older tree takes these settings too.
flags="-O1 -gline-tables-only -DNDEBUG"
cmake "${compilers[@]}" -S "$source_dir" -B "$build" "${sanitize[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" \
      -DGXN_BUILD_MODEL=OFF -DGXN_BUILD_TOOLS=OFF -DGXN_BUILD_EXAMPLES=OFF -DGXN_BUILD_BENCH=OFF \
      -DGXN_BUILD_TESTS=ON >/dev/null
cmake --build "$build" --target gxn_engine_tests gxn_capi_test gxn_capi_model_test -j "$(nproc)" >/dev/null

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
# ignore_noninstrumented_modules: races inside libomp itself are its own (Archer asks for it).
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1
# Every engine case but those that need a GPU; [vnni] cases run where the CPU has VNNI.
"$build/tests/gxn_engine_tests" "~[cuda]" --order decl
"$build/tests/gxn_capi_test"
"$build/tests/gxn_capi_model_test"  # engine-only: every model call answers unsupported
echo "sanitizer $kind: engine and C API tests pass"
