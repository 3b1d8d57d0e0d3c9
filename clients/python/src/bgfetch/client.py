"""bgfetch.Client: the local API (api.md) as Python calls."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import threading
from collections.abc import Iterable, Iterator
from typing import Any, Callable
from urllib.parse import quote, urlencode

from . import errors
from ._body import Body
from ._datadir import Endpoint, resolve_data_dir
from ._events import EventStream
from ._handle import handle as _handle
from ._transport import Transport
from .models import Event, Record, Registration, Request, Settings, camel, decode

_NO_BODY = object()


def _q(part: str) -> str:
    return quote(str(part), safe="")


def _json_of(x: Any) -> Any:
    """x with dataclasses (Icon, Request) turned into their JSON objects."""
    if hasattr(x, "to_json") and dataclasses.is_dataclass(x):
        return x.to_json()
    if isinstance(x, dict):
        return {k: _json_of(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_of(v) for v in x]
    return x


def _unsendable(doc: Any) -> str:
    """The name of the first field of doc that JSON cannot carry."""
    for key, value in (doc.items() if isinstance(doc, dict) else ()):
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            return camel(str(key))
    return "the body"


def _request_doc(where: str, r: Any) -> Any:
    if isinstance(r, str):
        return r
    if isinstance(r, Request):
        return r.to_json()
    if isinstance(r, dict):
        doc = dict(r)
        if isinstance(doc.get("body"), (bytes, bytearray, memoryview)):
            doc["body"] = base64.b64encode(bytes(doc["body"])).decode("ascii")
        return doc
    raise errors.InvalidRequest(f"{where} must be a URL string, a dict or a bgfetch.Request, "
                                f"not {type(r).__name__}")


def _requests_doc(requests: Any) -> Any:
    if isinstance(requests, (str, Request, dict)):
        return _request_doc("requests", requests)
    if isinstance(requests, Iterable) and not isinstance(requests, (bytes, bytearray)):
        return [_request_doc(f"requests[{i}]", r) for i, r in enumerate(requests)]
    raise errors.InvalidRequest("requests must be a URL string or a list of URL strings, dicts or "
                                f"bgfetch.Request objects, not {type(requests).__name__}")


def _match_query(url: Any, method: str | None, ignore_search: bool, ignore_method: bool) -> str:
    q: dict[str, str] = {}
    if isinstance(url, Request):
        url, method = url.url, method or url.method
    if url is not None:
        q["url"] = str(url)
    if method:
        q["method"] = method
    if ignore_search:
        q["ignoreSearch"] = "true"
    if ignore_method:
        q["ignoreMethod"] = "true"
    return "?" + urlencode(q) if q else ""


class Client:
    """Talks to the bgfetch daemon of one data directory as one app.

    ``app`` is the app scope (the Bgfetch-App header): ids, listings and
    events are per app. ``data_dir`` defaults to $BGFETCH_DATA_DIR, else the
    OS default. Raises NotRunning when no daemon has written its endpoint
    there. ``timeout`` bounds each call (not streams). Safe to share between
    threads.
    """

    def __init__(self, app: str = "default", data_dir: str | os.PathLike | None = None, *,
                 timeout: float = 30.0):
        self.app = app
        self.data_dir = resolve_data_dir(data_dir)
        self.timeout = timeout
        self._transport = Transport(self.data_dir, app)

    def __repr__(self) -> str:
        return f"bgfetch.Client(app={self.app!r}, data_dir={self.data_dir!r})"

    @property
    def endpoint(self) -> Endpoint:
        """Where the daemon answers (as last read from DATA_DIR/endpoint)."""
        return self._transport.endpoint

    # --- plumbing --------------------------------------------------------

    def _exchange(self, method: str, path: str, doc: Any = _NO_BODY) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        body = None
        if doc is not _NO_BODY:
            try:
                body = json.dumps(doc).encode("utf-8")
            except (TypeError, ValueError) as e:
                raise errors.InvalidRequest(f"{_unsendable(doc)} cannot be sent as JSON: {e}") from None
            headers["Content-Type"] = "application/json"
        status, _, data = self._transport.request(method, path, body, headers, timeout=self.timeout)
        return status, data

    def _call(self, method: str, path: str, doc: Any = _NO_BODY) -> Any:
        status, data = self._exchange(method, path, doc)
        if status >= 400:
            raise errors.from_answer(status, data)
        if not data.strip():
            return None
        try:
            return json.loads(data)
        except ValueError:
            raise errors.Error(f"{method} {path}: the answer is not JSON: {data[:200]!r}",
                               name="UnknownError", status=status) from None

    def _reg(self, method: str, path: str, doc: Any = _NO_BODY) -> Registration:
        return decode(Registration, self._call(method, path, doc))

    # --- BackgroundFetchManager -----------------------------------------

    def fetch(self, id: str, requests: Any, *, title: str | None = None, icons: list | None = None,
              download_total: int | None = None, destination: str | os.PathLike | None = None,
              handler: dict | None = None, priority: str | None = None,
              max_bytes_per_second: int | None = None, connections: int | None = None,
              metered: str | None = None) -> Registration:
        """Start a background fetch (POST /v1/fetches). ``requests`` is a URL
        string or a list of URL strings, dicts of the API's request object
        (a bytes ``body`` is base64-encoded for you) or bgfetch.Request
        objects. A relative ``destination`` is taken from this process's
        working directory. Raises InvalidRequest (nothing registered) for
        bad input or an id that is already active, QuotaExceededError when
        download_total does not fit."""
        doc: dict[str, Any] = {"id": id, "requests": _requests_doc(requests)}
        options = {"title": title, "icons": icons, "download_total": download_total, "handler": handler,
                   "priority": priority, "max_bytes_per_second": max_bytes_per_second,
                   "connections": connections, "metered": metered}
        doc.update({camel(k): _json_of(v) for k, v in options.items() if v is not None})
        if destination is not None:
            doc["destination"] = os.path.abspath(os.fspath(destination))
        return self._reg("POST", "/v1/fetches", doc)

    def get(self, id: str) -> Registration | None:
        """The active fetch with this id, or None."""
        status, data = self._exchange("GET", "/v1/fetches/" + _q(id))
        if status == 404 and data.strip() == b"null":
            return None
        if status >= 400:
            raise errors.from_answer(status, data)
        return decode(Registration, json.loads(data))

    def get_ids(self) -> list[str]:
        """The ids of the app's active fetches."""
        return list(self._call("GET", "/v1/fetches").get("ids") or [])

    # --- BackgroundFetchRegistration ------------------------------------

    def registration(self, uid: str) -> Registration:
        """A registration by uid, settled ones too (NotFoundError once gone)."""
        return self._reg("GET", "/v1/registrations/" + _q(uid))

    def abort(self, uid: str) -> bool:
        """Abort; True the first time, False when already aborted or settled."""
        return bool(self._call("POST", f"/v1/registrations/{_q(uid)}/abort")["aborted"])

    def pause(self, uid: str) -> Registration:
        """Pause (only fetches whose requests are all GET; else InvalidStateError)."""
        return self._reg("POST", f"/v1/registrations/{_q(uid)}/pause")

    def resume(self, uid: str) -> Registration:
        return self._reg("POST", f"/v1/registrations/{_q(uid)}/resume")

    def release(self, uid: str) -> Registration:
        """Make a settled fetch's records unavailable and delete bodies kept
        in the data dir (InvalidStateError while active)."""
        return self._reg("POST", f"/v1/registrations/{_q(uid)}/release")

    def click(self, uid: str) -> Registration:
        """What a click on the fetch's UI does: a backgroundfetchclick event."""
        return self._reg("POST", f"/v1/registrations/{_q(uid)}/click")

    def match(self, uid: str, url: str | Request, method: str | None = None, ignore_search: bool = False,
              ignore_method: bool = False) -> Record | None:
        """The first record matching url (Cache API matching), or None."""
        query = _match_query(url, method, ignore_search, ignore_method)
        return decode(Record, self._call("GET", f"/v1/registrations/{_q(uid)}/match{query}")["record"])

    def match_all(self, uid: str, url: str | Request | None = None, method: str | None = None,
                  ignore_search: bool = False, ignore_method: bool = False) -> list[Record]:
        """The records (all, or those matching url); InvalidStateError once
        they are no longer available."""
        query = _match_query(url, method, ignore_search, ignore_method)
        doc = self._call("GET", f"/v1/registrations/{_q(uid)}/records{query}")
        return [decode(Record, r) for r in doc.get("records") or []]

    def open_body(self, uid: str, index: int, *, offset: int = 0, timeout: float | None = None) -> Body:
        """A record's body as a file-like object (use it with ``with``). A
        record still transferring is waited for. ``offset`` starts later in
        the body (a Range request). Raises AbortError for an aborted
        transfer, InvalidStateError once records are released."""
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        path = f"/v1/registrations/{_q(uid)}/records/{int(index)}/body"
        try:
            conn, resp = self._transport.open("GET", path, headers, timeout=timeout)
        except errors.Error:
            raise
        except OSError as e:
            raise errors.NotRunning(f"bgfetch stopped answering during GET {path} ({e}); "
                                    f"{errors.START_HINT} if it is not running") from None
        if resp.status >= 400:
            try:
                raise errors.from_answer(resp.status, resp.read())
            finally:
                conn.close()
        return Body(conn, resp, offset if resp.status == 206 else 0)

    # --- events and handlers --------------------------------------------

    def events(self, uid: str | None = None, *, last_event_id: str | int | None = None,
               stop: threading.Event | None = None) -> EventStream:
        """An iterator over the app's events (or one registration's): progress,
        state and the durable ones. Connected when this returns; reconnects
        after drops and daemon restarts, resuming by Last-Event-ID, and never
        yields a durable event twice. Ends when ``stop`` is set or the stream
        is closed (``with c.events() as events:``)."""
        return EventStream(self._transport, uid=uid, last_event_id=last_event_id, stop=stop)

    def handle(self, on_event: Callable[[Event], Any], stop: threading.Event | None = None, *,
               on_progress: Callable[[Event], Any] | None = None, retry_base: float = 1.0) -> None:
        """Be the app's live handler until ``stop`` is set (api.md "Live
        handlers"). Blocks; calls ``on_event(event)`` for every success, fail,
        abort and click event of the app's fetches that have no command or
        webhook handler, those that waited while no handler was connected
        first. When on_event returns ``{"updateUI": {"title": ..., "icons":
        [...]}}`` that is passed on; when it returns, the event is
        acknowledged as handled. When it raises, the error is logged and the
        event is not handled: it comes again after a reconnect, after
        retry_base seconds (doubling while it keeps failing, up to 60 s).
        Events are de-duplicated by eventId. ``on_progress`` gets the live
        progress events. Raises NotRunning when no daemon answers at the
        start; later drops and restarts are reconnected."""
        _handle(self, on_event, stop, on_progress=on_progress, retry_base=retry_base)

    def handled(self, event_id: str, update_ui: dict | None = None) -> bool:
        """Acknowledge an event received as a live handler (POST
        /v1/events/{eventId}/handled), with an optional updateUI object.
        False when it was handled already (or is unknown)."""
        doc = _NO_BODY if update_ui is None else {"updateUI": _json_of(update_ui)}
        status, data = self._exchange("POST", f"/v1/events/{_q(event_id)}/handled", doc)
        if status == 404:
            return False
        if status >= 400:
            raise errors.from_answer(status, data)
        return True

    def set_handler(self, handler: dict) -> dict:
        """The app's default handler: {"command": [...]} or {"url": "http://127.0.0.1:…"}."""
        return self._call("PUT", "/v1/handler", handler)

    def get_handler(self) -> dict | None:
        """The app's default handler, or None."""
        try:
            return self._call("GET", "/v1/handler")
        except errors.NotFoundError:
            return None

    def delete_handler(self) -> None:
        self._call("DELETE", "/v1/handler")

    # --- transfer control, history and settings -------------------------

    def update(self, uid: str, *, priority: str | None = None, max_bytes_per_second: int | None = None,
               connections: int | None = None, metered: str | None = None) -> Registration:
        """Change a fetch's transfer options (PATCH /v1/registrations/{uid})."""
        options = {"priority": priority, "max_bytes_per_second": max_bytes_per_second,
                   "connections": connections, "metered": metered}
        return self._reg("PATCH", "/v1/registrations/" + _q(uid),
                         {camel(k): v for k, v in options.items() if v is not None})

    def retry(self, uid: str) -> Registration:
        """A new fetch repeating a failed or aborted one (its retry_of is uid)."""
        return self._reg("POST", f"/v1/registrations/{_q(uid)}/retry")

    def registrations(self, state: str = "active", limit: int = 100) -> Iterator[Registration]:
        """The app's registrations, newest first: ``state`` is "active",
        "settled" or "all" (the history). Pages of ``limit`` are fetched as
        the iteration goes; the first one before this returns."""
        def page(before: str) -> dict:
            q = {"state": state, "limit": limit}
            if before:
                q["before"] = before
            return self._call("GET", "/v1/registrations?" + urlencode(q))

        def walk(doc: dict) -> Iterator[Registration]:
            while True:
                for r in doc.get("registrations") or []:
                    yield decode(Registration, r)
                if not doc.get("next"):
                    return
                doc = page(doc["next"])

        return walk(page(""))

    def settings(self) -> Settings:
        return decode(Settings, self._call("GET", "/v1/settings"))

    def update_settings(self, **changes: Any) -> Settings:
        """Change settings, e.g. update_settings(max_bytes_per_second=500_000,
        metered="wait"); answers the full settings."""
        return decode(Settings, self._call("PATCH", "/v1/settings",
                                           {camel(k): _json_of(v) for k, v in changes.items()}))

    def status(self) -> dict:
        """GET /v1/status: {"version": ..., "app": ...}."""
        return self._call("GET", "/v1/status")
