#!/usr/bin/env bash
# Load benchmark of the `sensei` service: see docs/benchmarks.md.
#
#   bench/run.sh
#
# For each backend x size: a fresh database, `sensei generate`, `sensei serve` on a free
# loopback port, then wrk (-t2 -c16 --latency, BENCH_DURATION seconds each) against
#   dashboard      GET /admin                                  (first page, signed-in instructor)
#   dashboard, sessions changing   the same while one session is claimed and released
#                  BENCH_CHANGES_PER_S times a second (default 50): every change makes the next
#                  dashboard read the database again instead of reusing the kept one
#   deep page      GET /admin?after=<cursor halfway through the pending queue>
#   detail         GET /admin/scheduled-sessions/<id>
#   booking        POST /api/v1/submissions/<id>/scheduled-sessions, distinct eligible students
#   hot pair       the same POST for one (student, submission) from all 16 connections:
#                  afterwards exactly one new row must exist for that pair
# and the server's peak resident memory (VmHWM). Writes bench/results/<UTC date>.md.
#
# Knobs (environment):
#   BENCH_DURATION   seconds per wrk run (default 5)
#   BENCH_RUNS       runs of each read scenario; the median by throughput is reported (default 3)
#   BENCH_SIZES      scheduled sessions per data set (default "1000 100000")
#   BENCH_BACKENDS   "sqlite postgres" (default both)
#   BENCH_STUDENTS   students per data set (default 25000: enough distinct pairs to book)
#   BENCH_PG_URL     PostgreSQL server (default postgres://postgres@127.0.0.1:5432); a fresh
#                    database is created on it per run and dropped afterwards
#   BENCH_CONNECTIONS / BENCH_THREADS   wrk -c / -t (default 16 / 2)
#   CARGO_TARGET_DIR where the release build goes (default ./target)
#   BENCH_SERVE_ARGS extra `sensei serve` flags (default --max-open-sessions 100)
#   BENCH_SENSEI     a `sensei` binary to measure instead of building this tree's (e.g. an
#                    older release, to compare in the same conditions)
# Loopback only; everything started here is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

DURATION="${BENCH_DURATION:-5}"
RUNS="${BENCH_RUNS:-3}"
SIZES="${BENCH_SIZES:-1000 100000}"
BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
STUDENTS="${BENCH_STUDENTS:-25000}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
CONNS="${BENCH_CONNECTIONS:-16}"
THREADS="${BENCH_THREADS:-2}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
SENSEI="${BENCH_SENSEI:-$TARGET/release/sensei}"
HOT_DURATION=$(( DURATION < 5 ? DURATION : 5 ))
# Changes per second to one session (claim, release, ...) during the "sessions changing" run.
CHANGES_PER_S="${BENCH_CHANGES_PER_S:-50}"
IDENTITY_HEADER="X-Bench-Email"
# Extra `sensei serve` flags; by default students may hold 100 open sessions, so that booking
# distinct pairs of the generated data is not refused by the open-session limit. Set it empty
# to benchmark a binary that predates the flag.
SERVE_ARGS="${BENCH_SERVE_ARGS---max-open-sessions 100}"

log() { printf '\n==> %s\n' "$*" >&2; }
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

WORK="$(mktemp -d /tmp/sensei-bench.XXXXXX)"
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

# ---------------------------------------------------------------------------------------------
# Tools
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (Debian package)"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
for tool in curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done
if [[ " $BACKENDS " == *" postgres "* ]] && ! command -v psql >/dev/null 2>&1; then
  echo "bench: psql is required for the PostgreSQL runs (or set BENCH_BACKENDS=sqlite)" >&2
  exit 1
fi

if [[ -z "${BENCH_SENSEI:-}" ]]; then
  log "building the release binary ($TARGET)"
  CARGO_TARGET_DIR="$TARGET" cargo build --release -q -p sensei-http --bin sensei
fi

