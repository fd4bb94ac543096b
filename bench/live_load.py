#!/usr/bin/env python3
"""The live stream's load client (bench/live-streams.sh): opens N streams on one server, reads
its memory, measures how long each booking's event takes to reach every stream, then keeps the
streams open (and read) while a command (wrk's bookings) runs.

Standard library only: asyncio with raw sockets (one HTTP/1.1 connection per stream).

Usage:
  live_load.py HOST PORT SERVER_PID HEADER STREAM_EMAILS BOOK_PAIRS BOOKINGS -- COMMAND...

  STREAM_EMAILS  a file with one account email per line: one stream each (through HEADER,
                 the server's trusted identity header)
  BOOK_PAIRS     a file of "email submission_id" lines, booked one at a time for the latency
  BOOKINGS       how many of them to book (each waits until every stream has its event)
  COMMAND        run once the latency is measured, with the streams still open and read

Prints one `key value` line per figure (latencies in ms, memory in KiB).
"""

import asyncio
import os
import subprocess
import sys
import time

MARK = b"id: "
OPEN_BATCH = 50
EVENT_TIMEOUT_S = 10.0


def status_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


class Round:
    """The booking being measured: when it was sent, and which streams still wait for it."""

    def __init__(self):
        self.number = None
        self.sent = 0.0
        self.remaining = 0
        self.done = asyncio.Event()
        self.deliveries = []  # per-stream latencies (s) of every round
        self.last = []  # per-round latency of the slowest stream (s)


class Stream:
    def __init__(self, email):
        self.email = email
        self.seen_round = None
        self.events = 0
        self.closed = False


async def open_stream(host, port, header, stream):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        (
            "GET /api/v1/events HTTP/1.1\r\nHost: %s:%d\r\n%s: %s\r\n"
            "Accept: text/event-stream\r\n\r\n" % (host, port, header, stream.email)
        ).encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = head.split(b" ", 2)[1]
    if status != b"200":
        raise RuntimeError("stream for %s answered %s" % (stream.email, head[:200]))
    return reader, writer


async def read_stream(reader, stream, current):
    tail = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            stream.closed = True
            return
        data = tail + chunk
        found = data.count(MARK)
        tail = data[-(len(MARK) - 1):]
        if not found:
            continue
        stream.events += found
        if current.number is not None and stream.seen_round != current.number:
            stream.seen_round = current.number
            latency = time.monotonic() - current.sent
            current.deliveries.append(latency)
            current.remaining -= 1
            if current.remaining == 0:
                current.done.set()


async def book(host, port, header, email, submission):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        (
            "POST /api/v1/submissions/%s/scheduled-sessions HTTP/1.1\r\nHost: %s:%d\r\n"
            "%s: %s\r\nX-Requested-With: bench\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            % (submission, host, port, header, email)
        ).encode()
    )
    await writer.drain()
    response = await reader.read()
    writer.close()
    return response.split(b" ", 2)[1]


async def main():
    separator = sys.argv.index("--")
    host, port, pid, header, emails_file, pairs_file, bookings = sys.argv[1:separator]
    command = sys.argv[separator + 1:]
    port, pid, bookings = int(port), int(pid), int(bookings)
    emails = [line.strip() for line in open(emails_file) if line.strip()]
    pairs = [line.split() for line in open(pairs_file) if line.strip()][:bookings]

    rss_before = status_kib(pid, "VmRSS")
    streams = [Stream(email) for email in emails]
    current = Round()
    tasks = []
    started = time.monotonic()
    for at in range(0, len(streams), OPEN_BATCH):
        batch = streams[at:at + OPEN_BATCH]
        opened = await asyncio.gather(*(open_stream(host, port, header, s) for s in batch))
        for stream, (reader, _writer) in zip(batch, opened):
            tasks.append(asyncio.ensure_future(read_stream(reader, stream, current)))
    open_s = time.monotonic() - started
    await asyncio.sleep(2.0)  # let the server settle before reading its memory
    rss_open = status_kib(pid, "VmRSS")
    print("streams %d" % len(streams))
    print("open_seconds %.2f" % open_s)
    print("rss_before_kib %d" % rss_before)
    print("rss_streams_open_kib %d" % rss_open)

    timeouts = 0
    statuses = {}
    for number, (email, submission) in enumerate(pairs):
        current.done = asyncio.Event()
        current.remaining = sum(1 for s in streams if not s.closed)
        current.sent = time.monotonic()
        current.number = number
        status = await book(host, port, header, email, submission)
        statuses[status] = statuses.get(status, 0) + 1
        try:
            await asyncio.wait_for(current.done.wait(), EVENT_TIMEOUT_S)
            current.last.append(time.monotonic() - current.sent)
        except asyncio.TimeoutError:
            timeouts += 1
        current.number = None
        await asyncio.sleep(0.2)
    ms = 1000.0
    print("bookings %d" % len(pairs))
    print("booking_statuses %s" % ",".join("%s=%d" % (k.decode(), v) for k, v in statuses.items()))
    print("event_timeouts %d" % timeouts)
    print("delivery_p50_ms %.1f" % (percentile(current.deliveries, 50) * ms))
    print("delivery_p99_ms %.1f" % (percentile(current.deliveries, 99) * ms))
    print("all_streams_p50_ms %.1f" % (percentile(current.last, 50) * ms))
    print("all_streams_p99_ms %.1f" % (percentile(current.last, 99) * ms))
    print("all_streams_max_ms %.1f" % (max(current.last) * ms if current.last else float("nan")))
    print("rss_after_events_kib %d" % status_kib(pid, "VmRSS"))
    sys.stdout.flush()

    if command:
        before = sum(s.events for s in streams)
        process = await asyncio.create_subprocess_exec(*command)
        await process.wait()
        print("command_exit %d" % process.returncode)
        print("events_read_during_command %d" % (sum(s.events for s in streams) - before))
    print("streams_closed_by_server %d" % sum(1 for s in streams if s.closed))
    print("rss_peak_kib %d" % status_kib(pid, "VmHWM"))
    for task in tasks:
        task.cancel()


if __name__ == "__main__":
    asyncio.run(main())
