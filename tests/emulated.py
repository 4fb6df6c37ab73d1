"""Pointing tunnelcheck at an emulator, for every test that talks to one (live, faults, resume): where the
demo is, the settings as an object, and the same settings as a --tunnelcheck-config file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tunnelcheck import config
from tunnelcheck.emulator import Emulator

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tunnelcheck" / "demo" / "contoso.json"
SECRET_ENV = "TUNNELCHECK_TEST_CLIENT_SECRET"


def settings_for(emu: Emulator, monkeypatch: pytest.MonkeyPatch, auth: dict[str, Any] | None = None,
                 **extra: Any) -> config.Config:
    """Settings for ``emu`` (client secret in an environment variable unless ``auth`` says otherwise)."""
    monkeypatch.setenv(SECRET_ENV, emu.client_secret)
    data = {
        "migration": {"defender_features": False},  # as the demo's config.yaml
        "graph_url": emu.graph_url, "authority": emu.authority, "ca_bundle": emu.ca_path,
        "auth": auth or {"method": "client-secret", "client_id": emu.client_id, "client_secret_env": SECRET_ENV},
        **extra,
    }
    return config.parse(data, "test-config")


def write_config(emu: Emulator, path: Path, migration: bool = True) -> Path:
    """A --tunnelcheck-config file for ``emu`` (the client secret read from SECRET_ENV, which the caller sets)."""
    path.write_text(
        ("migration:\n  defender_features: false\n" if migration else "")
        + f"graph_url: {emu.graph_url}\nauthority: {emu.authority}\nca_bundle: {emu.ca_path}\n"
        f"auth:\n  method: client-secret\n  client_id: {emu.client_id}\n  client_secret_env: {SECRET_ENV}\n",
        encoding="utf-8")
    return path


def isolate(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AZURE_*/MSAL_*/IDENTITY_* variable or CA bundle of the outer environment reaches azure-identity."""
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSAL_", "IDENTITY_")) or name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
            monkeypatch.delenv(name)


def printed_instructions(server: subprocess.Popen[str]) -> list[str]:
    """What a ``tunnelcheck emulate`` process printed up to "Serving until Ctrl-C" (then it is listening)."""
    assert server.stdout is not None
    lines = []
    for line in server.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Serving until Ctrl-C"):
            break
    return lines
