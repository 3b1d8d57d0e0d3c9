"""Median latency of client calls against the real daemon, over the Unix
socket and over TCP (not a test; run: python3 clients/python/tests/bench_calls.py)."""

import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time

from support import Daemon, FileServer, bgfetch


def median_ms(fn, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    files = FileServer()
    size = 64 * 1024 * 1024
    for listen in (None, "tcp:127.0.0.1:0"):
        tmp = tempfile.mkdtemp(prefix="bgfetch-py-bench-")
        daemon = Daemon(tmp, listen).start()
        try:
            c = bgfetch.Client(data_dir=tmp)
            reg = c.fetch("big", files.url(f"/bytes/big?size={size}"))
            while not c.registration(reg.uid).result:
                time.sleep(0.05)
            n = [0]

            def fetch_one():
                n[0] += 1
                c.fetch(f"f{n[0]}", files.url("/bytes/small?size=10"))

            def read_body():
                with c.open_body(reg.uid, 0) as body:
                    while body.read(1 << 20):
                        pass

            kind = "unix" if listen is None else "tcp"
            print(f"{kind}: get_ids {median_ms(c.get_ids, 500):.3f} ms, registration {median_ms(lambda: c.registration(reg.uid), 500):.3f} ms, "
                  f"fetch {median_ms(fetch_one, 200):.3f} ms, "
                  f"64 MiB body {size / 2**20 / (median_ms(read_body, 5) / 1000):.0f} MiB/s (medians)")
        finally:
            daemon.stop()
            shutil.rmtree(tmp, ignore_errors=True)
    files.close()


if __name__ == "__main__":
    main()
