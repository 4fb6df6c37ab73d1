"""The demo's HTML report in a real browser (Debian's chromium driven by Playwright), fully offline: the
status card opens the page, pytest-html's environment is collapsed below it, the table has no column or
box that says nothing for a check, every time is UTC ISO 8601, an error says what data it lacked, and no
word wraps mid-word."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from tcharness import MID_WORD_BREAKS_JS, PHASES, Demo, Run, needs_chromium, offline_page

from tunnelcheck.model.resources import Resource

pytestmark = needs_chromium

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture
def report(demo: Demo) -> Path:
    run = demo.run("--html=report.html", "--self-contained-html")
    assert run.outcomes["TUN-AND-02"] == "failed"
    return demo.pytester.path / "report.html"


def test_report_offline_filter_and_evidence(report: Path) -> None:
    requests: list[str] = []
    with offline_page(report, requests) as page:
        assert page.title() == "tunnelcheck: contoso"
        sources = page.locator("#tc-sources").text_content() or ""
        assert "Tenant snapshot sha256" in sources and "contoso (6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10)" in sources

        # Filter to the failed checks: untick every other outcome.
        for outcome in ("passed", "skipped", "xfailed", "xpassed", "error", "rerun"):
            box = page.locator(f'input.filter[data-test-result="{outcome}"]')
            if box.count() and box.is_enabled() and box.is_checked():
                box.uncheck()
        rows = page.locator("tbody.results-table-row")
        assert rows.count() == page.locator("tbody.results-table-row.failed").count() > 0
        checks = page.locator("tbody.results-table-row td.col-check_id").all_inner_texts()
        assert "TUN-AND-02" in checks and "TUN-AND-01" not in checks

        # Collapse all, then open one failed check: its evidence rows and remediation appear.
        page.get_by_text("Hide all details").click()
        row = page.locator("tbody.results-table-row", has=page.locator("td.col-check_id", has_text="TUN-AND-02"))
        extra = row.locator(".extras-row")
        assert not extra.is_visible()
        row.locator("td.col-check_id").click()
        extra.wait_for(state="visible")
        result = extra.locator('.tc-result[data-check-id="TUN-AND-02"]')
        assert result.locator("h3").inner_text() == \
            "TUN-AND-02: Defender for Endpoint is assigned to every Android Tunnel target"
        assert "1 Android Tunnel target is not offered the Defender app: SG-Tunnel-Android-Field" in \
            result.locator(".tc-reason").inner_text()
        failing = result.locator("tr.tc-fail")
        assert failing.count() == 1
        assert "SG-Tunnel-Android-Field" in failing.inner_text()
        assert failing.locator("td.tc-verdict").inner_text() == "FAIL"
        assert result.locator("tr.tc-ok").count() >= 1
        assert result.locator(".tc-remediation").inner_text().startswith(
            "Remediation: Assign the Microsoft Defender for Endpoint app")
        # The emptied log leaves no grey box behind.
        assert not extra.locator(".logwrapper").is_visible()

        shot = report.with_name("report.png")
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    assert requests, "the guard saw the page load"
    assert all(url.startswith("file://") for url in requests), requests


# ---------------------------------------------------------------------------------------------------
# The status card and the page around it


def _first_failing_in_phase_order(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The demo runs in catalog order (no -n): the first failing result of the earliest phase with one."""
    for phase in PHASES:
        failing = [r for r in results if r["phase"] == phase and r["outcome"] in ("failed", "error")]
        if failing:
            return failing[0]
    raise AssertionError("nothing failed")


@pytest.fixture
def gated(demo: Demo) -> tuple[Path, Run]:
    """A --phase profiles-created run of the demo, with its baseline."""
    run = demo.run("--phase=profiles-created", "--html=report.html", "--self-contained-html")
    assert run.document is not None and run.result.ret == 1
    return demo.pytester.path / "report.html", run


