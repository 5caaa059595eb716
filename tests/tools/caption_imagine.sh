#!/usr/bin/env bash
# The generative paths from the command line: `gxn train --paths embedding,i2t,t2i` on a tiny
# shapes set, then `gxn caption` (greedy, beam, seeded sampling, JSON), `gxn imagine` (a PNG
# grid, the same for the same seed), `gxn eval --captions` (greedy and beam), and refusals
# naming the culprit.
# Usage: caption_imagine.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"

"$gxn" data shapes --images 60 --out "$tmp/shapes" --quiet || fail "data shapes"
cat >"$tmp/small.json" <<'JSON'
{"model": {"image": {"backbone": "cnn-small", "crop": 32}, "text": {"word_dim": 16, "hidden_dim": 32}, "embed_dim": 32,
           "decoder": {"word_dim": 16, "hidden_dim": 32, "max_length": 8},
           "generator": {"condition_dim": 8, "noise_dim": 8, "generator_channels": 16, "discriminator_channels": 8,
                         "discriminator_text_dim": 8}},
 "batch_size": 40, "sampling": "images", "threads": 1, "xe_epochs": 0}
JSON
"$gxn" train --data "$tmp/shapes" --config "$tmp/small.json" --paths embedding,i2t,t2i --out "$tmp/run" --epochs 1 \
  >"$tmp/train.out" 2>"$tmp/train.err" || fail "joint train: $(cat "$tmp/train.err")"
