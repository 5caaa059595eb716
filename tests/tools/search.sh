#!/usr/bin/env bash
# `gxn search`: text → images over a folder, image → captions over a captions file, the same
# results from precomputed embeddings, JSON keys, -k, and refusals naming the culprit.
# Usage: search.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"

"$gxn" data shapes --out "$tmp/shapes" --images 20 --quiet || fail "data shapes"
"$gxn" init-model --data "$tmp/shapes" --out "$tmp/m.gxn" --embed-dim 16 --word-dim 8 --hidden-dim 16 >/dev/null \
  || fail "init-model"
images=$tmp/shapes/images

# Text → images: k lines, best first, every one a file of the folder.
"$gxn" search --model "$tmp/m.gxn" --images "$images" --text "a red circle" -k 4 >"$tmp/table" 2>"$tmp/err" \
  || fail "text search: $(cat "$tmp/err")"
[ "$(head -1 "$tmp/table")" = "text query: a red circle" ] || fail "table header: $(cat "$tmp/table")"
[ "$(tail -n +3 "$tmp/table" | wc -l)" -eq 4 ] || fail "expected 4 results: $(cat "$tmp/table")"
tail -n +3 "$tmp/table" | awk '{print $3}' | while read -r f; do [ -f "$f" ] || fail "not a file: $f"; done || exit 1

"$gxn" search --model "$tmp/m.gxn" --images "$images" --text "a red circle" -k 4 --json >"$tmp/text.json" \
  || fail "text search json"
$py - "$tmp/text.json" "$tmp/table" <<'PY' || fail "text json"
import json, sys
j = json.load(open(sys.argv[1]))
assert list(j) == ["query", "candidates", "lambda", "results"], list(j)
assert j["query"] == {"text": "a red circle"} and j["candidates"] == 20 and j["lambda"] == 0.5, j
r = j["results"]
assert [x["rank"] for x in r] == [1, 2, 3, 4], r
assert all(set(x) == {"rank", "score", "image", "row"} for x in r), r
scores = [x["score"] for x in r]
assert scores == sorted(scores, reverse=True) and all(s <= 0 for s in scores), scores
table = [l.split() for l in open(sys.argv[2]).read().splitlines()[2:]]
assert [t[2] for t in table] == [x["image"] for x in r], (table, r)
PY

# The same search over precomputed embeddings gives the same answer.
"$gxn" encode --model "$tmp/m.gxn" --images "$images" --out "$tmp/e.npy" --names "$tmp/e.txt" --quiet || fail "encode"
"$gxn" search --model "$tmp/m.gxn" --embeddings "$tmp/e.npy" --names "$tmp/e.txt" --text "a red circle" -k 4 --json \
  >"$tmp/text2.json" || fail "search embeddings"
$py -c "
import json
a, b = json.load(open('$tmp/text.json')), json.load(open('$tmp/text2.json'))
assert [x['image'] for x in a['results']] == [x['image'] for x in b['results']], (a, b)" || fail "embeddings differ"

# Image → captions: k larger than the file is clamped; the right caption scores 0 here? no claim;
# but the scores are sorted and each result is a line of the file.
printf 'a red circle\na blue square\na green triangle\n' >"$tmp/caps.txt"
query=$(ls "$images"/*.png | head -1)
"$gxn" search --model "$tmp/m.gxn" --image "$query" --captions "$tmp/caps.txt" -k 10 --json >"$tmp/image.json" \
  || fail "image search"
$py - "$tmp/image.json" "$query" <<'PY' || fail "image json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["query"] == {"image": sys.argv[2]}, j["query"]
r = j["results"]
assert len(r) == 3 and all(set(x) == {"rank", "score", "caption", "row"} for x in r), r
assert sorted(x["caption"] for x in r) == ["a blue square", "a green triangle", "a red circle"], r
assert [x["score"] for x in r] == sorted((x["score"] for x in r), reverse=True), r
PY

# Refusals.
expect_error "no query" "" search --model "$tmp/m.gxn" --images "$images"
expect_error "two queries" "" search --model "$tmp/m.gxn" --images "$images" --text "a" --image "$query"
expect_error "text without images" "--images" search --model "$tmp/m.gxn" --text "a red circle"
expect_error "text against captions" "--captions" search --model "$tmp/m.gxn" --text "a red circle" --captions "$tmp/caps.txt"
expect_error "image against images" "--images" search --model "$tmp/m.gxn" --image "$query" --images "$images"
expect_error "empty text" "--text: the caption has no word" search --model "$tmp/m.gxn" --images "$images" --text "   "
expect_error "empty --text" "--text: the caption has no word" search --model "$tmp/m.gxn" --images "$images" --text ""
expect_error "empty --image" "--image" search --model "$tmp/m.gxn" --image "" --captions "$tmp/caps.txt"
expect_error "missing query image" "$tmp/none.png" search --model "$tmp/m.gxn" --image "$tmp/none.png" --captions "$tmp/caps.txt"
expect_error "missing model" "$tmp/none.gxn" search --model "$tmp/none.gxn" --images "$images" --text "a"
: >"$tmp/empty.txt"
expect_error "empty captions" "empty.txt" search --model "$tmp/m.gxn" --image "$query" --captions "$tmp/empty.txt"
expect_error "k 0" "-k" search --model "$tmp/m.gxn" --images "$images" --text "a" -k 0
expect_error "embeddings without names" "--names" search --model "$tmp/m.gxn" --embeddings "$tmp/e.npy" --text "a"
head -3 "$tmp/e.txt" >"$tmp/short.txt"
expect_error "names disagree" "short.txt: 3 names for the 20 rows" search --model "$tmp/m.gxn" --embeddings "$tmp/e.npy" --names "$tmp/short.txt" --text "a"
"$gxn" init-model --data "$tmp/shapes" --out "$tmp/wide.gxn" --embed-dim 24 --word-dim 8 --hidden-dim 16 >/dev/null || fail "wide model"
expect_error "other model's embeddings" "dimension 16" search --model "$tmp/wide.gxn" --embeddings "$tmp/e.npy" --names "$tmp/e.txt" --text "a"
echo "search.sh: all passed"
