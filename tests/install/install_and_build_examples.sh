#!/usr/bin/env bash
# Installs the built gxn into a temporary prefix, builds examples/ against it with
# find_package(gxn) as an outside project would, and runs them. A broken install fails here.
set -euo pipefail
build_dir=$1 source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/examples" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" -j 2 >/dev/null
"$work/build/rank_images"
if [ -x "$work/build/rank_images_c" ]; then "$work/build/rank_images_c"; fi
echo "examples built against the installed package and ran"
