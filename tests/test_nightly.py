"""ci/nightly.sh end to end against the Graph emulator (loopback only), as the CI templates run it: the
first run has no baseline, writes its report all the same and prints the `tunnelcheck accept` command of
exactly the snapshot that report shows; after running that command, two nightly runs with one change in
the tenant between them. The second run's report, results and Markdown summary name exactly that change
and its effect on the verdicts, and nothing else. Every output names the tenant as the user did
(TUNNELCHECK_TENANT, or the config's name)."""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from tunnelcheck.emulator import Emulator
from tunnelcheck.sources import snapshot

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "ci" / "nightly.sh"
DEMO = ROOT / "tunnelcheck" / "demo" / "contoso.json"
SECRET_ENV = "TUNNELCHECK_NIGHTLY_SECRET"
FIELD = "00000002-1111-4a2b-8c3d-672d616e642d"  # SG-Tunnel-Android-Field
FIELD_ASSIGNMENT = f"assignments[group SG-Tunnel-Android-Field ({FIELD})]"
TENANT = "contoso.onmicrosoft.com"  # what the user calls the tenant (the emulator signs in by its id)


class Nightly:
    """A CI workspace: the config pointing at the emulator, and runs of ci/nightly.sh in it."""

    def __init__(self, emu: Emulator, workspace: Path, name: str | None = None) -> None:
        self.emu = emu
        self.path = workspace
        (workspace / "tunnelcheck.yaml").write_text(
            (f"name: {json.dumps(name)}\n" if name is not None else "")
            + "migration:\n  defender_features: false\n"
            f"graph_url: {emu.graph_url}\nauthority: {emu.authority}\nca_bundle: {emu.ca_path}\n"
            f"auth:\n  method: client-secret\n  client_id: {emu.client_id}\n  client_secret_env: {SECRET_ENV}\n"
            f"  tenant_id: {emu.tenant_id}\n", encoding="utf-8")
        self.out = workspace / "tunnelcheck-out"
        self.history = workspace / "tunnelcheck-history"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("AZURE_", "MSAL_", "IDENTITY_", "GITHUB_", "TF_BUILD"))
                    and k not in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CI", "PYTEST_ADDOPTS")}
        self.env |= {"PYTHON": sys.executable, "TUNNELCHECK_TENANT": TENANT, SECRET_ENV: emu.client_secret,
                     "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def run(self, name: str) -> subprocess.CompletedProcess[str]:
        step_summary = self.path / f"step-summary-{name}.md"
        return subprocess.run(["bash", str(SCRIPT)], cwd=self.path, capture_output=True, text=True, timeout=300,
                              env=self.env | {"GITHUB_STEP_SUMMARY": str(step_summary)}, check=False)

    def accept(self, command: str) -> subprocess.CompletedProcess[str]:
        """Run the ``tunnelcheck accept ...`` command the first run printed, as it is."""
        words = shlex.split(command)
        assert words[:2] == ["tunnelcheck", "accept"], command
        return subprocess.run([sys.executable, "-m", "tunnelcheck.cli", *words[1:]], cwd=self.path,
                              capture_output=True, text=True, timeout=120, env=self.env, check=False)

    def results(self) -> dict[str, Any]:
        return json.loads((self.out / "results.json").read_text("utf-8"))


class _Report(HTMLParser):
    """The report's dashboard rows and SVG pictures, from the HTML as written."""

    def __init__(self) -> None:
        super().__init__()
        self.diff_rows: list[dict[str, str]] = []
        self.drift_rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-category"):
            self.diff_rows.append({"category": a["data-category"] or "", "check_id": a.get("data-check-id") or ""})
        if tag == "tr" and (a.get("class") or "").startswith("tc-drift-"):
            self._row = []
        if tag == "td" and self._row is not None:
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.drift_rows.append(self._row)
            self._row = None


def _report(path: Path) -> tuple[_Report, str]:
    html = path.read_text("utf-8")
    parsed = _Report()
    parsed.feed(html)
    return parsed, html


def _svgs(html: str) -> dict[str, ET.Element]:
    found = {}
    for text in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL):
        element = ET.fromstring(text)  # well-formed XML, or this raises
        found[element.get("class") or ""] = element
    return found


def _assign_field(resources: dict[str, Any]) -> None:
    """The one change between the runs: the Android Defender app, required for the Field group too."""
    (app,) = [a for a in resources["deviceAppManagement/mobileApps"] if a["id"] == "app-and-mde"]
    app["assignments"].append({
        "id": "app-and-mde_field", "intent": "required", "settings": None,
        "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": FIELD,
                   "deviceAndAppManagementAssignmentFilterId": None,
                   "deviceAndAppManagementAssignmentFilterType": "none"}})


