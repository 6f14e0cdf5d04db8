#!/usr/bin/env bash
# Reproduces the HTTP measurements in docs/BENCHMARKS.md: builds the release binary, starts one
# `candor serve` per configuration on loopback (each on a fresh data directory, or a fresh
# PostgreSQL database) with a `channel` API token, runs wrk against GET /healthz and
# POST /v1/messages, and stops the servers.
#
#   bench/http.sh                 # every configuration: full, normal, postgres
#   bench/http.sh full normal     # only these
#
# Configurations:
#   full      SQLite, synchronous=FULL (the default)
#   normal    SQLite, synchronous=NORMAL (CANDOR_STORAGE__SQLITE_SYNC=normal)
#   postgres  PostgreSQL at $PG_ADMIN_URL, in a database created for the run and dropped after
#
# The configurations take turns: ROUNDS rounds, each running every configuration for DURATION,
# so that noise from other work on the machine falls on all of them alike and their ratios are
# fair. All servers run for the whole measurement; only the one under load is busy.
#
# Environment (defaults in brackets): THREADS [2], CONNECTIONS [32], DURATION [10s],
# ROUNDS [3], PORT [18080; the servers take PORT, PORT+1, ...],
# PG_ADMIN_URL [postgres://postgres@127.0.0.1:5432/postgres], SKIP_BUILD [unset: build],
# RESULTS [a new temporary directory: wrk outputs, server logs, /metrics after the run],
# CANDOR_BENCH_CUSTOMERS [1000: how many distinct customers post_message.lua draws from].
#
# Needs wrk (Debian: apt-get install wrk), curl, and psql for PostgreSQL. Talks to 127.0.0.1
# only.
set -euo pipefail

cd "$(dirname "$0")/.."

THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18080}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
RESULTS=${RESULTS:-$(mktemp -d -t candor-http-bench.XXXXXX)}
BIN=target/release/candor

configs=("$@")
if [ ${#configs[@]} -eq 0 ]; then
  configs=(full normal postgres)
fi

for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done

if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build --release -p candor
fi

mkdir -p "$RESULTS"
declare -A PID ADDR DATA TOKEN
PG_DB=""

cleanup() {
  for config in "${!PID[@]}"; do
    kill -TERM "${PID[$config]}" 2>/dev/null || true
    wait "${PID[$config]}" 2>/dev/null || true
  done
  for config in "${!DATA[@]}"; do
    rm -rf "${DATA[$config]}"
  done
  if [ -n "$PG_DB" ]; then
    psql "$PG_ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $PG_DB" || true
  fi
}
trap cleanup EXIT

start_server() {
  local config=$1 port=$2
  local log="$RESULTS/server-$config.log"
  : >"$log"
  DATA[$config]=$(mktemp -d -t candor-bench-data.XXXXXX)
  ADDR[$config]="127.0.0.1:$port"
  local storage=(--data-dir "${DATA[$config]}")
  local env=()
  case "$config" in
    full) env=(CANDOR_STORAGE__SQLITE_SYNC=full) ;;
    normal) env=(CANDOR_STORAGE__SQLITE_SYNC=normal) ;;
    postgres)
      PG_DB="candor_bench_$(date +%s)_$$"
      psql "$PG_ADMIN_URL" -q -c "CREATE DATABASE $PG_DB"
      storage+=(--database-url "${PG_ADMIN_URL%/*}/$PG_DB")
      ;;
    *) echo "unknown configuration: $config" >&2; exit 2 ;;
  esac
  # A `channel` token (the role that submits messages); post_message.lua reads CANDOR_TOKEN.
  TOKEN[$config]=$(env "${env[@]}" "$BIN" token create --name "bench-$config" --role channel "${storage[@]}" 2>>"$log")
  env "${env[@]}" "$BIN" serve --addr "${ADDR[$config]}" "${storage[@]}" >>"$log" 2>&1 &
  PID[$config]=$!
  for _ in $(seq 1 300); do
    if grep -q "Candor listening" "$log"; then
      return 0
    fi
    if ! kill -0 "${PID[$config]}" 2>/dev/null; then
      echo "the $config server exited; its log:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "the $config server did not start within 30 s; its log:" >&2
  cat "$log" >&2
  exit 1
}

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores  wrk -t$THREADS -c$CONNECTIONS -d$DURATION  $ROUNDS rounds  results in $RESULTS"
port=$PORT
for config in "${configs[@]}"; do
  start_server "$config" "$port"
  port=$((port + 1))
done

for round in $(seq 1 "$ROUNDS"); do
  for config in "${configs[@]}"; do
    echo
    echo "## round $round, $config: GET /healthz"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://${ADDR[$config]}/healthz" \
      | tee "$RESULTS/healthz-$config-$round.txt"
    echo
    echo "## round $round, $config: POST /v1/messages"
    CANDOR_TOKEN=${TOKEN[$config]} \
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/post_message.lua --latency "http://${ADDR[$config]}" \
      | tee "$RESULTS/messages-$config-$round.txt"
  done
done

for config in "${configs[@]}"; do
  echo
  echo "## $config: mean time per pipeline stage over all rounds (the server's /metrics)"
  curl -s "http://${ADDR[$config]}/metrics" | tee "$RESULTS/metrics-$config.txt" | awk '
    /^candor_stage_duration_seconds_(sum|count)\{/ {
      split($1, parts, "\""); stage = parts[2]
      if ($1 ~ /_sum/) { sum[stage] = $2 } else { count[stage] = $2 }
    }
    END {
      for (stage in sum) { total += sum[stage] }
      for (stage in sum) {
        if (count[stage] > 0) {
          printf "  %-13s mean %8.3f ms  share of stage time %5.1f%%  (%d messages)\n", stage, 1000 * sum[stage] / count[stage], 100 * sum[stage] / total, count[stage]
        }
      }
    }' | sort
done

echo
echo "## summary (wrk's latency percentiles)"
printf "%-9s %-9s %5s %12s %10s %10s %8s\n" config endpoint round "requests/s" p50 p99 "not-ok"
for config in "${configs[@]}"; do
  for endpoint in healthz messages; do
    for round in $(seq 1 "$ROUNDS"); do
      f="$RESULTS/$endpoint-$config-$round.txt"
      rps=$(awk '/^Requests\/sec:/ { print $2 }' "$f")
      p50=$(awk '$1 == "50%" { print $2 }' "$f")
      p99=$(awk '$1 == "99%" { print $2 }' "$f")
      bad=$(awk '/^  Non-2xx or 3xx responses:/ { n += $5 } /^answers other than 201:/ { n = $5 } END { print n + 0 }' "$f")
      printf "%-9s %-9s %5s %12s %10s %10s %8s\n" "$config" "$endpoint" "$round" "$rps" "$p50" "$p99" "$bad"
    done
  done
done
if grep -l "Socket errors" "$RESULTS"/*.txt >/dev/null 2>&1; then
  echo
  echo "## socket errors (wrk)"
  grep -H "Socket errors" "$RESULTS"/*.txt
fi
