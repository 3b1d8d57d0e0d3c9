"""A Server-Sent Events parser (the HTML standard's event stream format)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class Message:
    """One dispatched SSE message. ``id`` is the id line of this message's
    own frame (None when it had none)."""

    event: str
    data: str
    id: str | None


class Parser:
    """Feed it lines (without their line ending); it returns a Message when
    a blank line ends a frame with data. ``last_id`` is the id of the last
    complete frame that named one (a bare ``id: N`` frame included), which
    is what a reconnect resumes from: a frame cut off mid-way never counts.
    """

    def __init__(self, last_id: str | None = None):
        self.last_id = last_id
        self.retry_ms: int | None = None
        self._reset()

    def _reset(self) -> None:
        self._event, self._data, self._id = "", [], None

    def discard(self) -> None:
        """Forget an unfinished frame (the stream broke in the middle)."""
        self._reset()

    def feed(self, line: str) -> Message | None:
        if line == "":
            msg = None
            if self._id is not None:
                self.last_id = self._id
            if self._data:
                msg = Message(self._event or "message", "\n".join(self._data), self._id)
            self._reset()
            return msg
        if line.startswith(":"):
            return None  # a comment (": ping" heartbeats)
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self.retry_ms = int(value)
        return None


class SeenIds:
    """The most recent ``limit`` event ids, to drop events delivered twice."""

    def __init__(self, limit: int = 10000):
        self._ids: OrderedDict[str, object] = OrderedDict()
        self._limit = limit

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids

    def get(self, event_id: str, default: object = None) -> object:
        return self._ids.get(event_id, default)

    def add(self, event_id: str, value: object = True) -> None:
        self._ids[event_id] = value
        self._ids.move_to_end(event_id)
        while len(self._ids) > self._limit:
            self._ids.popitem(last=False)

    def discard(self, event_id: str) -> None:
        self._ids.pop(event_id, None)
