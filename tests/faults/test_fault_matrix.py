"""The fault matrix: each row injects a failure of live Graph (throttling, outages, dropped connections,
garbage bodies, expired tokens, missing permissions, a tenant without Tunnel, failures inside ``$batch``)
into a run of every check on the demo tenant, through the real msgraph-sdk and azure-identity against the
project's emulator. docs/faults.md is rendered from ROWS (and kept current by a test here).

Every case: the run ends within its bound; checks whose data was complete give the snapshot's verdicts;
checks whose data was incomplete error, naming the resource and why; never a pass on incomplete data.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulated import DEMO, settings_for
from faulttools import DOC, Row, http_date, render

from tunnelcheck import config
from tunnelcheck.check import Verdict, run_check
from tunnelcheck.emulator import Emulator, Fault, nested_json
from tunnelcheck.errors import DataUnavailable
from tunnelcheck.model.resources import Resource
from tunnelcheck.registry import Catalog
from tunnelcheck.sources import snapshot
from tunnelcheck.sources.graph import open_tenant

DC, MA = Resource.DEVICE_CONFIGURATIONS, Resource.MOBILE_APPS
TS, TC = Resource.TUNNEL_SITES, Resource.TUNNEL_CONFIGURATIONS
DA, AE = Resource.DETECTED_APPS, Resource.AUDIT_EVENTS

CONFIGS = r"/beta/deviceManagement/deviceConfigurations$"
APPS = r"/beta/deviceAppManagement/mobileApps$"
RID = r"\(request-id [-0-9a-f]{36}\)"
#: Audit events are filtered from the iOS Defender profile's creation: they wait for the configurations.
AE_NEEDS_DC = r"needs deviceManagement/deviceConfigurations, which failed"
TOO_LONG = r"Graph asked to retry after {} s, longer than the 180 s tunnelcheck waits"
HOUR = r"3[56]\d\d"  # an HTTP-date an hour ahead, read a second or so later
LOOP = ('{{"value": [{{"id": "ae-x", "activityType": "x", "activityDateTime": "2026-11-25T00:00:00Z"}}], '
        '"@odata.nextLink": "{url}/beta/deviceManagement/auditEvents?$skiptoken=again"}}')
#: 1.5 MiB of apps: over a max_response_mb of 1.
BIG_BODY = '{"value": [' + ", ".join(f'{{"id": "big-{i}", "displayName": "{"x" * 1000}"}}' for i in range(1500)) + "]}"

ROWS: list[Row] = [
    Row("429-retry-after-seconds", "429 on the configurations list, twice, `Retry-After: 1`",
        "waits 1 s (its Retry-After, plus jitter) and retries; every verdict as on the snapshot", 20,
        lambda: [Fault(CONFIGS, status=429, times=2, retry_after="1")]),
    Row("429-retry-after-http-date", "429 on the apps list with `Retry-After` as an HTTP-date 2 s ahead",
        "waits until that date, retries; every verdict as on the snapshot", 20,
        lambda: [Fault(APPS, status=429, times=1, retry_after=http_date(2))]),
    Row("429-in-batch-http-date", "429 on 2 assignments requests inside `$batch`, `Retry-After` an HTTP-date",
        "only the throttled requests are re-batched after that date; every verdict as on the snapshot", 20,
        lambda: [Fault(r"/assignments$", status=429, times=2, retry_after=http_date(2), inside_batch=True)]),
    Row("retry-after-beyond-3-minutes", "429 on the apps list, every time, `Retry-After: 600`",
        "no wait (180 s or more is not waited for): the apps error, saying Graph asked for 600 s", 10,
        lambda: [Fault(APPS, status=429, times=None, retry_after="600")],
        fails={MA: rf"^HTTP 429 TooManyRequests {RID}: {TOO_LONG.format(600)}"}),
    Row("retry-after-beyond-3-minutes-in-batch",
        "429 on deviceStatusOverview inside `$batch`, every time, `Retry-After` an HTTP-date 1 h ahead",
        "no wait: the configurations error, saying Graph asked for an hour; the audit events, which depend "
        "on them, error too", 10,
        lambda: [Fault(r"deviceStatusOverview$", status=429, times=None, retry_after=http_date(3600),
                       inside_batch=True)],
        fails={DC: rf"^HTTP 429 TooManyRequests {RID}: {TOO_LONG.format(HOUR)}", AE: AE_NEEDS_DC}),
    Row("503-504-burst", "503 twice on the configurations list, 504 twice on the detected apps, 503 on one "
        "`$batch` (`Retry-After: 1`)",
        "retried (at most `max_retries` = 3 times each); every verdict as on the snapshot", 20,
        lambda: [Fault(CONFIGS, status=503, times=2, retry_after="1"),
                 Fault(r"detectedApps$", status=504, times=2, retry_after="1"),
                 Fault(r"\$batch$", status=503, times=1, retry_after="1")]),
    Row("503-persistent", "503 on the Tunnel server configurations, every time (`Retry-After: 1`)",
        "4 attempts, then the gateway checks that need them error with HTTP 503 and the request-id", 15,
        lambda: [Fault(r"microsoftTunnelConfigurations$", status=503, times=None, retry_after="1")],
        fails={TC: rf"^HTTP 503 ServiceUnavailable {RID}$"}),
    Row("connection-reset-mid-response", "connection closed halfway through the body: the configurations "
        "list twice, one `$batch` once",
        "retried after about 0.5 s, then 1 s (a backoff, plus jitter); every verdict as on the snapshot", 15,
        lambda: [Fault(CONFIGS, drop=True, times=2), Fault(r"\$batch$", drop=True, times=1)]),
    Row("connection-reset-persistent", "connection closed halfway through every answer of the Tunnel sites",
        "4 attempts (about 0.5, 1, 2 s apart), then the checks that need the sites error: connection failed", 15,
        lambda: [Fault(r"microsoftTunnelSites$", drop=True, times=None)],
        fails={TS: r"^connection failed \(RemoteProtocolError\)$"}),
    Row("truncated-json", "HTTP 200 with truncated JSON on the detected apps list",
        "not retried, never read as empty: TUN-DEV-01 errors, malformed Graph response", 10,
        lambda: [Fault(r"detectedApps$", body='{"value": [{"id": "da-tunnel", "displayName": "Micro', times=None)],
        fails={DA: r"^malformed Graph response: /beta/deviceManagement/detectedApps answered HTTP 200 without a "
                   r"JSON body$"}),
    Row("invalid-json", "HTTP 200 with an HTML page on the Tunnel server configurations",
        "the gateway checks that need them error: malformed Graph response", 10,
        lambda: [Fault(r"microsoftTunnelConfigurations$", body="<html><body>Bad gateway</body></html>",
                       times=None)],
        fails={TC: r"^malformed Graph response: .* without a JSON body$"}),
    Row("invalid-json-in-batch", "an app's assignments answered inside `$batch` with a body that is not JSON",
        "the checks that need the apps error: the `$batch` answer is not JSON", 10,
        lambda: [Fault(r"mobileApps/[^/]+/assignments$", body="<html>oops", inside_batch=True)],
        fails={MA: r"^malformed Graph response: the \$batch answer for /deviceAppManagement/mobileApps/[^ ]+/"
                   r"assignments is not JSON$"}),
    Row("page-without-value", "the configurations list answers `{\"items\": []}` (no `value`)",
        "never read as \"no profiles\": every check that needs the configurations errors, and the audit "
        "events that depend on them", 10,
        lambda: [Fault(CONFIGS, body='{"items": []}', times=None)],
        fails={DC: r"^malformed Graph response: a page of /beta/deviceManagement/deviceConfigurations has no "
                   r"'value' list$", AE: AE_NEEDS_DC}),
    Row("next-link-loops", "the audit events' `@odata.nextLink` points back at the same page",
        "the loop is seen on the second page: TUN-IOS-06 errors, the nextLink loops", 10,
        list,  # needs the emulator's URL: added by the test (see _faults)
        fails={AE: r"^malformed Graph response: the @odata.nextLink of /beta/deviceManagement/auditEvents loops "
                   r"back to an earlier page$"}),
    Row("401-token-expired-mid-run", "every access token expires when the apps are listed (401 "
        "`InvalidAuthenticationToken`, \"the token is expired\")",
        "one new token (exactly two token requests in the run), the refused requests sent again; every "
        "verdict as on the snapshot", 15,
        lambda: [Fault(APPS, expire_tokens=True, times=1)]),
    Row("401-after-refresh", "401 on the apps list every time, even with a new token",
        "one new token, one more attempt, then the apps error with HTTP 401 (no loop)", 10,
        lambda: [Fault(APPS, status=401, times=None)],
        fails={MA: rf"^HTTP 401 InvalidAuthenticationToken {RID}$"}),
    Row("403-one-resource", "403 on the apps list, every time",
        "exactly the checks that need the apps error: Graph refused access, with the permission to grant", 10,
        lambda: [Fault(APPS, status=403, times=None)],
        fails={MA: rf"^Graph refused access: HTTP 403 Forbidden {RID}$"}),
    Row("404-tunnel-endpoints", "404 on the Tunnel sites and server configurations (a tenant without Tunnel)",
        "the gateway checks error: the tenant has no Microsoft Tunnel set up (never \"no sites\")", 10,
        lambda: [Fault(r"microsoftTunnel(Sites|Configurations)$", status=404, times=None)],
        fails={TS: rf"^the tenant has no Microsoft Tunnel set up \(HTTP 404 \w+ {RID}\)$",
               TC: rf"^the tenant has no Microsoft Tunnel set up \(HTTP 404 \w+ {RID}\)$"}),
    Row("batch-inner-500", "500 on one profile's assignments inside `$batch`",
        "the configurations error with HTTP 500 and the batch's request-id; the audit events too", 10,
        lambda: [Fault(r"deviceConfigurations/[^/]+/assignments$", status=500, times=1, inside_batch=True)],
        fails={DC: rf"^HTTP 500 \w+ {RID}$", AE: AE_NEEDS_DC}),
    Row("batch-inner-424", "424 (failed dependency) on one app's assignments inside `$batch`",
        "the apps error with HTTP 424: a request Graph did not run is never read as \"no assignments\"", 10,
        lambda: [Fault(r"mobileApps/[^/]+/assignments$", status=424, times=1, inside_batch=True)],
        fails={MA: rf"^HTTP 424 \w+ {RID}$"}),
    Row("batch-inner-throttled", "429 on 3 assignments and 503 on one deviceStatusOverview inside `$batch` "
        "(`Retry-After: 1`)",
        "only those requests are re-batched after 1 s; every verdict as on the snapshot", 20,
        lambda: [Fault(r"/assignments$", status=429, times=3, retry_after="1", inside_batch=True),
                 Fault(r"deviceStatusOverview$", status=503, times=1, retry_after="1", inside_batch=True)]),
    Row("429-beyond-the-retry-budget", "429 on the apps list, every time, `Retry-After: 1` (with "
        "`retry_budget_seconds: 4`)",
        "retried, about 1 s apart, until the next wait would pass the resource's retry budget: the apps error, "
        "saying how long they waited and naming the budget", 20,
        lambda: [Fault(APPS, status=429, times=None, retry_after="1")],
        fails={MA: rf"^HTTP 429 TooManyRequests {RID}: still failing after [1-4] s of waiting to retry; the retry "
                   r"budget is 4 s \(retry_budget_seconds\)$"},
        settings={"retry_budget_seconds": 4}),
    # -- hostile answers: each one failure of its resource, asked once, never a traceback
    Row("slow-drip-body", "the apps list answered a byte every 2 s (with `timeout_seconds: 3`; httpx's own "
        "timeout is per read and never fires)",
        "the whole answer, body included, is bounded: after 3 s the apps error, timed out; not retried", 15,
        lambda: [Fault(APPS, drip=2.0, times=None)],
        fails={MA: r"^timed out: no whole answer within 3 s \(timeout_seconds\)$"},
        settings={"timeout_seconds": 3}),
    Row("graph-never-answers-run-deadline", "the apps list never answered (with `timeout_seconds: 600`, "
        "`run_deadline_seconds: 4`)",
        "the run's deadline ends the collection after 4 s: the apps error, not read by the deadline; every "
        "other resource is read", 15,
        lambda: [Fault(APPS, hang=True, times=None)],
        fails={MA: r"^not read: the live collection reached its deadline of 4 s \(run_deadline_seconds\)$"},
        settings={"timeout_seconds": 600, "run_deadline_seconds": 4}),
    Row("redirect-to-another-origin", "302 on the apps list to the same path on another origin "
        "(`https://localhost:PORT`)",
        "not followed (no token leaves): the apps error once, Graph redirected to another origin", 10,
        lambda: [Fault(APPS, redirect="{other}{path}", times=None)],
        fails={MA: r"^Graph redirected to another origin; not followed \(HTTP 302 from "
                   r"/beta/deviceAppManagement/mobileApps to https://localhost:\d+\)$"}),
    Row("redirect-https-to-http", "302 on the Tunnel sites to the same URL over `http://`",
        "not followed: the gateway checks error once, Graph redirected from https to http", 10,
        lambda: [Fault(r"microsoftTunnelSites$", redirect="{http}{path}", times=None)],
        fails={TS: r"^Graph redirected from https to http; not followed \(HTTP 302 from "
                   r"/beta/deviceManagement/microsoftTunnelSites to http://127\.0\.0\.1:\d+\)$"}),
    Row("redirect-loop", "302 on the Tunnel server configurations to themselves",
        "not followed: the gateway checks that need them error once, Graph redirected in a loop", 10,
        lambda: [Fault(r"microsoftTunnelConfigurations$", redirect="{url}{path}", times=None)],
        fails={TC: r"^Graph redirected in a loop, to the same URL; not followed \(HTTP 302 from "
                   r"/beta/deviceManagement/microsoftTunnelConfigurations\)$"}),
    Row("redirect-inside-batch", "307 inside `$batch` on the apps' assignments, to another origin",
        "not followed: the apps error once, Graph redirected to another origin", 10,
        lambda: [Fault(r"mobileApps/[^/]+/assignments$", status=307, redirect="{other}{path}", times=None,
                       inside_batch=True)],
        fails={MA: r"^Graph redirected to another origin; not followed \(HTTP 307 from "
                   r"/beta/deviceAppManagement/mobileApps/[^ ]+/assignments to https://localhost:\d+\)$"}),
    Row("deeply-nested-json", "HTTP 200 on the detected apps list with JSON nested 100,000 deep",
        "not parsed beyond 64 levels (no RecursionError, no traceback): TUN-DEV-01 errors once", 10,
        lambda: [Fault(r"detectedApps$", body=nested_json(100_000), times=None)],
        fails={DA: r"^Graph answered JSON nested more than 64 levels deep; not read "
                   r"\(/beta/deviceManagement/detectedApps\)$"}),
    Row("endless-next-links", "the detected apps list pages for ever, each page with a new, unique "
        "`@odata.nextLink` (with `max_pages: 25`)",
        "the page limit ends it after 25 pages: TUN-DEV-01 errors, naming max_pages (at the default, 10,000 "
        "pages, `run_deadline_seconds` ends it sooner if Graph is slow)", 15,
        lambda: [Fault(r"detectedApps$", endless_pages=1, times=None)],
        fails={DA: r"^/beta/deviceManagement/detectedApps has more than 25 pages \(max_pages\); not read further$"},
        settings={"max_pages": 25}),
    Row("endless-items", "the detected apps list pages for ever, 100 items a page (with `max_items: 1000`)",
        "the item limit ends it on the 11th page: TUN-DEV-01 errors, naming max_items", 15,
        lambda: [Fault(r"detectedApps$", endless_pages=100, times=None)],
        fails={DA: r"^/beta/deviceManagement/detectedApps has more than 1,000 items \(max_items\); not read "
                   r"further$"},
        settings={"max_items": 1000}),
    Row("body-over-the-size-limit", "HTTP 200 on the apps list with a 1.5 MiB body (with `max_response_mb: 1`)",
        "read no further than the limit: the apps error, naming max_response_mb", 10,
        lambda: [Fault(APPS, body=BIG_BODY, times=None)],
        fails={MA: r"^the answer to /beta/deviceAppManagement/mobileApps is larger than 1 MiB \(max_response_mb\); "
                   r"not read$"},
        settings={"max_response_mb": 1}),
]

#: Rows whose resource must have been asked exactly once: a hostile answer is not retried, nor asked again
#: by each check that needs the resource.
ASKED_ONCE = {"slow-drip-body": APPS, "graph-never-answers-run-deadline": APPS, "redirect-to-another-origin": APPS,
              "redirect-https-to-http": r"microsoftTunnelSites$", "redirect-loop": r"microsoftTunnelConfigurations$",
              "deeply-nested-json": r"detectedApps$", "body-over-the-size-limit": APPS}

#: Cases tested in their own modules, shown in the same table.
EXTRA_ROWS: list[Row] = [
    Row("network-pulled-mid-run", "the emulator stops while `pytest --tenant` is collecting "
        "(tests/faults/test_network_pulled.py)",
        "the resources not yet collected error (connection failed); exit status 1, never a green gate", 60,
        list),
    Row("every-second-request-throttled", "429 with `Retry-After: 1` on every second Graph request, top-level "
        "and inside `$batch`, at the default concurrency and retry budget (tests/faults/test_bounded.py, run "
        "twice)",
        "each throttled request is retried after its Retry-After (plus jitter) for as long as its resource's "
        "retry budget lasts: every verdict equals the fault-free run's, in each run; a run takes 15-19 s "
        "(fault-free: under 1 s)", 60, list),
    Row("sign-in-never-answers", "the token endpoint never answers (tests/faults/test_bounded.py, "
        "`timeout_seconds: 2`)",
        "the sign-in fails after 2 s, in one line: the sign-in authority did not answer within 2 s; no Graph "
        "request is sent", 15, list),
    Row("token-renewal-never-answers", "every token expires mid-run and the token endpoint then never answers "
        "(tests/faults/test_bounded.py, `timeout_seconds: 2`)",
        "one wait of 2 s, off the event loop; the resources that needed a new token error, the sign-in "
        "authority did not answer; the others are read", 20, list),
    Row("answer-decompressing-past-the-limit", "a 2 MiB JSON body sent as a few KiB of gzip (with "
        "`max_response_mb: 1`; tests/faults/test_bounded.py, without a server)",
        "decompressed no further than the limit: the request fails, naming max_response_mb", 10, list),
    Row("hostile-answers-in-a-pytest-run", "`pytest --tenant` with a redirect to another origin on the apps and "
        "JSON nested 100,000 deep on the detected apps (tests/faults/test_bounded.py)",
        "each resource asked once; each check that needs it errors once, its reason in one line; no traceback; "
        "exit status 1", 60, list),
]


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fault-emulator")


@pytest.fixture(scope="module")
def recorded() -> dict[str, Verdict]:
    tenant = snapshot.load_tenant(DEMO)
    migration = config.parse({"migration": {"defender_features": False}}).migration
    return {c.id: run_check(c, tenant, None, migration) for c in Catalog.builtin().values()}


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSAL_", "IDENTITY_")) or name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
            monkeypatch.delenv(name)


@pytest.fixture
def emu(state_dir: Path) -> Iterator[Emulator]:
    with Emulator(snapshot=DEMO, state_dir=state_dir) as emulator:
        yield emulator


def _faults(row: Row, emu: Emulator) -> list[Fault]:
    if row.case == "next-link-loops":
        return [Fault(r"auditEvents$", body=LOOP.format(url=emu.graph_url), times=None)]
    return row.faults()


@pytest.mark.parametrize("row", ROWS, ids=[r.case for r in ROWS])
def test_fault(row: Row, emu: Emulator, monkeypatch: pytest.MonkeyPatch, recorded: dict[str, Verdict]) -> None:
    settings = settings_for(emu, monkeypatch, **row.settings)
    emu.faults.extend(_faults(row, emu))
    started = time.monotonic()
    tenant = open_tenant(emu.tenant_id, settings)
    tenant.prefetch(list(Resource))
    live = {c.id: run_check(c, tenant, None, settings.migration) for c in Catalog.builtin().values()}
    elapsed = time.monotonic() - started
    assert elapsed < row.bound, f"{row.case}: the run took {elapsed:.1f} s, over its bound of {row.bound} s"

    failures = tenant.source.failures  # type: ignore[attr-defined]
    assert set(failures) == set(row.fails), {r.value: str(f) for r, f in failures.items()}
    for resource, why in row.fails.items():
        assert isinstance(failures[resource], DataUnavailable)
        assert re.search(why, failures[resource].reason), (resource.value, failures[resource].reason)
    for check in Catalog.builtin().values():
        verdict = live[check.id]
        incomplete = [r for r in check.needs if r in row.fails]
        if incomplete:
            assert verdict.outcome == "error", (check.id, verdict)
            for resource in incomplete:  # the reason names each missing resource, and why
                assert f"{resource.value}: " in verdict.reason, (check.id, verdict.reason)
                assert re.search(row.fails[resource].lstrip("^").rstrip("$"), verdict.reason), verdict.reason
        else:
            assert verdict == recorded[check.id], check.id
    if not row.fails:
        assert all(f.exhausted for f in emu.faults), "every injected fault fired"
    assert emu.write_attempts == []
    _case_specific(row, emu)


def _case_specific(row: Row, emu: Emulator) -> None:
    token_requests = [r for r in emu.requests if r.path.endswith("/oauth2/v2.0/token")]
    if row.case == "401-token-expired-mid-run":
        assert [r.status for r in token_requests] == [200, 200], "one sign-in, then exactly one refresh"
        refused = [r for r in emu.requests if r.status == 401]
        assert refused and all(r.path.startswith("/beta/") for r in refused)
    elif row.case == "401-after-refresh":
        assert len(token_requests) == 2
        assert [r.status for r in emu.requests if re.search(APPS, r.path)] == [401, 401]
    elif row.case == "429-retry-after-seconds":
        listing = [r for r in emu.requests if re.search(CONFIGS, r.path)]
        assert [(r.status, r.retry_attempt) for r in listing] == [(429, None), (429, "1"), (200, "2")]
    elif row.case == "503-persistent":
        assert len([r for r in emu.requests if r.path.endswith("microsoftTunnelConfigurations")]) == 4
    elif row.case == "retry-after-beyond-3-minutes":
        assert len([r for r in emu.requests if re.search(APPS, r.path)]) == 1  # not retried
    elif row.case in ASKED_ONCE:
        assert len([r for r in emu.requests if re.search(ASKED_ONCE[row.case], r.path)]) == 1
    elif row.case == "endless-next-links":
        assert len([r for r in emu.requests if re.search(r"detectedApps$", r.path)]) == 25
    elif row.case == "redirect-inside-batch":  # one $batch, not one per check
        assert len([r for r in emu.requests if r.batch_of and re.search(r"mobileApps/[^/]+/assignments$", r.path)]) \
            <= 20


def test_docs_faults_md_is_current() -> None:
    expected = render(ROWS, EXTRA_ROWS)
    assert DOC.exists() and DOC.read_text(encoding="utf-8") == expected, \
        "docs/faults.md is stale: run python tests/faults/faulttools.py"


def test_every_row_is_distinct_and_bounded() -> None:
    names = [r.case for r in [*ROWS, *EXTRA_ROWS]]
    assert len(names) == len(set(names))
    assert all(0 < r.bound <= 60 for r in [*ROWS, *EXTRA_ROWS])
