#!/usr/bin/env bash
# Load benchmark of the live stream (`GET /api/v1/events`): see docs/benchmarks.md.
#
#   bench/live-streams.sh
#
# One release `sensei serve` on a free loopback port over a generated database, then:
#   1. bookings without streams: wrk (-t2 -c16 --latency, BENCH_DURATION s) booking distinct
#      eligible pairs, as bench/run.sh does;
#   2. BENCH_STREAMS streams opened by bench/live_load.py (one per account: generated students
#      and the instructor, through the trusted identity header, so the per-account cap holds);
#      the server's RSS with them open;
#   3. BENCH_BOOKINGS bookings one at a time: the time from sending each booking until its event
#      has reached every stream (p50/p99 over bookings; each stream's own latency too);
#   4. bookings with the streams open (and read): the same wrk run over other pairs.
# Writes bench/results/<UTC date>-live-streams.md.
#
# Knobs (environment):
#   BENCH_STREAMS    streams to open (default 1000)
#   BENCH_BOOKINGS   bookings measured one at a time (default 50)
#   BENCH_DURATION   seconds per wrk run (default 5)
#   BENCH_BACKEND    sqlite or postgres (default sqlite)
#   BENCH_PG_URL     PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
#   BENCH_SENSEI     a `sensei` binary instead of this tree's release build
#   CARGO_TARGET_DIR where the release build goes (default ./target)
# Loopback only; everything started here is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

STREAMS="${BENCH_STREAMS:-1000}"
BOOKINGS="${BENCH_BOOKINGS:-50}"
DURATION="${BENCH_DURATION:-5}"
BACKEND="${BENCH_BACKEND:-sqlite}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
SENSEI="${BENCH_SENSEI:-$TARGET/release/sensei}"
STUDENTS=$(( STREAMS + 4000 ))
IDENTITY_HEADER="X-Bench-Email"

log() { printf '\n==> %s\n' "$*" >&2; }

# Each stream is a socket here and one in the server: raise the open-file limit.
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
if (( $(ulimit -n) < STREAMS * 2 + 200 )); then
  echo "live-streams: the open-file limit ($(ulimit -n)) is too low for $STREAMS streams" >&2
  exit 2
fi

WORK="$(mktemp -d /tmp/sensei-live-bench.XXXXXX)"
SERVER_PID=""
PG_DB=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "$PG_DB" ]]; then
    psql "$PG_URL/postgres" -qAtc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (Debian package)"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [[ -z "${BENCH_SENSEI:-}" ]]; then
  log "building the release binary"
  cargo build --release --quiet -p sensei-http --bin sensei
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

sql() {
  local query="$1"
  if [[ "$BACKEND" == sqlite ]]; then
    python3 - "$URL" "$query" <<'PY'
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=30)
for row in conn.execute(sys.argv[2]):
    print("\t".join("" if v is None else str(v) for v in row))
PY
  else
    psql "$URL" -qAt -F $'\t' -c "$query"
  fi
}

# Eligible (email, submission) pairs, as bench/run.sh chooses them.
ELIGIBLE_PAIRS="
SELECT u.email, b.id FROM submissions b JOIN users u ON u.id = b.user_id
WHERE u.email LIKE '%@bench.example' AND (
  (SELECT r.verdict FROM reviews r WHERE r.submission_id = b.id
   ORDER BY r.created_at DESC, r.id DESC LIMIT 1) = 'needs_work'
  OR (SELECT COUNT(*) FROM goals g WHERE g.challenge_id = b.challenge_id) =
     (SELECT COUNT(*) FROM goal_progress p JOIN goals g ON g.id = p.goal_id
      WHERE p.user_id = b.user_id AND g.challenge_id = b.challenge_id
        AND p.status IN ('engaged', 'passed')))
ORDER BY b.id"

