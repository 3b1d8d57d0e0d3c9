"""The API's JSON objects as dataclasses, with the API's fields in snake_case.

Every object keeps the JSON it was made from in ``raw``; a field the daemon
adds later is readable as an attribute too (``reg.some_new_field`` reads
``raw["someNewField"]``), so a newer daemon never breaks this client.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

# Event types (api.md "Events").
PROGRESS = "progress"
SUCCESS = "backgroundfetchsuccess"
FAIL = "backgroundfetchfail"
ABORT = "backgroundfetchabort"
CLICK = "backgroundfetchclick"
# The events a handler gets (durable: they wait in bgfetch's outbox).
DURABLE_TYPES = frozenset({SUCCESS, FAIL, ABORT, CLICK})


def camel(name: str) -> str:
    """max_bytes_per_second -> maxBytesPerSecond (a camelCase name is kept)."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


class _Fields:
    """Lets unknown fields of ``raw`` be read as snake_case attributes."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "raw":
            raise AttributeError(name)
        raw = self.__dict__.get("raw") or {}
        key = camel(name)
        if key in raw:
            return raw[key]
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")


def _decode(cls: type, doc: Any) -> Any:
    """cls from its JSON object: each field from its camelCase key, converted
    by the field's metadata["decode"]; the whole object kept in raw."""
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise ValueError(f"{cls.__name__}: expected a JSON object, got {type(doc).__name__}")
    kwargs = {}
    for f in dataclasses.fields(cls):
        key = camel(f.name)
        if f.name == "raw" or key not in doc:
            continue
        convert: Callable[[Any], Any] | None = f.metadata.get("decode")
        kwargs[f.name] = convert(doc[key]) if convert else doc[key]
    return cls(raw=doc, **kwargs)


def _list_of(cls: type) -> Callable[[Any], list]:
    return lambda v: [_decode(cls, x) for x in (v or [])]


def _one(cls: type) -> Callable[[Any], Any]:
    return lambda v: _decode(cls, v)


def _dict(v: Any) -> dict:
    return dict(v or {})


_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))$")


def parse_time(text: Any) -> datetime | None:
    """An RFC 3339 time (Go writes nanoseconds; datetime keeps microseconds),
    or None for null or text that is not one."""
    m = _RFC3339.match(text) if isinstance(text, str) else None
    if not m:
        return None
    year, month, day, hour, minute, sec = (int(g) for g in m.groups()[:6])
    micro = int((m.group(7) or "0")[:6].ljust(6, "0"))
    tz = timezone.utc
    if m.group(9):
        offset = timedelta(hours=int(m.group(10)), minutes=int(m.group(11)))
        tz = timezone(-offset if m.group(9) == "-" else offset)
    return datetime(year, month, day, hour, minute, sec, micro, tzinfo=tz)


def _raw_field() -> Any:
    return field(default_factory=dict, repr=False, compare=False)


@dataclass
class Icon(_Fields):
    """An image offered for a fetch's UI."""

    src: str = ""
    sizes: str = ""
    type: str = ""
    raw: dict = _raw_field()

    def to_json(self) -> dict:
        doc = {"src": self.src}
        if self.sizes:
            doc["sizes"] = self.sizes
        if self.type:
            doc["type"] = self.type
        return doc


@dataclass
class Request(_Fields):
    """One request of a fetch: what fetch() takes, and what a record echoes
    (records never echo the body)."""

    url: str = ""
    method: str = "GET"
    headers: dict = field(default_factory=dict, metadata={"decode": _dict})
    body: bytes | None = field(default=None, metadata={"decode": lambda v: base64.b64decode(v) if v else None})
    integrity: str = ""
    raw: dict = _raw_field()

    def to_json(self) -> dict:
        doc: dict[str, Any] = {"url": self.url}
        if self.method:
            doc["method"] = self.method
        if self.headers:
            doc["headers"] = dict(self.headers)
        if self.body is not None:
            doc["body"] = base64.b64encode(bytes(self.body)).decode("ascii")
        if self.integrity:
            doc["integrity"] = self.integrity
        return doc


@dataclass
class Response(_Fields):
    """What a record received (status line, headers, body size and file)."""

    status: int = 0
    status_text: str = ""
    headers: dict = field(default_factory=dict, metadata={"decode": _dict})
    size: int = 0
    path: str = ""
    raw: dict = _raw_field()


@dataclass
class Record(_Fields):
    """One request of a fetch and its response (``response`` is None until
    response headers arrived)."""

    index: int = 0
    request: Request = field(default_factory=Request, metadata={"decode": _one(Request)})
    state: str = ""
    downloaded: int = 0
    total: int = 0
    response: Response | None = field(default=None, metadata={"decode": _one(Response)})
    error: str = ""
    raw: dict = _raw_field()


@dataclass
class Registration(_Fields):
    """A background fetch (the spec's BackgroundFetchRegistration and
    bgfetch's additions)."""

    uid: str = ""
    app: str = ""
    id: str = ""
    title: str = ""
    icons: list = field(default_factory=list, metadata={"decode": _list_of(Icon)})
    upload_total: int = 0
    uploaded: int = 0
    download_total: int = 0
    downloaded: int = 0
    result: str = ""
    failure_reason: str = ""
    records_available: bool = False
    state: str = ""
    created_at: datetime | None = field(default=None, metadata={"decode": parse_time})
    settled_at: datetime | None = field(default=None, metadata={"decode": parse_time})
    # bgfetch's additions
    known_total: int = 0
    destination: str = ""
    handler: dict | None = None
    all_get: bool = False
    # transfer control (api.md "Transfer control"); defaults for older daemons
    priority: str = "normal"
    max_bytes_per_second: int = 0
    connections: int = 0
    metered: str = ""
    speed: int = 0
    wait_reason: str = ""
    retry_of: str = ""
    raw: dict = _raw_field()

    @property
    def active(self) -> bool:
        """Whether the fetch has not settled yet."""
        return self.result == ""


@dataclass
class Event(_Fields):
    """One event of /v1/events. Durable events (success, fail, abort, click)
    have an ``event_id``; progress and bgfetch's ``state`` events have none."""

    type: str = ""
    event_id: str = ""
    registration: Registration = field(default_factory=Registration, metadata={"decode": _one(Registration)})
    records: list = field(default_factory=list, metadata={"decode": _list_of(Record)})
    raw: dict = _raw_field()


@dataclass
class Settings(_Fields):
    """The daemon's settings (GET /v1/settings); ``schedule`` is a list of
    the API's window objects (dicts with days, from, to, maxBytesPerSecond,
    paused)."""

    max_connections: int = 0
    max_bytes_per_second: int = 0
    connections_per_file: int = 0
    schedule: list = field(default_factory=list, metadata={"decode": lambda v: list(v or [])})
    metered: str = ""
    proxy: str = ""
    notifications: bool = False
    keep_history_days: int = 0
    raw: dict = _raw_field()


def decode(cls: type, doc: Any) -> Any:
    """cls (one of the dataclasses above) from its JSON object."""
    return _decode(cls, doc)
