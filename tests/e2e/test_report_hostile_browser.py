"""A report no tenant data can script (issue 11), in a real browser (Debian's chromium, Playwright), offline.

A snapshot and a baseline with markup in every string field (tests/e2e/hostile.py), files named like HTML
(snapshot, baseline, config, earlier results, history), waiver text, a pytest-metadata value and a user's
check recording the hostile group names: the report shows all of it as text, and the flag every payload
would set stays unset. The same for a live tenant whose token's ``tid`` claim holds markup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from emulated import DEMO, SECRET_ENV, isolate, write_config
from hostile import (
    FIELD_GROUP,
    FLAG,
    HTML_PAYLOADS,
    USER_CHECK,
    group_names,
    hostile,
    html_part,
    write_snapshot,
)
from tcharness import needs_chromium, offline_page

from tunnelcheck.emulator import Emulator, Fault, TenantSpec

pytestmark = needs_chromium

SNAPSHOT = f"<svg onload={FLAG}=1>.json"
BASELINE = f"<img src=x onerror={FLAG}=1>.json"
CONFIG = f"<details open ontoggle={FLAG}=1>.yaml"
PREVIOUS = f"<img src=x onerror={FLAG}=1 alt=previous>.json"
HISTORY = ("<svg onload=__pwned=1 id=h1>.json", "<img src=x onerror=__pwned=1 id=h2>.json")
LABEL = SNAPSHOT.removesuffix(".json")
#: pytest-html lists a mapping's keys and values as HTML too.
NESTED = {"CI job": {HTML_PAYLOADS[0]: HTML_PAYLOADS[1], "list": [HTML_PAYLOADS[2]]}}



def _results(generated_at: str, records: list[dict[str, Any]]) -> str:
    return json.dumps({"tunnelcheck_results": 1, "generated_at": generated_at, "results": records})


def _write_inputs(folder: Path) -> None:
    write_snapshot(folder / SNAPSHOT, "contoso.json")
    write_snapshot(folder / BASELINE, "baseline.json")
    waivers = [
        {"check": "TUN-AND-02", "object": hostile(FIELD_GROUP), "reason": hostile("Field moves in January"),
         "owner": hostile("intune-team@contoso.com"), "expires": "2099-12-31"},
        {"check": "TUN-GW-02", "reason": hostile("never used"), "owner": hostile("nobody"), "expires": "2099-12-31"},
    ]
    # JSON is YAML: every hostile character survives as an escape.
    (folder / CONFIG).write_text(json.dumps({"migration": {"defender_features": False}, "waivers": waivers}),
                                 encoding="utf-8")
    gone = {"check_id": hostile("USR-GONE-01"), "title": hostile("a check that is gone"), "outcome": "failed",
            "reason": hostile("it failed"), "tenant": hostile("another tenant"), "evidence": []}
    was_failing = {"check_id": "TUN-GW-02", "tenant": LABEL, "title": hostile("earlier title"), "outcome": "failed",
                   "reason": hostile("earlier reason"), "evidence": []}
    (folder / PREVIOUS).write_text(_results(hostile("2026-11-25T07:00:00Z"), [gone, was_failing]), encoding="utf-8")
    (folder / "history").mkdir()
    for n, name in enumerate(HISTORY):
        (folder / "history" / name).write_text(_results(f"2026-11-2{n}T07:00:00Z{HTML_PAYLOADS[n]}", [gone]),
                                               encoding="utf-8")
    (folder / "test_user_groups.py").write_text(USER_CHECK, encoding="utf-8")


def _assert_inert(page: Any) -> None:
    """No payload ran, and none became an element."""
    page.get_by_text("Show all details").click()  # every extra in the DOM and visible
    page.wait_for_timeout(300)  # an onerror/onload/ontoggle fires asynchronously
    assert page.evaluate(f"() => window.{FLAG}") is None, "a payload ran script in the report"
    injected = page.evaluate("() => document.querySelectorAll('[onerror], [onload], [ontoggle], iframe, "
                             "details:not(#tc-sources):not(#tc-environment), img[src=\"x\"]').length")
    assert injected == 0, "a payload became an element"


@pytest.fixture
def hostile_report(pytester: pytest.Pytester) -> tuple[Path, dict[str, Any]]:
    _write_inputs(pytester.path)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--snapshot={SNAPSHOT}", f"--baseline={BASELINE}", "--drift",
        f"--tunnelcheck-config={CONFIG}", f"--tunnelcheck-previous={PREVIOUS}", "--tunnelcheck-history=history",
        "--tunnelcheck-json=results.json", "--tunnelcheck-markdown=summary.md",
        "--metadata", "CI branch", hostile("main"), f"--metadata-from-json={json.dumps(NESTED)}",
        "--html=report.html", "--self-contained-html",
        "test_user_groups.py")
    text = "\n".join(result.outlines + result.errlines)
    assert result.ret == 1, text
    assert "Traceback" not in text and "INTERNALERROR" not in text, text
    document = json.loads((pytester.path / "results.json").read_text("utf-8"))
    return pytester.path / "report.html", document


def test_hostile_snapshot_report_runs_no_script(hostile_report: tuple[Path, dict[str, Any]]) -> None:
    report, document = hostile_report
    outcomes = {r["check_id"]: r["outcome"] for r in document["results"]}
    # The payloads reached every part of the report: failing checks with evidence, a waived one, drift,
    # the result diff (a check that disappeared) and the trend.
    assert outcomes["TUN-AND-02"] == "waived" and outcomes["USR-GROUPS-01"] == "failed"
    assert outcomes["TUN-DRIFT-01"] == "failed" and list(outcomes.values()).count("failed") >= 10
    requests: list[str] = []
    with offline_page(report, requests) as page:
        _assert_inert(page)
        assert page.title() == f"tunnelcheck: {LABEL}"

        # The card, the run's sources and the environment: every value from the snapshot, baseline, file
        # names and metadata, as text.
        card = page.locator('#tc-status .tc-tenant').inner_text()
        assert html_part("6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10") in card and LABEL in card
        assert f"recorded_at is not a date-time: {html_part('2026-11-26T07:00:00Z')}" in card
        env = (page.locator("#tc-sources").text_content() or "") + (page.locator("#environment").text_content() or "")
        tenant_id, source, recorded_at = (html_part(v) for v in (
            "6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10", "tunnelcheck demo tenant (tools/build_demo.py)",
            "2026-11-26T07:00:00Z"))
        for shown in (LABEL, tenant_id, source, recorded_at, SNAPSHOT, BASELINE, CONFIG, html_part("main"),
                      f"{HTML_PAYLOADS[0]}: {HTML_PAYLOADS[1]}", HTML_PAYLOADS[2]):
            assert shown in env, shown

        # Test ids and the per-check extras: titles, evidence, waiver text; the user's check too.
        ids = page.locator("td.col-testId").all_inner_texts()
        assert f"tunnelcheck::TUN-AND-02[{LABEL}]" in ids
        assert f"test_user_groups.py::test_groups[{LABEL}]" in ids
        body = page.locator("body").inner_text()
        for name in group_names():
            assert html_part(name) in body, name
        waived = page.locator('.tc-result[data-check-id="TUN-AND-02"]').inner_text()
        assert html_part("Field moves in January") in waived and html_part("intune-team@contoso.com") in waived
        assert html_part(FIELD_GROUP) in waived

        # The dashboard: drift since the (hostile) baseline, the result diff, the trend's tooltips.
        drift = page.locator("table.tc-drift").inner_text()
        assert "<" in drift and FLAG in drift  # hostile names and ids of changed objects, as text
        assert BASELINE in page.locator(".tc-drift-summary").inner_text()
        diff = page.locator("table.tc-result-diff").inner_text()
        assert html_part("USR-GONE-01") in diff and html_part("a check that is gone") in diff
        assert PREVIOUS in page.locator(".tc-diff-summary").inner_text()
        tooltips = page.locator("svg.tc-trend circle title").all_text_contents()
        assert any(html_part("USR-GONE-01") in t and HTML_PAYLOADS[0] in t for t in tooltips), tooltips
    assert requests and all(url.startswith("file://") for url in requests), requests


def test_hostile_token_tid_report_runs_no_script(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """A live tenant whose access token's ``tid`` claim holds markup (the emulator signs what it is told),
    and a Graph error whose code holds markup (it becomes the reason of the checks that need the resource)."""
    isolate(monkeypatch)
    tid = f"6f1c2a4e<img src=x onerror={FLAG}=1>"
    # The tenant's id is the markup; the sign-in names it by its domain, and the token carries the id.
    with Emulator(TenantSpec(DEMO, tenant_id=tid, domain="contoso.onmicrosoft.com")) as emu:
        code = f"Bad<img src=x onerror={FLAG}=1>"
        emu.faults = [Fault("microsoftTunnelSites", status=400, body=json.dumps({"error": {"code": code}}), times=None)]
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, pytester.path / "cfg.yaml")
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--tenant", emu.domain, "--tunnelcheck-config", str(cfg),
            "--html=report.html", "--self-contained-html", "-m", "inventory")
    assert result.ret == 1, "\n".join(result.outlines + result.errlines)
    requests: list[str] = []
    with offline_page(pytester.path / "report.html", requests) as page:
        _assert_inert(page)
        assert f"contoso.onmicrosoft.com ({tid})" in (page.locator("#tc-sources").text_content() or "")
        assert f"contoso.onmicrosoft.com ({tid})" in page.locator("#tc-status .tc-tenant h2").inner_text()
        assert page.locator("#tc-status dd.tc-age").inner_text() == "live"
        reason = page.locator('.tc-result[data-check-id="TUN-GW-01"] .tc-reason').inner_text()
        assert f"HTTP 400 {code}" in reason
    assert requests and all(url.startswith("file://") for url in requests), requests
