"""The report's dashboard in a real browser (Debian's chromium, Playwright), offline: the migration
progress picture is visible above the table, with a bar per phase; the result diff and trend render; the
status card counts the same drift and result diff."""

from __future__ import annotations

from tcharness import Demo, needs_chromium, offline_page

from tunnelcheck.reports.summary import CATEGORIES
from tunnelcheck.wording import counted

pytestmark = needs_chromium


def test_progress_picture_is_visible(demo: Demo) -> None:
    history = demo.pytester.path / "history"
    history.mkdir()
    demo.run(json_name="history/earlier.json")
    run = demo.run("--drift", "--tunnelcheck-previous=history/earlier.json", "--tunnelcheck-history=history",
                   "--html=report.html", "--self-contained-html")
    assert run.document is not None
    phases = run.document["summary"]["phases"]
    report = demo.pytester.path / "report.html"
    requests: list[str] = []
    with offline_page(report, requests) as page:
        progress = page.locator("svg.tc-progress")
        progress.wait_for(state="visible")
        box = progress.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        table = page.locator("#results-table").bounding_box()
        assert table is not None and box["y"] + box["height"] <= table["y"]  # above the per-check rows
        bars = page.locator("svg.tc-progress g.tc-phase")
        assert [bars.nth(i).get_attribute("data-phase") for i in range(bars.count())] == list(phases)
        cleanup = page.locator('svg.tc-progress g[data-phase="cleanup"] rect.tc-seg-failed')
        assert cleanup.is_visible() and (cleanup.bounding_box() or {}).get("width", 0) > 100
        assert page.locator('svg.tc-progress g[data-phase="cleanup"] text').last.text_content() == \
            f"{phases['cleanup']['failed']} failed"
        # The drift checks failed this time and passed (were not run) before: they appeared.
        appeared = page.locator('tr[data-category="appeared"]')
        assert sorted(appeared.nth(i).get_attribute("data-check-id") for i in range(appeared.count())) == \
            ["TUN-DRIFT-01", "TUN-DRIFT-02"]
        assert page.locator("svg.tc-trend circle.tc-point").count() == 2
        assert page.locator("table.tc-drift").is_visible()

        # The card counts what the results JSON holds: this tenant's result diff and drift.
        diff, (drift,) = run.document["result_diff"], run.document["drift"]
        counts = ", ".join(counted(len(diff[key]), heading, plural) for key, heading, plural in CATEGORIES
                           if diff[key])
        card = page.locator('.tc-tenant[data-tenant="contoso"]')
        assert card.locator("dd.tc-diff-count").inner_text() == \
            f"{counts} since the previous run ({diff['previous_generated_at']})"
        changed = ", ".join(f"{n} {status}" for status, n in drift["summary"].items() if n)
        # --drift: the differences from the baseline are drift, and the card says so.
        assert card.locator("dd.tc-drift-count").inner_text() == \
            f"{len(drift['objects'])} objects drifted: {changed}"
        assert card.locator("dd.tc-drift-count").evaluate("e => e.previousElementSibling.textContent") == "Drift"
        progress.screenshot(path=str(report.with_name("progress.png")))
    assert report.with_name("progress.png").stat().st_size > 2_000
    assert requests and all(url.startswith("file://") for url in requests), requests
