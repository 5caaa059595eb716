#!/usr/bin/env bash
# Killed with SIGKILL at any moment, gxn loses nothing it saved before:
# - training: killed at random moments (during a step, a checkpoint write, validation), the run's
#   checkpoint and best model load, and --resume (or, killed before the first checkpoint, a
#   fresh start in the same folder) ends with the very files an uninterrupted run writes;
# - model and index files: a save killed mid-write leaves the previous file whole, or the new
#   one whole, never a mix; a temporary file left behind is never read as the file, and the next
#   save of that file removes it.
# Half the kills come at a uniformly random moment of the run, half 0-9 ms after a temporary
# file appears (a save under way). GXN_KILL_POINTS sets how many per part.
# Usage: kill_consistency.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"
points=${GXN_KILL_POINTS:-8}
RANDOM=17  # the same kill moments (in milliseconds) on every run

now_ms() { date +%s%3N; }

# Waits until a file matching the glob exists; 1 if the process ended first.
wait_for() {
  local glob=$1 pid=$2
  while ! compgen -G "$glob" >/dev/null; do
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.001
  done
}

# --- training ---------------------------------------------------------------------------------
"$gxn" data shapes --images 60 --out "$tmp/shapes" --quiet || fail "data shapes"
cat >"$tmp/train.json" <<'JSON'
{"model": {"image": {"backbone": "cnn-small", "crop": 32}, "text": {"word_dim": 16, "hidden_dim": 32},
           "embed_dim": 32},
 "batch_size": 16, "sampling": "images", "threads": 1, "epochs": 3, "checkpoint_steps": 1, "seed": 5}
JSON
train=("$gxn" train --data "$tmp/shapes" --config "$tmp/train.json" --quiet)
start=$(now_ms)
"${train[@]}" --out "$tmp/run0" >/dev/null 2>"$tmp/err" || fail "reference run: $(cat "$tmp/err")"
span=$(($(now_ms) - start))
# The log without its seconds column (wall-clock time differs between runs).
log_of() { cut -d, -f1-10,12- "$1/log.csv"; }
printf 'the unmoving caption\n' >"$tmp/caption.txt"

declare -A hits=()
for ((point = 1; point <= points; ++point)); do
  run=$tmp/run$point
  "${train[@]}" --out "$run" >/dev/null 2>&1 &  # $! is gxn itself, not a subshell
  pid=$!
  if ((point % 2)); then
    sleep "$(awk -v ms=$((RANDOM % span)) 'BEGIN { print ms / 1000 }')"
  elif wait_for "$run/checkpoint.gxn.tmp.*" "$pid" || wait_for "$run/best.gxn.tmp.*" "$pid"; then
    sleep "$(awk -v ms=$((RANDOM % 10)) 'BEGIN { print ms / 1000 }')"
  fi
  if ! kill -9 "$pid" 2>/dev/null; then hits[ended]=$((${hits[ended]:-0} + 1)); fi
  wait "$pid" 2>/dev/null
  if compgen -G "$run/*.tmp.*" >/dev/null; then hits[mid-save]=$((${hits[mid-save]:-0} + 1)); fi
  if [ -e "$run/best.gxn" ]; then
    "$gxn" encode --model "$run/best.gxn" --texts "$tmp/caption.txt" --out "$tmp/e.npy" --quiet 2>"$tmp/err" ||
      fail "kill $point: best.gxn does not load: $(cat "$tmp/err")"
  fi
  # The checkpoint loads when the run resumes from it.
  if [ -e "$run/checkpoint.gxn" ]; then
    "$gxn" train --out "$run" --resume --quiet >/dev/null 2>"$tmp/err" || fail "kill $point: resume: $(cat "$tmp/err")"
  else
    hits[before-checkpoint]=$((${hits[before-checkpoint]:-0} + 1))
    "${train[@]}" --out "$run" >/dev/null 2>"$tmp/err" || fail "kill $point: a fresh start in the folder: $(cat "$tmp/err")"
  fi
  cmp -s "$run/best.gxn" "$tmp/run0/best.gxn" || fail "kill $point: best.gxn differs from the uninterrupted run's"
  $py "$(dirname "$0")/lib/same_checkpoint.py" "$run/checkpoint.gxn" "$tmp/run0/checkpoint.gxn" ||
    fail "kill $point: the checkpoint differs from the uninterrupted run's"
  [ "$(log_of "$run")" = "$(log_of "$tmp/run0")" ] || fail "kill $point: log.csv differs: $(log_of "$run")"
  compgen -G "$run/*.tmp.*" >/dev/null && fail "kill $point: a temporary file outlived the next save: $(ls "$run")"
