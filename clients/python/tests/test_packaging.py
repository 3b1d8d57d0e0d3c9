"""The in-tree build backend, and `pip install --no-index ./clients/python`
into a fresh venv, used from there against the daemon."""

import base64
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile

from support import CLIENT_DIR, REPO, DaemonTestCase, content

sys.path.insert(0, os.path.join(CLIENT_DIR, "_build"))
import bgfetch_build  # noqa: E402

PACKAGE_FILES = sorted(
    f"bgfetch/{name}" for name in os.listdir(os.path.join(CLIENT_DIR, "src", "bgfetch"))
    if name.endswith(".py") or name == "py.typed")


class BackendTests(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="bgfetch-py-build-")

    def tearDown(self):
        import shutil
        shutil.rmtree(self.out, ignore_errors=True)

    def test_wheel(self):
        name = bgfetch_build.build_wheel(self.out)
        self.assertEqual(name, "bgfetch-0.1.0-py3-none-any.whl")
        with zipfile.ZipFile(os.path.join(self.out, name)) as whl:
            names = whl.namelist()
            dist = "bgfetch-0.1.0.dist-info/"
            self.assertEqual(sorted(n for n in names if not n.startswith(dist)), PACKAGE_FILES)
            self.assertIn("bgfetch/py.typed", names)
            wheel = whl.read(dist + "WHEEL").decode()
            self.assertIn("Tag: py3-none-any", wheel)
            self.assertIn("Root-Is-Purelib: true", wheel)
            meta = whl.read(dist + "METADATA").decode()
            for line in ("Metadata-Version: 2.1", "Name: bgfetch", "Version: 0.1.0", "Requires-Python: >=3.10"):
                self.assertIn(line + "\n", meta)
            self.assertIn("# bgfetch for Python", meta)  # the README as description
            rows = list(csv.reader(io.StringIO(whl.read(dist + "RECORD").decode())))
            self.assertEqual(sorted(r[0] for r in rows), sorted(names))
            for path, digest, size in rows:
                if path == dist + "RECORD":
                    self.assertEqual((digest, size), ("", ""))
                    continue
                data = whl.read(path)
                want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                self.assertEqual((digest, int(size)), (want, len(data)), path)

    def test_wheels_are_reproducible(self):
        first = bgfetch_build.build_wheel(self.out)
        with open(os.path.join(self.out, first), "rb") as f:
            a = f.read()
        os.remove(os.path.join(self.out, first))
        bgfetch_build.build_wheel(self.out)
        with open(os.path.join(self.out, first), "rb") as f:
            self.assertEqual(f.read(), a)

    def test_sdist(self):
        name = bgfetch_build.build_sdist(self.out)
        self.assertEqual(name, "bgfetch-0.1.0.tar.gz")
        with tarfile.open(os.path.join(self.out, name)) as tar:
            names = tar.getnames()
            pkg_info = tar.extractfile("bgfetch-0.1.0/PKG-INFO").read().decode()
        for path in ("pyproject.toml", "README.md", "_build/bgfetch_build.py", "tests/support.py",
                     *("src/" + f for f in PACKAGE_FILES)):
            self.assertIn("bgfetch-0.1.0/" + path, names)
        self.assertFalse([n for n in names if "__pycache__" in n or n.endswith(".pyc")])
        self.assertIn("Name: bgfetch\n", pkg_info)

    def test_the_toml_reader_of_python_3_10_agrees_with_tomllib(self):
        try:
            import tomllib
        except ImportError:
            self.skipTest("tomllib is Python 3.11+")
        with open(os.path.join(CLIENT_DIR, "pyproject.toml")) as f:
            text = f.read()
        self.assertEqual(bgfetch_build.parse_toml_subset(text), tomllib.loads(text))

    def test_the_version_is_the_packages(self):
        sys.path.insert(0, os.path.join(CLIENT_DIR, "src"))
        import bgfetch
        self.assertEqual(bgfetch_build.project()["version"], bgfetch.__version__)


SCRIPT = r"""
import hashlib, json, sys, time, bgfetch
c = bgfetch.Client(app="venv-test", data_dir=sys.argv[1])
reg = c.fetch(sys.argv[3], sys.argv[2])
while not c.registration(reg.uid).result:
    time.sleep(0.02)
with c.open_body(reg.uid, 0) as body:
    data = body.read()
print(json.dumps({"file": bgfetch.__file__, "result": c.registration(reg.uid).result,
                  "sha256": hashlib.sha256(data).hexdigest()}))
"""


class PipInstallTests(DaemonTestCase):
    """pip with no index at all: nothing may be fetched to build or install."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.venv = os.path.join(cls.tmp, "venv")
        subprocess.run([sys.executable, "-m", "venv", cls.venv], check=True)
        cls.python = os.path.join(cls.venv, "bin", "python")

    def pip(self, *args):
        env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
        env.pop("PYTHONPATH", None)
        proc = subprocess.run([self.python, "-m", "pip", *args], cwd=REPO, env=env, capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        return proc.stdout

    def use(self, name):
        size = 123_457
        proc = subprocess.run([self.python, "-c", SCRIPT, self.data_dir, self.files.url(f"/bytes/{name}?size={size}"),
                               name], cwd=self.tmp, capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = json.loads(proc.stdout)
        self.assertEqual(out["result"], "success")
        self.assertEqual(out["sha256"], hashlib.sha256(content(name, size)).hexdigest())
        return out["file"]

    def test_install_offline_then_use(self):
        self.pip("install", "--no-index", "--force-reinstall", "./clients/python")
        where = self.use("venv-dir")
        self.assertTrue(where.startswith(os.path.join(self.venv, "lib")), where)
        # pip built in the tree; nothing may be left behind in it
        self.assertFalse(os.path.exists(os.path.join(CLIENT_DIR, "build")))
        self.assertFalse([n for n in os.listdir(os.path.join(CLIENT_DIR, "src")) if n.endswith(".egg-info")])

    def test_install_the_sdist_offline(self):
        out = tempfile.mkdtemp(dir=self.tmp)
        sdist = os.path.join(out, bgfetch_build.build_sdist(out))
        self.pip("install", "--no-index", "--force-reinstall", sdist)
        self.assertTrue(self.use("venv-sdist").startswith(os.path.join(self.venv, "lib")))

    def test_editable_install(self):
        self.pip("install", "--no-index", "--force-reinstall", "-e", "./clients/python")
        self.assertEqual(self.use("venv-editable"), os.path.join(CLIENT_DIR, "src", "bgfetch", "__init__.py"))


if __name__ == "__main__":
    unittest.main()
