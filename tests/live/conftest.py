"""Fixtures for the live-tenant tests: the project's HTTPS emulator, and settings pointing at it.

Nothing here reaches the network beyond 127.0.0.1: graph_url and authority are the emulator, instance
discovery is off (a non-public authority), and no AZURE_* variable of the outer environment leaks in.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from emulated import DEMO, settings_for

from tunnelcheck import config
from tunnelcheck.emulator import Emulator


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


@pytest.fixture
def settings(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> config.Config:
    return settings_for(emu, monkeypatch)
