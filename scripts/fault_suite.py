#!/usr/bin/env python3
"""Black-box fault suite of `sensei serve` (driven by scripts/fault-suite.sh).

Runs the real binary on loopback only, one server per scenario, each on a free port
(`--bind 127.0.0.1:0`, the address read from its stdout), and checks what clients see and what
the database holds afterwards:

  1. slow headers       1,000 connections that never finish their headers
  2. sign-in flood      64 concurrent wrong-password sign-ins, a signed-in dashboard beside them
  3. external lock      another process holds SQLite's write lock (BEGIN IMMEDIATE)
  4. deleted database   the SQLite file (and -wal, -shm) removed under the running server
  5. full disk          the database on a small tmpfs filled to ENOSPC (root only)
  6. kill -9            the server killed in the middle of a burst of bookings and completions

Python 3 standard library only. Every scenario prints its figures and PASS/FAIL (or SKIPPED);
the last line is `faults: N passed, N failed`; the exit status is 1 on any failure.

Environment:
  SENSEI_BIN    the binary (default target/debug/sensei)
  FAULT_STRICT  1: the SPEC's latency bars (healthz < 100 ms, dashboard p99 < 20 ms)
  FAULT_ONLY    comma-separated scenario numbers to run (default all)
  FAULT_WORK    a scratch directory (made and removed by fault-suite.sh); server pids are
                appended to FAULT_WORK/pids and tmpfs mounts to FAULT_WORK/mounts so that the
                shell wrapper can clean up even if this process is killed
"""

import atexit
import concurrent.futures
import contextlib
import datetime
import errno
import http.client
import json
import os
import queue
import resource
import selectors
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback

BIN = os.environ.get("SENSEI_BIN", "target/debug/sensei")
STRICT = os.environ.get("FAULT_STRICT") == "1"
ONLY = {s.strip() for s in os.environ.get("FAULT_ONLY", "").split(",") if s.strip()}
WORK = os.environ.get("FAULT_WORK") or tempfile.mkdtemp(prefix="sensei-faults.")
OWN_WORK = "FAULT_WORK" not in os.environ
PASSWORD = "sensei-demo"
INSTRUCTOR = "sensei@example.com"

SERVERS = []  # every Server started, stopped at exit
MOUNTS = []  # tmpfs mount points, unmounted at exit


def log(msg):
    print(msg, flush=True)


def ms(seconds):
    return "%.1f ms" % (seconds * 1000.0)