@pytest.fixture
def nightly(tmp_path: Path) -> Any:
    document = json.loads(DEMO.read_text("utf-8"))
    with Emulator(snapshot=copy.deepcopy(document)) as emu:
        yield Nightly(emu, tmp_path)


def _accept_command(stderr: str) -> str:
    found = re.findall(r"tunnelcheck accept \S+ --baseline \S+ --sha256 \S+", stderr)
    assert len(found) == 1, stderr
    return found[0]


def _title(html: str) -> str:
    """The report's title (the page's, and its heading: the same text)."""
    (title,) = re.findall(r'<title id="head-title">(.*?)</title>', html, flags=re.DOTALL)
    (heading,) = re.findall(r'<h1 id="title">(.*?)</h1>', html, flags=re.DOTALL)
    assert heading.strip() == title.strip()
    return unescape(title.strip())


def test_nightly_twice_with_one_change(nightly: Nightly) -> None:
    # No baseline yet: the tenant is recorded under its name, its checks run and their report is written;
    # the run exits 2 and prints the command that accepts exactly the snapshot the report shows.
    first = nightly.run("bootstrap")
    assert first.returncode == 2, first.stdout + first.stderr
    assert [p.name for p in nightly.out.glob("*.json.gz")] == [f"{TENANT}.json.gz"]
    recorded = snapshot.read(nightly.out / f"{TENANT}.json.gz")
    assert recorded.name == TENANT and recorded.tenant_id == nightly.emu.tenant_id
    command = _accept_command(first.stderr)
    assert command == (f"tunnelcheck accept tunnelcheck-out/{TENANT}.json.gz --baseline baselines/accepted.json.gz "
                       f"--sha256 {recorded.sha256}")
    doc0 = nightly.results()
    assert doc0["snapshot_sha256"] == recorded.sha256
    assert [t["label"] for t in doc0["tenants"]] == [TENANT] and {r["tenant"] for r in doc0["results"]} == {TENANT}
    outcomes0 = {r["check_id"]: r["outcome"] for r in doc0["results"]}
    assert outcomes0["TUN-AND-02"] == "failed" and not any(c.startswith("TUN-DRIFT-") for c in outcomes0)
    assert not doc0.get("drift")
    _, html0 = _report(nightly.out / "report.html")
    assert _title(html0) == f"tunnelcheck: {TENANT}" and recorded.sha256 in html0  # the digest to review
    markdown0 = (nightly.out / "summary.md").read_text("utf-8")
    assert markdown0.startswith(f"## tunnelcheck: {TENANT}\n")
    assert "### No baseline yet" in markdown0 and f"```sh\n{command}\n```" in markdown0
    assert (nightly.path / "step-summary-bootstrap.md").read_text("utf-8") == markdown0
    cases0 = [c.get("name") for c in ET.parse(nightly.out / "junit.xml").iter("testcase")]
    assert "TUN-AND-02[contoso.onmicrosoft.com]" in cases0 and all(c.endswith(f"[{TENANT}]") for c in cases0)
    assert len(list(nightly.history.glob("results-*.json"))) == 1  # the first run counts: the next one's previous
    accepted = nightly.accept(command)
    assert accepted.returncode == 0, accepted.stderr
    assert "as the baseline baselines/accepted.json.gz" in accepted.stdout

    # Run 1: the demo tenant's verdicts, no drift from the baseline just accepted; the drift checks appear.
    one = nightly.run("one")
    assert one.returncode == 1, one.stdout + one.stderr  # the demo tenant is mid-migration
    doc1 = nightly.results()
    outcomes1 = {r["check_id"]: r["outcome"] for r in doc1["results"]}
    assert outcomes1["TUN-AND-02"] == "failed" and outcomes1["TUN-DRIFT-01"] == outcomes1["TUN-DRIFT-02"] == "passed"
    diff1 = doc1["result_diff"]
    assert diff1["previous"].startswith("tunnelcheck-history/results-000001-")
    assert [(c["check_id"], c["tenant"]) for c in diff1["appeared"]] == \
        [("TUN-DRIFT-01", TENANT), ("TUN-DRIFT-02", TENANT)]
    assert diff1["newly_failing"] == diff1["no_longer_applies"] == diff1["disappeared"] == []
    # Only the checks that compare with the baseline moved: skipped without one, they pass now.
    moved = {c for c in outcomes0 if outcomes0[c] != outcomes1[c]}
    reasons0 = {r["check_id"]: r["reason"] for r in doc0["results"]}
    assert moved and all(outcomes0[c] == "skipped" and "baseline" in reasons0[c] for c in moved), moved
    assert {c["check_id"] for c in diff1["newly_passing"]} == moved
    assert [d["drift"] for d in doc1["drift"]] == [False]
    assert len(list(nightly.history.glob("results-*.json"))) == 2

    # One change in the tenant, then run 2.
    _assign_field(nightly.emu.resources)
    two = nightly.run("two")
    assert two.returncode == 1, two.stdout + two.stderr
    doc2 = nightly.results()
    outcomes2 = {r["check_id"]: r["outcome"] for r in doc2["results"]}
    changed = {cid: (outcomes1[cid], outcomes2[cid]) for cid in outcomes1 if outcomes1[cid] != outcomes2[cid]}
    # The Field group now gets Defender (TUN-AND-02 passes), and that is drift from the baseline.
    assert changed == {"TUN-AND-02": ("failed", "passed"), "TUN-DRIFT-02": ("passed", "failed")}
    assert set(outcomes2) == set(outcomes1)

    # The JSON: the result diff names exactly those verdicts, the drift exactly that assignment.
    diff = doc2["result_diff"]
    assert diff["previous"].startswith("tunnelcheck-history/results-000002-")
    assert [(c["check_id"], c["tenant"], c["before"], c["after"]) for c in diff["newly_failing"]] == \
        [("TUN-DRIFT-02", TENANT, "passed", "failed")]
    assert [(c["check_id"], c["before"], c["after"]) for c in diff["newly_passing"]] == [("TUN-AND-02", "failed", "passed")]
    assert all(diff[key] == [] for key in ("newly_erroring", "no_longer_applies", "newly_waived", "still_erroring",
                                           "appeared", "disappeared"))
    still = {c["check_id"] for c in diff["still_failing"]}
    assert still == {cid for cid, o in outcomes1.items() if o == "failed"} - {"TUN-AND-02"}
    assert diff["unchanged"] == len(outcomes1) - len(still) - 2
    (drift,) = doc2["drift"]
    assert drift["summary"] == {"added": 0, "removed": 0, "changed": 1}
    (obj,) = drift["objects"]
    assert (obj["kind"], obj["id"], obj["name"]) == ("app", "app-and-mde", "Microsoft Defender: Antivirus")
    assert [(c["path"], c["old_text"], c["new_text"]) for c in obj["changes"]] == \
        [(FIELD_ASSIGNMENT, "(absent)", "required")]
    drift_check = next(r for r in doc2["results"] if r["check_id"] == "TUN-DRIFT-02")
    assert [f["property"] for f in drift_check["evidence"] if not f["ok"]] == [FIELD_ASSIGNMENT]

    # The Markdown summary (also appended to $GITHUB_STEP_SUMMARY).
    markdown = (nightly.out / "summary.md").read_text("utf-8")
    assert (nightly.path / "step-summary-two.md").read_text("utf-8") == markdown
    lines = markdown.splitlines()
    assert lines[0] == f"## tunnelcheck: {TENANT}"
    assert [ln for ln in lines if ln.startswith("- **")] == [
        (f"- **newly failing**: TUN-DRIFT-02 [{TENANT}] (passed → failed): "
        "1 app differs from the baseline: changed Microsoft Defender: Antivirus (assignments)"),
        (f"- **newly passing**: TUN-AND-02 [{TENANT}] (failed → passed): "
        "the Defender app is offered to all 3 Android Tunnel targets"),
    ]
    assert f"1 newly failing, 1 newly passing, {len(still)} still failing." in markdown
    assert "1 object drifted: 0 added, 0 removed, 1 changed" in markdown
    drift_lines = [ln for ln in lines if ln.startswith("| changed |")]
    field_md = FIELD_ASSIGNMENT.replace("[", "\\[").replace("]", "\\]")  # Markdown: the brackets escaped
    assert drift_lines == [(f"| changed | app | Microsoft Defender: Antivirus (app-and-mde) | {field_md} | "
                           "(absent) | required |")]
    assert "| drift | 1 | 1 | 0 | 0 | 0 |" in lines  # DRIFT-01 passed, DRIFT-02 failed
    failing_rows = [ln.split(" | ")[0].removeprefix("| ") for ln in lines
                    if re.match(rf"\| TUN-[A-Z]+-\d+ \| {re.escape(TENANT)} \|", ln)]
    assert set(failing_rows) == {cid for cid, o in outcomes2.items() if o == "failed"}

    # The report: the same diff rows and drift row, and well-formed pictures with the trend of both runs.
    report, html = _report(nightly.out / "report.html")
    newly = [(r["category"], r["check_id"]) for r in report.diff_rows if r["category"] != "still_failing"]
    assert newly == [("newly_failing", "TUN-DRIFT-02"), ("newly_passing", "TUN-AND-02")]
    assert {r["check_id"] for r in report.diff_rows if r["category"] == "still_failing"} == still
    assert report.drift_rows == [["changed", "app", "Microsoft Defender: Antivirus (app-and-mde)", FIELD_ASSIGNMENT,
                                  "(absent)", "required"]]
    svgs = _svgs(html)
    assert set(svgs) == {"tc-progress", "tc-trend"}
    assert [c.get("data-failing") for c in svgs["tc-trend"].iter("circle")] == \
        [str(sum(o == "failed" for o in outcomes.values())) for outcomes in (outcomes0, outcomes1, outcomes2)]
    assert _title(html) == f"tunnelcheck: {TENANT}"
    assert len(list(nightly.history.glob("results-*.json"))) == 3

    # JUnit for the CI's test tab; the recorded snapshot is the artifact.
    cases = {c.get("name"): c for c in ET.parse(nightly.out / "junit.xml").iter("testcase")}
    assert cases[f"TUN-DRIFT-02[{TENANT}]"].find("failure") is not None
    assert snapshot.read(nightly.out / f"{TENANT}.json.gz").name == TENANT
    assert nightly.emu.write_attempts == []


