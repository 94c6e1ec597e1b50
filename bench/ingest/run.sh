#!/bin/bash
# The webhook ingest benchmark of docs/benchmarks.md, on one engine:
#   bench/ingest/run.sh sqlite            # a fresh SQLite file under /tmp/papo-ingest
#   bench/ingest/run.sh postgres          # a fresh database papo_inbench on 127.0.0.1:5432
# Builds papo and the load generator, starts papo, warms it up, runs the measurements, stops it.
set -eu
eng=${1:?sqlite or postgres}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=/tmp/papo-ingest
mkdir -p $work
(cd "$root" && CGO_ENABLED=0 go build -o $work/papo ./cmd/papo && go build -o $work/ingest ./bench/ingest)
key=${PAPO_SECRET_KEY:-$(openssl rand -hex 32 2>/dev/null || printf "ab%.0s" {1..32})}
if [ "$eng" = sqlite ]; then
  rm -rf $work/db && mkdir -p $work/db
  db="sqlite://$work/db/papo.db"; port=18091
else
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS papo_inbench" -c "CREATE DATABASE papo_inbench" >/dev/null
  db="postgres://postgres@127.0.0.1:5432/papo_inbench?sslmode=disable"; port=18092
fi
PAPO_DATABASE_URL=$db PAPO_SECRET_KEY=$key PAPO_ADDR=127.0.0.1:$port PAPO_ADMIN_EMAIL=bench@papo.local \
  PAPO_ADMIN_PASSWORD=benchbench PAPO_LOG_LEVEL=warn $work/papo serve > $work/papo-$eng.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
sleep 3
u=http://127.0.0.1:$port
# This machine's PostgreSQL runs with autovacuum off; a production server
# has it on, and it would have analysed the tables grown by the warm-up and
# cleaned the conversations' dead row versions (one per message) between
# phases. Do its work here, so that neither stale plans made on empty tables
# nor a minute of bloat carried into the next phase is what gets measured.
vacuum() {
  if [ "$eng" = postgres ]; then psql -q -h 127.0.0.1 -U postgres -d papo_inbench -c "VACUUM ANALYZE"; fi
}
i=$work/ingest
echo "### $eng $(date -u +%FT%TZ) load $(cat /proc/loadavg)"
echo "--- warm-up (creates the channel, 2,000 customers' contacts and conversations)"
$i -url $u -setup -admin-email bench@papo.local -admin-password benchbench -secret s3cr3t -pid $pid \
  -mode max -workers 64 -duration 8s -warmup 0s | grep throughput
vacuum
echo "--- max, 1 message per delivery"
$i -url $u -secret s3cr3t -pid $pid -mode max -workers 128 -duration 20s
vacuum
echo "--- max, 50 messages per delivery"
$i -url $u -secret s3cr3t -pid $pid -mode max -workers 16 -messages 50 -duration 15s
vacuum
echo "--- steady 500/s"
$i -url $u -secret s3cr3t -pid $pid -mode rate -rate 500 -duration 20s
vacuum
echo "--- steady 2000/s"
$i -url $u -secret s3cr3t -pid $pid -mode rate -rate 2000 -duration 20s
