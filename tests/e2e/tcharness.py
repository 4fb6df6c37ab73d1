"""End-to-end helpers (imported by the e2e tests): a pytester folder holding the demo tenant, and runs
that return each check's outcome.

Runs go through ``pytester.runpytest_subprocess``: the plugin keeps per-run state in ``config.stash`` and
registers check packs found through entry points, so a fresh interpreter per run is the honest test.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

DEMO_FILES = ("contoso.json", "baseline.json", "config.yaml")

# The demo's story (tools/build_demo.py, docs/checks.md): Contoso, halfway through the migration, Tunnel only
# (defender_features: false), run with --baseline. Derived from the rules, not copied from a run.
DEMO_EXPECTED: dict[str, str] = {
    # inventory
    "TUN-GW-01": "failed",   # server tunnel-eu-02 reports "warning"
    "TUN-GW-02": "passed",   # every assigned Tunnel profile names the Contoso-EU site
    "TUN-GW-03": "passed",   # site and server configuration unchanged (server health is run-time state)
    "TUN-GW-04": "passed",   # disableUdpConnections is false
    # defender-deployed
    "TUN-AND-01": "passed",  # com.microsoft.scmx approved in managed Google Play
    "TUN-AND-02": "failed",  # Defender app assigned to Sales and BYOD, not Field
    "TUN-IOS-01": "passed",  # iOS Defender app required for Executives and Finance
    # profiles-created
    "TUN-AND-03": "passed",  # both Android standalone profiles have same-kind Defender replacements
    "TUN-AND-04": "passed",  # replacements keep site, always-on, proxy and the per-app lists
    "TUN-AND-05": "failed",  # Work Profile (Defender) has defendertoggle 1 and vpn "yes" under Tunnel only
    "TUN-AND-06": "failed",  # web protection on, Edge offered in Google Play but not in the per-app list
    "TUN-DEV-02": "failed",  # Work Profile (Defender) reports 2 device errors, max_profile_errors is 0
    "TUN-IOS-02": "failed",  # Finance has no iOS Defender profile
    "TUN-IOS-03": "passed",  # iOS replacement keeps site, proxy, domains and on-demand rules
    "TUN-IOS-04": "passed",  # TunnelOnly = True (any case) for Tunnel only
    # apps-reassigned
    "TUN-IOS-05": "failed",  # Contoso Expenses still on the standalone profile
    "TUN-IOS-06": "failed",  # Intranet reassigned 4 minutes after the Defender profile was created
    # cleanup
    "TUN-AND-07": "failed",  # AE Fully Managed (standalone) still assigned
    "TUN-AND-08": "failed",  # uninstall covers Sales only; Field and BYOD were offered in the baseline
    "TUN-DEV-01": "failed",  # 2 devices still have Microsoft Tunnel
    "TUN-IOS-07": "failed",  # iOS standalone profile still assigned
    "TUN-IOS-08": "failed",  # iOS standalone app still required, no uninstall
}
# Only with --drift: three Defender profiles were added and app assignments changed since the baseline.
DEMO_DRIFT_EXPECTED: dict[str, str] = {"TUN-DRIFT-01": "failed", "TUN-DRIFT-02": "failed"}

PHASES = ("inventory", "defender-deployed", "profiles-created", "apps-reassigned", "cleanup")


def demo_dir() -> Path:
    return Path(str(resources.files("tunnelcheck.demo")))


@dataclass
class Run:
    result: pytest.RunResult
    document: dict[str, Any] | None

    @property
    def outcomes(self) -> dict[str, str]:
        assert self.document is not None, "the run wrote no --tunnelcheck-json"
        return {r["check_id"]: r["outcome"] for r in self.document["results"]}

    def record(self, check_id: str) -> dict[str, Any]:
        assert self.document is not None
        (found,) = [r for r in self.document["results"] if r["check_id"] == check_id]
        return found

    def assert_no_traceback(self) -> None:
        text = "\n".join(self.result.outlines + self.result.errlines)
        assert "Traceback" not in text and "INTERNALERROR" not in text, text


class Demo:
    """A pytester folder holding the demo files; ``run`` returns the JSON results too."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        for name in DEMO_FILES:
            shutil.copy(demo_dir() / name, pytester.path / name)

    def args(self, *, baseline: bool = True, config: bool = True) -> list[str]:
        # Option values with "=": a separate word would be taken for a test path by pytest's early
        # ini-file search (before the plugin adds --snapshot).
        return (["-p", "no:cacheprovider", "--snapshot=contoso.json"]
                + (["--baseline=baseline.json"] if baseline else [])
                + (["--tunnelcheck-config=config.yaml"] if config else []))

    def run(self, *extra: str, baseline: bool = True, config: bool = True, json_name: str = "results.json") -> Run:
        target = self.pytester.path / json_name
        target.unlink(missing_ok=True)
        result = self.pytester.runpytest_subprocess(
            *self.args(baseline=baseline, config=config), f"--tunnelcheck-json={json_name}", *extra)
        document = json.loads(target.read_text("utf-8")) if target.exists() else None
        return Run(result, document)

    def run_plain(self, *args: str) -> Run:
        """A run with exactly these arguments (for bad input)."""
        return Run(self.pytester.runpytest_subprocess("-p", "no:cacheprovider", *args), None)