def test_first_run_named_by_a_hostile_config_name(tmp_path: Path) -> None:
    """The config's name wins over TUNNELCHECK_TENANT; as the snapshot's file name it is made safe, and
    nothing of it reaches a shell."""
    name = "Contoso <b>EU</b> | ../../x [y](https://evil.example) $(touch pwned) `touch pwned`"
    with Emulator(snapshot=json.loads(DEMO.read_text("utf-8"))) as emu:
        nightly = Nightly(emu, tmp_path, name=name)
        first = nightly.run("named")
        assert first.returncode == 2, first.stdout + first.stderr
        (path,) = nightly.out.glob("*.json.gz")
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*\.json\.gz", path.name) and TENANT not in path.name
        assert snapshot.read(path).name == name
        assert [t["label"] for t in nightly.results()["tenants"]] == [name]
        command = _accept_command(first.stderr)
        assert shlex.split(command)[2] == f"tunnelcheck-out/{path.name}"
        accepted = nightly.accept(command)
        assert accepted.returncode == 0, accepted.stderr
    assert not list(tmp_path.rglob("pwned"))


def _steps_running(document: Any) -> list[str]:
    """Every shell command of a pipeline document (GitHub ``run:``, Azure DevOps ``script:``/``bash:``/
    ``inlineScript``), wherever it is nested."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key in ("run", "script", "bash", "inlineScript") and isinstance(value, str):
                found.append(value)
            else:
                found += _steps_running(value)
    elif isinstance(document, list):
        for item in document:
            found += _steps_running(item)
    return found


@pytest.mark.parametrize("template", ["ci/github/tunnelcheck-nightly.yml", "ci/azure-devops/tunnelcheck-nightly.yml"])
def test_ci_templates_run_the_nightly_script(template: str) -> None:
    document = yaml.safe_load((ROOT / template).read_text("utf-8"))
    commands = _steps_running(document)
    assert sum("ci/nightly.sh" in c for c in commands) == 1, commands
    text = (ROOT / template).read_text("utf-8")
    for artifact in ("report.html", "results.json", "junit.xml", "NAME.json.gz"):
        assert artifact in text or "tunnelcheck-out" in text


def test_github_template_schedule_identity_artifacts() -> None:
    workflow = yaml.safe_load((ROOT / "ci/github/tunnelcheck-nightly.yml").read_text("utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["schedule"][0]["cron"]
    assert workflow["permissions"]["id-token"] == "write"
    (job,) = workflow["jobs"].values()
    uses = {s.get("uses", "").split("@")[0]: s for s in job["steps"]}
    assert uses["actions/upload-artifact"]["if"] == "always()"
    assert "tunnelcheck-out" in uses["actions/upload-artifact"]["with"]["path"]


def test_azure_devops_template_publishes_junit() -> None:
    pipeline = yaml.safe_load((ROOT / "ci/azure-devops/tunnelcheck-nightly.yml").read_text("utf-8"))
    assert pipeline["schedules"][0]["cron"]
    steps = pipeline["steps"] if "steps" in pipeline else pipeline["jobs"][0]["steps"]
    tasks = {s["task"].split("@")[0]: s for s in steps if "task" in s}
    publish = tasks["PublishTestResults"]
    assert publish["inputs"]["testResultsFormat"] == "JUnit"
    assert "junit.xml" in publish["inputs"]["testResultsFiles"]
    assert publish["condition"] == "succeededOrFailed()" or "always()" in publish["condition"]
