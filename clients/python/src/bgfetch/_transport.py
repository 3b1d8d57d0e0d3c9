"""HTTP to the daemon over its Unix socket or loopback TCP (http.client).

A call opens its own connection, so a Client is safe to share between
threads. When connecting fails, the endpoint and token files are read again
and the connection tried once more: the daemon may have restarted, on
another port. Streams (events) read with a short socket timeout so a stop
flag is seen within a tick, and a stream silent for too long counts as dead.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
from typing import Callable

from ._datadir import Endpoint, read_endpoint, read_token
from ._version import __version__
from .errors import START_HINT, NotRunning

USER_AGENT = "bgfetch-python/" + __version__


class Stopped(Exception):
    """A stream's stop flag was set while it waited for data."""


class _UnixConnection(http.client.HTTPConnection):
    """http.client over a Unix socket; the Host header says localhost."""

    def __init__(self, path: str, timeout: float | None):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(self.timeout)
            s.connect(self._path)
        except BaseException:
            s.close()
            raise
        self.sock = s


class _PatientReader(io.RawIOBase):
    """Reads a socket whose timeout is one tick: between ticks it checks
    should_stop, and after idle_limit seconds of silence it gives up."""

    def __init__(self, sock: socket.socket, tick: float, should_stop: Callable[[], bool],
                 idle_limit: float | None):
        self._sock, self._tick, self._should_stop, self._idle_limit = sock, tick, should_stop, idle_limit

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[override]
        idle = 0.0
        while True:
            if self._should_stop():
                raise Stopped()
            try:
                return self._sock.recv_into(buf)
            except socket.timeout:
                idle += self._tick
                if self._idle_limit is not None and idle >= self._idle_limit:
                    raise ConnectionError(f"the stream was silent for {idle:.0f} s") from None


class _SocketView:
    """What HTTPResponse reads from: a socket whose makefile is patient."""

    def __init__(self, sock: socket.socket, **patience):
        self._sock, self._patience = sock, patience

    def makefile(self, mode: str, *args, **kwargs):
        return io.BufferedReader(_PatientReader(self._sock, **self._patience))


class Transport:
    """Sends requests to the daemon of one data directory as one app."""

    def __init__(self, data_dir: str, app: str):
        self.data_dir, self.app = data_dir, app
        self._lock = threading.Lock()
        self._endpoint: Endpoint = read_endpoint(data_dir)
        self._token = read_token(data_dir)

    @property
    def endpoint(self) -> Endpoint:
        with self._lock:
            return self._endpoint

    def _reload(self) -> None:
        endpoint, token = read_endpoint(self.data_dir), read_token(self.data_dir)
        with self._lock:
            self._endpoint, self._token = endpoint, token

    def _new_connection(self, timeout: float | None) -> tuple[http.client.HTTPConnection, str]:
        with self._lock:
            ep, token = self._endpoint, self._token
        if ep.is_unix:
            conn: http.client.HTTPConnection = _UnixConnection(ep.socket_path, timeout)
        else:
            conn = http.client.HTTPConnection(ep.host, ep.port, timeout=timeout)
        conn.connect()
        return conn, token

    def connect(self, timeout: float | None) -> tuple[http.client.HTTPConnection, str]:
        """A connected HTTPConnection and the token to send; NotRunning when
        nothing answers, even after reading the endpoint file again."""
        try:
            return self._new_connection(timeout)
        except OSError:
            pass
        self._reload()  # NotRunning when the endpoint file is gone
        try:
            return self._new_connection(timeout)
        except OSError as e:
            raise NotRunning(f"bgfetch is not running: nothing answers at {self.endpoint.text} "
                             f"({e.strerror or e}); {START_HINT}") from None

    def headers(self, token: str, extra: dict | None = None) -> dict:
        h = {"Authorization": f"Bearer {token}", "Bgfetch-App": self.app, "User-Agent": USER_AGENT}
        if extra:
            h.update(extra)
        return h

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float | None = 30.0) -> tuple[int, dict, bytes]:
        """One call: status, headers (lower-case names) and the whole body.
        A GET whose connection breaks is tried once more; any other call
        raises NotRunning (it may or may not have taken effect)."""
        for attempt in (1, 2):
            conn, token = self.connect(timeout)
            try:
                conn.request(method, path, body=body, headers=self.headers(token, headers))
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
            except (OSError, http.client.HTTPException) as e:
                if method == "GET" and attempt == 1:
                    continue
                what = "did not answer in time" if isinstance(e, socket.timeout) else "stopped answering"
                raise NotRunning(f"bgfetch {what} during {method} {path} ({e}); whether the call took "
                                 f"effect is unknown; {START_HINT} if it is not running") from None
            finally:
                conn.close()
        raise AssertionError("unreachable")

    def open(self, method: str, path: str, headers: dict | None = None, timeout: float | None = None,
             tick: float | None = None, should_stop: Callable[[], bool] | None = None,
             idle_limit: float | None = None) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """A request whose response body is read by the caller (a stream).
        With tick, reads wait at most tick seconds at a time, checking
        should_stop between waits (Stopped) and giving up after idle_limit."""
        conn, token = self.connect(timeout)
        try:
            if tick is not None:
                patience = {"tick": tick, "should_stop": should_stop or (lambda: False), "idle_limit": idle_limit}
                conn.response_class = lambda sock, *a, **kw: http.client.HTTPResponse(  # type: ignore[assignment]
                    _SocketView(sock, **patience), *a, **kw)
            conn.request(method, path, headers=self.headers(token, headers))
            if tick is not None and conn.sock is not None:
                conn.sock.settimeout(tick)
            return conn, conn.getresponse()
        except BaseException:
            conn.close()
            raise
