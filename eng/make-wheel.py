#!/usr/bin/env python3
"""Makes a minimal pure-Python wheel (METADATA, WHEEL, RECORD and one module) without network or build tools.

usage: make-wheel.py OUTDIR NAME VERSION [MODULE_SOURCE]
"""
import base64
import hashlib
import sys
import zipfile
from pathlib import Path


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def make_wheel(outdir, name, version, source=None):
    module = name.replace("-", "_").lower()
    dist = f"{module}-{version}"
    files = {
        f"{module}/__init__.py": (source or f'VERSION = "{version}"\n').encode(),
        f"{dist}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: mlenv-make-wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [record_line(p, d) for p, d in files.items()] + [f"{dist}.dist-info/RECORD,,"]
    files[f"{dist}.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    path = Path(outdir) / f"{dist}-py3-none-any.whl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        for p, d in files.items():
            info = zipfile.ZipInfo(p, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, d)
    return path


if __name__ == "__main__":
    print(make_wheel(*sys.argv[1:5]))
