#!/usr/bin/env python3
"""Rewrites the table of docs/diagnostics.md from Messages.resx and the severities in DiagnosticCatalog.cs.
A unit test fails when a code is missing from the page: run this after adding one."""
import html
import re
from pathlib import Path

root = Path(__file__).resolve().parent.parent
resx = (root / "src/MlEnv.Tasks/Diagnostics/Messages.resx").read_text()
catalog = (root / "src/MlEnv.Tasks/Diagnostics/DiagnosticCatalog.cs").read_text()
severity = {m[1]: m[2] for m in re.finditer(r'new\("(MLENV\d+)", ([\w.]+)\)', catalog)}
names = {"E": "error", "W": "warning"}
rows = [
    f"| {m[1]} | {names.get(severity.get(m[1], ''), 'message')} | {html.unescape(m[2]).replace(chr(10), ' ').replace('|', chr(92) + '|')} |"
    for m in re.finditer(r'<data name="(MLENV\d+)" xml:space="preserve"><value>(.*?)</value>', resx, re.S)
]
page = root / "docs/diagnostics.md"
text = page.read_text()
head = text[: text.index("| code | severity | message |")]
page.write_text(head + "| code | severity | message |\n|---|---|---|\n" + "\n".join(rows) + "\n")
