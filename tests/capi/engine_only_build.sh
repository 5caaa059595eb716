#!/usr/bin/env bash
# The C library for hosts without LibTorch: configures gxn with GXN_BUILD_MODEL=OFF in a
# scratch folder, builds libgxn_c and the C tests there, and checks that the library needs no
# LibTorch, keeps the ABI baseline (the same gxn.h), serves the engine, and answers every
# model call with GXN_ERR_UNSUPPORTED.
# Usage: engine_only_build.sh SOURCE_DIR SCRATCH_DIR
set -euo pipefail
source_dir=$1 build=$2
rm -rf "$build"
cmake -S "$source_dir" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGXN_BUILD_MODEL=OFF -DGXN_BUILD_TOOLS=OFF \
      -DGXN_BUILD_EXAMPLES=OFF -DGXN_BUILD_BENCH=OFF -DGXN_BUILD_TESTS=ON >/dev/null
cmake --build "$build" --target gxn_capi_test gxn_capi_model_test gxn_capi_train_test -j "$(nproc)" >/dev/null
library=$build/capi/libgxn_c.so
if ldd "$library" | grep -i torch; then
  echo "FAIL: the engine-only libgxn_c links LibTorch" >&2
  exit 1
fi
bash "$source_dir/tests/capi/abi_check.sh" "$library" "$source_dir/capi/abi/libgxn_c.abi" \
     "$source_dir/capi/abi/opaque_handles.suppr"
"$build/tests/gxn_capi_test"
"$build/tests/gxn_capi_model_test"
"$build/tests/gxn_capi_train_test"
echo "libgxn_c without LibTorch: the engine works, the model calls say unsupported"
