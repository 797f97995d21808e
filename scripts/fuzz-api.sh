#!/usr/bin/env bash
# Fuzzes the real server with schemathesis, generated from the server's own /openapi.json, with
# every check (`--checks all`) as the operator, a seller and a buyer: schema-valid requests are
# accepted, schema-violating ones rejected with a documented 4xx, undeclared methods get 405 with
# `Allow`, and only documented status codes, content types, headers and bodies come back. The few
# narrowly scoped exceptions are in scripts/schemathesis.toml, each explained in
# docs/CONTRACT-NOTES.md. Needs the binary `swift build` made and `pip install schemathesis`.
#
#   FUZZ_EXAMPLES=n   examples per operation (default 25)
#   FUZZ_ROLES="seller buyer operator"   which runs (all three by default)
#   extra arguments are passed to every schemathesis run, e.g. --include-path /v1/reports
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GAVEL_BINARY:-$root/.build/debug/gavel}
examples=${FUZZ_EXAMPLES:-25}
dir=$(mktemp -d)
token=fuzz-admin-token
"$bin" serve --port 0 --database "sqlite:$dir/fuzz.sqlite" --admin-token "$token" --rate-limit 0 >"$dir/out" 2>"$dir/log" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
url=""
for _ in $(seq 200); do
  url=$(grep -o 'http://[0-9.]*:[0-9]*' "$dir/out" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "the server did not start"; cat "$dir/log"; exit 1; }

# Something to act on: a seller, a buyer, a hosted campaign.
post() { curl -fsS -o /dev/null -X POST "$url$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$2"; }
post /v1/sellers '{"id": "S1", "name": "Seller one"}'
post /v1/buyers '{"id": "B1", "name": "Buyer one"}'
post /v1/campaigns '{"id": "C1", "buyer_id": "B1", "vertical": "auto_insurance", "delivery": {"mode": "hosted"}, "bid": {"base": 5}}'

key() {
  curl -fsS -X POST "$url/v1/api-keys" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$1" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])'
}

run() {
  local bearer=$1; shift
  schemathesis --config-file "$root/scripts/schemathesis.toml" run "$url/openapi.json" \
    --header "Authorization: Bearer $bearer" \
    --checks all \
    --max-examples "$examples" --workers 1 --seed 7 --no-color \
    --suppress-health-check all \
    --exclude-by '/x-dashboard-page == true' \
    --request-timeout 10 "$@" "${extra[@]}"
}
extra=("$@")
roles=${FUZZ_ROLES:-seller buyer operator}
wants() { [[ " $roles " == *" $1 "* ]]; }
status=0

# The sellers' and buyers' APIs first, each with a fresh key: the operator's run may delete or
# change the seller, the buyer and their keys. One worker: hypothesis's lambda descriptions are
# not thread-safe on every Python (an "AST constructor recursion depth mismatch" error).
if wants seller; then
  echo "== as a seller"
  run "$(key '{"role": "seller", "subject_id": "S1"}')" --include-tag seller --include-tag reports --include-tag webhooks || status=1
fi
if wants buyer; then
  echo "== as a buyer"
  run "$(key '{"role": "buyer", "subject_id": "B1"}')" --include-tag buyer --include-tag reports --include-tag webhooks || status=1
fi
if wants operator; then
  echo "== as the operator"
  run "$token" || status=1
fi
exit $status
