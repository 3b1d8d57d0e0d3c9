"""Where the daemon is: the data directory and its endpoint and token files
(docs/API.md "Finding the daemon")."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import START_HINT, Error, NotAllowedError, NotRunning

ENV_DATA_DIR = "BGFETCH_DATA_DIR"


def default_data_dir() -> str:
    """The OS convention: %LocalAppData%\\bgfetch on Windows,
    ~/Library/Application Support/bgfetch on macOS, else
    $XDG_DATA_HOME/bgfetch or ~/.local/share/bgfetch."""
    if sys.platform == "win32" and os.environ.get("LocalAppData"):
        return os.path.join(os.environ["LocalAppData"], "bgfetch")
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~"), "Library", "Application Support", "bgfetch")
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "bgfetch")
    return os.path.join(os.path.expanduser("~"), ".local", "share", "bgfetch")


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> str:
    """data_dir, else $BGFETCH_DATA_DIR, else the OS default; absolute."""
    d = os.fspath(data_dir) if data_dir else os.environ.get(ENV_DATA_DIR) or default_data_dir()
    return os.path.abspath(os.path.expanduser(d))


@dataclass(frozen=True)
class Endpoint:
    """A parsed endpoint line: a Unix socket path or a loopback host and port."""

    text: str
    socket_path: str = ""
    host: str = ""
    port: int = 0

    @property
    def is_unix(self) -> bool:
        return bool(self.socket_path)


def parse_endpoint(text: str) -> Endpoint:
    text = text.strip()
    if text.startswith("unix:"):
        return Endpoint(text, socket_path=text[len("unix:"):])
    if text.startswith("http://"):
        u = urlsplit(text)
        if u.hostname and u.port:
            return Endpoint(text, host=u.hostname, port=u.port)
    raise Error(f"unknown endpoint {text!r} (expected unix:/path or http://127.0.0.1:PORT)")


def read_endpoint(data_dir: str) -> Endpoint:
    path = os.path.join(data_dir, "endpoint")
    try:
        with open(path, encoding="utf-8") as f:
            return parse_endpoint(f.read())
    except FileNotFoundError:
        raise NotRunning(f"bgfetch is not running (no {path}); {START_HINT}") from None


def read_token(data_dir: str) -> str:
    path = os.path.join(data_dir, "token")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError as e:
        raise NotAllowedError(f"cannot read the token {path}: {e.strerror or e}") from None
