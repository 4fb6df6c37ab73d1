"""Helpers of the live-tenant tests: where the demo is, and settings pointing at an emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tunnelcheck import config
from tunnelcheck.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
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
