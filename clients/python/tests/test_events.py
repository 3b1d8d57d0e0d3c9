"""events(): progress and durable events, stopping, resuming by
Last-Event-ID, and surviving a SIGKILLed daemon that starts again."""

import threading
import time
import unittest

from support import DaemonTestCase, bgfetch, wait_for


def durable(events, count, timeout=20.0):
    """The next count durable events of a stream made with a stop flag
    (which a watchdog sets after timeout)."""
    out = []
    watchdog = threading.Timer(timeout, events.stop.set)
    watchdog.start()
    try:
        for ev in events:
            if ev.type in bgfetch.DURABLE_TYPES:
                out.append(ev)
                if len(out) == count:
                    return out
    finally:
        watchdog.cancel()
    raise AssertionError(f"got {len(out)} of {count} durable events: {[(e.type, e.event_id) for e in out]}")


class EventsTests(DaemonTestCase):
    def test_progress_then_success(self):
        size = 200_000
        with self.c.events(stop=threading.Event()) as events:
            reg = self.c.fetch("ev", self.files.url(f"/gate/ev?size={size}"))
            progress = []
            for ev in events:
                if ev.registration.uid != reg.uid:
                    continue
                if ev.type == bgfetch.PROGRESS:
                    progress.append(ev)
                    if ev.registration.downloaded == size // 2:
                        self.files.open_gate("ev")
                if ev.type in bgfetch.DURABLE_TYPES:
                    break
        self.assertTrue(progress)
        self.assertTrue(all(p.event_id == "" for p in progress))
        self.assertEqual([p.registration.downloaded for p in progress],
                         sorted(p.registration.downloaded for p in progress))
        self.assertEqual(ev.type, bgfetch.SUCCESS)
        self.assertTrue(ev.event_id.isdigit())
        self.assertEqual((ev.registration.result, ev.registration.downloaded), ("success", size))
        self.assertEqual([r.response.status for r in ev.records], [200])
        self.assertEqual(events.last_event_id, ev.event_id)

    def test_uid_narrows_the_stream(self):
        a = self.c.fetch("narrow-a", self.files.url("/gate/na?size=1000"))
        b = self.c.fetch("narrow-b", self.files.url("/bytes/nb?size=1000"))
        self.settled(b.uid)
        with self.c.events(stop=threading.Event(), uid=a.uid) as events:
            self.c.click(b.uid)
            self.files.open_gate("na")
            got = durable(events, 1)
        self.assertEqual([(e.type, e.registration.uid) for e in got], [(bgfetch.SUCCESS, a.uid)])

    def test_last_event_id_replays_in_order(self):
        with self.c.events(stop=threading.Event()) as live:
            reg = self.c.fetch("replay", self.files.url("/bytes/replay?size=100"))
            first = durable(live, 1)[0]
            self.c.click(reg.uid)
            self.c.click(reg.uid)
            seen = [first] + durable(live, 2)
        with self.c.events(stop=threading.Event(), last_event_id=int(first.event_id) - 1) as again:
            replayed = durable(again, 3)
        self.assertEqual([e.event_id for e in replayed], [e.event_id for e in seen])
        self.assertEqual([e.type for e in replayed], [bgfetch.SUCCESS, bgfetch.CLICK, bgfetch.CLICK])
        self.assertEqual(sorted(int(e.event_id) for e in seen), [int(e.event_id) for e in seen])

    def test_an_event_sent_again_is_not_yielded_again(self):
        with self.c.events(stop=threading.Event()) as events:
            reg = self.c.fetch("dedupe", self.files.url("/bytes/dedupe?size=10"))
            first = durable(events, 1)[0]
            # Make the daemon send it again: resume from before it (the
            # stream's own cursor, set back by hand).
            events._parser.last_id = str(int(first.event_id) - 1)
            events.reconnect(after=0)
            self.c.click(reg.uid)
            second = durable(events, 1)[0]
        self.assertEqual((second.type, second.registration.uid), (bgfetch.CLICK, reg.uid))

    def test_stop_ends_the_iteration_within_a_second(self):
        stop = threading.Event()
        events = self.c.events(stop=stop)
        threading.Timer(0.2, stop.set).start()
        start = time.monotonic()
        self.assertEqual(list(events), [])
        elapsed = time.monotonic() - start
        self.assertLess(elapsed, 0.2 + events.TICK + 0.5)

    def test_close_from_another_thread(self):
        events = self.c.events(stop=threading.Event())
        threading.Timer(0.2, events.close).start()
        start = time.monotonic()
        self.assertEqual(list(events), [])
        self.assertLess(time.monotonic() - start, 0.2 + events.TICK + 0.5)


class RestartTests(DaemonTestCase):
    """The daemon is SIGKILLed and started again on the same data dir."""

    def test_events_survive_a_restart_without_loss_or_duplicates(self):
        before = self.daemon.endpoint()
        events = self.c.events(stop=threading.Event())
        a = self.c.fetch("before-kill", self.files.url("/bytes/bk?size=1000"))
        (a_success,) = durable(events, 1)
        self.assertEqual((a_success.type, a_success.registration.uid), (bgfetch.SUCCESS, a.uid))

        self.daemon.kill()
        with self.assertRaises(bgfetch.NotRunning):
            self.c.get_ids()
        self.daemon.start()
        if self.listen:
            self.assertNotEqual(self.daemon.endpoint(), before)  # another port

        # While the stream does not know yet that its daemon died, two more
        # durable events happen; the reconnect must bring exactly them.
        b = self.c.fetch("after-restart", self.files.url("/bytes/ar?size=1000"))
        self.settled(b.uid)
        self.c.click(a.uid)

        got = durable(events, 2)
        threading.Timer(1.5, events.stop.set).start()
        rest = [e for e in events if e.type in bgfetch.DURABLE_TYPES]  # anything more is a duplicate

        ids = [e.event_id for e in [a_success] + got + rest]
        self.assertEqual(len(ids), len(set(ids)), ids)
        self.assertEqual([(e.type, e.registration.uid) for e in got],
                         [(bgfetch.SUCCESS, b.uid), (bgfetch.CLICK, a.uid)])
        self.assertEqual(rest, [])
        self.assertEqual(events.last_event_id, got[-1].event_id)

    def test_calls_follow_the_daemon_to_its_new_endpoint(self):
        self.daemon.kill()
        self.daemon.start()
        reg = self.c.fetch("follow", self.files.url("/bytes/follow?size=10"))
        self.assertEqual(self.settled(reg.uid).result, "success")
        self.assertEqual(self.c.endpoint.text, self.daemon.endpoint())


class RestartTestsTCP(RestartTests):
    """Over TCP a restarted daemon picks another port (--listen tcp:…:0)."""

    listen = "tcp:127.0.0.1:0"


if __name__ == "__main__":
    unittest.main()
