#!/usr/bin/env bash
# Every C, C++ and CUDA source in the repository is formatted as .clang-format says.
set -euo pipefail
cd "$1"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.c' '*.cu' | grep -v '^tests/data/')
clang-format --dry-run --Werror --style=file "${files[@]}"
echo "${#files[@]} files formatted as .clang-format says"
