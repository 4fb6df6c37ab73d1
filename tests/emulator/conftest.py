"""Fixtures for the emulator tests: a running emulator per test (faults and logs are per test) and httpx
clients that trust only the emulator's CA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from emutools import request_token, tenant_doc

from tunnelcheck.emulator import Emulator


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CA and client certificate for the whole session (key generation is the slow part)."""
    return tmp_path_factory.mktemp("emulator-state")


@pytest.fixture
def emu(state_dir: Path) -> Iterator[Emulator]:
    with Emulator(tenant_doc(), page_size=3, state_dir=state_dir) as emulator:
        yield emulator


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    """No credentials: for the token endpoint and for requests that must be refused."""
    with httpx.Client(base_url=emu.url, verify=emu.ssl_context()) as client:
        yield client


@pytest.fixture
def graph(emu: Emulator, http: httpx.Client) -> Iterator[httpx.Client]:
    """Authorised with a token obtained from the emulator's token endpoint, like a real client."""
    token = request_token(http, emu, client_secret=emu.client_secret).json()["access_token"]
    with httpx.Client(
        base_url=emu.url + "/beta", verify=emu.ssl_context(), headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield client
