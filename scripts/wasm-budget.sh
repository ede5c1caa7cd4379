#!/usr/bin/env bash
# Fails when the WASM that the first page load fetches exceeds the budget.
set -euo pipefail
BUDGET_KB=${TIDINGS_WASM_BUDGET_KB:-250}
wasm=target/site/pkg/tidings.wasm
[ -f "$wasm" ] || { echo "wasm-budget: $wasm is missing; run 'cargo leptos build --release' first" >&2; exit 1; }
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
printf 'wasm-budget: %s is %d KB raw, %d KB gzip (budget %d KB gzip)\n' "$wasm" $((raw / 1024)) $((gz / 1024)) "$BUDGET_KB"
if [ "$gz" -gt $((BUDGET_KB * 1024)) ] && [ -z "${TIDINGS_WASM_BUDGET_REPORT_ONLY:-}" ]; then
  echo "wasm-budget: over budget" >&2
  exit 1
fi
