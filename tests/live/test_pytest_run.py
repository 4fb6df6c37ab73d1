"""``pytest --tenant`` in a fresh interpreter, against the emulator: the same outcomes as ``--snapshot``,
a ``--record``ed snapshot, and no secret or token in anything the run wrote."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
from emulated import DEMO, SECRET_ENV, write_config

from tunnelcheck.cli.record import add_record_arguments, run_record
from tunnelcheck.emulator import Emulator, Fault
from tunnelcheck.sources import snapshot

JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


def _outcomes(path: Path) -> dict[str, str]:
    return {r["check_id"]: r["outcome"] for r in json.loads(path.read_text())["results"]}


def test_pytest_tenant_gives_the_snapshot_outcomes(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(snapshot=DEMO) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, pytester.path / "cfg.yaml")
        live = pytester.runpytest_subprocess(
            "--tenant", emu.tenant_id, "--tunnelcheck-config", str(cfg), "--tunnelcheck-json", "live.json",
            "--junitxml", "live.xml", "--record", "recorded.json", "-p", "no:cacheprovider", "-rA")
        assert emu.write_attempts == []
        graph = [r for r in emu.requests if r.path.startswith("/beta/")]
        assert graph and all(r.method == "GET" or r.path == "/beta/$batch" for r in graph)
    recorded = pytester.runpytest_subprocess(
        "--snapshot", str(DEMO), "--tunnelcheck-config", str(cfg), "--tunnelcheck-json", "snap.json",
        "-p", "no:cacheprovider")
    assert live.ret == recorded.ret == 1  # the demo tenant is mid-migration: some checks fail
    live_outcomes = _outcomes(pytester.path / "live.json")
    assert live_outcomes == _outcomes(pytester.path / "snap.json")
    assert len(live_outcomes) >= 20

    # --record wrote what the run loaded; it reads back as a valid snapshot with the same outcomes.
    again = pytester.runpytest_subprocess(
        "--snapshot", "recorded.json", "--tunnelcheck-config", str(cfg), "--tunnelcheck-json", "again.json",
        "-p", "no:cacheprovider")
    assert again.ret == 1 and _outcomes(pytester.path / "again.json") == live_outcomes
    assert snapshot.read(pytester.path / "recorded.json").tenant_id == emu.tenant_id

    written = [pytester.path / n for n in ("live.json", "live.xml", "recorded.json")]
    for text in [p.read_text() for p in written] + ["\n".join(live.outlines + live.errlines)]:
        assert emu.client_secret not in text
        assert not JWT.search(text), "an access token leaked into the output"


def test_pytest_tenant_without_permissions_stops_with_one_line(pytester: pytest.Pytester,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(snapshot=DEMO, roles=["DeviceManagementConfiguration.Read.All"]) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, pytester.path / "cfg.yaml")
        result = pytester.runpytest_subprocess("--tenant", emu.tenant_id, "--tunnelcheck-config", str(cfg),
                                               "-p", "no:cacheprovider")
        assert [r for r in emu.requests if r.path.startswith("/beta/")] == []
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = "\n".join(result.errlines)
    assert ("the token lacks the Graph application permissions DeviceManagementApps.Read.All, "
            "DeviceManagementManagedDevices.Read.All, GroupMember.Read.All") in errors
    assert "Traceback" not in errors


def test_record_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_record_arguments(parser)
    with Emulator(snapshot=DEMO) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, tmp_path / "cfg.yaml")
        out = tmp_path / "rec.json"
        assert run_record(parser.parse_args(["--tenant", emu.tenant_id, "-o", str(out),
                                             "--tunnelcheck-config", str(cfg)])) == 0
        assert "tunnelcheck: recorded 7 of 7 resources" in capsys.readouterr().err  # not the managed devices
        assert len(snapshot.read(out).resources) == 7

        emu.faults.append(Fault(path_regex=r"auditEvents$", status=403, times=None))
        partial = tmp_path / "partial.json"
        assert run_record(parser.parse_args(["--tenant", emu.tenant_id, "-o", str(partial),
                                             "--tunnelcheck-config", str(cfg)])) == 1
        err = capsys.readouterr().err
        assert "recorded 6 of 7 resources" in err and "not recorded: deviceManagement/auditEvents" in err
        doc = snapshot.read(partial)
        assert "deviceManagement/auditEvents" not in doc.resources
        assert doc.provenance["deviceManagement/auditEvents"]["completed"] is False

        monkeypatch.setenv(SECRET_ENV, "not-the-secret")
        assert run_record(parser.parse_args(["--tenant", emu.tenant_id, "-o", str(tmp_path / "x.json"),
                                             "--tunnelcheck-config", str(cfg)])) == 2
        err = capsys.readouterr().err
        assert err.startswith("tunnelcheck: error: client-secret sign-in to tenant") and "AADSTS" in err
        assert "not-the-secret" not in err and err.count("\n") == 1
        assert not (tmp_path / "x.json").exists()


def test_a_live_run_collects_only_what_the_selected_checks_need(pytester: pytest.Pytester,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """-k/-m narrow the collection too: TUN-GW-02 reads profiles and sites (and groups, for names), nothing else."""
    with Emulator(snapshot=DEMO) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, pytester.path / "cfg.yaml")
        run = pytester.runpytest_subprocess("--tenant", emu.tenant_id, "--tunnelcheck-config", str(cfg),
                                            "-k", "TUN-GW-02", "-p", "no:cacheprovider")
        listed = {r.path.removeprefix("/beta/") for r in emu.requests if r.path.startswith("/beta/")
                  and r.path.count("/") <= 3 and not r.path.endswith("$batch")}
    assert run.ret == 0
    assert listed == {"deviceManagement/deviceConfigurations", "deviceManagement/microsoftTunnelSites", "groups"}


def test_live_tenants_refuse_xdist(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each worker would sign in and collect on its own, against one throttling budget."""
    with Emulator(snapshot=DEMO) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, pytester.path / "cfg.yaml")
        run = pytester.runpytest_subprocess("--tenant", emu.tenant_id, "--tunnelcheck-config", str(cfg),
                                            "-n", "2", "-p", "no:cacheprovider")
        graph = [r for r in emu.requests if r.path.startswith("/beta/")]
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "ERROR: -n: live tenants run in one process" in run.stderr.str()
    assert graph == []
