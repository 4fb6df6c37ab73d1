"""tunnelcheck fleet: each cell's status, the order (furthest behind first), reading results (unreadable
files are rows, never dropped), the comparison with the previous fleet run, the Markdown summary, the
command's exit status, and 300 tenants built in seconds. The page in a browser: tests/e2e/test_fleet_browser.py;
the CI templates end to end: tests/test_fleet_ci.py."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import fleetdata
import pytest
from hostile import HTML_PAYLOADS, TEXT_PAYLOADS, render_gfm

from tunnelcheck.cli import main
from tunnelcheck.errors import ConfigError
from tunnelcheck.reports import fleet
from tunnelcheck.reports.fleet import PhaseCell, TenantRow
from tunnelcheck.reports.fleet_page import render_html

PHASES = ("inventory", "defender-deployed", "profiles-created", "apps-reassigned", "cleanup", "drift")


def record(check_id: str, phase: str, outcome: str, tenant: str | None = "t") -> dict[str, Any]:
    return {"check_id": check_id, "title": f"{check_id} title", "phase": phase, "tenant": tenant,
            "outcome": outcome, "reason": "r", "evidence": []}


def results_doc(label: str | None, tenant_id: str | None, records: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    tenants = [{"label": label, "tenant_id": tenant_id, "source": "s", "snapshot_sha256": None}] if label else []
    return {"tunnelcheck_results": 1, "tenant_id": tenant_id, "source": "s", "phase": "all", "tenants": tenants,
            "results": [r | {"tenant": label} for r in records], "generated_at": "2026-12-01T05:00:00Z", **extra}


def write(path: Path, doc: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return path


def row(name: str, **phases: dict[str, int]) -> TenantRow:
    """A row with these outcome counts per phase (phase names with underscores)."""
    cells = {p.replace("_", "-"): PhaseCell(c, tuple(f"{p}-{n}" for n in range(c.get("failed", 0) + c.get("error", 0))))
             for p, c in phases.items()}
    return TenantRow(f"label:{name}", name, f"{name}.json", name, None, None, None, cells)


MET = {"passed": 2}
ALL_MET = {p.replace("-", "_"): MET for p in PHASES[:5]}

# ---------------------------------------------------------------------------------------------------
# Cells


@pytest.mark.parametrize(("counts", "status", "text", "statuses"), [
    ({"passed": 3, "skipped": 1}, "met", "met", ("met",)),
    ({"skipped": 2}, "met", "met", ("met",)),  # nothing applies: nothing to do
    ({"passed": 1, "waived": 1}, "met", "met", ("met",)),  # a waiver is an accepted exception
    ({"passed": 1, "failed": 2}, "failing", "failing 2", ("failing",)),
    ({"failed": 2, "error": 1}, "failing", "failing 2, errors 1", ("failing", "errors")),
    ({"passed": 4, "error": 3}, "errors", "errors 3", ("errors",)),
    ({}, "not-run", "not run", ("not-run",)),
])
def test_cell_status(counts: dict[str, int], status: str, text: str, statuses: tuple[str, ...]) -> None:
    cell = PhaseCell(counts)
    assert (cell.status, cell.text, cell.statuses) == (status, text, statuses)


def test_unreadable_row_cells() -> None:
    bad = TenantRow("file:x.json", "x.json", "x.json", unreadable="not valid JSON")
    assert {bad.cell(p).status for p in PHASES} == {"unreadable"}
    assert (bad.behind_at, bad.behind, bad.failing) == (None, "unreadable", 0)


# ---------------------------------------------------------------------------------------------------
# The order: furthest behind first


def test_behind_at_is_the_earliest_migration_phase_not_met() -> None:
    assert row("a", **ALL_MET).behind_at is None
    assert row("a", **ALL_MET | {"drift": {"failed": 2}}).behind_at is None  # drift is not a migration phase
    assert row("a", **ALL_MET | {"profiles_created": {"failed": 1}, "cleanup": {"failed": 9}}).behind_at == \
        "profiles-created"
    not_run = {k: v for k, v in ALL_MET.items() if k != "apps_reassigned"}  # --phase stopped before it... or a gap
    assert row("a", **not_run).behind_at == "apps-reassigned"
    assert row("a", **ALL_MET | {"defender_deployed": {"passed": 1, "error": 1}}).behind_at == "defender-deployed"


def test_furthest_behind_first() -> None:
    rows = [
        row("done", **ALL_MET),
        row("drifted", **ALL_MET | {"drift": {"failed": 1}}),
        row("inv-1", **ALL_MET | {"inventory": {"failed": 1}}),
        row("inv-3", **ALL_MET | {"inventory": {"failed": 2, "error": 1}}),
        row("inv-1-more-later", **ALL_MET | {"inventory": {"failed": 1}, "cleanup": {"failed": 4}}),
        row("profiles-not-run", inventory=MET, defender_deployed=MET),
        row("cleanup-2", **ALL_MET | {"cleanup": {"failed": 2}}),
        row("Cleanup-2b", **ALL_MET | {"cleanup": {"failed": 2}}),
        TenantRow("file:zz.json", "zz.json", "zz.json", unreadable="not JSON"),
    ]
    ordered = [r.name for r in sorted(rows, key=TenantRow.sort_key)]
    assert ordered == ["zz.json",  # nothing known: first
                       "inv-3", "inv-1-more-later", "inv-1",  # the same phase: the most failing there, then overall
                       "profiles-not-run", "cleanup-2", "Cleanup-2b",  # then by name, case-insensitively
                       "drifted", "done"]  # every migration phase met: drift failures first


def test_build_sorts_and_names_duplicates(tmp_path: Path) -> None:
    write(tmp_path / "a" / "results.json", results_doc("tenant", "ID-A", [record("TUN-GW-01", "inventory", "passed")]))
    write(tmp_path / "b" / "results.json", results_doc("tenant", "id-b", [record("TUN-GW-01", "inventory", "failed")]))
    built = fleet.build([tmp_path])
    assert [(r.key, r.name) for r in built.rows] == [
        ("id:id-b", "tenant (b)"), ("id:id-a", "tenant (a)")]
    assert built.notes == ()


# ---------------------------------------------------------------------------------------------------
# Reading results


def test_rows_of_a_real_demo_run(tmp_path: Path) -> None:
    """The results a real run writes (tunnelcheck demo --json): one row, its cells from the run's summary."""
    out = tmp_path / "demo.json"
    run = subprocess.run([sys.executable, "-m", "tunnelcheck.cli", "demo", "--no-html", "--json", str(out), "-q"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1, run.stderr  # the demo tenant fails checks
    doc = json.loads(out.read_text("utf-8"))
    (only,) = fleet.build([out]).rows
    assert (only.key, only.name, only.tenant_id) == ("id:" + doc["tenant_id"].lower(), "contoso", doc["tenant_id"])
    for phase, counts in doc["summary"]["phases"].items():
        assert {o: only.cell(phase).count(o) for o in counts} == counts
    assert only.behind_at == "inventory"  # TUN-GW-01 fails (a server reports a warning)
    assert only.cell("inventory").failing_checks == ("TUN-GW-01",)


def test_several_tenants_in_one_results_file(tmp_path: Path) -> None:
    doc = {"tunnelcheck_results": 1, "tenants": [{"label": "a", "tenant_id": "A"}, {"label": "b", "tenant_id": None}],
           "results": [record("X-1", "inventory", "failed", "a"), record("X-1", "inventory", "passed", "b"),
                       record("USR-1", "cleanup", "passed", None)]}
    rows = fleet.rows_of(doc, "two.json")
    assert [(r.key, r.name, r.cell("inventory").status, r.cell("cleanup").status) for r in rows] == [
        ("id:a", "a", "failing", "not-run"), ("label:b", "b", "met", "not-run"),
        ("file:two.json", "two", "not-run", "met")]  # results of no tenant among several: a row of their own


def test_one_tenant_takes_results_without_a_tenant(tmp_path: Path) -> None:
    doc = {"tunnelcheck_results": 1, "tenant_id": "T", "results": [record("USR-1", "cleanup", "failed", None)]}
    (only,) = fleet.rows_of(doc, "folder/nightly.json")
    assert (only.key, only.name, only.cell("cleanup").status) == ("id:t", "nightly", "failing")


BAD = {
    "missing.json": (None, "no such file (the tenant's run wrote no results)"),
    "binary.json": (b"\xff\xfe\x00garbage", "not UTF-8 text"),
    "broken.json": ('{"tunnelcheck_results": 1,', "not valid JSON (line 1, column 27: Expecting property name"),
    "deep.json": ("[" * 100_000 + "]" * 100_000, "not valid JSON (nested too deeply)"),
    "list.json": ([1, 2], "not a tunnelcheck results file (write one with --tunnelcheck-json)"),
    "other.json": ({"name": "x"}, "not a tunnelcheck results file"),
    "future.json": ({"tunnelcheck_results": 9, "results": []}, "unsupported results version 9"),
    "truthy.json": ({"tunnelcheck_results": True, "results": []}, "unsupported results version True"),
    "noresults.json": ({"tunnelcheck_results": 1}, "results: expected a list"),
    "badrecord.json": ({"tunnelcheck_results": 1, "results": [{"check_id": "X", "outcome": "exploded"}]},
                       "results[0]: expected an object with a check_id, an outcome"),
    "badtenant.json": ({"tunnelcheck_results": 1, "results": [record("X", "inventory", "passed", ["t"])]},  # type: ignore[arg-type]
                       "results[0]: expected"),
    "snapshot.json": ({"tunnelcheck_snapshot": 1, "resources": {}}, "a tunnelcheck snapshot, not results"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_an_unreadable_results_file_is_a_row_saying_why(tmp_path: Path, name: str) -> None:
    content, why = BAD[name]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        write(path, content)
    good = write(tmp_path / "good.json", results_doc("good", "G", [record("X-1", "inventory", "passed")]))
    built = fleet.build([good, path])
    assert [r.name for r in built.rows] == [str(path), "good"]  # unreadable first; the other still counts
    bad = built.rows[0]
    assert bad.unreadable.startswith(why) and "\n" not in bad.unreadable
    assert (bad.key, bad.results) == (f"file:{path}", str(path))


def test_a_folder_reads_every_json_below_it(tmp_path: Path) -> None:
    root = tmp_path / "results"
    write(root / "tunnelcheck-tenant-a" / "results.json", results_doc("a", "A", [record("X-1", "inventory", "passed")]))
    write(root / "tunnelcheck-tenant-b" / "deeper" / "b.json", results_doc("b", "B", [record("X-1", "inventory", "failed")]))
    write(root / "tunnelcheck-tenant-c" / "results.json", "{ not json")
    write(root / "tunnelcheck-tenant-c" / "snapshot.json", {"tunnelcheck_snapshot": 1})
    write(root / "fleet.json", {"tunnelcheck_fleet": 1, "tenants": []})  # an earlier fleet document: skipped
    write(root / "notes.txt", "not a .json")
    previous = write(root / "previous-fleet.json", {"tunnelcheck_fleet": 1, "tenants": []})
    built = fleet.build([root], exclude=[previous])
    assert sorted(r.name for r in built.rows) == sorted(["a", "b", str(root / "tunnelcheck-tenant-c" / "results.json")])
    assert [r.name for r in built.unreadable] == [str(root / "tunnelcheck-tenant-c" / "results.json")]
    assert built.notes == (
        f"{root / 'fleet.json'}: skipped: a tunnelcheck fleet document, not one tenant's results",
        (f"{root / 'tunnelcheck-tenant-c' / 'snapshot.json'}: skipped: a tunnelcheck snapshot, not results "
        "(run the checks on it with --tunnelcheck-json)"),
    )


def test_an_empty_folder_is_a_note(tmp_path: Path) -> None:
    good = write(tmp_path / "a.json", results_doc("a", "A", [record("X-1", "inventory", "passed")]))
    (tmp_path / "empty").mkdir()
    built = fleet.build([good, tmp_path / "empty"])
    assert [r.name for r in built.rows] == ["a"]
    assert built.notes == (f"{tmp_path / 'empty'}: no results files in this folder",)


def test_one_tenant_in_two_results_files_keeps_both_rows(tmp_path: Path) -> None:
    one = write(tmp_path / "x" / "results.json", results_doc("c", "C", [record("X-1", "inventory", "failed")]))
    two = write(tmp_path / "y" / "results.json", results_doc("c", "C", [record("X-1", "inventory", "passed")]))
    built = fleet.build([one, two])
    assert sorted(r.key for r in built.rows) == sorted(["id:c", f"id:c@{two}"])
    assert {r.name for r in built.rows} == {"c (x)", "c (y)"}
    assert built.notes == (f"c is in 2 results files: {one}, {two}",)


def test_report_beside_the_results(tmp_path: Path) -> None:
    write(tmp_path / "contoso.json", {})
    assert fleet.report_for(tmp_path / "contoso.json") is None
    write(tmp_path / "contoso.html", "<html>")
    assert fleet.report_for(tmp_path / "contoso.json") == str(tmp_path / "contoso.html")
    write(tmp_path / "out" / "results.json", {})
    write(tmp_path / "out" / "report.html", "<html>")  # ci/nightly.sh's names
    assert fleet.report_for(tmp_path / "out" / "results.json") == str(tmp_path / "out" / "report.html")
    (tmp_path / "other" / "x.html").mkdir(parents=True)  # a folder is no report
    assert fleet.report_for(tmp_path / "other" / "x.json") is None


def test_report_links_are_relative_and_encoded(tmp_path: Path) -> None:
    folder = tmp_path / "results" / "a b#?:"
    write(folder / "results.json", results_doc("a", "A", [record("X-1", "inventory", "passed")]))
    write(folder / "report.html", "<html>")
    page = render_html(fleet.build([folder / "results.json"]), tmp_path / "site" / "fleet.html")
    (href,) = re.findall(r'<a href="([^"]*)"', page)
    assert href == "../results/a%20b%23%3F%3A/report.html"


# ---------------------------------------------------------------------------------------------------
# The previous fleet run


def _fleet_json(tmp_path: Path, name: str, docs: dict[str, dict[str, Any]]) -> Path:
    for tenant, doc in docs.items():
        write(tmp_path / name / tenant / "results.json", doc)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(fleet.fleet_document(fleet.build([tmp_path / name]))), encoding="utf-8")
    return path


def test_newly_failing_against_the_previous_fleet_run(tmp_path: Path) -> None:
    def doc(label: str, *failing: str) -> dict[str, Any]:
        return results_doc(label, label.upper(), [
            record(c, "inventory", "failed" if c in failing else "passed") for c in ("C-1", "C-2", "C-3")])

    previous = fleet.load_previous(_fleet_json(tmp_path, "before", {
        "same": doc("same", "C-1"), "worse": doc("worse", "C-1"), "better": doc("better", "C-2"),
        "gone": doc("gone"), "fixed-one": doc("fixed-one", "C-1", "C-2")}))
    for tenant, current in {"same": doc("same", "C-1"), "worse": doc("worse", "C-1", "C-3"),
                            "better": doc("better"), "new": doc("new", "C-2"),
                            "fixed-one": doc("fixed-one", "C-2")}.items():
        write(tmp_path / "now" / tenant / "results.json", current)
    write(tmp_path / "now" / "broken" / "results.json", "{")
    built = fleet.build([tmp_path / "now"], previous=previous)
    changes = built.changes
    assert changes is not None
    assert [(r.name, r.newly_failing) for r in changes.newly_failing] == [("worse", ("C-3",))]
    assert [r.name for r in changes.no_longer_failing] == ["better"]
    assert [r.name for r in changes.new] == ["new"]  # new tenants are not "newly failing": they are new
    assert changes.missing == (("id:gone", "gone"),)
    assert changes.summary == "1 newly failing, 1 no longer failing, 1 new, 1 missing"
    assert {r.name: r.newly_failing for r in built.rows if not r.unreadable}["fixed-one"] == ()
    document = fleet.fleet_document(built)
    assert document["changes"]["newly_failing"] == [{"key": "id:worse", "name": "worse", "checks": ["C-3"]}]


@pytest.mark.parametrize(("content", "why"), [
    (None, "no such file"),
    ("{", "not valid JSON"),
    ({"tunnelcheck_results": 1, "results": []}, "not a tunnelcheck fleet file (write one with tunnelcheck fleet --json)"),
    ({"tunnelcheck_fleet": 2, "tenants": []}, "unsupported fleet version 2"),
    ({"tunnelcheck_fleet": 1}, "tenants: expected a list"),
    ({"tunnelcheck_fleet": 1, "tenants": [{"key": "k", "name": "n", "phases": {"inventory": {}}}]},
     "tenants[0]: expected an object with a key, a name and phases with their failing_checks"),
])
def test_a_bad_previous_fleet_file_is_one_line(tmp_path: Path, content: Any, why: str) -> None:
    path = tmp_path / "prev.json"
    if content is not None:
        write(path, content)
    with pytest.raises(ConfigError) as caught:
        fleet.load_previous(path)
    assert str(caught.value).startswith(f"--previous: {path}: {why}")


# ---------------------------------------------------------------------------------------------------
# The Markdown summary


def test_markdown_summary(tmp_path: Path) -> None:
    fleetdata.write_fleet(tmp_path / "r", 40, reports=False)
    write(tmp_path / "r" / "zz" / "results.json", "nope")
    built = fleet.build([tmp_path / "r"])
    text = fleet.render_markdown(built, limit=5)
    lines = text.splitlines()
    assert lines[0] == "## tunnelcheck fleet"
    counts = built.behind_counts()
    assert lines[2].startswith(f"41 tenants: {counts['all-met']} with every phase met, ")
    assert f"| inventory | {built.phase_counts()['inventory']['met']} |" in text
    assert f"- {tmp_path / 'r' / 'zz' / 'results.json'}: not valid JSON" in text.replace("\\_", "_")
    behind = [r for r in built.rows if r.behind_at]
    assert f"### Furthest behind (first 5 of {len(behind)})" in lines
    table = [ln for ln in lines if ln.startswith("| tenant-")]
    assert [ln.split(" | ")[0].removeprefix("| ") for ln in table] == [r.name for r in behind[:5]]


def test_markdown_renders_no_tenant_markup(tmp_path: Path) -> None:
    name = "".join(HTML_PAYLOADS[:3]) + "".join(TEXT_PAYLOADS[:5])
    write(tmp_path / "a.json", results_doc(name, "A", [record(f"X-1{TEXT_PAYLOADS[0]}", "inventory", "failed")]))
    previous = tmp_path / "prev.json"
    write(previous, {"tunnelcheck_fleet": 1, "tenants": [
        {"key": "id:a", "name": name, "phases": {"inventory": {"failing_checks": []}}},
        {"key": "id:gone", "name": f"gone{HTML_PAYLOADS[3]}{TEXT_PAYLOADS[1]}", "phases": {}}]})
    text = fleet.render_markdown(fleet.build([tmp_path / "a.json"], previous=fleet.load_previous(previous)))
    rendered = render_gfm(text)
    assert "<img" not in rendered and "<svg" not in rendered and "<script" not in rendered
    assert "<a " not in rendered and "\x1b" not in text


# ---------------------------------------------------------------------------------------------------
# The command


def test_command_exit_status_and_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    fleetdata.write_fleet(tmp_path / "results", 6)
    assert main(["fleet", "results", "-o", "fleet.html", "--json", "fleet.json", "--markdown", "fleet.md"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.splitlines()[0].startswith("tunnelcheck fleet: 6 tenants: ")
    assert "wrote fleet.html, fleet.md, fleet.json" in out
    # The next run: its own previous output in the folder is not read as results.
    write(tmp_path / "results" / "broken\x1b[31m" / "results.json", "[")
    assert main(["fleet", "results", "tunnelcheck-out/missing.json", "--previous", "fleet.json",
                 "--json", "results/fleet2.json"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        ("tunnelcheck fleet: results/broken\\x1b[31m/results.json: results unreadable: not valid JSON "
        "(line 1, column 2: Expecting value)"),
        ("tunnelcheck fleet: tunnelcheck-out/missing.json: results unreadable: no such file "
         "(the tenant's run wrote no results)")]
    assert "since the previous run: 0 newly failing, 0 no longer failing, 0 new, 0 missing" in out
    document = json.loads((tmp_path / "results" / "fleet2.json").read_text("utf-8"))
    assert len(document["tenants"]) == 8


@pytest.mark.parametrize(("args", "error"), [
    (["empty"], "tunnelcheck: error: RESULTS: no results files in empty"),
    (["r", "--previous", "nope.json"], "tunnelcheck: error: --previous: nope.json: no such file"),
    (["r", "-o", "r/tenant-000.example/results.json/fleet.html"],
     "tunnelcheck: error: -o: r/tenant-000.example/results.json/fleet.html: r/tenant-000.example/results.json is not a folder"),
    (["r", "--json", "r"], "tunnelcheck: error: --json: r: is a folder, not a file"),
])
def test_command_errors_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                      error: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    fleetdata.write_fleet(tmp_path / "r", 2, reports=False)
    assert main(["fleet", *args]) == 2
    _, err = capsys.readouterr()
    assert err.startswith(error) and err.count("\n") == 1
    assert not (tmp_path / "fleet.html").exists()


def test_help_gives_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["fleet", "--help"])
    out = capsys.readouterr().out
    assert "exit status: 0 the page was written" in out and "X.html for X.json" in out


# ---------------------------------------------------------------------------------------------------
# At scale


def test_300_tenants_in_seconds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fleetdata.write_fleet(tmp_path / "results", 300)
    started = time.perf_counter()
    built = fleet.build([tmp_path / "results"])
    page = render_html(built, tmp_path / "fleet.html")
    text = fleet.render_markdown(built)
    document = json.dumps(fleet.fleet_document(built))
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nfleet of 300 tenants: read, ordered and rendered in {elapsed:.2f} s "
              f"(page {len(page) / 1e6:.2f} MB, gzipped {len(gzip.compress(page.encode())) / 1e3:.0f} kB)")
    assert elapsed < 30  # generous: the machine is shared; measured well under a second
    assert len(built.rows) == 300 and not built.unreadable
    assert page.count("<tr data-rank=") == 300 and len(text) < 64_000 and document
    keys = [r.sort_key() for r in built.rows]
    assert keys == sorted(keys)
    positions = [fleet.MIGRATION_PHASES.index(r.behind_at) if r.behind_at else 5 for r in built.rows]
    assert positions == sorted(positions) and len(set(positions)) == 6  # every stage of progress is there
