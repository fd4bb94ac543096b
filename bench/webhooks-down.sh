#!/usr/bin/env bash
# Booking latency while webhook receivers are down: see docs/integrations.md.
#
#   bench/webhooks-down.sh
#
# One generated SQLite data set; for each receiver mode a fresh `sensei serve` on a free
# loopback port, then an open-loop load of RATE bookings/s of distinct eligible pairs for
# DURATION seconds (each request is sent at its scheduled time, whatever the previous ones
# did, so a slow server shows as latency, not as a lower rate). Modes:
#   none       no webhook endpoint (the baseline)
#   refused    ENDPOINTS endpoints on a loopback port nobody listens on (connection refused)
#   blackhole  ENDPOINTS endpoints on a loopback listener that accepts and never answers
#              (every attempt runs into the 10 s timeout; after its first second it waits
#              in the worker's slow lane, and each endpoint holds at most 2 attempts, so
#              the slots new deliveries start in stay free)
# Prints one markdown row per mode: sent, ok, errors, p50/p99/max latency, the outbox depth
# afterwards and the delivery attempts the worker made meanwhile.
#
# Knobs: BENCH_RATE (200), BENCH_DURATION (20), BENCH_ENDPOINTS (3), BENCH_MODES
# ("none refused blackhole"), BENCH_SENSEI (default ./target/release/sensei).
# Loopback only; everything started here is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RATE="${BENCH_RATE:-200}"
DURATION="${BENCH_DURATION:-20}"
ENDPOINTS="${BENCH_ENDPOINTS:-3}"
MODES="${BENCH_MODES:-none refused blackhole}"
SENSEI="${BENCH_SENSEI:-$ROOT/target/release/sensei}"
HEADER="X-Bench-Email"

WORK="$(mktemp -d /tmp/sensei-webhooks-bench.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

DB="$WORK/bench.db"
"$SENSEI" generate --database-url "$DB" --sessions 1000 --students 25000 --quiet >/dev/null
python3 - "$DB" >"$WORK/pairs.txt" <<'PY'
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
query = """
SELECT u.email, b.id FROM submissions b JOIN users u ON u.id = b.user_id
WHERE u.email LIKE '%@bench.example' AND (
  (SELECT r.verdict FROM reviews r WHERE r.submission_id = b.id
   ORDER BY r.created_at DESC, r.id DESC LIMIT 1) = 'needs_work'
  OR (SELECT COUNT(*) FROM goals g WHERE g.challenge_id = b.challenge_id) =
     (SELECT COUNT(*) FROM goal_progress p JOIN goals g ON g.id = p.goal_id
      WHERE p.user_id = b.user_id AND g.challenge_id = b.challenge_id
        AND p.status IN ('engaged', 'passed')))
ORDER BY b.id"""
for email, submission in conn.execute(query):
    print(email, submission)
PY
echo "| receiver | endpoints | rate | sent | 2xx | errors | p50 ms | p99 ms | max ms | outbox after | attempts made |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"

offset=0
for mode in $MODES; do
  python3 - "$DB" <<'PY'
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA foreign_keys = ON")  # their deliveries go too
conn.execute("DELETE FROM webhook_endpoints")
conn.commit()
PY
  count=0
  if [[ "$mode" != none ]]; then
    port="$(free_port)"
    if [[ "$mode" == blackhole ]]; then
      python3 - "$port" <<'PY' &
import socket, sys, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(1024)
held = []
end = time.time() + 600
server.settimeout(1)
while time.time() < end:
    try:
        conn, _ = server.accept()
        held.append(conn)  # never answered
    except socket.timeout:
        pass
PY
      PIDS+=($!)
    fi
    for n in $(seq "$ENDPOINTS"); do
      # Loopback receivers: only an allowed range admits them (public addresses only by default).
      "$SENSEI" webhook add "http://127.0.0.1:$port/hook/$n" --webhook-allow 127.0.0.0/8 \
        --database-url "$DB" >/dev/null
    done
    count="$ENDPOINTS"
  fi
  PORT="$(free_port)"
  SENSEI_TRUSTED_HEADER="$HEADER" SENSEI_TRUSTED_PROXIES="127.0.0.1" RUST_LOG=error \
    "$SENSEI" serve --database-url "$DB" --bind "127.0.0.1:$PORT" --max-open-sessions 100 \
    --webhook-allow 127.0.0.0/8 \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER=$!
  PIDS+=("$SERVER")
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null && break
    sleep 0.1
  done
  needed=$(( RATE * DURATION ))
  sed -n "$(( offset + 1 )),$(( offset + needed ))p" "$WORK/pairs.txt" >"$WORK/run-pairs.txt"
  offset=$(( offset + needed ))
  result="$(python3 - "$PORT" "$RATE" "$DURATION" "$HEADER" "$WORK/run-pairs.txt" <<'PY'
import asyncio, sys, time

port, rate, duration, header, pairs_file = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
pairs = [line.split() for line in open(pairs_file) if line.strip()]
latencies, errors, ok = [], 0, 0

class Conn:
    def __init__(self):
        self.reader = self.writer = None
    async def request(self, raw):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        self.writer.write(raw)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

async def main():
    global errors, ok
    idle = asyncio.Queue()
    for _ in range(64):
        idle.put_nowait(Conn())
    start = time.perf_counter() + 0.2
    async def one(i, email, submission):
        global errors, ok
        await asyncio.sleep(max(0, start + i / rate - time.perf_counter()))
        scheduled = start + i / rate
        conn = await idle.get()
        raw = (f"POST /api/v1/submissions/{submission}/scheduled-sessions HTTP/1.1\r\n"
               f"Host: 127.0.0.1\r\n{header}: {email}\r\nX-Requested-With: bench\r\n"
               "Content-Length: 0\r\n\r\n").encode()
        try:
            status = await asyncio.wait_for(conn.request(raw), 30)
            if 200 <= status < 300: ok += 1
            else: errors += 1
        except Exception:
            errors += 1
            conn = Conn()
        latencies.append((time.perf_counter() - scheduled) * 1000)
        idle.put_nowait(conn)
    await asyncio.gather(*(one(i, e, s) for i, (e, s) in enumerate(pairs[: rate * duration])))

asyncio.run(main())
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(f"{len(latencies)} {ok} {errors} {pick(0.5):.1f} {pick(0.99):.1f} {latencies[-1]:.1f}")
PY
)"
  sleep 1
  outbox="$(python3 - "$DB" <<'PY'
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
depth = conn.execute("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'").fetchone()[0]
attempts = conn.execute("SELECT COUNT(*) FROM webhook_attempts").fetchone()[0]
print(depth, attempts)
PY
)"
  read -r depth attempts <<<"$outbox"
  kill -TERM "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  read -r sent okays errs p50 p99 max <<<"$result"
  echo "| $mode | $count | $RATE/s | $sent | $okays | $errs | $p50 | $p99 | $max | $depth | $attempts |"
done
