"""Errors of the bgfetch client.

Every error the daemon answers is ``{"error": {"name": ..., "message": ...}}``
(api.md "Errors"); it is raised as the subclass of :class:`Error` named like
the spec's exception, with ``.name``, ``.message`` and ``.status`` (the HTTP
status, or None when the error was found before anything was sent).
"""

from __future__ import annotations

import json

START_HINT = "start it with `bgfetch` (the desktop app) or `bgfetch serve --headless`"


class Error(Exception):
    """Base of every error this package raises."""

    name = "Error"

    def __init__(self, message: str, *, name: str | None = None, status: int | None = None):
        super().__init__(message)
        if name is not None:
            self.name = name
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


class InvalidRequest(Error, TypeError):
    """Bad input (the spec's TypeError): nothing was registered or changed."""

    name = "TypeError"


class QuotaExceededError(Error):
    """downloadTotal is larger than the space bgfetch may still use."""

    name = "QuotaExceededError"


class InvalidStateError(Error):
    """The call does not fit the registration's state (e.g. records released)."""

    name = "InvalidStateError"


class NotFoundError(Error):
    """No such registration, record or endpoint (for this app)."""

    name = "NotFoundError"


class AbortError(Error):
    """The record's transfer was aborted before it completed."""

    name = "AbortError"


class NotAllowedError(Error):
    """The daemon refused the token (401)."""

    name = "NotAllowedError"


class SecurityError(Error):
    """The daemon refused the request as one a web page could send (403)."""

    name = "SecurityError"


class NotRunning(Error):
    """No bgfetch daemon answers on this data directory."""

    name = "NotRunning"


_BY_NAME = {
    cls.name: cls
    for cls in (InvalidRequest, QuotaExceededError, InvalidStateError, NotFoundError,
                AbortError, NotAllowedError, SecurityError)
}


def from_answer(status: int, body: bytes) -> Error:
    """The exception for an error answer of the daemon."""
    name, message = "UnknownError", ""
    try:
        detail = json.loads(body)["error"]
        name, message = str(detail["name"]), str(detail["message"])
    except (ValueError, KeyError, TypeError):
        message = f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}"
    cls = _BY_NAME.get(name, Error)
    return cls(message, name=name, status=status)
