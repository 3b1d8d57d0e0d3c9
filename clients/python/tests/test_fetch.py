"""fetch(), get(), get_ids(), match(), match_all() and open_body() against
the real daemon, over its Unix socket and over loopback TCP."""

import base64
import datetime
import hashlib
import os
import tempfile
import unittest

from support import DaemonTestCase, bgfetch, content, wait_for


class FetchTests(DaemonTestCase):
    def test_fetch_one_url_to_success_with_exact_body(self):
        size = 300_000
        url = self.files.url(f"/bytes/one?size={size}")
        reg = self.c.fetch("ep-1", url, title="Episode 1",
                           icons=[bgfetch.Icon(src="https://example.com/i.png", sizes="300x300", type="image/png")],
                           download_total=size)
        self.assertTrue(reg.uid.startswith("r_"), reg.uid)
        self.assertEqual((reg.id, reg.app, reg.title, reg.download_total), ("ep-1", self.app, "Episode 1", size))
        self.assertEqual(reg.icons, [bgfetch.Icon(src="https://example.com/i.png", sizes="300x300", type="image/png")])
        self.assertIsInstance(reg.created_at, datetime.datetime)
        self.assertIsNone(reg.settled_at)
        self.assertEqual(reg.result, "")

        done = self.settled(reg.uid)
        self.assertEqual((done.result, done.failure_reason, done.state), ("success", "", "settled"))
        self.assertEqual(done.downloaded, size)
        self.assertTrue(done.records_available)
        self.assertIsInstance(done.settled_at, datetime.datetime)

        records = self.c.match_all(reg.uid)
        self.assertEqual(len(records), 1)
        rec = records[0]
        self.assertEqual((rec.index, rec.request.url, rec.request.method, rec.state), (0, url, "GET", "success"))
        self.assertEqual((rec.response.status, rec.response.status_text, rec.response.size), (200, "OK", size))
        self.assertEqual(rec.response.headers.get("Etag") or rec.response.headers.get("ETag"), f'"one-{size}"')
        with self.c.open_body(reg.uid, 0) as body:
            self.assertEqual(body.response_status, 200)
            self.assertEqual(body.length, size)
            data = body.read()
        self.assertEqual(data, content("one", size))

    def test_requests_as_strings_dicts_and_request_objects(self):
        upload = os.urandom(70_000)
        plain = self.files.url("/bytes/plain?size=1000")
        with_header = self.files.url("/bytes/hdr?size=2000")
        checked = self.files.url("/bytes/checked?size=3000")
        digest = "sha256-" + base64.b64encode(hashlib.sha256(content("checked", 3000)).digest()).decode()
        echo = self.files.url("/echo/up")
        reg = self.c.fetch("mixed", [
            plain,
            {"url": with_header, "headers": {"X-Test": "dict header"}},
            bgfetch.Request(url=checked, headers={"X-Test": "request header"}, integrity=digest),
            bgfetch.Request(url=echo, method="POST", body=upload, headers={"Content-Type": "application/x-test"}),
        ])
        self.assertEqual(reg.upload_total, len(upload))
        done = self.settled(reg.uid)
        self.assertEqual(done.result, "success", self.c.match_all(reg.uid))

        # What the file server received: the headers and the upload, byte-exact.
        self.assertEqual(self.files.hits("/bytes/hdr")[-1][2].get("X-Test"), "dict header")
        self.assertEqual(self.files.hits("/bytes/checked")[-1][2].get("X-Test"), "request header")
        method, _, headers, body = self.files.hits("/echo/up")[-1]
        self.assertEqual((method, headers.get("Content-Type"), body), ("POST", "application/x-test", upload))

        records = self.c.match_all(reg.uid)
        self.assertEqual([r.request.method for r in records], ["GET", "GET", "GET", "POST"])
        self.assertEqual(records[1].request.headers, {"X-Test": "dict header"})
        self.assertEqual(records[2].request.integrity, digest)
        expected = [content("plain", 1000), content("hdr", 2000), content("checked", 3000), upload]
        for rec, want in zip(records, expected):
            with self.c.open_body(reg.uid, rec.index) as body:
                self.assertEqual(body.read(), want, rec.request.url)

    def test_a_dict_body_of_bytes_is_uploaded(self):
        upload = b"\x00\x01 bytes of a dict \xff"
        reg = self.c.fetch("dict-upload", [{"url": self.files.url("/echo/dict"), "method": "PUT", "body": upload}])
        self.assertEqual(self.settled(reg.uid).result, "success")
        self.assertEqual(self.files.hits("/echo/dict")[-1][3], upload)
        with self.c.open_body(reg.uid, 0) as body:
            self.assertEqual(body.read(), upload)

    def test_integrity_mismatch_fails_the_fetch(self):
        wrong = "sha256-" + base64.b64encode(hashlib.sha256(b"something else").digest()).decode()
        reg = self.c.fetch("bad-digest", [bgfetch.Request(url=self.files.url("/bytes/dg?size=500"), integrity=wrong)])
        done = self.settled(reg.uid)
        self.assertEqual((done.result, done.failure_reason), ("failure", "fetch-error"))
        rec = self.c.match_all(reg.uid)[0]
        self.assertEqual(rec.state, "failed")
        self.assertIn("integrity", rec.error.lower())

    def test_bad_status_keeps_the_response_body(self):
        reg = self.c.fetch("missing", self.files.url("/status/404"))
        done = self.settled(reg.uid)
        self.assertEqual((done.result, done.failure_reason), ("failure", "bad-status"))
        rec = self.c.match(reg.uid, self.files.url("/status/404"))
        self.assertEqual(rec.response.status, 404)
        with self.c.open_body(reg.uid, 0) as body:
            self.assertEqual(body.response_status, 404)
            self.assertEqual(body.read(), b"status 404\n")

    def test_get_and_get_ids_see_active_fetches_only(self):
        fid = "season 1/episode #2"  # a slash, a space and a hash travel in the path
        reg = self.c.fetch(fid, self.files.url("/gate/getids?size=100000"))
        self.assertEqual(self.c.get_ids(), [fid])
        got = self.c.get(fid)
        self.assertEqual((got.uid, got.id), (reg.uid, fid))
        self.assertIsNone(self.c.get("some other id"))

        self.files.open_gate("getids")
        self.assertEqual(self.settled(reg.uid).result, "success")
        self.assertIsNone(self.c.get(fid))
        self.assertEqual(self.c.get_ids(), [])
        self.assertEqual(self.c.registration(reg.uid).id, fid)  # settled ones by uid
        # Once settled, the id may be used again.
        again = self.c.fetch(fid, self.files.url("/bytes/getids2?size=10"))
        self.assertNotEqual(again.uid, reg.uid)
        self.assertEqual(self.settled(again.uid).result, "success")

    def test_match_and_match_all_options(self):
        a = self.files.url("/bytes/ma?size=10&v=1")
        b = self.files.url("/bytes/mb?size=20")
        post = self.files.url("/echo/mc")
        reg = self.c.fetch("matching", [a, b, bgfetch.Request(url=post, method="POST", body=b"c")])
        self.assertEqual(self.settled(reg.uid).result, "success")

        self.assertEqual(self.c.match(reg.uid, a).index, 0)
        a_without_query = a.split("?")[0]
        self.assertIsNone(self.c.match(reg.uid, a_without_query))
        self.assertEqual(self.c.match(reg.uid, a_without_query, ignore_search=True).index, 0)
        self.assertEqual([r.index for r in self.c.match_all(reg.uid, b)], [1])
        # Cache API matching: only GET matches GET, unless the method is ignored.
        self.assertEqual(self.c.match_all(reg.uid, post), [])
        self.assertEqual(self.c.match_all(reg.uid, post, method="POST"), [])
        self.assertEqual([r.index for r in self.c.match_all(reg.uid, post, ignore_method=True)], [2])
        self.assertEqual([r.index for r in self.c.match_all(reg.uid, b, method="POST", ignore_method=True)], [1])
        self.assertIsNone(self.c.match(reg.uid, bgfetch.Request(url=post, method="POST")))
        self.assertEqual(self.c.match(reg.uid, bgfetch.Request(url=post, method="POST"), ignore_method=True).index, 2)
        self.assertEqual([r.index for r in self.c.match_all(reg.uid)], [0, 1, 2])

    def test_open_body_from_an_offset(self):
        size = 50_000
        reg = self.c.fetch("ranged", self.files.url(f"/bytes/rg?size={size}"))
        self.settled(reg.uid)
        with self.c.open_body(reg.uid, 0, offset=12_345) as body:
            self.assertEqual((body.offset, body.length), (12_345, size - 12_345))
            self.assertEqual(body.read(1000), content("rg", size)[12_345:13_345])
            self.assertEqual(body.read(), content("rg", size)[13_345:])

    def test_open_body_waits_for_a_record_still_transferring(self):
        size = 80_000
        reg = self.c.fetch("waiting-body", self.files.url(f"/gate/wb?size={size}"))
        wait_for(lambda: self.c.registration(reg.uid).downloaded > 0, what="the first half")
        import threading
        threading.Timer(0.3, self.files.open_gate, ["wb"]).start()
        with self.c.open_body(reg.uid, 0) as body:
            self.assertEqual(body.read(), content("wb", size))

    def test_destination_gets_the_file(self):
        dest = tempfile.mkdtemp(dir=self.tmp)
        reg = self.c.fetch("to-dest", self.files.url("/bytes/song.mp3?size=4096"), destination=os.path.relpath(dest))
        self.assertEqual(reg.destination, dest)  # made absolute for the daemon
        self.assertEqual(self.settled(reg.uid).result, "success")
        rec = self.c.match_all(reg.uid)[0]
        self.assertEqual(os.path.dirname(rec.response.path), dest)
        with open(rec.response.path, "rb") as f:
            self.assertEqual(f.read(), content("song.mp3", 4096))

    def test_release_makes_records_unavailable(self):
        reg = self.c.fetch("to-release", self.files.url("/gate/rel?size=2000"))
        with self.assertRaises(bgfetch.InvalidStateError) as cm:
            self.c.release(reg.uid)  # still active
        self.assertEqual((cm.exception.name, cm.exception.status), ("InvalidStateError", 409))
        self.files.open_gate("rel")
        self.settled(reg.uid)
        path = self.c.match_all(reg.uid)[0].response.path
        released = self.c.release(reg.uid)
        self.assertFalse(released.records_available)
        self.assertFalse(os.path.exists(path))
        for call in (lambda: self.c.match_all(reg.uid), lambda: self.c.match(reg.uid, "http://x/"),
                     lambda: self.c.open_body(reg.uid, 0)):
            with self.assertRaises(bgfetch.InvalidStateError):
                call()
        self.assertFalse(self.c.release(reg.uid).records_available)  # twice is fine

    def test_endpoint(self):
        self.assertEqual(self.c.endpoint.is_unix, self.listen is None)

    def test_unknown_fields_are_kept(self):
        reg = self.c.fetch("raw", self.files.url("/bytes/raw?size=10"))
        self.assertEqual(reg.raw["uid"], reg.uid)
        self.assertEqual(reg.all_get, reg.raw["allGet"])
        self.assertEqual(reg.known_total, reg.raw["knownTotal"])  # read through raw as snake_case
        with self.assertRaises(AttributeError):
            reg.no_such_field


class FetchTestsTCP(FetchTests):
    """The same over a loopback TCP endpoint."""

    listen = "tcp:127.0.0.1:0"


if __name__ == "__main__":
    unittest.main()
