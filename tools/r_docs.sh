#!/usr/bin/env bash
# Writes the R package's help pages (r/man) and r/NAMESPACE from the roxygen blocks in r/R/*.R
# with roxygen2 (`make r-docs`). The operator functions' pages and exports come from
# tools/codegen/r_docs.py (run by `make codegen`): its pages are not roxygen's, so roxygen leaves
# them alone, and its r/R/ops_exports.R carries the exports as roxygen tags.
# With --check, fails when the committed r/man, r/NAMESPACE or r/DESCRIPTION differ from what
# roxygen writes now (a roxygen block changed without `make r-docs`).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
roxygenise() {
  Rscript -e 'suppressMessages(roxygen2::roxygenise(commandArgs(TRUE)[1], roclets = c("rd", "namespace")))' "$1"
}
if [ "${1:-}" != "--check" ]; then
  roxygenise "$ROOT/r"
  exit 0
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/r"
cp -r "$ROOT/r/DESCRIPTION" "$ROOT/r/NAMESPACE" "$ROOT/r/R" "$ROOT/r/man" "$TMP/r/"
roxygenise "$TMP/r" >"$TMP/log" 2>&1 || { cat "$TMP/log"; exit 1; }
if ! diff -r "$ROOT/r/man" "$TMP/r/man" >"$TMP/diff" || ! diff "$ROOT/r/NAMESPACE" "$TMP/r/NAMESPACE" >>"$TMP/diff" \
   || ! diff "$ROOT/r/DESCRIPTION" "$TMP/r/DESCRIPTION" >>"$TMP/diff"; then
  head -40 "$TMP/diff"
  echo "r/man, r/NAMESPACE or r/DESCRIPTION is stale: run make r-docs and commit the result" >&2
  exit 1
fi