def pct(values, p):
    """The p-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, int(round(p / 100.0 * len(ordered) + 0.4999)))
    return ordered[min(rank, len(ordered)) - 1]


# ---------------------------------------------------------------------------------------------
# The server


class Server:
    """One `sensei` process on a free loopback port."""

    def __init__(self, name, args, env=None):
        self.name = name
        self.log_path = os.path.join(WORK, "%s.log" % name)
        self.stdout_lines = []
        full_env = dict(os.environ)
        full_env.setdefault("RUST_LOG", "warn")
        full_env["SENSEI_COOKIE_KEY"] = os.urandom(64).hex()
        full_env.update(env or {})
        self._err = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--bind", "127.0.0.1:0"] + args,
            stdout=subprocess.PIPE,
            stderr=self._err,
            stdin=subprocess.DEVNULL,
            env=full_env,
        )
        SERVERS.append(self)
        with open(os.path.join(WORK, "pids"), "a") as f:
            f.write("%d\n" % self.proc.pid)
        self.pid = self.proc.pid
        self.addr = None
        found = threading.Event()

        def read_stdout():
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace")
                self.stdout_lines.append(line)
                at = line.find("http://")
                if at >= 0 and self.addr is None:
                    hostport = line[at + len("http://"):].split("/", 1)[0]
                    host, _, port = hostport.rpartition(":")
                    self.addr = (host.strip("[]"), int(port))
                    found.set()
            found.set()

        threading.Thread(target=read_stdout, daemon=True).start()
        if not found.wait(60) or self.addr is None:
            self.stop()
            raise RuntimeError("%s: no listening address printed; log: %s" % (name, self.tail()))
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _, _ = request(self, "GET", "/readyz", timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("%s: /readyz never answered 200; log: %s" % (name, self.tail()))
            time.sleep(0.1)

    def tail(self, n=15):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""

    def vm(self, key):
        """VmHWM / VmRSS in KiB from /proc."""
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def kill9(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.terminate()
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            except OSError:
                pass
        self._err.close()


def cleanup(hard=False):
    for server in SERVERS:
        try:
            if hard:
                server.kill9()
            server.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
    for mount in MOUNTS:
        subprocess.call(["umount", mount], stderr=subprocess.DEVNULL)
    if OWN_WORK:
        subprocess.call(["rm", "-rf", WORK])


atexit.register(cleanup)


def on_signal(signum, _frame):
    # Stop at once: worker threads may be blocked in requests with long timeouts.
    log("\nfault-suite: interrupted (signal %d), killing servers" % signum)
    cleanup(hard=True)
    os._exit(128 + signum)


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)


# ---------------------------------------------------------------------------------------------
# HTTP


def request(server, method, path, headers=None, body=None, timeout=10, source=None, conn=None):
    """(status, headers dict lower-cased, body bytes, seconds). A fresh connection unless one
    is given (keep-alive); OSError on a connection failure."""
    hdrs = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(
            server.addr[0], server.addr[1], timeout=timeout,
            source_address=(source, 0) if source else None)
    started = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        elapsed = time.monotonic() - started
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, elapsed
    except (http.client.HTTPException, OSError) as e:
        conn.close()
        raise OSError("%s %s: %r" % (method, path, e)) from e
    finally:
        if own:
            conn.close()


def sign_in(server, email, password=PASSWORD, source=None):
    """Signs in through the API and returns the Cookie header value."""
    status, headers, data, _ = request(
        server, "POST", "/api/v1/session", body={"email": email, "password": password},
        source=source, timeout=30)
    if status != 200:
        raise RuntimeError("sign-in of %s answered %d: %s" % (email, status, data[:200]))
    cookie = headers.get("set-cookie", "").split(";", 1)[0]
    if not cookie.startswith("sensei_session="):
        raise RuntimeError("sign-in of %s set no session cookie" % email)
    return cookie


def book(server, cookie=None, submission=None, headers=None, timeout=30):
    hdrs = {"X-Requested-With": "x"}
    if cookie:
        hdrs["Cookie"] = cookie
    hdrs.update(headers or {})
    return request(server, "POST", "/api/v1/submissions/%d/scheduled-sessions" % submission,
                   headers=hdrs, timeout=timeout)


def complete(server, session_id, cookie=None, headers=None, notes="x", timeout=30):
    hdrs = {}
    if cookie:
        hdrs["Cookie"] = cookie
    hdrs.update(headers or {})
    return request(server, "POST", "/api/v1/scheduled-sessions/%d/completion" % session_id,
                   headers=hdrs, body={"notes": notes}, timeout=timeout)


def body_json(data):
    try:
        return json.loads(data)
    except ValueError:
        return None


def submission_of(db, email):
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)) as conn:
        row = conn.execute(
            "SELECT s.id FROM submissions s JOIN users u ON u.id = s.user_id "
            "WHERE u.email = ? ORDER BY s.id LIMIT 1", (email,)).fetchone()
    if row is None:
        raise RuntimeError("no submission for %s" % email)
    return row[0]


def parse_time(text):
    text = str(text).replace("T", " ")
    for suffix in ("+00:00", "Z"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise ValueError("unparsable time %r" % text)


def demo(name, env=None, extra=None, db=None):
    db = db or os.path.join(WORK, "%s.sqlite3" % name)
    server = Server(name, ["--demo", "--database-url", "sqlite://" + db] + (extra or []), env)
    return server, db


# ---------------------------------------------------------------------------------------------
# Scenarios. Each returns (passed: bool, failures: [str]) after printing its figures, or
# raises Skip.


class Skip(Exception):
    pass


def check(failures, ok, text):
    if not ok:
        failures.append(text)


def s1_slow_headers():
    header_timeout = 2
    slack = 3
    server, _ = demo("s1", extra=["--header-timeout-secs", str(header_timeout)])
    failures = []
    samples = []
    stop_sampling = threading.Event()

    def sampler():
        while not stop_sampling.is_set():
            try:
                status, _, _, took = request(server, "GET", "/healthz", timeout=10)
                samples.append((took, status))
            except OSError:
                samples.append((10.0, 0))
            time.sleep(0.05)

    kinds = ("partial request line", "partial headers", "trickling headers", "nothing sent")
    partial = {
        0: b"GET /healthz HT",
        1: b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a",
        2: b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a",
        3: b"",
    }
    count = 1000
    socks = []  # [sock, kind, opened_at, closed_at]
    sel = selectors.DefaultSelector()
    state = {"remaining": 0, "got_response": 0}

    def closed(entry):
        entry[3] = time.monotonic()
        sel.unregister(entry[0])
        state["remaining"] -= 1

    def poll(timeout):
        for key, _ in sel.select(timeout=timeout):
            entry = key.data
            if entry[3] is not None:
                continue
            try:
                data = entry[0].recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                state["got_response"] += 1
            else:
                closed(entry)

    next_trickle = [time.monotonic() + 0.5]

    def trickle():
        """One more header byte every 0.5 s on the trickling connections."""
        now = time.monotonic()
        if now < next_trickle[0]:
            return
        next_trickle[0] = now + 0.5
        for entry in socks:
            if entry[1] == 2 and entry[3] is None:
                try:
                    entry[0].send(b"a")
                except BlockingIOError:
                    pass
                except OSError:
                    closed(entry)

    sampling = threading.Thread(target=sampler, daemon=True)
    sampling.start()
    opened_at = time.monotonic()
    connect_errors = 0
    for i in range(count):
        kind = i % 4
        try:
            s = socket.create_connection(server.addr, timeout=5)
            t = time.monotonic()
            if partial[kind]:
                s.sendall(partial[kind])
            s.setblocking(False)
            entry = [s, kind, t, None]
            socks.append(entry)
            sel.register(s, selectors.EVENT_READ, entry)
            state["remaining"] += 1
        except OSError:
            connect_errors += 1
        if i % 20 == 19:
            poll(0)  # notice closes while still opening, so close times are not inflated
            trickle()
    opening_s = time.monotonic() - opened_at
    open_during_samples = len(socks)

    last_open = max(e[2] for e in socks) if socks else time.monotonic()
    deadline = last_open + header_timeout + slack
    while state["remaining"] and time.monotonic() < deadline:
        trickle()
        poll(0.05)
    got_response = state["got_response"]
    stop_sampling.set()
    sampling.join()
    sel.close()
    closed = [e for e in socks if e[3] is not None]
    by_kind = {k: (sum(1 for e in socks if e[1] == k and e[3] is not None),
                   sum(1 for e in socks if e[1] == k)) for k in range(4)}
    close_times = [e[3] - e[2] for e in closed]
    for entry in socks:
        entry[0].close()
    lat = [t for t, _ in samples]
    bad = [st for _, st in samples if st != 200]
    limit = 0.1 if STRICT else 1.0
    log("  connections opened: %d in %.2f s (connect errors %d); header timeout %d s"
        % (len(socks), opening_s, connect_errors, header_timeout))
    log("  /healthz while they were open: %d samples, median %s, max %s, non-200: %d"
        % (len(lat), ms(statistics.median(lat)), ms(max(lat)), len(bad)))
    log("  closed by the server within %d s: %d of %d (%s)"
        % (header_timeout + slack, len(closed), len(socks),
           ", ".join("%s %d/%d" % (kinds[k], c, n) for k, (c, n) in by_kind.items())))
    if close_times:
        log("  time to close: min %.2f s, median %.2f s, max %.2f s; %d got bytes back (e.g. 408)"
            % (min(close_times), statistics.median(close_times), max(close_times),
               got_response))
    check(failures, connect_errors == 0, "%d connections could not be opened" % connect_errors)
    check(failures, max(lat) < limit, "/healthz max %s >= %s" % (ms(max(lat)), ms(limit)))
    check(failures, not bad, "/healthz answered non-200 %d times" % len(bad))
    check(failures, len(closed) == open_during_samples,
          "%d slow connections still open after %d s"
          % (open_during_samples - len(closed), header_timeout + slack))
    server.stop()
    return failures


def s2_sign_in_flood():
    server, _ = demo("s2")
    failures = []
    instructor = sign_in(server, INSTRUCTOR)
    for _ in range(5):
        request(server, "GET", "/admin", headers={"Cookie": instructor})
    hwm_before = (server.vm("VmHWM") or 0) / 1024.0
    flood_secs = 4.0
    threads = 64
    stop = threading.Event()
    lock = threading.Lock()
    statuses = {}
    missing_retry_after = [0]
    errors = [0]
    emails = [INSTRUCTOR, INSTRUCTOR, "alice@example.com", "bob@example.com",
              "carol@example.com", None]

    def flooder(i):
        source = "127.0.0.%d" % (10 + i)  # one client address per thread (all loopback)
        conn = None
        n = 0
        while not stop.is_set():
            email = emails[n % len(emails)] or "nobody%d@example.com" % i
            n += 1
            if conn is None:
                conn = http.client.HTTPConnection(server.addr[0], server.addr[1], timeout=30,
                                                  source_address=(source, 0))
            try:
                status, headers, _, _ = request(
                    server, "POST", "/api/v1/session", conn=conn,
                    body={"email": email, "password": "wrong"})
            except OSError:
                with lock:
                    errors[0] += 1
                conn = None
                continue
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 429 and "retry-after" not in headers:
                    missing_retry_after[0] += 1
        if conn is not None:
            conn.close()

    admin_lat = []
    admin_bad = []

    def dashboard():
        conn = http.client.HTTPConnection(server.addr[0], server.addr[1], timeout=30)
        while not stop.is_set():
            try:
                status, _, _, took = request(server, "GET", "/admin", conn=conn,
                                             headers={"Cookie": instructor})
            except OSError:
                admin_bad.append(0)
                conn = http.client.HTTPConnection(server.addr[0], server.addr[1], timeout=30)
                continue
            admin_lat.append(took)
            if status != 200:
                admin_bad.append(status)
            time.sleep(0.01)
        conn.close()

    rss_peak = [0]

    def rss_watch():
        while not stop.is_set():
            rss_peak[0] = max(rss_peak[0], server.vm("VmRSS") or 0)
            time.sleep(0.05)

    workers = [threading.Thread(target=flooder, args=(i,), daemon=True) for i in range(threads)]
    workers += [threading.Thread(target=dashboard, daemon=True),
                threading.Thread(target=rss_watch, daemon=True)]
    started = time.monotonic()
    for w in workers:
        w.start()
    time.sleep(flood_secs)
    stop.set()
    for w in workers:
        w.join(60)
    took = time.monotonic() - started
    hwm = (server.vm("VmHWM") or 0) / 1024.0
    total = sum(statuses.values())
    limit = 0.020 if STRICT else 0.5
    log("  %d threads (one client address each) for %.1f s: %d answered (%.0f/s), statuses %s, "
        "connection errors %d" % (threads, took, total, total / took,
                                  dict(sorted(statuses.items())), errors[0]))
    log("  429 without Retry-After: %d; server peak RSS (VmHWM) %.1f MiB (%.1f MiB before the "
        "flood; VmRSS sampled max %.1f MiB, at the end %.1f MiB)"
        % (missing_retry_after[0], hwm, hwm_before, rss_peak[0] / 1024.0,
           (server.vm("VmRSS") or 0) / 1024.0))
    if admin_lat:
        log("  signed-in /admin during the flood: %d requests, p50 %s, p99 %s, max %s, non-200 %d"
            % (len(admin_lat), ms(pct(admin_lat, 50)), ms(pct(admin_lat, 99)),
               ms(max(admin_lat)), len(admin_bad)))
    check(failures, hwm < 128, "peak RSS %.1f MiB >= 128 MiB" % hwm)
    check(failures, statuses.get(429, 0) > 0, "no 429 during the flood")
    check(failures, missing_retry_after[0] == 0,
          "%d 429 answers without Retry-After" % missing_retry_after[0])
    check(failures, not any(s >= 500 for s in statuses), "5xx answers during the flood")
    check(failures, bool(admin_lat) and pct(admin_lat, 99) < limit,
          "/admin p99 %s >= %s" % (ms(pct(admin_lat, 99)) if admin_lat else "n/a", ms(limit)))
    check(failures, not admin_bad, "/admin answered non-200 %d times" % len(admin_bad))
    server.stop()
    return failures


def s3_external_lock():
    timeout_ms = 1000
    server, db = demo("s3", env={"SENSEI_DB_TIMEOUT_MS": str(timeout_ms)})
    failures = []
    instructor = sign_in(server, INSTRUCTOR)
    students = [(sign_in(server, e), submission_of(db, e))
                for e in ("alice@example.com", "bob@example.com")]
    count_sql = "SELECT COUNT(*) FROM scheduled_sessions"
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % db, uri=True)) as ro:
        before = ro.execute(count_sql).fetchone()[0]

    holder = sqlite3.connect(db, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")
    log("  an external sqlite3 connection holds the write lock (BEGIN IMMEDIATE)")
    stop = threading.Event()
    reads = []  # (what, status, seconds)

    def reader():
        while not stop.is_set():
            for what, path, hdrs in (("readyz", "/readyz", {}),
                                     ("GET /api/v1/session", "/api/v1/session",
                                      {"Cookie": instructor}),
                                     ("GET /admin", "/admin", {"Cookie": instructor})):
                try:
                    status, _, _, took = request(server, "GET", path, headers=hdrs, timeout=30)
                except OSError:
                    status, took = 0, 30.0
                reads.append((what, status, took))
            time.sleep(0.05)

    read_thread = threading.Thread(target=reader, daemon=True)
    read_thread.start()
    n = 20

    give_up = 8 * timeout_ms / 1000.0  # the client stops waiting (status 0) after this

    def one(i):
        cookie, submission = students[i % 2]
        started = time.monotonic()
        try:
            status, _, _, took = book(server, cookie, submission, timeout=give_up)
        except OSError:
            status, took = 0, time.monotonic() - started
        return status, took

    try:
        with concurrent.futures.ThreadPoolExecutor(n) as pool:
            results = list(pool.map(one, range(n)))
        time.sleep(0.3)
    finally:
        stop.set()
        read_thread.join(60)
        holder.execute("ROLLBACK")
        holder.close()
    lat = [t for _, t in results]
    codes = {}
    for s, _ in results:
        codes[s] = codes.get(s, 0) + 1
    log("  %d concurrent bookings under the lock: statuses %s (0 = no answer within %.0f s), "
        "latency median %s, max %s (bar: 503 within 2 x %d ms)"
        % (n, codes, give_up, ms(statistics.median(lat)), ms(max(lat)), timeout_ms))
    for what in ("readyz", "GET /api/v1/session", "GET /admin"):
        mine = [(s, t) for w, s, t in reads if w == what]
        if mine:
            log("  %s meanwhile: %d requests, statuses %s, max %s"
                % (what, len(mine), sorted({s for s, _ in mine}), ms(max(t for _, t in mine))))
            check(failures, all(s == 200 for s, _ in mine),
                  "%s answered %s under the lock" % (what, sorted({s for s, _ in mine})))
            check(failures, max(t for _, t in mine) <= timeout_ms / 1000.0,
                  "%s took %s (> %d ms) under the lock" % (what, ms(max(t for _, t in mine)),
                                                           timeout_ms))
    check(failures, all(s == 503 for s, _ in results),
          "bookings under the lock answered %s, not only 503" % codes)
    check(failures, max(lat) <= 2 * timeout_ms / 1000.0,
          "slowest booking under the lock took %s (> 2 x %d ms)" % (ms(max(lat)), timeout_ms))

    time.sleep(1.0)
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % db, uri=True)) as ro:
        during = ro.execute(count_sql).fetchone()[0]
    status, _, data, took = book(server, students[0][0], students[0][1])
    outcome = (body_json(data) or {}).get("outcome")
    log("  after releasing the lock: the next booking answered %d (%s) in %s; rows written "
        "(after the release) by bookings that had answered 503 or nothing: %d"
        % (status, outcome, ms(took), during - before))
    check(failures, status in (200, 201), "booking after the lock answered %d" % status)
    if any(s in (200, 201) for s, _ in results):
        check(failures, during - before >= 1, "a booking confirmed under the lock is not saved")
    server.stop()
    return failures


def s4_deleted_database():
    server, db = demo("s4")
    failures = []
    cookie = sign_in(server, "bob@example.com")
    submission = submission_of(db, "bob@example.com")
    status, _, _, _ = request(server, "GET", "/readyz")
    check(failures, status == 200, "/readyz answered %d before the delete" % status)
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(db + suffix)
        except FileNotFoundError:
            pass
    log("  deleted %s (and -wal, -shm) under the running server" % os.path.basename(db))
    status, _, _, took = request(server, "GET", "/readyz")
    later = [request(server, "GET", "/readyz")[0] for _ in range(3)]
    log("  first /readyz after the delete: %d in %s (then %s)" % (status, ms(took), later))
    check(failures, status == 503, "first /readyz after the delete answered %d, not 503" % status)
    b_status, _, data, took = book(server, cookie, submission)
    outcome = (body_json(data) or {}).get("outcome") or (body_json(data) or {}).get("code")
    log("  a booking after the delete: %d (%s) in %s" % (b_status, outcome, ms(took)))
    check(failures, not 200 <= b_status < 300,
          "a booking was confirmed (%d %s) into a deleted database" % (b_status, outcome))
    check(failures, os.path.exists(db) is False or b_status >= 300,
          "the server re-created the file and confirmed the booking there")
    health, _, _, _ = request(server, "GET", "/healthz")
    check(failures, health == 200, "/healthz answered %d" % health)
    server.stop()
    return failures


def s5_full_disk():
    if os.geteuid() != 0:
        raise Skip("not root: cannot mount a tmpfs")
    mnt = os.path.join(WORK, "tmpfs")
    os.mkdir(mnt)
    if subprocess.call(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt],
                       stderr=subprocess.DEVNULL) != 0:
        raise Skip("mount -t tmpfs failed (no privilege in this container?)")
    MOUNTS.append(mnt)
    with open(os.path.join(WORK, "mounts"), "a") as f:
        f.write(mnt + "\n")
    failures = []
    db = os.path.join(mnt, "full.sqlite3")
    server, _ = demo("s5", db=db)
    instructor = sign_in(server, INSTRUCTOR)
    alice = sign_in(server, "alice@example.com")
    bob = sign_in(server, "bob@example.com")
    alice_sub, bob_sub = submission_of(db, "alice@example.com"), submission_of(db, "bob@example.com")
    status, _, data, _ = book(server, alice, alice_sub)
    if status != 201:
        raise RuntimeError("preparing a pending session: booking answered %d" % status)
    pending = body_json(data)["session"]["id"]
    # An empty WAL, so that the next write has to grow a file (otherwise SQLite may reuse the
    # space of the checkpointed WAL and never see the full disk).
    with contextlib.closing(sqlite3.connect(db, timeout=10)) as conn:
        ckpt = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    filler = os.path.join(mnt, "filler")
    filled = 0
    with open(filler, "wb", buffering=0) as f:
        for chunk in (1 << 20, 4096, 512):
            block = b"\0" * chunk
            while True:
                try:
                    f.write(block)
                    filled += chunk
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    st = os.statvfs(mnt)
    log("  tmpfs 16 MiB; WAL truncated (checkpoint %s); filler %.1f MiB; free now %d bytes"
        % (list(ckpt), filled / 1048576.0, st.f_bavail * st.f_frsize))

    def attempts():
        out = {}
        out["booking (bob)"] = book(server, bob, bob_sub)
        out["completion"] = complete(server, pending, cookie=instructor)
        try:
            out["sign-in (carol)"] = request(
                server, "POST", "/api/v1/session",
                body={"email": "carol@example.com", "password": PASSWORD}, timeout=30)
        except OSError as e:
            out["sign-in (carol)"] = (0, {}, str(e).encode(), 0.0)
        return out

    full = attempts()
    ready_full = request(server, "GET", "/readyz")[0]
    for what, (status, _, data, took) in full.items():
        j = body_json(data) or {}
        log("  disk full: %-16s -> %d %s in %s" % (what, status, j.get("code") or j.get("outcome")
                                                    or j.get("status") or "", ms(took)))
        check(failures, not 200 <= status < 300, "%s answered %d with the disk full" % (what, status))
    log("  disk full: /readyz -> %d" % ready_full)

    # Nothing answered as a success may be missing.
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)) as ro:
        status, _, data, _ = full["booking (bob)"]
        if 200 <= status < 300:
            sid = body_json(data)["session"]["id"]
            check(failures, ro.execute("SELECT 1 FROM scheduled_sessions WHERE id = ?",
                                       (sid,)).fetchone() is not None,
                  "booking %d confirmed with the disk full is missing" % sid)
        status = full["completion"][0]
        done = ro.execute("SELECT session_completed_at FROM scheduled_sessions WHERE id = ?",
                          (pending,)).fetchone()
        if 200 <= status < 300:
            check(failures, done is not None and done[0] is not None,
                  "completion confirmed with the disk full is not saved")
        if 200 <= full["sign-in (carol)"][0] < 300:
            n = ro.execute("SELECT COUNT(*) FROM auth_sessions a JOIN users u ON u.id = a.user_id "
                           "WHERE u.email = 'carol@example.com'").fetchone()[0]
            check(failures, n > 0, "sign-in confirmed with the disk full has no session row")
        log("  database after the full-disk writes (read-only): pending session %d completed_at %s"
            % (pending, done[0] if done else "no row"))

    os.remove(filler)
    log("  filler deleted; the same writes again, same server process (pid %d)" % server.pid)
    again = attempts()
    for what, (status, _, data, took) in again.items():
        j = body_json(data) or {}
        log("  space again: %-16s -> %d %s in %s" % (what, status, j.get("code") or
                                                     j.get("outcome") or j.get("status") or "",
                                                     ms(took)))
    check(failures, again["booking (bob)"][0] in (200, 201),
          "booking after freeing space answered %d" % again["booking (bob)"][0])
    c = again["completion"][0]
    check(failures, c == 200 or (c == 409 and 200 <= full["completion"][0] < 300),
          "completion after freeing space answered %d" % c)
    check(failures, again["sign-in (carol)"][0] == 200,
          "sign-in after freeing space answered %d" % again["sign-in (carol)"][0])
    check(failures, server.proc.poll() is None, "the server exited")
    server.stop()
    if subprocess.call(["umount", mnt]) == 0:
        MOUNTS.remove(mnt)
    return failures


ELIGIBLE_PAIRS = """
SELECT u.email, b.id FROM submissions b JOIN users u ON u.id = b.user_id
WHERE u.email LIKE '%@bench.example' AND (
  (SELECT r.verdict FROM reviews r WHERE r.submission_id = b.id
   ORDER BY r.created_at DESC, r.id DESC LIMIT 1) = 'needs_work'
  OR (SELECT COUNT(*) FROM goals g WHERE g.challenge_id = b.challenge_id) =
     (SELECT COUNT(*) FROM goal_progress p JOIN goals g ON g.id = p.goal_id
      WHERE p.user_id = b.user_id AND g.challenge_id = b.challenge_id
        AND p.status IN ('engaged', 'passed')))
