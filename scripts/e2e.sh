#!/usr/bin/env bash
# Starts the built papo on a fresh SQLite database with the demo workspace,
# waits until it is ready, runs the browser tests against it, and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
mkdir -p test-artifacts
PAPO_DEMO=1 PAPO_ADDR="127.0.0.1:$port" PAPO_DATABASE_URL="sqlite://$tmp/papo.db" \
  ./bin/papo serve >"test-artifacts/e2e-server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  curl -fs "$url/readyz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { echo "papo exited early:"; cat test-artifacts/e2e-server.log; exit 1; }
  sleep 0.1
done
curl -fs "$url/readyz" >/dev/null || { echo "papo did not become ready"; cat test-artifacts/e2e-server.log; exit 1; }
cd web
for spec in e2e/*.e2e.mjs; do
  echo "== e2e $spec"
  PAPO_URL="$url" ARTIFACTS_DIR="$root/test-artifacts" node "$spec"
done
