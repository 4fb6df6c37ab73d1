"""Read-only, proven: the choke point's refusals beyond tests/live/test_units.py (a $batch elsewhere than
/{version}/$batch, repeated JSON keys, method-override headers) and, end to end through msgraph-sdk's own
adapter, a ``$batch`` carrying a PATCH stops before the network: the emulator sees nothing. The
session-wide check that no emulator of the suite saw a write is in the root conftest.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from emulated import DEMO, settings_for
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation

from tunnelcheck.emulator import Emulator
from tunnelcheck.model.resources import Resource
from tunnelcheck.sources.graph import open_source
from tunnelcheck.sources.graph.client import WriteRefused, graph_client, write_refusal

ORIGIN = httpx.URL("https://graph.example:8443")
BATCH = "https://graph.example:8443/beta/$batch"
GET = {"id": "1", "method": "GET", "url": "/groups"}


def _body(doc: object) -> bytes:
    return json.dumps(doc).encode()


@pytest.mark.parametrize(("method", "url", "body", "headers", "refused"), [
    ("POST", "https://graph.example:8443/v1.0/$batch", _body({"requests": [GET]}), {}, None),
    ("POST", "https://graph.example:8443/beta/$batch/", _body({"requests": [GET]}), {}, None),
    ("POST", "https://graph.example:8443/beta/groups/$batch", _body({"requests": [GET]}), {}, "is not a read"),
    ("POST", "https://graph.example:8443/$batch", _body({"requests": [GET]}), {}, "is not a read"),
    ("POST", BATCH, b'{"requests": [{"id": "1", "method": "PATCH", "url": "/groups/x"}], "requests": []}', {},
     "repeats a key"),
    ("POST", BATCH, b'{"requests": [{"id": "1", "method": "PATCH", "method": "GET", "url": "/groups/x"}]}', {},
     "repeats a key"),
    ("GET", "https://graph.example:8443/beta/groups/x", b"", {"X-HTTP-Method-Override": "DELETE"},
     "with a X-HTTP-Method-Override header"),
    ("POST", BATCH, _body({"requests": [GET]}), {"x-http-method": "PATCH"}, "with a x-http-method header"),
    ("POST", BATCH, _body({"requests": [{**GET, "headers": {"X-HTTP-Method-Override": "PATCH"}}]}), {},
     "method-override header"),
    ("POST", BATCH, _body({"requests": [GET, {"id": "2", "method": "PATCH", "url": "/deviceManagement/x"}]}), {},
     "a $batch holding a 'PATCH' request"),
], ids=["v1-batch", "batch-trailing-slash", "batch-under-a-resource", "batch-at-root", "repeated-requests-key",
        "repeated-method-key", "override-header", "override-header-on-batch", "override-header-inside-batch",
        "batch-with-patch"])
def test_more_refusals(method: str, url: str, body: bytes, headers: dict[str, str], refused: str | None) -> None:
    reason = write_refusal(method, httpx.URL(url), body, ORIGIN, headers)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and refused in reason


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator(snapshot=DEMO, state_dir=tmp_path / "emu") as emulator:
        yield emulator


def test_a_batch_with_a_patch_stops_before_the_network(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(emu, monkeypatch)
    source = open_source(emu.tenant_id, settings, [Resource.GROUPS])
    body = _body({"requests": [GET, {"id": "2", "method": "PATCH", "url": "/deviceManagement/deviceConfigurations/p",
                                     "body": {"displayName": "changed"}, "headers": {"Content-Type": "application/json"}}]})

    async def try_it() -> None:
        async with graph_client(source.credential, source.endpoints, settings) as client:
            info = RequestInformation()
            info.http_method = Method.POST
            info.url = f"{source.endpoints.base_url}/$batch"
            info.content = body
            info.headers.try_add("Content-Type", "application/json")
            with pytest.raises(WriteRefused, match=r"refused a \$batch holding a 'PATCH' request"):
                await client.request_adapter.send_primitive_async(info, "bytes", None)

    before = len(emu.requests)
    asyncio.run(try_it())
    assert emu.requests[before:] == [], "nothing reached the emulator"
    assert emu.write_attempts == []


@pytest.mark.provokes_writes
def test_the_session_check_sees_a_provoked_write(emu: Emulator) -> None:
    """A write sent around tunnelcheck (plain httpx) reaches the emulator's write log; this test is marked,
    so the root conftest's session check accepts it (unmarked, it would fail the test)."""
    with httpx.Client(verify=emu.ssl_context()) as http:
        token = emu.access_token()
        answer = http.patch(f"{emu.graph_url}/beta/groups/x", json={"displayName": "x"},
                            headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 405
    assert [(w.method, w.path) for w in emu.write_attempts] == [("PATCH", "/beta/groups/x")]
