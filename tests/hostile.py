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
import zlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from tunnelcheck import snapshot

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
