"""pytest-html integration, registered by the plugin only when pytest-html is installed and active.

Each check's row gets its id, title, phase, platform and severity as sortable columns, and an extra holding
the outcome and reason, the evidence table (failing rows marked) and the remediation. The environment table
names each tenant, its source and the snapshot digest: never a secret (credentials are not part of any of
these, and metadata entries whose name looks like a secret are redacted).

Every value that comes from a tenant, a token, a file or a file name is written through
:func:`tunnelcheck.untrusted.for_html`: in tunnelcheck's own cells and extras, and where pytest-html would
put it into the page as HTML unescaped (the environment table's values, the test id cell). The report's
title needs nothing: pytest-html's template escapes it.

The pytest-html hooks are ``optionalhook``: should this module ever be registered while pytest-html is
blocked (``-p no:html``), pytest must not refuse them as unknown hooks.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from pytest_html import extras

from ..run import RUN_KEY, RunState
from ..untrusted import for_html, for_terminal

__all__ = ["STYLE", "render"]

# (header, record key): the columns each row gets after "Result".
_COLUMNS = (("Check", "check_id"), ("Title", "title"), ("Phase", "phase"), ("Platform", "platform"),
            ("Severity", "severity"))

# Metadata names that may carry a credential, whoever put them there (--metadata, CI variables).
_SECRET_NAME = re.compile(r"secret|passw|token|credential|api.?key|private.?key|connection.?string|"
                          r"client.?cert|sas\b|signature", re.IGNORECASE)

#: Injected once, into the summary; pytest-html's own sheet greys body text, which suits no evidence table.
STYLE = """
<style>
.tc-result { color: #222; font-size: 13px; line-height: 1.4; padding: 4px 2px 8px; }
.tc-result h3 { margin: 2px 0 4px; font-size: 15px; color: #111; }
.tc-result p { margin: 4px 0; }
.tc-meta { color: #555; }
.tc-badge { display: inline-block; padding: 1px 7px; border-radius: 3px; font-weight: bold;
  font-size: 11px; text-transform: uppercase; color: #fff; margin-right: 6px; }
.tc-badge.tc-passed { background: #2e7d32; } .tc-badge.tc-failed, .tc-badge.tc-error { background: #c62828; }
.tc-badge.tc-skipped { background: #9e6a00; } .tc-badge.tc-waived { background: #6a1b9a; }
.tc-evidence { border-collapse: collapse; margin: 6px 0; width: 100%; table-layout: auto; }
.tc-evidence th { background: #eceff1; color: #222; text-align: left; }
.tc-evidence th, .tc-evidence td { border: 1px solid #cfd8dc; padding: 3px 6px; vertical-align: top; }
.tc-evidence td { color: #222; word-break: break-word; }
.tc-evidence tr.tc-fail td { background: #fdecea; }
.tc-evidence tr.tc-fail td.tc-verdict { color: #b71c1c; font-weight: bold; }
.tc-evidence tr.tc-ok td.tc-verdict { color: #2e7d32; }
.tc-evidence code { font-size: 11px; }
.tc-remediation { background: #e8f4fd; border-left: 4px solid #1976d2; padding: 6px 8px; }
.tc-summary { color: #222; }
td.col-check_id { color: #222; font-weight: bold; white-space: nowrap; } td.col-title { color: #222; }
/* A log emptied by pytest_html_results_table_html would leave an empty grey box and its expander. */
.extra .logwrapper:not(:has(.log)) { display: none; }
</style>
"""


# ---------------------------------------------------------------------------------------------------
# The environment table and title


def pytest_configure(config: pytest.Config) -> None:
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:  # pragma: no cover - pytest-html depends on pytest-metadata
        return
    state = config.stash.get(RUN_KEY, None)
    metadata = config.stash.get(metadata_key, None)
    if state is None or metadata is None:
        return
    metadata.update(environment(state, config.getoption("tunnelcheck_config")))


def environment(state: RunState, config_path: str | None) -> dict[str, str]:
    """The environment rows: each tenant, its source and digest, the baseline, phase and config file."""
    rows: dict[str, str] = {}
    for label, tenant in state.tenants.items():
        info = tenant.info
        prefix = f"Tenant {label}" if len(state.tenants) > 1 else "Tenant"
        rows[prefix] = f"{label} ({info.tenant_id})" if info.tenant_id else label
        source = f"{info.kind}: {info.location}"
        rows[f"{prefix} source"] = f"{source} ({info.description})" if info.description else source
        if info.kind == "snapshot":
            rows[f"{prefix} snapshot sha256"] = info.sha256 or "none (unsealed snapshot: not verified)"
        if info.recorded_at:
            rows[f"{prefix} recorded at"] = info.recorded_at
    if state.baseline is not None:
        info = state.baseline.info
        rows["Baseline"] = f"{info.location} (sha256 {info.sha256 or 'none'}, recorded {info.recorded_at or '?'})"
    rows["Phase"] = (state.phase.value if state.phase else "all") + (" + drift" if state.drift else "")
    if config_path:
        rows["tunnelcheck config"] = config_path
    rows["Checks in catalog"] = str(len(state.catalog))
    return rows


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # pytest-html reads the metadata at its (trylast) sessionstart: redact anything secret-looking first,
    # whichever plugin or option added it.
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:  # pragma: no cover
        return
    metadata = session.config.stash.get(metadata_key, None) or {}
    for key in list(metadata):
        if _SECRET_NAME.search(str(key)):
            metadata[key] = "(redacted)"


@pytest.hookimpl(optionalhook=True)
def pytest_html_report_title(report: Any) -> None:
    # pytest-html calls this right after taking the environment from the metadata.
    config = getattr(report, "_config", None)  # pytest-html's ReportData keeps its config privately
    if config is None:
        return
    config.stash[_REPORT_KEY] = report
    _environment_as_text(config)
    state = config.stash.get(RUN_KEY, None)
    if state is not None:
        report.title = for_terminal(f"tunnelcheck: {', '.join(state.tenants)}")  # the template escapes markup


_REPORT_KEY = pytest.StashKey[Any]()


def _environment_as_text(config: pytest.Config) -> None:
    """pytest-html writes the environment table's values into the page as HTML (innerHTML), whoever put
    them in the metadata (this plugin: tenant ids, sources, file names; --metadata; CI variables). Hand it
    a copy with every value escaped (the keys it writes as text: their control characters shown as
    for_html shows them); the metadata itself stays as it is for
    the terminal and JUnit XML. Called when pytest-html reads the metadata and again before it writes the
    final report, so values added during the run (pytest-xdist workers' metadata) are escaped too."""
    report = config.stash.get(_REPORT_KEY, None)
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:  # pragma: no cover - pytest-html depends on pytest-metadata
        return
    metadata = config.stash.get(metadata_key, None)
    if report is not None and metadata is not None:
        report.set_data("environment", {for_terminal(key): _as_html(value) for key, value in metadata.items()})


def _as_html(value: Any) -> Any:
    """An environment value as pytest-html's page script renders it: strings, and the keys and values of
    a mapping or the items of a list, as HTML; numbers, booleans and null as they are."""
    if isinstance(value, dict):
        return {for_html(k): _as_html(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_html(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float)) else for_html(value)


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(prefix: list[str], summary: list[str], postfix: list[str],
                                session: pytest.Session) -> None:
    _environment_as_text(session.config)  # pytest-html writes the final report right after this hook
    state = session.config.stash.get(RUN_KEY, None)
    if state is None:
        return
    prefix.append(STYLE)
    phase = state.phase.value if state.phase else "all phases"
    prefix.append(f'<p class="tc-summary">tunnelcheck on {for_html(", ".join(state.tenants))} '
                  f"({for_html(phase)}): each row is one check on one tenant; open a row for its reason, "
                  "evidence and remediation.</p>")
    if state.summary is not None:  # built by the results collector, whose sessionfinish runs before ours
        from .charts import dashboard

        postfix.append(dashboard(state.summary))


# ---------------------------------------------------------------------------------------------------
# The results table


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_header(cells: list[str]) -> None:
    cells[1:1] = [f'<th class="sortable" data-column-type="{key}">{title}</th>' for title, key in _COLUMNS]


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    # pytest-html puts the test id into its cell unescaped; a tenant's label (a snapshot's file name) and
    # a user's parameter ids are part of it. Its id as pytest-html builds it, escaped:
    test_id = report.nodeid if report.when == "call" else f"{report.nodeid}::{report.when}"
    cells[:] = [f'<td class="col-testId">{for_html(test_id)}</td>' if 'class="col-testId"' in cell else cell
                for cell in cells]
    record = getattr(report, "tunnelcheck", None) or {}
    # The class col-<key> is how pytest-html finds a sortable cell's value.
    cells[1:1] = [f'<td class="col-{key}">{for_html(str(record.get(key) or ""))}</td>' for _, key in _COLUMNS]


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_html(report: pytest.TestReport, data: list[str]) -> None:
    # A failed catalog check's log is its verdict as terminal text, which the extra already shows as a
    # table; drop it. Anything else (a traceback, captured output) stays.
    record = getattr(report, "tunnelcheck", None)
    if record and record["outcome"] == "failed" and report.longreprtext.startswith(
            for_terminal(f"{record['check_id']} {record['title']} [")):
        data[:] = [entry for entry in data if not html.unescape(entry).startswith(report.longreprtext)]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    record = getattr(report, "tunnelcheck", None)
    if record is None or getattr(report, "_tunnelcheck_html", False):
        return
    report._tunnelcheck_html = True  # a report is logged once per phase; add the extra once
    report.extras = [*getattr(report, "extras", []), extras.html(render(record))]


def _plan_links(record: dict[str, Any]) -> str:
    """--tunnelcheck-plan: a link to each step of the plan that resolves this check (plan.md)."""
    links = [f'<a href="{for_html(s["href"])}">step {int(s["number"])}: {for_html(s["title"])}</a>'
             for s in record.get("plan_steps") or []]
    return f'<p class="tc-plan"><strong>Plan:</strong> {", ".join(links)}</p>' if links else ""


def render(record: dict[str, Any]) -> str:
    """The extra for one result: title, outcome and reason, evidence table, remediation."""
    evidence = record.get("evidence") or []
    with_baseline = any("baseline" in f for f in evidence)
    head = ["Verdict", "Type", "Name", "Id", "Property", *(["Baseline"] if with_baseline else []), "Value", "Note"]
    rows = []
    for f in evidence:
        verdict = "ok" if f["ok"] else "FAIL"
        note = for_html(f["note"]) + (f" <em>(waived: {for_html(f['waived'])})</em>" if f.get("waived") else "")
        cells = [f'<td class="tc-verdict">{verdict}</td>', f"<td>{for_html(f['object_type'])}</td>",
                 f"<td>{for_html(f['object_name'])}</td>", f"<td><code>{for_html(f['object_id'])}</code></td>",
                 f"<td>{for_html(f['property'])}</td>",
                 *([f"<td>{for_html(str(f.get('baseline', '')))}</td>"] if with_baseline else []),
                 f"<td>{for_html(f['value'])}</td>", f"<td>{note}</td>"]
        rows.append(f'<tr class="tc-{"ok" if f["ok"] else "fail"}">{"".join(cells)}</tr>')
    failing = sum(1 for f in evidence if not f["ok"])
    table = (
        f'<table class="tc-evidence" data-failing="{failing}"><thead><tr>'
        f"{''.join(f'<th>{h}</th>' for h in head)}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows else '<p class="tc-no-evidence"><em>No objects inspected.</em></p>'
    )
    meta = " · ".join(for_html(str(record.get(k))) for k in ("phase", "platform", "severity", "tenant")
                      if record.get(k))
    remediation = for_html(" ".join(str(record.get("remediation") or "").split()))
    outcome = for_html(record["outcome"])
    return (
        f'<div class="tc-result" data-check-id="{for_html(record["check_id"])}" data-outcome="{outcome}">'
        f'<h3>{for_html(record["check_id"])}: {for_html(record["title"])}</h3>'
        f'<p class="tc-meta">{meta}</p>'
        f'<p class="tc-reason"><span class="tc-badge tc-{outcome}">{outcome}</span>{for_html(record["reason"])}</p>'
        f"{table}"
        + (f'<p class="tc-remediation"><strong>Remediation:</strong> {remediation}</p>' if remediation else "")
        + _plan_links(record) + "</div>"
    )
