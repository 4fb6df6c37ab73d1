"""Every wait bounded, throttling outlasted, a hostile answer one failure, once: the cases of the fault matrix
(docs/faults.md, EXTRA_ROWS) that need more than one run of the demo tenant: half the requests throttled,
a sign-in authority that never answers, and a whole ``pytest --tenant`` run against hostile answers. Plus
the pieces those rest on, without a server: the retry delay, the retry clock and the bounded decompression.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from emulated import DEMO, SECRET_ENV, settings_for, write_config

from tunnelcheck import config
from tunnelcheck.check import Verdict, run_check
from tunnelcheck.emulator import Emulator, Fault, nested_json
from tunnelcheck.errors import AuthenticationFailed
from tunnelcheck.model.resources import Resource
from tunnelcheck.registry import Catalog
from tunnelcheck.sources import snapshot
from tunnelcheck.sources.graph import open_tenant
from tunnelcheck.sources.graph.client import AnswerRefused, ReadOnlyTransport
from tunnelcheck.sources.graph.collector import MAX_BACKOFF, RetryClock, retry_delay

#: The bound of one run of the demo tenant with every second request throttled (Retry-After: 1). Measured
#: on a quiet 2-core machine: 15 to 19 s (the fault-free run: under 1 s); the bound leaves 3x or more.
THROTTLED_RUN_BOUND = 60.0


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSAL_", "IDENTITY_")) or name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bounded-emulator")


@pytest.fixture
def emu(state_dir: Path) -> Iterator[Emulator]:
    with Emulator(snapshot=DEMO, state_dir=state_dir) as emulator:
        yield emulator


def _recorded() -> dict[str, Verdict]:
    tenant = snapshot.load_tenant(DEMO)
    migration = config.parse({"migration": {"defender_features": False}}).migration
    return {c.id: run_check(c, tenant, None, migration) for c in Catalog.builtin().values()}


# ---------------------------------------------------------------------------------------------------
# Throttling is outlasted


@pytest.mark.parametrize("run", [1, 2])
def test_every_second_request_throttled_gives_the_fault_free_verdicts(
        run: int, emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every second Graph request (top-level and inside ``$batch``) answered 429 with ``Retry-After: 1``, at
    the default concurrency and retry budget: the verdicts of the fault-free run, within the stated bound.
    Run twice (two test cases): the jitter makes each run's timing differ."""
    settings = settings_for(emu, monkeypatch)
    assert settings.concurrency == config.Config().concurrency
    assert settings.retry_budget_seconds == config.Config().retry_budget_seconds
    emu.faults.append(Fault(r"^/beta/", status=429, retry_after="1", times=None, every=2))
    emu.faults.append(Fault(r"^/beta/", status=429, retry_after="1", times=None, every=2, inside_batch=True))
    started = time.monotonic()
    tenant = open_tenant(emu.tenant_id, settings)
    tenant.prefetch(list(Resource))
    live = {c.id: run_check(c, tenant, None, settings.migration) for c in Catalog.builtin().values()}
    elapsed = time.monotonic() - started
    print(f"run {run} with every second request throttled: {elapsed:.1f} s")  # shown with -s, for the docs
    assert tenant.source.failures == {}  # type: ignore[attr-defined]
    assert live == _recorded()
    throttled = [r for r in emu.requests if r.status == 429]
    assert len(throttled) >= 20 and any(r.batch_of for r in throttled) and any(not r.batch_of for r in throttled)
    assert elapsed < THROTTLED_RUN_BOUND, f"the throttled run took {elapsed:.1f} s"


def test_retry_delay_honours_retry_after_backs_off_and_jitters() -> None:
    rng = random.Random(7)
    for attempt in range(12):
        for _ in range(50):
            assert 1.0 <= retry_delay(attempt, 1.0, rng) <= 2.0  # never before Retry-After, at most 1 s later
            assert 3600 <= retry_delay(attempt, 3600.0, rng) <= 3601
    without = [retry_delay(attempt, None, random.Random(1)) for attempt in range(12)]
    assert without[:4] == sorted(without[:4]) and without[0] < 1 < without[2]  # 0.5, 1, 2, 4 s...
    assert max(without) <= MAX_BACKOFF + 1
    assert len({round(retry_delay(3, 1.0, rng), 6) for _ in range(20)}) == 20  # jittered


def test_retry_clock_counts_concurrent_waits_once() -> None:
    clock = RetryClock()

    async def main() -> None:
        await asyncio.gather(*(clock.wait(0.2) for _ in range(5)))
        await clock.wait(0.1)

    asyncio.run(main())
    assert 0.3 <= clock.used() < 1.0  # five concurrent waits of 0.2 s, then 0.1 s: not 1.1 s


# ---------------------------------------------------------------------------------------------------
# Every wait is bounded


