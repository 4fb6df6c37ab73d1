"""The ``tunnelcheck`` command, run as a subprocess the way a user runs it."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from emulated import printed_instructions

from tunnelcheck import __version__
from tunnelcheck.cli import format_checks
from tunnelcheck.registry import Catalog

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "tunnelcheck.cli"]


def tunnelcheck(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def test_console_script_is_declared() -> None:
    (script,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "tunnelcheck"]
    assert script.value == "tunnelcheck.cli:main"


def test_checks_table_lists_the_catalog() -> None:
    result = tunnelcheck("checks")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "PHASE", "PLATFORM", "SEVERITY", "TITLE"]
    catalog = Catalog.installed()
    assert [line.split()[0] for line in lines[1:]] == list(catalog)
    row = next(line for line in lines if line.startswith("TUN-AND-05 "))
    assert row.split(maxsplit=4) == ["TUN-AND-05", "profiles-created", "android", "high",
                                     "Android Defender profiles set defendertoggle as intended"]


def test_checks_markdown_and_json() -> None:
    markdown = tunnelcheck("checks", "--format", "markdown").stdout.splitlines()
    table = markdown.index("| id | phase | platform | severity | title |")
    assert markdown[table + 1] == "|---|---|---|---|---|"
    assert "| [TUN-IOS-02](#tun-ios-02) | profiles-created | ios | critical | " in markdown[
        table + 2 + list(Catalog.installed()).index("TUN-IOS-02")]
    assert "## TUN-IOS-02" in markdown
    doc = json.loads(tunnelcheck("checks", "--format", "json").stdout)
    by_id = {c["check_id"]: c for c in doc}
    assert list(by_id) == list(Catalog.installed())
    assert by_id["TUN-AND-05"]["needs"] == [{"resource": "deviceManagement/deviceConfigurations",
                                             "permission": "DeviceManagementConfiguration.Read.All"}]
    assert by_id["TUN-AND-05"]["rule"].startswith("For each assigned Android Defender profile")
    assert tunnelcheck("checks", "--format", "csv").returncode == 2


def test_explain_shows_rule_needs_and_remediation() -> None:
    result = tunnelcheck("explain", "TUN-AND-05")
    assert result.returncode == 0
    out = result.stdout
    check = Catalog.installed()["TUN-AND-05"]
    assert out.splitlines()[0] == "TUN-AND-05: Android Defender profiles set defendertoggle as intended"
    assert "phase:       profiles-created" in out and "platform:    android" in out and "severity:    high" in out
    assert "  - deviceManagement/deviceConfigurations (Graph permission DeviceManagementConfiguration.Read.All)" in out
    flat = " ".join(out.split())
    assert check.rule in flat and check.remediation in flat
    # Ids are matched case-insensitively.
    assert tunnelcheck("explain", "tun-and-05").stdout == out


def test_explain_unknown_id_suggests_close_ones() -> None:
    result = tunnelcheck("explain", "TUN-AND-5")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "tunnelcheck: error: unknown check 'TUN-AND-5' (did you mean TUN-AND-05, TUN-AND-08, TUN-AND-07?)"]
    far = tunnelcheck("explain", "zzz")
    assert far.returncode == 2
    assert far.stderr == f"tunnelcheck: error: unknown check 'zzz' (`tunnelcheck checks` lists the " \
        f"{len(Catalog.installed())} known checks)\n"


def test_usage_errors_exit_2() -> None:
    assert tunnelcheck().returncode == 2
    assert tunnelcheck("checks", "extra").returncode == 2
    both = tunnelcheck("demo", "--html", "r.html", "--no-html")
    assert both.returncode == 2 and "demo: --html and --no-html exclude each other" in both.stderr


def test_broken_check_pack_is_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "broken_pack.py").write_text("raise RuntimeError('pack exploded')\n")
    info = tmp_path / "broken_pack-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-pack\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[tunnelcheck.checks]\nbroken = broken_pack\n")
    env = os.environ | {"PYTHONPATH": str(tmp_path)}
    for args in (["checks"], ["explain", "TUN-AND-05"]):
        result = tunnelcheck(*args, env=env)
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            "tunnelcheck: error: check pack 'broken' (broken_pack) failed to load: RuntimeError: pack exploded"]


def _results(path: Path) -> dict[str, str]:
    return {r["check_id"]: r["outcome"] for r in json.loads(path.read_text("utf-8"))["results"]}


def test_demo_runs_from_any_folder(tmp_path: Path) -> None:
    # An empty folder: the run is rooted there and must not pick up the ini file of the project that
    # holds the demo files (an editable install keeps them beside tunnelcheck's own pyproject.toml).
    result = tunnelcheck("demo", "--json", "results.json", cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-2000:]  # the demo is mid-migration: checks fail
    first = result.stdout.splitlines()[0]
    assert first.startswith("$ pytest --rootdir=. -p no:cacheprovider --snapshot=")
    assert "--html=report.html --self-contained-html --tunnelcheck-json=results.json" in first
    assert f"rootdir: {tmp_path}" in result.stdout
    assert "inifile" not in result.stdout and "configfile" not in result.stdout
    page = (tmp_path / "report.html").read_text("utf-8")
    assert "data-jsonblob" in page and "TUN-AND-05" in page
    outcomes = _results(tmp_path / "results.json")
    assert outcomes["TUN-AND-02"] == "failed" and outcomes["TUN-AND-01"] == "passed"
    assert not list(tmp_path.glob(".pytest_cache"))

    # The printed command is the equivalent pytest run.
    again = tmp_path / "again"
    again.mkdir()
    args = shlex.split(first.removeprefix("$ "))[1:]
    args = [a.replace("results.json", "again.json") for a in args if not a.startswith("--html")
            and a != "--self-contained-html"]
    rerun = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=again, capture_output=True, text=True,
                           timeout=300, check=False)
    assert rerun.returncode == 1
    assert _results(again / "again.json") == outcomes


def test_demo_passes_pytest_arguments_through(tmp_path: Path) -> None:
    result = tunnelcheck("demo", "--no-html", "--json", "r.json", "-k", "TUN-AND", "-m", "not cleanup",
                         "--phase", "profiles-created", cwd=tmp_path)
    assert result.returncode == 1
    assert not (tmp_path / "report.html").exists()
    outcomes = _results(tmp_path / "r.json")
    assert outcomes and all(cid.startswith("TUN-AND-") for cid in outcomes)
    assert {"TUN-AND-01", "TUN-AND-02", "TUN-AND-03", "TUN-AND-05"} <= outcomes.keys()
    assert not {"TUN-AND-07", "TUN-AND-08"} & outcomes.keys()


def test_demo_passing_selection_exits_0(tmp_path: Path) -> None:
    result = tunnelcheck("demo", "--no-html", "-q", "-k", "TUN-AND-01 or TUN-IOS-01", cwd=tmp_path)
    assert result.returncode == 0
    assert "2 passed" in result.stdout


def test_demo_bad_pytest_option_is_pytests_usage_error(tmp_path: Path) -> None:
    result = tunnelcheck("demo", "--no-html", "--phase", "later", cwd=tmp_path)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "invalid choice: 'later'" in result.stderr


# ---------------------------------------------------------------------------------------------------
# record and emulate: wired from their own packages, loaded only when asked for


def test_checks_does_not_load_the_live_stack() -> None:
    code = ("import sys; from tunnelcheck.cli import main; main(['checks']); "
            "print(sorted(m for m in sys.modules if m.startswith(('msgraph', 'azure', 'tunnelcheck.sources.graph', "
            "'tunnelcheck.emulator'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_top_level_help_lists_every_command() -> None:
    out = tunnelcheck("--help").stdout
    for command in ("checks", "explain", "demo", "record", "emulate"):
        assert f"    {command} " in out


def test_record_errors_are_one_line(tmp_path: Path) -> None:
    result = tunnelcheck("record", "--tenant", "contoso.onmicrosoft.com", "-o", "out.json",
                         "--tunnelcheck-config", "nope.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["tunnelcheck: error: nope.yaml: cannot read the file (No such file or directory)"]
    assert not (tmp_path / "out.json").exists()
    missing = tunnelcheck("record", "-o", "out.json", cwd=tmp_path)
    assert missing.returncode == 2 and "the following arguments are required: --tenant" in missing.stderr


def test_emulate_then_record_round_trip(tmp_path: Path) -> None:
    """`tunnelcheck emulate` serves the demo on loopback; `tunnelcheck record` records it back."""
    demo = Path(str(resources.files("tunnelcheck.demo") / "contoso.json"))
    server = subprocess.Popen([*CLI, "emulate", str(demo), "--port", "0", "--state-dir", "state"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        text = "\n".join(printed_instructions(server))
        assert "tunnelcheck emulator: Graph beta + Entra for tenant" in text, text
        url = re.search(r"graph_url: (https://127\.0\.0\.1:\d+)", text).group(1)  # type: ignore[union-attr]
        tenant = re.search(r"tenant_id: (\S+)", text).group(1)  # type: ignore[union-attr]
        client = re.search(r"client_id: (\S+)", text).group(1)  # type: ignore[union-attr]
        secret = re.search(r"export TUNNELCHECK_EMULATOR_SECRET=(\S+)", text).group(1)  # type: ignore[union-attr]
        (tmp_path / "cfg.yaml").write_text(
            f"graph_url: {url}\nauthority: {url}\nca_bundle: state/ca.pem\nauth:\n  method: client-secret\n"
            f"  tenant_id: {tenant}\n  client_id: {client}\n  client_secret_env: TUNNELCHECK_EMULATOR_SECRET\n")
        env = os.environ | {"SSL_CERT_FILE": "state/ca.pem", "REQUESTS_CA_BUNDLE": "state/ca.pem",
                            "TUNNELCHECK_EMULATOR_SECRET": secret}
        result = tunnelcheck("record", "--tenant", tenant, "-o", "rec.json", "--tunnelcheck-config", "cfg.yaml",
                             cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        # Every resource a check reads, and the groups; not the managed devices in bulk (no check reads them).
        assert result.stderr.startswith("tunnelcheck: recorded 7 of 7 resources")
        recorded = json.loads((tmp_path / "rec.json").read_text("utf-8"))
        original = json.loads(demo.read_text("utf-8"))
        assert recorded["tenant_id"] == original["tenant_id"]
        ids = lambda doc: {k: sorted(o.get("id", "") for o in v) for k, v in doc["resources"].items()}
        assert ids(recorded) == {k: v for k, v in ids(original).items() if k != "deviceManagement/managedDevices"}
        assert secret not in (tmp_path / "rec.json").read_text("utf-8")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_docs_catalog_is_up_to_date() -> None:
    """docs/checks.md is generated; regenerate it with `tunnelcheck checks --format markdown > docs/checks.md`."""
    builtin = Catalog.builtin()
    expected = format_checks(builtin, "markdown") + "\n"
    assert (ROOT / "docs" / "checks.md").read_text(encoding="utf-8") == expected, (
        "docs/checks.md is out of date: run `tunnelcheck checks --format markdown > docs/checks.md`")


def test_version() -> None:
    done = subprocess.run([*CLI, "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"tunnelcheck {__version__}"


@pytest.mark.parametrize("args", [["checks", "--format", "json"], ["explain", "TUN-AND-05"]])
def test_a_closed_pipe_ends_quietly(args: list[str]) -> None:
    """``tunnelcheck checks | head``: the reader has gone before the output; no traceback, no error."""
    read, write = os.pipe()
    os.close(read)
    done = subprocess.run([*CLI, *args], stdout=write, stderr=subprocess.PIPE, text=True, check=False)
    os.close(write)
    assert done.returncode == 0 and done.stderr == ""


def test_plain_pytest_without_a_tenant_says_what_is_needed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["tunnelcheck: no checks ran: give --snapshot FILE or --tenant TENANT*"])


def test_diff_help_gives_its_exit_codes() -> None:
    done = subprocess.run([*CLI, "diff", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "exit status: 0 no drift, 1 drift, 2 error" in done.stdout
