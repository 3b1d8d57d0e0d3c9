"""Every error of the API as its bgfetch.Error subclass; a rejected call
registers nothing."""

import unittest

from support import DaemonTestCase, bgfetch, wait_for


class ErrorTests(DaemonTestCase):
    def assert_nothing_registered(self, fid="a"):
        self.assertEqual(self.c.get_ids(), [])
        self.assertIsNone(self.c.get(fid))

    def test_bad_input_is_invalid_request_naming_the_problem(self):
        u = self.files.url("/bytes/never?size=1")
        cases = [
            (dict(id="", requests=[u]), "id must not be empty"),
            (dict(id="x" * 1025, requests=[u]), "1025 bytes"),
            (dict(id="a", requests=[]), "empty"),
            (dict(id="a", requests=["ftp://host/x"]), "only http and https"),
            (dict(id="a", requests=[f"http://user:pw@127.0.0.1:{self.files.port}/x"]), "credentials"),
            (dict(id="a", requests=["http://127.0.0.1:587/x"]), "port 587"),
            (dict(id="a", requests=[{"url": u, "integrity": "md5-abc"}]), "integrity"),
            (dict(id="a", requests=[{"url": u, "method": "GE T"}]), "method"),
            (dict(id="a", requests=[{"url": u, "body": "!not base64"}]), "base64"),
            (dict(id="a", requests=[{"url": u, "nope": 1}]), 'unknown field "nope"'),
            (dict(id="a", requests=[u], handler={"url": "http://example.com/hook"}), "loopback"),
            (dict(id="a", requests=[u], download_total=-1), "downloadTotal"),
            (dict(id="a", requests=[u], icons=[{"src": 5}]), "icons.src"),
            (dict(id=5, requests=[u]), "id must be a string"),
            # found before anything is sent
            (dict(id="a", requests=[u, 42]), "requests[1] must be a URL string"),
            (dict(id="a", requests=42), "requests must be a URL string"),
            (dict(id="a", requests=[u], title=object()), "title cannot be sent as JSON"),
        ]
        for kwargs, words in cases:
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(bgfetch.InvalidRequest) as cm:
                    self.c.fetch(**kwargs)
                e = cm.exception
                self.assertIsInstance(e, TypeError)
                self.assertIsInstance(e, bgfetch.Error)
                self.assertEqual(e.name, "TypeError")
                self.assertIn(words, e.message)
                self.assertIn(words, str(e))
                self.assert_nothing_registered()
        self.assertEqual(self.files.hits("/bytes/never"), [])

    def test_a_duplicate_active_id_is_refused(self):
        first = self.c.fetch("dup", self.files.url("/gate/dup?size=1000"))
        with self.assertRaises(bgfetch.InvalidRequest) as cm:
            self.c.fetch("dup", self.files.url("/bytes/dup2?size=10"))
        self.assertEqual(cm.exception.status, 409)
        self.assertEqual(self.c.get_ids(), ["dup"])
        self.assertEqual(self.c.get("dup").uid, first.uid)
        self.files.open_gate("dup")
        self.settled(first.uid)

    def test_quota_exceeded(self):
        with self.assertRaises(bgfetch.QuotaExceededError) as cm:
            self.c.fetch("a", self.files.url("/bytes/q?size=1"), download_total=2 ** 62)
        self.assertEqual((cm.exception.name, cm.exception.status), ("QuotaExceededError", 507))
        self.assertIn("downloadTotal", cm.exception.message)
        self.assert_nothing_registered()

    def test_not_found(self):
        for call in (lambda: self.c.registration("r_nope"), lambda: self.c.abort("r_nope"),
                     lambda: self.c.match_all("r_nope"), lambda: self.c.pause("r_nope"),
                     lambda: self.c.events(uid="r_nope")):
            with self.assertRaises(bgfetch.NotFoundError) as cm:
                call()
            self.assertEqual((cm.exception.name, cm.exception.status), ("NotFoundError", 404))

    def test_another_apps_registration_is_not_found(self):
        reg = self.c.fetch("mine", self.files.url("/bytes/mine?size=10"))
        other = bgfetch.Client(app=self.app + ".other", data_dir=self.data_dir)
        self.assertEqual(other.get_ids(), [])
        self.assertIsNone(other.get("mine"))
        with self.assertRaises(bgfetch.NotFoundError):
            other.registration(reg.uid)
        self.settled(reg.uid)

    def test_unknown_record_index_is_not_found(self):
        reg = self.c.fetch("idx", self.files.url("/bytes/idx?size=10"))
        self.settled(reg.uid)
        with self.assertRaises(bgfetch.NotFoundError):
            self.c.open_body(reg.uid, 7)

    def test_body_of_an_aborted_transfer_is_abort_error(self):
        reg = self.c.fetch("aborted-body", self.files.url("/gate/ab?size=100000"))
        wait_for(lambda: self.c.registration(reg.uid).downloaded > 0, what="the first half")
        self.assertTrue(self.c.abort(reg.uid))
        self.settled(reg.uid)
        with self.assertRaises(bgfetch.AbortError) as cm:
            self.c.open_body(reg.uid, 0)
        self.assertEqual((cm.exception.name, cm.exception.status), ("AbortError", 409))

    def test_wrong_token_is_not_allowed(self):
        self.c._transport._token = "0" * 64
        with self.assertRaises(bgfetch.NotAllowedError) as cm:
            self.c.get_ids()
        self.assertEqual(cm.exception.status, 401)

    def test_bad_app_name_is_invalid_request(self):
        c = bgfetch.Client(app="no spaces allowed", data_dir=self.data_dir)
        with self.assertRaises(bgfetch.InvalidRequest):
            c.get_ids()


if __name__ == "__main__":
    unittest.main()
