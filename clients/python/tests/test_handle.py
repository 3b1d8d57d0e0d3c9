"""handle(): this process as the app's live handler (api.md "Live
handlers"), against the real daemon."""

import os
import signal
import subprocess
import sys
import threading
import time
import unittest

from support import CLIENT_DIR, DaemonTestCase, bgfetch, content, wait_for

HANDLER_SCRIPT = r"""
import sys, time, bgfetch
c = bgfetch.Client(app=sys.argv[1], data_dir=sys.argv[2])
def on_event(event):
    with open(sys.argv[3], "a") as f:
        f.write(f"{event.event_id} {event.type}\n")
    time.sleep(3600)  # killed here: received, never acknowledged
c.handle(on_event)
"""


class Recorder:
    """An on_event that records events and answers what answer() says."""

    def __init__(self, answer=lambda event, calls: None):
        self.events, self._answer, self._lock = [], answer, threading.Lock()

    def __call__(self, event):
        with self._lock:
            self.events.append(event)
            calls = len(self.events)
        return self._answer(event, calls)

    def of(self, uid):
        with self._lock:
            return [e for e in self.events if e.registration.uid == uid]


class HandlerTestCase(DaemonTestCase):
    """Helpers of the live handler tests."""

    def run_handler(self, on_event, **kwargs):
        """handle() in a thread, stopped (and joined) at the end of the test."""
        stop = threading.Event()
        errors = []

        def run():
            try:
                self.c.handle(on_event, stop, **kwargs)
            except BaseException as e:  # reported by the test
                errors.append(e)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()

        def finish():
            stop.set()
            thread.join(5)
            self.assertFalse(thread.is_alive(), "handle() did not return after stop")
            self.assertEqual(errors, [])

        self.addCleanup(finish)
        return stop, thread

    def succeeded(self, fid, name, size=1000, **kwargs):
        reg = self.c.fetch(fid, self.files.url(f"/bytes/{name}?size={size}"), **kwargs)
        self.assertEqual(self.settled(reg.uid).result, "success")
        return reg

    def handled(self, uid):
        return wait_for(lambda: not self.c.registration(uid).records_available, what=f"{uid} to be handled")