cat >"$WORK/book.lua" <<'LUA'
-- Books distinct (student, submission) pairs through the trusted identity header (as
-- bench/run.sh): each wrk thread walks its own stride of the pairs file.
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  pairs_list = {}
  for line in io.lines(os.getenv("BENCH_PAIRS")) do
    local email, submission = line:match("^(%S+)%s+(%d+)")
    if email then pairs_list[#pairs_list + 1] = { email, submission } end
  end
  index = tid
  header = os.getenv("BENCH_HEADER")
end
function request()
  local pair = pairs_list[(index % #pairs_list) + 1]
  index = index + 2
  return wrk.format("POST", "/api/v1/submissions/" .. pair[2] .. "/scheduled-sessions",
    { [header] = pair[1], ["X-Requested-With"] = "wrk" }, nil)
end
LUA

# Runs wrk over a pairs file; prints "req/s p50 p99 non2xx" (latencies in ms).
wrk_bookings() {
  local pairs="$1" out="$WORK/wrk.out"
  BENCH_PAIRS="$pairs" BENCH_HEADER="$IDENTITY_HEADER" \
    wrk -t2 -c16 --latency -d"${DURATION}s" -s "$WORK/book.lua" "$BASE/" >"$out" 2>&1
  python3 - "$out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\b" % label, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print("%.0f %.2f %.2f %s" % (rps, ms("50%"), ms("99%"), bad.group(1) if bad else "0"))
PY
}

log "generating $BACKEND data ($STUDENTS students)"
if [[ "$BACKEND" == sqlite ]]; then
  URL="$WORK/live.db"
else
  PG_DB="sensei_live_bench_$$"
  psql "$PG_URL/postgres" -qAtc "CREATE DATABASE \"$PG_DB\"" >/dev/null
  URL="$PG_URL/$PG_DB"
fi
"$SENSEI" generate --database-url "$URL" --sessions 1000 --students "$STUDENTS" --quiet >/dev/null

PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
SENSEI_COOKIE_KEY="$(python3 -c 'import os; print(os.urandom(64).hex())')" \
SENSEI_TRUSTED_HEADER="$IDENTITY_HEADER" SENSEI_TRUSTED_PROXIES=127.0.0.1,::1 RUST_LOG=warn \
  "$SENSEI" serve --database-url "$URL" --bind "127.0.0.1:$PORT" --max-open-sessions 100 \
  >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$BASE/readyz" >/dev/null

# Accounts for the streams (one stream each), and three disjoint sets of pairs to book.
{
  echo "sensei@example.com"
  sql "SELECT email FROM users WHERE email LIKE '%@bench.example' ORDER BY id LIMIT $(( STREAMS - 1 ))"
} >"$WORK/emails.txt"
sql "$ELIGIBLE_PAIRS" | tr '\t' ' ' >"$WORK/all_pairs.txt"
total_pairs=$(wc -l <"$WORK/all_pairs.txt")
third=$(( total_pairs / 3 ))
head -n "$third" "$WORK/all_pairs.txt" >"$WORK/pairs_without.txt"
sed -n "$(( third + 1 )),$(( 2 * third ))p" "$WORK/all_pairs.txt" >"$WORK/pairs_with.txt"
tail -n +"$(( 2 * third + 1 ))" "$WORK/all_pairs.txt" >"$WORK/pairs_latency.txt"
log "$total_pairs eligible pairs; $(wc -l <"$WORK/emails.txt") stream accounts"

log "bookings without streams"
without="$(wrk_bookings "$WORK/pairs_without.txt")"

log "opening $STREAMS streams, $BOOKINGS bookings one at a time, then bookings with the streams open"
python3 "$ROOT/bench/live_load.py" 127.0.0.1 "$PORT" "$SERVER_PID" "$IDENTITY_HEADER" \
  "$WORK/emails.txt" "$WORK/pairs_latency.txt" "$BOOKINGS" -- \
  bash -c "$(declare -f wrk_bookings); WORK='$WORK' BASE='$BASE' DURATION='$DURATION' \
    IDENTITY_HEADER='$IDENTITY_HEADER' wrk_bookings '$WORK/pairs_with.txt' >'$WORK/with.txt'" \
  >"$WORK/load.txt"
with="$(cat "$WORK/with.txt")"
cat "$WORK/load.txt" >&2

value() { awk -v key="$1" '$1 == key { print $2 }' "$WORK/load.txt"; }
read -r without_rps without_p50 without_p99 without_bad <<<"$without"
read -r with_rps with_p50 with_p99 with_bad <<<"$with"
ratio="$(python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) / float(sys.argv[1])))" "$without_p99" "$with_p99")"
mib() { python3 -c "import sys; print('%.1f' % (int(sys.argv[1]) / 1024))" "$1"; }

DATE="$(date -u +%Y-%m-%d-%H%M)"
mkdir -p "$ROOT/bench/results"
RESULT="$ROOT/bench/results/$DATE-live-streams.md"
{
  echo "# Live stream benchmark, $DATE UTC"
  echo
  echo "\`bench/live-streams.sh\` (BENCH_STREAMS=$STREAMS BENCH_BOOKINGS=$BOOKINGS BENCH_DURATION=$DURATION BENCH_BACKEND=$BACKEND),"
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| figure | value |"
  echo "|---|---|"
  echo "| streams open (one per account) | $(value streams) (opened in $(value open_seconds) s) |"
  echo "| server RSS before the streams | $(mib "$(value rss_before_kib)") MiB |"
  echo "| server RSS with the streams open | $(mib "$(value rss_streams_open_kib)") MiB |"
  echo "| server RSS after the bookings' events | $(mib "$(value rss_after_events_kib)") MiB |"
  echo "| server peak RSS (VmHWM, whole run) | $(mib "$(value rss_peak_kib)") MiB |"
  echo "| bookings measured one at a time | $(value bookings) ($(value booking_statuses)); events not at every stream within 10 s: $(value event_timeouts) |"
  echo "| booking sent → event at every stream, p50 / p99 / max | $(value all_streams_p50_ms) / $(value all_streams_p99_ms) / $(value all_streams_max_ms) ms |"
  echo "| booking sent → event at one stream, p50 / p99 | $(value delivery_p50_ms) / $(value delivery_p99_ms) ms |"
  echo "| bookings without streams: req/s, p50, p99 | $without_rps, $without_p50 ms, $without_p99 ms (non-2xx: $without_bad) |"
  echo "| bookings with the streams open: req/s, p50, p99 | $with_rps, $with_p50 ms, $with_p99 ms (non-2xx: $with_bad) |"
  echo "| booking p99 with / without streams | $ratio |"
  echo "| stream events read during the bookings with streams | $(value events_read_during_command) |"
  echo "| streams closed by the server (too slow, resumed by id in a browser) | $(value streams_closed_by_server) |"
  echo
  echo "Raw output of the load client:"
  echo
  echo '```'
  cat "$WORK/load.txt"
  echo '```'
} >"$RESULT"
cat "$RESULT"
log "written to $RESULT"
