#!/usr/bin/env bash
# The outside view of the exchange's speed: a real `gavel serve` (SQLite in a temporary
# folder), nginx standing in for instant buyers, and wrk as the sellers' load, all on this
# machine. Needs nginx and wrk (Debian: apt-get install nginx-light wrk).
#
#   scripts/outside-probe.sh [gavel binary] [scenario] [seconds]
#
# Scenarios (closed loop, 32 connections):
#   hosted-post  ten hosted campaigns priced in-process, each posting the lead to nginx
#   hosted-inbox ten hosted campaigns priced in-process, the lead delivered to the winner's
#                inbox (no call to any buyer: the exchange's own work alone)
#   remote       GAVEL_PROBE_BUYERS (default 20) remote campaigns pinged at once (nginx answers
#                every ping with a bid, each buyer on its own loopback address so each has its
#                own connection pool); remote20 is remote with 20
#   healthz      the bare GET /healthz of the same server, for the ratio
# Prints wrk's summary, the server's CPU time per request (user + system, from /proc) and its
# peak resident memory (VmHWM).
#
# GAVEL_PROBE_DATABASE=postgres://user:pass@host:port/db runs on a fresh PostgreSQL database
# created beside that one (the role needs CREATEDB; psql must be installed), and with
# GAVEL_PROBE_NODES=2 two servers share it, each loaded by its own wrk with half the
# connections (the figures printed are the sum of both). When that PostgreSQL runs on this
# machine, the database's own CPU time per request is printed too: every `postgres` process's
# user + system time, plus what the postmaster's exited children (closed backends) used.
set -euo pipefail

binary=${1:-.build/release/gavel}
scenario=${2:-hosted-post}
seconds=${3:-10}
port=${GAVEL_PROBE_PORT:-18080}
buyer_port=${GAVEL_PROBE_BUYER_PORT:-18081}
admin=probe-admin
nodes=${GAVEL_PROBE_NODES:-1}
work=$(mktemp -d)
servers=()
database="sqlite:$work/gavel.sqlite"
if [ -n "${GAVEL_PROBE_DATABASE:-}" ]; then
  probe_db="gavel_probe_$$"
  psql "$GAVEL_PROBE_DATABASE" -X -q -c "CREATE DATABASE $probe_db"
  database="${GAVEL_PROBE_DATABASE%/*}/$probe_db"
fi
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  nginx -c "$work/nginx.conf" -p "$work" -s stop 2>/dev/null || true
  if [ -n "${probe_db:-}" ]; then sleep 1; psql "$GAVEL_PROBE_DATABASE" -X -q -c "DROP DATABASE IF EXISTS $probe_db" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  default_type application/json;
  client_body_temp_path $work/body;
  server {
    listen $buyer_port;
    location /ping { return 200 '{"bid": 9.5, "bid_id": "b-1"}'; }
    location /post { return 200 '{"status": "accepted", "buyer_lead_id": "x-1"}'; }
  }
}
EOF
nginx -c "$work/nginx.conf" -p "$work"

for node in $(seq "$nodes"); do
  node_port=$((port + 2 * (node - 1)))
  "$binary" serve --port "$node_port" --database "$database" --admin-token "$admin" \
    --allow-private-buyer-urls --rate-limit 0 >"$work/serve-$node.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$node_port/healthz" >/dev/null && break; sleep 0.1; done
done
server=${servers[0]}

