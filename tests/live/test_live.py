"""End to end against the project's HTTPS emulator, with the real msgraph-sdk and azure-identity: the same
verdicts as the snapshot, recording, paging, throttling, faults, permissions, credentials, read-only."""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from emulated import DEMO, SECRET_ENV, settings_for

from tunnelcheck import config
from tunnelcheck.check import Verdict, run_check
from tunnelcheck.emulator import Emulator, Fault
from tunnelcheck.errors import AuthenticationFailed, DataUnavailable, PermissionDenied
from tunnelcheck.model import AppKind, is_tunnel_profile
from tunnelcheck.model.resources import REQUIRED_PERMISSIONS, Resource
from tunnelcheck.registry import Catalog
from tunnelcheck.sources import snapshot
from tunnelcheck.sources.graph import LiveSource, auth, open_source, open_tenant, record
from tunnelcheck.tenant import Tenant

ROOT = Path(__file__).resolve().parents[2]
GRAPH_PATHS = ("/beta/",)


def _verdicts(tenant: Tenant, settings: config.Config) -> dict[str, Verdict]:
    return {c.id: run_check(c, tenant, None, settings.migration) for c in Catalog.builtin().values()}


def _as_recorded(resources: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The demo's resources as the collector records them: configurations other than Tunnel profiles only
    by id/@odata.type/displayName, and assignments only for the app kinds the migration touches."""
    out = copy.deepcopy(resources)
    out[Resource.DEVICE_CONFIGURATIONS.value] = [
        c if is_tunnel_profile(c) else {k: c[k] for k in ("id", "@odata.type", "displayName", "connectionType") if k in c}
        for c in out[Resource.DEVICE_CONFIGURATIONS.value]]
    for app in out[Resource.MOBILE_APPS.value]:
        if not AppKind(app.get("@odata.type") or "").known:
            app.pop("assignments", None)
    return out


def _graph_requests(emu: Emulator) -> list[Any]:
    return [r for r in emu.requests if r.path.startswith(GRAPH_PATHS)]


def test_live_verdicts_equal_snapshot_verdicts(emu: Emulator, settings: config.Config) -> None:
    live = open_tenant(emu.tenant_id, settings)
    live.require(list(Resource))  # as load_tenant does for the snapshot: group names then show in evidence
    recorded = snapshot.load_tenant(DEMO)
    live_verdicts, recorded_verdicts = _verdicts(live, settings), _verdicts(recorded, settings)
    assert live_verdicts == recorded_verdicts
    assert {v.outcome for v in live_verdicts.values()} >= {"passed", "failed"}  # the demo is mid-migration
    assert live.info.kind == "live" and live.info.tenant_id == emu.tenant_id
    assert emu.write_attempts == []
    for request in _graph_requests(emu):
        assert request.method == "GET" or (request.method == "POST" and request.path == "/beta/$batch")
        assert "//" not in request.path


def test_record_round_trip(emu: Emulator, settings: config.Config, tmp_path: Path) -> None:
    path = tmp_path / "live.json.gz"
    digest = record(emu.tenant_id, settings, path)
    recorded = snapshot.read(path)
    source = snapshot.read(DEMO)
    assert recorded.sha256 == digest
    assert dict(recorded.resources) == _as_recorded(dict(source.resources))
    assert (recorded.tenant_id, recorded.cloud) == (emu.tenant_id, "global")
    assert recorded.source.startswith("tunnelcheck ") and recorded.source.endswith(" live Graph beta")
    assert set(recorded.provenance) == {r.value for r in Resource}
    for entry in recorded.provenance.values():
        assert entry["completed"] is True and entry["requests"] == len(entry["request_ids"]) >= 1
    logged_ids = {r.request_id for r in emu.requests}
    assert {i for e in recorded.provenance.values() for i in e["request_ids"]} <= logged_ids
    # And the recorded snapshot gives the same verdicts as the source.
    assert _verdicts(snapshot.load_tenant(path), settings) == _verdicts(snapshot.load_tenant(DEMO), settings)


def test_a_recording_says_whose_devices_it_holds_and_other_names_error(emu: Emulator, settings: config.Config,
                                                                       tmp_path: Path) -> None:
    """The collector lists the managed devices of the detected apps named as the standalone app only, and
    the provenance says so; a later run that names another detected app as the standalone app errors
    TUN-DEV-01 (it does not pass on devices nobody recorded), naming the note and how to record again."""
    path = tmp_path / "live.json"
    record(emu.tenant_id, settings, path)
    note = snapshot.read(path).provenance[Resource.DETECTED_APPS.value]["note"]
    assert note == 'managedDevices collected only for the detected apps named "Microsoft Tunnel" or "com.microsoft.tunnel"'
    dev01 = Catalog.builtin()["TUN-DEV-01"]
    recorded = snapshot.load_tenant(path)
    assert run_check(dev01, recorded, None, settings.migration).outcome == "failed"  # the demo's two devices

    renamed = snapshot.read_document(path)  # the tenant detects another app too, whose devices were not asked for
    renamed["resources"][Resource.DETECTED_APPS.value].append(
        {"id": "legacy", "displayName": "Tunnel Legacy", "deviceCount": 3, "platform": "android"})
    snapshot.write(tmp_path / "more.json", renamed)
    other = config.MigrationConfig(standalone_app_names=("Microsoft Tunnel", "Tunnel Legacy"))
    verdict = run_check(dev01, snapshot.load_tenant(tmp_path / "more.json"), None, other)
    assert (verdict.outcome, verdict.reason) == ("error", (
        f"{Resource.DETECTED_APPS.value}/legacy/managedDevices: not recorded ({note}): record the tenant again "
        "with this run's migration.standalone_app_names and standalone_app_ids "
        f"(needs Graph permission {Resource.DETECTED_APPS.permission})"))


@pytest.mark.parametrize(("body", "why"), [
    ('{"value": [{"id": "g", "displayName": "\\udfff"}]}',
     "Graph answered text that is not valid Unicode (a lone surrogate escape); not read"),
    (b'{"value": [{"id": "g", "displayName": "\xed\xbf\xbf"}]}', "answered HTTP 200 without a JSON body"),  # a raw surrogate: not UTF-8
], ids=["escaped", "raw-bytes"])
def test_a_lone_surrogate_in_an_answer_is_refused(emu: Emulator, settings: config.Config, tmp_path: Path,
                                                  body: str | bytes, why: str) -> None:
    """Text Python reads but UTF-8 cannot write (a lone surrogate, escaped or as raw bytes) fails its
    resource, named, rather than the snapshot writer or a report later."""
    emu.faults.append(Fault(r"/beta/groups$", body=body, times=None))
    loaded = open_source(emu.tenant_id, settings, [Resource.GROUPS]).load([Resource.GROUPS])[Resource.GROUPS]
    assert isinstance(loaded, DataUnavailable) and why in str(loaded), loaded
    record(emu.tenant_id, settings, tmp_path / "r.json")  # written without the failed resource, no traceback
    assert Resource.GROUPS.value not in snapshot.read(tmp_path / "r.json").resources


def test_page_size_one_follows_every_next_link(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with Emulator(snapshot=DEMO, page_size=1) as emu:
        record(emu.tenant_id, settings_for(emu, monkeypatch), tmp_path / "one.json")
        skiptokens = [r for r in emu.requests if "skiptoken" in r.query.lower() or "skip" in r.query.lower()]
        assert skiptokens, "page_size=1 should have produced nextLinks"
    assert dict(snapshot.read(tmp_path / "one.json").resources) == _as_recorded(dict(snapshot.read(DEMO).resources))


def _load(emu: Emulator, settings: config.Config, *resources: Resource) -> dict[Resource, Any]:
    source = open_source(emu.tenant_id, settings, resources)
    return source.load(resources)


def test_throttled_plain_request_is_retried_after_retry_after(emu: Emulator, settings: config.Config) -> None:
    emu.faults.append(Fault(path_regex=r"deviceConfigurations$", status=429, times=2, retry_after="1"))
    emu.faults.append(Fault(path_regex=r"managedDevices$", status=503, times=1, retry_after="1"))
    loaded = _load(emu, settings, Resource.DEVICE_CONFIGURATIONS, Resource.MANAGED_DEVICES)
    assert len(loaded[Resource.DEVICE_CONFIGURATIONS]) == 8 and len(loaded[Resource.MANAGED_DEVICES]) == 4
    listing = [r for r in emu.requests if r.path == "/beta/deviceManagement/deviceConfigurations"]
    assert [(r.status, r.retry_attempt) for r in listing] == [(429, None), (429, "1"), (200, "2")]


def test_throttled_batch_post_is_retried(emu: Emulator, settings: config.Config) -> None:
    emu.faults.append(Fault(path_regex=r"\$batch$", status=429, times=1, retry_after="1"))
    loaded = _load(emu, settings, Resource.DEVICE_CONFIGURATIONS)
    profiles = [p for p in loaded[Resource.DEVICE_CONFIGURATIONS] if "assignments" in p]
    assert len(profiles) == 6
    batches = [r for r in emu.requests if r.path == "/beta/$batch"]
    assert [r.status for r in batches].count(429) == 1
    assert [(r.status, r.retry_attempt) for r in batches].count((200, "1")) == 1


def test_throttled_requests_inside_a_batch_are_rebatched(emu: Emulator, settings: config.Config) -> None:
    emu.faults.append(Fault(path_regex=r"assignments$", status=429, times=3, retry_after="1", inside_batch=True))
    emu.faults.append(Fault(path_regex=r"deviceStatusOverview$", status=503, times=1, inside_batch=True))
    loaded = _load(emu, settings, Resource.DEVICE_CONFIGURATIONS, Resource.MOBILE_APPS)
    expected = _as_recorded(dict(snapshot.read(DEMO).resources))
    assert loaded[Resource.DEVICE_CONFIGURATIONS] == expected[Resource.DEVICE_CONFIGURATIONS.value]
    assert loaded[Resource.MOBILE_APPS] == expected[Resource.MOBILE_APPS.value]
    throttled = [r for r in emu.requests if r.batch_of and r.status in (429, 503)]
    assert len(throttled) == 4
    for failed in throttled:  # each throttled inner request was asked again, and answered
        assert any(r.batch_of and r.path == failed.path and r.status == 200 for r in emu.requests)


def test_a_resource_still_failing_is_unavailable_with_status_code_and_request_id(
        emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(emu, monkeypatch, max_retries=1)
    emu.faults.append(Fault(path_regex=r"managedDevices$", status=503, times=None, retry_after="1"))
    emu.faults.append(Fault(path_regex=r"/assignments$", status=504, times=None, retry_after="1", inside_batch=True))
    loaded = _load(emu, settings, Resource.MANAGED_DEVICES, Resource.MOBILE_APPS, Resource.GROUPS)
    devices, apps = loaded[Resource.MANAGED_DEVICES], loaded[Resource.MOBILE_APPS]
    assert isinstance(devices, DataUnavailable) and not isinstance(devices, PermissionDenied)
    assert re.match(r"deviceManagement/managedDevices: HTTP 503 \w+ \(request-id [-0-9a-f]{36}\) \(needs Graph "
                    r"permission DeviceManagementManagedDevices.Read.All\)$", str(devices))
    assert devices.permission == "DeviceManagementManagedDevices.Read.All"
    assert isinstance(apps, DataUnavailable) and "HTTP 504 " in str(apps) and "request-id" in str(apps)
    assert len(loaded[Resource.GROUPS]) == 6  # the others are unaffected
    assert len([r for r in emu.requests if r.path.endswith("managedDevices")]) == 2  # once + max_retries


def test_403_errors_exactly_the_checks_that_need_the_resource(emu: Emulator, settings: config.Config) -> None:
    emu.faults.append(Fault(path_regex=r"/beta/deviceAppManagement/mobileApps$", status=403, times=None))
    live = open_tenant(emu.tenant_id, settings)
    live_verdicts = _verdicts(live, settings)
    recorded = _verdicts(snapshot.load_tenant(DEMO), settings)
    catalog = Catalog.builtin()
    needing = {i for i, c in catalog.items() if Resource.MOBILE_APPS in c.needs}
    assert needing and needing != set(catalog)
    for check_id, verdict in live_verdicts.items():
        if check_id in needing:
            assert verdict.outcome == "error", check_id
            assert re.match(r"deviceAppManagement/mobileApps: Graph refused access: HTTP 403 \w+ \(request-id "
                            r"[-0-9a-f]+\) \(needs Graph permission DeviceManagementApps.Read.All\)$", verdict.reason)
        else:
            assert verdict.outcome == recorded[check_id].outcome, check_id


def test_404_on_tunnel_endpoints_means_no_tunnel_not_an_empty_list(emu: Emulator, settings: config.Config) -> None:
    emu.faults.append(Fault(path_regex=r"microsoftTunnel(Sites|Configurations)$", status=404, times=None))
    loaded = _load(emu, settings, Resource.TUNNEL_SITES, Resource.TUNNEL_CONFIGURATIONS)
    for resource in (Resource.TUNNEL_SITES, Resource.TUNNEL_CONFIGURATIONS):
        assert isinstance(loaded[resource], DataUnavailable)
        assert "the tenant has no Microsoft Tunnel set up (HTTP 404 " in str(loaded[resource])


@pytest.mark.parametrize(("fault", "message"), [
    ({"body": '{"value": [', "status": 200}, "answered HTTP 200 without a JSON body"),
    ({"body": '{"items": []}', "status": 200}, "a page of /beta/groups has no 'value' list"),
    ({"drop": True}, "groups: connection failed (RemoteProtocolError)"),
], ids=["truncated-json", "no-value", "dropped"])
def test_malformed_answers_are_unavailable_never_empty(emu: Emulator, settings: config.Config,
                                                       fault: dict[str, Any], message: str) -> None:
    emu.faults.append(Fault(path_regex=r"/beta/groups$", times=None, **fault))
    groups = _load(emu, settings, Resource.GROUPS)[Resource.GROUPS]
    assert isinstance(groups, DataUnavailable) and message in str(groups)


def test_a_next_link_that_loops_is_unavailable(emu: Emulator, settings: config.Config) -> None:
    loop = json.dumps({"value": [{"id": "g", "displayName": "G"}],
                       "@odata.nextLink": f"{emu.graph_url}/beta/groups?$skiptoken=again"})
    emu.faults.append(Fault(path_regex=r"/beta/groups$", body=loop, status=200, times=None))
    groups = _load(emu, settings, Resource.GROUPS)[Resource.GROUPS]
    assert isinstance(groups, DataUnavailable) and "loops back to an earlier page" in str(groups)


def test_a_next_link_to_another_host_is_not_followed(emu: Emulator, settings: config.Config) -> None:
    away = json.dumps({"value": [], "@odata.nextLink": "https://attacker.example/beta/groups?$skiptoken=1"})
    emu.faults.append(Fault(path_regex=r"/beta/groups$", body=away, status=200, times=None))
    groups = _load(emu, settings, Resource.GROUPS)[Resource.GROUPS]
    assert isinstance(groups, DataUnavailable) and "not a URL on the Graph origin" in str(groups)


def test_preflight_lists_every_missing_role_before_any_graph_request(monkeypatch: pytest.MonkeyPatch) -> None:
    roles = [r for r in REQUIRED_PERMISSIONS if r not in ("DeviceManagementApps.Read.All", "GroupMember.Read.All")]
    with Emulator(snapshot=DEMO, roles=roles) as emu:
        settings = settings_for(emu, monkeypatch)
        with pytest.raises(AuthenticationFailed) as info:
            open_tenant(emu.tenant_id, settings)
        assert str(info.value) == (
            f"client-secret sign-in to tenant {emu.tenant_id}: the token lacks the Graph application permissions "
            "DeviceManagementApps.Read.All, GroupMember.Read.All (grant them with admin consent)")
        assert _graph_requests(emu) == []
        # A run needing only what was granted goes ahead.
        assert len(_load(emu, settings, Resource.TUNNEL_SITES)[Resource.TUNNEL_SITES]) == 1


def _credential_settings(emu: Emulator, monkeypatch: pytest.MonkeyPatch, method: str, tmp_path: Path
                         ) -> config.Config:
    if method == "certificate":
        auth = {"method": "certificate", "client_id": emu.client_id, "certificate_path": emu.cert_path}
    elif method == "workload-identity":
        monkeypatch.setenv("TC_TOKEN_FILE", emu.write_federated_token_file(tmp_path / "federated.jwt"))
        auth = {"method": "workload-identity", "client_id": emu.client_id, "token_file_env": "TC_TOKEN_FILE"}
    elif method == "default":
        # DefaultAzureCredential through its EnvironmentCredential only: nothing else may reach out.
        monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
        monkeypatch.setenv("AZURE_TENANT_ID", emu.tenant_id)
        monkeypatch.setenv("AZURE_CLIENT_ID", emu.client_id)
        monkeypatch.setenv("AZURE_CLIENT_SECRET", emu.client_secret)
        auth = {"method": "default"}
    else:
        auth = None
    return settings_for(emu, monkeypatch, auth)


@pytest.mark.parametrize("method", ["client-secret", "certificate", "workload-identity", "default"])
def test_each_credential_type(emu: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, method: str) -> None:
    settings = _credential_settings(emu, monkeypatch, method, tmp_path)
    loaded = _load(emu, settings, Resource.GROUPS)
    assert len(loaded[Resource.GROUPS]) == 6
    token_requests = [r for r in emu.requests if r.path.endswith("/oauth2/v2.0/token")]
    assert token_requests and all(r.status == 200 for r in token_requests)


def test_wrong_secret_is_one_line_without_the_secret(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(emu, monkeypatch)
    monkeypatch.setenv("TUNNELCHECK_TEST_CLIENT_SECRET", "wrong-secret-value-123")
    with pytest.raises(AuthenticationFailed) as info:
        open_tenant(emu.tenant_id, settings)
    message = str(info.value)
    assert message.startswith(f"client-secret sign-in to tenant {emu.tenant_id} failed: AADSTS")
    assert "\n" not in message and "wrong-secret-value-123" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize("environment", ["wrong-secret", "incomplete"])
def test_a_failed_default_sign_in_points_at_auth_method(emu: Emulator, tmp_path: Path, environment: str) -> None:
    """``tunnelcheck record`` with no auth.method (``default``: here its environment credential, the emulator
    being no Microsoft authority) whose sign-in fails: one line naming auth.method and the README section,
    without the secret it was given."""
    canary = "canary-default-secret-5b1e"
    (tmp_path / "cfg.yaml").write_text(f"graph_url: {emu.graph_url}\nauthority: {emu.authority}\n"
                                       f"ca_bundle: {emu.ca_path}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "MSAL_", "IDENTITY_"))}
    env |= {"AZURE_CLIENT_ID": emu.client_id, "AZURE_CLIENT_SECRET": canary}
    if environment == "wrong-secret":
        env["AZURE_TENANT_ID"] = emu.tenant_id
    done = subprocess.run([sys.executable, "-m", "tunnelcheck.cli", "record", "--tenant", emu.tenant_id,
                           "-o", "out.json", "--tunnelcheck-config", "cfg.yaml"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"tunnelcheck: error: default sign-in to tenant {emu.tenant_id} failed: ")
    assert ("AADSTS7000215" in line) == (environment == "wrong-secret"), line
    assert line.endswith(auth.DEFAULT_HINT)
    assert canary not in done.stderr and not (tmp_path / "out.json").exists()
    assert _graph_requests(emu) == []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Run against your tenant\n" in readme and "2. **Choose how it signs in** (`auth.method`" in readme


def test_no_secret_or_token_in_logs_snapshot_or_errors(emu: Emulator, settings: config.Config, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    emu.faults.append(Fault(path_regex=r"/beta/groups$", status=403, times=None))
    source = open_source(emu.tenant_id, settings)
    results = source.load(list(Resource))
    path = tmp_path / "s.json"
    from tunnelcheck.sources.graph import snapshot_document

    snapshot.write(path, snapshot_document(source))
    token = source.credential.get_token(source.endpoints.scope, enable_cae=True).token  # the cached one
    texts = [caplog.text, path.read_text(), *(str(r) for r in results.values() if isinstance(r, DataUnavailable))]
    for text in texts:
        assert emu.client_secret not in text
        assert token not in text and token.split(".")[2] not in text
        assert "Bearer " not in text
    assert isinstance(results[Resource.GROUPS], PermissionDenied)


def test_the_emulator_sees_no_write(emu: Emulator, settings: config.Config) -> None:
    """A write attempted through the SDK's own adapter stops at the choke point, before the wire."""
    import asyncio

    from kiota_abstractions.method import Method
    from kiota_abstractions.request_information import RequestInformation

    from tunnelcheck.sources.graph.client import WriteRefused, graph_client

    source = open_source(emu.tenant_id, settings, [Resource.GROUPS])
    source.load(list(Resource))

    async def try_write() -> None:
        async with graph_client(source.credential, source.endpoints, settings) as client:
            info = RequestInformation()
            info.http_method = Method.PATCH
            info.url = f"{source.endpoints.base_url}/deviceManagement/deviceConfigurations/p-ios-mde"
            info.content = b'{"displayName": "changed"}'
            with pytest.raises(WriteRefused):
                await client.request_adapter.send_no_response_content_async(info, None)

    before = len(emu.requests)
    asyncio.run(try_write())
    assert len(emu.requests) == before
    assert emu.write_attempts == []
    assert {r.method for r in emu.requests} <= {"GET", "POST"}
    assert {r.path for r in emu.requests if r.method == "POST"} <= {"/beta/$batch", f"/{emu.tenant_id}/oauth2/v2.0/token"}


def test_load_inside_a_running_event_loop(emu: Emulator, settings: config.Config) -> None:
    import asyncio

    source = open_source(emu.tenant_id, settings, [Resource.GROUPS])

    async def inside() -> Any:
        return source.load([Resource.GROUPS])

    assert len(asyncio.run(inside())[Resource.GROUPS]) == 6


def test_live_source_keeps_what_it_loaded(emu: Emulator, settings: config.Config) -> None:
    source = open_source(emu.tenant_id, settings, [Resource.GROUPS])
    assert isinstance(source, LiveSource)
    source.load([Resource.GROUPS])
    source.load([Resource.AUDIT_EVENTS])
    assert set(source.loaded) == {Resource.GROUPS, Resource.AUDIT_EVENTS}
    assert source.provenance[Resource.GROUPS].completed
    assert source.stats.resources_done == 2 and source.stats.requests >= 2


def test_ca_trust_from_ssl_cert_file(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, emu.client_secret)
    monkeypatch.setenv("SSL_CERT_FILE", emu.ca_path)  # no ca_bundle: the environment's trust applies
    settings = config.parse({"graph_url": emu.graph_url, "authority": emu.authority,
                             "auth": {"method": "client-secret", "client_id": emu.client_id,
                                      "client_secret_env": SECRET_ENV}})
    assert len(_load(emu, settings, Resource.GROUPS)[Resource.GROUPS]) == 6


def test_a_slow_graph_times_out_into_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(snapshot=DEMO) as emu:
        settings = settings_for(emu, monkeypatch, timeout_seconds=1)
        source = open_source(emu.tenant_id, settings, [Resource.GROUPS])
        emu.latency_ms = 2500
        groups = source.load([Resource.GROUPS])[Resource.GROUPS]
    assert isinstance(groups, DataUnavailable) and str(groups).startswith("groups: timed out")


def test_a_dropped_connection_is_retried(emu: Emulator, settings: config.Config) -> None:
    emu.faults.append(Fault(path_regex=r"/beta/groups$", drop=True, times=2))
    emu.faults.append(Fault(path_regex=r"\$batch$", drop=True, times=1))
    loaded = _load(emu, settings, Resource.GROUPS, Resource.DEVICE_CONFIGURATIONS)
    assert len(loaded[Resource.GROUPS]) == 6 and len(loaded[Resource.DEVICE_CONFIGURATIONS]) == 8


def test_only_the_tunnel_apps_devices_are_collected(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tenant detects thousands of apps; TUN-DEV-01 needs the devices of the standalone Tunnel app only,
    found by its name or, as Android reports it, its package id (da-tunnel-wp)."""
    doc = json.loads(DEMO.read_text(encoding="utf-8"))
    detected = doc["resources"][Resource.DETECTED_APPS.value]
    detected.append({"id": "da-teams", "displayName": "Microsoft Teams", "deviceCount": 3, "managedDevices": []})
    with Emulator(snapshot=doc) as emu:
        live = open_tenant(emu.tenant_id, settings_for(emu, monkeypatch))
        apps = {a.id: a for a in live.detected_apps}
        device_requests = [r.path for r in emu.requests if r.path.endswith("/managedDevices")]
    assert sorted(p.split("/")[-2] for p in device_requests) == ["da-tunnel", "da-tunnel-wp"]
    assert apps["da-tunnel"].devices is not None and apps["da-teams"].devices is None


def test_audit_events_are_filtered_from_the_oldest_ios_defender_profile(emu: Emulator, settings: config.Config) -> None:
    source = open_source(emu.tenant_id, settings)
    source.load([Resource.AUDIT_EVENTS, Resource.DEVICE_CONFIGURATIONS])
    audit = [r for r in emu.requests if r.path.endswith("/auditEvents")]
    assert [unquote(r.query) for r in audit] == ["$filter=activityDateTime ge 2026-11-24T14:00:00Z"]
    # The configurations were listed once, shared by both collectors.
    assert len([r for r in emu.requests if r.path.endswith("/deviceConfigurations")]) == 1
    assert source.provenance[Resource.AUDIT_EVENTS].as_dict()["note"] == "activityDateTime ge 2026-11-24T14:00:00Z"


def test_audit_events_fail_when_the_configurations_they_depend_on_fail(emu: Emulator, settings: config.Config) -> None:
    emu.faults.append(Fault(path_regex=r"deviceConfigurations$", status=403, times=None))
    loaded = open_source(emu.tenant_id, settings).load([Resource.AUDIT_EVENTS, Resource.DEVICE_CONFIGURATIONS])
    assert isinstance(loaded[Resource.DEVICE_CONFIGURATIONS], PermissionDenied)
    assert isinstance(loaded[Resource.AUDIT_EVENTS], DataUnavailable)
    assert "needs deviceManagement/deviceConfigurations, which failed" in str(loaded[Resource.AUDIT_EVENTS])
