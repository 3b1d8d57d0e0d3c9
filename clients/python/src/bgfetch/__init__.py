"""bgfetch: the web's Background Fetch API for desktop apps, from Python.

A thin client of the bgfetch daemon's local API (standard library only)::

    import bgfetch
    c = bgfetch.Client(app="com.example.podcasts")
    reg = c.fetch("ep-5", ["https://example.com/ep-5.mp3"], title="Episode 5")
    for event in c.events(reg.uid):
        ...

See README.md for the reference.
"""

from ._datadir import default_data_dir, resolve_data_dir
from ._events import EventStream
from ._body import Body
from .client import Client
from .errors import (AbortError, Error, InvalidRequest, InvalidStateError, NotAllowedError, NotFoundError,
                     NotRunning, QuotaExceededError, SecurityError)
from .models import (ABORT, CLICK, DURABLE_TYPES, FAIL, PROGRESS, SUCCESS, Event, Icon, Record, Registration,
                     Request, Response, Settings)

from ._version import __version__

__all__ = [
    "Client", "EventStream", "Body",
    "Error", "InvalidRequest", "QuotaExceededError", "InvalidStateError", "NotFoundError", "AbortError",
    "NotAllowedError", "SecurityError", "NotRunning",
    "Registration", "Record", "Request", "Response", "Icon", "Event", "Settings",
    "PROGRESS", "SUCCESS", "FAIL", "ABORT", "CLICK", "DURABLE_TYPES",
    "default_data_dir", "resolve_data_dir",
]
