#!/usr/bin/env bash
# The main job on embedded defaults: starts `kuromaru serve` on a free loopback port,
# checks that it answers health checks, and stops it with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
kuromaru=${KUROMARU:-build/services/kuromaru}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

"$kuromaru" serve --listen 127.0.0.1:0 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do
  grep -q '"msg":"listening"' "$work/serve.log" && break
  sleep 0.1
done
port=$(grep -o '"port":[0-9]*' "$work/serve.log" | head -1 | cut -d: -f2)
[ -n "$port" ] || { cat "$work/serve.log" >&2; exit 1; }
echo "demo: kuromaru serves on 127.0.0.1:$port"
echo -n "demo: health: "
"$kuromaru" health --server "127.0.0.1:$port"
echo -n "demo: kuromaru.v1.ReconcileService: "
"$kuromaru" health --server "127.0.0.1:$port" --service kuromaru.v1.ReconcileService || true
kill -TERM "$server"
wait "$server"
echo "demo: server stopped cleanly"
