#!/usr/bin/env bash
# `gxn eval --model M --data DIR`: a model on an image dataset and on a precomputed one, the
# same JSON as `gxn eval --scores` (checked against scores computed from `gxn encode` output),
# the HTML report, and refusals naming the culprit.
# Usage: eval_model.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"

"$gxn" data shapes --out "$tmp/shapes" --images 60 --quiet || fail "data shapes"  # test split: 6 images
"$gxn" init-model --data "$tmp/shapes" --out "$tmp/m.gxn" --embed-dim 16 --word-dim 8 --hidden-dim 16 >/dev/null \
  || fail "init-model"

"$gxn" eval --model "$tmp/m.gxn" --data "$tmp/shapes" --split test --json >"$tmp/model.json" 2>"$tmp/err" \
  || fail "eval --model: $(cat "$tmp/err")"
"$gxn" eval --model "$tmp/m.gxn" --data "$tmp/shapes" >"$tmp/table" || fail "eval table"
head -1 "$tmp/table" | grep -qF "6 images, 30 captions, protocol all" || fail "table: $(cat "$tmp/table")"

# The same figures as gxn eval --scores on s* computed by hand from gxn encode's embeddings.
$py - "$tmp/shapes/dataset.json" "$tmp" <<'PY' || fail "making the test split lists"
import json, sys
d = json.load(open(sys.argv[1]))
test = [i for i in d["images"] if i["split"] == "test"]
open(sys.argv[2] + "/test_images.txt", "w").write("".join("shapes/images/%s\n" % i["filename"] for i in test))
open(sys.argv[2] + "/test_caps.txt", "w").write("".join(s["raw"] + "\n" for i in test for s in i["sentences"][:5]))
PY
"$gxn" encode --model "$tmp/m.gxn" --images "$tmp/test_images.txt" --out "$tmp/v.npy" --quiet || fail "encode images"
"$gxn" encode --model "$tmp/m.gxn" --texts "$tmp/test_caps.txt" --out "$tmp/t.npy" --quiet || fail "encode captions"
$py - "$tmp" <<'PY' || fail "scores"
import sys, numpy as np
d = sys.argv[1]
v, t = np.load(d + "/v.npy").astype(np.float64), np.load(d + "/t.npy").astype(np.float64)
def s(a, b):  # images a (N, D), captions b (M, D) -> (N, M) of -||max(0, v - t)||^2
    return -(np.maximum(0, a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
scores = 0.5 * s(v[:, 0], t[:, 0]) + 0.5 * s(v[:, 1], t[:, 1])
np.save(d + "/scores.npy", scores.astype(np.float32))
PY
"$gxn" eval --scores "$tmp/scores.npy" --json >"$tmp/scores.json" || fail "eval --scores"
$py - "$tmp/model.json" "$tmp/scores.json" <<'PY' || fail "--model and --scores disagree"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert list(a) == list(b) == ["i2t", "t2i", "rsum", "protocol", "images", "captions"], (list(a), list(b))
assert (a["images"], a["captions"]) == (6, 30), a
for side in ("i2t", "t2i"):
    for k in ("r1", "r5", "r10", "medr", "meanr"):
        assert abs(a[side][k] - b[side][k]) < 1e-9, (side, k, a, b)
PY

# The report: a page, one strip per text query and one image per image query.
mkdir -p "$tmp/r"
"$gxn" eval --model "$tmp/m.gxn" --data "$tmp/shapes" --report "$tmp/r/report.html" --report-queries 3 >"$tmp/out" \
  || fail "eval --report"
grep -qF "report: $tmp/r/report.html" "$tmp/out" || fail "report line: $(cat "$tmp/out")"
for f in text_001 text_002 text_003 image_001 image_002 image_003; do
  [ -f "$tmp/r/report_files/$f.png" ] || fail "no $f.png"
  grep -qF "report_files/$f.png" "$tmp/r/report.html" || fail "page does not show $f.png"
done
grep -qF "<td>image → text</td>" "$tmp/r/report.html" || fail "no metrics table"

# A precomputed dataset: features in, same JSON out.
mkdir -p "$tmp/pre"
$py - "$tmp/pre" <<'PY' || fail "making precomp data"
import sys, numpy as np
d = sys.argv[1]
rng = np.random.RandomState(0)
for split, n in (("train", 4), ("test", 3)):
    np.save("%s/%s_ims.npy" % (d, split), rng.rand(n, 10).astype(np.float32))
    open("%s/%s_caps.txt" % (d, split), "w").write("".join("a red circle %d\n" % i for i in range(5 * n)))
PY
"$gxn" init-model --data "$tmp/pre" --out "$tmp/p.gxn" --feature-dim 10 --embed-dim 16 --word-dim 8 --hidden-dim 16 \
  >/dev/null || fail "init-model precomp"
"$gxn" eval --model "$tmp/p.gxn" --data "$tmp/pre" --json >"$tmp/pre.json" || fail "eval precomp"
$py -c "
import json; j = json.load(open('$tmp/pre.json')); assert (j['images'], j['captions']) == (3, 15), j" || fail "precomp json"

# Refusals.
expect_error "report of features" "a report shows images" eval --model "$tmp/p.gxn" --data "$tmp/pre" --report "$tmp/p.html"
expect_error "images for a precomp model" "takes precomputed features" eval --model "$tmp/p.gxn" --data "$tmp/shapes"
expect_error "features for a cnn model" "takes images" eval --model "$tmp/m.gxn" --data "$tmp/pre"
expect_error "both sources" "either" eval --model "$tmp/m.gxn" --scores "$tmp/scores.npy" --data "$tmp/shapes"
expect_error "model without data" "--data" eval --model "$tmp/m.gxn"
expect_error "no dataset" "neither dataset.json" eval --model "$tmp/m.gxn" --data "$tmp/r"
expect_error "missing folder" "$tmp/nowhere" eval --model "$tmp/m.gxn" --data "$tmp/nowhere"
expect_error "bad split" "dev" eval --model "$tmp/m.gxn" --data "$tmp/shapes" --split dev
expect_error "missing model" "$tmp/none.gxn" eval --model "$tmp/none.gxn" --data "$tmp/shapes"
echo "garbage" >"$tmp/bad.gxn"
expect_error "damaged model" "bad.gxn" eval --model "$tmp/bad.gxn" --data "$tmp/shapes"
expect_error "1k5 needs 5000" "5000" eval --model "$tmp/m.gxn" --data "$tmp/shapes" --protocol 1k5
rm "$tmp/shapes/images/$(ls "$tmp/shapes/images" | tail -1)"
expect_error "missing image" "shapes_000059.png" eval --model "$tmp/m.gxn" --data "$tmp/shapes"
echo "eval_model.sh: all passed"
