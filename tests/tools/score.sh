#!/usr/bin/env bash
# `gxn score`: the s* matrix of two embeddings files equals numpy's float64 reference and feeds
# `gxn eval --scores`; mismatched or damaged inputs fail with the culprit named, and a failed run
# leaves an existing output untouched.
# Usage: score.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"

"$py" - "$tmp" <<'PY' || fail "fixture"
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(3)
np.save(f"{d}/v.npy", rng.random((4, 2, 7), dtype=np.float32))
np.save(f"{d}/t.npy", rng.random((20, 2, 7), dtype=np.float32))
np.save(f"{d}/t_wide.npy", rng.random((20, 2, 8), dtype=np.float32))
PY

"$gxn" score --images "$tmp/v.npy" --texts "$tmp/t.npy" --lambda 0.3 --out "$tmp/s.npy" || fail "score: non-zero exit"
"$py" - "$tmp" <<'PY' || fail "scores differ from the float64 reference"
import sys, numpy as np
d = sys.argv[1]
v, t, s = (np.load(f"{d}/{n}.npy").astype(np.float64) for n in ("v", "t", "s"))
viol = np.maximum(0, v[:, None] - t[None]) ** 2          # (4, 20, 2, 7)
ref = -(0.3 * viol[:, :, 0].sum(-1) + 0.7 * viol[:, :, 1].sum(-1))
assert s.shape == (4, 20), s.shape
np.testing.assert_allclose(s, ref, rtol=1e-5, atol=1e-6)
PY
"$gxn" eval --scores "$tmp/s.npy" --json >"$tmp/eval.json" || fail "eval of the written scores"
grep -q '"rsum"' "$tmp/eval.json" || fail "eval JSON lacks rsum"

cp "$tmp/s.npy" "$tmp/kept.npy"
expect_error "dims" "t_wide.npy holds 8-d" score --images "$tmp/v.npy" --texts "$tmp/t_wide.npy" --out "$tmp/s.npy"
cmp -s "$tmp/s.npy" "$tmp/kept.npy" || fail "a failed run changed the existing output"
expect_error "missing" "nope.npy" score --images "$tmp/nope.npy" --texts "$tmp/t.npy" --out "$tmp/x.npy"
head -c 100 "$tmp/v.npy" >"$tmp/cut.npy"
expect_error "truncated" "cut.npy" score --images "$tmp/cut.npy" --texts "$tmp/t.npy" --out "$tmp/x.npy"
expect_error "lambda" "lambda" score --images "$tmp/v.npy" --texts "$tmp/t.npy" --lambda 2 --out "$tmp/x.npy"
[ ! -e "$tmp/x.npy" ] || fail "a failed run left an output file"
echo "score: all checks passed"
