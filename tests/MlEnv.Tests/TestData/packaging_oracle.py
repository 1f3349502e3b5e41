# Reads one JSON value per line and prints, for each, what `packaging` (the library pip uses) makes of it.
# A value is a requirement string, or {"text": ..., "ours": {"specifier": ..., "marker": ...}}: then the oracle also
# says whether MlEnv's canonical specifier equals packaging's (as SpecifierSet compares) and whether MlEnv's canonical
# marker means the same as the input's, judged by EVALUATING both under many environments (printing them is not
# reliable: packaging 23 itself prints some markers wrongly, e.g. nested groups and values holding a quote).
import json
import random
import re
import sys
import zlib

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

VARIABLES = {
    "python_version": ["2.7", "3.6", "3.8", "3.11", "3.12", "4"],
    "python_full_version": ["2.7.18", "3.8.1", "3.11.4", "3.12.0", "3.12.0rc1"],
    "os_name": ["posix", "nt", "java"],
    "sys_platform": ["linux", "win32", "darwin", "cygwin"],
    "platform_release": ["5.15.0", "6.1.0-13-amd64", "10"],
    "platform_system": ["Linux", "Windows", "Darwin"],
    "platform_version": ["#1 SMP", "10.0.19041", "1.0"],
    "platform_machine": ["x86_64", "aarch64", "AMD64", "arm64"],
    "platform_python_implementation": ["CPython", "PyPy", "Jython"],
    "implementation_name": ["cpython", "pypy"],
    "implementation_version": ["3.8.1", "3.11.4", "3.12.0"],
    "extra": ["", "dev", "dev-tools", "test", "a"],
}
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def environments(texts, count=96):
    literals = sorted({q[1:-1] for t in texts if t for q in QUOTED.findall(t)})
    rnd = random.Random(zlib.crc32("\0".join(t or "" for t in texts).encode()))
    for _ in range(count):
        yield {k: rnd.choice(v + literals) for k, v in VARIABLES.items()}


def evaluate(marker, envs):
    out = []
    for env in envs:
        try:
            out.append(bool(marker.evaluate(env)))
        except Exception as e:  # an undefined comparison is an outcome too; both sides must agree on it
            out.append("error:" + type(e).__name__)
    return out


def analyse(value):
    text, ours = (value, None) if isinstance(value, str) else (value["text"], value.get("ours"))
    try:
        r = Requirement(text)
    except Exception:  # packaging raises InvalidRequirement, and SyntaxError for some quoted strings
        return {"valid": False}
    result = {
        "valid": True,
        "name": canonicalize_name(r.name),
        "extras": sorted({canonicalize_name(e) for e in r.extras}),
        "specifier": str(r.specifier),
        "marker": str(r.marker) if r.marker is not None else None,
        "url": r.url,
    }
    if ours is not None:
        try:
            result["specifierEqual"] = SpecifierSet(ours["specifier"]) == r.specifier
        except Exception as e:
            result["specifierEqual"] = False
            result["specifierError"] = str(e)
        theirs_marker, our_marker = r.marker, ours.get("marker")
        if theirs_marker is None or our_marker is None:
            result["markerAgrees"] = (theirs_marker is None) == (our_marker is None)
        else:
            try:
                envs = list(environments([text, our_marker]))
                result["markerAgrees"] = evaluate(theirs_marker, envs) == evaluate(Marker(our_marker), envs)
            except Exception as e:
                result["markerAgrees"] = False
                result["markerError"] = str(e)
    return result


results = [analyse(json.loads(line)) for line in sys.stdin]
print(json.dumps(results))
