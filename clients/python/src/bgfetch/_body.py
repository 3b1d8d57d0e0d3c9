"""Client.open_body(): a record's stored body as a file-like object."""

from __future__ import annotations

import http.client
import io

from .errors import START_HINT, NotRunning


class _BodyStream(io.RawIOBase):
    def __init__(self, conn: http.client.HTTPConnection, resp: http.client.HTTPResponse):
        self._conn, self._resp = conn, resp

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[override]
        try:
            return self._resp.readinto(buf)
        except (OSError, http.client.HTTPException) as e:
            raise NotRunning(f"bgfetch stopped answering while sending the body ({e!r}); "
                             f"{START_HINT} if it is not running") from None

    def close(self) -> None:
        if not self.closed:
            self._resp.close()
            self._conn.close()
        super().close()


class Body(io.BufferedReader):
    """The body bytes of one record, streamed from bgfetch (read, iterate,
    use with ``with``). ``response_status`` is the stored response's own
    status (a 404 page is a body too), ``content_type`` its type, ``length``
    the bytes this answer carries (None when unknown) and ``offset`` where it
    starts in the body."""

    def __init__(self, conn: http.client.HTTPConnection, resp: http.client.HTTPResponse, offset: int):
        super().__init__(_BodyStream(conn, resp), buffer_size=256 * 1024)
        self.response_status = int(resp.getheader("Bgfetch-Response-Status") or 200)
        self.content_type = resp.getheader("Content-Type") or ""
        length = resp.getheader("Content-Length")
        self.length = int(length) if length and length.isdigit() else None
        self.offset = offset
        self.headers = resp.headers
