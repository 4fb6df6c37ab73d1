"""Crash-safe, resumable recording: ``tunnelcheck record`` SIGKILLed at several points leaves the previous
snapshot intact and nothing partial under its name; ``--resume`` asks Graph only for the resources the
checkpoint lacks and gives the same snapshot as an uninterrupted run.

"The same snapshot" means: equal ``resources``, ``tenant_id`` and ``cloud``. ``recorded_at``, the digest and
``provenance`` may differ (a resource taken from the checkpoint keeps its first request ids and is marked
``"checkpoint": true``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from emulated import SECRET_ENV, write_config

from tunnelcheck.cli.record import add_record_arguments, run_record
from tunnelcheck.emulator import Emulator
from tunnelcheck.model.resources import Resource
from tunnelcheck.registry import recorded_by_default
from tunnelcheck.sources import snapshot
from tunnelcheck.sources.graph.record import Checkpoint

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tunnelcheck" / "demo" / "contoso.json"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSAL_", "IDENTITY_")) or name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CI"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("resume-emulator")


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_record_arguments(parser)
    return parser.parse_args(list(argv))


def _resource_of(path: str) -> Resource | None:
    """Which resource a Graph request (top level or inside a batch) belongs to."""
    rest = path.removeprefix("/beta/")
    return next((r for r in Resource if rest == r.value or rest.startswith(r.value + "/")), None)


def _same(a: Path, b: Path) -> None:
    first, second = snapshot.read(a), snapshot.read(b)
    assert dict(first.resources) == dict(second.resources)
    assert (first.tenant_id, first.cloud) == (second.tenant_id, second.cloud)


@pytest.mark.parametrize("kill_after", [0, 2, 5], ids=["before-any-resource", "after-2-resources",
                                                     "after-5-resources"])
def test_killed_recording_keeps_the_old_snapshot_and_resumes(
        kill_after: int, tmp_path: Path, state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(snapshot=DEMO, latency_ms=60, state_dir=state_dir) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, migration=False, path=tmp_path / "cfg.yaml")
        out = tmp_path / "tenant.json.gz"
        previous = b'{"an older snapshot": "must survive"}'
        out.write_bytes(previous)
        checkpoint = Checkpoint(out)

        proc = subprocess.Popen(
            [sys.executable, "-m", "tunnelcheck.cli", "record", "--tenant", emu.tenant_id, "-o", str(out),
             "--tunnelcheck-config", str(cfg)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                done = list(checkpoint.folder.glob("*.json")) if checkpoint.folder.is_dir() else []
                started = any(r.path.startswith("/beta/") for r in list(emu.requests))
                if (kill_after == 0 and started) or (kill_after and len(done) - 1 >= kill_after):
                    break
                time.sleep(0.005)
            assert proc.poll() is None, "the recording finished before it could be killed: raise the latency"
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == -signal.SIGKILL

        # The previous snapshot is intact; nothing partial carries the target's name.
        assert out.read_bytes() == previous
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(out.name)) == \
            sorted([out.name, checkpoint.folder.name])
        saved = {p.stem for p in checkpoint.folder.glob("*.json")} - {"meta"}
        assert len(saved) >= kill_after
        assert json.loads((checkpoint.folder / "meta.json").read_text())["tenant"] == emu.tenant_id

        # --resume asks only for what the checkpoint lacks.
        emu.clear_log()
        assert run_record(_args("--tenant", emu.tenant_id, "-o", str(out), "--tunnelcheck-config", str(cfg),
                                "--resume")) == 0
        asked = {_resource_of(r.path) for r in emu.requests if r.path.startswith("/beta/") and r.path != "/beta/$batch"}
        from_checkpoint = {r for r in Resource if r.name.lower() in saved}
        assert not asked & from_checkpoint, f"asked again for {asked & from_checkpoint}"
        assert asked | from_checkpoint == set(recorded_by_default())
        assert not checkpoint.folder.exists(), "a finished recording removes its checkpoint"
        resumed = snapshot.read(out)
        assert {k for k, v in resumed.provenance.items() if v.get("checkpoint")} == {r.value for r in from_checkpoint}

        # The same snapshot as an uninterrupted run.
        whole = tmp_path / "whole.json"
        assert run_record(_args("--tenant", emu.tenant_id, "-o", str(whole), "--tunnelcheck-config", str(cfg))) == 0
        _same(out, whole)


def test_resume_after_a_failed_resource_retries_only_it(tmp_path: Path, state_dir: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from tunnelcheck.emulator import Fault

    with Emulator(snapshot=DEMO, state_dir=state_dir) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, migration=False, path=tmp_path / "cfg.yaml")
        out = tmp_path / "t.json"
        emu.faults.append(Fault(r"/beta/groups$", status=403, times=None))
        assert run_record(_args("--tenant", emu.tenant_id, "-o", str(out), "--tunnelcheck-config", str(cfg))) == 1
        err = capsys.readouterr().err
        assert "not recorded: groups" in err and "--resume" in err
        assert Checkpoint(out).folder.is_dir()
        emu.faults.clear()
        emu.clear_log()
        assert run_record(_args("--tenant", emu.tenant_id, "-o", str(out), "--tunnelcheck-config", str(cfg),
                                "--resume")) == 0
        assert "6 resources taken from the checkpoint" in capsys.readouterr().err
        assert {_resource_of(r.path) for r in emu.requests if r.path.startswith("/beta/")} == {Resource.GROUPS}
        assert len(snapshot.read(out).resources) == 7 and not Checkpoint(out).folder.exists()


def test_resume_refuses_a_checkpoint_of_another_tenant(tmp_path: Path, state_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.json"
    folder = Checkpoint(out).folder
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps({"tunnelcheck_checkpoint": 1, "tenant": "fabrikam.example",
                                                  "graph_url": "https://graph.example", "cloud": "global",
                                                  "redaction": None}))
    with Emulator(snapshot=DEMO, state_dir=state_dir) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, migration=False, path=tmp_path / "cfg.yaml")
        assert run_record(_args("--tenant", emu.tenant_id, "-o", str(out), "--tunnelcheck-config", str(cfg),
                                "--resume")) == 2
        assert [r for r in emu.requests if r.path.startswith("/beta/")] == []
    err = capsys.readouterr().err
    assert err.startswith("tunnelcheck: error: --resume: ") and "fabrikam.example" in err and err.count("\n") == 1
    assert not out.exists()


def test_ctrl_c_names_the_checkpoint_and_the_command_that_resumes_it_without_the_tenant(
        tmp_path: Path, state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (SIGINT) while ``tunnelcheck record`` waits on a slow resource: exit 130 and one line naming
    the checkpoint and the command to continue; the checkpoint is intact; that command, run as printed
    (no --tenant, no --tunnelcheck-config: both are the checkpoint's), finishes the recording."""
    from tunnelcheck.emulator import Fault

    with Emulator(snapshot=DEMO, state_dir=state_dir) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, migration=False, path=tmp_path / "cfg.yaml")
        out = tmp_path / "tenant.json.gz"
        checkpoint = Checkpoint(out)
        # One byte of its body every 50 ms: the recording waits on it long after the others are checkpointed.
        slow = Resource.TUNNEL_CONFIGURATIONS
        emu.faults.append(Fault(rf"/beta/{slow.value}$", drip=0.05))
        proc = subprocess.Popen(
            [sys.executable, "-m", "tunnelcheck.cli", "record", "--tenant", emu.tenant_id, "-o", out.name,
             "--tunnelcheck-config", str(cfg)],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
        try:
            others = len(recorded_by_default()) - 1
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None and len(checkpoint.saved()) < others:
                time.sleep(0.01)
            assert proc.poll() is None, "the recording ended before it could be interrupted"
            assert len(checkpoint.saved()) == others, "the other resources were not checkpointed in time"
            proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

        assert proc.returncode == 130, stderr
        assert stdout == "" and "Traceback" not in stderr
        command = f"tunnelcheck record --resume {out.name}.partial"
        assert stderr.splitlines() == [(f"tunnelcheck: interrupted: {others} resources recorded so far kept in the "
                                        f"checkpoint {out.name}.partial; continue with: {command}")]
        # The checkpoint is intact: its meta.json and every resource file read back whole; no snapshot, no part.
        saved = checkpoint.saved()
        assert set(saved) == set(recorded_by_default()) - {slow}
        assert all(entry["items"] for entry in saved.values())
        meta = json.loads((checkpoint.folder / "meta.json").read_text("utf-8"))
        assert (meta["tenant"], meta["arguments"]["tunnelcheck_config"]) == (emu.tenant_id, str(cfg))
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["cfg.yaml", checkpoint.folder.name])
        assert not [p for p in checkpoint.folder.iterdir() if not p.name.endswith(".json")], "a part was left"

        emu.faults.clear()
        emu.clear_log()
        resumed = subprocess.run([sys.executable, "-m", "tunnelcheck.cli", *command.split()[1:]], cwd=tmp_path,
                                 capture_output=True, text=True, timeout=120, env=os.environ.copy(), check=False)
        assert resumed.returncode == 0, resumed.stderr
        assert f"{others} resources taken from the checkpoint" in resumed.stderr
        asked = {_resource_of(r.path) for r in emu.requests if r.path.startswith("/beta/")}
        assert asked == {slow}
        whole = tmp_path / "whole.json"
        assert run_record(_args("--tenant", emu.tenant_id, "-o", str(whole), "--tunnelcheck-config", str(cfg))) == 0
        _same(out, whole)
        assert not checkpoint.folder.exists()


