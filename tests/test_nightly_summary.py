"""The run summary: result diff categories, the Markdown summary, the report's dashboard (inline SVG,
well-formed, nothing external), the trend from a history folder, bad earlier results, and accept."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tunnelcheck.reports import summary
from tunnelcheck.reports.charts import dashboard, progress_svg, trend_svg
from tunnelcheck.reports.summary import TrendPoint
from tunnelcheck.sources import snapshot

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tunnelcheck" / "demo"


def _record(check_id: str, outcome: str, tenant: str = "contoso", phase: str = "inventory") -> dict[str, Any]:
    return {"check_id": check_id, "title": f"title of {check_id}", "phase": phase, "tenant": tenant,
            "outcome": outcome, "reason": f"{check_id} is {outcome}", "evidence": [], "remediation": ""}


def _document(*records: dict[str, Any], generated_at: str = "2026-11-01T05:00:00Z") -> dict[str, Any]:
    return {"tunnelcheck_results": 1, "generated_at": generated_at, "results": list(records)}


# ---------------------------------------------------------------------------------------------------
# The result diff


def test_result_diff_categories_keyed_by_check_and_tenant() -> None:
    previous = _document(
        _record("A", "passed"), _record("B", "failed"), _record("C", "failed"), _record("D", "passed"),
        _record("E", "error"), _record("F", "failed"), _record("G", "passed"), _record("A", "failed", "fabrikam"),
        _record("H", "passed"), _record("I", "waived"), _record("K", "failed"), _record("L", "error"))
    current = [
        _record("A", "failed"),            # newly failing
        _record("B", "passed"),            # newly passing
        _record("C", "error"),             # newly erroring: it could not run, so it is not known to fail
        _record("D", "passed"),            # unchanged
        _record("E", "waived"),            # newly waived: it fails, all of it waived; it does not pass
        _record("F", "skipped"),           # no longer applies: it does not pass either
        _record("A", "failed", "fabrikam"),  # still failing: the same check on another tenant is its own key
        _record("J", "failed"),            # appeared
        _record("I", "error"),             # newly erroring
        _record("K", "failed"),            # still failing
        _record("L", "error"),             # still erroring
    ]                                      # G, H: disappeared
    diff = summary.result_diff(previous, current)
    by = {key: [(c.check_id, c.tenant, c.before, c.after) for c in diff.category(key)]
          for key, *_ in summary.CATEGORIES}
    assert by == {
        "newly_failing": [("A", "contoso", "passed", "failed")],
        "newly_erroring": [("C", "contoso", "failed", "error"), ("I", "contoso", "waived", "error")],
        "newly_passing": [("B", "contoso", "failed", "passed")],
        "no_longer_applies": [("F", "contoso", "failed", "skipped")],
        "newly_waived": [("E", "contoso", "error", "waived")],
        "still_failing": [("A", "fabrikam", "failed", "failed"), ("K", "contoso", "failed", "failed")],
        "still_erroring": [("L", "contoso", "error", "error")],
        "appeared": [("J", "contoso", None, "failed")],
        "disappeared": [("G", "contoso", "passed", None), ("H", "contoso", "passed", None)],
    }
    assert diff.unchanged == 1
    assert diff.summary == ("1 newly failing, 2 newly erroring, 1 newly passing, 1 no longer applies, 1 newly "
                            "waived, 2 still failing, 1 still erroring, 1 appeared, 2 disappeared")
    assert diff.no_longer_applies[0].reason == "F is skipped"  # the skip's reason
    assert diff.disappeared[0].reason == "G is passed"  # the last known reason
    assert json.loads(json.dumps(diff.as_dict()))["appeared"][0]["before"] is None


#: Every change of outcome and its category, named after what the check does now (None: unchanged).
TRANSITIONS = {
    "passed": {"passed": None, "failed": "newly_failing", "error": "newly_erroring",
               "skipped": "no_longer_applies", "waived": "newly_waived"},
    "failed": {"passed": "newly_passing", "failed": "still_failing", "error": "newly_erroring",
               "skipped": "no_longer_applies", "waived": "newly_waived"},
    "error": {"passed": "newly_passing", "failed": "newly_failing", "error": "still_erroring",
              "skipped": "no_longer_applies", "waived": "newly_waived"},
    "skipped": {"passed": "newly_passing", "failed": "newly_failing", "error": "newly_erroring",
                "skipped": None, "waived": "newly_waived"},
    "waived": {"passed": "newly_passing", "failed": "newly_failing", "error": "newly_erroring",
               "skipped": "no_longer_applies", "waived": None},
}


@pytest.mark.parametrize(("before", "after"), [(b, a) for b in summary.OUTCOMES for a in summary.OUTCOMES])
def test_every_transition_has_an_honest_category(before: str, after: str) -> None:
    assert summary.category(before, after) == TRANSITIONS[before][after]
    assert summary.category(None, after) == "appeared" and summary.category(before, None) == "disappeared"


def test_a_failed_check_that_is_skipped_now_no_longer_applies_in_the_summary() -> None:
    previous = _document(_record("TUN-AND-05", "failed"))
    now = [{**_record("TUN-AND-05", "skipped"), "reason": "migration.defender_features is not set"}]
    markdown = summary.render_markdown(summary.build("t", now, previous=previous, generated_at="now"))
    assert ("- **no longer applies**: TUN-AND-05 [contoso] (failed → skipped): migration.defender\\_features "
            "is not set") in markdown
    assert "newly passing" not in markdown and "0 newly failing, 1 no longer applies" in markdown


def test_phase_counts_in_migration_order() -> None:
    counts = summary.phase_counts([_record("X", "failed", phase="cleanup"), _record("Y", "passed"),
                                   _record("Z", "skipped"), _record("W", "waived", phase="drift")])
    assert list(counts) == ["inventory", "cleanup", "drift"]
    assert counts["inventory"] == {"passed": 1, "failed": 0, "error": 0, "skipped": 1, "waived": 0}


# ---------------------------------------------------------------------------------------------------
# Pictures


def test_svg_is_well_formed_and_escaped() -> None:
    svg = ET.fromstring(progress_svg({"inventory": {"passed": 3, "failed": 1}, "<script>&": {"error": 2}}))
    assert svg.tag == "svg" and svg.get("role") == "img"
    phases = {g.get("data-phase"): g for g in svg.iter("g")}
    assert set(phases) == {"inventory", "<script>&"}  # the text survives escaping, as text
    segments = {r.get("class"): r.get("data-count") for r in phases["inventory"].iter("rect")}
    assert segments == {"tc-seg-passed": "3", "tc-seg-failed": "1"}
    widths = [float(r.get("width")) for r in phases["inventory"].iter("rect")]
    assert widths[0] == pytest.approx(3 * widths[1])
    assert "<script>" not in progress_svg({"<script>": {"passed": 1}})

    points = [TrendPoint(f"2026-11-0{n}T05:00:00Z", tuple(f"TUN-X-0{i}" for i in range(n)), f"r{n}.json")
              for n in range(1, 5)]
    trend = ET.fromstring(trend_svg(points))
    circles = list(trend.iter("circle"))
    assert [c.get("data-failing") for c in circles] == ["1", "2", "3", "4"]
    ys = [float(c.get("cy")) for c in circles]
    assert ys == sorted(ys, reverse=True)  # more failing checks, higher up
    assert circles[-1].find("title").text.startswith("2026-11-04T05:00:00Z (r4.json): 4 failing: TUN-X-00")
    single = ET.fromstring(trend_svg(points[:1]))
    assert len(list(single.iter("circle"))) == 1 and not list(single.iter("polyline"))


# ---------------------------------------------------------------------------------------------------
# Whole runs: report, JSON and Markdown


@pytest.fixture
def workspace(pytester: pytest.Pytester) -> pytest.Pytester:
    for name in ("contoso.json", "baseline.json", "config.yaml"):
        shutil.copy(DEMO / name, pytester.path / name)
    return pytester


def _run(pytester: pytest.Pytester, *extra: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "--snapshot=contoso.json",
                                         "--tunnelcheck-config=config.yaml", *extra)


def test_report_dashboard_self_contained_with_trend(workspace: pytest.Pytester) -> None:
    history = workspace.path / "history"
    history.mkdir()
    _run(workspace, "--tunnelcheck-json=history/a.json", "-k", "TUN-GW")  # an earlier, partial run
    doc = json.loads((history / "a.json").read_text("utf-8"))
    doc["generated_at"] = "2026-11-01T05:00:00Z"
    (history / "a.json").write_text(json.dumps(doc), "utf-8")
    result = _run(workspace, "--baseline=baseline.json", "--drift", "--tunnelcheck-history=history",
                  "--tunnelcheck-previous=history/a.json", "--tunnelcheck-json=now.json",
                  "--tunnelcheck-markdown=summary.md", "--html=report.html", "--self-contained-html")
    assert result.ret == 1
    html = (workspace.path / "report.html").read_text("utf-8")
    svgs = [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)]
    assert [s.get("class") for s in svgs] == ["tc-progress", "tc-trend"]
    progress = {g.get("data-phase"): {r.get("class"): int(r.get("data-count")) for r in g.iter("rect")}
                for g in svgs[0].iter("g")}
    now = json.loads((workspace.path / "now.json").read_text("utf-8"))
    assert progress == {phase: {f"tc-seg-{o}": n for o, n in row.items() if n}
                        for phase, row in now["summary"]["phases"].items()}
    assert progress["drift"] == {"tc-seg-failed": 2}
    assert [c.get("data-failing") for c in svgs[1].iter("circle")] == ["1", str(now["summary"]["totals"]["failed"])]
    # Self-contained: no script, stylesheet or image from elsewhere (pytest-html's own footer links to its
    # project page: a link, not a resource), and no URL at all in the dashboard and its pictures.
    assert not re.search(r"""\bsrc\s*=\s*["']?(?:https?:)?//""", html)
    assert not re.search(r"<link\b[^>]*href\s*=\s*[\"']?(?:https?:)?//", html)
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", html)
    start = html.index('<section class="tc-dashboard">')
    board = html[start:html.index("</section>", start)]
    assert "://" not in board and "<script" not in board
    # The dashboard sits above the table of checks.
    assert html.index('class="tc-dashboard"') < html.index('id="results-table"')
    # Appeared: the checks the partial run did not have.
    appeared = {c["check_id"] for c in now["result_diff"]["appeared"]}
    assert appeared == {r["check_id"] for r in now["results"]} - {"TUN-GW-01", "TUN-GW-02", "TUN-GW-03", "TUN-GW-04"}
    assert now["result_diff"]["still_failing"][0]["check_id"] == "TUN-GW-01"

    markdown = (workspace.path / "summary.md").read_text("utf-8")
    assert markdown.startswith("## tunnelcheck: contoso\n")
    assert "| cleanup | 0 | 5 | 0 | 0 | 0 |" in markdown
    assert ("| TUN-AND-02 | contoso | failed | 1 Android Tunnel target is not offered the Defender app: "
            "SG-Tunnel-Android-Field |") in markdown
    # TUN-GW-03 needs --baseline: skipped in the earlier run, it applies now and passes.
    assert "- **appeared**: " in markdown and "0 newly failing, 1 newly passing, 1 still failing, 20 appeared" in markdown
    assert "- **newly passing**: TUN-GW-03 [contoso] (skipped → passed): " in markdown
    assert "### Drift since the baseline" in markdown and "Changes since" not in markdown
    assert "8 objects drifted: 5 added, 0 removed, 3 changed" in markdown
    assert [d["kind"] for d in now["drift"]] == ["drift"]
    # --drift: drift, in alarm colours.
    assert '<h3 class="tc-drift">Drift since the baseline</h3>' in board and '<table class="tc-drift"' in board
    assert ("| changed | app | Microsoft Tunnel (app-and-tunnel) | assignments\\[group SG-Tunnel-Android-Sales "
            "(00000001-1111-4a2b-8c3d-672d616e642d)\\].intent | required | uninstall |") in markdown  # [ ] escaped


