"""NotRunning: no daemon on the data dir, or one that died; and how the
data dir is found."""

import os
import shutil
import tempfile
import threading
import unittest
from unittest import mock

from support import Daemon, bgfetch


class NotRunningTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bgfetch-py-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def assert_says_how_to_start(self, e):
        self.assertEqual(e.name, "NotRunning")
        self.assertIn("bgfetch serve --headless", e.message)

    def test_no_endpoint_file(self):
        with self.assertRaises(bgfetch.NotRunning) as cm:
            bgfetch.Client(data_dir=self.tmp)
        self.assert_says_how_to_start(cm.exception)
        self.assertIn(os.path.join(self.tmp, "endpoint"), cm.exception.message)

    def test_a_killed_daemon(self):
        daemon = Daemon(self.tmp).start()
        c = bgfetch.Client(data_dir=self.tmp)
        self.assertEqual(c.get_ids(), [])
        daemon.kill()  # its endpoint file stays behind
        self.assertTrue(os.path.exists(daemon.endpoint_path))
        for call in (c.get_ids, lambda: c.get("x"), lambda: c.fetch("x", "http://127.0.0.1:8/"),
                     c.events, lambda: c.handle(lambda e: None, threading.Event())):
            with self.assertRaises(bgfetch.NotRunning) as cm:
                call()
            self.assert_says_how_to_start(cm.exception)
            self.assertIn(daemon.endpoint(), cm.exception.message)

    def test_a_stopped_daemon_removes_its_endpoint(self):
        daemon = Daemon(self.tmp).start()
        c = bgfetch.Client(data_dir=self.tmp)
        daemon.stop()
        with self.assertRaises(bgfetch.NotRunning) as cm:
            c.get_ids()
        self.assertIn("no " + daemon.endpoint_path, cm.exception.message)

    def test_the_data_dir_comes_from_the_environment(self):
        daemon = Daemon(self.tmp).start()
        self.addCleanup(daemon.stop)
        with mock.patch.dict(os.environ, {"BGFETCH_DATA_DIR": self.tmp}):
            c = bgfetch.Client()
        self.assertEqual(c.data_dir, self.tmp)
        self.assertEqual(c.get_ids(), [])


class DataDirTests(unittest.TestCase):
    """The OS default (Linux here): XDG_DATA_HOME, else ~/.local/share."""

    def test_resolution_order(self):
        with mock.patch.dict(os.environ, {"BGFETCH_DATA_DIR": "/from/env", "XDG_DATA_HOME": "/xdg"}):
            self.assertEqual(bgfetch.resolve_data_dir("/given"), "/given")
            self.assertEqual(bgfetch.resolve_data_dir(), "/from/env")
            del os.environ["BGFETCH_DATA_DIR"]
            self.assertEqual(bgfetch.resolve_data_dir(), "/xdg/bgfetch")
            os.environ["XDG_DATA_HOME"] = "relative/is/ignored"
            os.environ["HOME"] = "/home/someone"
            self.assertEqual(bgfetch.resolve_data_dir(), "/home/someone/.local/share/bgfetch")

    def test_other_systems(self):
        from bgfetch import _datadir
        with mock.patch.object(_datadir.sys, "platform", "darwin"), \
                mock.patch.dict(os.environ, {"HOME": "/Users/me"}):
            self.assertEqual(bgfetch.default_data_dir(), "/Users/me/Library/Application Support/bgfetch")
        with mock.patch.object(_datadir.sys, "platform", "win32"), \
                mock.patch.dict(os.environ, {"LocalAppData": "/c/Users/me/AppData/Local"}):
            self.assertEqual(bgfetch.default_data_dir(), os.path.join("/c/Users/me/AppData/Local", "bgfetch"))


if __name__ == "__main__":
    unittest.main()
