"""A PEP 517 (and PEP 660) build backend written with the standard library
only, for the bgfetch package.

pip builds in an isolated environment and would fetch setuptools from PyPI
for a usual pyproject.toml; this backend needs nothing (``requires = []``),
so ``pip install ./clients/python`` works offline. It builds a pure-Python
wheel (zipfile + dist-info METADATA, WHEEL, RECORD), an sdist (tar.gz with
PKG-INFO) and an editable wheel (a .pth file naming src/). Metadata comes
from pyproject.toml's [project] table.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import os
import tarfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "bgfetch"
SDIST_FILES = ["pyproject.toml", "README.md", "_build", "src", "tests"]


# --- pyproject.toml ---------------------------------------------------------

def parse_toml_subset(text: str) -> dict:
    """The tables of a TOML file written with `key = "string"`, `key =
    [strings]` (over several lines too), `[table]` headers and whole-line
    comments only, which is all pyproject.toml here uses; for Python 3.10,
    which has no tomllib."""
    doc: dict = {}
    table, key, value = doc, "", ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if value:  # inside a multi-line array
            value += " " + line
        elif line.startswith("["):
            table = doc
            for part in line.strip("[]").split("."):
                table = table.setdefault(part.strip(), {})
            continue
        else:
            key, _, value = (x.strip() for x in line.partition("="))
        if value.count("[") > value.count("]"):
            continue
        table[key] = ast.literal_eval(value.replace("true", "True").replace("false", "False"))
        value = ""
    return doc


def project() -> dict:
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    try:
        import tomllib
    except ImportError:  # Python 3.10
        return parse_toml_subset(text)["project"]
    return tomllib.loads(text)["project"]


def metadata(p: dict) -> str:
    """Core metadata 2.1 (the wheel's METADATA, the sdist's PKG-INFO)."""
    lines = ["Metadata-Version: 2.1", f"Name: {p['name']}", f"Version: {p['version']}",
             f"Summary: {p.get('description', '')}"]
    if "requires-python" in p:
        lines.append(f"Requires-Python: {p['requires-python']}")
    lines += [f"Requires-Dist: {d}" for d in p.get("dependencies", [])]
    lines += [f"Classifier: {c}" for c in p.get("classifiers", [])]
    lines += [f"Project-URL: {k}, {v}" for k, v in p.get("urls", {}).items()]
    readme = ""
    if "readme" in p:
        with open(os.path.join(ROOT, p["readme"]), encoding="utf-8") as f:
            readme = f.read()
        lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + readme


def _dist_name(p: dict) -> str:
    return f"{p['name'].replace('-', '_')}-{p['version']}"


# --- reproducible archives ---------------------------------------------------

def _epoch() -> int:
    return max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800)  # >= 1980


def _package_files() -> list[tuple[str, str]]:
    """(path in the wheel, path on disk) of the package's files."""
    out = []
    src = os.path.join(ROOT, "src")
    for dirpath, dirnames, filenames in os.walk(os.path.join(src, PACKAGE)):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py") or name == "py.typed":
                disk = os.path.join(dirpath, name)
                out.append((os.path.relpath(disk, src).replace(os.sep, "/"), disk))
    return out


class _Wheel:
    """A wheel being written: files plus the dist-info and RECORD."""

    def __init__(self, path: str, dist_info: str):
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        self._dist_info, self._record = dist_info, []
        self._date = time.gmtime(_epoch())[:6]

    def add(self, arcname: str, data: bytes) -> None:
        info = zipfile.ZipInfo(arcname, self._date)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self._zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self._record.append(f"{arcname},sha256={digest},{len(data)}")

    def close(self) -> None:
        record = f"{self._dist_info}/RECORD"
        self._record.append(f"{record},,")
        info = zipfile.ZipInfo(record, self._date)
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, "\n".join(self._record) + "\n", zipfile.ZIP_DEFLATED)
        self._zip.close()


def _dist_info_files(p: dict) -> dict[str, str]:
    return {
        "METADATA": metadata(p),
        "WHEEL": "Wheel-Version: 1.0\nGenerator: bgfetch_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "top_level.txt": PACKAGE + "\n",
    }


def _build(wheel_directory: str, contents: list[tuple[str, bytes]]) -> str:
    p = project()
    name = _dist_name(p)
    filename = f"{name}-py3-none-any.whl"
    dist_info = f"{name}.dist-info"
    wheel = _Wheel(os.path.join(wheel_directory, filename), dist_info)
    try:
        for arcname, data in contents:
            wheel.add(arcname, data)
        for fname, text in _dist_info_files(p).items():
            wheel.add(f"{dist_info}/{fname}", text.encode("utf-8"))
    finally:
        wheel.close()
    return filename


# --- PEP 517 / PEP 660 hooks -------------------------------------------------

def get_requires_for_build_wheel(config_settings=None) -> list:
    return []


def get_requires_for_build_sdist(config_settings=None) -> list:
    return []


def get_requires_for_build_editable(config_settings=None) -> list:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings=None) -> str:
    p = project()
    dist_info = f"{_dist_name(p)}.dist-info"
    os.makedirs(os.path.join(metadata_directory, dist_info), exist_ok=True)
    for fname, text in _dist_info_files(p).items():
        with open(os.path.join(metadata_directory, dist_info, fname), "w", encoding="utf-8") as f:
            f.write(text)
    return dist_info


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory: str, config_settings=None, metadata_directory=None) -> str:
    files = []
    for arcname, disk in _package_files():
        with open(disk, "rb") as f:
            files.append((arcname, f.read()))
    return _build(wheel_directory, files)


def build_editable(wheel_directory: str, config_settings=None, metadata_directory=None) -> str:
    """A wheel whose .pth file puts src/ on sys.path: edits take effect at once."""
    pth = (os.path.join(ROOT, "src") + "\n").encode("utf-8")
    return _build(wheel_directory, [(f"__editable__.{PACKAGE}.pth", pth)])


def build_sdist(sdist_directory: str, config_settings=None) -> str:
    p = project()
    name = _dist_name(p)
    filename = f"{name}.tar.gz"

    def normalize(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        if "__pycache__" in info.name.split("/") or info.name.endswith(".pyc"):
            return None
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = _epoch()
        info.mode = 0o755 if info.isdir() else 0o644
        return info

    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for entry in SDIST_FILES:
            path = os.path.join(ROOT, entry)
            if os.path.exists(path):
                tar.add(path, f"{name}/{entry}", filter=normalize)
        pkg_info = metadata(p).encode("utf-8")
        info = normalize(tarfile.TarInfo(f"{name}/PKG-INFO"))
        info.size = len(pkg_info)
        tar.addfile(info, io.BytesIO(pkg_info))
    return filename
