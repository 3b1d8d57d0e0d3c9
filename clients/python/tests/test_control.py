"""abort(), pause(), resume(), click() and the app's default handler."""

import unittest

from support import DaemonTestCase, bgfetch, content, wait_for


class ControlTests(DaemonTestCase):
    def started(self, uid):
        return wait_for(lambda: self.c.registration(uid).downloaded > 0, what="the first bytes")

    def test_abort(self):
        with self.c.events() as events:
            reg = self.c.fetch("to-abort", self.files.url("/gate/abort?size=200000"))
            self.started(reg.uid)
            self.assertTrue(self.c.abort(reg.uid))
            done = self.settled(reg.uid)
            self.assertEqual((done.result, done.failure_reason), ("failure", "aborted"))
            self.assertFalse(self.c.abort(reg.uid))  # once settled
            ev = next(e for e in events if e.type != bgfetch.PROGRESS and e.type != "state")
        self.assertEqual((ev.type, ev.registration.uid), (bgfetch.ABORT, reg.uid))
        self.assertTrue(ev.event_id)
        self.assertEqual(self.c.match_all(reg.uid)[0].state, "aborted")

    def test_pause_and_resume(self):
        size = 300_000
        reg = self.c.fetch("to-pause", self.files.url(f"/gate/pause?size={size}"))
        wait_for(lambda: self.c.registration(reg.uid).downloaded == size // 2, what="the first half")
        paused = self.c.pause(reg.uid)
        self.assertEqual(paused.state, "paused")
        self.assertEqual(self.c.registration(reg.uid).state, "paused")
        resumed = self.c.resume(reg.uid)
        self.assertNotEqual(resumed.state, "paused")
        self.files.open_gate("pause")
        done = self.settled(reg.uid)
        self.assertEqual((done.result, done.downloaded), ("success", size))
        with self.c.open_body(reg.uid, 0) as body:
            self.assertEqual(body.read(), content("pause", size))
        # The resumed transfer asked for the second half only.
        ranges = [h[2].get("Range") for h in self.files.hits("/gate/pause")]
        self.assertIn(f"bytes={size // 2}-", ranges)

    def test_pause_needs_get_requests_and_an_active_fetch(self):
        reg = self.c.fetch("upload", [bgfetch.Request(url=self.files.url("/echo/hold?hold=1"), method="POST",
                                                      body=b"x" * 100)])
        with self.assertRaises(bgfetch.InvalidStateError):
            self.c.pause(reg.uid)
        self.files.open_gate("hold")
        self.assertEqual(self.settled(reg.uid).result, "success")
        for call in (self.c.pause, self.c.resume):
            with self.assertRaises(bgfetch.InvalidStateError):
                call(reg.uid)

    def test_click(self):
        reg = self.c.fetch("to-click", self.files.url("/bytes/click?size=10"))
        self.settled(reg.uid)
        with self.c.events(uid=reg.uid) as events:
            clicked = self.c.click(reg.uid)
            self.assertEqual(clicked.uid, reg.uid)
            ev = next(e for e in events if e.type == bgfetch.CLICK)
        self.assertEqual(ev.registration.uid, reg.uid)

    def test_default_handler(self):
        self.assertIsNone(self.c.get_handler())
        handler = {"command": ["/bin/true", "--from-test"]}
        self.assertEqual(self.c.set_handler(handler), handler)
        self.assertEqual(self.c.get_handler(), handler)
        hook = {"url": "http://127.0.0.1:9/hook"}
        self.assertEqual(self.c.set_handler(hook), hook)
        with self.assertRaises(bgfetch.InvalidRequest):
            self.c.set_handler({"url": "http://example.com/hook"})
        self.assertEqual(self.c.get_handler(), hook)  # unchanged by the refused call
        self.c.delete_handler()
        self.assertIsNone(self.c.get_handler())


if __name__ == "__main__":
    unittest.main()
