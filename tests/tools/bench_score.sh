#!/usr/bin/env bash
# `gxn bench score` on a small problem: both implementations run, agree (the command fails
# otherwise) and the JSON carries the figures; bad options are refused naming the option.
set -euo pipefail
gxn=$1

json=$("$gxn" bench score --queries 7 --candidates 33 --dim 10 --threads 2 --repeats 1 --json)
/usr/bin/python3 - "$json" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
for key in ("fused_gpds", "naive_gpds", "ratio", "isa", "max_rel_error"):
    assert key in d, f"missing {key}: {d}"
assert d["fused_gpds"] > 0 and d["naive_gpds"] > 0, d
assert abs(d["ratio"] - d["fused_gpds"] / d["naive_gpds"]) <= 1e-9 * d["ratio"], d
assert d["max_rel_error"] <= 1e-4, d
assert (d["queries"], d["candidates"], d["dim"], d["threads"]) == (7, 33, 10, 2), d
PY

# Every kernel can be forced; the portable one runs everywhere.
"$gxn" bench score --queries 3 --candidates 5 --dim 4 --repeats 1 --isa portable | grep -q "fused (gxn, portable"
# The last of a repeated option counts (bench/score.sh relies on it).
"$gxn" bench score --queries 3 --candidates 5 --dim 4 --threads 2 --threads 1 --repeats 1 --json | grep -q '"threads": 1'

expect_error() {  # expect_error TEXT ARGS...: gxn fails and says TEXT on stderr
  local text=$1; shift
  if "$gxn" "$@" 2>err.txt >/dev/null; then echo "accepted: $*"; exit 1; fi
  grep -q -- "$text" err.txt || { echo "no '$text' in: $(cat err.txt)"; exit 1; }
}
cd "$(mktemp -d)"
expect_error "--dim" bench score --queries 3 --candidates 5 --dim 7
expect_error "--queries" bench score --queries 0 --candidates 5 --dim 4
expect_error "sse9" bench score --queries 3 --candidates 5 --dim 4 --isa sse9
expect_error "subcommand" bench
