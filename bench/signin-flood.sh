#!/usr/bin/env bash
# The instructor's dashboard while a flood of wrong passwords hits the service, against the
# same flood sent to /healthz, in one run on one server (issue "where it is really used").
#
#   bench/signin-flood.sh
#
# One `sensei serve --demo` (release build) on a free loopback port. The instructor signs in
# once. Then, for each target (the sign-in API, then /healthz), wrk floods the target with
# FLOOD_CONNECTIONS connections from 127.0.0.1 (wrong passwords for the sign-in) while a
# second wrk loads the signed-in dashboard (/admin) with DASHBOARD_CONNECTIONS connections;
# a warm-up of WARMUP seconds of flood comes first, so the sign-in budget of the address is
# spent as it would be a few seconds into a real flood. (No Lua callbacks per response: they
# would make wrk itself dearer for one target than for the other.) Prints, per target: the flood's
# rate and statuses, the dashboard's rate and p50/p99, and the server's peak RSS; then the
# ratio of the two dashboard p99s (the bar: at most 1.5).
#
# Knobs: BENCH_DURATION (10), BENCH_WARMUP (3), BENCH_FLOOD_CONNECTIONS (64),
# BENCH_DASHBOARD_CONNECTIONS (4), BENCH_SENSEI (default ./target/release/sensei).
# Loopback only; everything started here is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-3}"
FLOOD="${BENCH_FLOOD_CONNECTIONS:-64}"
DASH="${BENCH_DASHBOARD_CONNECTIONS:-4}"
SENSEI="${BENCH_SENSEI:-$ROOT/target/release/sensei}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ ! -x "$SENSEI" ]; then
  echo "building the release binary" >&2
  (cd "$ROOT" && cargo build --release -p sensei-http --bin sensei)
fi

WORK="$(mktemp -d /tmp/sensei-flood-bench.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
RUST_LOG=warn "$SENSEI" serve --demo --database-url "$WORK/demo.sqlite3" --bind "127.0.0.1:$PORT" \
  --webhook-concurrency 0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
PIDS+=("$SERVER")
for _ in $(seq 1 600); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
COOKIE="$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"email":"sensei@example.com","password":"sensei-demo"}' "$BASE/api/v1/session" |
  tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(sensei_session=[^;]*\).*/\1/p' | head -n1)"
[ -n "$COOKIE" ] || { echo "could not sign in as the instructor" >&2; exit 1; }

cat >"$WORK/flood-sign-in.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"alice@example.com","password":"wrong"}'
LUA
cat >"$WORK/flood-healthz.lua" <<'LUA'
wrk.method = "GET"
LUA

# wrk's "Latency Distribution" line for a percentile, in ms.
percentile() {
  awk -v p="$2" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}' "$1"
}
rate() { awk '/Requests\/sec/ {printf "%.0f", $2}' "$1"; }
non2xx() { awk '/Non-2xx or 3xx responses/ {print $5} END {}' "$1" | head -n1; }

run() {
  local name="$1" label="$2" target="$3" script="$4"
  wrk -t1 -c"$FLOOD" -d"$((WARMUP + DURATION + 1))s" -s "$script" "$target" >"$WORK/flood-$name.out" 2>&1 &
  local flood=$!
  sleep "$WARMUP"
  wrk -t1 -c"$DASH" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "$BASE/admin" >"$WORK/dash-$name.out" 2>&1
  wait "$flood"
  local hwm
  hwm="$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$SERVER/status")"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$(rate "$WORK/flood-$name.out")" \
    "$(non2xx "$WORK/flood-$name.out")" "$(rate "$WORK/dash-$name.out")" \
    "$(percentile "$WORK/dash-$name.out" 50%)" "$(percentile "$WORK/dash-$name.out" 99%)" "$hwm"
}

echo "| flood target | flood req/s | flood non-2xx | dashboard req/s | dashboard p50 ms | dashboard p99 ms | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|"
run sign-in "sign-in (wrong passwords)" "$BASE/api/v1/session" "$WORK/flood-sign-in.lua"
run healthz "/healthz" "$BASE/healthz" "$WORK/flood-healthz.lua"
p_sign_in="$(percentile "$WORK/dash-sign-in.out" 99%)"
p_healthz="$(percentile "$WORK/dash-healthz.out" 99%)"
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'\ndashboard p99 under the sign-in flood / under the /healthz flood: {a:.2f} / {b:.2f} ms = {a / b:.2f}x (bar: at most 1.5x)')" "$p_sign_in" "$p_healthz"
if grep -q ' 5[0-9][0-9] ' "$WORK/serve.err"; then echo "warning: 5xx in the server log" >&2; fi
