"""The drift table: one model of "what changed since the baseline", rendered for each medium.

``tunnelcheck diff`` (text, Markdown, HTML), the Markdown summary and the HTML report all show a
:class:`tunnelcheck.drift.TenantDiff` through these functions, so the rows, the columns and the escaping
are decided once. Every value comes from a tenant and goes through :mod:`tunnelcheck.untrusted`.

What the changes are depends on the baseline, and each renderer takes it as a
:class:`tunnelcheck.drift.View`: drift (``--drift``, ``tunnelcheck diff``) in alarm colours, the changes
since the baseline (a phase gate) in neutral colours; the table's and rows' classes are the view's.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

from ..drift import DRIFT, TenantDiff, View
from ..untrusted import for_html, for_markdown, for_terminal

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


def text_lines(diff: TenantDiff, shown: View = DRIFT) -> list[str]:
    """For a terminal: each object with its changes beneath it, then the summary."""
    lines = []
    for obj in diff.objects:
        note = f" [{obj.note}]" if obj.note else ""
        lines.append(f"{_MARKS[obj.status]} {obj.kind} {obj.label}: {obj.status}{note}")
        lines += [f"    {c.path}: {c.text}" for c in obj.changes]
    if diff.objects:
        lines.append("")
    lines.append(shown.summary(diff))
    return [for_terminal(line) for line in lines]


def markdown_table(diff: TenantDiff) -> list[str]:
    """The table as Markdown lines (none when nothing drifted)."""
    found = rows(diff)
    if not found:
        return []
    return ["| " + " | ".join(COLUMNS) + " |", "|---" * len(COLUMNS) + "|",
            *("| " + " | ".join(for_markdown(v) for v in astuple(row)) + " |" for row in found)]


def html_table(diff: TenantDiff, tenant: str | None = None, shown: View = DRIFT) -> str:
    """The table as HTML ("" when nothing changed); the table's class is the view's (``tc-drift``,
    ``tc-changes``), each row's names its change (``tc-drift-added``, ``tc-changes-added``…)."""
    found = rows(diff)
    if not found:
        return ""
    body = "".join(f'<tr class="tc-{shown.name}-{for_html(row.change)}">'
                   + "".join(f"<td>{for_html(v)}</td>" for v in astuple(row)) + "</tr>" for row in found)
    data = f' data-tenant="{for_html(tenant)}"' if tenant is not None else ""
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    return f'<table class="tc-{shown.name}"{data}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
