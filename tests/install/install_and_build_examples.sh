#!/usr/bin/env bash
# Installs the built gxn into a temporary prefix, builds examples/ against it with
# find_package(gxn) as an outside project would, and runs them. A broken install fails here.
# Every installed engine and report header must also compile on its own: public headers include
# only public headers.
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

include=$work/prefix/include
if grep -rhoE '#include "[^"]+"' "$include/gxn" | grep -vE '#include "gxn/' ; then
  echo "an installed header includes a header that is not installed" >&2
  exit 1
fi
count=0
for header in "$include"/gxn/gxn.hpp "$include"/gxn/error.hpp $(find "$include/gxn/engine" "$include/gxn/report" -name '*.hpp'); do
  echo "#include \"${header#$include/}\"" > "$work/one.cpp"
  c++ -std=c++17 -fsyntax-only -fopenmp -I "$include" -I /usr/include/eigen3 "$work/one.cpp"
  count=$((count + 1))
done
echo "$count engine and report headers compile on their own"
