"""Client.handle(): this process as the app's live handler (api.md "Live
handlers")."""

from __future__ import annotations

import dataclasses
import logging
import threading
from typing import TYPE_CHECKING, Any, Callable

from . import errors
from ._events import EventStream
from ._sse import SeenIds
from .models import DURABLE_TYPES, Event

if TYPE_CHECKING:
    from .client import Client

log = logging.getLogger("bgfetch")

RETRY_MAX = 60.0


def update_ui_of(answer: Any) -> dict | None:
    """The ``updateUI`` object of a callback's answer, if it has one; icons
    may be bgfetch.Icon objects."""
    if not isinstance(answer, dict) or answer.get("updateUI") is None:
        return None
    ui = dict(answer["updateUI"])
    if isinstance(ui.get("icons"), (list, tuple)):
        ui["icons"] = [i.to_json() if dataclasses.is_dataclass(i) else i for i in ui["icons"]]
    return ui


def _acknowledge(client: "Client", event: Event, update_ui: dict | None) -> bool:
    """POST …/handled. False when the daemon could not be reached (the
    event comes again and is acknowledged then)."""
    try:
        try:
            if not client.handled(event.event_id, update_ui):
                log.debug("bgfetch: event %s was already handled", event.event_id)
            return True
        except (errors.InvalidRequest, errors.InvalidStateError) as e:
            if update_ui is None:
                raise
            # The event was handled all the same; only its updateUI is refused.
            log.warning("bgfetch: updateUI of %s event %s refused (%s); handled without it",
                        event.type, event.event_id, e)
            client.handled(event.event_id, None)
            return True
    except errors.Error as e:
        log.warning("bgfetch: could not acknowledge event %s: %s", event.event_id, e)
        return False


def handle(client: "Client", on_event: Callable[[Event], Any], stop: threading.Event | None = None, *,
           on_progress: Callable[[Event], Any] | None = None, retry_base: float = 1.0) -> None:
    """Run the live handler until stop is set (see Client.handle)."""
    stream = EventStream(client._transport, handle=True, stop=stop, dedupe=False)
    done = SeenIds()  # eventId -> the updateUI sent with it (None: none)
    failures = 0

    def again_later() -> float:
        nonlocal failures
        failures += 1
        delay = min(retry_base * 2 ** (failures - 1), RETRY_MAX)
        stream.reconnect(after=delay)
        return delay

    try:
        for event in stream:
            if event.type not in DURABLE_TYPES or not event.event_id:
                if on_progress is not None:
                    try:
                        on_progress(event)
                    except Exception:
                        log.exception("bgfetch: on_progress failed")
                continue
            if event.event_id not in done:
                try:
                    update_ui = update_ui_of(on_event(event))
                except Exception:
                    delay = again_later()
                    log.exception("bgfetch: handling %s event %s of %r failed; it comes again in %.1f s",
                                  event.type, event.event_id, event.registration.id, delay)
                    continue
                done.add(event.event_id, update_ui)
            # else: handled here before, but the acknowledgement was lost
            if _acknowledge(client, event, done.get(event.event_id)):  # type: ignore[arg-type]
                failures = 0
            else:
                again_later()
    finally:
        stream.close()
