#!/usr/bin/env bash
# `gxn eval-captions`: golden JSON and table on the hand-worked case of
# tests/engine/test_caption_metrics.cpp (tests/data/captions), and refusals (ids missing on
# either side, malformed JSON, wrong types, an empty reference list) with a non-zero exit and
# the culprit named.
# Usage: eval_captions.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"
data=$2/captions

# Golden JSON. As the metrics see them: img1 "a cat cat" vs {"a cat sat down"}, img2
# "a dog sat down" vs {"a dog sat down"} (case and punctuation dropped).
#  BLEU: matched/total n-grams summed over both: p1 = (2+4)/(3+4) = 6/7 ("cat" x2 clipped to 1),
#   p2 = (1+3)/(2+3) = 4/5, p3 = (0+2)/(1+2) = 2/3, p4 = (0+1)/(0+1) = 1; c = 7, r = 8:
#   penalty exp(1 - 8/7). BLEU-n = (p1...pn)^(1/n) * exp(-1/7).
#  CIDEr-D: (2.5 exp(-1/72) + 10) / 2 (worked out in test_caption_metrics.cpp).
"$gxn" eval-captions --refs "$data/refs.json" --hyps "$data/hyps.json" --json >"$tmp/json" || fail "json: non-zero exit"
/usr/bin/python3 - "$tmp/json" <<'PY' || fail "json content: $(cat "$tmp/json")"
import json, math, sys
j = json.load(open(sys.argv[1]))
assert list(j) == ["bleu1", "bleu2", "bleu3", "bleu4", "cider"], j
p, bp = [6 / 7, 4 / 5, 2 / 3, 1], math.exp(1 - 8 / 7)
for n in range(1, 5):
    want = math.prod(p[:n]) ** (1 / n) * bp
    assert abs(j[f"bleu{n}"] - want) < 1e-12, (n, j[f"bleu{n}"], want)
want = (2.5 * math.exp(-1 / 72) + 10) / 2
assert abs(j["cider"] - want) < 1e-12, (j["cider"], want)
PY

# Golden table (the same figures, 4 decimals).
"$gxn" eval-captions --refs "$data/refs.json" --hyps "$data/hyps.json" >"$tmp/table" || fail "table: non-zero exit"
cat >"$tmp/expected" <<'TABLE'
2 captions, 2 references
 BLEU-1  BLEU-2  BLEU-3  BLEU-4 CIDEr-D
 0.7430  0.7178  0.6678  0.7128  6.2328
TABLE
diff -u "$tmp/expected" "$tmp/table" || fail "table differs from the golden one"

# A hypothesis of unknown words is scored, not refused: it matches nothing.
printf '{"img1": "zebra quokka", "img2": "A dog sat down!"}' >"$tmp/unknown.json"
"$gxn" eval-captions --refs "$data/refs.json" --hyps "$tmp/unknown.json" --json >"$tmp/json" || fail "unknown words refused"
/usr/bin/python3 -c "
import json, sys
j = json.load(open('$tmp/json'))
assert 0 < j['bleu1'] < 1 and abs(j['cider'] - 5) < 1e-12, j" || fail "unknown words: $(cat "$tmp/json")"

# On shapes captions (every id's references describe one scene) the shapes the hypotheses state:
# s1 states its one shape right; s2 states two, one with the wrong colour, of the scene's two:
# precision 2/3, recall 2/3, F1 2/3.
cat >"$tmp/shape_refs.json" <<'JSON'
{"s1": ["A small red circle in the center.", "center: red disc, tiny"],
 "s2": ["A big blue star in the top left and a tiny white square at the bottom edge.",
        "The bottom middle has a little white block and the upper left has a large blue star."]}
JSON
printf '{"s1": "a small red circle at the middle", "s2": "a large blue star in the top left and a small green square at the bottom edge"}' >"$tmp/shape_hyps.json"
"$gxn" eval-captions --refs "$tmp/shape_refs.json" --hyps "$tmp/shape_hyps.json" --json >"$tmp/json" || fail "shapes: non-zero exit"
/usr/bin/python3 -c "
import json
j = json.load(open('$tmp/json'))['shapes']
assert all(abs(j[k] - 2 / 3) < 1e-12 for k in ('precision', 'recall', 'f1')), j" || fail "shapes: $(cat "$tmp/json")"
"$gxn" eval-captions --refs "$tmp/shape_refs.json" --hyps "$tmp/shape_hyps.json" | grep -q "precision 0.667, recall 0.667, F1 0.667" ||
  fail "shapes table"
# Other captions get no shapes figures.
"$gxn" eval-captions --refs "$data/refs.json" --hyps "$data/hyps.json" --json | grep -q shapes && fail "shapes on other data"

# Refusals, each naming the file and the id.
printf '{"img1": "a cat"}' >"$tmp/hyps_missing.json"
expect_error "id only in refs" "refs.json: id 'img2' has no hypothesis in $tmp/hyps_missing.json" \
  eval-captions --refs "$data/refs.json" --hyps "$tmp/hyps_missing.json"
printf '{"img1": "a cat", "img2": "a dog", "img3": "a cow"}' >"$tmp/hyps_extra.json"
expect_error "id only in hyps" "hyps_extra.json: id 'img3' has no references in $data/refs.json" \
  eval-captions --refs "$data/refs.json" --hyps "$tmp/hyps_extra.json"
printf '{"img1": "a cat", "img2": ' >"$tmp/truncated.json"
expect_error "malformed JSON" "truncated.json: not valid JSON" \
  eval-captions --refs "$data/refs.json" --hyps "$tmp/truncated.json"
printf '{"img1": "a cat", "img2": 1e999}' >"$tmp/overflow.json"
expect_error "a number past double's range" "overflow.json: not valid JSON" \
  eval-captions --refs "$data/refs.json" --hyps "$tmp/overflow.json"
printf '{"img1": ["a cat"], "img2": []}' >"$tmp/refs_empty.json"
expect_error "empty reference list" "refs_empty.json: id 'img2' has an empty reference list" \
  eval-captions --refs "$tmp/refs_empty.json" --hyps "$data/hyps.json"
printf '{"img1": ["a cat", 7], "img2": ["a dog"]}' >"$tmp/refs_number.json"
expect_error "non-string reference" "refs_number.json: id 'img1': reference 1 must be a string, found number" \
  eval-captions --refs "$tmp/refs_number.json" --hyps "$data/hyps.json"
printf '{"img1": ["a cat"], "img2": "a dog"}' >"$tmp/refs_string.json"
expect_error "reference list not a list" "refs_string.json: id 'img2': expected a list of reference strings, found string" \
  eval-captions --refs "$tmp/refs_string.json" --hyps "$data/hyps.json"
printf '{"img1": ["a cat"], "img2": "a dog"}' >"$tmp/hyps_list.json"
expect_error "hypothesis not a string" "hyps_list.json: id 'img1': the hypothesis must be a string, found array" \
  eval-captions --refs "$data/refs.json" --hyps "$tmp/hyps_list.json"
printf '["a cat"]' >"$tmp/array.json"
expect_error "top level not an object" "array.json: expected a JSON object" \
  eval-captions --refs "$data/refs.json" --hyps "$tmp/array.json"
printf '{}' >"$tmp/none.json"
expect_error "no captions" "no captions to evaluate" eval-captions --refs "$tmp/none.json" --hyps "$tmp/none.json"
expect_error "missing file" "$tmp/absent.json" eval-captions --refs "$data/refs.json" --hyps "$tmp/absent.json"
expect_error "no --refs" "--refs" eval-captions --hyps "$data/hyps.json"
echo "eval_captions.sh: all passed"
