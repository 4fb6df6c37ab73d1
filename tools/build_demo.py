"""Build the embedded demo tenant: Contoso, halfway through the migration, and its pre-migration baseline.

    python tools/build_demo.py      # rewrites tunnelcheck/demo/{baseline,contoso}.json

The story (what each check should say) is in the comments of current() below; tests pin the verdicts.
Objects are shaped exactly as Graph beta returns them, with related collections embedded, by the builders
of ``tunnelcheck.testing``; tests pin the files' bytes (tests/test_pinned_outputs.py).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tunnelcheck.sources import snapshot
from tunnelcheck.testing import (
    NO_FILTER,
    VPN_TYPES,
    Obj,
    app_assignment,
    app_type,
    audit_event,
    configuration_assignments,
    custom_data,
    custom_key_value_data,
    detected_app,
    device_reference,
    exclusion,
    graph_object,
    group,
    group_target,
    managed_device,
    server,
    site,
    snapshot_document,
    status_overview,
    store_properties,
    tunnel_configuration,
)

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


def include(key: str) -> Obj:
    return group_target(gid(key), filter_type=NO_FILTER)


def exclude(key: str) -> Obj:
    return exclusion(gid(key), filter_type=NO_FILTER)


def app_assignments(app_id: str, *entries: tuple[str, Obj, str | None]) -> list[Obj]:
    """The assignments of an app; an iOS app's carry iOS assignment settings, per-app VPN or not."""
    return [app_assignment(intent, target, vpn, ios=app_id.startswith("app-ios"), assignment_id=f"{app_id}_{i}")
            for i, (intent, target, vpn) in enumerate(entries)]


SITE_ID = "b3a7e1c2-5d4f-4e6a-9b8c-0a1d2e3f4a5b"
CONFIG_ID = "c4b8f2d3-6e5a-4f7b-8c9d-1b2e3f4a5b6c"


def android_profile(pid: str, name: str, kind: str, connection: str, targets: list[Obj], *,
                    created: str, custom: dict[str, str] | None = None, custom_kv: dict[str, str] | None = None,
                    packages: list[str] | None = None, overview: Obj | None = None) -> Obj:
    return graph_object(
        VPN_TYPES[kind], pid, name, description="", createdDateTime=created, lastModifiedDateTime=created,
        version=3, roleScopeTagIds=["0"], connectionName="Contoso Tunnel", connectionType=connection,
        authenticationMethod="azureAD", microsoftTunnelSiteId=SITE_ID, alwaysOn=True, alwaysOnLockdown=False,
        proxyServer={"address": "proxy.contoso.com", "port": 8080, "automaticConfigurationScriptUrl": None},
        servers=[{"address": "tunnel.contoso.com:443", "description": "Contoso-EU", "isDefaultServer": True}],
        customData=custom_data(custom), customKeyValueData=custom_key_value_data(custom_kv),
        targetedPackageIds=packages or [], targetedMobileApps=[], proxyExclusionList=[],
        assignments=configuration_assignments(pid, targets), deviceStatusOverview=overview or status_overview(40),
    )


def ios_profile(pid: str, name: str, connection: str, targets: list[Obj], *, created: str,
                custom: dict[str, str] | None = None, identifier: str | None = None, overview: Obj | None = None) -> Obj:
    return graph_object(
        VPN_TYPES["ios"], pid, name, description="", createdDateTime=created, lastModifiedDateTime=created,
        version=2, roleScopeTagIds=["0"], connectionName="Contoso Tunnel", connectionType=connection,
        authenticationMethod="azureAD", microsoftTunnelSiteId=SITE_ID if connection != "customVpn" else None,
        identifier=identifier,
        server={"address": "tunnel.contoso.com:443", "description": "Contoso-EU", "isDefaultServer": True},
        proxyServer=None, enablePerApp=True, providerType="packetTunnel", associatedDomains=["contoso.com"],
        excludedDomains=[], safariDomains=["intranet.contoso.com"],
        onDemandRules=[{"action": "connect", "ssids": [], "dnsSearchDomains": [], "domains": [],
                        "domainAction": "connectIfNeeded", "interfaceTypeMatch": "notConfigured"}],
        customData=custom_data(custom), customKeyValueData=[], assignments=configuration_assignments(pid, targets),
        deviceStatusOverview=overview or status_overview(25),
    )


def managed_play(aid: str, name: str, package: str, assignments: list[Obj]) -> Obj:
    return graph_object(
        app_type("android"), aid, name, publisher="Microsoft", **store_properties("android", package),
        createdDateTime="2025-06-01T09:00:00Z", lastModifiedDateTime="2026-11-20T09:00:00Z",
        publishingState="published", isAssigned=bool(assignments), assignments=assignments,
    )


def ios_app(aid: str, name: str, bundle: str, assignments: list[Obj], kind: str = "iosStoreApp") -> Obj:
    return graph_object(
        kind, aid, name, publisher="Contoso", **store_properties(kind, bundle),
        createdDateTime="2025-06-01T09:00:00Z", lastModifiedDateTime="2026-11-20T09:00:00Z",
        publishingState="published", isAssigned=bool(assignments), assignments=assignments,
    )


