#!/usr/bin/env bash
# The main job on embedded defaults:
#   1. generates a synthetic roster (mecab-ipadic names, Unihan variants), receipts with
#      their ground truth, and an insurer directory into demo/;
#   2. matches the receipts against the roster and routes them with the insurer
#      directory (kuromaru match);
#   3. measures the results against the ground truth (kuromaru eval);
#   4. starts `kuromaru serve` on the generated roster with a fresh case store, the
#      reviewer console and generated tokens, reconciles receipts over gRPC (kuromaru
#      reconcile), prints the console's address and a reviewer's token, and stops it —
#      or, with --keep-serving, keeps it running until Ctrl-C, for a person to review
#      the open cases in a browser.
#   scripts/demo.sh [--keep-serving]
set -euo pipefail
cd "$(dirname "$0")/.."
keep_serving=
case "${1:-}" in
  --keep-serving) keep_serving=1 ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--keep-serving]" >&2; exit 2 ;;
esac
kuromaru=${KUROMARU:-build/services/kuromaru}
out=${DEMO_DIR:-demo}
persons=${DEMO_PERSONS:-20000}
console_listen=${DEMO_CONSOLE_LISTEN:-127.0.0.1:8080}
receipts=${DEMO_RECEIPTS:-5000}

echo "== kuromaru gen: $persons persons, $receipts receipts -> $out/"
"$kuromaru" gen --persons "$persons" --receipts "$receipts" --seed 1 --out "$out" 2>/dev/null

echo "== kuromaru match"
"$kuromaru" match --roster "$out/roster.csv" --directory "$out/directory.csv" \
  --receipts "$out/receipts.jsonl" --out "$out/results.jsonl" 2>/dev/null

echo "== kuromaru eval"
"$kuromaru" eval --truth "$out/truth.jsonl" --results "$out/results.jsonl" 2>/dev/null |
  sed -n '1,12p'
echo "   (full report: $kuromaru eval --truth $out/truth.jsonl --results $out/results.jsonl)"
echo "== one result, as the claims system gets it"
head -c 600 "$out/results.jsonl"; echo " …"

echo "== kuromaru serve: the generated roster, a fresh store, generated tokens, the console"
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
"$kuromaru" token new --role claims --subject demo-claims >"$work/claims.token" 2>"$work/tokens.conf"
"$kuromaru" token new --role reviewer --subject demo-reviewer >"$work/reviewer.token" \
  2>>"$work/tokens.conf"
"$kuromaru" token new --role admin,reviewer --subject demo-admin >"$work/admin.token" \
  2>>"$work/tokens.conf"
chmod 600 "$work/tokens.conf"
"$kuromaru" serve --listen 127.0.0.1:0 --store "$work/cases.db" --auth-config "$work/tokens.conf" \
  --roster "$out/roster.csv" --directory "$out/directory.csv" \
  --console-listen "$console_listen" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do
  grep -q '"msg":"listening"' "$work/serve.log" && break
  sleep 0.1
done
port=$(grep -m1 '"msg":"listening"' "$work/serve.log" | grep -o '"port":[0-9]*' | cut -d: -f2)
[ -n "$port" ] || { cat "$work/serve.log" >&2; exit 1; }
for _ in $(seq 600); do
  "$kuromaru" health --server "127.0.0.1:$port" --service kuromaru.v1.ReconcileService \
    >/dev/null 2>&1 && break
  sleep 0.1
done
echo "serving on 127.0.0.1:$port; reconcile: $("$kuromaru" health --server "127.0.0.1:$port" \
  --service kuromaru.v1.ReconcileService)"

head -n 1000 "$out/receipts.jsonl" >"$work/batch.jsonl"
echo "== kuromaru reconcile: $(wc -l <"$work/batch.jsonl") receipts over gRPC, with the token; cases by state"
"$kuromaru" reconcile --server "127.0.0.1:$port" --token-file "$work/claims.token" \
  --receipts "$work/batch.jsonl" --out "$out/answers.jsonl"
echo "== one answer, as the claims system gets it over gRPC"
head -c 400 "$out/answers.jsonl"; echo " …"
for _ in $(seq 100); do
  grep -q '"msg":"console listening"' "$work/serve.log" && break
  sleep 0.1
done
console_port=$(grep -m1 '"msg":"console listening"' "$work/serve.log" |
  grep -o '"port":[0-9]*' | cut -d: -f2)
[ -n "$console_port" ] || { cat "$work/serve.log" >&2; exit 1; }
echo "== the reviewer console: $(grep -c '"decision":"DECISION_REVIEW"' "$out/answers.jsonl" ||
  true) of these receipts wait for a reviewer"
echo "   open     http://${console_listen%:*}:$console_port/"
echo "   sign in  $(cat "$work/reviewer.token")   (reviewer; admin pages: $(cat "$work/admin.token"))"
if [ -n "$keep_serving" ]; then
  echo "   serving until Ctrl-C (the case store is temporary and goes with the server)"
  wait "$server" || true
  server=
  exit 0
fi
echo "   (scripts/demo.sh --keep-serving keeps the server running to review them)"
kill -TERM "$server"
wait "$server"
server=
echo "server stopped cleanly"
