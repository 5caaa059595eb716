#!/usr/bin/env bash
# `gxn preprocess`: matches torchvision (fixture made by tests/data/preprocess/make_fixture.py)
# and refuses bad input with a message naming the file.
# Usage: preprocess.sh GXN TEST_DATA_DIR
set -euo pipefail
gxn=$1
data=$2/preprocess
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
python=/usr/bin/python3

"$gxn" preprocess "$data/photo.png" --out "$tmp/png.npy"
"$gxn" preprocess "$data/photo.jpg" --size 224 --out "$tmp/jpg.npy"
"$gxn" preprocess "$data/small.png" --size 64 --out "$tmp/small.npy"
"$gxn" preprocess "$data/small.png" --size 64 --resize 73 --out "$tmp/small73.npy"
# Before normalisation the values are k/255: compare in those steps. PNG: exact; JPEG: stb's
# decoder against libjpeg, within 3/255 (measured 3, mean under 0.1).
"$python" - "$tmp" "$data" <<'PY'
import sys
import numpy as np
tmp, data = sys.argv[1], sys.argv[2]
mean = np.array([0.485, 0.456, 0.406], np.float32).reshape(3, 1, 1)
std = np.array([0.229, 0.224, 0.225], np.float32).reshape(3, 1, 1)
def steps(x):
    return np.rint((x.astype(np.float64) * std + mean) * 255)
def check(name, expected, shape, max_steps):
    got = np.load(f"{tmp}/{name}")
    assert got.dtype == np.float32 and got.shape == shape, (name, got.dtype, got.shape)
    diff = np.abs(steps(got) - steps(expected)).max()
    assert diff <= max_steps, f"{name}: {diff} steps of 1/255 from torchvision"
check("png.npy", np.load(f"{data}/photo_png_3x224x224.npy"), (3, 224, 224), 0)
check("jpg.npy", np.fromfile(f"{data}/photo_jpg_3x224x224.f32", "<f4").reshape(3, 224, 224), (3, 224, 224), 3)
small = np.fromfile(f"{data}/small_png_3x64x64.f32", "<f4").reshape(3, 64, 64)
check("small.npy", small, (3, 64, 64), 0)
check("small73.npy", small, (3, 64, 64), 0)
PY

expect_error() {  # expect_error TEXT ARGS...: the command fails and stderr names TEXT
  local text=$1; shift
  if "$gxn" "$@" 2>"$tmp/err"; then fail "accepted: $*"; fi
  grep -qF -- "$text" "$tmp/err" || fail "error for '$*' does not mention '$text': $(cat "$tmp/err")"
}
expect_error "$tmp/missing.png" preprocess "$tmp/missing.png" --out "$tmp/x.npy"
head -c 5000 "$data/photo.png" >"$tmp/cut.png"
expect_error "$tmp/cut.png" preprocess "$tmp/cut.png" --out "$tmp/x.npy"
: >"$tmp/empty.jpg"
expect_error "empty" preprocess "$tmp/empty.jpg" --out "$tmp/x.npy"
expect_error "$data/make_fixture.py" preprocess "$data/make_fixture.py" --out "$tmp/x.npy"
expect_error "--size" preprocess "$data/photo.png" --size 0 --out "$tmp/x.npy"
[ ! -e "$tmp/x.npy" ] || fail "a failed run wrote its output"
# A failed run leaves an existing output as it was.
cp "$tmp/png.npy" "$tmp/keep.npy"
expect_error "$tmp/cut.png" preprocess "$tmp/cut.png" --out "$tmp/keep.npy"
cmp -s "$tmp/png.npy" "$tmp/keep.npy" || fail "a failed run changed an existing output"
echo ok