def catalog_phases() -> dict[str, str]:
    """Check id -> phase for every installed check (built-in and packs), as the runs see them."""
    from tunnelcheck.registry import Catalog

    return {cid: c.phase.value for cid, c in Catalog.installed().items()}


def expected_for(ids: set[str]) -> dict[str, str]:
    """The demo's expected outcome for each id; an id without one is a new check whose story is unwritten."""
    known = DEMO_EXPECTED | DEMO_DRIFT_EXPECTED
    missing = sorted(ids - known.keys())
    assert not missing, f"add the demo's expected outcome of {missing} to DEMO_EXPECTED (tests/e2e/conftest.py)"
    return {cid: known[cid] for cid in ids}


# ---------------------------------------------------------------------------------------------------
# The report in a real browser: Debian's chromium driven by Playwright (never a browser download)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                    reason=f"{CHROMIUM} is absent (CI installs Debian's chromium)")


@contextlib.contextmanager
def offline_page(report: Path, requests: list[str], ready: str = "tbody.results-table-row",
                 width: int = 1400) -> Iterator[Any]:
    """``report`` open in chromium ``width`` pixels wide, with every request recorded in ``requests`` and
    only file:// let through, so the page cannot reach the network; yields the Playwright page once
    ``ready`` (a selector) is on it."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000})

            def guard(route: Any) -> None:
                requests.append(route.request.url)
                if route.request.url.startswith("file://"):
                    route.continue_()
                else:
                    route.abort()

            page.route("**/*", guard)
            page.goto(report.as_uri())
            page.wait_for_selector(ready)
            yield page
        finally:
            browser.close()


#: Run in the page: every rendered word (a run of non-space characters) of ``root`` that the layout breaks
#: between two letters or digits, as ``wo|rd``; and how many rendered words were measured. A word broken
#: after a hyphen or a slash is a word wrapped where it may be. Words inside ``skip`` (ids, which may
#: break anywhere) are not measured.
MID_WORD_BREAKS_JS = """([root, skip]) => {
  const broken = [];
  let words = 0;
  const range = document.createRange();
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(skip)) continue;
    for (const m of node.textContent.matchAll(/\\S+/g)) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      if (!rects.length) continue;  // not rendered (a collapsed row)
      words += 1;
      if (new Set(rects.map((r) => Math.round(r.top))).size < 2) continue;
      let last = null;
      for (let i = 0; i < m[0].length; i++) {
        range.setStart(node, m.index + i);
        range.setEnd(node, m.index + i + 1);
        const top = Math.round(range.getBoundingClientRect().top);
        if (last !== null && top > last && /\\w/.test(m[0][i - 1]) && /\\w/.test(m[0][i])) {
          broken.push(m[0].slice(0, i) + '|' + m[0].slice(i));
        }
        last = top;
      }
    }
  }
  return {words, broken};
}"""
