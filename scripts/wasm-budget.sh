#!/usr/bin/env bash
# Fails when the main WASM module, the one every page load fetches before
# anything else, exceeds the budget. Pages and the browser runtime are lazy
# chunks (`cargo leptos --split`); their sizes are listed, and the browser
# tests record what each first page load actually fetched
# (target/wasm-first-load.txt).
set -euo pipefail
BUDGET_KB=${TIDINGS_WASM_BUDGET_KB:-250}
pkg=target/site/pkg
wasm=$pkg/tidings.wasm
[ -f "$wasm" ] || { echo "wasm-budget: $wasm is missing; run 'cargo leptos build --release --split' first" >&2; exit 1; }
gz() { gzip -9 -c "$1" | wc -c; }
raw=$(stat -c %s "$wasm")
main_gz=$(gz "$wasm")
printf 'wasm-budget: main %s is %d KB raw, %d KB gzip (budget %d KB gzip)\n' "$wasm" $((raw / 1024)) $((main_gz / 1024)) "$BUDGET_KB"
all=$main_gz
chunks=0
listing=""
for chunk in "$pkg"/*.wasm; do
  [ "$chunk" != "$wasm" ] || continue
  size=$(gz "$chunk")
  all=$((all + size))
  chunks=$((chunks + 1))
  listing+="$size $(basename "$chunk")"$'\n'
done
printf '%s' "$listing" | sort -rn | head -10 | awk '{ printf "  chunk %6.1f KB gzip  %s\n", $1 / 1024, $2 }'
printf 'wasm-budget: main and all %d lazy chunks together: %d KB gzip\n' "$chunks" $((all / 1024))
if [ "$main_gz" -gt $((BUDGET_KB * 1024)) ]; then
  echo "wasm-budget: over budget" >&2
  exit 1
fi
