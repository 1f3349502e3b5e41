# pip's own requirements-file reader on a generated requirements.txt (argv[1]) and the constraints file it includes.
# stdin: {"requirements": [...], "constraints": [...]}, with, per line MlEnv wrote (in order),
# {"name", "extras", "specifier", "url", "marker", "hashes"}. Prints a JSON list of
# problems: every line must come back as exactly that requirement, with no option but its hashes, and no other line
# may appear (a second line, an option or a lost line is a problem). Markers are compared by evaluation.
import json
import random
import re
import sys
import zlib

from pip._internal.network.session import PipSession
from pip._internal.req.constructors import install_req_from_parsed_requirement
from pip._internal.req.req_file import RequirementsFileParser, build_parser, get_line_parser, handle_requirement_line
from pip._vendor.packaging.markers import Marker
from pip._vendor.packaging.specifiers import SpecifierSet
from pip._vendor.packaging.utils import canonicalize_name

VARIABLES = {
    "python_version": ["2.7", "3.8", "3.11", "3.12"],
    "python_full_version": ["3.8.1", "3.11.4", "3.12.0"],
    "os_name": ["posix", "nt"],
    "sys_platform": ["linux", "win32", "darwin"],
    "platform_release": ["5.15.0", "6.1.0"],
    "platform_system": ["Linux", "Windows"],
    "platform_version": ["#1 SMP", "1.0"],
    "platform_machine": ["x86_64", "aarch64"],
    "platform_python_implementation": ["CPython", "PyPy"],
    "implementation_name": ["cpython", "pypy"],
    "implementation_version": ["3.8.1", "3.12.0"],
    "extra": ["", "dev", "dev-tools", "a"],
}
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def evaluate(marker, text):
    literals = sorted({q[1:-1] for q in QUOTED.findall(text)})
    rnd = random.Random(zlib.crc32(text.encode()))
    out = []
    for _ in range(48):
        env = {k: rnd.choice(v + literals) for k, v in VARIABLES.items()}
        try:
            out.append(bool(marker.evaluate(env)))
        except Exception as e:
            out.append("error:" + type(e).__name__)
    return out


expected = json.load(sys.stdin)
# What a line sets beyond the defaults pip's line parser starts from is an option.
DEFAULTS = build_parser().get_default_values()
DEFAULTS.index_url = None
BASE = vars(DEFAULTS)


def set_options(opts):
    return {k: v for k, v in vars(opts).items() if v != BASE.get(k)}


problems = []
parser = RequirementsFileParser(PipSession(), get_line_parser(None))
try:
    lines = list(parser.parse(sys.argv[1], constraint=False))
except Exception as e:  # pip refusing the file is a failure like any other: report it, do not crash
    print(json.dumps([f"pip cannot read the file: {type(e).__name__}: {e}"]))
    sys.exit(0)
requirement_lines = [l for l in lines if l.is_requirement and not l.constraint]
constraint_lines = [l for l in lines if l.is_requirement and l.constraint]
# Option lines are allowed only as MlEnv writes them from the index configuration ("options" in the input).
want_options = expected.get("options") or {}
got_options = {"index_url": None, "extra_index_urls": [], "find_links": [], "pre": False}
for l in lines:
    if not l.is_requirement:
        for key, value in set_options(l.opts).items():
            if key == "index_url" and got_options["index_url"] is None:
                got_options["index_url"] = value[0] if isinstance(value, list) else value
            elif key in ("extra_index_urls", "find_links"):
                got_options[key] += value
            elif key == "pre":
                got_options["pre"] = value
            else:
                problems.append(f"line {l.lineno}: an option line {key}={value!r}")
want_full = {"index_url": None, "extra_index_urls": [], "find_links": [], "pre": False, **want_options}
if got_options != want_full:
    problems.append(f"options {got_options} != {want_full}")
for kind, got in (("requirements", requirement_lines), ("constraints", constraint_lines)):
    if len(got) != len(expected[kind]):
        problems.append(f"{len(got)} {kind} lines, expected {len(expected[kind])}")
for line, want in list(zip(requirement_lines, expected["requirements"])) + list(zip(constraint_lines, expected["constraints"])):
    where = f"line {line.lineno} ({line.requirement!r})"
    try:
        options = set_options(line.opts)
        hashes = sorted(f"{alg}:{h}" for alg, hs in (options.pop("hashes", None) or {}).items() for h in hs)
        if options:
            problems.append(f"{where}: options {options}")
        if hashes != sorted(want["hashes"]):
            problems.append(f"{where}: hashes {hashes} != {want['hashes']}")
        ireq = install_req_from_parsed_requirement(handle_requirement_line(line))
        req = ireq.req
        if req is None:
            problems.append(f"{where}: pip reads no named requirement (link {ireq.link})")
            continue
        if canonicalize_name(req.name) != want["name"]:
            problems.append(f"{where}: name {req.name}")
        extras = sorted({canonicalize_name(e) for e in (set(req.extras) | set(ireq.extras))})
        if extras != sorted(want["extras"]):
            problems.append(f"{where}: extras {extras}")
        if req.specifier != SpecifierSet(want["specifier"]):
            problems.append(f"{where}: specifier {req.specifier}")
        url = ireq.link.url if ireq.link is not None else None
        if req.url != want["url"] or (want["url"] is not None and url != want["url"]):
            problems.append(f"{where}: url {req.url} / link {url}")
        if want["marker"] is None:
            if ireq.markers is not None:
                problems.append(f"{where}: marker {ireq.markers}")
        elif ireq.markers is None or evaluate(ireq.markers, want["marker"]) != evaluate(Marker(want["marker"]), want["marker"]):
            problems.append(f"{where}: marker {ireq.markers} differs from {want['marker']}")
    except Exception as e:
        problems.append(f"{where}: {type(e).__name__}: {e}")
print(json.dumps(problems))
