#!/usr/bin/env bash
# `gxn init-model` and `gxn encode`: an untrained model of a shapes dataset encodes a folder, a
# list, captions and precomputed features into (N, 2, D) files in the documented row order;
# bad inputs exit non-zero naming the culprit and leave no output file.
# Usage: encode.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"

"$gxn" data shapes --out "$tmp/shapes" --images 20 --quiet || fail "data shapes"
small="--embed-dim 16 --word-dim 8 --hidden-dim 16"
# shellcheck disable=SC2086
"$gxn" init-model --data "$tmp/shapes" --out "$tmp/m.gxn" $small >"$tmp/out" || fail "init-model"
grep -q "untrained cnn-small model" "$tmp/out" || fail "init-model summary: $(cat "$tmp/out")"

# A folder: every image, sorted by name; --names lists them in row order.
"$gxn" encode --model "$tmp/m.gxn" --images "$tmp/shapes/images" --out "$tmp/dir.npy" --names "$tmp/dir.txt" \
  >"$tmp/out" 2>"$tmp/err" || fail "encode folder: $(cat "$tmp/err")"
grep -q "wrote 20 image embeddings, shape (20, 2, 16)" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
[ ! -s "$tmp/err" ] || fail "progress printed while stderr is not a terminal: $(cat "$tmp/err")"
ls "$tmp/shapes/images"/*.png | sort >"$tmp/expected_names"
diff -u "$tmp/expected_names" "$tmp/dir.txt" || fail "folder row order"

# A list in another order (relative to the list's folder) gives the same rows, permuted.
(cd "$tmp/shapes" && ls images/*.png | sort -r) >"$tmp/shapes/list.txt"
"$gxn" encode --model "$tmp/m.gxn" --images "$tmp/shapes/list.txt" --out "$tmp/list.npy" --quiet || fail "encode list"
$py - "$tmp/dir.npy" "$tmp/list.npy" <<'PY' || fail "list rows differ from folder rows"
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == (20, 2, 16) and a.dtype == np.float32, (a.shape, a.dtype)
# The same rows up to rounding: a batch's matrix products may sum a row's terms in another order
# at another place in the batch (seen: 4e-7 on AVX-512 OpenBLAS).
assert np.abs(a[::-1] - b).max() < 1e-5
assert (a >= 0).all() and np.allclose(np.linalg.norm(a, axis=2), 1, atol=1e-5)  # unit, non-negative
PY

# Captions, one per line; an unknown word is <unk>.
printf 'a red circle\nzebras everywhere\r\nTwo blue squares.\n' >"$tmp/caps.txt"
"$gxn" encode --model "$tmp/m.gxn" --texts "$tmp/caps.txt" --out "$tmp/caps.npy" --names "$tmp/caps_names.txt" --quiet \
  || fail "encode texts"
$py -c "import numpy as np, sys; a = np.load('$tmp/caps.npy'); assert a.shape == (3, 2, 16), a.shape" || fail "caption shape"
[ "$(sed -n 2p "$tmp/caps_names.txt")" = "zebras everywhere" ] || fail "caption names: $(cat "$tmp/caps_names.txt")"

# Precomputed features need a precomp model; a precomp model needs them.
mkdir -p "$tmp/pre"
$py - "$tmp/pre" <<'PY' || fail "making precomp data"
import sys, numpy as np
d = sys.argv[1]
np.save(d + "/train_ims.npy", np.random.RandomState(0).rand(4, 3, 10).astype(np.float32))
open(d + "/train_caps.txt", "w").write("".join("a red circle number %d\n" % i for i in range(20)))
np.save(d + "/feats.npy", np.random.RandomState(1).rand(6, 3, 10).astype(np.float32))
np.save(d + "/flat.npy", np.random.RandomState(1).rand(6, 10).astype(np.float32))
PY
# shellcheck disable=SC2086
"$gxn" init-model --data "$tmp/pre" --out "$tmp/p.gxn" --feature-dim 10 $small >/dev/null || fail "init-model precomp"
"$gxn" encode --model "$tmp/p.gxn" --features "$tmp/pre/feats.npy" --out "$tmp/feats_out.npy" --quiet || fail "encode features"
"$gxn" encode --model "$tmp/p.gxn" --features "$tmp/pre/flat.npy" --out "$tmp/flat_out.npy" --quiet || fail "encode flat"
$py -c "import numpy as np; assert np.load('$tmp/feats_out.npy').shape == (6, 2, 16)" || fail "features shape"
expect_error "features for a CNN model" "takes images" encode --model "$tmp/m.gxn" --features "$tmp/pre/feats.npy" --out "$tmp/x.npy"
expect_error "images for a precomp model" "precomputed image features" encode --model "$tmp/p.gxn" --images "$tmp/shapes/images" --out "$tmp/x.npy"
$py -c "import numpy as np; np.save('$tmp/pre/rank1.npy', np.zeros(10, np.float32))"
expect_error "1-D features" "rank1.npy: expected features of shape" encode --model "$tmp/p.gxn" --features "$tmp/pre/rank1.npy" --out "$tmp/x.npy"
$py -c "import numpy as np; np.save('$tmp/pre/wrong.npy', np.zeros((2, 7), np.float32))"
expect_error "feature width" "rows of 7 floats" encode --model "$tmp/p.gxn" --features "$tmp/pre/wrong.npy" --out "$tmp/x.npy"

# Bad inputs: named, non-zero, nothing written.
expect_error "missing model" "$tmp/none.gxn" encode --model "$tmp/none.gxn" --texts "$tmp/caps.txt" --out "$tmp/x.npy"
head -c 1000 "$tmp/m.gxn" >"$tmp/cut.gxn"
expect_error "truncated model" "cut.gxn" encode --model "$tmp/cut.gxn" --texts "$tmp/caps.txt" --out "$tmp/x.npy"
cp "$tmp/m.gxn" "$tmp/flipped.gxn"
size=$(stat -c %s "$tmp/flipped.gxn")
printf '\x55' | dd of="$tmp/flipped.gxn" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect_error "damaged model" "flipped.gxn" encode --model "$tmp/flipped.gxn" --texts "$tmp/caps.txt" --out "$tmp/x.npy"
printf 'a red circle\n\nsquare\n' >"$tmp/blank.txt"
expect_error "empty caption" "blank.txt: line 2 is empty" encode --model "$tmp/m.gxn" --texts "$tmp/blank.txt" --out "$tmp/x.npy"
printf 'a red circle\n?!\n' >"$tmp/noword.txt"
"$gxn" encode --model "$tmp/m.gxn" --texts "$tmp/noword.txt" --out "$tmp/x.npy" --quiet || fail "punctuation is a token"
rm -f "$tmp/x.npy"
printf 'a red circle\n   \n' >"$tmp/spaces.txt"
expect_error "blank caption" "spaces.txt: line 2" encode --model "$tmp/m.gxn" --texts "$tmp/spaces.txt" --out "$tmp/x.npy"
: >"$tmp/empty.txt"
expect_error "empty captions file" "empty.txt: no caption" encode --model "$tmp/m.gxn" --texts "$tmp/empty.txt" --out "$tmp/x.npy"
printf 'images/shapes_000000.png\nimages/nope.png\n' >"$tmp/shapes/bad_list.txt"
expect_error "missing image" "nope.png" encode --model "$tmp/m.gxn" --images "$tmp/shapes/bad_list.txt" --out "$tmp/x.npy"
echo "not an image" >"$tmp/shapes/images/zz_broken.png"
expect_error "corrupt image" "zz_broken.png" encode --model "$tmp/m.gxn" --images "$tmp/shapes/images" --out "$tmp/x.npy"
rm "$tmp/shapes/images/zz_broken.png"
mkdir "$tmp/noimages"
expect_error "folder without images" "no image files" encode --model "$tmp/m.gxn" --images "$tmp/noimages" --out "$tmp/x.npy"
expect_error "two inputs" "" encode --model "$tmp/m.gxn" --images "$tmp/shapes/images" --texts "$tmp/caps.txt" --out "$tmp/x.npy"
expect_error "no input" "" encode --model "$tmp/m.gxn" --out "$tmp/x.npy"
expect_error "no --out" "--out" encode --model "$tmp/m.gxn" --texts "$tmp/caps.txt"
expect_error "batch size 0" "--batch-size" encode --model "$tmp/m.gxn" --texts "$tmp/caps.txt" --out "$tmp/x.npy" --batch-size 0
[ ! -e "$tmp/x.npy" ] || fail "a failed run left an output file"

# init-model refusals.
expect_error "init-model no data" "$tmp/nodata" init-model --data "$tmp/nodata" --out "$tmp/y.gxn"
expect_error "init-model wrong backbone" "holds images" init-model --data "$tmp/shapes" --out "$tmp/y.gxn" --backbone precomp
expect_error "init-model bad backbone" "resnet9" init-model --data "$tmp/shapes" --out "$tmp/y.gxn" --backbone resnet9
echo '{"lambda": 2}' >"$tmp/bad_config.json"
expect_error "init-model bad config" "bad_config.json" init-model --data "$tmp/shapes" --out "$tmp/y.gxn" --config "$tmp/bad_config.json"
[ ! -e "$tmp/y.gxn" ] || fail "a failed init-model left a model file"
echo "encode.sh: all passed"
