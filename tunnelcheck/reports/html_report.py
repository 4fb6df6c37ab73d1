"""pytest-html integration, registered by the plugin only when pytest-html is installed and active.

The page opens with the status card (tunnelcheck.reports.status_card): per tenant, the gate's verdict, the next
step, the snapshot's age, the drift and the result diff; then the run's sources (each tenant's source and
snapshot digest, the baseline, the config: never a secret; credentials are not part of any of these, and
metadata entries whose name looks like a secret are redacted), and pytest-html's environment rows
(Python, platform, packages, plugins) collapsed. Each check's row gets its id, title, phase, platform and
severity as sortable columns (pytest-html's Duration and Links, empty for a check, are dropped), and an
extra holding the outcome and reason, the evidence table (failing rows marked) and the remediation; an
error's extra says instead which data could not be read and how to get it. Every time is UTC ISO 8601.

Every value that comes from a tenant, a token, a file or a file name is written through
:func:`tunnelcheck.untrusted.for_html`: in tunnelcheck's own cells and extras, and where pytest-html would
put it into the page as HTML unescaped (the environment table's values, the test id cell). The report's
title needs nothing: pytest-html's template escapes it.

The pytest-html hooks are ``optionalhook``: should this module ever be registered while pytest-html is
blocked (``-p no:html``), pytest must not refuse them as unknown hooks.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from pytest_html import extras

from ..run import RUN_KEY, RunState, run_summary
from ..untrusted import for_html, for_terminal
from . import status_card, times

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
.tc-evidence td { color: #222; }
.tc-evidence tr.tc-fail td { background: #fdecea; }
.tc-evidence tr.tc-fail td.tc-verdict { color: #b71c1c; font-weight: bold; }
.tc-evidence tr.tc-ok td.tc-verdict { color: #2e7d32; }
.tc-evidence code { font-size: 11px; }
.tc-remediation { background: #e8f4fd; border-left: 4px solid #1976d2; padding: 6px 8px; }
.tc-missing { background: #fbe9e7; border-left: 4px solid #6d0f0f; padding: 6px 8px; margin: 6px 0; }
.tc-missing ul { margin: 4px 0; padding-left: 20px; }
.tc-summary { color: #222; }
td.col-check_id { color: #222; font-weight: bold; } td.col-title { color: #222; }
/* Words wrap between words, never inside one; only ids (test ids, object ids) may break anywhere. Short
   one-word columns do not wrap at all. */
#results-table td, .tc-result { word-break: normal; overflow-wrap: normal; }
#results-table td.col-testId, .tc-result code { overflow-wrap: anywhere; }
#results-table td.col-testId { min-width: 12em; }
#results-table td.col-result, td.col-check_id, td.col-phase, td.col-platform, td.col-severity,
.filters span { white-space: nowrap; }
/* A log emptied by pytest_html_results_table_html would leave an empty grey box and its expander. */
.extra .logwrapper:not(:has(.log)) { display: none; }
/* pytest-html's rerun and retry filters (pytest-rerunfailures, pytest-retry) count nothing in a run of
   checks: hidden while empty (disabled). Its script needs the rerun box, so it stays in the page. */
.filters input[data-test-result="rerun"]:disabled, .filters input[data-test-result="rerun"]:disabled + span,
.filters input[data-test-result="retried"]:disabled, .filters input[data-test-result="retried"]:disabled + span {
  display: none; }
</style>
"""


# ---------------------------------------------------------------------------------------------------
# The top of the page: the status card, the run's sources, pytest-html's environment collapsed


_ROWS_KEY = pytest.StashKey[dict[str, str]]()  # tunnelcheck's environment rows: the card shows them
_REPORT_KEY = pytest.StashKey[Any]()  # pytest-html's ReportData
_CARD_ON_TOP_KEY = pytest.StashKey[bool]()  # pytest-html's page template took the card


def pytest_configure(config: pytest.Config) -> None:
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:  # pragma: no cover - pytest-html depends on pytest-metadata
        return
    state = config.stash.get(RUN_KEY, None)
    metadata = config.stash.get(metadata_key, None)
    if state is None or metadata is None:
        return
    rows = config.stash[_ROWS_KEY] = environment(state, config.getoption("tunnelcheck_config"))
    metadata.update(rows)  # the terminal's header and JUnit XML list them too


