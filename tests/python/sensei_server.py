"""A `sensei serve` child process for the Python black-box tests.

The binary comes from $SENSEI_BIN (the debug build: target/debug/sensei). Each server runs
on 127.0.0.1 with a free port (`--bind 127.0.0.1:0`, the address read from its stdout),
over its own SQLite file, and is stopped by the test that started it.
"""

import http.client
import json
import os
import re
import subprocess
import threading
import time
import urllib.parse

PASSWORD = "sensei-demo"


def binary():
    path = os.environ.get("SENSEI_BIN", "")
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError("set SENSEI_BIN to the sensei binary (e.g. target/debug/sensei)")
    return path


def run_cli(args, timeout):
    """Runs `sensei ARGS` to completion; raises with its output when it fails."""
    done = subprocess.run(
        [binary()] + args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=timeout,
        env=dict(os.environ, RUST_LOG="warn"),
    )
    if done.returncode != 0:
        raise RuntimeError(
            "sensei %s failed (%d): %s %s"
            % (" ".join(args), done.returncode, done.stdout[-2000:], done.stderr[-2000:])
        )
    return done.stdout.decode("utf-8", "replace")


class Server:
    """One `sensei serve` process on a free loopback port."""

    def __init__(self, args, log_path):
        env = dict(os.environ)
        env.setdefault("RUST_LOG", "warn")
        env["SENSEI_COOKIE_KEY"] = os.urandom(64).hex()
        self._log = open(log_path, "wb")
        self.log_path = log_path
        self.proc = subprocess.Popen(
            [binary(), "serve", "--bind", "127.0.0.1:0"] + args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
        )
        self.pid = self.proc.pid
        self.addr = None
        found = threading.Event()

        def read_stdout():
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace")
                at = line.find("http://")
                if at >= 0 and self.addr is None:
                    hostport = line[at + len("http://"):].split("/", 1)[0].strip()
                    host, _, port = hostport.rpartition(":")
                    self.addr = (host.strip("[]"), int(port))
                    found.set()
            found.set()

        threading.Thread(target=read_stdout, daemon=True).start()
        if not found.wait(60) or self.addr is None:
            self.stop()
            raise RuntimeError("no listening address printed; log: %s" % self.tail())
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("/readyz never answered 200; log: %s" % self.tail())
            time.sleep(0.1)

    def tail(self, lines=20):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""

    def status_kib(self, key):
        """A /proc/<pid>/status figure in KiB (VmHWM: peak resident memory; VmRSS: now)."""
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        raise RuntimeError("no %s in /proc/%d/status" % (key, self.pid))

    def connection(self, timeout=60):
        return http.client.HTTPConnection(self.addr[0], self.addr[1], timeout=timeout)

    def request(self, method, path, headers=None, body=None, timeout=60):
        """One request on a fresh connection: (status, headers with lower-case names, body)."""
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return (
                response.status,
                {name.lower(): value for name, value in response.getheaders()},
                response.read(),
            )
        finally:
            conn.close()

    def sign_in(self, email):
        """Signs in through the API; returns the `Cookie` header value."""
        status, headers, body = self.request(
            "POST",
            "/api/v1/session",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"email": email, "password": PASSWORD}),
        )
        if status != 200:
            raise RuntimeError("sign-in of %s: %d %s" % (email, status, body[:300]))
        cookie = headers.get("set-cookie", "")
        return cookie.split(";", 1)[0]

    def api(self, method, path, cookie, payload=None):
        headers = {"Cookie": cookie, "X-Requested-With": "pytest"}
        body = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(payload)
        status, _, raw = self.request(method, "/api/v1" + path, headers=headers, body=body)
        return status, (json.loads(raw) if raw else None)

    def csrf_token(self, cookie):
        """The CSRF token of the sign-in behind `cookie`, from the dashboard's forms."""
        status, _, body = self.request("GET", "/admin", headers={"Cookie": cookie})
        if status != 200:
            raise RuntimeError("dashboard: %d" % status)
        found = re.search(rb'name="csrf_token" value="([^"]+)"', body)
        if not found:
            raise RuntimeError("no CSRF token on the dashboard")
        return found.group(1).decode()

    def post_form(self, path, cookie, fields):
        return self.request(
            "POST",
            path,
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
            body=urllib.parse.urlencode(fields),
        )

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.terminate()
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()
