"""Test support: the real bgfetch daemon and a real local HTTP file server.

Every test class starts its own daemon (``bin/bgfetch serve --headless`` on
a temporary data dir; env BGFETCH_BIN picks another binary, and a missing
binary is built with ``go build``) and its own file server serving bytes
from memory.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(CLIENT_DIR))
sys.path.insert(0, os.path.join(CLIENT_DIR, "src"))

import bgfetch  # noqa: E402  (from src/, not an installed copy)

_build_lock = threading.Lock()


def daemon_binary() -> str:
    """$BGFETCH_BIN, else bin/bgfetch at the repo root, built when missing."""
    path = os.environ.get("BGFETCH_BIN") or os.path.join(REPO, "bin", "bgfetch")
    with _build_lock:
        if not os.path.exists(path):
            env = dict(os.environ, CGO_ENABLED="1", PATH="/usr/local/go/bin:" + os.environ.get("PATH", ""))
            print(f"building {path} (a cold cgo build takes minutes)", file=sys.stderr)
            subprocess.run(["go", "build", "-tags", "no_emoji", "-o", path, "."], cwd=REPO, env=env, check=True)
    return path


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.02, what: str = "condition", detail=None):
    """Poll predicate until it returns something truthy; that value. On a
    timeout, detail() (if given) is added to the message."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f": {detail()}" if detail else ""
            raise AssertionError(f"timed out after {timeout} s waiting for {what}{extra}")
        time.sleep(interval)