def _rows(config: pytest.Config) -> dict[str, str]:
    return config.stash.get(_ROWS_KEY, {})


def environment(state: RunState, config_path: str | None) -> dict[str, str]:
    """The run's sources: each tenant, its source and digest, the baseline, phase and config file."""
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
            rows[f"{prefix} recorded at"] = times.shown(info.recorded_at)
    if state.baseline is not None:
        info = state.baseline.info
        recorded = times.shown(info.recorded_at) if info.recorded_at else "?"
        rows["Baseline"] = f"{info.location} (sha256 {info.sha256 or 'none'}, recorded {recorded})"
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
        config.stash[_CARD_ON_TOP_KEY] = _put_card_on_top(config, state)


def _environment_as_text(config: pytest.Config) -> None:
    """pytest-html writes the environment table's values into the page as HTML (innerHTML), whoever put
    them in the metadata (--metadata; CI variables). Hand it a copy with every value escaped (the keys it
    writes as text: their control characters shown as for_html shows them), without tunnelcheck's own
    rows (the card shows those); the metadata itself stays as it is for the terminal and JUnit XML.
    Called when pytest-html reads the metadata and again before it writes the final report, so values
    added during the run (pytest-xdist workers' metadata) are escaped too."""
    report = config.stash.get(_REPORT_KEY, None)
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:  # pragma: no cover - pytest-html depends on pytest-metadata
        return
    metadata = config.stash.get(metadata_key, None)
    ours = _rows(config)
    if report is not None and metadata is not None:
        report.set_data("environment", {for_terminal(key): _as_html(value) for key, value in metadata.items()
                                        if key not in ours})


