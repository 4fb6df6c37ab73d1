"""The fleet page: one self-contained HTML file (inline CSS and script, no external resource) showing a
:class:`tunnelcheck.reports.fleet.Fleet` as a matrix, tenants × phases, furthest behind first.

Structure, top to bottom:

- the title and one line saying how many tenants are where; buttons "behind at PHASE: N" that filter on it;
- "Since the previous fleet run" (with ``--previous``): newly failing tenants with the checks, new, missing
  and no-longer-failing tenants;
- "Results unreadable": each file that could not be read and why;
- the filters (client-side script): "show tenants whose [phase] is [status]", "behind at [phase]", "newly
  failing only", a search on the name, and the order (furthest behind first, name, most failing);
- the matrix ``table#tc-fleet``: per tenant its name (a link to its report when one was found beside its
  results), tenant id, the phase it is behind at, then one cell per phase (``met``, ``failing N``,
  ``errors N``, ``not run``, ``results unreadable``) with its counts and failing checks as a tooltip.

Every value from a results file (names, ids, check ids, paths, reasons) goes through
:func:`tunnelcheck.untrusted.for_html`; links are relative paths, percent-encoded. The script reads only
``data-`` attributes and never writes markup; a Content-Security-Policy allows only this page's own
script (by its digest) and no resource at all, as a second line of defence.
"""

from __future__ import annotations

import base64
import hashlib
import os
import urllib.parse
from pathlib import Path

from ..untrusted import for_html as e
from .fleet import MIGRATION_PHASES, PHASES, STATUSES, Fleet, TenantRow, headline

