"""pytest-html integration, registered only when pytest-html is installed.

Each check's row gets its id, phase and platform as columns, and an extra holding the reason, the
evidence table and the remediation. The environment table names each tenant, its source and the
snapshot digest: never a secret (credentials are not part of any of these).
"""

from __future__ import annotations

from html import escape
from typing import Any

import pytest
from pytest_html import extras

from .plugin import RUN_KEY

_COLUMNS = ("Check", "Phase", "Platform")


def pytest_configure(config: pytest.Config) -> None:
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:  # pragma: no cover - pytest-html depends on pytest-metadata
        return
    state = config.stash.get(RUN_KEY, None)
    metadata = config.stash.get(metadata_key, None)
    if state is None or metadata is None:
        return
    for label, tenant in state.tenants.items():
        info = tenant.info
        prefix = f"Tenant {label}" if len(state.tenants) > 1 else "Tenant"
        metadata[prefix] = info.tenant_id or label
        metadata[f"{prefix} source"] = f"{info.kind}: {info.location}"
        if info.sha256:
            metadata[f"{prefix} snapshot sha256"] = info.sha256
        if info.recorded_at:
            metadata[f"{prefix} recorded at"] = info.recorded_at
    if state.baseline is not None:
        metadata["Baseline"] = f"{state.baseline.info.location} (sha256 {state.baseline.info.sha256 or 'none'})"
    metadata["Phase"] = state.phase.value if state.phase else "all"


def pytest_html_results_table_header(cells: list[str]) -> None:
    cells[1:1] = [f'<th class="sortable" data-column-type="{c.lower()}">{c}</th>' for c in _COLUMNS]


def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    record = getattr(report, "tunnelcheck", None) or {}
    values = (record.get("check_id", ""), record.get("phase", ""), record.get("platform") or "")
    cells[1:1] = [f'<td class="col-{c.lower()}">{escape(str(v))}</td>' for c, v in zip(_COLUMNS, values)]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    record = getattr(report, "tunnelcheck", None)
    if record is None or getattr(report, "_tunnelcheck_html", False):
        return
    report._tunnelcheck_html = True  # a report is logged once per phase; add the extra once
    report.extras = [*getattr(report, "extras", []), extras.html(render(record))]


def render(record: dict[str, Any]) -> str:
    """The extra for one result: title, outcome and reason, evidence table, remediation."""
    rows = "".join(
        f'<tr class="tc-{"ok" if f["ok"] else "fail"}">'
        f'<td>{"ok" if f["ok"] else "FAIL"}</td><td>{escape(f["object_type"])}</td>'
        f'<td>{escape(f["object_name"])}</td><td><code>{escape(f["object_id"])}</code></td>'
        f'<td>{escape(f["property"])}</td><td>{escape(f["value"])}</td><td>{escape(f["note"])}</td></tr>'
        for f in record["evidence"]
    )
    table = (
        '<table class="tc-evidence"><thead><tr><th>Verdict</th><th>Type</th><th>Name</th><th>Id</th>'
        f"<th>Property</th><th>Value</th><th>Note</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows else "<p><em>No objects inspected.</em></p>"
    )
    meta = " · ".join(escape(str(record.get(k) or "")) for k in ("phase", "platform", "severity", "tenant"))
    remediation = escape(" ".join(str(record.get("remediation") or "").split()))
    return (
        f'<div class="tc-result" data-check-id="{escape(record["check_id"])}">'
        f'<h3>{escape(record["check_id"])}: {escape(record["title"])}</h3><p>{meta}</p>'
        f'<p class="tc-reason"><strong>{escape(record["outcome"])}</strong>: {escape(record["reason"])}</p>'
        f"{table}"
        + (f'<p class="tc-remediation"><strong>Remediation:</strong> {remediation}</p>' if remediation else "")
        + "</div>"
    )
