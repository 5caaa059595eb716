#!/usr/bin/env bash
# --device on every command that runs the model (encode, caption, imagine, search, train):
# "--device cpu" gives exactly what no flag gives; an unknown name is refused naming --device.
# Without CUDA (Debian's LibTorch, or no GPU visible) "--device cuda" exits non-zero saying CUDA
# is not available, on every command; with CUDA it runs and agrees with the CPU, and a run
# trained on the GPU resumes on the CPU. GXN_EXPECT_CUDA=1 or 0 says which must happen (unset:
# whichever `encode --device cuda` shows).
# Usage: device.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"

"$gxn" data shapes --out "$tmp/shapes" --images 12 --quiet || fail "data shapes"
cat >"$tmp/model.json" <<'JSON'
{"paths": "embedding,i2t,t2i", "image": {"backbone": "cnn-small", "crop": 32}, "embed_dim": 16,
 "text": {"word_dim": 8, "hidden_dim": 16}, "decoder": {"word_dim": 8, "hidden_dim": 16, "max_length": 6},
 "generator": {"condition_dim": 4, "noise_dim": 4, "generator_channels": 8, "discriminator_channels": 4,
               "discriminator_text_dim": 4}}
JSON
"$gxn" init-model --data "$tmp/shapes" --out "$tmp/m.gxn" --config "$tmp/model.json" >/dev/null || fail "init-model"
model=$tmp/m.gxn
images=("$tmp"/shapes/images/*.png)

# --device cpu: the same bytes as no flag.
"$gxn" encode --model "$model" --images "$tmp/shapes/images" --out "$tmp/plain.npy" --quiet || fail "encode"
"$gxn" encode --model "$model" --images "$tmp/shapes/images" --out "$tmp/cpu.npy" --quiet --device cpu \
  || fail "encode --device cpu"
cmp -s "$tmp/plain.npy" "$tmp/cpu.npy" || fail "encode --device cpu differs from no flag"
"$gxn" caption --model "$model" --quiet "${images[@]:0:3}" >"$tmp/plain.txt" || fail "caption"
"$gxn" caption --model "$model" --quiet --device cpu "${images[@]:0:3}" >"$tmp/cpu.txt" || fail "caption --device cpu"
cmp -s "$tmp/plain.txt" "$tmp/cpu.txt" || fail "caption --device cpu differs from no flag"
"$gxn" imagine --model "$model" --quiet --text "a red circle" -n 2 -o "$tmp/plain.png" >/dev/null || fail "imagine"
"$gxn" imagine --model "$model" --quiet --text "a red circle" -n 2 -o "$tmp/cpu.png" --device cpu >/dev/null \
  || fail "imagine --device cpu"
cmp -s "$tmp/plain.png" "$tmp/cpu.png" || fail "imagine --device cpu differs from no flag"

# Names that are no device: refused by the option's name, whatever the LibTorch.
expect_error "encode --device tpu" "--device: device = 'tpu' is not a device" \
  encode --model "$model" --texts /dev/null --out "$tmp/x.npy" --device tpu
expect_error "train --device gpu" "--device: device = 'gpu' is not a device" \
  train --data "$tmp/shapes" --out "$tmp/run_gpu" --device gpu
[ ! -e "$tmp/run_gpu" ] || fail "train --device gpu made a run folder"

if "$gxn" encode --model "$model" --images "$tmp/shapes/images" --out "$tmp/cuda.npy" --quiet --device cuda \
  2>"$tmp/cuda.err"; then
  [ "${GXN_EXPECT_CUDA:-1}" = 1 ] || fail "encode --device cuda ran, GXN_EXPECT_CUDA=0 says it must be refused"
  $py - "$tmp/cpu.npy" "$tmp/cuda.npy" <<'PY' || fail "encode on the GPU differs from the CPU"
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == b.shape and np.abs(a - b).max() < 1e-4, np.abs(a - b).max()
PY
  "$gxn" caption --model "$model" --quiet --device cuda "${images[@]:0:3}" >/dev/null || fail "caption --device cuda"
  "$gxn" imagine --model "$model" --quiet --text "a red circle" -o "$tmp/cuda.png" --device cuda >/dev/null \
    || fail "imagine --device cuda"
  "$gxn" train --data "$tmp/shapes" --out "$tmp/run" --epochs 1 --quiet --device cuda || fail "train --device cuda"
  "$gxn" train --out "$tmp/run" --resume --epochs 2 --quiet --device cpu || fail "a GPU run resumed on the CPU"
  "$gxn" encode --model "$tmp/run/best.gxn" --texts /dev/null --out "$tmp/x.npy" --quiet || fail "a GPU model on the CPU"
  echo "device: cpu as no flag; unknown names refused; cuda agrees with cpu, a GPU run resumes on the CPU"
  exit 0
fi
[ "${GXN_EXPECT_CUDA:-0}" = 0 ] || fail "encode --device cuda, GXN_EXPECT_CUDA=1: $(cat "$tmp/cuda.err")"

# No CUDA here: every entry point refuses "cuda" saying so, before it writes anything.
unavailable="CUDA is not available"
expect_error "encode --device cuda" "$unavailable" \
  encode --model "$model" --images "$tmp/shapes/images" --out "$tmp/x.npy" --device cuda
[ ! -e "$tmp/x.npy" ] || fail "encode --device cuda wrote its output"
expect_error "caption --device cuda" "$unavailable" caption --model "$model" --device cuda "${images[0]}"
expect_error "imagine --device cuda:0" "$unavailable" \
  imagine --model "$model" --text "a red circle" -o "$tmp/x.png" --device cuda:0
expect_error "search --device cuda" "$unavailable" \
  search --model "$model" --text "a red circle" --images "$tmp/shapes/images" --device cuda
expect_error "train --device cuda" "$unavailable" train --data "$tmp/shapes" --out "$tmp/run" --device cuda
grep -qF -- "--device:" "$tmp/err" || fail "train --device cuda does not name the option: $(cat "$tmp/err")"
echo "device: cpu as no flag; unknown names and cuda (not available here) refused"