grep -q "paths embedding,i2t,t2i" "$tmp/train.out" || fail "train does not name its paths: $(cat "$tmp/train.out")"
grep -q "val CIDEr-D" "$tmp/train.out" || fail "no caption figures per epoch: $(cat "$tmp/train.out")"
head -1 "$tmp/run/log.csv" | grep -q "generator_loss,discriminator_loss,val_cider" || fail "log.csv lacks the paths' columns"
model=$tmp/run/best.gxn
images=("$tmp"/shapes/images/*.png)

"$gxn" caption --model "$model" --quiet "${images[0]}" "${images[1]}" >"$tmp/caps" || fail "caption"
[ "$(wc -l <"$tmp/caps")" -eq 2 ] || fail "caption: two images, $(wc -l <"$tmp/caps") lines"
cut -f1 "$tmp/caps" | head -1 | grep -qF "${images[0]}" || fail "caption lines start with the image: $(cat "$tmp/caps")"
"$gxn" caption --model "$model" --quiet --beam 3 "${images[0]}" >/dev/null || fail "caption --beam"
"$gxn" caption --model "$model" --quiet --sample --seed 5 "${images[0]}" >"$tmp/s1" || fail "caption --sample"
"$gxn" caption --model "$model" --quiet --sample --seed 5 "${images[0]}" >"$tmp/s2"
cmp -s "$tmp/s1" "$tmp/s2" || fail "sampling with one seed gave two captions"
"$gxn" caption --model "$model" --quiet --json "${images[0]}" >"$tmp/caps.json" || fail "caption --json"
$py -c 'import json,sys; j=json.load(open(sys.argv[1])); assert list(j)==[sys.argv[2]] and isinstance(j[sys.argv[2]], str)' \
  "$tmp/caps.json" "${images[0]}" || fail "caption --json: $(cat "$tmp/caps.json")"

"$gxn" imagine --model "$model" --quiet --text "a red circle" -n 3 --seed 2 -o "$tmp/a.png" >/dev/null || fail "imagine"
"$gxn" imagine --model "$model" --quiet --text "a red circle" -n 3 --seed 2 -o "$tmp/b.png" >/dev/null
[ "$(head -c 8 "$tmp/a.png" | od -An -tx1 | tr -d ' ')" = "89504e470d0a1a0a" ] || fail "imagine did not write a PNG"
cmp -s "$tmp/a.png" "$tmp/b.png" || fail "imagine: the same seed gave other images"

"$gxn" eval --model "$model" --data "$tmp/shapes" --split test --captions --json --quiet >"$tmp/eval.json" ||
  fail "eval --captions"
$py -c 'import json,sys; j=json.load(open(sys.argv[1])); c=j["captioning"]; assert {"bleu1","bleu4","cider","distinct","own","at_length_limit","shapes"} <= set(c); assert c["captions"]==6 and 0<=c["own"]<=c["distinct"]<=6; s=c["shapes"]; assert s["present"]>0 and 0<=s["right"]<=s["stated"] and 0<=s["f1"]<=1; assert 0<=s["placed"]<=s["stated"] and all(0<=s[k+"_right_at_place"]<=1 for k in ("colour","kind","size")) and all(0<=s["kind_right_at_"+k]<=1 for k in ("large","small")); t=s["kind_stated"]; assert len(t)==6 and all(len(r)==6 for r in t.values()) and sum(n for r in t.values() for n in r.values())<=s["placed"]; assert "rsum" in j' \
  "$tmp/eval.json" || fail "eval --captions --json: $(cat "$tmp/eval.json")"
# A beam of one keeps the likeliest word at each step: greedy decoding, the same figures.
"$gxn" eval --model "$model" --data "$tmp/shapes" --split test --captions --beam 1 --json --quiet >"$tmp/beam1.json" ||
  fail "eval --captions --beam 1"
"$gxn" eval --model "$model" --data "$tmp/shapes" --split test --captions --beam 3 --json --quiet >"$tmp/beam3.json" ||
  fail "eval --captions --beam 3"
$py -c 'import json,sys; g,b1,b3=(json.load(open(f))["captioning"] for f in sys.argv[1:]); assert (g["beam"],b1["beam"],b3["beam"])==(0,1,3); g.pop("beam"); b1.pop("beam"); assert g==b1, (g,b1); assert b3["captions"]==6' \
  "$tmp/eval.json" "$tmp/beam1.json" "$tmp/beam3.json" || fail "eval --beam: $(cat "$tmp/beam1.json" "$tmp/beam3.json")"
# eval --beam 3 scores the captions `gxn caption --beam 3` writes for the split's images, which
# here differ from the greedy ones (so a --beam that eval ignored would show).
$py -c 'import json,sys; d=json.load(open(sys.argv[1])); t=[i for i in d["images"] if i["split"]=="test"]; json.dump({i["filename"]: [s["raw"] for s in i["sentences"]] for i in t}, open(sys.argv[2],"w")); print("\n".join(sys.argv[3]+"/"+i["filename"] for i in t))' \
  "$tmp/shapes/dataset.json" "$tmp/refs.json" "$tmp/shapes/images" >"$tmp/test_images"
mapfile -t test_images <"$tmp/test_images"
for decoding in greedy beam3; do
  options=(); [ $decoding = beam3 ] && options=(--beam 3)
  "$gxn" caption --model "$model" --quiet --json "${options[@]}" "${test_images[@]}" >"$tmp/$decoding.caps" ||
    fail "caption ${options[*]}"
  $py -c 'import json,os,sys; c=json.load(open(sys.argv[1])); json.dump({os.path.basename(k): v for k, v in c.items()}, open(sys.argv[2],"w"))' \
    "$tmp/$decoding.caps" "$tmp/$decoding.hyps"
  "$gxn" eval-captions --refs "$tmp/refs.json" --hyps "$tmp/$decoding.hyps" --json >"$tmp/$decoding.scores" ||
    fail "eval-captions of the $decoding captions"
done
! cmp -s "$tmp/greedy.caps" "$tmp/beam3.caps" || fail "the tiny model's beam and greedy captions coincide: the check below tells nothing"
$py -c 'import json,sys; e,g,b=(json.load(open(f)) for f in sys.argv[1:]); e=e["captioning"]; assert all(e[k]==b[k] for k in ("bleu1","bleu4","cider")), (e,b); assert (g["bleu1"],g["cider"])!=(b["bleu1"],b["cider"])' \
  "$tmp/beam3.json" "$tmp/greedy.scores" "$tmp/beam3.scores" || fail "eval --beam 3 did not score caption --beam 3's captions"

"$gxn" eval --model "$model" --data "$tmp/shapes" --split test --imagine --json --quiet >"$tmp/imagine.json" ||
  fail "eval --imagine"
$py -c 'import json,sys; j=json.load(open(sys.argv[1])); m=j["imagining"]; assert m["named"]>0 and m["unnamed"]>0 and m["images"]>0; assert 0<=m["colour_at_place"]<=1 and 0<=m["background_elsewhere"]<=1' \
  "$tmp/imagine.json" || fail "eval --imagine --json: $(cat "$tmp/imagine.json")"

# Refusals.
"$gxn" train --data "$tmp/shapes" --config "$tmp/small.json" --out "$tmp/plain" --epochs 1 --quiet >/dev/null ||
  fail "embedding-only train"
expect_error "caption without a decoder" "no caption decoder" caption --model "$tmp/plain/best.gxn" "${images[0]}"
expect_error "imagine without a generator" "no image generator" imagine --model "$tmp/plain/best.gxn" --text "a" -o "$tmp/x.png"
[ ! -e "$tmp/x.png" ] || fail "a refused imagine wrote its output"
expect_error "missing image" "$tmp/none.png" caption --model "$model" "$tmp/none.png"
expect_error "no images" "give image files" caption --model "$model"
expect_error "beam and sample" "choose one" caption --model "$model" --beam 2 --sample "${images[0]}"
expect_error "eval's beam without captions" "--captions" eval --model "$model" --data "$tmp/shapes" --beam 2
expect_error "empty caption" "no word" imagine --model "$model" --text "   " -o "$tmp/x.png"
expect_error "unknown path" "'gan'" train --data "$tmp/shapes" --config "$tmp/small.json" --paths embedding,gan --out "$tmp/r2"
echo "caption_imagine: ok"
