#!/usr/bin/env bash
# Set up gxn on Debian 12 as root: install what is missing, build in Release, then
#   setup.sh demo   run `gxn demo`
#   setup.sh test   build and run every test through ctest
# Idempotent: quiet when every package is already there; an existing build is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}
build=${GXN_BUILD_DIR:-build}

packages=(build-essential cmake pkg-config clang-format clang libclang-rt-14-dev libomp-14-dev valgrind abigail-tools libtorch-dev libeigen3-dev libfaiss-dev libstb-dev catch2
          libopenblas-dev nlohmann-json3-dev libcli11-dev
          python3 python3-numpy python3-torch python3-torchvision python3-pil rustc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# LibTorch and FAISS must not run on Debian's reference BLAS (about 30x slower).
if command -v update-alternatives >/dev/null; then
  blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: //p')
  case "$blas" in *openblas*) ;; *) echo "setup: warning: BLAS is '$blas', not OpenBLAS" >&2 ;; esac
fi

jobs=$(nproc)
case "$mode" in
  demo)
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DGXN_BUILD_TESTS=OFF >/dev/null
    cmake --build "$build" --target gxn -j "$jobs"
    "$build/tools/gxn/gxn" demo
    ;;
  test)
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DGXN_BUILD_TESTS=ON >/dev/null
    cmake --build "$build" -j "$jobs"
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    ;;
  *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac
