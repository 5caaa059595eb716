#!/usr/bin/env bash
# Installs the built gxn into a temporary prefix, builds examples/ against it with
# find_package(gxn) as an outside project would, and runs them. A broken install fails here.
# With MODEL_DIR (tests/capi/tiny_model.sh's), the search_images examples in C, Python and Rust
# (Debian's rustc, the C API alone) index its images and must answer the same queries alike.
# Every installed engine and report header must also compile on its own: public headers include
# only public headers.
set -euo pipefail
build_dir=$1 source_dir=$2 model_dir=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/examples" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" -j 2 >/dev/null
"$work/build/rank_images"
if [ -x "$work/build/rank_images_c" ]; then "$work/build/rank_images_c"; fi
echo "examples built against the installed package and ran"

# A C host without CMake: pkg-config finds the header and the library.
pc_dir=$(dirname "$(find "$work/prefix" -name gxn.pc)")
cc -std=c99 -o "$work/rank_images_pkg" "$source_dir/examples/rank_images_c.c" \
   $(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags --libs gxn)
LD_LIBRARY_PATH=$(PKG_CONFIG_PATH=$pc_dir pkg-config --variable=libdir gxn) "$work/rank_images_pkg"
echo "the C example built with pkg-config --cflags --libs gxn and ran"

# Python: the installed package loads the installed library with no GXN_LIBRARY, in a fresh process.
python_dir=$(dirname "$(find "$work/prefix" -path '*/gxn/__init__.py')")
env -u GXN_LIBRARY /usr/bin/python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import gxn
assert gxn.__file__.startswith(sys.argv[1]), gxn.__file__
print("python: gxn", gxn.version(), "from", gxn.__file__, "model:", gxn.has_model())' "$(dirname "$python_dir")"

if [ -n "$model_dir" ]; then
  libdir=$(PKG_CONFIG_PATH=$pc_dir pkg-config --variable=libdir gxn)
  printf 'a big red circle at the top left\na small blue square\n' >"$work/queries.txt"
  "$work/build/search_images" "$model_dir/model.gxn" "$model_dir/shapes/images" <"$work/queries.txt" >"$work/c.out"
  env -u GXN_LIBRARY PYTHONPATH="$(dirname "$python_dir")" /usr/bin/python3 "$source_dir/examples/search_images.py" \
    "$model_dir/model.gxn" "$model_dir/shapes/images" <"$work/queries.txt" >"$work/python.out"
  diff -u "$work/c.out" "$work/python.out"
  grep -q "^  -[0-9.]* $model_dir/shapes/images/.*png$" "$work/c.out"
  echo "search_images: C and Python give the same answers ($(wc -l <"$work/c.out") lines)"
  if command -v rustc >/dev/null; then
    rustc --edition 2021 -O -o "$work/search_images_rs" "$source_dir/examples/rust/search_images.rs" -L "$libdir" -l gxn_c
    LD_LIBRARY_PATH=$libdir "$work/search_images_rs" "$model_dir/model.gxn" "$model_dir/shapes/images" \
      <"$work/queries.txt" >"$work/rust.out"
    diff -u "$work/c.out" "$work/rust.out"
    echo "search_images: Rust (rustc $(rustc --version | cut -d' ' -f2), the C API alone) gives the same answers"
  else
    echo "rustc not found: the Rust example was not built (scripts/setup.sh installs Debian's rustc)" >&2
    exit 1
  fi
fi

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