def test_markdown_escapes_pipes_and_html() -> None:
    run = summary.build("tunnelcheck: <b>x</b>", [_record("A|B", "failed") | {"reason": "a | b <i>\n c"}])
    text = summary.render_markdown(run)
    assert "## tunnelcheck: &lt;b&gt;x&lt;/b&gt;" in text
    assert "| A\\|B | contoso | failed | a \\| b &lt;i&gt; c |" in text
    page = dashboard(run)
    assert "<b>x</b>" not in page and "<i>" not in page


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read the file (No such file or directory)"),
    ("{not json", "not valid JSON (line 1, column 2"),
    ('{"tunnelcheck_snapshot": 1}', "not a tunnelcheck results file (write one with --tunnelcheck-json)"),
    ('{"tunnelcheck_results": 1, "results": [{"check_id": "X", "outcome": "great"}]}',
     "results[0]: expected an object with a check_id and an outcome"),
])
def test_bad_previous_results_is_a_one_line_usage_error(workspace: pytest.Pytester, content: str | None,
                                                        message: str) -> None:
    if content is not None:
        (workspace.path / "prev.json").write_text(content, "utf-8")
    result = _run(workspace, "--tunnelcheck-previous=prev.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert errors == [f"ERROR: --tunnelcheck-previous: prev.json: {message}" + errors[0].split(message, 1)[1]]
    assert "Traceback" not in "\n".join(result.errlines)


def test_history_must_be_a_folder_of_results(workspace: pytest.Pytester) -> None:
    result = _run(workspace, "--tunnelcheck-history=nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "ERROR: --tunnelcheck-history: nowhere: not a directory" in result.errlines
    (workspace.path / "hist").mkdir()
    (workspace.path / "hist" / "junk.json").write_text("[]", "utf-8")
    result = _run(workspace, "--tunnelcheck-history=hist")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any(line.startswith("ERROR: --tunnelcheck-history: hist/junk.json: not a tunnelcheck results file")
               for line in result.errlines)


def test_summary_options_need_a_tenant(workspace: pytest.Pytester) -> None:
    result = workspace.runpytest_subprocess("-p", "no:cacheprovider", "--tunnelcheck-markdown=s.md")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--tunnelcheck-markdown: needs a tenant" in "\n".join(result.errlines)


# ---------------------------------------------------------------------------------------------------
# tunnelcheck accept


def _accept(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tunnelcheck.cli", "accept", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_phase_gate_shows_the_changes_since_the_baseline_not_drift(workspace: pytest.Pytester) -> None:
    """--baseline without --drift: the pre-migration baseline of a phase gate. What changed since is the
    migration's own work: named so, in neutral colours, in the Markdown summary, the report and the JSON."""
    result = _run(workspace, "--baseline=baseline.json", "--phase=profiles-created", "--tunnelcheck-json=now.json",
                  "--tunnelcheck-markdown=summary.md", "--html=report.html", "--self-contained-html")
    assert result.ret == 1
    markdown = (workspace.path / "summary.md").read_text("utf-8")
    assert "### Changes since the baseline" in markdown and "8 objects changed since the baseline: 5 added, 0 " \
        "removed, 3 changed" in markdown
    assert "drift" not in markdown.lower()
    html = (workspace.path / "report.html").read_text("utf-8")
    start = html.index('<section class="tc-dashboard">')
    board = html[start:html.index("</section>", start)]
    assert '<h3 class="tc-changes">Changes since the baseline</h3>' in board
    assert '<table class="tc-changes"' in board and '<tr class="tc-changes-added">' in board
    assert "tc-drift\"" not in board and "Drift since" not in board and "drifted" not in board
    assert [d["kind"] for d in json.loads((workspace.path / "now.json").read_text("utf-8"))["drift"]] == ["changes"]


def test_accept_keeps_the_previous_baseline(tmp_path: Path) -> None:
    for name in ("contoso.json", "baseline.json"):
        shutil.copy(DEMO / name, tmp_path / name)
    first = _accept(tmp_path, "baseline.json", "--baseline", "b/accepted.json.gz")
    assert first.returncode == 0, first.stderr
    target = tmp_path / "b" / "accepted.json.gz"
    assert target.read_bytes()[:2] == b"\x1f\x8b"
    assert snapshot.read(target).sha256 == snapshot.read(tmp_path / "baseline.json").sha256
    assert not (tmp_path / "b" / "accepted.json.gz.prev").exists()

    digest = snapshot.read(tmp_path / "contoso.json").sha256
    second = _accept(tmp_path, "contoso.json", "--baseline", "b/accepted.json.gz", "--sha256", digest.upper())
    assert second.returncode == 0, second.stderr
    assert snapshot.read(target).sha256 == digest
    assert snapshot.read(tmp_path / "b" / "accepted.json.gz.prev").sha256 == snapshot.read(tmp_path / "baseline.json").sha256
    # The drift it accepts, before the files are written: the table of `tunnelcheck diff` and its summary.
    lines = second.stdout.splitlines()
    drift_at = lines.index("8 objects drifted: 5 added, 0 removed, 3 changed")
    assert lines[0] == ("tunnelcheck: the changes accepted, from the baseline b/accepted.json.gz (recorded "
                        "2026-10-01T07:00:00Z) to contoso.json (recorded 2026-11-26T07:00:00Z):")
    assert "+ app Microsoft Defender (app-ios-mde): added [Defender app (ios)]" in lines[1:drift_at]
    previous = snapshot.read(tmp_path / "baseline.json").sha256
    assert lines[drift_at + 1:] == [
        f"tunnelcheck: accepted contoso.json (sha256 {digest}) as the baseline b/accepted.json.gz",
        f"tunnelcheck: the previous baseline (sha256 {previous}) is b/accepted.json.gz.prev"]
    assert first.stdout.splitlines()[0] == "tunnelcheck: no baseline at b/accepted.json.gz yet: nothing to compare with"
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["accepted.json.gz", "accepted.json.gz.prev"]


def test_accept_shows_the_drift_before_it_writes(tmp_path: Path) -> None:
    """The drift is printed before the files are touched: when the old baseline cannot be kept (a folder
    where FILE.prev goes), it was still shown, and the baseline is as it was."""
    for name in ("contoso.json", "baseline.json"):
        shutil.copy(DEMO / name, tmp_path / name)
    assert _accept(tmp_path, "baseline.json", "--baseline", "base.json").returncode == 0
    before = (tmp_path / "base.json").read_bytes()
    (tmp_path / "base.json.prev").mkdir()
    refused = _accept(tmp_path, "contoso.json", "--baseline", "base.json")
    assert refused.returncode == 2
    assert refused.stderr.startswith("tunnelcheck: error: base.json: cannot write the baseline")
    assert refused.stdout.splitlines()[0].startswith("tunnelcheck: the changes accepted, from the baseline base.json")
    assert refused.stdout.splitlines()[-1] == "8 objects drifted: 5 added, 0 removed, 3 changed"
    assert (tmp_path / "base.json").read_bytes() == before


def test_accept_refuses_what_it_cannot_verify(tmp_path: Path) -> None:
    shutil.copy(DEMO / "contoso.json", tmp_path / "contoso.json")
    doc = json.loads((DEMO / "contoso.json").read_text("utf-8"))
    unsealed = {k: v for k, v in doc.items() if k != "sha256"}
    (tmp_path / "unsealed.json").write_text(json.dumps(unsealed), "utf-8")
    edited = dict(doc, source="edited by hand")
    (tmp_path / "edited.json").write_text(json.dumps(edited), "utf-8")
    other = dict(unsealed, tenant_id="00000000-0000-0000-0000-000000000001")
    snapshot.write(tmp_path / "other.json", other)
    assert _accept(tmp_path, "contoso.json", "--baseline", "base.json").returncode == 0
    before = (tmp_path / "base.json").read_bytes()

    for args, message in [
        (["unsealed.json"], "unsealed.json: has no sha256: only a sealed snapshot (tunnelcheck record) can be accepted"),
        (["edited.json"], "edited.json: sha256: sha256 does not match the content"),
        (["contoso.json", "--sha256", "00ff"], "contoso.json: sha256 is "),
        (["other.json"], ("other.json: is tenant 00000000-0000-0000-0000-000000000001, the baseline base.json is "
                         "tenant 6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10: not accepted")),
    ]:
        refused = _accept(tmp_path, *args, "--baseline", "base.json")
        assert refused.returncode == 2
        assert refused.stderr.startswith(f"tunnelcheck: error: {message}"), refused.stderr
        assert refused.stderr.count("\n") == 1
    assert (tmp_path / "base.json").read_bytes() == before
    assert not (tmp_path / "base.json.prev").exists()
