#!/usr/bin/env bash
# libgxn_c against its ABI baseline, capi/abi/libgxn_c.abi (abidw's description of the ABI of
# this SOVERSION): abidiff fails the test on any change a compiled caller could see (a function
# removed or retyped, a struct or enum changed). Added functions are compatible and not counted.
# After a deliberate change:
#   new functions: nothing to do;
#   a field appended to a struct that carries its size (options, info, progress: the size rule of
#   capi/options_struct.hpp keeps old callers working): write the new baseline (below);
#   anything else: raise GXN_C_SOVERSION in CMakeLists.txt and the version node in capi/gxn.map,
#   then write the new baseline:
#     abidw --exported-interfaces-only --suppressions capi/abi/opaque_handles.suppr --no-corpus-path \
#           --out-file capi/abi/libgxn_c.abi build/capi/libgxn_c.so
# Only gxn_* functions are exported, and the opaque handles' insides are left out
# (capi/abi/opaque_handles.suppr): what remains is gxn.h's functions, structs and enums.
# Usage: abi_check.sh LIBRARY BASELINE SUPPRESSIONS
set -uo pipefail
library=$1 baseline=$2 suppressions=$3
abidiff --no-added-syms --exported-interfaces-only --suppressions "$suppressions" "$baseline" "$library"
status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL: libgxn_c's ABI differs from $baseline (abidiff status $status: 4 = changed, 8 = incompatible);" \
       "see tests/capi/abi_check.sh for what to do" >&2
  exit 1
fi
echo "libgxn_c keeps the ABI of $baseline"