class Daemon:
    """One bgfetch daemon process on a data dir."""

    def __init__(self, data_dir: str, listen: str | None = None, args: tuple = ()):
        self.data_dir, self.listen, self.args = data_dir, listen, tuple(args)
        self.proc: subprocess.Popen | None = None
        self.log_path = os.path.join(data_dir, "daemon.log")

    @property
    def endpoint_path(self) -> str:
        return os.path.join(self.data_dir, "endpoint")

    def start(self) -> "Daemon":
        # After a SIGKILL the old endpoint file is still there; the new
        # daemon's own file is the readiness signal.
        if os.path.exists(self.endpoint_path):
            os.remove(self.endpoint_path)
        cmd = [daemon_binary(), "serve", "--headless", "--data-dir", self.data_dir, *self.args]
        if self.listen:
            cmd += ["--listen", self.listen]
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 30
        while not os.path.exists(self.endpoint_path):
            if self.proc.poll() is not None:
                raise RuntimeError(f"bgfetch exited with {self.proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"bgfetch did not write its endpoint in 30 s:\n{self.log()}")
            time.sleep(0.01)
        return self

    def endpoint(self) -> str:
        with open(self.endpoint_path) as f:
            return f.read().strip()

    def log(self) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, the endpoint file stays behind."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def content(name: str, size: int) -> bytes:
    """size deterministic, name-specific, incompressible-looking bytes."""
    out = bytearray()
    block = hashlib.sha256(name.encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


class FileServer:
    """A real HTTP server on 127.0.0.1 (http.server in a thread).

    GET/HEAD /bytes/NAME?size=N   content(NAME, N), with a strong ETag,
                                  Range and If-Range
    GET /gate/NAME?size=N         the same, but stops halfway until
                                  open_gate(NAME) (a range starting at or
                                  after the middle is not held)
    GET /status/CODE              that status with a small body
    POST|PUT /echo/NAME[?hold=1]  answers the request body back (with hold,
                                  only once open_gate(NAME))
    Every request is logged in ``requests`` as (method, path, headers, body).
    """

    def __init__(self):
        self.requests: list[tuple[str, str, dict, bytes]] = []
        self._gates: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                server._serve(self, head=True)

            def do_GET(self):
                server._serve(self, head=False)

            def do_POST(self):
                server._serve(self, head=False)

            do_PUT = do_POST

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that went away
                    super().handle_error(request, client_address)

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def gate(self, name: str) -> threading.Event:
        with self._lock:
            return self._gates.setdefault(name, threading.Event())

    def open_gate(self, name: str) -> None:
        self.gate(name).set()

    def hits(self, path_prefix: str) -> list[tuple[str, str, dict, bytes]]:
        with self._lock:
            return [r for r in self.requests if r[1].startswith(path_prefix)]

    def close(self) -> None:
        with self._lock:
            gates = list(self._gates.values())
        for g in gates:
            g.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _serve(self, h: http.server.BaseHTTPRequestHandler, head: bool) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        with self._lock:
            self.requests.append((h.command, h.path, dict(h.headers.items()), body))
        path, _, query = h.path.partition("?")
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        parts = path.strip("/").split("/")
        try:
            if parts[0] == "echo" and h.command in ("POST", "PUT"):
                if params.get("hold"):
                    self.gate(parts[1]).wait(60)
                return self._send(h, 200, body, {"Content-Type": "application/octet-stream"}, head)
            if parts[0] == "status":
                code = int(parts[1])
                return self._send(h, code, f"status {code}\n".encode(), {"Content-Type": "text/plain"}, head)
            if parts[0] in ("bytes", "gate") and len(parts) == 2 and h.command in ("GET", "HEAD"):
                return self._send_file(h, parts[0], parts[1], int(params.get("size", "1024")), head)
            self._send(h, 404, b"not found\n", {"Content-Type": "text/plain"}, head)
        except (BrokenPipeError, ConnectionResetError):
            pass

    @staticmethod
    def _send(h, status: int, data: bytes, headers: dict, head: bool) -> None:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if not head:
            h.wfile.write(data)

    def _send_file(self, h, kind: str, name: str, size: int, head: bool) -> None:
        data = content(name, size)
        etag = f'"{name}-{size}"'
        start, end, status = 0, size, 200
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", h.headers.get("Range", ""))
        if_range = h.headers.get("If-Range")
        if m and (if_range is None or if_range == etag) and int(m.group(1)) < size:
            start = int(m.group(1))
            end = min(int(m.group(2)) + 1, size) if m.group(2) else size
            status = 206
        h.send_response(status)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("ETag", etag)
        h.send_header("Last-Modified", "Mon, 01 Dec 2025 00:00:00 GMT")
        h.send_header("Accept-Ranges", "bytes")
        h.send_header("Content-Length", str(end - start))
        if status == 206:
            h.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        h.end_headers()
        if head:
            return
        middle = size // 2
        if kind == "gate" and start < middle < end:
            h.wfile.write(data[start:middle])
            h.wfile.flush()
            self.gate(name).wait(60)
            start = middle
        h.wfile.write(data[start:end])


def app_name(test: unittest.TestCase) -> str:
    """An app scope of its own for each test (letters, digits, . _ -)."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", test.id())[-200:]


class DaemonTestCase(unittest.TestCase):
    """Starts a daemon (Unix socket unless ``listen`` says tcp:) and a file
    server for the class; each test gets a Client with an app of its own."""

    listen: str | None = None
    daemon_args: tuple = ("--handler-retry-base", "100ms")

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="bgfetch-py-")
        cls.data_dir = os.path.join(cls.tmp, "data")
        os.mkdir(cls.data_dir, 0o700)
        cls.daemon = Daemon(cls.data_dir, cls.listen, cls.daemon_args).start()
        cls.files = FileServer()

    @classmethod
    def tearDownClass(cls):
        cls.files.close()
        cls.daemon.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.app = app_name(self)
        self.c = bgfetch.Client(app=self.app, data_dir=self.data_dir)

    def settled(self, uid: str, timeout: float = 20.0) -> "bgfetch.Registration":
        """The registration once it has settled."""
        def done():
            reg = self.c.registration(uid)
            return reg if reg.result else None
        return wait_for(done, timeout, what=f"{uid} to settle")

    def raw_call(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        """A request of the test's own (http.client), to check what the
        daemon stored without going through the code under test."""
        import http.client
        import socket
        ep = self.daemon.endpoint()
        if ep.startswith("unix:"):
            conn = http.client.HTTPConnection("localhost", timeout=10)
            s = socket.socket(socket.AF_UNIX)
            s.connect(ep[5:])
            conn.sock = s
        else:
            host, port = ep[len("http://"):].rsplit(":", 1)
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
        with open(os.path.join(self.data_dir, "token")) as f:
            token = f.read().strip()
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Authorization": f"Bearer {token}", "Bgfetch-App": self.app})
        resp = conn.getresponse()
        raw = resp.read()
        conn.close()
        return resp.status, json.loads(raw) if raw.strip() else None
