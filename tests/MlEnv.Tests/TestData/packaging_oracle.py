# Reads JSON strings (one per line) and prints, for each, what `packaging` (the library pip uses) makes of it.
import json
import sys

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

results = []
for line in sys.stdin:
    text = json.loads(line)
    try:
        r = Requirement(text)
        results.append({
            "valid": True,
            "name": canonicalize_name(r.name),
            "extras": sorted({canonicalize_name(e) for e in r.extras}),
            "specifier": str(r.specifier),
            "marker": str(r.marker) if r.marker is not None else None,
            "url": r.url,
        })
    except Exception:  # packaging raises InvalidRequirement, and SyntaxError for some quoted strings
        results.append({"valid": False})
print(json.dumps(results))
