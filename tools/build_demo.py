"""Build the embedded demo tenant: Contoso, halfway through the migration, and its pre-migration baseline.

    python tools/build_demo.py      # rewrites tunnelcheck/demo/{baseline,contoso}.json

The story (what each check should say) is in the comments of current() below; tests pin the verdicts.
Objects are shaped exactly as Graph beta returns them, with related collections embedded.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tunnelcheck import snapshot

G = "#microsoft.graph."
TENANT_ID = "6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10"

GROUPS = {
    "g-and-sales": "SG-Tunnel-Android-Sales",
    "g-and-field": "SG-Tunnel-Android-Field",
    "g-and-byod": "SG-Tunnel-Android-BYOD",
    "g-ios-exec": "SG-Tunnel-iOS-Executives",
    "g-ios-fin": "SG-Tunnel-iOS-Finance",
    "g-pilot-excl": "SG-Tunnel-Pilot-Exclusions",
}
GROUP_IDS = {k: f"{i:08x}-1111-4a2b-8c3d-{k.encode().hex()[:12]:0<12}" for i, k in enumerate(GROUPS, 1)}


def gid(key: str) -> str:
    return GROUP_IDS[key]


def include(key: str) -> dict:
    return {"@odata.type": G + "groupAssignmentTarget", "groupId": gid(key),
            "deviceAndAppManagementAssignmentFilterId": None, "deviceAndAppManagementAssignmentFilterType": "none"}


def exclude(key: str) -> dict:
    return {"@odata.type": G + "exclusionGroupAssignmentTarget", "groupId": gid(key),
            "deviceAndAppManagementAssignmentFilterId": None, "deviceAndAppManagementAssignmentFilterType": "none"}


def config_assignments(profile_id: str, *targets: dict) -> list[dict]:
    return [{"id": f"{profile_id}_{i}", "intent": "apply", "source": "direct", "sourceId": profile_id,
             "target": t} for i, t in enumerate(targets)]


def app_assignments(app_id: str, *entries: tuple[str, dict, str | None]) -> list[dict]:
    out = []
    for i, (intent, target, vpn) in enumerate(entries):
        a = {"id": f"{app_id}_{i}", "intent": intent, "source": "direct", "sourceId": None, "target": target,
             "settings": None}
        if vpn is not None or app_id.startswith("app-ios"):
            a["settings"] = {"@odata.type": G + "iosStoreAppAssignmentSettings", "vpnConfigurationId": vpn,
                             "uninstallOnDeviceRemoval": False, "isRemovable": True}
        out.append(a)
    return out


SITE_ID = "b3a7e1c2-5d4f-4e6a-9b8c-0a1d2e3f4a5b"
CONFIG_ID = "c4b8f2d3-6e5a-4f7b-8c9d-1b2e3f4a5b6c"


def status(success: int, error: int = 0, failed: int = 0, conflict: int = 0, pending: int = 0) -> dict:
    return {"id": "overview", "pendingCount": pending, "notApplicableCount": 0, "successCount": success,
            "errorCount": error, "failedCount": failed, "conflictCount": conflict,
            "lastUpdateDateTime": "2026-11-25T22:00:00Z", "configurationVersion": 1}


def android_profile(pid: str, name: str, kind: str, connection: str, targets: list[dict], *,
                    created: str, custom: list[dict] | None = None, custom_kv: list[dict] | None = None,
                    packages: list[str] | None = None, overview: dict | None = None) -> dict:
    return {
        "@odata.type": G + kind, "id": pid, "displayName": name, "description": "",
        "createdDateTime": created, "lastModifiedDateTime": created, "version": 3, "roleScopeTagIds": ["0"],
        "connectionName": "Contoso Tunnel", "connectionType": connection, "authenticationMethod": "azureAD",
        "microsoftTunnelSiteId": SITE_ID, "alwaysOn": True, "alwaysOnLockdown": False,
        "proxyServer": {"address": "proxy.contoso.com", "port": 8080, "automaticConfigurationScriptUrl": None},
        "servers": [{"address": "tunnel.contoso.com:443", "description": "Contoso-EU", "isDefaultServer": True}],
        "customData": custom or [], "customKeyValueData": custom_kv or [],
        "targetedPackageIds": packages or [], "targetedMobileApps": [], "proxyExclusionList": [],
        "assignments": config_assignments(pid, *targets),
        "deviceStatusOverview": overview or status(40),
    }


def ios_profile(pid: str, name: str, connection: str, targets: list[dict], *, created: str,
                custom: list[dict] | None = None, identifier: str | None = None, overview: dict | None = None) -> dict:
    return {
        "@odata.type": G + "iosVpnConfiguration", "id": pid, "displayName": name, "description": "",
        "createdDateTime": created, "lastModifiedDateTime": created, "version": 2, "roleScopeTagIds": ["0"],
        "connectionName": "Contoso Tunnel", "connectionType": connection, "authenticationMethod": "azureAD",
        "microsoftTunnelSiteId": SITE_ID if connection != "customVpn" else None, "identifier": identifier,
        "server": {"address": "tunnel.contoso.com:443", "description": "Contoso-EU", "isDefaultServer": True},
        "proxyServer": None, "enablePerApp": True, "providerType": "packetTunnel",
        "associatedDomains": ["contoso.com"], "excludedDomains": [], "safariDomains": ["intranet.contoso.com"],
        "onDemandRules": [{"action": "connect", "ssids": [], "dnsSearchDomains": [], "domains": [],
                           "domainAction": "connectIfNeeded", "interfaceTypeMatch": "notConfigured"}],
        "customData": custom or [], "customKeyValueData": [],
        "assignments": config_assignments(pid, *targets),
        "deviceStatusOverview": overview or status(25),
    }


def managed_play(aid: str, name: str, package: str, assignments: list) -> dict:
    return {"@odata.type": G + "androidManagedStoreApp", "id": aid, "displayName": name, "publisher": "Microsoft",
            "packageId": package, "appIdentifier": package, "isPrivate": False, "isSystemApp": False,
            "appStoreUrl": f"https://play.google.com/store/apps/details?id={package}",
            "createdDateTime": "2025-06-01T09:00:00Z", "lastModifiedDateTime": "2026-11-20T09:00:00Z",
            "publishingState": "published", "isAssigned": bool(assignments), "assignments": assignments}


def ios_app(aid: str, name: str, bundle: str, assignments: list, kind: str = "iosStoreApp") -> dict:
    return {"@odata.type": G + kind, "id": aid, "displayName": name, "publisher": "Contoso", "bundleId": bundle,
            "appStoreUrl": None, "createdDateTime": "2025-06-01T09:00:00Z",
            "lastModifiedDateTime": "2026-11-20T09:00:00Z", "publishingState": "published",
            "isAssigned": bool(assignments), "assignments": assignments}


def baseline() -> dict:
    created = "2024-03-01T08:00:00Z"
    profiles = [
        android_profile("p-and-do-std", "Tunnel - AE Fully Managed (standalone)", "androidDeviceOwnerVpnConfiguration",
                        "microsoftTunnel", [include("g-and-sales"), include("g-and-field")], created=created,
                        packages=["com.contoso.crm", "com.microsoft.emmx"]),
        android_profile("p-and-wp-std", "Tunnel - AE Work Profile (standalone)", "androidWorkProfileVpnConfiguration",
                        "microsoftTunnel", [include("g-and-byod")], created=created,
                        packages=["com.contoso.crm", "com.android.chrome"]),
        ios_profile("p-ios-std", "Tunnel - iOS (standalone)", "microsoftTunnel",
                    [include("g-ios-exec"), include("g-ios-fin")], created=created),
        ios_profile("p-ios-mde-wp", "MDE - iOS web protection", "customVpn", [include("g-ios-exec")],
                    created=created, identifier="com.microsoft.scmx"),
        {"@odata.type": G + "windows10GeneralConfiguration", "id": "p-win-baseline",
         "displayName": "Windows - Security baseline", "createdDateTime": created,
         "lastModifiedDateTime": created, "version": 9, "assignments": [], "deviceStatusOverview": status(300)},
    ]
    apps = [
        managed_play("app-and-tunnel", "Microsoft Tunnel", "com.microsoft.tunnel", app_assignments(
            "app-and-tunnel", ("required", include("g-and-sales"), None), ("required", include("g-and-field"), None),
            ("available", include("g-and-byod"), None))),
        managed_play("app-and-chrome", "Google Chrome", "com.android.chrome", app_assignments(
            "app-and-chrome", ("available", include("g-and-byod"), None))),
        managed_play("app-and-edge", "Microsoft Edge", "com.microsoft.emmx", app_assignments(
            "app-and-edge", ("available", include("g-and-byod"), None), ("required", include("g-and-sales"), None))),
        ios_app("app-ios-tunnel", "Microsoft Tunnel", "com.microsoft.tunnel", app_assignments(
            "app-ios-tunnel", ("required", include("g-ios-exec"), None), ("required", include("g-ios-fin"), None))),
        ios_app("app-ios-expenses", "Contoso Expenses", "com.contoso.expenses", app_assignments(
            "app-ios-expenses", ("required", include("g-ios-fin"), "p-ios-std")), kind="iosVppApp"),
        ios_app("app-ios-intranet", "Contoso Intranet", "com.contoso.intranet", app_assignments(
            "app-ios-intranet", ("available", include("g-ios-exec"), "p-ios-std"))),
        {"@odata.type": G + "win32LobApp", "id": "app-win-7zip", "displayName": "7-Zip", "publisher": "Igor Pavlov",
         "createdDateTime": "2025-01-01T00:00:00Z", "assignments": []},
    ]
    return document(profiles, apps, recorded_at="2026-10-01T07:00:00Z", servers_health=("healthy", "healthy"),
                    devices=True)


def current() -> dict:
    doc = baseline()
    res = doc["resources"]
    profiles = {p["id"]: p for p in res["deviceManagement/deviceConfigurations"]}
    # Cleanup has begun: the Work Profile standalone profile is unassigned; the others are still assigned.
    profiles["p-and-wp-std"]["assignments"] = []
    created = "2026-11-24T14:00:00Z"
    new_profiles = [
        android_profile("p-and-do-mde", "Tunnel - AE Fully Managed (Defender)", "androidDeviceOwnerVpnConfiguration",
                        "microsoftProtect", [include("g-and-sales"), include("g-and-field")], created=created,
                        custom=[{"key": "defendertoggle", "value": "0"}],
                        packages=["com.contoso.crm", "com.microsoft.emmx"]),
        # Tunnel only is the intent, but this profile keeps Defender on (and sets it twice, differently).
        android_profile("p-and-wp-mde", "Tunnel - AE Work Profile (Defender)", "androidWorkProfileVpnConfiguration",
                        "microsoftProtect", [include("g-and-byod")], created=created,
                        custom=[{"key": "defendertoggle", "value": "1"}],
                        custom_kv=[{"name": "DefenderToggle", "value": " 0 "}, {"name": "vpn", "value": "yes"}],
                        packages=["com.contoso.crm", "com.android.chrome"], overview=status(30, error=2)),
        # Only the executives got the new iOS profile: Finance is not migrated yet. Made the way Microsoft's
        # Tunnel test environment makes iOS Defender profiles: microsoftTunnel with MSTunnelProtectMode = 1.
        ios_profile("p-ios-mde", "Tunnel - iOS (Defender)", "microsoftTunnel", [include("g-ios-exec")],
                    created=created, custom=[{"key": "MSTunnelProtectMode", "value": "1"},
                                             {"key": "TunnelOnly", "value": "True"}]),
    ]
    res["deviceManagement/deviceConfigurations"] += new_profiles
    apps = {a["id"]: a for a in res["deviceAppManagement/mobileApps"]}
    # Android standalone app: required removed, uninstall only for Sales (Field and BYOD were forgotten).
    apps["app-and-tunnel"]["assignments"] = app_assignments(
        "app-and-tunnel", ("uninstall", include("g-and-sales"), None))
    # iOS standalone app still offered.
    # Intranet was moved to the Defender profile; Expenses still points at the standalone one.
    apps["app-ios-intranet"]["assignments"] = app_assignments(
        "app-ios-intranet", ("available", include("g-ios-exec"), "p-ios-mde"))
    res["deviceAppManagement/mobileApps"] += [
        # Defender approved in managed Google Play, but assigned to Sales and BYOD only (Field is missing).
        managed_play("app-and-mde", "Microsoft Defender: Antivirus", "com.microsoft.scmx", app_assignments(
            "app-and-mde", ("required", include("g-and-sales"), None), ("required", include("g-and-byod"), None),
            ("required", exclude("g-pilot-excl"), None))),
        ios_app("app-ios-mde", "Microsoft Defender", "com.microsoft.scmx", app_assignments(
            "app-ios-mde", ("required", include("g-ios-exec"), None), ("required", include("g-ios-fin"), None))),
    ]
    doc["recorded_at"] = "2026-11-26T07:00:00Z"
    servers = res["deviceManagement/microsoftTunnelSites"][0]["microsoftTunnelServers"]
    servers[1]["tunnelServerHealthStatus"] = "warning"
    res["deviceManagement/auditEvents"] = [
        audit("ae-1", "Create DeviceConfiguration", "2026-11-24T14:00:05Z", "p-ios-mde"),
        audit("ae-2", "Patch MobileAppAssignment", "2026-11-24T14:04:00Z", "app-ios-intranet"),
    ]
    return doc


def audit(eid: str, activity_type: str, when: str, resource_id: str) -> dict:
    return {"id": eid, "displayName": activity_type, "activity": activity_type, "activityType": activity_type,
            "activityDateTime": when, "activityOperationType": activity_type.split()[0], "activityResult": "Success",
            "category": "Application" if "App" in activity_type else "DeviceConfiguration",
            "componentName": "MobileAppManagement",
            "actor": {"userPrincipalName": "admin@contoso.onmicrosoft.com", "type": "ItPro"},
            "resources": [{"resourceId": resource_id, "displayName": resource_id, "type": "resource",
                           "modifiedProperties": []}]}


def document(profiles: list, apps: list, *, recorded_at: str, servers_health: tuple[str, ...], devices: bool) -> dict:
    servers = [
        {"id": f"srv-eu-{i}", "displayName": f"tunnel-eu-0{i}", "tunnelServerHealthStatus": health,
         "lastCheckinDateTime": "2026-11-26T06:59:00Z", "agentImageDigest": "sha256:1f2e", "serverImageDigest": "sha256:3d4c",
         "deploymentMode": "standaloneRootful"}
        for i, health in enumerate(servers_health, 1)
    ]
    configuration = {
        "id": CONFIG_ID, "displayName": "Contoso-EU server configuration", "description": "",
        "network": "169.254.0.0/16", "dnsServers": ["10.0.0.4", "1.1.1.1"], "defaultDomainSuffix": "contoso.com",
        "routeIncludes": ["10.0.0.0/8"], "routeExcludes": [], "splitDNS": ["contoso.com"], "listenPort": 443,
        "disableUdpConnections": False, "advancedSettings": [], "lastUpdateDateTime": "2026-09-01T10:00:00Z",
        "roleScopeTagIds": ["0"],
    }
    device_list = [
        {"id": f"dev-{i}", "deviceName": name, "operatingSystem": os_, "osVersion": ver,
         "userPrincipalName": upn, "managedDeviceOwnerType": "company", "deviceEnrollmentType": enroll}
        for i, (name, os_, ver, upn, enroll) in enumerate([
            ("SALES-PIXEL-01", "Android", "14", "adele.vance@contoso.com", "androidEnterpriseFullyManaged"),
            ("FIELD-GALAXY-07", "Android", "13", "lee.gu@contoso.com", "androidEnterpriseCorporateWorkProfile"),
            ("EXEC-IPHONE-02", "iOS", "18.1", "megan.bowen@contoso.com", "appleBulkWithUser"),
            ("FIN-IPAD-11", "iOS", "17.6", "diego.siciliani@contoso.com", "appleBulkWithUser"),
        ], 1)
    ]
    return {
        "tunnelcheck_snapshot": 1,
        "recorded_at": recorded_at,
        "tenant_id": TENANT_ID,
        "cloud": "global",
        "source": "tunnelcheck demo tenant (tools/build_demo.py)",
        "resources": {
            "deviceManagement/deviceConfigurations": profiles,
            "deviceAppManagement/mobileApps": apps,
            "deviceManagement/microsoftTunnelSites": [{
                "id": SITE_ID, "displayName": "Contoso-EU", "description": "", "publicAddress": "tunnel.contoso.com",
                "internalNetworkProbeUrl": "https://intranet.contoso.com", "upgradeAutomatically": True,
                "upgradeAvailable": False, "roleScopeTagIds": ["0"],
                "microsoftTunnelConfiguration": {"id": CONFIG_ID},
                "microsoftTunnelServers": servers,
            }],
            "deviceManagement/microsoftTunnelConfigurations": [configuration],
            "groups": [{"id": gid(k), "displayName": v} for k, v in GROUPS.items()],
            "deviceManagement/managedDevices": device_list if devices else [],
            # Graph reports the Tunnel app per Android Enterprise platform, by name on one device and by its
            # package id on the other (docs/terms.md, TUN-DEV-01).
            "deviceManagement/detectedApps": [
                detected_app("da-tunnel", "Microsoft Tunnel", "androidDedicatedAndFullyManaged", device_list[0]),
                detected_app("da-tunnel-wp", "com.microsoft.tunnel", "androidWorkProfile", device_list[1]),
            ],
            "deviceManagement/auditEvents": [],
        },
        "provenance": {},
    }


def detected_app(aid: str, name: str, platform: str, *devices: dict) -> dict:
    return {"id": aid, "displayName": name, "version": "1.2103.1", "deviceCount": len(devices), "platform": platform,
            "publisher": "Microsoft Corporation",
            "managedDevices": [{"id": d["id"], "deviceName": d["deviceName"], "operatingSystem": d["operatingSystem"]}
                               for d in devices]}


def main() -> None:
    out = ROOT / "tunnelcheck" / "demo"
    for name, doc in (("baseline.json", baseline()), ("contoso.json", current())):
        digest = snapshot.write(out / name, copy.deepcopy(doc))
        print(f"{name}: sha256 {digest}")


if __name__ == "__main__":
    main()
