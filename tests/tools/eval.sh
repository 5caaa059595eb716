#!/usr/bin/env bash
# `gxn eval`: golden table and JSON on the hand-worked 2 x 10 matrix of tests/engine/test_metrics.cpp,
# and refusals (bad files, wrong shapes, unknown options) with a non-zero exit and the culprit named.
# Usage: eval.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"
data=$2/npy

# Golden table.
"$gxn" eval --scores "$data/eval_scores_2x10.npy" >"$tmp/table" || fail "table: non-zero exit"
cat >"$tmp/expected" <<'TABLE'
2 images, 10 captions, protocol all
          R@1     R@5    R@10    medr   meanr
i2t     50.00   50.00  100.00    3.00    3.50
t2i     20.00  100.00  100.00    2.00    1.80
rsum   420.00
TABLE
diff -u "$tmp/expected" "$tmp/table" || fail "table differs from the golden one"

# JSON: the keys and the same figures.
"$gxn" eval --scores "$data/eval_scores_2x10.npy" --protocol all --json >"$tmp/json" || fail "json: non-zero exit"
/usr/bin/python3 - "$tmp/json" <<'PY' || fail "json content"
import json, sys
j = json.load(open(sys.argv[1]))
assert {"i2t", "t2i", "rsum"} <= set(j), j
for side in ("i2t", "t2i"):
    assert set(j[side]) == {"r1", "r5", "r10", "medr", "meanr"}, j[side]
assert (j["i2t"]["r1"], j["i2t"]["r5"], j["i2t"]["r10"], j["i2t"]["medr"], j["i2t"]["meanr"]) == (50, 50, 100, 3, 3.5), j
assert (j["t2i"]["r1"], j["t2i"]["r5"], j["t2i"]["r10"], j["t2i"]["medr"]) == (20, 100, 100, 2), j
assert abs(j["t2i"]["meanr"] - 1.8) < 1e-12 and j["rsum"] == 420, j
PY

# Refusals.
expect_error "missing file" "$tmp/none.npy" eval --scores "$tmp/none.npy"
expect_error "truncated file" "truncated_data.npy: truncated data" eval --scores "$data/truncated_data.npy"
expect_error "not npy" "bad_magic.npy: not a .npy file" eval --scores "$data/bad_magic.npy"
expect_error "int64" "int64.npy: dtype '<i8' is not supported" eval --scores "$data/int64.npy"
expect_error "3-D" "expected a 2-D array" eval --scores "$data/embeddings.npy"
expect_error "captions not 5x images" "eval_scores_2x9.npy: 2 images × 9 captions" eval --scores "$data/eval_scores_2x9.npy"
expect_error "1k5 on 2 images" "5000" eval --scores "$data/eval_scores_2x10.npy" --protocol 1k5
expect_error "5k on 2 images" "5000" eval --scores "$data/eval_scores_2x10.npy" --protocol 5k
expect_error "unknown protocol" "7k" eval --scores "$data/eval_scores_2x10.npy" --protocol 7k
expect_error "unknown option" "--bogus" eval --scores "$data/eval_scores_2x10.npy" --bogus
expect_error "no scores" "--scores" eval

# A NaN in the matrix is refused with its position.
/usr/bin/python3 -c "
import numpy as np, sys
s = np.load('$data/eval_scores_2x10.npy'); s[1, 3] = np.nan; np.save('$tmp/nan.npy', s)" || fail "making nan.npy"
expect_error "NaN" "nan.npy: non-finite value nan at row 1, column 3" eval --scores "$tmp/nan.npy"
echo "eval.sh: all passed"
