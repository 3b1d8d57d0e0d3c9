"""update(), retry(), registrations() and settings() (api.md "Transfer
control, history and settings")."""

import time
import unittest

from support import DaemonTestCase, bgfetch, content


class TransferControlTests(DaemonTestCase):
    def test_fetch_options_and_the_new_fields(self):
        reg = self.c.fetch("options", self.files.url("/bytes/options?size=100"), priority="high",
                           max_bytes_per_second=1_000_000, connections=2, metered="wait")
        self.assertEqual((reg.priority, reg.max_bytes_per_second, reg.connections, reg.metered),
                         ("high", 1_000_000, 2, "wait"))
        for key in ("priority", "maxBytesPerSecond", "connections", "metered", "speed", "waitReason", "retryOf"):
            self.assertIn(key, reg.raw)  # always present on output
        plain = self.c.fetch("plain", self.files.url("/bytes/plain?size=100"))
        self.assertEqual((plain.priority, plain.max_bytes_per_second, plain.connections, plain.retry_of),
                         ("normal", 0, 0, ""))

    def test_connections_split_a_file_into_ranges(self):
        size = 9 << 20  # ranges of at least 2 MiB each
        reg = self.c.fetch("segmented", self.files.url(f"/bytes/segmented?size={size}"), connections=4)
        self.assertEqual(self.settled(reg.uid).result, "success")
        with self.c.open_body(reg.uid, 0) as body:
            self.assertEqual(body.read(), content("segmented", size))
        ranges = {h[2].get("Range") for h in self.files.hits("/bytes/segmented") if h[0] == "GET"} - {None}
        self.assertGreaterEqual(len(ranges), 3, ranges)

    def test_bad_options_are_refused_naming_the_field(self):
        u = self.files.url("/bytes/never?size=1")
        for kwargs, field in [(dict(priority="urgent"), "priority"), (dict(max_bytes_per_second=-1), "maxBytesPerSecond"),
                              (dict(connections=17), "connections"), (dict(metered="sometimes"), "metered")]:
            with self.subTest(**kwargs):
                with self.assertRaises(bgfetch.InvalidRequest) as cm:
                    self.c.fetch("bad", u, **kwargs)
                self.assertIn(field, cm.exception.message)
                self.assertEqual(self.c.get_ids(), [])

    def test_update(self):
        reg = self.c.fetch("to-update", self.files.url("/gate/upd?size=10000"))
        changed = self.c.update(reg.uid, priority="low", max_bytes_per_second=50_000, connections=1, metered="allow")
        self.assertEqual((changed.priority, changed.max_bytes_per_second, changed.connections, changed.metered),
                         ("low", 50_000, 1, "allow"))
        self.assertEqual(self.c.registration(reg.uid).priority, "low")
        with self.assertRaises(bgfetch.InvalidRequest) as cm:
            self.c.update(reg.uid, priority="urgent", connections=2)
        self.assertIn("priority", cm.exception.message)
        after = self.c.registration(reg.uid)
        self.assertEqual((after.priority, after.connections), ("low", 1))  # nothing changed
        self.files.open_gate("upd")
        self.settled(reg.uid)
        with self.assertRaises(bgfetch.InvalidStateError):
            self.c.update(reg.uid, priority="high")

    def test_a_rate_limit_is_followed(self):
        size, rate = 300_000, 100_000
        start = time.monotonic()
        reg = self.c.fetch("limited", self.files.url(f"/bytes/limited?size={size}"), max_bytes_per_second=rate)
        self.settled(reg.uid, timeout=30)
        elapsed = time.monotonic() - start
        self.assertGreater(elapsed, (size / rate) * 0.6, "the cap was not applied")
        with self.c.open_body(reg.uid, 0) as body:
            self.assertEqual(body.read(), content("limited", size))

    def test_retry(self):
        failed = self.c.fetch("flaky", self.files.url("/status/404"), title="Flaky")
        self.assertEqual(self.settled(failed.uid).failure_reason, "bad-status")
        again = self.c.retry(failed.uid)
        self.assertNotEqual(again.uid, failed.uid)
        self.assertEqual((again.retry_of, again.id, again.title), (failed.uid, "flaky", "Flaky"))
        with self.assertRaises(bgfetch.InvalidStateError):
            self.c.retry(failed.uid)  # its id is active again
        self.settled(again.uid)

        ok = self.c.fetch("fine", self.files.url("/bytes/fine?size=10"))
        self.settled(ok.uid)
        with self.assertRaises(bgfetch.InvalidStateError):
            self.c.retry(ok.uid)  # succeeded

        aborted = self.c.fetch("cancelled", self.files.url("/gate/cancelled?size=10000"))
        self.c.abort(aborted.uid)
        self.settled(aborted.uid)
        self.files.open_gate("cancelled")
        retried = self.c.retry(aborted.uid)
        self.assertEqual(self.settled(retried.uid).result, "success")

    def test_registrations_page_through_the_history(self):
        uids = []
        for i in range(5):
            reg = self.c.fetch(f"hist-{i}", self.files.url(f"/bytes/hist-{i}?size=10"))
            self.settled(reg.uid)
            uids.append(reg.uid)
        active = self.c.fetch("hist-active", self.files.url("/gate/hist-active?size=1000"))
        newest_first = [active.uid] + uids[::-1]
        self.assertEqual([r.uid for r in self.c.registrations(state="all", limit=2)], newest_first)
        self.assertEqual([r.uid for r in self.c.registrations(state="settled", limit=3)], uids[::-1])
        self.assertEqual([r.uid for r in self.c.registrations()], [active.uid])
        with self.assertRaises(bgfetch.InvalidRequest):
            self.c.registrations(state="someday")  # refused at the call, not on the first next()
        with self.assertRaises(bgfetch.InvalidRequest):
            self.c.registrations(limit=0)
        self.files.open_gate("hist-active")
        self.settled(active.uid)

    def test_settings(self):
        before = self.c.settings()
        self.assertIsInstance(before.max_connections, int)
        self.assertIn(before.metered, ("allow", "wait"))
        window = {"days": ["sat", "sun"], "from": "22:00", "to": "06:00", "maxBytesPerSecond": 0, "paused": True}
        changed = self.c.update_settings(max_bytes_per_second=123_456, keep_history_days=7, schedule=[window])
        self.assertEqual((changed.max_bytes_per_second, changed.keep_history_days), (123_456, 7))
        self.assertEqual(changed.schedule[0]["from"], "22:00")
        self.assertEqual(self.c.settings().max_bytes_per_second, 123_456)
        with self.assertRaises(bgfetch.InvalidRequest) as cm:
            self.c.update_settings(metered="sometimes", max_bytes_per_second=1)
        self.assertIn("metered", cm.exception.message)
        self.assertEqual(self.c.settings().max_bytes_per_second, 123_456)  # nothing changed
        # They survive a restart.
        self.daemon.stop()
        self.daemon.start()
        self.assertEqual(self.c.settings().keep_history_days, 7)
        self.c.update_settings(max_bytes_per_second=before.max_bytes_per_second,
                               keep_history_days=before.keep_history_days, schedule=before.schedule)


if __name__ == "__main__":
    unittest.main()
