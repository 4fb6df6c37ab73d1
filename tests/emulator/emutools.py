"""Helpers for the emulator tests: a small hand-made tenant (so the assertions do not move when the demo
tenant changes), a token request, and the check of Graph's error shape."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from tunnelcheck.emulator import Emulator

TENANT = "7e57e57e-0000-4000-8000-000000000001"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def _assignment(policy: str, group: str) -> dict[str, Any]:
    return {
        "id": f"{policy}_{group}",
        "intent": "apply",
        "source": "direct",
        "sourceId": policy,
        "target": {
            "@odata.type": "#microsoft.graph.groupAssignmentTarget",
            "groupId": group,
            "deviceAndAppManagementAssignmentFilterId": None,
            "deviceAndAppManagementAssignmentFilterType": "none",
        },
    }


def _vpn(ident: str, odata_type: str, connection: str) -> dict[str, Any]:
    return {
        "@odata.type": f"#microsoft.graph.{odata_type}",
        "id": ident,
        "displayName": f"Tunnel {ident}",
        "connectionType": connection,
        "version": 1,
        "assignments": [_assignment(ident, "g-1")],
        "deviceStatusOverview": {"id": "overview", "successCount": 3, "errorCount": 0},
    }


def tenant_doc() -> dict[str, Any]:
    return {
        "tunnelcheck_snapshot": 1,
        "tenant_id": TENANT,
        "recorded_at": "2026-11-26T10:00:00Z",
        "resources": {
            "deviceManagement/deviceConfigurations": [
                _vpn("and-1", "androidDeviceOwnerVpnConfiguration", "microsoftTunnel"),
                _vpn("and-2", "androidWorkProfileVpnConfiguration", "microsoftProtect"),
                _vpn("ios-1", "iosVpnConfiguration", "microsoftProtect"),
                _vpn("ios-2", "iosikEv2VpnConfiguration", "ikEv2"),
                {
                    "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
                    "id": "win-1",
                    "displayName": "Windows baseline",
                },
            ],
            "deviceAppManagement/mobileApps": [
                {
                    "@odata.type": "#microsoft.graph.androidManagedStoreApp",
                    "id": "app-mde",
                    "displayName": "Microsoft Defender",
                    "packageId": "com.microsoft.scmx",
                    "assignments": [
                        {
                            "id": "a1",
                            "intent": "required",
                            "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"},
                        }
                    ],
                },
                {
                    "@odata.type": "#microsoft.graph.iosStoreApp",
                    "id": "app-ios",
                    "displayName": "Defender iOS",
                    "bundleId": "com.microsoft.scmx",
                    "assignments": [],
                },
            ],
            "deviceManagement/microsoftTunnelSites": [
                {
                    "id": "site-1",
                    "displayName": "EU",
                    "microsoftTunnelConfiguration": {"id": "cfg-1"},
                    "microsoftTunnelServers": [
                        {"id": "srv-1", "displayName": "tunnel-01"},
                        {"id": "srv-2", "displayName": "tunnel-02"},
                    ],
                },
            ],
            "deviceManagement/microsoftTunnelConfigurations": [
                {
                    "id": "cfg-1",
                    "displayName": "EU config",
                    "listenPort": 443,
                    "disableUdpConnections": False,
                },
            ],
            "groups": [{"id": "g-1", "displayName": "Sales"}, {"id": "g-2", "displayName": "Support"}],
            "deviceManagement/managedDevices": [
                {"id": f"dev-{i}", "deviceName": f"PHONE-{i:02}", "operatingSystem": "Android"}
                for i in range(7)
            ],
            "deviceManagement/detectedApps": [
                {
                    "id": "da-1",
                    "displayName": "Microsoft Tunnel",
                    "deviceCount": 2,
                    "managedDevices": [
                        {"id": "dev-1", "deviceName": "PHONE-01"},
                        {"id": "dev-2", "deviceName": "PHONE-02"},
                    ],
                },
            ],
            "deviceManagement/auditEvents": [
                {"id": "ae-1", "activityDateTime": "2025-12-31T23:00:00Z", "category": "DeviceConfiguration"},
                {"id": "ae-2", "activityDateTime": "2026-01-02T10:00:00Z", "category": "DeviceConfiguration"},
                {"id": "ae-3", "activityDateTime": "2026-02-01T10:00:00Z", "category": "Application"},
            ],
        },
    }


def request_token(http: httpx.Client, emu: Emulator, **form: str) -> httpx.Response:
    data = {"grant_type": "client_credentials", "client_id": emu.client_id, "scope": GRAPH_SCOPE, **form}
    return http.post(f"/{emu.tenant_id}/oauth2/v2.0/token", data=data)


def assert_graph_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The status, Graph's error shape, and request ids matching the response headers."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    inner = error["innerError"]
    assert inner["request-id"] == response.headers["request-id"]
    assert inner["client-request-id"] == response.headers["client-request-id"]
    assert inner["date"]
    return error


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (the tests check what the emulator put in it)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
