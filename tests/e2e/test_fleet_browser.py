"""The fleet page of 300 synthetic tenants in a real browser (Debian's chromium driven by Playwright),
offline: it is built by ``tunnelcheck fleet`` in seconds, puts the tenants furthest behind first, filters
by phase, status and the phase a tenant is behind at (clicked, as a user would), lists the newly failing
tenants against the previous fleet run, and links each tenant's report. And a fleet whose tenants' names,
ids, check ids and file names are markup: no script runs, no element is injected."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import fleetdata
import pytest
from hostile import FLAG, HTML_PAYLOADS, TEXT_PAYLOADS
from tcharness import needs_chromium, offline_page

from tunnelcheck.reports.fleet import MIGRATION_PHASES
from tunnelcheck.untrusted import for_terminal

pytestmark = needs_chromium

COUNT = 300
NEWLY = (3, 50, 120, 299)  # tenants that fail one more check than in the previous fleet run
GONE = 7  # a tenant of the previous run with no results now
ROW = "#tc-fleet tbody tr"


def fleet_command(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "tunnelcheck.cli", "fleet", *args], cwd=cwd, capture_output=True,
                         text=True, timeout=300, check=False)
    return run, time.perf_counter() - started


def _first_passing(plan: fleetdata.Plan) -> str:
    return next(r["check_id"] for r in fleetdata.document(plan)["results"] if r["outcome"] == "passed")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("fleet")
    plans = fleetdata.write_fleet(root / "yesterday", COUNT, generated_at="2026-11-30T05:00:00Z")
    run, _ = fleet_command(root, "yesterday", "-o", "yesterday.html", "--json", "yesterday.json")
    assert run.returncode == 0, run.stderr
    fleetdata.write_fleet(root / "results", COUNT, fail_also={n: (_first_passing(plans[n]),) for n in NEWLY})
    for name in ("results.json", "report.html"):
        (root / "results" / plans[GONE].name / name).unlink()
    (root / "results" / "tenant-broken").mkdir()
    (root / "results" / "tenant-broken" / "results.json").write_text('{"tunnelcheck_results": 1, "results": "x"}')
    run, elapsed = fleet_command(root, "results", "-o", "site/fleet.html", "--previous", "yesterday.json",
                                 "--json", "site/fleet.json", "--markdown", "site/fleet.md")
    print(f"\ntunnelcheck fleet, {COUNT} tenants (plus one unreadable): {elapsed:.2f} s as a command")
    assert run.returncode == 1, run.stderr  # one results file is unreadable
    assert run.stderr.splitlines() == [
        "tunnelcheck fleet: results/tenant-broken/results.json: results unreadable: results: expected a list"]
    assert elapsed < 60  # generous: the command starts Python and reads 300 files; measured ~1 s
    document = json.loads((root / "site" / "fleet.json").read_text("utf-8"))
    return {"root": root, "page": root / "site" / "fleet.html", "doc": document, "plans": plans}


def _visible_keys(page: Any) -> list[str]:
    return page.eval_on_selector_all(ROW, "rows => rows.filter(r => !r.hidden).map(r => r.dataset.key)")


def _count_text(page: Any) -> str:
    return page.locator("#tc-count").inner_text()


def _failing_number(text: str) -> int:
    return sum(int(n) for n in re.findall(r"\d+", text))


def test_fleet_page_order_filters_and_newly_failing(site: dict[str, Any]) -> None:
    doc, plans = site["doc"], site["plans"]
    tenants = doc["tenants"]
    assert len(tenants) == COUNT  # 299 read, 1 unreadable
    requests: list[str] = []
    with offline_page(site["page"], requests, ready=ROW) as page:
        assert page.title() == "tunnelcheck fleet"
        rows = page.locator(ROW)
        assert rows.count() == COUNT
        assert _count_text(page) == f"showing {COUNT} of {COUNT} tenants"

        # Furthest behind first: the unreadable results, then by the first phase not met, then the most failing there.
        keys = _visible_keys(page)
        assert keys == [t["key"] for t in tenants]
        behind = page.eval_on_selector_all(ROW, "rows => rows.map(r => r.dataset.behind)")
        assert behind[0] == "unreadable"
        stages = ["unreadable", *MIGRATION_PHASES, "all-met"]
        assert [stages.index(b) for b in behind] == sorted(stages.index(b) for b in behind)
        for phase in MIGRATION_PHASES:
            texts = page.eval_on_selector_all(
                ROW, f"rows => rows.filter(r => r.dataset.behind === '{phase}')"
                f".map(r => r.querySelector('td[data-phase=\"{phase}\"]').textContent)")
            assert texts, phase
            numbers = [_failing_number(t) for t in texts]
            assert numbers == sorted(numbers, reverse=True), phase
        first = rows.nth(1)
        assert first.locator("td.tc-behind").inner_text() == tenants[1]["behind"]

        # Filter: tenants whose cleanup is failing.
        page.select_option("#tc-phase", "cleanup")
        page.select_option("#tc-status", "failing")
        expected = [t["key"] for t in tenants if t["phases"]["cleanup"]["status"] == "failing"]
        assert 0 < len(expected) < COUNT
        assert _visible_keys(page) == expected
        assert _count_text(page) == f"showing {len(expected)} of {COUNT} tenants"
        assert page.locator(f"{ROW}:not([hidden]) td.tc-focused").count() == len(expected)  # the column is picked out
        # ... any phase with errors (a failing cell with errors counts too).
        page.select_option("#tc-phase", "")
        page.select_option("#tc-status", "errors")
        expected = [t["key"] for t in tenants if any(c["error"] for c in t["phases"].values())]
        assert 0 < len(expected) < COUNT and _visible_keys(page) == expected
        # ... drift not run (no --drift).
        page.select_option("#tc-phase", "drift")
        page.select_option("#tc-status", "not-run")
        expected = [t["key"] for t in tenants if t["phases"]["drift"]["status"] == "not-run" and not t["unreadable"]]
        assert 0 < len(expected) and _visible_keys(page) == expected
        page.select_option("#tc-status", "")
        assert len(_visible_keys(page)) == COUNT

        # The buttons at the top: behind at profiles-created.
        at = doc["behind"]["profiles-created"]
        page.get_by_role("button", name=f"profiles-created: {at}").click()
        assert _visible_keys(page) == [t["key"] for t in tenants if t["behind"] == "profiles-created"]
        assert _count_text(page) == f"showing {at} of {COUNT} tenants"
        page.select_option("#tc-behind", "")

        # Newly failing since the previous fleet run: the section, and the filter.
        newly = {plans[n].name for n in NEWLY}
        section = page.locator("#tc-newly-failing tbody tr")
        assert {section.nth(i).locator("td").first.inner_text() for i in range(section.count())} == newly
        page.check("#tc-new-only")
        shown = page.eval_on_selector_all(ROW, "rows => rows.filter(r => !r.hidden).map(r => "
                                          "r.querySelector('td.tc-tenant a').textContent)")
        assert set(shown) == newly
        assert page.locator(f"{ROW}:not([hidden]) td.tc-cell .tc-new").count() == len(NEWLY)
        page.uncheck("#tc-new-only")
        assert page.locator("#tc-missing").inner_text() == plans[GONE].name
        assert "results/tenant-broken/results.json: results: expected a list" in \
            page.locator("#tc-unreadable").inner_text()

        # Order by name; search.
        page.select_option("#tc-order", "name")
        names = page.eval_on_selector_all(ROW, "rows => rows.map(r => r.dataset.name)")
        assert names == sorted(names)
        page.fill("#tc-search", "tenant-042")
        assert page.eval_on_selector_all(ROW, "rows => rows.filter(r => !r.hidden).map(r => r.dataset.name)") == \
            ["tenant-042.example"]
        page.fill("#tc-search", "")
        page.select_option("#tc-order", "behind")
        assert _visible_keys(page) == [t["key"] for t in tenants]

        shot = site["page"].with_name("fleet.png")
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000

        # Each tenant's report, by a relative link.
        link = rows.nth(1).locator("td.tc-tenant a")
        assert link.get_attribute("href") == f"../results/{tenants[1]['name']}/report.html"
        link.click()
        page.wait_for_load_state()
        assert page.title() == f"report of {tenants[1]['name']}"
    assert requests and all(url.startswith("file://") for url in requests), requests


# ---------------------------------------------------------------------------------------------------
# A hostile fleet

#: Payloads that can be a file or folder name (no "/").
NAMEABLE = [p for p in HTML_PAYLOADS if "/" not in p]


def _hostile_results(label: str, n: int) -> dict[str, Any]:
    check = f"TUN-X-0{n}{HTML_PAYLOADS[n % len(HTML_PAYLOADS)]}"
    return {"tunnelcheck_results": 1, "generated_at": f"2026-12-01T05:00:00Z{HTML_PAYLOADS[1]}",
            "tenants": [{"label": label, "tenant_id": f"id-{n}{HTML_PAYLOADS[(n + 1) % len(HTML_PAYLOADS)]}"}],
            "results": [{"check_id": check, "phase": "inventory", "outcome": "failed" if n % 2 else "error",
                         "tenant": label, "title": label, "reason": label, "evidence": []},
                        {"check_id": "TUN-Y-01", "phase": "profiles-created", "outcome": "passed",
                         "tenant": label, "title": "", "reason": "", "evidence": []}]}


def test_hostile_tenant_names_stay_text(tmp_path: Path) -> None:
    labels = [f"{p}{TEXT_PAYLOADS[n % len(TEXT_PAYLOADS)]}" for n, p in enumerate(HTML_PAYLOADS)]
    for n, label in enumerate(labels):
        folder = tmp_path / "results" / (NAMEABLE[n % len(NAMEABLE)] + str(n))
        folder.mkdir(parents=True)
        (folder / "results.json").write_text(json.dumps(_hostile_results(label, n)), encoding="utf-8")
        (folder / "report.html").write_text("<title>report</title>", encoding="utf-8")
    broken = tmp_path / "results" / f"{NAMEABLE[0]}.json"
    broken.write_text("{", encoding="utf-8")
    previous = {"tunnelcheck_fleet": 1, "generated_at": HTML_PAYLOADS[2], "tenants": [
        {"key": f"id:gone{p}", "name": f"gone {p}", "phases": {}} for p in HTML_PAYLOADS] + [
        {"key": f"id:id-{n}{HTML_PAYLOADS[(n + 1) % len(HTML_PAYLOADS)]}".lower(), "name": "x",
         "phases": {"inventory": {"failing_checks": []}}} for n in range(len(labels))]}
    (tmp_path / f"{NAMEABLE[1]}.json").write_text(json.dumps(previous), encoding="utf-8")
    run, _ = fleet_command(tmp_path, "results", "-o", "fleet.html", "--previous", f"{NAMEABLE[1]}.json",
                           "--title", f"MSP {HTML_PAYLOADS[0]}")
    assert run.returncode == 1, run.stderr
    page_file = tmp_path / "fleet.html"
    requests: list[str] = []
    with offline_page(page_file, requests, ready=ROW) as page:
        # Use the page: every filter and order, the newly failing filter, hover over cells.
        for status in ("failing", "errors", "unreadable", "met"):
            page.select_option("#tc-status", status)
        page.select_option("#tc-status", "")
        page.check("#tc-new-only")
        page.uncheck("#tc-new-only")
        page.select_option("#tc-order", "name")
        page.locator("#tc-fleet td.tc-cell").first.hover()
        page.wait_for_timeout(300)  # an onerror/onload/ontoggle fires asynchronously
        assert page.evaluate(f"() => window.{FLAG}") is None, "a payload ran script in the fleet page"
        injected = page.evaluate("() => document.querySelectorAll("
                                 "'img, svg, iframe, details, [onerror], [onload], [ontoggle]').length")
        assert injected == 0, "a payload became an element"
        assert page.locator("script").count() == 1  # the page's own
        names = page.eval_on_selector_all(ROW, "rows => rows.map(r => r.querySelector('td.tc-tenant a, "
                                          "td.tc-tenant').firstChild.textContent)")
        # Each shown as the text it is (control characters as their escapes, as on a terminal).
        assert sorted(names) == sorted([*(for_terminal(label) for label in labels), f"results/{broken.name}"])
        assert page.title() == f"MSP {HTML_PAYLOADS[0]}"
        assert len(page.locator("#tc-newly-failing tbody tr").all()) == len(labels)
        missing = page.locator("#tc-missing li").all_inner_texts()
        assert missing == [f"gone {p}" for p in HTML_PAYLOADS]
        unreadable = page.locator("#tc-unreadable").inner_text()
        assert f"{NAMEABLE[0]}.json" in unreadable
        hrefs = page.eval_on_selector_all("#tc-fleet a", "links => links.map(a => a.getAttribute('href'))")
        assert len(hrefs) == len(labels), hrefs
        assert all(re.fullmatch(r"results/%[0-9A-F]{2}[A-Za-z0-9%._-]+/report\.html", h) for h in hrefs), hrefs
    assert all(url.startswith("file://") for url in requests), requests
