#!/usr/bin/env bash
# `gxn index`: build an index of images (and of captions) with a model, search it by text (by
# image), add, remove, info; refusals that name the culprit and leave the file as it was.
# Usage: index.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"

"$gxn" data shapes --images 30 --out "$tmp/shapes" --quiet || fail "data shapes"
"$gxn" init-model --data "$tmp/shapes" --out "$tmp/m.gxn" --embed-dim 16 --word-dim 8 --hidden-dim 16 >/dev/null ||
  fail "init-model"
images=("$tmp"/shapes/images/*.png)
printf '%s\n' "${images[@]:0:20}" >"$tmp/first.txt"
printf '%s\n' "${images[@]:20:10}" >"$tmp/more.txt"

"$gxn" index build --model "$tmp/m.gxn" --images "$tmp/first.txt" --out "$tmp/i.gxi" >"$tmp/out" || fail "build"
grep -q "wrote $tmp/i.gxi: 20 images (flat shortlist)" "$tmp/out" || fail "build summary: $(cat "$tmp/out")"
"$gxn" index info --index "$tmp/i.gxi" --json >"$tmp/info.json" || fail "info"
$py -c 'import json,sys; j=json.load(open(sys.argv[1])); assert (j["items"], j["side"], j["embed_dim"], j["payloads"]) == (20, "images", 16, True), j' \
  "$tmp/info.json" || fail "info: $(cat "$tmp/info.json")"

# A search returns the images' paths and ids, best first, with the scores gxn search gives.
"$gxn" index search --index "$tmp/i.gxi" --model "$tmp/m.gxn" --text "a red circle" -k 5 --json --quiet >"$tmp/s.json" ||
  fail "search"
"$gxn" search --model "$tmp/m.gxn" --text "a red circle" --images "$tmp/first.txt" -k 5 --json --quiet >"$tmp/exact.json"
$py - "$tmp/s.json" "$tmp/exact.json" "${images[@]:0:20}" <<'PY' || fail "index search differs from gxn search"
import json, sys
got, exact, paths = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3:]
assert got["items"] == 20 and len(got["results"]) == 5, got
for g, e in zip(got["results"], exact["results"]):
    assert g["image"] == e["image"] == paths[g["id"]], (g, e)
    assert abs(g["score"] - e["score"]) < 1e-5, (g, e)
PY

# Add ten (ids 20..29), remove two; the file changes only when the command succeeds.
"$gxn" index add --index "$tmp/i.gxi" --model "$tmp/m.gxn" --images "$tmp/more.txt" >"$tmp/out" || fail "add"
grep -q "added 10 images to $tmp/i.gxi (ids 20..29): 30 in all" "$tmp/out" || fail "add summary: $(cat "$tmp/out")"
"$gxn" index remove --index "$tmp/i.gxi" --ids 3,25 >"$tmp/out" || fail "remove"
grep -q "28 left" "$tmp/out" || fail "remove summary: $(cat "$tmp/out")"
"$gxn" index search --index "$tmp/i.gxi" --model "$tmp/m.gxn" --text "a shape" -k 30 --json --quiet >"$tmp/all.json"
$py -c 'import json,sys; ids=sorted(r["id"] for r in json.load(open(sys.argv[1]))["results"]); assert ids == [i for i in range(30) if i not in (3, 25)], ids' \
  "$tmp/all.json" || fail "after add and remove: $(cat "$tmp/all.json")"

printf 'a red circle\ntwo blue squares\na green star at the top\n' >"$tmp/caps.txt"
cp "$tmp/i.gxi" "$tmp/before.gxi"
expect_error "remove an unknown id" "no item has id 99" index remove --index "$tmp/i.gxi" --ids 4,99
expect_error "add captions to an image index" "indexes images" index add --index "$tmp/i.gxi" --model "$tmp/m.gxn" \
  --captions "$tmp/caps.txt"
cmp -s "$tmp/i.gxi" "$tmp/before.gxi" || fail "a refused command changed the index"
expect_error "image query on an image index" "search it with --text" index search --index "$tmp/i.gxi" \
  --model "$tmp/m.gxn" --image "${images[0]}"
"$gxn" init-model --data "$tmp/shapes" --out "$tmp/other.gxn" --embed-dim 8 --word-dim 8 --hidden-dim 16 >/dev/null
expect_error "another model" "use the model the index was built with" index search --index "$tmp/i.gxi" \
  --model "$tmp/other.gxn" --text "a red circle"
expect_error "missing index" "$tmp/none.gxi" index info --index "$tmp/none.gxi"
expect_error "not an index" "not a usable gxn index" index info --index "${images[0]}"

# A caption index answers image queries.
"$gxn" index build --model "$tmp/m.gxn" --captions "$tmp/caps.txt" --out "$tmp/c.gxi" --quiet || fail "caption index"
"$gxn" index search --index "$tmp/c.gxi" --model "$tmp/m.gxn" --image "${images[0]}" -k 3 --quiet >"$tmp/out" ||
  fail "image query"
grep -q "two blue squares" "$tmp/out" || fail "caption search: $(cat "$tmp/out")"
echo "index.sh: all passed"
