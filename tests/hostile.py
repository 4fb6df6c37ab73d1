"""Hostile input for the report tests: the demo tenant with markup, Markdown links and terminal control
sequences in every string field whose format allows one, and files named like HTML.

Every string of the demo's resources gets one HTML payload and one text payload, chosen by a digest of the
string, so the same string (an id and the references to it, in the current snapshot and the baseline)
always becomes the same hostile string and the tenant still hangs together. Left as they are: ``@odata.type``,
the timestamps (the model parses them) and the few values that decide what an object *is* (connection
type, app identifiers, custom setting keys and values, assignment intent, server health): with those
hostile, most checks would merely skip, and their evidence tables would not render the payloads.

Each HTML payload would set ``window.__pwned`` if the browser ever parsed it as markup.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tunnelcheck.sources import snapshot

FLAG = "__pwned"

#: Markup that runs script when parsed as HTML: as element content, out of a double- or single-quoted
#: attribute, out of a table cell, out of an inline SVG's <title>, and inside a srcdoc.
HTML_PAYLOADS = (
    f"<img src=x onerror={FLAG}=1>",
    f"<svg onload={FLAG}=1>",
    f"<script>{FLAG}=1</script>",
    f'"><img src=x onerror={FLAG}=1>',
    f"'><details open ontoggle={FLAG}=1>",
    f"</code></td></tr></table><img src=x onerror={FLAG}=1>",
    f"</title></svg><img src=x onerror={FLAG}=1>",
    f'<iframe srcdoc="<script>parent.{FLAG}=1</script>">',
)

#: What would make a working link or image in Markdown, or drive a terminal.
TEXT_PAYLOADS = (
    "[a link](https://evil.example/l)",
    "![an image](https://evil.example/i.png)",
    "<https://evil.example/a>",
    "https://evil.example/bare www.evil.example",
    "&#91;entity link&#93;(https://evil.example/e)",
    "\x1b[2J\x1b[31mred",
    "\x1b]8;;https://evil.example/o\x1b\\OSC 8 link\x1b]8;;\x1b\\",
    "\x9b31mC1 CSI",
    "\r\nPASSED forged line",
    "\u202eevil bidi",
    "\x07bell\x00nul\x7fdel",
)

#: What a terminal acts on (tab aside): C0 controls, DEL, C1 controls, line separators, bidi controls.
ACTIVE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

#: The demo's Field group: TUN-AND-02 fails on it alone (tests/e2e/tcharness.py), so a waiver of it waives.
FIELD_GROUP = "00000002-1111-4a2b-8c3d-672d616e642d"

#: A user's check (a test file) that lists every group, by its (hostile) name, as failing evidence.
USER_CHECK = '''
import pytest


@pytest.mark.tunnelcheck(id="USR-GROUPS-01", title="every group listed", phase="inventory", needs=["groups"])
def test_groups(tenant, evidence):
    """Every group is listed as evidence (names from the tenant, shown in every output)."""
    for group_id, name in sorted(tenant.group_names.items()):
        evidence.fail(("group", group_id, name), "displayName", name, note=name)
    evidence.check()
'''

#: Keys whose values are kept: they decide what an object is (see the module docstring).
KEEP = frozenset({
    "@odata.type", "connectionType", "intent", "packageId", "appIdentifier", "bundleId", "identifier",
    "targetedPackageIds", "key", "value", "name", "tunnelServerHealthStatus",
})


def hostile(text: str) -> str:
    """``text`` with an HTML payload and a text payload appended, the same for the same ``text``."""
    n = zlib.crc32(text.encode("utf-8"))
    return f"{text}{HTML_PAYLOADS[n % len(HTML_PAYLOADS)]}{TEXT_PAYLOADS[(n >> 8) % len(TEXT_PAYLOADS)]}"


def html_part(text: str) -> str:
    """The part of ``hostile(text)`` that must show as text in the HTML report."""
    n = zlib.crc32(text.encode("utf-8"))
    return f"{text}{HTML_PAYLOADS[n % len(HTML_PAYLOADS)]}"


def _transform(value: Any, key: str | None = None) -> Any:
    if isinstance(value, Mapping):
        return {k: _transform(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_transform(v, key) for v in value]
    if isinstance(value, str) and key not in KEEP and not str(key).endswith("DateTime"):
        return hostile(value)
    return value


def _demo(name: str) -> dict[str, Any]:
    return json.loads(resources.files("tunnelcheck.demo").joinpath(name).read_text("utf-8"))


def hostile_document(name: str) -> dict[str, Any]:
    """The demo file ``name`` (contoso.json or baseline.json) made hostile, envelope included."""
    doc = _demo(name)
    doc.pop("sha256", None)
    doc["resources"] = _transform(doc["resources"])
    for key in ("recorded_at", "tenant_id", "source", "cloud"):
        doc[key] = hostile(doc[key])
    return doc


def write_snapshot(path: Path, name: str, *, sealed: bool = True) -> Path:
    """Write the hostile version of the demo file ``name`` to ``path``, sealed (its digest matches) or
    not (a hand-made snapshot: read with a warning that names the file)."""
    if sealed:
        snapshot.write(path, hostile_document(name))
    else:
        path.write_text(json.dumps(hostile_document(name)), encoding="utf-8")
    return path


def group_names() -> list[str]:
    """The demo's group names (the hostile snapshot holds ``hostile(name)`` of each)."""
    return [g["displayName"] for g in _demo("contoso.json")["resources"]["groups"]]


def render_gfm(markdown: str) -> str:
    """``markdown`` as GitHub renders it (cmark-gfm), raw HTML let through so that a test sees it."""
    cmarkgfm = pytest.importorskip("cmarkgfm", reason="cmarkgfm is in the test extra")
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)
