"""The emulator's write mode (tests only, tunnelcheck/emulator/writes.py): off unless asked for, never on in
``tunnelcheck emulate``, and when on, Graph's write semantics: new ids and timestamps, updates, assignment
actions that replace, one app assignment per group, the ReadWrite permission, an audit event per write."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from emutools import tenant_doc

from tunnelcheck.cli.emulate import add_emulate_arguments
from tunnelcheck.emulator import Emulator
from tunnelcheck.emulator.writes import WRITE_ROLES
from tunnelcheck.model.resources import REQUIRED_PERMISSIONS

pytestmark = pytest.mark.provokes_writes  # every test here writes on purpose

START = datetime(2026, 11, 26, 7, 0, tzinfo=timezone.utc)
PROFILE = {"@odata.type": "#microsoft.graph.iosVpnConfiguration", "displayName": "New", "connectionType":
           "microsoftProtect"}


def _client(emu: Emulator, roles: tuple[str, ...]) -> httpx.Client:
    token = emu.access_token(roles=roles)
    return httpx.Client(base_url=emu.url + "/beta", verify=emu.ssl_context(),
                        headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def writable(state_dir: Path) -> Iterator[Emulator]:
    doc = tenant_doc()
    doc["resources"]["deviceManagement/auditEvents"] = []
    with Emulator(doc, state_dir=state_dir, writable=True, clock=START) as emulator:
        yield emulator


@pytest.fixture
def admin(writable: Emulator) -> Iterator[httpx.Client]:
    with _client(writable, (*REQUIRED_PERMISSIONS, *WRITE_ROLES)) as client:
        yield client


def test_write_mode_is_off_by_default_and_not_an_option_of_emulate(emu: Emulator, graph: httpx.Client) -> None:
    assert emu.writes is None
    answer = graph.post("/deviceManagement/deviceConfigurations", json=PROFILE)
    assert answer.status_code == 405 and "read-only" in answer.json()["error"]["message"]
    parser = argparse.ArgumentParser()
    add_emulate_arguments(parser)
    assert not any("writ" in option for action in parser._actions for option in action.option_strings)


def test_writes_need_the_readwrite_permission(writable: Emulator) -> None:
    with _client(writable, REQUIRED_PERMISSIONS) as reader:  # tunnelcheck's own, read-only permissions
        answer = reader.post("/deviceManagement/deviceConfigurations", json=PROFILE)
    assert answer.status_code == 403 and "DeviceManagementConfiguration.ReadWrite.All" in answer.text


def test_create_update_assign_a_profile(writable: Emulator, admin: httpx.Client) -> None:
    created = admin.post("/deviceManagement/deviceConfigurations", json=PROFILE)
    assert created.status_code == 201
    body = created.json()
    assert body["createdDateTime"] == body["lastModifiedDateTime"] == "2026-11-26T07:00:00Z"
    assert body["version"] == 1 and body["id"] and "assignments" not in body
    writable.writes.clock.advance(10)
    path = f"/deviceManagement/deviceConfigurations/{body['id']}"
    patched = admin.patch(path, json={"@odata.type": PROFILE["@odata.type"], "displayName": "Renamed"})
    assert patched.status_code == 200 and patched.json()["lastModifiedDateTime"] == "2026-11-26T07:10:00Z"
    target = {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g-2"}
    assigned = admin.post(f"{path}/assign", json={"assignments": [{"target": target}]})
    assert assigned.status_code == 200
    read = admin.get(path, params={"$expand": "assignments"}).json()
    assert read["displayName"] == "Renamed" and [a["target"] for a in read["assignments"]] == [target]
    assert read["version"] == 2
    assert admin.get(f"{path}/deviceStatusOverview").json()["successCount"] == 0
    events = writable.resources["deviceManagement/auditEvents"]
    assert [(e["activityType"], e["activityDateTime"]) for e in events] == [
        ("Create DeviceConfiguration", "2026-11-26T07:00:00Z"), ("Patch DeviceConfiguration", "2026-11-26T07:10:00Z"),
        ("Assign DeviceConfiguration", "2026-11-26T07:10:00Z")]
    assert [(w.method, w.status) for w in writable.write_attempts] == [("POST", 201), ("PATCH", 200), ("POST", 200)]


@pytest.mark.parametrize("body", [
    {**PROFILE, "id": "mine"}, {**PROFILE, "createdDateTime": "2020-01-01T00:00:00Z"}, {**PROFILE, "version": 3},
    {**PROFILE, "assignments": []}, {"displayName": "no type"},
], ids=["id", "createdDateTime", "version", "assignments", "no-type"])
def test_what_graph_sets_cannot_be_written(admin: httpx.Client, body: dict[str, object]) -> None:
    answer = admin.post("/deviceManagement/deviceConfigurations", json=body)
    assert answer.status_code == 400


def test_app_assignments_one_per_group(writable: Emulator, admin: httpx.Client) -> None:
    base = "/deviceAppManagement/mobileApps/app-ios/assignments"
    target = {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g-9"}
    added = admin.post(base, json={"intent": "required", "target": target})
    assert added.status_code == 201
    again = admin.post(base, json={"intent": "uninstall", "target": target})
    assert again.status_code == 400 and "one per group" in again.json()["error"]["message"]
    assignment = added.json()["id"]
    changed = admin.patch(f"{base}/{assignment}", json={"intent": "uninstall", "target": target,
                                                        "settings": {"vpnConfigurationId": "ios-1"}})
    assert changed.status_code == 200 and changed.json()["settings"] == {"vpnConfigurationId": "ios-1"}
    assert admin.delete(f"{base}/{assignment}").status_code == 204
    assert admin.delete(f"{base}/{assignment}").status_code == 404
    events = [(e["activityType"], e["resources"][0]["resourceId"])
              for e in writable.resources["deviceManagement/auditEvents"]]
    assert events == [("Create MobileAppAssignment", "app-ios"), ("Patch MobileAppAssignment", "app-ios"),
                      ("Delete MobileAppAssignment", "app-ios")]


def test_writes_inside_a_batch_stay_refused(admin: httpx.Client) -> None:
    answer = admin.post("/$batch", json={"requests": [
        {"id": "1", "method": "PATCH", "url": "/deviceManagement/deviceConfigurations/ios-1",
         "body": {"displayName": "x"}, "headers": {"Content-Type": "application/json"}}]})
    assert answer.json()["responses"][0]["status"] == 405
