"""Client.events(): an iterator over GET /v1/events that survives restarts."""

from __future__ import annotations

import http.client
import json
import logging
import threading
from urllib.parse import urlencode

from . import errors
from ._sse import Message, Parser, SeenIds
from ._transport import Stopped, Transport
from .models import Event, decode

log = logging.getLogger("bgfetch")


class EventStream:
    """Iterates over the app's events. When the stream drops (the daemon
    restarted, was killed, or went silent) it reconnects with capped
    exponential backoff and ``Last-Event-ID``, so durable events are
    neither lost nor, thanks to de-duplication by eventId, seen twice.

    The first connection is made in the constructor: an event after it is
    never missed, and a daemon that is not running raises NotRunning there.
    Later refusals (e.g. the registration of ``uid`` is gone) end the
    iteration with that error; connection failures are retried forever.
    Iteration ends (StopIteration) within ``TICK`` seconds of ``stop`` being
    set or :meth:`close` being called (from any thread).
    """

    TICK = 1.0  # how often a waiting stream looks at stop
    IDLE_LIMIT = 45.0  # silent this long (heartbeats come every 15 s): dead
    BACKOFF_MIN, BACKOFF_MAX = 0.1, 5.0

    def __init__(self, transport: Transport, *, uid: str | None = None, last_event_id: str | int | None = None,
                 handle: bool = False, stop: threading.Event | None = None, dedupe: bool = True):
        self._transport, self._uid, self._handle, self._stop = transport, uid, handle, stop
        self._parser = Parser(None if last_event_id is None else str(last_event_id))
        self._seen = SeenIds() if dedupe else None
        self._closed = threading.Event()
        self._conn: http.client.HTTPConnection | None = None
        self._resp: http.client.HTTPResponse | None = None
        self._delay = self.BACKOFF_MIN
        self._next_delay: float | None = None
        self._pending: list[Message] = []
        self._connect()
        if not handle:
            self._read_preamble()

    @property
    def stop(self) -> threading.Event | None:
        """The stop flag given to the stream (None: none)."""
        return self._stop

    @property
    def stop(self) -> threading.Event | None:
        """The stop flag given to the stream (None: none)."""
        return self._stop

    @property
    def last_event_id(self) -> str | None:
        """Where a reconnect resumes: the id of the last durable event (or
        the stream's starting point)."""
        return self._parser.last_id

    def __iter__(self) -> "EventStream":
        return self

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop: the iteration ends and the connection closes."""
        self._closed.set()
        self._drop()

    def reconnect(self, after: float) -> None:
        """Drop the connection and open a new one after ``after`` seconds."""
        self._drop()
        self._next_delay = after

    def _stopping(self) -> bool:
        return self._closed.is_set() or (self._stop is not None and self._stop.is_set())

    def _connect(self) -> None:
        query = {}
        if self._uid:
            query["uid"] = self._uid
        if self._handle:
            query["handle"] = "true"
        path = "/v1/events" + ("?" + urlencode(query) if query else "")
        headers = {"Accept": "text/event-stream"}
        # A live handler gets every unhandled event whatever it saw before.
        if self._parser.last_id is not None and not self._handle:
            headers["Last-Event-ID"] = self._parser.last_id
        conn, resp = self._transport.open("GET", path, headers, timeout=10.0, tick=self.TICK,
                                          should_stop=self._stopping, idle_limit=self.IDLE_LIMIT)
        if resp.status != 200:
            try:
                raise errors.from_answer(resp.status, resp.read())
            finally:
                conn.close()
        self._conn, self._resp = conn, resp

    def _read_preamble(self) -> None:
        """Read the stream's first frame, the bare ``id: N`` naming where it
        stands (docs/API.md), so that even a reconnect before any durable
        event resumes from there."""
        while self._resp is not None:
            line = self._read_line()
            if line is None:
                self._drop()
                return
            msg = self._parser.feed(line)
            if msg is not None:
                self._pending.append(msg)
            if line == "":
                return

    def _drop(self) -> None:
        conn, self._conn, self._resp = self._conn, None, None
        if conn is not None:
            conn.close()
        self._parser.discard()  # an unfinished frame never counts

    def _sleep(self, seconds: float) -> None:
        remaining = seconds
        while remaining > 0 and not self._stopping():
            step = min(self.TICK, remaining)
            self._closed.wait(step)
            remaining -= step

    def _reconnect(self) -> None:
        while not self._stopping():
            delay = self._delay if self._next_delay is None else self._next_delay
            self._next_delay = None
            self._sleep(delay)
            if self._stopping():
                return
            try:
                self._connect()
                self._delay = self.BACKOFF_MIN
                return
            except errors.Error as e:
                if e.status is not None and e.status < 500:
                    self.close()
                    raise  # refused for good
                log.debug("bgfetch: events: reconnect failed: %s", e)
            except (OSError, http.client.HTTPException, Stopped) as e:
                log.debug("bgfetch: events: reconnect failed: %s", e)
            self._delay = min(self._delay * 2, self.BACKOFF_MAX)

    def _read_line(self) -> str | None:
        """The next line of the stream, or None when it dropped."""
        resp = self._resp
        if resp is None:
            return None
        try:
            raw = resp.readline()
        except Stopped:
            return None
        except (OSError, http.client.HTTPException, ValueError, AttributeError) as e:
            log.debug("bgfetch: events: stream lost: %s", e)
            return None
        if not raw.endswith(b"\n"):  # end of stream, perhaps mid-line
            return None
        return raw.decode("utf-8", "replace").rstrip("\n").rstrip("\r")

    def __next__(self) -> Event:
        while True:
            if self._stopping():
                self.close()
                raise StopIteration
            if self._pending:
                msg: Message | None = self._pending.pop(0)
            elif self._resp is None:
                self._reconnect()
                continue
            else:
                line = self._read_line()
                if line is None:
                    self._drop()
                    continue
                msg = self._parser.feed(line)
            if msg is None:
                continue
            try:
                event = decode(Event, json.loads(msg.data))
            except ValueError as e:
                log.warning("bgfetch: events: skipping a %s event that is not JSON: %s", msg.event, e)
                continue
            if not event.event_id and msg.id:
                event.event_id = msg.id
            if self._seen is not None and event.event_id:
                if event.event_id in self._seen:
                    continue
                self._seen.add(event.event_id)
            return event
