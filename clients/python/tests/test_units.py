"""Pure functions: the SSE parser, JSON to dataclasses, error answers."""

import datetime
import unittest

from support import bgfetch
from bgfetch import _sse, errors, models


class SSEParserTests(unittest.TestCase):
    def feed(self, parser, text):
        return [m for m in (parser.feed(line) for line in text.split("\n")) if m]

    def test_frames(self):
        p = _sse.Parser()
        msgs = self.feed(p, "retry: 1000\nid: 41\n\nid: 42\nevent: backgroundfetchsuccess\ndata: {\"a\":\ndata: 1}\n\n"
                            ": ping\n\nevent: progress\ndata: {}\n\n")
        self.assertEqual([(m.event, m.data, m.id) for m in msgs],
                         [("backgroundfetchsuccess", '{"a":\n1}', "42"), ("progress", "{}", None)])
        self.assertEqual((p.last_id, p.retry_ms), ("42", 1000))

    def test_a_bare_id_frame_moves_the_cursor(self):
        p = _sse.Parser()
        self.assertEqual(self.feed(p, "id: 7\n\n"), [])
        self.assertEqual(p.last_id, "7")

    def test_an_unfinished_frame_never_counts(self):
        p = _sse.Parser("5")
        p.feed("id: 9")
        p.feed("data: {}")
        p.discard()  # the stream broke here
        self.assertEqual(p.last_id, "5")
        self.assertEqual(self.feed(p, "event: progress\ndata: {}\n\n")[0].id, None)

    def test_seen_ids_are_bounded(self):
        seen = _sse.SeenIds(limit=3)
        for i in range(5):
            seen.add(str(i))
        self.assertEqual([str(i) in seen for i in range(5)], [False, False, True, True, True])


class ModelTests(unittest.TestCase):
    REG = {"uid": "r_1", "app": "default", "id": "ep-5", "title": "Episode 5",
           "icons": [{"src": "i.png", "sizes": "300x300", "type": "image/png"}],
           "uploadTotal": 0, "uploaded": 0, "downloadTotal": 10, "downloaded": 4, "result": "",
           "failureReason": "", "recordsAvailable": True, "state": "running",
           "createdAt": "2025-12-01T08:58:00.123456789+01:00", "settledAt": None,
           "futureField": {"x": 1}}

    def test_registration(self):
        reg = models.decode(bgfetch.Registration, self.REG)
        self.assertEqual((reg.uid, reg.download_total, reg.records_available), ("r_1", 10, True))
        self.assertEqual(reg.icons[0].sizes, "300x300")
        self.assertEqual(reg.created_at, datetime.datetime(2025, 12, 1, 7, 58, 0, 123456, tzinfo=datetime.timezone.utc))
        self.assertIsNone(reg.settled_at)
        self.assertTrue(reg.active)
        self.assertEqual(reg.future_field, {"x": 1})  # a field added later
        self.assertEqual(reg.raw, self.REG)

    def test_event_with_records(self):
        ev = models.decode(bgfetch.Event, {
            "type": "backgroundfetchsuccess", "eventId": "3", "registration": self.REG,
            "records": [{"index": 0, "request": {"url": "http://h/a", "method": "GET", "headers": None},
                         "state": "success", "downloaded": 1, "total": 1, "error": "",
                         "response": {"status": 200, "statusText": "OK", "headers": {"A": "b"}, "size": 1,
                                      "path": "/p"}}]})
        self.assertEqual((ev.type, ev.event_id, ev.registration.id), (bgfetch.SUCCESS, "3", "ep-5"))
        rec = ev.records[0]
        self.assertEqual((rec.request.url, rec.request.headers, rec.response.status_text), ("http://h/a", {}, "OK"))

    def test_request_to_json(self):
        self.assertEqual(bgfetch.Request(url="http://h/u", method="POST", body=b"\x00\xff").to_json(),
                         {"url": "http://h/u", "method": "POST", "body": "AP8="})

    def test_times(self):
        self.assertEqual(models.parse_time("2025-01-02T03:04:05Z"),
                         datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc))
        self.assertIsNone(models.parse_time("yesterday"))
        self.assertIsNone(models.parse_time(None))

    def test_camel(self):
        self.assertEqual(models.camel("max_bytes_per_second"), "maxBytesPerSecond")
        self.assertEqual(models.camel("keepHistoryDays"), "keepHistoryDays")


class ErrorAnswerTests(unittest.TestCase):
    def test_names_pick_the_class(self):
        e = errors.from_answer(409, b'{"error": {"name": "InvalidStateError", "message": "released"}}')
        self.assertIsInstance(e, bgfetch.InvalidStateError)
        self.assertEqual((e.name, e.message, e.status), ("InvalidStateError", "released", 409))
        e = errors.from_answer(400, b'{"error": {"name": "TypeError", "message": "bad"}}')
        self.assertIsInstance(e, TypeError)
        e = errors.from_answer(418, b'{"error": {"name": "TeapotError", "message": "short and stout"}}')
        self.assertEqual((type(e), e.name), (bgfetch.Error, "TeapotError"))

    def test_an_answer_that_is_not_an_error_object(self):
        e = errors.from_answer(502, b"<html>bad gateway</html>")
        self.assertEqual(e.name, "UnknownError")
        self.assertIn("502", e.message)


if __name__ == "__main__":
    unittest.main()
