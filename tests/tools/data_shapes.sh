#!/usr/bin/env bash
# `gxn data shapes`: writes images + dataset.json, the same seed gives the same bytes, an
# existing dataset is kept unless --force, bad arguments exit non-zero, quiet off a terminal.
# Usage: data_shapes.sh GXN TEST_DATA_DIR
set -euo pipefail
gxn=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$gxn" data shapes --out "$tmp/a" --images 20 --seed 5 >"$tmp/out" 2>"$tmp/err"
[ -f "$tmp/a/dataset.json" ] || fail "no dataset.json"
[ "$(ls "$tmp/a/images" | wc -l)" -eq 20 ] || fail "expected 20 images"
grep -q "train 16, val 2, test 2" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
[ ! -s "$tmp/err" ] || fail "progress printed while stderr is not a terminal: $(cat "$tmp/err")"

"$gxn" data shapes --out "$tmp/b" --images 20 --seed 5 --quiet >"$tmp/out"
[ ! -s "$tmp/out" ] || fail "--quiet printed: $(cat "$tmp/out")"
diff -r "$tmp/a" "$tmp/b" >/dev/null || fail "same seed, different files"

if "$gxn" data shapes --out "$tmp/a" --images 20 --seed 6 2>"$tmp/err"; then fail "overwrote without --force"; fi
grep -q -- "--force" "$tmp/err" || fail "no hint at --force: $(cat "$tmp/err")"
diff -r "$tmp/a" "$tmp/b" >/dev/null || fail "a refused run changed the dataset"
"$gxn" data shapes --out "$tmp/a" --images 20 --seed 6 --force --quiet
if diff -r "$tmp/a" "$tmp/b" >/dev/null; then fail "another seed, same files"; fi

for args in "--images 9" "--images 1000001" "--images x" "--seed -1" "--seed 18446744073709551616" "--bogus"; do
  # shellcheck disable=SC2086
  if "$gxn" data shapes --out "$tmp/c" $args 2>/dev/null >/dev/null; then fail "accepted $args"; fi
done
[ ! -e "$tmp/c" ] || fail "a refused run left $tmp/c"
if "$gxn" data shapes 2>/dev/null; then fail "ran without --out"; fi
echo "x" >"$tmp/file"
if "$gxn" data shapes --out "$tmp/file" --images 10 2>"$tmp/err"; then fail "wrote into a file"; fi
grep -q "$tmp/file" "$tmp/err" || fail "error does not name the output: $(cat "$tmp/err")"
echo ok
