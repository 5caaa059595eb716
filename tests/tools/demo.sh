#!/usr/bin/env bash
# `gxn demo` end to end on a small dataset: data, training, test metrics, report. Checks the files
# it promises (model.gxn that `gxn eval` loads, metrics.json in `gxn eval --json`'s format,
# report.html with its contact sheets) and that a second run reuses the data and the finished run.
# Usage: demo.sh /path/to/gxn /path/to/tests/data
source "$(dirname "$0")/lib/common.bash" "$@"

"$gxn" demo --out "$tmp/d" --images 100 --epochs 1 --threads 2 >"$tmp/out" 2>&1 || fail "demo: $(cat "$tmp/out")"
for f in model.gxn metrics.json report.html data/dataset.json run/log.csv; do
  [ -s "$tmp/d/$f" ] || fail "demo did not write $f"
done
/usr/bin/python3 - "$tmp/d/metrics.json" <<'PY' || fail "metrics.json is not gxn eval's JSON"
import json, sys
m = json.load(open(sys.argv[1]))
assert set(m) >= {"i2t", "t2i", "rsum"}, m.keys()
for d in ("i2t", "t2i"):
    assert set(m[d]) == {"r1", "r5", "r10", "medr", "meanr"}, m[d]
assert abs(m["rsum"] - sum(m[d][k] for d in ("i2t", "t2i") for k in ("r1", "r5", "r10"))) < 1e-6
PY
ls "$tmp/d/report_files/"*.png >/dev/null 2>&1 || fail "report has no contact sheets"
grep -q "R@1" "$tmp/d/report.html" || fail "report lacks the metrics table"
"$gxn" eval --model "$tmp/d/model.gxn" --data "$tmp/d/data" --split test --json >"$tmp/eval.json" || fail "eval of the demo model"
/usr/bin/python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a['rsum']==b['rsum'], (a['rsum'], b['rsum'])" \
  "$tmp/d/metrics.json" "$tmp/eval.json" || fail "demo's metrics differ from gxn eval's"

"$gxn" demo --out "$tmp/d" --images 100 --epochs 1 --threads 2 >"$tmp/out2" 2>&1 || fail "second demo run: $(cat "$tmp/out2")"
grep -q "already there" "$tmp/out2" || fail "second run regenerated the data"
echo "demo: all checks passed"