__all__ = ["render_html"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#1f2328;font-size:14px}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.2em 0 .4em}
.tc-meta{color:#57606a}.tc-head button{margin:.2em .3em .2em 0;padding:.25em .6em;border:1px solid #d0d7de;
border-radius:4px;background:#f6f8fa;cursor:pointer;font:inherit}.tc-head button:hover{background:#eaeef2}
form{display:flex;flex-wrap:wrap;gap:.6em 1.2em;align-items:center;margin:1em 0 .6em;padding:.6em .8em;
background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px}select,input{font:inherit}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.3em .55em;text-align:left;vertical-align:top}
#tc-fleet thead th{position:sticky;top:0;background:#eaeef2;z-index:1}
#tc-fleet td.tc-cell{white-space:nowrap;text-align:center;min-width:6.5em}#tc-fleet th,td.tc-behind{white-space:nowrap}
.tc-tenant a{font-weight:600}.tc-id{display:block;color:#57606a;font-size:.85em}
.tc-met{background:#dafbe1;color:#116329}.tc-failing{background:#ffebe9;color:#a40e26;font-weight:600}
.tc-errors{background:#fff8c5;color:#7d4e00;font-weight:600}.tc-not-run{background:#f6f8fa;color:#6e7781}
.tc-unreadable{background:#fbefff;color:#6e40c9;font-weight:600}
.tc-new{display:inline-block;margin-left:.35em;padding:0 .35em;border-radius:3px;background:#cf222e;color:#fff;
font-size:.75em;font-weight:700;vertical-align:middle}
table.tc-focus td.tc-cell{opacity:.45}table.tc-focus td.tc-cell.tc-focused{opacity:1;outline:2px solid #0969da}
ul.tc-list{margin:.3em 0;padding-left:1.4em}code{font-size:.9em}
"""

_SCRIPT = """(function () {
  var table = document.getElementById("tc-fleet"), body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var phase = document.getElementById("tc-phase"), status = document.getElementById("tc-status");
  var behind = document.getElementById("tc-behind"), fresh = document.getElementById("tc-new-only");
  var search = document.getElementById("tc-search"), order = document.getElementById("tc-order");
  var count = document.getElementById("tc-count");
  function cellStatuses(row, p) { return (row.getAttribute("data-" + p) || "").split(" "); }
  function shows(row) {
    if (behind.value && row.getAttribute("data-behind") !== behind.value) { return false; }
    if (fresh.checked && row.getAttribute("data-new") !== "1") { return false; }
    var q = search.value.trim().toLowerCase();
    if (q && row.getAttribute("data-search").indexOf(q) < 0) { return false; }
    if (!status.value) { return true; }
    var phases = phase.value ? [phase.value] : table.getAttribute("data-phases").split(" ");
    return phases.some(function (p) { return cellStatuses(row, p).indexOf(status.value) >= 0; });
  }
  function sorter() {
    if (order.value === "name") {
      return function (a, b) { return a.getAttribute("data-name").localeCompare(b.getAttribute("data-name")) ||
        Number(a.getAttribute("data-rank")) - Number(b.getAttribute("data-rank")); };
    }
    if (order.value === "failing") {
      return function (a, b) { return Number(b.getAttribute("data-failing")) - Number(a.getAttribute("data-failing")) ||
        Number(a.getAttribute("data-rank")) - Number(b.getAttribute("data-rank")); };
    }
    return function (a, b) { return Number(a.getAttribute("data-rank")) - Number(b.getAttribute("data-rank")); };
  }
  function update() {
    var shown = 0;
    rows.slice().sort(sorter()).forEach(function (row) {
      var visible = shows(row);
      row.hidden = !visible;
      if (visible) { shown += 1; }
      body.appendChild(row);
    });
    table.classList.toggle("tc-focus", Boolean(phase.value));
    Array.prototype.forEach.call(table.querySelectorAll("td.tc-cell"), function (cell) {
      cell.classList.toggle("tc-focused", cell.getAttribute("data-phase") === phase.value);
    });
    count.textContent = "showing " + shown + " of " + rows.length + " tenants";
  }
  [phase, status, behind, order].forEach(function (el) { el.addEventListener("change", update); });
  fresh.addEventListener("change", update);
  search.addEventListener("input", update);
  Array.prototype.forEach.call(document.querySelectorAll("button[data-behind]"), function (button) {
    button.addEventListener("click", function () { behind.value = button.getAttribute("data-behind"); update(); });
  });
  update();
})();
"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
_CSP = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_SCRIPT_HASH}'; img-src 'none'; "
        "base-uri 'none'; form-action 'none'")
_BEHIND_NAMES = {**{p: p for p in MIGRATION_PHASES}, "all-met": "every phase met", "unreadable": "results unreadable"}


def _href(target: str, page_dir: str) -> str:
    """A relative link from the page's folder to ``target``, percent-encoded (no scheme can sneak in)."""
    relative = os.path.relpath(os.path.abspath(target), page_dir)
    return urllib.parse.quote(Path(relative).as_posix(), safe="/")


def _tenant_cell(row: TenantRow, page_dir: str) -> str:
    name = e(row.name)
    if row.report:
        name = f'<a href="{e(_href(row.report, page_dir))}">{name}</a>'
    fresh = '<span class="tc-new" title="newly failing since the previous fleet run">new</span>' \
        if row.newly_failing else ""
    ident = row.tenant_id or (row.results if not row.unreadable else "")
    return (f'<td class="tc-tenant" title="{e(row.results)}">{name}{fresh}'
            + (f'<span class="tc-id">{e(ident)}</span>' if ident else "") + "</td>")


def _cell(row: TenantRow, phase: str) -> str:
    cell = row.cell(phase)
    if row.unreadable:
        tip = row.unreadable
    else:
        tip = ", ".join(f"{o} {cell.count(o)}" for o in ("passed", "failed", "error", "skipped", "waived"))
        if cell.failing_checks:
            tip += "; failing: " + ", ".join(cell.failing_checks)
    newly = [c for c in row.newly_failing if c in cell.failing_checks]
    if newly:
        tip += "; newly failing: " + ", ".join(newly)
    badge = '<span class="tc-new">new</span>' if newly else ""
    return (f'<td class="tc-cell tc-{cell.status}" data-phase="{phase}" data-status="{cell.status}" '
            f'title="{e(tip)}">{e(cell.text)}{badge}</td>')


def _row(rank: int, row: TenantRow, page_dir: str) -> str:
    statuses = " ".join(f'data-{p}="{" ".join(row.cell(p).statuses)}"' for p in PHASES)
    search = " ".join(x for x in (row.name, row.tenant_id or "", row.results) if x).lower()
    behind = _BEHIND_NAMES[row.behind]
    return (f'<tr data-rank="{rank}" data-name="{e(row.name.casefold())}" data-search="{e(search)}" '
            f'data-behind="{row.behind}" data-failing="{row.failing}" data-new="{1 if row.newly_failing else 0}" '
            f'data-key="{e(row.key)}" {statuses}>'
            f'<td class="tc-rank">{rank}</td>{_tenant_cell(row, page_dir)}<td class="tc-behind">{behind}</td>'
            + "".join(_cell(row, p) for p in PHASES) + "</tr>")


def _options(values: dict[str, str], first: str) -> str:
    return f'<option value="">{first}</option>' + "".join(f'<option value="{k}">{v}</option>' for k, v in values.items())


def _changes(fleet: Fleet) -> str:
    changes = fleet.changes
    if changes is None:
        return ""
    when = f" ({e(changes.previous_generated_at)})" if changes.previous_generated_at else ""
    parts = [(f'<section id="tc-changes"><h2>Since the previous fleet run</h2><p class="tc-meta">Compared with '
              f"<code>{e(Path(changes.previous).name)}</code>{when}: {e(changes.summary)}.</p>")]
    if changes.newly_failing:
        parts.append('<table id="tc-newly-failing"><thead><tr><th>newly failing tenant</th><th>behind at</th>'
                     "<th>checks failing now, not in the previous run</th></tr></thead><tbody>")
        parts += [f'<tr data-key="{e(r.key)}"><td>{e(r.name)}</td><td>{_BEHIND_NAMES[r.behind]}</td>'
                  f"<td>{e(', '.join(r.newly_failing))}</td></tr>" for r in changes.newly_failing]
        parts.append("</tbody></table>")
    for ident, heading, names in (
            ("tc-missing", "Missing: in the previous run, no readable results now", [n for _, n in changes.missing]),
            ("tc-new-tenants", "New since the previous run", [r.name for r in changes.new]),
            ("tc-recovered", "No longer failing", [r.name for r in changes.no_longer_failing])):
        if names:
            parts.append(f'<h3>{heading} ({len(names)})</h3><ul class="tc-list" id="{ident}">'
                         + "".join(f"<li>{e(n)}</li>" for n in names) + "</ul>")
    return "".join(parts) + "</section>"


def _unreadable(fleet: Fleet) -> str:
    if not fleet.unreadable:
        return ""
    items = "".join(f"<li><code>{e(r.results)}</code>: {e(r.unreadable)}</li>" for r in fleet.unreadable)
    return (f'<section id="tc-unreadable"><h2>Results unreadable ({len(fleet.unreadable)})</h2>'
            f'<ul class="tc-list">{items}</ul></section>')


def render_html(fleet: Fleet, page: str | os.PathLike[str]) -> str:
    """The fleet page that will be written at ``page`` (links to the tenants' reports are relative to it)."""
    page_dir = os.path.dirname(os.path.abspath(page))
    counts = fleet.behind_counts()
    buttons = "".join(f'<button type="button" data-behind="{k}">{_BEHIND_NAMES[k]}: {n}</button>'
                      for k, n in counts.items() if n)
    notes = "".join(f'<p class="tc-meta tc-note">{e(n)}</p>' for n in fleet.notes)
    phase_names = {p: p for p in PHASES}
    head = "".join(f'<th scope="col" data-phase="{p}">{p}</th>' for p in PHASES)
    rows = "\n".join(_row(n, row, page_dir) for n, row in enumerate(fleet.rows, 1))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(fleet.title)}</title><style>{_CSS}</style></head>
<body>
<header class="tc-head"><h1>{e(fleet.title)}</h1>
<p id="tc-headline">{e(headline(fleet))}. <span class="tc-meta">Generated {e(fleet.generated_at)}.</span></p>
<p>Behind at: {buttons}</p>{notes}</header>
{_changes(fleet)}
{_unreadable(fleet)}
<h2>Tenants, furthest behind first</h2>
<p class="tc-meta">Behind at: the earliest migration phase not met (failing, errors or not run); then the most
checks failing in that phase, then in all phases. A cell is met when its checks ran and none failed or errored.</p>
<form id="tc-filters" role="search">
<label>Show tenants whose <select id="tc-phase">{_options(phase_names, "any phase")}</select></label>
<label>is <select id="tc-status">{_options(STATUSES, "any status")}</select></label>
<label>Behind at <select id="tc-behind">{_options(_BEHIND_NAMES, "any phase")}</select></label>
<label><input type="checkbox" id="tc-new-only"> newly failing only</label>
<label>Tenant <input type="search" id="tc-search" placeholder="name or id"></label>
<label>Order <select id="tc-order"><option value="behind">furthest behind first</option>
<option value="name">name</option><option value="failing">most failing</option></select></label>
<output id="tc-count">{len(fleet.rows)} tenants</output>
</form>
<table id="tc-fleet" data-phases="{" ".join(PHASES)}">
<thead><tr><th scope="col">#</th><th scope="col">tenant</th><th scope="col">behind at</th>{head}</tr></thead>
<tbody>
{rows}
</tbody></table>
<script>{_SCRIPT}</script>
</body></html>
"""