def _as_html(value: Any) -> Any:
    """An environment value as pytest-html's page script renders it: strings, and the keys and values of
    a mapping or the items of a list, as HTML; numbers, booleans and null as they are."""
    if isinstance(value, dict):
        return {for_html(k): _as_html(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_html(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float)) else for_html(value)


# pytest-html's page from the title to its environment table (pytest-html 4.1, 4.2), replaced by the card
# with the title and the report's time on top and the environment below it, collapsed. pytest-html's script
# binds a click to #environment-header and fills #environment: both stay, the header empty and hidden.
_PAGE_TOP = re.compile(r'<body>\s*<h1 id="title">\{\{ title \}\}</h1>.*?<table id="environment"></table>',
                       re.DOTALL)
_CARD_TOP = """<body>
    <section id="tc-status" class="tc-status">
      <h1 id="title">{{ title }}</h1>
      {{ tc_card|safe }}
      <p class="tc-generated">Report generated {{ date }} by
        <a href="https://pypi.python.org/pypi/pytest-html">pytest-html</a> v{{ version }}</p>
    </section>
    <div id="environment-header" hidden></div>
    <details id="tc-environment" class="tc-environment">
      <summary>Environment: Python, platform, packages, plugins</summary>
      <table id="environment"></table>
    </details>"""


class _Page:
    """pytest-html's page template with the card on top, rendered with what only tunnelcheck knows: the
    card, the report's time as UTC ISO 8601 and the count of checks (not pytest items) that ran."""

    def __init__(self, template: Any, values: Callable[[], dict[str, str]]) -> None:
        self.template = template
        self.values = values

    def render(self, **context: Any) -> str:
        return str(self.template.render(**{**context, **self.values()}))


def _put_card_on_top(config: pytest.Config, state: RunState) -> bool:
    """Give pytest-html's report (its plugin object; its template is private) the page with the card on
    top. False, with a warning, when its template is not one this knows: the card then opens the summary."""
    from pytest_html.basereport import BaseReport

    page = next((p for p in config.pluginmanager.get_plugins() if isinstance(p, BaseReport)), None)
    template = getattr(page, "_template", None)
    patched = _with_card_on_top(template) if template is not None else None
    if patched is None:
        warnings.warn(pytest.PytestWarning("tunnelcheck: this pytest-html's page template is not one tunnelcheck "
                                           "knows: the status card opens the summary instead of the page"))
        return False

    def values() -> dict[str, str]:
        data = page._report  # type: ignore[union-attr]  # pytest-html's ReportData
        summary = state.summary or run_summary(state)
        return {"tc_card": _card(config, state), "date": times.shown(summary.generated_at),
                "run_count": status_card.run_count(len(state.results), state.other_tests, data.total_duration,
                                                   data.running_state == "finished")}

    page._template = _Page(patched, values)  # type: ignore[union-attr]
    return True


def _with_card_on_top(template: Any) -> Any | None:
    env = template.environment
    try:
        source = env.loader.get_source(env, template.name)[0]
    except Exception:  # noqa: BLE001 - any template this cannot read is one it does not know
        return None
    top = _PAGE_TOP.search(source)
    return env.from_string(source[:top.start()] + _CARD_TOP + source[top.end():]) if top else None


def _card(config: pytest.Config, state: RunState) -> str:
    """The card (tunnelcheck.reports.status_card) and the stylesheets of the page's tunnelcheck parts."""
    summary = state.summary or run_summary(state)  # none yet: a report written during the run
    now = times.parse(summary.generated_at) or dt.datetime.now(dt.timezone.utc)
    statuses = status_card.build(summary.results, [t.info for t in state.tenants.values()],
                                 phase=state.phase.value if state.phase else None, now=now,
                                 order=list(state.catalog), drift=summary.drift, diff=summary.diff)
    return STYLE + status_card.STYLE + status_card.render(statuses, _rows(config))


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(prefix: list[str], summary: list[str], postfix: list[str],
                                session: pytest.Session) -> None:
    _environment_as_text(session.config)  # pytest-html writes the final report right after this hook
    state = session.config.stash.get(RUN_KEY, None)
    if state is None:
        return
    if not session.config.stash.get(_CARD_ON_TOP_KEY, False):
        prefix.append(f'<section id="tc-status" class="tc-status">{_card(session.config, state)}</section>')
    phase = state.phase.value if state.phase else "all phases"
    prefix.append(f'<p class="tc-summary">tunnelcheck on {for_html(", ".join(state.tenants))} '
                  f"({for_html(phase)}): each row is one check on one tenant; open a row for its reason, "
                  "evidence and remediation.</p>")
    if state.summary is not None:  # built by the results collector, whose sessionfinish runs before ours
        from .charts import dashboard

        postfix.append(dashboard(state.summary))


# ---------------------------------------------------------------------------------------------------
# The results table


def _says_something(cell: str) -> bool:
    """pytest-html's Duration (a snapshot's check takes no time worth showing) and Links (no check has
    one) columns say nothing for a check: dropped, header and cells."""
    return not re.search(r'data-column-type="duration"|>Links</th>|class="col-(duration|links)"', cell)


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_header(cells: list[str]) -> None:
    cells[:] = [cell for cell in cells if _says_something(cell)]
    cells[1:1] = [f'<th class="sortable" data-column-type="{key}">{title}</th>' for title, key in _COLUMNS]


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    # pytest-html puts the test id into its cell unescaped; a tenant's label (a snapshot's file name) and
    # a user's parameter ids are part of it. Its id as pytest-html builds it, escaped:
    test_id = report.nodeid if report.when == "call" else f"{report.nodeid}::{report.when}"
    cells[:] = [f'<td class="col-testId">{for_html(test_id)}</td>' if 'class="col-testId"' in cell else cell
                for cell in cells if _says_something(cell)]
    record = getattr(report, "tunnelcheck", None) or {}
    # The class col-<key> is how pytest-html finds a sortable cell's value.
    cells[1:1] = [f'<td class="col-{key}">{for_html(str(record.get(key) or ""))}</td>' for _, key in _COLUMNS]


#: What pytest-html logs for a test that logged nothing: a grey box that says so.
_NO_LOG = "No log output captured."


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_html(report: pytest.TestReport, data: list[str]) -> None:
    # Nothing logged: no box. A catalog check's failure text is its verdict as terminal text, and an error
    # naming its data says what the extra says: dropped. Anything else (a traceback, captured output) stays.
    record: dict[str, Any] = getattr(report, "tunnelcheck", None) or {}
    verdict_text = record.get("outcome") == "error" and bool(record.get("missing")) or (
        record.get("outcome") == "failed"
        and report.longreprtext.startswith(for_terminal(f"{record['check_id']} {record['title']} [")))
    data[:] = [entry for entry in data if entry != _NO_LOG
               and not (verdict_text and html.unescape(entry).startswith(report.longreprtext))]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    record = getattr(report, "tunnelcheck", None)
    if record is None or getattr(report, "_tunnelcheck_html", False):
        return
    # A report is logged once per phase: add the extra once. pytest-html reads ``extras`` off the report.
    setattr(report, "_tunnelcheck_html", True)  # noqa: B010 - TestReport declares neither attribute
    setattr(report, "extras", [*getattr(report, "extras", []), extras.html(render(record))])  # noqa: B010


def _plan_links(record: dict[str, Any]) -> str:
    """--tunnelcheck-plan: a link to each step of the plan that resolves this check (plan.md)."""
    links = [f'<a href="{for_html(s["href"])}">step {int(s["number"])}: {for_html(s["title"])}</a>'
             for s in record.get("plan_steps") or []]
    return f'<p class="tc-plan"><strong>Plan:</strong> {", ".join(links)}</p>' if links else ""


def _missing(record: dict[str, Any]) -> str:
    """An error's box: the data it could not read and how to get it (not the remediation: that fixes a
    failure, and nothing failed)."""
    items = [f'<li data-resource="{for_html(m["resource"])}"><code>{for_html(m["resource"])}</code>: '
             f"{for_html(m['problem'])}"
             + (f' (Graph permission <code>{for_html(m["permission"])}</code>)'
                if m.get("permission") and m["permission"] not in m["how_to_get"] else "")
             + f'. <strong>To get it:</strong> {for_html(m["how_to_get"])}.</li>'
             for m in record.get("missing") or []]
    if not items:
        return '<p class="tc-missing">The check could not run: the log below says why.</p>'
    return (f'<div class="tc-missing"><strong>Data the check could not read</strong>'
            f'<ul>{"".join(items)}</ul></div>')


def render(record: dict[str, Any]) -> str:
    """The extra for one result: title, outcome and reason, evidence table, and the remediation (a
    failure's) or the data that could not be read (an error's)."""
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
                 *([f"<td>{for_html(times.shown(str(f.get('baseline', ''))))}</td>"] if with_baseline else []),
                 f"<td>{for_html(times.shown(str(f['value'])))}</td>", f"<td>{note}</td>"]
        rows.append(f'<tr class="tc-{"ok" if f["ok"] else "fail"}">{"".join(cells)}</tr>')
    failing = sum(1 for f in evidence if not f["ok"])
    table = (
        f'<table class="tc-evidence" data-failing="{failing}"><thead><tr>'
        f"{''.join(f'<th>{h}</th>' for h in head)}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows else "" if record["outcome"] == "error"  # it inspected nothing because it could not run
        else '<p class="tc-no-evidence"><em>No objects inspected.</em></p>'
    )
    meta = " · ".join(for_html(str(record.get(k))) for k in ("phase", "platform", "severity", "tenant")
                      if record.get(k))
    remediation = for_html(" ".join(str(record.get("remediation") or "").split()))
    outcome = for_html(record["outcome"])
    if record["outcome"] == "error":
        remedy = _missing(record)
    else:
        remedy = f'<p class="tc-remediation"><strong>Remediation:</strong> {remediation}</p>' if remediation else ""
    return (
        f'<div class="tc-result" data-check-id="{for_html(record["check_id"])}" data-outcome="{outcome}">'
        f'<h3>{for_html(record["check_id"])}: {for_html(record["title"])}</h3>'
        f'<p class="tc-meta">{meta}</p>'
        f'<p class="tc-reason"><span class="tc-badge tc-{outcome}">{outcome}</span>{for_html(record["reason"])}</p>'
        f"{table}{remedy}" + _plan_links(record) + "</div>"
    )
