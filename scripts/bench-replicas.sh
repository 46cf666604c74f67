#!/usr/bin/env bash
# Throughput of `kuromaru serve` on SQLite and of two replicas on one PostgreSQL, in
# the same run on the same machine: unary Reconcile (p50/p99) and ReconcileStream, every
# answer including its case's durable write. A private PostgreSQL cluster is started in
# a temporary folder (as the `postgres` user when run as root; fsync and synchronous
# commit on) and removed at the end.
#
#   scripts/bench-replicas.sh [BUILD_DIR]       # default: build
#
# PERSONS (670000: ~1M roster rows), RECEIPTS (50000), COUNT (20000 per run),
# CONCURRENCY (64 unary calls in flight), STREAMS (2) and WINDOW (256) change the run;
# KEEP=1 keeps the folder. docs/SERVICE.md §Throughput has the figures.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
kuromaru=$build/services/kuromaru
persons=${PERSONS:-670000}
receipts=${RECEIPTS:-50000}
count=${COUNT:-20000}
concurrency=${CONCURRENCY:-64}
streams=${STREAMS:-2}
window=${WINDOW:-256}
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$kuromaru" ] || { echo "bench-replicas: no $kuromaru (build first)" >&2; exit 3; }

work=$(mktemp -d /tmp/kuromaru-bench-replicas.XXXXXX)
chmod 755 "$work"
pids=()
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -d "$work/pg" ] && as_pg "$pgbin/pg_ctl -D $work/pg -m fast stop" >/dev/null 2>&1 || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

echo "== data: kuromaru gen --persons $persons --receipts $receipts"
"$kuromaru" gen --persons "$persons" --receipts "$receipts" --seed 1 --out "$work/data" \
  >/dev/null 2>&1
echo "roster rows: $(($(wc -l <"$work/data/roster.csv") - 1))"
"$kuromaru" token new --role claims,admin --subject bench >"$work/token" 2>"$work/tokens.conf"
chmod 600 "$work/tokens.conf"

echo "== PostgreSQL: a private cluster on a unix socket"
mkdir -p "$work/pg" "$work/sock"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg" "$work/sock"
as_pg "$pgbin/initdb -D $work/pg -A trust -U postgres >/dev/null"
as_pg "$pgbin/pg_ctl -D $work/pg -l $work/pg/server.log -w -o \"-k $work/sock -c listen_addresses= -c max_connections=100\" start" >/dev/null
as_pg "$pgbin/createdb -h $work/sock -U postgres kuromaru"
dsn="host=$work/sock dbname=kuromaru user=postgres"

# Starts a server on store $2; sets `port` once reconcile is SERVING.
start() {
  local name=$1 store=$2
  port=
  "$kuromaru" serve --listen 127.0.0.1:0 --store "$store" --auth-config "$work/tokens.conf" \
    --roster "$work/data/roster.csv" --directory "$work/data/directory.csv" \
    --metrics-listen 127.0.0.1:0 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 600); do
    port=$(grep -m1 '"msg":"listening"' "$work/$name.log" | grep -o '"port":[0-9]*' | cut -d: -f2 || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$work/$name.log" >&2; exit 1; }
  for _ in $(seq 1200); do
    "$kuromaru" health --server "127.0.0.1:$port" --service kuromaru.v1.ReconcileService \
      >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "bench-replicas: $name did not become SERVING" >&2
  exit 1
}

# Runs the unary and the stream load against target $2.
load() {
  local label=$1 target=$2
  echo "== $label: unary, $concurrency in flight"
  "$kuromaru" bench grpc --server "$target" --token-file "$work/token" \
    --receipts "$work/data/receipts.jsonl" --count "$count" --concurrency "$concurrency"
  echo "== $label: stream, $streams streams of $window unanswered"
  "$kuromaru" bench grpc --server "$target" --token-file "$work/token" \
    --receipts "$work/data/receipts.jsonl" --mode stream --streams "$streams" \
    --window "$window" --count "$count"
}

echo "== one server on SQLite"
start sqlite "$work/cases.db"
load "SQLite, 1 server" "127.0.0.1:$port"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

echo "== two replicas on PostgreSQL"
start replica-a "$dsn"
a=$port
start replica-b "$dsn"
b=$port
# CPU seconds of the replicas and of PostgreSQL, which share the cores.
cpu() { awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$1/stat"; }
pg_cpu() {
  for p in $(pgrep -u postgres postgres); do awk '{print $14 + $15}' "/proc/$p/stat"; done |
    awk '{n += $1} END {printf "%.1f", n / 100}'
}
before="$(cpu "${pids[0]}") $(cpu "${pids[1]}") $(pg_cpu)"
load "PostgreSQL, 2 replicas (round-robin)" "ipv4:127.0.0.1:$a,127.0.0.1:$b"
after="$(cpu "${pids[0]}") $(cpu "${pids[1]}") $(pg_cpu)"
echo "$before $after" | awk '{printf "cpu s over both loads: replica-a %.1f, replica-b %.1f, postgres %.1f\n", $4 - $1, $5 - $2, $6 - $3}'
# Each replica's share of the calls, from its metrics.
for name in replica-a replica-b; do
  mport=$(grep -m1 '"msg":"listening"' "$work/$name.log" | grep -o '"metrics_port":[0-9]*' | cut -d: -f2)
  echo "$name: $(curl -s "http://127.0.0.1:$mport/metrics" |
    awk '/^kuromaru_match_decisions_total/ {n += $2} END {print n}') receipts matched"
done
echo "cases in PostgreSQL: $(as_pg "$pgbin/psql -h $work/sock -U postgres -Atc 'SELECT count(*) FROM cases' kuromaru")"