def test_a_sign_in_authority_that_never_answers_is_bounded(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(emu, monkeypatch, timeout_seconds=2)
    emu.faults.append(Fault(r"/oauth2/v2\.0/token$", hang=True, times=None))
    started = time.monotonic()
    with pytest.raises(AuthenticationFailed) as info:
        open_tenant(emu.tenant_id, settings)
    elapsed = time.monotonic() - started
    assert str(info.value) == (f"client-secret sign-in to tenant {emu.tenant_id} failed: the sign-in authority did "
                               "not answer within 2 s (timeout_seconds)")
    assert elapsed < 15, f"sign-in held the run {elapsed:.1f} s"
    assert [r.fault for r in emu.requests if r.path.endswith("/token")] == ["hang"]
    assert not [r for r in emu.requests if r.path.startswith("/beta/")]


def test_a_token_renewal_that_never_answers_mid_run_is_bounded(emu: Emulator,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(emu, monkeypatch, timeout_seconds=2)
    tenant = open_tenant(emu.tenant_id, settings)
    emu.faults.append(Fault(r"/beta/deviceAppManagement/mobileApps$", expire_tokens=True))  # every token expires
    emu.faults.append(Fault(r"/oauth2/v2\.0/token$", hang=True, times=None))  # and no new one comes
    started = time.monotonic()
    tenant.prefetch(list(Resource))
    elapsed = time.monotonic() - started
    failures = tenant.source.failures  # type: ignore[attr-defined]
    assert Resource.MOBILE_APPS in failures
    for failure in failures.values():
        assert failure.reason.endswith("failed: the sign-in authority did not answer within 2 s (timeout_seconds)") \
            or failure.reason.startswith("needs "), failure.reason
    assert elapsed < 20, f"a renewal that never answers held the run {elapsed:.1f} s"  # one wait of 2 s, not one per resource


def test_an_answer_over_the_size_limit_is_refused_however_well_it_compresses() -> None:
    bomb = gzip.compress(b'{"value": [' + b'"x",' * (2 ** 19) + b'"x"]}')  # 2 MiB of JSON in a few KiB
    assert len(bomb) < 64 * 1024
    def gzipped(body: bytes) -> httpx.MockTransport:  # streamed, as from the network: raw bytes, still gzip
        return httpx.MockTransport(lambda r: httpx.Response(200, stream=httpx.ByteStream(body),
                                                            headers={"Content-Encoding": "gzip"}))

    inner, small = gzipped(bomb), gzipped(gzip.compress(b'{"value": []}'))

    async def get(transport: httpx.MockTransport) -> httpx.Response:
        wrapped = ReadOnlyTransport(transport, "https://graph.example", timeout=10, max_bytes=2 ** 20)
        async with httpx.AsyncClient(transport=wrapped) as client:
            return await client.get("https://graph.example/beta/groups")

    with pytest.raises(AnswerRefused, match=r"^the answer to /beta/groups is larger than 1 MiB \(max_response_mb\); "
                                            r"not read$"):
        asyncio.run(get(inner))
    assert asyncio.run(get(small)).json() == {"value": []}  # decoded once, by the choke point


# ---------------------------------------------------------------------------------------------------
# Hostile answers are one failure, once: a whole pytest run


def test_hostile_answers_error_each_check_once_in_one_line(pytester: pytest.Pytester, emu: Emulator,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A redirect to another origin on the apps and JSON nested 100,000 deep on the detected apps: each
    resource is asked once; each check that needs one errors once, in one line naming what happened; no
    traceback; never a green gate."""
    monkeypatch.setenv(SECRET_ENV, emu.client_secret)
    cfg = write_config(emu, pytester.path / "cfg.yaml")
    emu.faults.append(Fault(r"/beta/deviceAppManagement/mobileApps$", redirect="{other}{path}", times=None))
    emu.faults.append(Fault(r"/beta/deviceManagement/detectedApps$", body=nested_json(100_000), times=None))
    result = pytester.runpytest_subprocess("--tenant", emu.tenant_id, "--tunnelcheck-config", str(cfg),
                                           "--tunnelcheck-json", "live.json", "-p", "no:cacheprovider", timeout=120)
    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "Traceback" not in output and "INTERNALERROR" not in output
    assert "read-only: refused" not in output
    asked = [r.path for r in emu.requests if r.path.endswith(("/mobileApps", "/detectedApps"))]
    assert sorted(asked) == ["/beta/deviceAppManagement/mobileApps", "/beta/deviceManagement/detectedApps"]

    catalog = Catalog.builtin()
    results = {r["check_id"]: r for r in json.loads((pytester.path / "live.json").read_text())["results"]}
    why = {Resource.MOBILE_APPS: "Graph redirected to another origin; not followed",
           Resource.DETECTED_APPS: "Graph answered JSON nested more than 64 levels deep; not read"}
    assert {Resource.MOBILE_APPS, Resource.DETECTED_APPS} <= {r for c in results for r in catalog[c].needs}
    for check_id in results:  # the checks of a run without --drift
        hit = [r for r in catalog[check_id].needs if r in why]
        if not hit:
            assert results[check_id]["outcome"] != "error", (check_id, results[check_id]["reason"])
            continue
        reason = results[check_id]["outcome"], results[check_id]["reason"]
        assert reason[0] == "error" and all(why[r] in reason[1] for r in hit) and "\n" not in reason[1], reason
        sections = _error_sections(result.outlines, check_id)
        assert len(sections) == 1, (check_id, sections)  # errors once
        title, *body = sections[0]  # the check's title line, then its reason: one line
        assert title.startswith(f"{check_id} ") and len(body) == 1 and body[0].startswith("cannot run: "), sections
        assert all(why[r] in body[0] for r in hit), sections


def _error_sections(lines: list[str], check_id: str) -> list[list[str]]:
    """The non-blank lines of each ``ERROR at setup of CHECK_ID[...]`` section of a pytest report."""
    sections: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if re.match(r"^_{3,} .* _{3,}$", line) or re.match(r"^={3,}", line):
            current = None
            if re.search(rf" ERROR at setup of {re.escape(check_id)}\[", line):
                current = []
                sections.append(current)
        elif current is not None and line.strip():
            current.append(line)
    return sections
