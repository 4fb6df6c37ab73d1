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

from tunnelcheck.emulator import Emulator
from tunnelcheck.model.resources import Resource
from tunnelcheck.sources import snapshot
from tunnelcheck.sources.graph import add_record_arguments, run_record
from tunnelcheck.sources.graph.record import Checkpoint, recorded_by_default

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
