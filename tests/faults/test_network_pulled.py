"""Tried as a new user would: pull the network (stop the emulator) while ``pytest --tenant`` is collecting.
The run must end, say what failed, and never be a green gate."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from emulated import DEMO, SECRET_ENV, write_config

from tunnelcheck.emulator import Emulator


def _outcomes(path: Path) -> dict[str, dict]:
    return {r["check_id"]: r for r in json.loads(path.read_text())["results"]}


def test_emulator_stopped_mid_run_errors_never_green(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    emu = Emulator(snapshot=DEMO, latency_ms=150, state_dir=tmp_path / "emu").start()
    monkeypatch.setenv(SECRET_ENV, emu.client_secret)
    cfg = write_config(emu, pytester.path / "cfg.yaml")
    pulled = threading.Event()

    def pull_the_plug() -> None:  # once a few Graph answers are in: collection is under way, not done
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if sum(1 for r in list(emu.requests) if r.path.startswith("/beta/") and r.status == 200) >= 8:
                break
            time.sleep(0.02)
        emu.stop()
        pulled.set()

    watcher = threading.Thread(target=pull_the_plug, daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        live = pytester.runpytest_subprocess(
            "--tenant", emu.tenant_id, "--tunnelcheck-config", str(cfg), "--tunnelcheck-json", "live.json",
            "-p", "no:cacheprovider", "-rA", timeout=120)
    finally:
        watcher.join(timeout=35)
        emu.stop()
    elapsed = time.monotonic() - started
    assert pulled.is_set()
    assert elapsed < 60, f"the run took {elapsed:.0f} s after the network was pulled"

    snap = pytester.runpytest_subprocess("--snapshot", str(DEMO), "--tunnelcheck-config", str(cfg),
                                         "--tunnelcheck-json", "snap.json", "-p", "no:cacheprovider")
    assert snap.ret == 1
    assert live.ret == pytest.ExitCode.TESTS_FAILED  # never a green gate
    results, recorded = _outcomes(pytester.path / "live.json"), _outcomes(pytester.path / "snap.json")
    errors = {cid: r for cid, r in results.items() if r["outcome"] == "error"}
    assert errors, "pulling the network must make the checks that lost their data error"
    for cid, result in errors.items():  # each says which resource, and that the connection failed
        assert "connection failed" in result["reason"], (cid, result["reason"])
        assert result["reason"].split(":")[0].startswith(("deviceManagement/", "deviceAppManagement/", "groups")), \
            result["reason"]
    for cid, result in results.items():
        if result["outcome"] != "error":  # a check whose data arrived in time: the snapshot's verdict
            assert result["outcome"] == recorded[cid]["outcome"], (cid, result["reason"])
    summary = "\n".join(live.outlines)
    assert "cannot run: " in summary and "connection failed" in summary  # the terminal says it too
    assert " error" in live.outlines[-1]
