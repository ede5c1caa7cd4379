#!/usr/bin/env bash
# Fuzzes the REST API from its own OpenAPI document (schemathesis) against a
# live release server with a signed-in token. Fails on any 5xx and on any
# response that breaks the documented schema. A fixed seed and example
# budget keep it reproducible and inside CI's time.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR=${TIDINGS_TOOLS_DIR:-$HOME/.cache/tidings/tools}
BIN=${TIDINGS_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tidings}
EXAMPLES=${TIDINGS_FUZZ_EXAMPLES:-40}
SEED=${TIDINGS_FUZZ_SEED:-20261201}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_OUTPUT_NAME=tidings \
  TIDINGS_ADDR="127.0.0.1:$PORT" TIDINGS_DATABASE_URL="sqlite://$WORK/fuzz.db" TIDINGS_LOG_FORMAT=json \
  "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done

credentials='{"username":"fuzzer","password":"correct horse"}'
curl -fs -XPOST "$BASE/api/v1/auth/register" -H 'content-type: application/json' -d "$credentials" >/dev/null
token=$(curl -fs -XPOST "$BASE/api/v1/auth/login" -H 'content-type: application/json' -d "$credentials" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
# Someone to write to, so conversations and messages exist.
curl -fs -XPOST "$BASE/api/v1/auth/register" -H 'content-type: application/json' \
  -d '{"username":"friend","password":"correct horse"}' >/dev/null

# Operations that would end the fuzzer's own session are left out; the
# socket is not plain HTTP.
"$TOOLS_DIR/venv/bin/schemathesis" run "$BASE/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" --header "Cookie: tidings_session=$token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path-regex '/api/v1/(ws|auth/logout|auth/password|auth/sessions/\{id\})$' \
  --hypothesis-max-examples "$EXAMPLES" --hypothesis-seed "$SEED" --hypothesis-derandomize \
  --experimental=openapi-3.1 --generation-allow-x00=false --no-color || {
  echo "fuzz-api: failures above; the server log is below" >&2
  tail -50 "$WORK/server.log" >&2
  exit 1
}
