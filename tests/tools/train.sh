#!/usr/bin/env bash
# `gxn train`: a short run on a tiny shapes dataset writes the run's files and prints the
# validation table; --resume continues it; --print-config round-trips through --config; bad
# input (unknown config key, out-of-range value, missing data folder, a damaged checkpoint)
# exits non-zero with the culprit named.
# Usage: train.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"

"$gxn" data shapes --images 60 --out "$tmp/shapes" --quiet || fail "data shapes"
cat >"$tmp/small.json" <<'JSON'
{"model": {"text": {"word_dim": 16, "hidden_dim": 32}, "embed_dim": 32},
 "model_note_is_not_a_key": 1}
JSON
expect_error "unknown config key" "'model_note_is_not_a_key' is not a known key" \
  train --data "$tmp/shapes" --config "$tmp/small.json" --out "$tmp/run"
cat >"$tmp/small.json" <<'JSON'
{"model": {"image": {"backbone": "cnn-small"}, "text": {"word_dim": 16, "hidden_dim": 32}, "embed_dim": 32},
 "batch_size": 64, "sampling": "images", "threads": 2}
JSON
expect_error "missing data folder" "$tmp/nowhere" train --data "$tmp/nowhere" --config "$tmp/small.json" --out "$tmp/run"
expect_error "epochs out of range" "epochs = 0 is out of range" \
  train --data "$tmp/shapes" --config "$tmp/small.json" --out "$tmp/run" --epochs 0
expect_error "missing config file" "$tmp/none.json" train --data "$tmp/shapes" --config "$tmp/none.json" --out "$tmp/run"
expect_error "precomp backbone on images" "choose an image backbone" \
  train --data "$tmp/shapes" --out "$tmp/run" --backbone precomp --epochs 1
expect_error "resume without a run" "holds no checkpoint.gxn" train --data "$tmp/shapes" --out "$tmp/empty" --resume
[ ! -e "$tmp/run/checkpoint.gxn" ] || fail "a refused run left a checkpoint"

# --print-config prints what --config reads back, and trains nothing.
"$gxn" train --demo-config --data "$tmp/shapes" --out "$tmp/printed" --epochs 7 --print-config >"$tmp/demo.json" ||
  fail "--print-config: non-zero exit"
[ ! -e "$tmp/printed" ] || fail "--print-config made the run folder"
grep -q '"epochs": 7' "$tmp/demo.json" && grep -q '"reconstruction_weight": 1000.0' "$tmp/demo.json" ||
  fail "--print-config lacks --epochs or the demo's settings: $(cat "$tmp/demo.json")"
"$gxn" train --config "$tmp/demo.json" --out "$tmp/printed" --print-config >"$tmp/again.json" ||
  fail "--config refused what --print-config printed"
cmp -s "$tmp/demo.json" "$tmp/again.json" || fail "--print-config output does not round-trip through --config"
expect_error "printing an invalid config" "epochs = 0 is out of range" \
  train --demo-config --data "$tmp/shapes" --out "$tmp/printed" --epochs 0 --print-config

# One epoch, then --resume for a second.
"$gxn" train --data "$tmp/shapes" --config "$tmp/small.json" --out "$tmp/run" --epochs 1 --seed 3 >"$tmp/out1" 2>"$tmp/err1" ||
  fail "train: non-zero exit: $(cat "$tmp/err1")"
for f in best.gxn checkpoint.gxn log.csv vocab.txt config.json; do
  [ -s "$tmp/run/$f" ] || fail "train did not write $f"
done
grep -q "^epoch 1/1 " "$tmp/out1" || fail "no epoch line: $(cat "$tmp/out1")"
grep -q "^i2t " "$tmp/out1" && grep -q "^t2i " "$tmp/out1" && grep -q "^rsum " "$tmp/out1" ||
  fail "no final table: $(cat "$tmp/out1")"
[ "$(wc -l <"$tmp/run/log.csv")" -eq 2 ] || fail "log.csv should hold a header and one row"
head -1 "$tmp/run/log.csv" | grep -q "^epoch,lr,train_loss,i2t_r1" || fail "log.csv header"
grep -q '"seed": 3' "$tmp/run/config.json" || fail "config.json lacks the --seed"

expect_error "fresh run into a used folder" "already holds a run" \
  train --data "$tmp/shapes" --config "$tmp/small.json" --out "$tmp/run" --epochs 1
expect_error "resume with another learning rate" "learning_rate" \
  train --data "$tmp/shapes" --out "$tmp/run" --resume --lr 0.5

cp "$tmp/run/checkpoint.gxn" "$tmp/good.gxn"
"$gxn" train --out "$tmp/run" --resume --epochs 2 --quiet >"$tmp/out2" 2>"$tmp/err2" ||
  fail "resume: non-zero exit: $(cat "$tmp/err2")"
[ "$(wc -l <"$tmp/run/log.csv")" -eq 3 ] || fail "log.csv should hold two rows after the resume"
grep -q "^2," "$tmp/run/log.csv" || fail "log.csv lacks epoch 2"
grep -q "^rsum " "$tmp/out2" || fail "resume: no final table"
grep -q "^epoch " "$tmp/out2" && fail "--quiet printed epoch lines"

# A damaged checkpoint is refused by name and not overwritten.
head -c 1000 "$tmp/good.gxn" >"$tmp/run/checkpoint.gxn"
expect_error "truncated checkpoint" "checkpoint.gxn: truncated" train --out "$tmp/run" --resume --epochs 3
[ "$(wc -c <"$tmp/run/checkpoint.gxn")" -eq 1000 ] || fail "the refused resume rewrote the checkpoint"
echo "train.sh: ok"