done
echo "training: $points kills (${hits[mid-save]:-0} during a save, ${hits[before-checkpoint]:-0} before the first checkpoint, ${hits[ended]:-0} after the end), each resumed to the uninterrupted run's files"

# --- model and index files --------------------------------------------------------------------
# Each kill interrupts a save of "new" over a file holding "old"; afterwards the file must be one
# of the two byte for byte and load; then a whole save must leave no temporary file behind.
# Usage: kill_save NAME FILE OLD NEW LOAD_COMMAND... -- SAVE_COMMAND...
kill_save() {
  local name=$1 file=$2 old=$3 new=$4
  shift 4
  local load=() save=()
  while [ "$1" != -- ]; do load+=("$1"); shift; done
  shift
  save=("$@")
  local start span kept=0 replaced=0 mid=0
  start=$(now_ms)
  "${save[@]}" >/dev/null 2>&1 || fail "$name: the save itself fails"
  span=$(($(now_ms) - start))
  for ((point = 1; point <= points; ++point)); do
    cp "$old" "$file"
    "${save[@]}" >/dev/null 2>&1 &
    pid=$!
    if ((point % 2)); then
      sleep "$(awk -v ms=$((RANDOM % span)) 'BEGIN { print ms / 1000 }')"
    elif wait_for "$file.tmp.*" "$pid"; then
      sleep "$(awk -v ms=$((RANDOM % 10)) 'BEGIN { print ms / 1000 }')"
    fi
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if compgen -G "$file.tmp.*" >/dev/null; then mid=$((mid + 1)); fi
    if cmp -s "$file" "$old"; then
      kept=$((kept + 1))
    elif cmp -s "$file" "$new"; then
      replaced=$((replaced + 1))
    else
      fail "$name, kill $point: the file is neither the old one nor the new one"
    fi
    "${load[@]}" >/dev/null 2>"$tmp/err" || fail "$name, kill $point: the file does not load: $(cat "$tmp/err")"
  done
  "${save[@]}" >/dev/null 2>&1 || fail "$name: the save after the kills fails"
  cmp -s "$file" "$new" || fail "$name: the last save did not write the new file"
  compgen -G "$file.tmp.*" >/dev/null && fail "$name: temporary files outlived a whole save: $(ls "$(dirname "$file")")"
  echo "$name: $points kills ($mid during the write): the old file $kept times, the new one $replaced times, never a mix"
}

saves=$tmp/saves
mkdir -p "$saves"
init_model() { "$gxn" init-model --data "$tmp/shapes" --embed-dim 512 --hidden-dim 512 --out "$1" --seed "$2"; }
init_model "$saves/old.gxn" 1 >/dev/null && init_model "$saves/new.gxn" 2 >/dev/null || fail "init-model"
kill_save "model save" "$saves/model.gxn" "$saves/old.gxn" "$saves/new.gxn" \
  "$gxn" encode --model "$saves/model.gxn" --texts "$tmp/caption.txt" --out "$tmp/e.npy" --quiet -- \
  "$gxn" init-model --data "$tmp/shapes" --embed-dim 512 --hidden-dim 512 --out "$saves/model.gxn" --seed 2

# A wide embedding (D = 1024) and a small GRU: a file of tens of MB, quick to encode.
"$gxn" init-model --data "$tmp/shapes" --embed-dim 1024 --hidden-dim 32 --word-dim 16 --out "$saves/wide.gxn" \
  >/dev/null || fail "init-model (wide)"
for i in $(seq 1 2000); do echo "caption number $i of the old index"; done >"$tmp/old.txt"
for i in $(seq 1 3000); do echo "caption number $i of the new index"; done >"$tmp/new.txt"
index_build() { "$gxn" index build --model "$saves/wide.gxn" --kind flat --quiet --captions "$1" --out "$2"; }
index_build "$tmp/old.txt" "$saves/old.gxi" && index_build "$tmp/new.txt" "$saves/new.gxi" || fail "index build"
kill_save "index save" "$saves/index.gxi" "$saves/old.gxi" "$saves/new.gxi" \
  "$gxn" index info --index "$saves/index.gxi" -- \
  "$gxn" index build --model "$saves/wide.gxn" --kind flat --quiet --captions "$tmp/new.txt" --out "$saves/index.gxi"