# ---------------------------------------------------------------------------------------------
# Helpers

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# sql BACKEND URL QUERY: one value per line, columns separated by a tab.
sql() {
  local backend="$1" url="$2" query="$3"
  if [[ "$backend" == sqlite ]]; then
    python3 - "$url" "$query" <<'PY'
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=30)
for row in conn.execute(sys.argv[2]):
    print("\t".join("" if v is None else str(v) for v in row))
PY
  else
    psql "$url" -qAt -F $'\t' -c "$query"
  fi
}

# The (email, submission) pairs a student may book: latest review needs_work, or every goal
# of the challenge engaged or passed. Portable SQL.
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

# Runs wrk and prints "req/s p50 p99 errors" (latencies in ms).
run_wrk() {
  local out="$WORK/wrk.out"
  wrk -t"$THREADS" -c"$CONNS" --latency "$@" >"$out" 2>&1 || { cat "$out" >&2; return 1; }
  python3 - "$out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)\b" % label, text, re.M)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
errors = 0
for pattern in (r"Non-2xx or 3xx responses:\s+(\d+)", r"Socket errors:.*?timeout (\d+)"):
    m = re.search(pattern, text)
    if m:
        errors += int(m.group(1))
for m in re.finditer(r"Socket errors: connect (\d+), read (\d+), write (\d+)", text):
    errors += sum(int(g) for g in m.groups())
print("%.0f %.2f %.2f %d" % (float(rps.group(1)) if rps else 0.0, ms("50"), ms("99"), errors))
PY
}

# Runs wrk RUNS times and prints the median run by throughput ("req/s p50 p99 errors").
run_wrk_median() {
  local results=() i
  for (( i = 0; i < RUNS; i++ )); do
    results+=("$(run_wrk "$@")")
  done
  printf '%s\n' "${results[@]}" | sort -n -k1,1 | sed -n "$(( (RUNS + 1) / 2 ))p"
}