api() { curl -fsS -X "$1" "http://127.0.0.1:$port$2" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "$3"; }
api POST /v1/sellers '{"id": "S1", "revenue_share": 0.8}' >/dev/null
api POST /v1/buyers '{"id": "acme"}' >/dev/null
case "$scenario" in
  hosted-post)
    for i in $(seq 10); do
      api POST /v1/campaigns "{\"id\": \"h$i\", \"buyer_id\": \"acme\", \"vertical\": \"auto_insurance\", \"bid\": {\"base\": $((5 + i))},
        \"delivery\": {\"mode\": \"hosted\", \"post_url\": \"http://127.0.0.1:$buyer_port/post\"}}" >/dev/null
    done ;;
  hosted-inbox)
    for i in $(seq 10); do
      api POST /v1/campaigns "{\"id\": \"h$i\", \"buyer_id\": \"acme\", \"vertical\": \"auto_insurance\", \"bid\": {\"base\": $((5 + i))},
        \"delivery\": {\"mode\": \"hosted\"}}" >/dev/null
    done ;;
  remote|remote20)
    [ "$scenario" = remote20 ] && GAVEL_PROBE_BUYERS=20
    for i in $(seq "${GAVEL_PROBE_BUYERS:-20}"); do
      host="127.0.0.$((i + 1))"
      api POST /v1/campaigns "{\"id\": \"r$i\", \"buyer_id\": \"acme\", \"vertical\": \"auto_insurance\",
        \"delivery\": {\"mode\": \"remote\", \"ping_url\": \"http://$host:$buyer_port/ping\", \"post_url\": \"http://$host:$buyer_port/post\"}}" >/dev/null
    done ;;
  healthz) ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
key=$(api POST /v1/api-keys '{"role": "seller", "subject_id": "S1"}' | sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p')

cat >"$work/lead.lua" <<'EOF'
-- Each request a new consumer (a distinct phone), so nothing is a duplicate.
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = tid * 2000000
  key = os.getenv("GAVEL_PROBE_KEY")
end
function request()
  counter = counter + 1
  local phone = string.format("312%03d%04d", 200 + math.floor(counter / 10000) % 800, counter % 10000)
  local body = '{"vertical":"auto_insurance","source":"probe","fields":{"zip":"94105","state":"CA",'
    .. '"first_name":"Pat","last_name":"Probe","phone":"' .. phone .. '"}}'
  return wrk.format("POST", "/v1/leads", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end
EOF

cpu_ticks() {
  local total=0
  for pid in "${servers[@]}"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo "$total"
}
# The whole local PostgreSQL cluster's CPU ticks (empty when there is none to read).
database_ticks() {
  [ -n "${GAVEL_PROBE_DATABASE:-}" ] || return 0
  local postmaster total
  postmaster=$(pgrep -o -x postgres) || return 0
  total=$(awk '{ print $16 + $17 }' "/proc/$postmaster/stat")
  for pid in $(pgrep -x postgres); do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0))); done
  echo "$total"
}
[ "$nodes" -gt 1 ] && sleep 3  # the other nodes pick up the configuration from the database
before=$(cpu_ticks)
database_before=$(database_ticks)
for node in $(seq "$nodes"); do
  url="http://127.0.0.1:$((port + 2 * (node - 1)))"
  if [ "$scenario" = healthz ]; then
    wrk -t 2 -c $((32 / nodes)) -d "${seconds}s" --latency "$url/healthz" >"$work/wrk-$node.out" &
  else
    GAVEL_PROBE_KEY=$key wrk -t 2 -c $((32 / nodes)) -d "${seconds}s" --latency -s "$work/lead.lua" "$url" >"$work/wrk-$node.out" &
  fi
done
for job in $(jobs -p); do case " ${servers[*]} " in *" $job "*) ;; *) wait "$job" ;; esac; done
cat "$work"/wrk-*.out
ticks=$(($(cpu_ticks) - before))
database_after=$(database_ticks)
requests=$(cat "$work"/wrk-*.out | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
echo "requests: $requests in ${seconds}s on $nodes node(s): $((requests / seconds)) per second"
[ "$scenario" = healthz ] || { curl -fsS "http://127.0.0.1:$port/v1/reports?group_by=seller" -H "Authorization: Bearer $admin"; echo; }
echo "server CPU per request: $((ticks * 1000000 / $(getconf CLK_TCK) / (requests > 0 ? requests : 1))) us ($ticks ticks, $requests requests)"
echo "server peak RSS: $(grep VmHWM /proc/$server/status)"
if [ -n "$database_before" ] && [ -n "$database_after" ]; then
  database_cpu=$((database_after - database_before))
  echo "PostgreSQL CPU per request: $((database_cpu * 1000000 / $(getconf CLK_TCK) / (requests > 0 ? requests : 1))) us ($database_cpu ticks, the whole local cluster)"
fi
