"""The demo tenant run end to end: outcomes per check, selection, JSON results, JUnit, HTML data, xdist."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest
from tcharness import DEMO_EXPECTED, PHASES, Demo, catalog_phases, demo_dir, expected_for

from tunnelcheck.sources import snapshot


def _not_drift(phases: dict[str, str]) -> set[str]:
    return {cid for cid, phase in phases.items() if phase != "drift"}


def test_demo_outcome_of_every_check(demo: Demo) -> None:
    run = demo.run()
    run.assert_no_traceback()
    ids = _not_drift(catalog_phases())
    expected = expected_for(ids)
    assert run.outcomes == expected
    # The story's core failures are pinned even if the catalog grows.
    assert {k: run.outcomes[k] for k in ("TUN-AND-02", "TUN-IOS-02", "TUN-AND-05", "TUN-IOS-05")} == {
        "TUN-AND-02": "failed", "TUN-IOS-02": "failed", "TUN-AND-05": "failed", "TUN-IOS-05": "failed"}
    counts = {o: list(expected.values()).count(o) for o in ("passed", "failed")}
    run.result.assert_outcomes(**counts)
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED


def test_demo_evidence_names_the_offending_objects(demo: Demo) -> None:
    run = demo.run("-k", "TUN-AND-02 or TUN-IOS-02 or TUN-AND-05")
    failing = {cid: {(f["object_id"], f["property"], f["value"]) for f in run.record(cid)["evidence"]
                     if not f["ok"]} for cid in run.outcomes}
    field = "00000002-1111-4a2b-8c3d-672d616e642d"  # SG-Tunnel-Android-Field
    finance = "00000005-1111-4a2b-8c3d-672d696f732d"  # SG-Tunnel-iOS-Finance
    assert [row[0] for row in failing["TUN-AND-02"]] == [field]
    assert [row[0] for row in failing["TUN-IOS-02"]] == [finance]
    # defendertoggle is 1 in customData and 0 in customKeyValueData: a conflict, and not the 0 Tunnel-only needs.
    assert {(oid, value) for oid, _, value in failing["TUN-AND-05"]} == {
        ("p-and-wp-mde", "[0, 1]"), ("p-and-wp-mde", "1"), ("p-and-wp-mde", "yes")}
    assert run.record("TUN-AND-02")["reason"] == \
        "1 Android Tunnel target is not offered the Defender app: SG-Tunnel-Android-Field"


def test_drift_adds_the_drift_checks(demo: Demo) -> None:
    phases = catalog_phases()
    run = demo.run("--drift")
    assert run.outcomes == expected_for(set(phases))
    drift = {cid for cid, phase in phases.items() if phase == "drift"}
    without = demo.run()
    assert set(without.outcomes) == set(phases) - drift


@pytest.mark.parametrize("phase", ["inventory", "defender-deployed", "apps-reassigned"])
def test_phase_selection_is_cumulative(demo: Demo, phase: str) -> None:
    run = demo.run("--phase", phase)
    rank = PHASES.index(phase)
    phases = catalog_phases()
    wanted = {cid for cid, p in phases.items() if p in PHASES[: rank + 1]}
    assert set(run.outcomes) == wanted
    assert run.outcomes == expected_for(wanted)
    assert run.document is not None and run.document["phase"] == phase
    deselected = len(phases) - len(wanted)  # drift checks are deselected too (no --drift)
    run.result.assert_outcomes(passed=list(run.outcomes.values()).count("passed"),
                               failed=list(run.outcomes.values()).count("failed"), deselected=deselected)


def test_phase_defender_deployed_runs_exactly_the_early_checks(demo: Demo) -> None:
    run = demo.run("--phase", "defender-deployed")
    assert {"TUN-AND-01", "TUN-AND-02", "TUN-IOS-01"} <= set(run.outcomes)
    assert not {"TUN-AND-03", "TUN-IOS-02", "TUN-AND-05", "TUN-IOS-05", "TUN-AND-07"} & set(run.outcomes)
    assert all(cid.startswith("TUN-GW-") or cid in {"TUN-AND-01", "TUN-AND-02", "TUN-IOS-01"}
               for cid in run.outcomes)


@pytest.mark.parametrize(("option", "expression", "selects"), [
    ("-m", "android", lambda cid: cid.startswith("TUN-AND-")),
    ("-m", "ios and cleanup", lambda cid: cid in {"TUN-IOS-07", "TUN-IOS-08"}),
    ("-m", "gateway", lambda cid: cid.startswith("TUN-GW-")),
    ("-m", "critical", lambda cid: cid in {"TUN-AND-03", "TUN-IOS-02", "TUN-IOS-05"}),
    ("-k", "TUN-AND", lambda cid: cid.startswith("TUN-AND-")),
], ids=["android", "ios-and-cleanup", "gateway", "critical", "k-TUN-AND"])
def test_marker_and_keyword_selection(demo: Demo, option: str, expression: str, selects) -> None:
    run = demo.run(option, expression)
    ids = _not_drift(catalog_phases())
    wanted = {cid for cid in ids if selects(cid)}
    assert wanted, "the selection must pick some checks"
    assert set(run.outcomes) == wanted
    assert run.outcomes == expected_for(wanted)


def test_results_json_follows_the_output_contract(demo: Demo) -> None:
    run = demo.run()
    doc = run.document
    assert doc is not None
    seal = snapshot.read(demo_dir() / "contoso.json")
    assert doc["tunnelcheck_results"] == 1
    assert doc["tenant_id"] == "6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10" == seal.tenant_id
    assert doc["snapshot_sha256"] == seal.sha256
    assert doc["source"].endswith("contoso.json")
    assert doc["phase"] == "all"
    assert isinstance(doc["results"], list) and doc["results"]
    for record in doc["results"]:
        assert {"check_id", "title", "outcome", "reason", "evidence", "remediation"} <= record.keys()
        assert record["outcome"] in {"passed", "failed", "skipped", "error", "waived"}
        assert record["title"] and record["reason"] and record["remediation"]
        assert record["tenant"] == "contoso"
        for finding in record["evidence"]:
            assert {"object_type", "object_id", "object_name", "property", "value", "ok", "note"} <= finding.keys()
            assert isinstance(finding["ok"], bool) and isinstance(finding["value"], str)
        if record["outcome"] == "failed":
            assert any(not f["ok"] for f in record["evidence"]), record["check_id"]
    # One record per check, in the catalog's order (phase, then id).
    ranks = [PHASES.index(r["phase"]) for r in doc["results"]]
    assert ranks == sorted(ranks)
    assert len({r["check_id"] for r in doc["results"]}) == len(doc["results"])


def test_junit_carries_the_check_id(demo: Demo) -> None:
    run = demo.run("--junitxml=junit.xml", "-k", "TUN-AND-05 or TUN-IOS-01")
    tree = ET.parse(demo.pytester.path / "junit.xml")
    cases = {case.get("name"): case for case in tree.iter("testcase")}
    assert set(cases) == {"TUN-AND-05[contoso]", "TUN-IOS-01[contoso]"}
    for name, case in cases.items():
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert props["check_id"] == name.split("[")[0]
        assert props["tenant"] == "contoso"
    assert cases["TUN-AND-05[contoso]"].find("failure") is not None
    assert cases["TUN-IOS-01[contoso]"].find("failure") is None
    assert run.outcomes == {"TUN-AND-05": "failed", "TUN-IOS-01": "passed"}


def _jsonblob(page: str) -> dict:
    match = re.search(r'data-jsonblob="([^"]*)"', page)
    assert match, "pytest-html keeps its results in data-jsonblob"
    return json.loads(html.unescape(match.group(1)))


def test_html_report_embeds_id_reason_evidence_and_remediation(demo: Demo) -> None:
    run = demo.run("--html=report.html", "--self-contained-html")
    page = (demo.pytester.path / "report.html").read_text("utf-8")
    data = _jsonblob(page)
    tests = data["tests"]
    assert run.document is not None
    for record in run.document["results"]:
        nodeid = f"tunnelcheck::{record['check_id']}[contoso]"
        (entry,) = tests[nodeid]
        row = "".join(entry["resultsTableRow"])
        for value in (record["check_id"], record["phase"], record["platform"]):
            assert f">{html.escape(value)}</td>" in row
        assert html.escape(record["title"]) in row
        extra = "".join(e["content"] for e in entry["extras"] if e["format_type"] == "html")
        assert f'data-check-id="{record["check_id"]}"' in extra
        assert html.escape(record["reason"]) in extra
        assert html.escape(" ".join(record["remediation"].split())) in extra
        for finding in record["evidence"]:
            assert f"<code>{html.escape(finding['object_id'])}</code>" in extra
        assert extra.count('<tr class="tc-fail">') == sum(not f["ok"] for f in record["evidence"])
    # The failed check's log would repeat the extra as text: it is dropped.
    assert tests["tunnelcheck::TUN-AND-05[contoso]"][0]["log"] == ""
    # The run's sources are the status card's (pytest-html's environment keeps Python, plugins...).
    seal = snapshot.read(demo_dir() / "contoso.json")
    sources = page[page.index('<details id="tc-sources"'):]
    sources = sources[:sources.index("</details>")]
    assert f"<tr><th>Tenant</th><td>contoso ({seal.tenant_id})</td></tr>" in sources
    assert f"<tr><th>Tenant snapshot sha256</th><td>{seal.sha256}</td></tr>" in sources
    assert "<tr><th>Tenant source</th><td>snapshot: contoso.json" in sources
    assert "<tr><th>Phase</th><td>all</td></tr>" in sources
    assert "Tenant" not in data["environment"] and "Python" in data["environment"]
    assert "<title" in page and "tunnelcheck: contoso</title>" in page


def test_html_environment_never_shows_a_secret(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "s3cr3t-from-env")
    demo.run("--html=report.html", "--self-contained-html", "-k", "TUN-AND-01",
             "--metadata", "client_secret", "s3cr3t-from-option", "--metadata", "Ticket", "CHG-1234")
    page = (demo.pytester.path / "report.html").read_text("utf-8")
    assert "s3cr3t" not in page
    env = _jsonblob(page)["environment"]
    assert env["client_secret"] == "(redacted)"
    assert env["Ticket"] == "CHG-1234"  # only secret-looking names are redacted


def test_xdist_gives_the_same_results_as_serial(demo: Demo) -> None:
    serial = demo.run(json_name="serial.json")
    parallel = demo.run("-n", "2", json_name="parallel.json")
    parallel.assert_no_traceback()
    assert parallel.outcomes == serial.outcomes == expected_for(_not_drift(catalog_phases()))
    assert serial.document is not None and parallel.document is not None
    by_id = lambda doc: {r["check_id"]: r for r in doc["results"]}
    assert by_id(parallel.document) == by_id(serial.document)
    assert "2 workers" in parallel.result.stdout.str()


def test_expected_outcomes_cover_the_story() -> None:
    # Guards the table itself: every core check of docs/checks.md has its demo verdict written down.
    core = {"TUN-AND-01", "TUN-AND-02", "TUN-IOS-01", "TUN-AND-03", "TUN-IOS-02", "TUN-AND-05", "TUN-IOS-04",
            "TUN-IOS-05", "TUN-AND-07", "TUN-IOS-07", "TUN-AND-08", "TUN-IOS-08"}
    assert core <= DEMO_EXPECTED.keys()
    assert set(DEMO_EXPECTED.values()) <= {"passed", "failed", "skipped", "error"}
