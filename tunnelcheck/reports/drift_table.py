"""The drift table: one model of "what changed since the baseline", rendered for each medium.

``tunnelcheck diff`` (text, Markdown, HTML), the Markdown summary and the HTML report all show a
:class:`tunnelcheck.drift.TenantDiff` through these functions, so the rows, the columns and the escaping
are decided once. Every value comes from a tenant and goes through :mod:`tunnelcheck.untrusted`.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING

from ..untrusted import for_html, for_markdown, for_terminal

if TYPE_CHECKING:  # drift renders its own diff command's output through this module
    from ..drift import TenantDiff

__all__ = ["COLUMNS", "DriftRow", "html_table", "markdown_table", "rows", "text_lines"]

COLUMNS = ("change", "object type", "object", "property", "baseline", "current")

_MARKS = {"added": "+", "removed": "-", "changed": "~"}


@dataclass(frozen=True)
class DriftRow:
    """One line of the table: a property changed, or an object added or removed as a whole."""

    change: str  # added, removed or changed
    kind: str
    object: str
    property: str
    baseline: str
    current: str


def rows(diff: TenantDiff) -> list[DriftRow]:
    """One row per property changed, and one for each object added or removed."""
    out = []
    for obj in diff.objects:
        if obj.status != "changed":
            out.append(DriftRow(obj.status, obj.kind, obj.label, "(object)",
                                "absent" if obj.status == "added" else "present", obj.status))
        out += [DriftRow(obj.status, obj.kind, obj.label, c.path, c.old_text,
                         f"{c.new_text} ({c.text})" if c.added or c.removed else c.new_text) for c in obj.changes]
    return out


def text_lines(diff: TenantDiff) -> list[str]:
    """For a terminal: each object with its changes beneath it, then the summary."""
    lines = []
    for obj in diff.objects:
        note = f" [{obj.note}]" if obj.note else ""
        lines.append(f"{_MARKS[obj.status]} {obj.kind} {obj.label}: {obj.status}{note}")
        lines += [f"    {c.path}: {c.text}" for c in obj.changes]
    if diff.objects:
        lines.append("")
    lines.append(diff.summary)
    return [for_terminal(line) for line in lines]


def markdown_table(diff: TenantDiff) -> list[str]:
    """The table as Markdown lines (none when nothing drifted)."""
    found = rows(diff)
    if not found:
        return []
    return ["| " + " | ".join(COLUMNS) + " |", "|---" * len(COLUMNS) + "|",
            *("| " + " | ".join(for_markdown(v) for v in astuple(row)) + " |" for row in found)]


def html_table(diff: TenantDiff, tenant: str | None = None) -> str:
    """The table as HTML ("" when nothing drifted); each row's class names its change."""
    found = rows(diff)
    if not found:
        return ""
    body = "".join(f'<tr class="tc-drift-{for_html(row.change)}">'
                   + "".join(f"<td>{for_html(v)}</td>" for v in astuple(row)) + "</tr>" for row in found)
    data = f' data-tenant="{for_html(tenant)}"' if tenant is not None else ""
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    return f'<table class="tc-drift"{data}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
