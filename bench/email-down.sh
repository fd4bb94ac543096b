#!/usr/bin/env bash
# Booking latency with email on and the SMTP server down, against email off, each with the
# same server's /healthz at the same rate (the ratio is what carries from machine to machine).
#
#   bench/email-down.sh
#
# One generated SQLite data set; for each mode a fresh `sensei serve` on a free loopback port,
# then an open-loop load of RATE bookings/s of distinct eligible pairs for DURATION seconds
# (each request is sent at its scheduled time, whatever the previous ones did, so a slow
# server shows as latency, not as a lower rate), then the same load of GET /healthz. Modes:
#   unset   no --smtp-url (email off: events write no outbox row; the baseline)
#   closed  --smtp-url to a loopback port nobody listens on (every send is refused; each
#           booking's receipt waits in the outbox and is retried)
#   sink    --smtp-url to a loopback SMTP sink that takes every message (email working:
#           each booking's receipt is rendered and sent during the load)
# Prints one markdown row per mode: sent, 2xx, errors, p50/p99/max booking latency, /healthz
# p50/p99, the booking p99 as a multiple of /healthz's, and the emails waiting afterwards
# (and, for the sink, the messages it took).
#
# Knobs: BENCH_RATE (200), BENCH_DURATION (20), BENCH_MODES ("unset closed sink"), BENCH_SENSEI
# (default ./target/release/sensei). Loopback only; everything started here is stopped on
# exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RATE="${BENCH_RATE:-200}"
DURATION="${BENCH_DURATION:-20}"
MODES="${BENCH_MODES:-unset closed sink}"
SENSEI="${BENCH_SENSEI:-$ROOT/target/release/sensei}"
HEADER="X-Bench-Email"

WORK="$(mktemp -d /tmp/sensei-email-bench.XXXXXX)"
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
# load FILE KIND: an open-loop load (KIND booking or healthz); prints sent ok errors p50 p99 max.
load() {
  python3 - "$PORT" "$RATE" "$DURATION" "$HEADER" "$1" "$2" <<'PY'
import asyncio, sys, time

port, rate, duration, header, pairs_file, kind = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
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
        if kind == "healthz":
            raw = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        else:
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
}

echo "| SMTP | rate | sent | 2xx | errors | p50 ms | p99 ms | max ms | /healthz p50 ms | /healthz p99 ms | booking p99 / /healthz p99 | emails waiting after |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"

offset=0
for mode in $MODES; do
  smtp=()
  if [[ "$mode" == closed ]]; then
    smtp=(--smtp-url "smtp://127.0.0.1:$(free_port)")
  elif [[ "$mode" == sink ]]; then
    sink_port="$(free_port)"
    python3 - "$sink_port" "$WORK/sink.count" <<'PY' &
import asyncio, sys
port, count_file = int(sys.argv[1]), sys.argv[2]
taken = 0
async def serve(reader, writer):
    global taken
    writer.write(b"220 sink\r\n")
    while True:
        line = await reader.readline()
        if not line:
            break
        verb = line[:4].upper()
        if verb == b"DATA":
            writer.write(b"354 go\r\n")
            while (await reader.readline()) not in (b".\r\n", b""):
                pass
            taken += 1
            open(count_file, "w").write(str(taken))
            writer.write(b"250 ok\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        elif verb == b"EHLO":
            writer.write(b"250-sink\r\n250 8BITMIME\r\n")
        else:
            writer.write(b"250 ok\r\n")
        await writer.drain()
    writer.close()
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", port)
    await asyncio.sleep(600)
asyncio.run(main())
PY
    PIDS+=($!)
    smtp=(--smtp-url "smtp://127.0.0.1:$sink_port")
  fi
  PORT="$(free_port)"
  SENSEI_TRUSTED_HEADER="$HEADER" SENSEI_TRUSTED_PROXIES="127.0.0.1" RUST_LOG=error \
    "$SENSEI" serve --database-url "$DB" --bind "127.0.0.1:$PORT" --max-open-sessions 100 \
    "${smtp[@]}" >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER=$!
  PIDS+=("$SERVER")
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null && break
    sleep 0.1
  done
  needed=$(( RATE * DURATION ))
  sed -n "$(( offset + 1 )),$(( offset + needed ))p" "$WORK/pairs.txt" >"$WORK/run-pairs.txt"
  offset=$(( offset + needed ))
  read -r sent okays errs p50 p99 max <<<"$(load "$WORK/run-pairs.txt" booking)"
  read -r _ _ _ h50 h99 _ <<<"$(load "$WORK/run-pairs.txt" healthz)"
  sleep 1
  waiting="$(python3 - "$DB" <<'PY'
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(conn.execute("SELECT COUNT(*) FROM email_deliveries WHERE status = 'pending'").fetchone()[0])
PY
)"
  kill -TERM "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  ratio="$(python3 -c "print(f'{$p99 / max($h99, 0.001):.1f}')")"
  label="unset"
  [[ "$mode" == closed ]] && label="closed port"
  [[ "$mode" == sink ]] && label="sink (took $(cat "$WORK/sink.count" 2>/dev/null || echo 0))"
  echo "| $label | $RATE/s | $sent | $okays | $errs | $p50 | $p99 | $max | $h50 | $h99 | $ratio | $waiting |"
  # Email off writes no row; a closed-port run leaves its receipts for the next run to skip.
  python3 - "$DB" <<'PY'
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("DELETE FROM email_deliveries")
conn.execute("UPDATE email_settings SET enabled_until = NULL")
conn.commit()
PY
done