def test_resume_arguments_the_checkpoint_cannot_settle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without a checkpoint there is no tenant to take; a CHECKPOINT and an -o of another file contradict."""
    out = tmp_path / "t.json"
    assert run_record(_args("--resume", f"{out}.partial")) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tunnelcheck: error: --resume: there is no checkpoint at {out}.partial to take the "
                          "tenant from") and err.count("\n") == 1
    for argv, message in [
        ([], "the following arguments are required: --tenant, -o"),
        (["--resume"], "--resume needs the checkpoint"),
        (["--resume", f"{out}.partial", "-o", str(tmp_path / "other.json")],
         f"--resume {out}.partial is the checkpoint of {out}, not of -o {tmp_path / 'other.json'}"),
    ]:
        done = subprocess.run([sys.executable, "-m", "tunnelcheck.cli", "record", *argv], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 2 and done.stderr.startswith("usage: tunnelcheck record"), done.stderr
        assert f"tunnelcheck record: error: {message}" in done.stderr


@pytest.mark.parametrize("meta", [
    {"tunnelcheck_checkpoint": 1},
    {"tunnelcheck_checkpoint": 2, "tenant": "contoso.onmicrosoft.com"},
    {"tunnelcheck_checkpoint": 1, "tenant": "contoso.onmicrosoft.com", "arguments": {"resources": ["../etc"]}},
    {"tunnelcheck_checkpoint": 1, "tenant": "contoso.onmicrosoft.com", "arguments": {"tunnelcheck_config": 7}},
    ["not", "an", "object"],
], ids=["no-tenant", "other-version", "unknown-resource", "config-not-a-path", "not-an-object"])
def test_resume_refuses_a_checkpoint_it_did_not_write(meta: object, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A meta.json that is not one of ours is refused in one line, before any sign-in: nothing is taken
    from it (its tenant, its config file) and nothing is written."""
    folder = Checkpoint(tmp_path / "t.json").folder
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert run_record(_args("--resume", str(folder))) == 2
    assert capsys.readouterr().err == (f"tunnelcheck: error: {folder / 'meta.json'} is not the checkpoint of a "
                                       f"tunnelcheck recording (version 1): remove {folder}, or record without "
                                       "--resume\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]