def baseline() -> Obj:
    created = "2024-03-01T08:00:00Z"
    profiles = [
        android_profile("p-and-do-std", "Tunnel - AE Fully Managed (standalone)", "android-device-owner",
                        "microsoftTunnel", [include("g-and-sales"), include("g-and-field")], created=created,
                        packages=["com.contoso.crm", "com.microsoft.emmx"]),
        android_profile("p-and-wp-std", "Tunnel - AE Work Profile (standalone)", "android-work-profile",
                        "microsoftTunnel", [include("g-and-byod")], created=created,
                        packages=["com.contoso.crm", "com.android.chrome"]),
        ios_profile("p-ios-std", "Tunnel - iOS (standalone)", "microsoftTunnel",
                    [include("g-ios-exec"), include("g-ios-fin")], created=created),
        ios_profile("p-ios-mde-wp", "MDE - iOS web protection", "customVpn", [include("g-ios-exec")],
                    created=created, identifier="com.microsoft.scmx"),
        graph_object("windows10GeneralConfiguration", "p-win-baseline", "Windows - Security baseline",
                     createdDateTime=created, lastModifiedDateTime=created, version=9, assignments=[],
                     deviceStatusOverview=status_overview(300)),
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
        graph_object("win32LobApp", "app-win-7zip", "7-Zip", publisher="Igor Pavlov",
                     createdDateTime="2025-01-01T00:00:00Z", assignments=[]),
    ]
    return document(profiles, apps, recorded_at="2026-10-01T07:00:00Z", servers_health=("healthy", "healthy"),
                    devices=True)


def current() -> Obj:
    doc = baseline()
    res = doc["resources"]
    profiles = {p["id"]: p for p in res["deviceManagement/deviceConfigurations"]}
    # Cleanup has begun: the Work Profile standalone profile is unassigned; the others are still assigned.
    profiles["p-and-wp-std"]["assignments"] = []
    created = "2026-11-24T14:00:00Z"
    new_profiles = [
        android_profile("p-and-do-mde", "Tunnel - AE Fully Managed (Defender)", "android-device-owner",
                        "microsoftProtect", [include("g-and-sales"), include("g-and-field")], created=created,
                        custom={"defendertoggle": "0"},
                        packages=["com.contoso.crm", "com.microsoft.emmx"]),
        # Tunnel only is the intent, but this profile keeps Defender on (and sets it twice, differently).
        android_profile("p-and-wp-mde", "Tunnel - AE Work Profile (Defender)", "android-work-profile",
                        "microsoftProtect", [include("g-and-byod")], created=created,
                        custom={"defendertoggle": "1"},
                        custom_kv={"DefenderToggle": " 0 ", "vpn": "yes"},
                        packages=["com.contoso.crm", "com.android.chrome"], overview=status_overview(30, error=2)),
        # Only the executives got the new iOS profile: Finance is not migrated yet. Made the way Microsoft's
        # Tunnel test environment makes iOS Defender profiles: microsoftTunnel with MSTunnelProtectMode = 1.
        ios_profile("p-ios-mde", "Tunnel - iOS (Defender)", "microsoftTunnel", [include("g-ios-exec")],
                    created=created, custom={"MSTunnelProtectMode": "1", "TunnelOnly": "True"}),
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
        audit_event("ae-1", "Create DeviceConfiguration", "2026-11-24T14:00:05Z", "p-ios-mde"),
        audit_event("ae-2", "Patch MobileAppAssignment", "2026-11-24T14:04:00Z", "app-ios-intranet"),
    ]
    return doc


def document(profiles: list[Obj], apps: list[Obj], *, recorded_at: str, servers_health: tuple[str, ...], devices: bool) -> Obj:
    servers = [server(f"srv-eu-{i}", health, name=f"tunnel-eu-0{i}") for i, health in enumerate(servers_health, 1)]
    configuration = tunnel_configuration(CONFIG_ID, name="Contoso-EU server configuration",
                                         dns_servers=("10.0.0.4", "1.1.1.1"))
    device_list = [
        managed_device(f"dev-{i}", name=name, os=os_, osVersion=ver, userPrincipalName=upn,
                       managedDeviceOwnerType="company", deviceEnrollmentType=enroll)
        for i, (name, os_, ver, upn, enroll) in enumerate([
            ("SALES-PIXEL-01", "Android", "14", "adele.vance@contoso.com", "androidEnterpriseFullyManaged"),
            ("FIELD-GALAXY-07", "Android", "13", "lee.gu@contoso.com", "androidEnterpriseCorporateWorkProfile"),
            ("EXEC-IPHONE-02", "iOS", "18.1", "megan.bowen@contoso.com", "appleBulkWithUser"),
            ("FIN-IPAD-11", "iOS", "17.6", "diego.siciliani@contoso.com", "appleBulkWithUser"),
        ], 1)
    ]
    return snapshot_document(
        recorded_at=recorded_at, tenant_id=TENANT_ID, source="tunnelcheck demo tenant (tools/build_demo.py)",
        profiles=profiles,
        apps=apps,
        sites=[site(SITE_ID, *servers, configuration_id=CONFIG_ID, name="Contoso-EU",
                    public_address="tunnel.contoso.com")],
        tunnel_configurations=[configuration],
        groups=[group(gid(k), v) for k, v in GROUPS.items()],
        managed_devices=device_list if devices else [],
        # Graph reports the Tunnel app per Android Enterprise platform, by name on one device and by its
        # package id on the other (docs/terms.md, TUN-DEV-01).
        detected_apps=[
            detected_app("da-tunnel", device_reference(device_list[0]), name="Microsoft Tunnel",
                         platform="androidDedicatedAndFullyManaged", publisher="Microsoft Corporation"),
            detected_app("da-tunnel-wp", device_reference(device_list[1]), name="com.microsoft.tunnel",
                         platform="androidWorkProfile", publisher="Microsoft Corporation"),
        ],
        audit_events=[],
    )


def main() -> None:
    out = ROOT / "tunnelcheck" / "demo"
    for name, doc in (("baseline.json", baseline()), ("contoso.json", current())):
        digest = snapshot.write(out / name, copy.deepcopy(doc))
        print(f"{name}: sha256 {digest}")


if __name__ == "__main__":
    main()