class HandleTests(HandlerTestCase):

    def test_an_event_that_settled_with_no_handler_waits_for_one(self):
        reg = self.succeeded("waited", "waited", size=5000)
        time.sleep(0.3)
        self.assertTrue(self.c.registration(reg.uid).records_available)  # nobody handled it

        bodies = {}

        def on_event(event, calls):
            with self.c.open_body(event.registration.uid, 0) as body:  # records are there while handling
                bodies[event.event_id] = body.read()
            return {"updateUI": {"title": "Episode ready to listen!",
                                 "icons": [bgfetch.Icon(src="https://example.com/done.png", sizes="64x64")]}}

        rec = Recorder(on_event)
        self.run_handler(rec)
        self.handled(reg.uid)
        (event,) = rec.of(reg.uid)
        self.assertEqual((event.type, event.registration.id), (bgfetch.SUCCESS, "waited"))
        self.assertEqual([r.response.status for r in event.records], [200])
        self.assertEqual(bodies[event.event_id], content("waited", 5000))
        after = self.c.registration(reg.uid)
        self.assertEqual(after.title, "Episode ready to listen!")
        self.assertEqual([i.src for i in after.icons], ["https://example.com/done.png"])

    def test_an_exception_means_the_event_comes_again(self):
        reg = self.succeeded("fails-once", "fails-once")
        still_available = []

        def answer(event, calls):
            if calls == 1:
                raise RuntimeError("the app could not handle it this time")
            still_available.append(self.c.registration(event.registration.uid).records_available)

        rec = Recorder(answer)
        with self.assertLogs("bgfetch", "ERROR") as logs:
            self.run_handler(rec, retry_base=0.1)
            self.handled(reg.uid)
        first, second = rec.of(reg.uid)
        self.assertEqual(first.event_id, second.event_id)
        self.assertEqual(still_available, [True])  # not handled after the exception
        self.assertIn("could not handle it this time", "\n".join(logs.output))

    def test_a_handler_killed_before_acknowledging_leaves_the_event_to_the_next(self):
        reg = self.succeeded("killed", "killed")
        seen = os.path.join(self.tmp, f"seen-{self.app}")
        env = dict(os.environ, PYTHONPATH=os.path.join(CLIENT_DIR, "src"))
        proc = subprocess.Popen([sys.executable, "-c", HANDLER_SCRIPT, self.app, self.data_dir, seen], env=env)
        def first_line():
            if os.path.exists(seen):
                with open(seen) as f:
                    return f.read().strip()

        try:
            line = wait_for(first_line, what="the first handler")
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        event_id, event_type = line.split()
        self.assertEqual(event_type, bgfetch.SUCCESS)
        self.assertTrue(self.c.registration(reg.uid).records_available)

        rec = Recorder()
        self.run_handler(rec)
        self.handled(reg.uid)
        self.assertEqual([e.event_id for e in rec.of(reg.uid)], [event_id])

    def test_an_event_handled_by_someone_else_meanwhile_is_fine(self):
        first = self.succeeded("elsewhere-1", "elsewhere-1")

        def answer(event, calls):
            if calls == 1:
                self.assertTrue(self.c.handled(event.event_id))  # "someone else"
                self.assertFalse(self.c.handled(event.event_id))  # a second time: 404

        rec = Recorder(answer)
        self.run_handler(rec)
        self.handled(first.uid)
        second = self.succeeded("elsewhere-2", "elsewhere-2")  # the handler goes on
        self.handled(second.uid)
        self.assertEqual([e.registration.uid for e in rec.events], [first.uid, second.uid])

    def test_events_of_a_registration_come_in_order(self):
        reg = self.succeeded("ordered", "ordered")
        self.c.click(reg.uid)
        self.c.click(reg.uid)
        rec = Recorder()
        self.run_handler(rec)
        wait_for(lambda: len(rec.of(reg.uid)) == 3, what="three events",
                 detail=lambda: [(e.type, e.event_id) for e in rec.of(reg.uid)])
        events = rec.of(reg.uid)
        self.assertEqual([e.type for e in events], [bgfetch.SUCCESS, bgfetch.CLICK, bgfetch.CLICK])
        self.assertEqual([int(e.event_id) for e in events], sorted(int(e.event_id) for e in events))

    def test_every_queued_event_arrives(self):
        # Each answer races the daemon's stream going back to wait: before
        # the fix of live.go's lost wake-up about half of these runs stalled.
        reg = self.succeeded("many", "many")
        clicks = 300
        for _ in range(clicks):
            self.c.click(reg.uid)
        rec = Recorder()
        self.run_handler(rec)
        wait_for(lambda: len(rec.of(reg.uid)) == clicks + 1, what=f"{clicks + 1} events",
                 detail=lambda: f"{len(rec.of(reg.uid))} arrived")
        ids = [int(e.event_id) for e in rec.of(reg.uid)]
        self.assertEqual(ids, sorted(set(ids)))

    def test_update_ui_refused_for_a_click_is_handled_all_the_same(self):
        reg = self.succeeded("clicked", "clicked")
        rec = Recorder(lambda event, calls: {"updateUI": {"title": "not for a click"}})
        with self.assertLogs("bgfetch", "WARNING"):
            self.run_handler(rec)
            self.handled(reg.uid)
            self.c.click(reg.uid)
            self.c.click(reg.uid)  # comes only once the first click was handled
            wait_for(lambda: len(rec.of(reg.uid)) == 3, what="both clicks")
        self.assertEqual([e.type for e in rec.of(reg.uid)], [bgfetch.SUCCESS, bgfetch.CLICK, bgfetch.CLICK])
        self.assertEqual(self.c.registration(reg.uid).title, "not for a click")  # from the success event

    def test_fetches_with_a_command_handler_are_not_given_to_it(self):
        own = self.succeeded("own-handler", "own-handler", handler={"command": ["/bin/true"]})
        self.handled(own.uid)  # the command handled it
        mine = self.succeeded("no-handler", "no-handler")
        rec = Recorder()
        self.run_handler(rec)
        self.handled(mine.uid)
        time.sleep(0.3)
        self.assertEqual([e.registration.uid for e in rec.events], [mine.uid])

    def test_other_apps_events_are_not_given_to_it(self):
        other = bgfetch.Client(app=self.app + ".other", data_dir=self.data_dir)
        theirs = other.fetch("theirs", self.files.url("/bytes/theirs?size=10"))
        wait_for(lambda: other.registration(theirs.uid).result, what="their fetch")
        rec = Recorder()
        self.run_handler(rec)
        mine = self.succeeded("mine", "mine")
        self.handled(mine.uid)
        self.assertEqual([e.registration.uid for e in rec.events], [mine.uid])
        self.assertTrue(other.registration(theirs.uid).records_available)

    def test_progress_goes_to_on_progress_only(self):
        size = 100_000
        progress = []
        rec = Recorder()
        self.run_handler(rec, on_progress=progress.append)
        time.sleep(0.3)  # connected
        reg = self.c.fetch("progressing", self.files.url(f"/gate/progressing?size={size}"))
        wait_for(lambda: any(p.registration.downloaded == size // 2 for p in progress), what="progress")
        self.files.open_gate("progressing")
        self.handled(reg.uid)
        self.assertEqual([e.type for e in rec.of(reg.uid)], [bgfetch.SUCCESS])
        self.assertTrue(all(p.type in (bgfetch.PROGRESS, "state") for p in progress))

    def test_stop_returns_within_a_second(self):
        stop = threading.Event()
        thread = threading.Thread(target=self.c.handle, args=(Recorder(), stop), daemon=True)
        thread.start()
        time.sleep(0.3)
        start = time.monotonic()
        stop.set()
        thread.join(5)
        self.assertFalse(thread.is_alive())
        self.assertLess(time.monotonic() - start, 1.5)


class HandleRestartTests(HandlerTestCase):
    """The daemon dies under a running handler and starts again."""

    def test_an_acknowledgement_lost_in_a_crash_is_sent_again_without_calling_back(self):
        reg = self.succeeded("crash", "crash")

        def answer(event, calls):
            if calls == 1:
                self.daemon.kill()  # the acknowledgement that follows cannot arrive
            return {"updateUI": {"title": "handled across a crash"}}

        rec = Recorder(answer)
        with self.assertLogs("bgfetch", "WARNING") as logs:
            self.run_handler(rec, retry_base=0.1)
            wait_for(lambda: rec.events, what="the event")
            time.sleep(0.5)
            self.daemon.start()
            self.handled(reg.uid)
        self.assertIn("could not acknowledge", "\n".join(logs.output))
        self.assertEqual(len(rec.of(reg.uid)), 1)  # de-duplicated by eventId
        self.assertEqual(self.c.registration(reg.uid).title, "handled across a crash")

        after = self.succeeded("after-crash", "after-crash")  # the handler reconnected
        self.handled(after.uid)
        self.assertEqual([e.registration.uid for e in rec.events], [reg.uid, after.uid])


class HandleRestartTestsTCP(HandleRestartTests):
    """The same over TCP, where the daemon comes back on another port."""

    listen = "tcp:127.0.0.1:0"


if __name__ == "__main__":
    unittest.main()
