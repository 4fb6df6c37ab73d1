"""Fixtures for the live-tenant tests: the project's HTTPS emulator, and settings pointing at it.

Nothing here reaches the network beyond 127.0.0.1: graph_url and authority are the emulator, instance
discovery is off (a non-public authority), and no AZURE_* variable of the outer environment leaks in.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tunnelcheck import config
from tunnelcheck.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tunnelcheck" / "demo" / "contoso.json"
DEMO_CONFIG = ROOT / "tunnelcheck" / "demo" / "config.yaml"
SECRET_ENV = "TUNNELCHECK_TEST_CLIENT_SECRET"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSAL_", "IDENTITY_")) or name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(snapshot=DEMO, page_size=100) as emulator:
        yield emulator


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


@pytest.fixture
def settings(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> config.Config:
    return settings_for(emu, monkeypatch)
