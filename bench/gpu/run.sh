#!/usr/bin/env bash
# gxn on a GPU machine that has only a CUDA driver, nvcc, CMake, a C++ compiler and PyTorch (no
# package registry). Builds gxn (the engine, no LibTorch) from this source tree against Debian
# 12 packages carried along as files, runs the tests (the [cuda] ones included), and prints the
# measurements as one JSON object on stdout (progress goes to stderr). Where that PyTorch has
# CUDA, it then builds the model and the gxn command against the LibTorch inside it, runs the
# model's [cuda] tests, and times one embedding training step on the GPU, gxn against PyTorch
# (bench/train_step.py).
#
# 1. Where apt works (a Debian 12 machine like the one gxn is developed on), fetch the packages:
#      bench/gpu/run.sh --fetch          # apt-get download into bench/gpu/debs/ (~16 MB, not in git)
# 2. Carry the source tree with bench/gpu/debs/ to the GPU machine and run:
#      bench/gpu/run.sh [WORK_DIR]       # default bench/gpu/work: the unpacked prefix and the build
# The .deb files are unpacked with dpkg -x (no install, no root); their libraries need the glibc
# of Debian 12 (2.36) or newer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
# What gxn::engine and its tests need beyond a compiler: FAISS (static) and the BLAS/LAPACK it
# calls (OpenBLAS, which needs gfortran's runtime), Eigen, nlohmann/json, stb_image, Catch2.
# The model's build adds CLI11 for the gxn command; LibTorch comes from the PyTorch there.
packages=(libfaiss-dev libopenblas-pthread-dev libopenblas0-pthread libgfortran5 libquadmath0 libeigen3-dev
          nlohmann-json3-dev libstb-dev catch2 libcli11-dev)

if [ "${1:-}" = "--fetch" ]; then
  mkdir -p "$here/debs"
  cd "$here/debs" && apt-get download "${packages[@]}"
  exit 0
fi

work=${1:-$here/work}
prefix=$work/prefix
build=$work/build
compgen -G "$here/debs/*.deb" >/dev/null || { echo "no .deb files in $here/debs: run '$0 --fetch' where apt works" >&2; exit 1; }
mkdir -p "$prefix"
for deb in "$here"/debs/*.deb; do dpkg -x "$deb" "$prefix"; done
lib=$prefix/usr/lib/x86_64-linux-gnu
blas=$lib/openblas-pthread
# FAISS's CMake package names Debian's BLAS alternatives under /usr, which dpkg -x does not make:
# point it at the OpenBLAS in the prefix.
sed -i "s|/usr/lib/x86_64-linux-gnu/libblas.so|$blas/libblas.so|g; s|/usr/lib/x86_64-linux-gnu/liblapack.so|$blas/liblapack.so|g" \
  "$lib/cmake/faiss/faiss-targets.cmake"
export LD_LIBRARY_PATH=$blas:$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

deps=(-Dfaiss_DIR="$lib/cmake/faiss" -DEigen3_DIR="$prefix/usr/share/eigen3/cmake"
      -Dnlohmann_json_DIR="$prefix/usr/share/cmake/nlohmann_json" -DCatch2_DIR="$prefix/usr/lib/cmake/Catch2"
      -DCLI11_DIR="$prefix/usr/share/cmake/CLI11" -DSTB_INCLUDE_DIR="$prefix/usr/include/stb")

nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
echo "== configure (nvcc: $nvcc)" >&2
cmake -S "$source_dir" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGXN_BUILD_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc" \
  -DGXN_BUILD_MODEL=OFF -DGXN_BUILD_TOOLS=OFF -DGXN_BUILD_EXAMPLES=OFF -DGXN_BUILD_BENCH=ON -DGXN_BUILD_TESTS=ON \
  "${deps[@]}" >&2
echo "== build" >&2
cmake --build "$build" -j "$(nproc)" --target gxn_engine_tests gxn_gpu_bench >&2

echo "== engine tests ([cuda] included; valgrind's needs a target not built here)" >&2
if ctest --test-dir "$build" -R '^engine:' -E valgrind --output-on-failure >"$work/tests.log" 2>&1; then
  tests=passed
else
  tests=failed
fi
tail -n 25 "$work/tests.log" >&2
skipped=$(grep -c '(Skipped)' "$work/tests.log" || true)

echo "== gxn_gpu_bench" >&2
"$build/bench/gpu/gxn_gpu_bench" >"$work/gxn.json"
echo "== PyTorch naive broadcast" >&2
python3 "$here/torch_naive.py" >"$work/torch.json"

model_tests=skipped
rm -f "$work/train_gxn.json" "$work/train_torch.json"
if python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  torch_cmake=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
  echo "== configure the model against PyTorch's LibTorch ($torch_cmake)" >&2
  cmake -S "$source_dir" -B "$work/build-model" -DCMAKE_BUILD_TYPE=Release -DGXN_BUILD_CUDA=ON \
    -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_PREFIX_PATH="$torch_cmake" -DGXN_BUILD_MODEL=ON -DGXN_BUILD_TOOLS=ON \
    -DGXN_BUILD_EXAMPLES=OFF -DGXN_BUILD_BENCH=OFF -DGXN_BUILD_TESTS=ON "${deps[@]}" >&2
  cmake --build "$work/build-model" -j "$(nproc)" --target gxn gxn_model_tests >&2
  echo "== model tests on the GPU ([cuda])" >&2
  if "$work/build-model/tests/gxn_model_tests" '[cuda]' >"$work/model_tests.log" 2>&1; then
    model_tests=passed
  else
    model_tests=failed
  fi
  tail -n 25 "$work/model_tests.log" >&2
  echo "== one embedding training step on the GPU: gxn, then PyTorch" >&2
  "$work/build-model/tools/gxn/gxn" bench train --device cuda >"$work/train_gxn.json"
  python3 "$source_dir/bench/train_step.py" --device cuda >"$work/train_torch.json"
else
  echo "== this PyTorch has no CUDA: the model's GPU build, tests and training step are left out" >&2
fi

python3 - "$work" "$tests" "$skipped" "$model_tests" <<'PY'
import json, os, sys
work, tests, skipped, model_tests = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
out = {"engine_tests": tests, "engine_tests_skipped": skipped, "model_cuda_tests": model_tests,
       "gxn": json.load(open(f"{work}/gxn.json")), "pytorch": json.load(open(f"{work}/torch.json"))}
if os.path.exists(f"{work}/train_gxn.json"):
    g, p = json.load(open(f"{work}/train_gxn.json")), json.load(open(f"{work}/train_torch.json"))
    out["train_step"] = {"gxn_ms": g["gxn_step_ms"], "pytorch_ms": p["pytorch_step_ms"],
                         "ratio": g["gxn_step_ms"] / p["pytorch_step_ms"]}
print(json.dumps(out, indent=1))
PY
