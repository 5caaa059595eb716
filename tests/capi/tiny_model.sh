#!/usr/bin/env bash
# The CTest fixture of the C API and Python model tests: a tiny shapes set and a model trained on
# it for one epoch with all three paths (it encodes, captions and imagines; what it says is not
# checked, only that the C API gives what the C++ library gives).
# Usage: tiny_model.sh /path/to/gxn OUT   (writes OUT/shapes/, its config OUT/tiny.json (the
# training tests start from both), OUT/model.gxn, and two of its images as OUT/a.png and OUT/b.png)
set -euo pipefail
gxn=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
"$gxn" data shapes --images 24 --out "$out/shapes" --quiet
cat >"$out/tiny.json" <<'JSON'
{"model": {"image": {"backbone": "cnn-small", "crop": 32}, "text": {"word_dim": 16, "hidden_dim": 32}, "embed_dim": 32,
           "decoder": {"word_dim": 16, "hidden_dim": 32},
           "generator": {"condition_dim": 8, "noise_dim": 8, "generator_channels": 16, "discriminator_channels": 8,
                         "discriminator_text_dim": 8}},
 "batch_size": 12, "sampling": "images", "threads": 1, "xe_epochs": 0}
JSON
"$gxn" train --data "$out/shapes" --config "$out/tiny.json" --paths embedding,i2t,t2i --out "$out/run" --epochs 1 \
  --quiet >/dev/null
cp "$out/run/best.gxn" "$out/model.gxn"
images=("$out"/shapes/images/*.png)
cp "${images[0]}" "$out/a.png"
cp "${images[1]}" "$out/b.png"