cat >"$WORK/book.lua" <<'LUA'
-- Books for distinct (student, submission) pairs: each wrk thread walks its own stride of
-- the pairs file, one pair per request, through the trusted identity header.
local threads, counter = {}, 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  pairs_list = {}
  for line in io.lines(os.getenv("BENCH_PAIRS")) do
    local email, submission = line:match("^(%S+)%s+(%d+)")
    if email then pairs_list[#pairs_list + 1] = { email, submission } end
  end
  stride = tonumber(os.getenv("BENCH_THREADS") or "2")
  index = tid
  header = os.getenv("BENCH_HEADER")
end
function request()
  local pair = pairs_list[(index % #pairs_list) + 1]
  index = index + stride
  return wrk.format("POST", "/api/v1/submissions/" .. pair[2] .. "/scheduled-sessions",
    { [header] = pair[1], ["X-Requested-With"] = "wrk" }, nil)
end
LUA

echo 'wrk.method = "POST"' >"$WORK/post.lua"

cat >"$WORK/changes.py" <<'PY'
# Changes one session CHANGES_PER_S times a second (claim, release, claim, ...) as the
# instructor, through the trusted identity header, until stopped; then prints how many
# changes were answered 2xx. Keeps the dashboard's kept copy from being reused for long.
import http.client, os, signal, sys, time
host, port, session, header, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
done, stop = 0, False
def finish(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, finish)
conn = http.client.HTTPConnection(host, port, timeout=5)
headers = {header: "sensei@example.com", "X-Requested-With": "bench", "Content-Length": "0"}
start, step = time.monotonic(), 0
while not stop:
    action = ("claim", "release")[step % 2]
    try:
        conn.request("POST", "/api/v1/scheduled-sessions/%s/%s" % (session, action), headers=headers)
        response = conn.getresponse()
        response.read()
        if 200 <= response.status < 300:
            done += 1
    except (OSError, http.client.HTTPException):
        conn = http.client.HTTPConnection(host, port, timeout=5)
    step += 1
    delay = start + step / rate - time.monotonic()
    if delay > 0 and not stop:
        time.sleep(delay)
print(done)
PY

# ---------------------------------------------------------------------------------------------
DATE="$(date -u +%Y-%m-%d-%H%M)"
mkdir -p "$ROOT/bench/results"
RESULT="$ROOT/bench/results/$DATE.md"
ROWS="$WORK/rows.md"
SUMMARY="$WORK/summary.md"
: >"$ROWS"
: >"$SUMMARY"

for backend in $BACKENDS; do
  for size in $SIZES; do
    log "$backend, $size sessions"
    if [[ "$backend" == sqlite ]]; then
      URL="$WORK/bench-$size.db"
      SQL_URL="$URL"
    else
      PG_DB="sensei_bench_${size}_$$"
      psql "$PG_URL/postgres" -qAtc "DROP DATABASE IF EXISTS \"$PG_DB\"" >/dev/null 2>&1
      psql "$PG_URL/postgres" -qAtc "CREATE DATABASE \"$PG_DB\"" >/dev/null
      URL="$PG_URL/$PG_DB"
      SQL_URL="$URL"
    fi

    started=$(date +%s.%N)
    "$SENSEI" generate --database-url "$URL" --sessions "$size" --students "$STUDENTS" --quiet \
      >"$WORK/generate.out"
    generate_s=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" \
      "$started" "$(date +%s.%N)")
    tail -n +1 "$WORK/generate.out" >&2

    PORT="$(free_port)"
    BASE="http://127.0.0.1:$PORT"
    SENSEI_COOKIE_KEY="$(python3 -c 'import os; print(os.urandom(64).hex())')" \
    SENSEI_TRUSTED_HEADER="$IDENTITY_HEADER" SENSEI_TRUSTED_PROXIES=127.0.0.1,::1 RUST_LOG=warn \
      "$SENSEI" serve --database-url "$URL" --bind "127.0.0.1:$PORT" $SERVE_ARGS \
      >"$WORK/serve.out" 2>"$WORK/serve.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
      curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
      sleep 0.1
    done
    curl -fsS "$BASE/readyz" >/dev/null

    # Sign in as the instructor: the login form's CSRF token, then the form POST.
    JAR="$WORK/cookies.txt"
    rm -f "$JAR"
    token="$(curl -fsS -c "$JAR" -b "$JAR" "$BASE/login" \
      | python3 -c 'import re,sys; print(re.search(r"name=\"csrf_token\" value=\"([^\"]+)\"", sys.stdin.read()).group(1))')"
    status="$(curl -sS -o /dev/null -w '%{http_code}' -c "$JAR" -b "$JAR" \
      --data-urlencode "csrf_token=$token" --data-urlencode "email=sensei@example.com" \
      --data-urlencode "password=sensei-demo" "$BASE/login")"
    [[ "$status" == 303 ]] || { echo "bench: sign-in answered $status" >&2; exit 1; }
    COOKIE="sensei_session=$(awk '$6 == "sensei_session" { print $7 }' "$JAR" | tail -n1)"
    curl -fsS -o "$WORK/admin.html" -H "Cookie: $COOKIE" "$BASE/admin"
    grep -q "Pending scheduled sessions" "$WORK/admin.html" \
      || { echo "bench: the dashboard did not render for the instructor" >&2; exit 1; }

    # A cursor halfway through the pending queue (SessionCursor: <unix micros>.<id>), and a
    # pending session for the detail page.
    pending="$(sql "$backend" "$SQL_URL" "SELECT SUM(pending_count) FROM scheduled_session_counts")"
    if [[ "$backend" == sqlite ]]; then
      micros_expr="scheduled_at"
    else
      micros_expr="CAST(EXTRACT(EPOCH FROM scheduled_at) * 1000000 AS BIGINT)"
    fi
    IFS=$'\t' read -r middle_at middle_id < <(sql "$backend" "$SQL_URL" \
      "SELECT $micros_expr, id FROM scheduled_sessions WHERE session_completed_at IS NULL
       ORDER BY scheduled_at, id LIMIT 1 OFFSET $(( pending / 2 ))")
    if [[ "$backend" == sqlite ]]; then
      middle_at="$(python3 -c 'import sys, datetime as d; t=d.datetime.strptime(sys.argv[1], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=d.timezone.utc); print(int(t.timestamp())*1000000 + t.microsecond)' "$middle_at")"
    fi
    CURSOR="$middle_at.$middle_id"
    curl -fsS -o /dev/null -H "Cookie: $COOKIE" "$BASE/admin?after=$CURSOR"
    curl -fsS -o /dev/null -H "Cookie: $COOKIE" "$BASE/admin/scheduled-sessions/$middle_id"

    # Pairs to book: the first is the hot pair, the rest are booked once each.
    sql "$backend" "$SQL_URL" "$ELIGIBLE_PAIRS" | tr '\t' ' ' >"$WORK/all_pairs.txt"
    read -r hot_email hot_submission < "$WORK/all_pairs.txt"
    tail -n +2 "$WORK/all_pairs.txt" >"$WORK/pairs.txt"
    pair_count="$(wc -l <"$WORK/pairs.txt")"

    HEALTHZ_RPS=""
    record() {  # scenario, "rps p50 p99 errors", note
      read -r rps p50 p99 errors <<<"$2"
      # Machines differ: every throughput is also given as a share of the same server's
      # /healthz, measured in the same run (SPEC §6).
      local ratio="—"
      if [[ -n "$HEALTHZ_RPS" ]]; then
        ratio="$(awk -v a="$rps" -v b="$HEALTHZ_RPS" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * a / b; else print "—" }')"
      fi
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$backend" "$size" "$1" "$rps" "$ratio" "$p50" "$p99" "$errors" "$3" >>"$ROWS"
      printf '%-9s %7s %-22s %8s req/s (%s of /healthz)  p50 %6s ms  p99 %6s ms  errors %s  %s\n' \
        "$backend" "$size" "$1" "$rps" "$ratio" "$p50" "$p99" "$errors" "$3" >&2
    }

    # Warm-up (not recorded): the pool opens its connections, caches fill.
    wrk -t"$THREADS" -c"$CONNS" -d2s -H "Cookie: $COOKIE" "$BASE/admin" >/dev/null 2>&1
    wrk -t"$THREADS" -c"$CONNS" -d1s -H "Cookie: $COOKIE" "$BASE/admin/scheduled-sessions/$middle_id" \
      >/dev/null 2>&1

    healthz="$(run_wrk_median -d"${DURATION}s" "$BASE/healthz")"
    record "/healthz (ceiling)" "$healthz" "the framework's own ceiling on this machine, this run"
    HEALTHZ_RPS="${healthz%% *}"
    record "dashboard /admin" "$(run_wrk_median -d"${DURATION}s" -H "Cookie: $COOKIE" "$BASE/admin")" ""
    record "deep page ?after=" \
      "$(run_wrk_median -d"${DURATION}s" -H "Cookie: $COOKIE" "$BASE/admin?after=$CURSOR")" \
      "cursor at pending row $(( pending / 2 ))"
    record "session detail" \
      "$(run_wrk_median -d"${DURATION}s" -H "Cookie: $COOKIE" "$BASE/admin/scheduled-sessions/$middle_id")" ""
    # The dashboard while sessions change: a kept dashboard is reused only until the next
    # change, so this is the figure for a queue that is being worked on.
    python3 "$WORK/changes.py" 127.0.0.1 "$PORT" "$middle_id" "$IDENTITY_HEADER" "$CHANGES_PER_S" \
      >"$WORK/changes.out" &
    CHANGES_PID=$!
    dashboard_changing="$(run_wrk_median -d"${DURATION}s" -H "Cookie: $COOKIE" "$BASE/admin")"
    kill -TERM "$CHANGES_PID" 2>/dev/null || true
    wait "$CHANGES_PID" 2>/dev/null || true
    record "dashboard, sessions changing" "$dashboard_changing" \
      "$(cat "$WORK/changes.out" 2>/dev/null || echo "?") claims and releases, ${CHANGES_PER_S}/s, during the runs"

    total_sql="SELECT COUNT(*) FROM scheduled_sessions"
    before="$(sql "$backend" "$SQL_URL" "$total_sql")"
    result="$(BENCH_PAIRS="$WORK/pairs.txt" BENCH_HEADER="$IDENTITY_HEADER" BENCH_THREADS="$THREADS" \
      run_wrk -d"${DURATION}s" -s "$WORK/book.lua" "$BASE/")"
    after="$(sql "$backend" "$SQL_URL" "$total_sql")"
    record "booking (distinct)" "$result" \
      "$(( after - before )) rows created from $pair_count eligible pairs"

    pair_sql="SELECT COUNT(*) FROM scheduled_sessions s JOIN users u ON u.id = s.user_id
              WHERE u.email = '$hot_email' AND s.submission_id = $hot_submission"
    before="$(sql "$backend" "$SQL_URL" "$pair_sql")"
    result="$(run_wrk -d"${HOT_DURATION}s" -H "$IDENTITY_HEADER: $hot_email" \
      -H "X-Requested-With: wrk" -s "$WORK/post.lua" \
      "$BASE/api/v1/submissions/$hot_submission/scheduled-sessions")"
    after="$(sql "$backend" "$SQL_URL" "$pair_sql")"
    new_rows=$(( after - before ))
    verdict="exactly one new row: OK"
    [[ "$new_rows" == 1 ]] || verdict="$new_rows new rows: DEDUP BROKEN"
    record "booking (hot pair)" "$result" "$verdict"

    hwm_kb="$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")"
    rss_mib="$(python3 -c "print('%.1f' % ($hwm_kb / 1024))")"
    printf '| %s | %s | %s s | %s MiB |\n' "$backend" "$size" "$generate_s" "$rss_mib" >>"$SUMMARY"
    log "$backend $size: generate ${generate_s}s, server peak RSS ${rss_mib} MiB"

    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=""
    if [[ "$backend" == postgres ]]; then
      psql "$PG_URL/postgres" -qAtc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null
      PG_DB=""
    else
      rm -f "$URL" "$URL-wal" "$URL-shm"
    fi
  done
done

{
  echo "# Benchmark $DATE"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
  echo "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory; load average at the start: $LOAD_BEFORE."
  echo "Command: \`BENCH_DURATION=$DURATION BENCH_RUNS=$RUNS BENCH_SIZES=\"$SIZES\" BENCH_BACKENDS=\"$BACKENDS\" bench/run.sh\`"
  echo "wrk -t$THREADS -c$CONNS --latency, ${DURATION} s per run; dashboard, deep page and detail: median of $RUNS runs;"
  echo "bookings: one run each (the distinct pairs are used up). $STUDENTS students per data set."
  echo
  echo "| backend | sessions | scenario | req/s | share of /healthz | p50 ms | p99 ms | errors | note |"
  echo "|---|---:|---|---:|---:|---:|---:|---|---|"
  cat "$ROWS"
  echo
  echo "| backend | sessions | generate | server peak RSS (VmHWM) |"
  echo "|---|---:|---:|---:|"
  cat "$SUMMARY"
  echo
  echo "Statements per request (from the code; constancy in the table size is asserted by"
  echo "\`list_uses_constant_statements\` in crates/sensei-diesel/tests/adapter/queue.rs, 10 vs 1,000"
  echo "sessions on both backends): dashboard 3 (the server-side session joined to its user with"
  echo "the counter's totals, the viewer's claims, one page query), 1 when the dashboard kept from"
  echo "an earlier request is still right (no session changed since); session detail 6; booking"
  echo "(trusted header here, no session read) 2 reads (the identity; the submission with the"
  echo "student's goal progress) + the write: SQLite an immediate transaction of 4 statements on"
  echo "the writer thread, PostgreSQL one call of sensei_book_session."
} >"$RESULT"

echo
cat "$RESULT"
echo
echo "written to ${RESULT#"$ROOT"/}"
