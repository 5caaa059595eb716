# What every CLI test (tests/tools/*.sh) starts with. Source it with the test's arguments:
#   source "$(dirname "$0")/lib/common.bash" "$@"
# Gives: $gxn (the binary), $data (tests/data), $tmp (removed on exit), fail MESSAGE, and
# expect_error NAME SUBSTRING ARGS... (gxn ARGS must exit non-zero with SUBSTRING on stderr).
# KEEP_TMP=1 keeps $tmp for a look after a failure.
set -uo pipefail
gxn=$1
data=${2:-}
tmp=$(mktemp -d)
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
py=/usr/bin/python3

fail() { echo "FAIL: $*" >&2; exit 1; }

expect_error() {
  local name=$1 needle=$2
  shift 2
  if "$gxn" "$@" >"$tmp/out" 2>"$tmp/err"; then fail "$name: exit status 0"; fi
  grep -qF -- "$needle" "$tmp/err" || fail "$name: stderr lacks '$needle': $(cat "$tmp/err")"
}
