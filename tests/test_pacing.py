"""Pacing: the collector keeps to Intune's throttling budget, checked against the emulator configured with
the same (small) budget: its request log shows no window over the budget and no 429; the emulator's own
throttle refuses the request beyond it, counting the requests inside a $batch."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence

import httpx
import pytest

from tunnelcheck import config
from tunnelcheck.emulator import Emulator, RequestLog
from tunnelcheck.emulator.throttle import Throttle, busiest_window, parse_throttle
from tunnelcheck.model.resources import Resource
from tunnelcheck.sources import synth
from tunnelcheck.sources.graph.client import Pacer
from tunnelcheck.sources.graph.source import LiveSource

SECRET_ENV = "TUNNELCHECK_PACING_SECRET"
BUDGET, WINDOW = 20, 2.0


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSAL_", "IDENTITY_")) or name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
            monkeypatch.delenv(name)


def _settings(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> config.Config:
    monkeypatch.setenv(SECRET_ENV, emu.client_secret)
    return config.parse({
        "migration": {"defender_features": False}, "graph_url": emu.graph_url, "authority": emu.authority,
        "ca_bundle": emu.ca_path, "concurrency": 4,
        "auth": {"method": "client-secret", "client_id": emu.client_id, "client_secret_env": SECRET_ENV},
    })


def counted(log: Sequence[RequestLog]) -> list[float]:
    """When each request Intune counts arrived: Graph requests, those inside a $batch, not the envelope."""
    return sorted(e.at for e in log if e.path.startswith("/beta/") and not e.path.endswith("/$batch"))


def test_collection_never_exceeds_the_throttling_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = synth.generate("S", seed=3).current
    # Small pages: some 35 requests, so that the budget of 20 in 2 s binds.
    with Emulator(doc, page_size=5, throttle=(BUDGET, WINDOW)) as emu:
        source = LiveSource(emu.tenant_id, _settings(emu, monkeypatch), pacer=Pacer.for_limit(BUDGET, WINDOW))
        wanted = [Resource.DEVICE_CONFIGURATIONS, Resource.TUNNEL_SITES, Resource.TUNNEL_CONFIGURATIONS,
                  Resource.GROUPS]
        started = time.monotonic()
        loaded = source.load(wanted)
        elapsed = time.monotonic() - started
        log = list(emu.requests)
    assert not source.failures
    assert [len(loaded[r]) for r in wanted] == [len(doc["resources"][r.value]) for r in wanted]
    assert not [e for e in log if e.status == 429], "a request was refused for throttling"
    times = counted(log)
    assert len(times) > BUDGET  # the budget had to bind
    assert busiest_window(times, WINDOW) <= BUDGET
    assert elapsed >= WINDOW * 0.9  # it waited for the window rather than being refused
    batches = [e for e in log if e.path.endswith("/$batch")]
    assert batches and all(sum(1 for x in log if x.batch_of == b.request_id) <= Pacer.for_limit(BUDGET, WINDOW).budget
                           for b in batches)


def test_pacer_keeps_any_window_within_budget() -> None:
    pacer = Pacer(5, 0.3)
    sent: list[float] = []

    async def send(cost: int) -> None:
        entry = await pacer.acquire(cost)
        sent.extend([time.monotonic()] * min(cost, 5))
        await asyncio.sleep(0.01)
        pacer.answered(entry)

    async def main() -> None:
        await asyncio.gather(*(send(cost) for cost in (1, 2, 3, 1, 4, 2, 1, 5, 9)))

    asyncio.run(main())
    assert len(sent) == 1 + 2 + 3 + 1 + 4 + 2 + 1 + 5 + 5  # a cost above the budget is sent alone, as the budget
    assert busiest_window(sorted(sent), 0.3) <= 5
    assert Pacer.for_limit().budget == 900 and Pacer.for_limit().window == 20


def test_emulator_throttles_per_application_counting_batched_requests() -> None:
    with Emulator(synth.generate("S", seed=3).current, throttle=(3, 60)) as emu:
        headers = {"Authorization": f"Bearer {emu.access_token()}"}
        with httpx.Client(base_url=emu.url, verify=emu.ssl_context(), headers=headers) as http:
            assert http.get("/beta/groups").status_code == 200
            batch = {"requests": [{"id": str(i), "method": "GET", "url": "/groups"} for i in range(3)]}
            answers = http.post("/beta/$batch", json=batch).json()["responses"]
            assert [a["status"] for a in answers] == [200, 200, 429]
            assert int(answers[2]["headers"]["Retry-After"]) >= 1
            refused = http.get("/beta/groups")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "TooManyRequests"


def test_throttle_window_slides() -> None:
    now = [0.0]
    throttle = Throttle(2, 10, clock=lambda: now[0])
    assert throttle.admit("app") is None and throttle.admit("app") is None
    assert throttle.admit("app") == 10 and throttle.admit("other") is None
    now[0] = 10.0
    assert throttle.admit("app") is None
    assert parse_throttle("1000/20") == (1000, 20.0) and parse_throttle("off") is None
    with pytest.raises(ValueError):
        parse_throttle("1000")
