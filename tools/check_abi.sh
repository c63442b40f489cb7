#!/usr/bin/env bash
# The ABI checks of ABI.md rule 20 that need no test framework:
#  1. the exported symbols equal capi/abi/symbols.txt (only MV* leaves the library);
#  2. abidiff against the committed baseline finds no change to released functions;
#  3. c_api.h compiles standalone as C89, C99 and C++ with strict warnings;
#  4. every exported function body in capi/src is wrapped in MV_API_BEGIN/END;
#  5. python/minerva/_cdef.h is up to date with the header.
# `tools/check_abi.sh LIB --update` rewrites the baselines (a reviewed release step).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LIB="${1:-$ROOT/build/libminerva.so}"
ABI="$ROOT/capi/abi"
fail=0
pass=0
ok() { echo "ok: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }

exported="$(nm -D --defined-only "$LIB" | awk '$2 == "T" || $2 == "D" || $2 == "B" {print $3}' | sort)"
if [ "${2:-}" = "--update" ]; then
  echo "$exported" > "$ABI/symbols.txt"
  abidw --headers-dir "$ROOT/capi/include" --out-file "$ABI/baseline.abi" "$LIB"
  echo "baselines updated"
fi
if diff <(echo "$exported") "$ABI/symbols.txt" >/dev/null; then
  ok "exported symbols match capi/abi/symbols.txt ($(echo "$exported" | wc -l) MV* functions)"
else
  bad "exported symbols differ from capi/abi/symbols.txt:"; diff <(echo "$exported") "$ABI/symbols.txt" || true
fi
if echo "$exported" | grep -v '^MV' >/dev/null; then bad "non-MV symbols exported"; else ok "only MV* symbols exported"; fi

if command -v abidiff >/dev/null; then
  if abidiff --no-added-syms --headers-dir2 "$ROOT/capi/include" "$ABI/baseline.abi" "$LIB" >/tmp/abidiff.out 2>&1; then
    ok "abidiff: no change to the baseline ABI"
  else
    bad "abidiff reports ABI changes:"; cat /tmp/abidiff.out
  fi
else
  bad "abidiff not installed (abigail-tools)"
fi

tmp="$(mktemp -d)"
for std in c89 c99; do
  if echo '#include <minerva/c_api.h>' | gcc -x c -std=$std -pedantic -Wall -Wextra -Wstrict-prototypes -Werror \
      -Wno-long-long -Wno-comment -I"$ROOT/capi/include" -fsyntax-only - 2>"$tmp/err"; then
    ok "c_api.h compiles as $std -pedantic -Werror"
  else
    bad "c_api.h does not compile as $std:"; cat "$tmp/err"
  fi
done
if echo '#include <minerva/c_api.h>' | g++ -x c++ -std=c++17 -pedantic -Wall -Wextra -Werror -I"$ROOT/capi/include" \
    -fsyntax-only - 2>"$tmp/err"; then
  ok "c_api.h compiles as C++17"
else
  bad "c_api.h does not compile as C++:"; cat "$tmp/err"
fi
rm -rf "$tmp"

unwrapped="$(python3 - "$ROOT/capi/src" <<'PY'
import pathlib, re, sys
bad = []
for f in sorted(pathlib.Path(sys.argv[1]).glob("*.cc")):
    text = f.read_text()
    for m in re.finditer(r"MV_DLL [^;{]*?\b(MV\w+)\([^;{]*\)\s*\{", text):
        body = text[m.end():m.end() + 400]
        if m.group(1) != "MVGetLastError" and "MV_API_BEGIN()" not in body.split("\n", 2)[1]:
            bad.append(f"{f.name}:{m.group(1)}")
print(" ".join(bad))
PY
)"
if [ -z "$unwrapped" ]; then ok "every exported body is wrapped in MV_API_BEGIN/END"; else bad "unwrapped: $unwrapped"; fi

if python3 "$ROOT/tools/codegen/cdef.py" --check; then ok "python/minerva/_cdef.h is current"; else bad "_cdef.h stale"; fi
echo "abi-checks: $pass passed, $fail failed"
[ "$fail" = 0 ]