ORDER BY b.id"""


def close_pairs(conn):
    """(user_id, submission_id) pairs with two sessions less than one hour apart."""
    last = {}
    found = set()
    for uid, sub, at in conn.execute(
            "SELECT user_id, submission_id, scheduled_at FROM scheduled_sessions "
            "ORDER BY user_id, submission_id, scheduled_at"):
        t = parse_time(at)
        key = (uid, sub)
        if key in last and (t - last[key]).total_seconds() < 3600:
            found.add(key)
        last[key] = t
    return found


def s6_kill_during_burst():
    failures = []
    db = os.path.join(WORK, "s6.sqlite3")
    url = "sqlite://" + db
    started = time.monotonic()
    subprocess.run([BIN, "migrate", "--database-url", url], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([BIN, "generate", "--database-url", url, "--sessions", "2000",
                    "--students", "400", "--quiet"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    gen_s = time.monotonic() - started
    with contextlib.closing(sqlite3.connect(db)) as conn:
        pairs = conn.execute(ELIGIBLE_PAIRS).fetchall()
        pending = [r[0] for r in conn.execute(
            "SELECT id FROM scheduled_sessions WHERE session_completed_at IS NULL "
            "ORDER BY id LIMIT 1000")]
        close_before = close_pairs(conn)
        has_instructor = conn.execute("SELECT role FROM users WHERE email = ?",
                                      (INSTRUCTOR,)).fetchone()
    if not has_instructor or has_instructor[0] != "instructor":
        raise RuntimeError("generate made no instructor %s" % INSTRUCTOR)
    header = "X-Bench-Email"
    server = Server("s6", ["--database-url", url],
                    env={"SENSEI_TRUSTED_HEADER": header,
                         "SENSEI_TRUSTED_PROXIES": "127.0.0.1,::1"})
    # The work, interleaved so that writes of every kind are still in flight at the kill:
    # distinct pairs (each once), completions (every pending session, one in four a second
    # time a little later), and a few hot pairs again and again (duplicates).
    hot = pairs[:4]
    distinct = pairs[4:]
    completions = []
    for k, sid in enumerate(pending):
        completions.append(sid)
        if k % 4 == 3:
            completions.append(pending[k - 3])
    work = queue.Queue()
    di, ci = 0, 0
    for i in range(8000):
        r = i % 8
        if r == 0 and di < len(distinct):
            work.put(("book", distinct[di]))
            di += 1
        elif r in (1, 2) and ci < len(completions):
            work.put(("complete", completions[ci]))
            ci += 1
        else:
            work.put(("book", hot[i % len(hot)]))
    answered = []  # (kind, key, status, json)
    unanswered = [0]
    lock = threading.Lock()
    killed = threading.Event()

    def worker():
        conn = None
        while True:
            try:
                kind, key = work.get_nowait()
            except queue.Empty:
                return
            if conn is None:
                conn = http.client.HTTPConnection(server.addr[0], server.addr[1], timeout=20)
            try:
                if kind == "book":
                    status, _, data, _ = book(server, None, key[1], headers={header: key[0]})
                else:
                    status, _, data, _ = complete(server, key, headers={header: INSTRUCTOR},
                                                  notes="burst %d" % key)
            except OSError:
                with lock:
                    unanswered[0] += 1
                conn = None
                if killed.is_set():
                    return
                continue
            with lock:
                answered.append((kind, key, status, body_json(data)))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(16)]
    burst_start = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(1.0)
    with lock:
        before_kill = len(answered)
    left = work.qsize()
    killed.set()
    server.kill9()
    kill_at = time.monotonic() - burst_start
    for t in threads:
        t.join(30)
    log("  generate (migrate + 2000 sessions, 400 students) %.1f s; %d eligible pairs, "
        "%d pending sessions used" % (gen_s, len(pairs), len(pending)))
    codes = {}
    for kind, _, status, _ in answered:
        codes.setdefault(kind, {}).setdefault(status, 0)
        codes[kind][status] += 1
    log("  burst of 16 clients, kill -9 at %.2f s (%d requests not yet sent): %d answered (%d "
        "before the kill), %d cut off; %s"
        % (kill_at, left, len(answered), before_kill, unanswered[0], codes))

    with contextlib.closing(sqlite3.connect(db)) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        missing_book, missing_done = [], []
        for kind, key, status, j in answered:
            if kind == "book" and status in (200, 201):
                s = (j or {}).get("session") or {}
                row = conn.execute("SELECT user_id, submission_id FROM scheduled_sessions "
                                   "WHERE id = ?", (s.get("id"),)).fetchone()
                if row is None or row[1] != key[1] or row[0] != s.get("user_id"):
                    missing_book.append(s.get("id"))
            elif kind == "complete" and status == 200:
                row = conn.execute("SELECT session_completed_at FROM scheduled_sessions "
                                   "WHERE id = ?", (key,)).fetchone()
                if row is None or row[0] is None:
                    missing_done.append(key)
        close_after = close_pairs(conn)
        counts = conn.execute("SELECT SUM(pending_count), SUM(completed_count) FROM "
                              "scheduled_session_counts").fetchone()
        actual = conn.execute(
            "SELECT SUM(session_completed_at IS NULL), SUM(session_completed_at IS NOT NULL) "
            "FROM scheduled_sessions").fetchone()
    new_close = close_after - close_before
    confirmed_b = sum(1 for k, _, s, _ in answered if k == "book" and s in (200, 201))
    confirmed_c = sum(1 for k, _, s, _ in answered if k == "complete" and s == 200)
    log("  after the kill: integrity_check %s; confirmed bookings %d (missing %d), confirmed "
        "completions %d (not completed %d); pairs booked twice within an hour: %d new; "
        "counter row %s vs counted %s"
        % ([r[0] for r in integrity][:3], confirmed_b, len(missing_book), confirmed_c,
           len(missing_done), len(new_close), tuple(counts), tuple(actual)))
    check(failures, integrity == [("ok",)], "integrity_check: %s" % integrity[:3])
    check(failures, not missing_book, "confirmed bookings missing: %s" % missing_book[:10])
    check(failures, not missing_done, "confirmed completions not saved: %s" % missing_done[:10])
    check(failures, not new_close, "pairs with two sessions < 1 h apart: %s" % sorted(new_close)[:10])
    check(failures, tuple(counts) == tuple(actual), "counter row %s != counted %s"
          % (tuple(counts), tuple(actual)))
    check(failures, not any(s >= 500 and s != 503 for _, _, s, _ in answered),
          "5xx other than 503 during the burst")
    check(failures, confirmed_b > 0 and confirmed_c > 0, "the burst confirmed no booking or "
          "no completion before the kill: nothing was tested")
    return failures


SCENARIOS = [
    ("1", "slow headers", s1_slow_headers),
    ("2", "sign-in flood", s2_sign_in_flood),
    ("3", "external write lock", s3_external_lock),
    ("4", "deleted database file", s4_deleted_database),
    ("5", "full disk", s5_full_disk),
    ("6", "kill -9 during a burst", s6_kill_during_burst),
]


def main():
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        log("fault-suite: no executable at %s (set SENSEI_BIN)" % BIN)
        log("faults: 0 passed, 1 failed")
        return 1
    log("fault suite: %s%s; %d cores" % (BIN, " (FAULT_STRICT=1)" if STRICT else "",
                                          os.cpu_count() or 0))
    # 1,000 client sockets in scenario 1: raise this process's open-file limit if it is low.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 4096:
        want = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    passed = failed = 0
    suite_start = time.monotonic()
    for number, name, fn in SCENARIOS:
        if ONLY and number not in ONLY:
            continue
        log("\n[%s] %s" % (number, name))
        started = time.monotonic()
        try:
            failures = fn()
        except Skip as e:
            log("[%s] SKIPPED: %s -- %s (counted neither passed nor failed)" % (number, name, e))
            continue
        except Exception as e:  # noqa: BLE001 - a crashed scenario is a failed one
            traceback.print_exc(file=sys.stdout)
            failures = ["crashed: %r" % e]
        finally:
            for server in list(SERVERS):
                server.stop()
        took = time.monotonic() - started
        if failures:
            failed += 1
            log("[%s] FAIL: %s (%.1f s)" % (number, name, took))
            for f in failures:
                log("      - %s" % f)
        else:
            passed += 1
            log("[%s] PASS: %s (%.1f s)" % (number, name, took))
    log("\ntotal %.1f s" % (time.monotonic() - suite_start))
    log("faults: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
