"""``tunnelcheck plan --tenant``: a live tenant is read through the read-only path (the emulator, in its
normal read-only mode, sees no write) and gives the plan its snapshot gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from emulated import DEMO, SECRET_ENV, write_config

from tunnelcheck.emulator import Emulator


def _plan(folder: Path, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "tunnelcheck.cli", "plan", *args,
                           f"--baseline={DEMO.with_name('baseline.json')}",
                           "--json", str(folder / "plan.json"), "-o", str(folder / "plan.md")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    return json.loads((folder / "plan.json").read_text())


def test_a_live_tenant_gives_the_snapshot_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "live").mkdir()
    (tmp_path / "snap").mkdir()
    with Emulator(snapshot=DEMO, state_dir=tmp_path / "emu") as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, tmp_path / "cfg.yaml")
        live = _plan(tmp_path / "live", f"--tenant={emu.tenant_id}", f"--tunnelcheck-config={cfg}")
        assert emu.write_attempts == []
        assert all(r.method == "GET" or r.path == "/beta/$batch" for r in emu.requests if r.path.startswith("/beta/"))
    snap = _plan(tmp_path / "snap", f"--snapshot={DEMO}", f"--tunnelcheck-config={cfg}")
    assert live["tenant"]["kind"] == "live" and snap["tenant"]["kind"] == "snapshot"
    for key in ("steps", "checks", "not_resolved", "summary"):
        assert live[key] == snap[key], key