def test_status_card_opens_the_page_with_the_gate_and_next_step(gated: tuple[Path, Run]) -> None:
    report, run = gated
    assert run.document is not None
    results = run.document["results"]
    failing = sum(1 for r in results if r["outcome"] == "failed")
    errors = sum(1 for r in results if r["outcome"] == "error")
    assert failing and {r["phase"] for r in results} == set(PHASES[:3])
    requests: list[str] = []
    with offline_page(report, requests, width=1280) as page:
        # The card is the first thing in the page, above everything of pytest-html's.
        assert page.evaluate("() => document.body.firstElementChild.id") == "tc-status"
        card = page.locator("#tc-status")
        box = card.bounding_box()
        assert box is not None and box["y"] < 20 and box["y"] + box["height"] < 1000  # on the first screen
        for later in ("#tc-environment", "div.summary__data", "#results-table"):
            assert (page.locator(later).bounding_box() or {"y": 0})["y"] >= box["y"] + box["height"], later

        tenant = card.locator('.tc-tenant[data-tenant="contoso"]')
        assert "contoso (6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10)" in tenant.locator("h2").inner_text()
        gate = tenant.locator("dd.tc-gate")
        assert (gate.get_attribute("data-failing"), gate.get_attribute("data-errors"),
                gate.get_attribute("data-total")) == (str(failing), str(errors), str(len(results)))
        verdict = f"not met, {failing} failing" + (f", {errors} error" if errors else "")
        assert gate.inner_text().startswith(f"profiles-created: {verdict} (of {len(results)} checks)")
        assert tenant.get_attribute("data-met") == "false"

        first = _first_failing_in_phase_order(results)
        step = tenant.locator("dd.tc-next")
        assert step.get_attribute("data-check-id") == first["check_id"]
        assert " ".join(first["remediation"].split()) in step.inner_text()

        # The snapshot's age, at the report's time (the results' generated_at, which the page shows).
        recorded = dt.datetime(2026, 11, 26, 7, tzinfo=dt.timezone.utc)  # the demo's recorded_at
        generated = dt.datetime.strptime(run.document["generated_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=dt.timezone.utc)
        days = (generated - recorded) // dt.timedelta(days=1)
        assert days >= 2, "the demo snapshot is older than two days on any clock this runs on"
        assert tenant.locator("dd.tc-age").inner_text() == f"{days} days old (recorded 2026-11-26T07:00:00Z)"
        assert tenant.locator("dd.tc-diff-count").inner_text() == "no previous run"
        drift = run.document["drift"][0]
        assert tenant.locator("dd.tc-drift-count").inner_text().startswith(
            f"{len(drift['objects'])} objects changed since the baseline")
        # A gate against the pre-migration baseline: the migration's own changes, not drift.
        assert tenant.locator("dd.tc-drift-count").evaluate("e => e.previousElementSibling.textContent") == "Changes"
        assert card.locator(".tc-generated").inner_text().startswith(
            f"Report generated {run.document['generated_at']} by pytest-html")
        assert page.locator(".run-count").inner_text().startswith(f"{len(results)} checks ran in ")
        card.screenshot(path=str(report.with_name("card.png")))
    assert requests and all(url.startswith("file://") for url in requests), requests


def test_environment_is_collapsed_and_no_column_or_box_says_nothing(report: Path) -> None:
    requests: list[str] = []
    with offline_page(report, requests) as page:
        details = page.locator("details#tc-environment")
        assert details.get_attribute("open") is None and not page.locator("#environment").is_visible()
        env = page.locator("#environment").text_content() or ""
        for row in ("Python", "Platform", "Packages", "Plugins"):
            assert row in env
        assert "Tenant" not in env  # the run's sources are the card's
        details.locator("summary").click()
        page.locator("#environment").wait_for(state="visible")

        headers = page.locator("#results-table-head th").all_inner_texts()
        assert [h.strip() for h in headers] == ["Result", "Check", "Title", "Phase", "Platform", "Severity", "Test"]
        assert page.locator("td.col-duration, td.col-links").count() == 0

        page.get_by_text("Show all details").click()
        text = page.locator("body").inner_text()
        assert "No log output captured" not in text
        assert "rerun" not in text.lower() and "retried" not in text.lower()
        assert page.locator(".logwrapper:visible").count() == 0

        # One time format: every date-time shown is UTC ISO 8601 (the demo's TUN-IOS-06 evidence holds
        # one that Graph's "+00:00" form, and pytest-html wrote its own "01-Dec-2026 at 10:50:00").
        shown = re.findall(r"\d{4}-\d\d-\d\d[T ][\d:.]+\S*", text)
        assert shown and all(ISO_UTC.match(t) for t in shown), shown
        assert not re.search(r"\d\d-[A-Z][a-z]{2}-\d{4}", text)
        assert "2026-11-24T14:04:00Z" in page.locator('.tc-result[data-check-id="TUN-IOS-06"]').inner_text()
    assert requests and all(url.startswith("file://") for url in requests), requests


@pytest.mark.parametrize("width", [1280, 800])
def test_no_word_in_the_results_wraps_mid_word(report: Path, width: int) -> None:
    requests: list[str] = []
    with offline_page(report, requests, width=width) as page:
        page.get_by_text("Show all details").click()  # every extra, evidence table and remediation
        # Ids (the test id, evidence object ids) may break anywhere; every other word only between words.
        found = page.evaluate(MID_WORD_BREAKS_JS, ["#results-table", "td.col-testId, code"])
        assert found["words"] > 2000, found["words"]
        assert found["broken"] == []
        # ...and the page does not grow sideways to keep words whole (pytest-html's body is 800 px at least).
        assert page.evaluate("() => document.documentElement.scrollWidth") <= max(width, 808)


# ---------------------------------------------------------------------------------------------------
# An error is not a failure


def test_an_error_says_what_data_is_missing_not_the_remediation(demo: Demo) -> None:
    path = demo.pytester.path / "contoso.json"
    doc = json.loads(path.read_text("utf-8"))
    del doc["resources"][Resource.DETECTED_APPS.value]  # as if the app could not read the detected apps
    doc.pop("sha256")  # an edited snapshot is no longer sealed (a warning, not an error)
    path.write_text(json.dumps(doc), "utf-8")
    run = demo.run("--html=report.html", "--self-contained-html")
    record = run.record("TUN-DEV-01")
    assert record["outcome"] == "error"
    assert record["missing"] == [{
        "resource": Resource.DETECTED_APPS.value, "permission": Resource.DETECTED_APPS.permission,
        "problem": "not recorded in snapshot contoso.json",
        "how_to_get": "record the snapshot again (tunnelcheck record --tenant … -o FILE) with an application "
                      f"that holds the Graph permission {Resource.DETECTED_APPS.permission}"}]
    requests: list[str] = []
    with offline_page(demo.pytester.path / "report.html", requests) as page:
        page.get_by_text("Show all details").click()
        result = page.locator('.tc-result[data-check-id="TUN-DEV-01"]')
        assert result.get_attribute("data-outcome") == "error"
        box = result.locator(".tc-missing")
        text = box.inner_text()
        assert Resource.DETECTED_APPS.value in text and Resource.DETECTED_APPS.permission in text
        assert "record the snapshot again" in text
        assert result.locator(".tc-remediation").count() == 0
        assert " ".join(record["remediation"].split())[:60] not in result.inner_text()
        assert "No objects inspected" not in result.inner_text()
        # A failure keeps its remediation.
        assert page.locator('.tc-result[data-check-id="TUN-DEV-02"] .tc-remediation').is_visible()
        # The card counts the error apart from the failures.
        gate = page.locator('.tc-tenant[data-tenant="contoso"] dd.tc-gate')
        assert gate.get_attribute("data-errors") == "1"
        assert ", 1 error (of " in gate.inner_text()
    assert requests and all(url.startswith("file://") for url in requests), requests
