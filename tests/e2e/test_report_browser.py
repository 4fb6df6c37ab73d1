"""The demo's HTML report in a real browser (Debian's chromium driven by Playwright), fully offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from tcharness import Demo, needs_chromium, offline_page

pytestmark = needs_chromium


@pytest.fixture
def report(demo: Demo) -> Path:
    run = demo.run("--html=report.html", "--self-contained-html")
    assert run.outcomes["TUN-AND-02"] == "failed"
    return demo.pytester.path / "report.html"


def test_report_offline_filter_and_evidence(report: Path) -> None:
    requests: list[str] = []
    with offline_page(report, requests) as page:
        assert page.title() == "tunnelcheck: contoso"
        env = page.locator("#environment").inner_text()
        assert "Tenant snapshot sha256" in env and "contoso (6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10)" in env

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
        assert "1 Android Tunnel target(s) are not offered the Defender app" in \
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
