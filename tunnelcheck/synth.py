"""Synthetic tenants at scale, for benchmarks and scale tests: ``tunnelcheck synth --size XL --seed 1 -o FILE``.

A tenant halfway through the migration, with Graph beta's shapes (as ``tools/build_demo.py``) and the
proportions of a large Intune tenant. At XL: 100,000 managed devices, 20,000 mobile apps (5,000 iOS apps
with per-app VPN, 3,000 managed Google Play apps), 3,000 device configurations of which 300 Tunnel profiles
(150 standalone profiles, each with its Defender replacement), 5,000 groups, 50,000 audit events, 3 Tunnel
sites of 4 servers; S, M and L are 1/100, 1/10 and 1/3 of that (sites stay 3 x 4).

Failures are built in at fixed strides, so the verdict of every core check is known from the construction
alone (:attr:`Synthetic.expected`, for ``migration.defender_features: false``), never by running a check.
The same size and seed give the same documents, byte for byte (and so the same sha256).
"""

from __future__ import annotations

import argparse
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["SIZES", "Synthetic", "add_arguments", "generate", "run"]

G = "#microsoft.graph."
SIZES = {"S": 0.01, "M": 0.1, "L": 1 / 3, "XL": 1.0}
#: XL counts.
XL = {"devices": 100_000, "apps": 20_000, "ios_apps": 5_000, "android_apps": 3_000, "configurations": 3_000,
      "tunnel_profiles": 300, "groups": 5_000, "audit_events": 50_000, "detected_apps": 2_000}
SITES, SERVERS_PER_SITE = 3, 4
KINDS = ("ios", "androidDeviceOwnerVpnConfiguration", "androidWorkProfileVpnConfiguration", "ios")
DEFENDER, TUNNEL = "com.microsoft.scmx", "com.microsoft.tunnel"
BROWSERS = ("com.android.chrome", "com.microsoft.emmx")
BASELINE_AT, CURRENT_AT = "2026-10-01T07:00:00Z", "2026-11-26T07:00:00Z"

# The strides of the built-in failures (index of the pair, the target, the iOS app, the Defender profile).
MISSING_TARGET = (10, 1)  # pair i % 10 == 1: its Defender profile leaves out the standalone's last target
NO_DEFENDER_APP = (10, 3)  # Tunnel target t % 10 == 3: the Defender app is not assigned to it
CLEANED_UP = (5, 2)  # pair i % 5 == 2: standalone profile unassigned, standalone app set to uninstall there
WRONG_TOGGLE = (7, 0)  # pair i % 7 == 0: the Defender profile keeps Defender on (Tunnel only is intended)
PROFILE_ERRORS = (11, 4)  # pair i % 11 == 4: the Defender profile reports device errors
SETTING_LOST = (13, 5)  # pair i % 13 == 5: the Defender profile lost a per-app app / associated domain
NOT_REASSIGNED = (20, 7)  # iOS app a % 20 == 7: per-app VPN still on the standalone profile
TOO_SOON = (25, 3)  # iOS app a % 25 == 3 (reassigned): reassigned 4 minutes after the new profile
DEVICE_KEEPS_APP = (100, 0)  # device d % 100 == 0 still reports the standalone Tunnel app


def _hit(index: int, stride: tuple[int, int]) -> bool:
    return index % stride[0] == stride[1]


@dataclass
class Synthetic:
    """The current tenant and its baseline (snapshot documents, unsealed), and each core check's verdict
    as (outcome, offending object ids) for ``defender_features: false``."""

    size: str
    seed: int
    current: dict[str, Any]
    baseline: dict[str, Any]
    expected: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def counts_for(size: str) -> dict[str, int]:
    factor = SIZES[size]
    out = {k: max(1, round(v * factor)) for k, v in XL.items()}
    out["tunnel_profiles"] = max(6, out["tunnel_profiles"] - out["tunnel_profiles"] % 2)
    return out


def _when(text: str, minutes: float = 0) -> str:
    at = datetime.fromisoformat(text.replace("Z", "+00:00")) + timedelta(minutes=minutes)
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _target(group_id: str, exclude: bool = False) -> dict[str, Any]:
    kind = "exclusionGroupAssignmentTarget" if exclude else "groupAssignmentTarget"
    return {"@odata.type": G + kind, "groupId": group_id, "deviceAndAppManagementAssignmentFilterId": None,
            "deviceAndAppManagementAssignmentFilterType": "none"}


def _status(success: int, error: int = 0) -> dict[str, Any]:
    return {"id": "overview", "pendingCount": 0, "notApplicableCount": 0, "successCount": success,
            "errorCount": error, "failedCount": 0, "conflictCount": 0,
            "lastUpdateDateTime": "2026-11-25T22:00:00Z", "configurationVersion": 1}


class _Builder:
    def __init__(self, size: str, seed: int) -> None:
        self.size, self.seed = size, seed
        self.rng = random.Random(f"tunnelcheck-synth:{size}:{seed}")
        self.n = counts_for(size)

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- the pieces -------------------------------------------------------------------------------------

    def profile(self, pid: str, name: str, kind: str, connection: str, groups: list[str], created: str,
                site: str, custom: list[dict[str, str]], per_app: list[str], domains: list[str],
                overview: dict[str, Any]) -> dict[str, Any]:
        common = {
            "id": pid, "displayName": name, "description": "", "createdDateTime": created,
            "lastModifiedDateTime": created, "version": 2, "roleScopeTagIds": ["0"], "connectionName": name,
            "connectionType": connection, "authenticationMethod": "azureAD", "microsoftTunnelSiteId": site,
            "proxyServer": {"address": "proxy.contoso.com", "port": 8080, "automaticConfigurationScriptUrl": None},
            "customData": custom, "customKeyValueData": [],
            "assignments": [{"id": f"{pid}_{g}", "intent": "apply", "source": "direct", "sourceId": pid,
                             "target": _target(g)} for g in groups],
            "deviceStatusOverview": overview,
        }
        if kind == "ios":
            return {"@odata.type": G + "iosVpnConfiguration", **common, "enablePerApp": True,
                    "providerType": "packetTunnel", "associatedDomains": domains, "excludedDomains": [],
                    "safariDomains": [], "server": {"address": "tunnel.contoso.com:443", "isDefaultServer": True},
                    "onDemandRules": [{"action": "connect", "domains": [], "domainAction": "connectIfNeeded",
                                       "interfaceTypeMatch": "notConfigured"}]}
        return {"@odata.type": G + kind, **common, "alwaysOn": True, "alwaysOnLockdown": False,
                "servers": [{"address": "tunnel.contoso.com:443", "isDefaultServer": True}],
                "targetedPackageIds": per_app, "targetedMobileApps": [], "proxyExclusionList": []}

    def app(self, aid: str, name: str, kind: str, identifier: str | None,
            assignments: list[dict[str, Any]] | None) -> dict[str, Any]:
        app = {"@odata.type": G + kind, "id": aid, "displayName": name, "publisher": "Contoso",
               "createdDateTime": "2025-06-01T09:00:00Z", "lastModifiedDateTime": "2026-11-20T09:00:00Z",
               "publishingState": "published", "isAssigned": bool(assignments)}
        if kind == "androidManagedStoreApp":
            app.update(packageId=identifier, appIdentifier=identifier, isPrivate=False, isSystemApp=False,
                       appStoreUrl=f"https://play.google.com/store/apps/details?id={identifier}")
        elif kind.startswith("ios"):
            app.update(bundleId=identifier, appStoreUrl=None)
        if assignments is not None:
            app["assignments"] = assignments
        return app

    @staticmethod
    def assignment(aid: str, i: int, intent: str, target: dict[str, Any], vpn: str | None = None,
                   ios: bool = False) -> dict[str, Any]:
        settings = ({"@odata.type": G + "iosStoreAppAssignmentSettings", "vpnConfigurationId": vpn,
                     "uninstallOnDeviceRemoval": False, "isRemovable": True} if ios else None)
        return {"id": f"{aid}_{i}", "intent": intent, "source": "direct", "sourceId": None, "target": target,
                "settings": settings}

    # -- the tenant -------------------------------------------------------------------------------------

    def build(self) -> Synthetic:
        n, rng = self.n, self.rng
        groups = [{"id": self.uid(), "displayName": f"SG-{i:05d}"} for i in range(n["groups"])]
        group_ids = [g["id"] for g in groups]
        pairs = n["tunnel_profiles"] // 2
        # Each standalone profile gets 2 to 4 groups of its own: the migration targets.
        per_pair: list[list[str]] = []
        cursor = 0
        for _ in range(pairs):
            k = rng.randint(2, 4)
            per_pair.append(group_ids[cursor:cursor + k] if cursor + k <= len(group_ids) else
                            [self.uid() for _ in range(k)])
            cursor += k
        exclusion_group = group_ids[-1]
        sites = [self.uid() for _ in range(SITES)]
        configuration_ids = [self.uid() for _ in range(SITES)]

        base_profiles: list[dict[str, Any]] = []
        cur_profiles: list[dict[str, Any]] = []
        expected_fail: dict[str, list[str]] = {k: [] for k in (
            "TUN-AND-02", "TUN-IOS-01", "TUN-AND-03", "TUN-IOS-02", "TUN-AND-05", "TUN-IOS-04", "TUN-DEV-02",
            "TUN-AND-07", "TUN-IOS-07", "TUN-IOS-05", "TUN-IOS-06", "TUN-GW-01", "TUN-DEV-01")}
        standalone_ids, defender_ids, defender_created = [], [], []
        targets_by_platform: dict[str, list[tuple[int, str]]] = {"android": [], "ios": []}
        cleaned: dict[str, list[str]] = {"android": [], "ios": []}
        t_index = 0
        for i in range(pairs):
            kind = KINDS[i % len(KINDS)]
            platform = "ios" if kind == "ios" else "android"
            label = {"ios": "iOS", "androidDeviceOwnerVpnConfiguration": "AE Fully Managed",
                     "androidWorkProfileVpnConfiguration": "AE Work Profile"}[kind]
            site = sites[i % SITES]
            per_app = ["com.contoso.crm", f"com.contoso.app{i}", BROWSERS[i % 2]]
            domains = ["contoso.com", f"app{i}.contoso.com"]
            sid, did = self.uid(), self.uid()
            created_std = "2024-03-01T08:00:00Z"
            created_def = _when("2026-11-01T09:00:00Z", minutes=60 * (i % 400))
            std_groups = per_pair[i]
            base_profiles.append(self.profile(sid, f"Tunnel {i:03d} - {label} (standalone)", kind, "microsoftTunnel",
                                              std_groups, created_std, site, [], per_app, domains, _status(40)))
            current_std = dict(base_profiles[-1])
            if _hit(i, CLEANED_UP):
                current_std["assignments"] = []
                cleaned[platform] += std_groups
            else:
                expected_fail["TUN-AND-07" if platform == "android" else "TUN-IOS-07"].append(sid)
            cur_profiles.append(current_std)

            def_groups = std_groups[:-1] if _hit(i, MISSING_TARGET) else list(std_groups)
            if _hit(i, MISSING_TARGET):
                expected_fail["TUN-AND-03" if platform == "android" else "TUN-IOS-02"].append(std_groups[-1])
            wrong = _hit(i, WRONG_TOGGLE)
            custom = ([{"key": "TunnelOnly", "value": "False" if wrong else "True"}] if platform == "ios"
                      else [{"key": "defendertoggle", "value": "1" if wrong else "0"}])
            if wrong:
                expected_fail["TUN-AND-05" if platform == "android" else "TUN-IOS-04"].append(did)
            errors = 2 if _hit(i, PROFILE_ERRORS) else 0
            if errors:
                expected_fail["TUN-DEV-02"].append(did)
            lost = _hit(i, SETTING_LOST)
            cur_profiles.append(self.profile(
                did, f"Tunnel {i:03d} - {label} (Defender)", kind, "microsoftProtect", def_groups, created_def, site,
                custom, per_app[:-1] if lost else per_app, domains[:1] if lost else domains, _status(40, errors)))
            standalone_ids.append(sid)
            defender_ids.append(did)
            defender_created.append(created_def)
            for g in std_groups:
                targets_by_platform[platform].append((t_index, g))
                t_index += 1

        # Other device configurations: everything a tenant has besides Tunnel (their list shape only).
        other_types = ("windows10GeneralConfiguration", "iosGeneralDeviceConfiguration",
                       "androidDeviceOwnerGeneralDeviceConfiguration", "macOSGeneralDeviceConfiguration",
                       "windows10EndpointProtectionConfiguration", "iosVpnConfiguration")
        others = []
        for j in range(n["configurations"] - 2 * pairs):
            kind = other_types[j % len(other_types)]
            item = {"@odata.type": G + kind, "id": self.uid(), "displayName": f"Config {j:05d} ({kind})",
                    "description": "", "createdDateTime": "2025-01-15T10:00:00Z",
                    "lastModifiedDateTime": "2026-02-01T10:00:00Z", "version": 1 + j % 5, "roleScopeTagIds": ["0"]}
            if kind == "iosVpnConfiguration":  # MDE's own web-protection profile shape: a VPN, not Tunnel
                item.update(connectionType="customVpn", identifier=DEFENDER)
            others.append(item)
        base_profiles += others
        cur_profiles += others

        # Apps: the Defender and standalone apps, iOS per-app VPN apps, managed Google Play, the rest.
        base_apps: list[dict[str, Any]] = []
        cur_apps: list[dict[str, Any]] = []
        for platform in ("android", "ios"):
            kind = "androidManagedStoreApp" if platform == "android" else "iosStoreApp"
            targets = targets_by_platform[platform]
            missing = [g for t, g in targets if _hit(t, NO_DEFENDER_APP)]
            expected_fail["TUN-AND-02" if platform == "android" else "TUN-IOS-01"] += missing
            mde = self.uid()
            entries = [self.assignment(mde, k, "required", _target(g), ios=platform == "ios")
                       for k, (t, g) in enumerate(targets) if not _hit(t, NO_DEFENDER_APP)]
            entries.append(self.assignment(mde, len(entries), "required", _target(exclusion_group, exclude=True),
                                           ios=platform == "ios"))
            cur_apps.append(self.app(mde, "Microsoft Defender", kind, DEFENDER, entries))
            tunnel = self.uid()
            before = [self.assignment(tunnel, k, "required", _target(g), ios=platform == "ios")
                      for k, (_, g) in enumerate(targets)]
            base_apps.append(self.app(tunnel, "Microsoft Tunnel", kind, TUNNEL, before))
            after = [self.assignment(tunnel, k, "uninstall" if g in cleaned[platform] else "required", _target(g),
                                     ios=platform == "ios") for k, (_, g) in enumerate(targets)]
            cur_apps.append(self.app(tunnel, "Microsoft Tunnel", kind, TUNNEL, after))
            # Offered where not cleaned up, and baseline targets not covered by an uninstall: always fails
            # unless every pair of the platform is cleaned up.
            key = "TUN-AND-08" if platform == "android" else "TUN-IOS-08"
            expected_fail[key] = [tunnel] if len(cleaned[platform]) < len(targets) else []

        ios_pairs = [i for i in range(pairs) if KINDS[i % len(KINDS)] == "ios"]
        reassigned: list[tuple[str, int, str]] = []  # (app id, pair, when)
        for a in range(n["ios_apps"]):
            aid = self.uid()
            pair = ios_pairs[a % len(ios_pairs)]
            groups_of = [g for g in per_pair[pair]][: 1 + a % 2]
            intent = "required" if a % 3 else "available"
            base_apps.append(self.app(aid, f"Contoso iOS {a:05d}", "iosVppApp" if a % 4 == 0 else "iosStoreApp",
                                      f"com.contoso.ios{a}", [
                                          self.assignment(aid, k, intent, _target(g), standalone_ids[pair], ios=True)
                                          for k, g in enumerate(groups_of)]))
            stays = _hit(a, NOT_REASSIGNED)
            vpn = standalone_ids[pair] if stays else defender_ids[pair]
            cur = dict(base_apps[-1])
            cur["assignments"] = [self.assignment(aid, k, intent, _target(g), vpn, ios=True)
                                  for k, g in enumerate(groups_of)]
            cur_apps.append(cur)
            if stays:
                expected_fail["TUN-IOS-05"].append(aid)
            else:
                minutes = 4 if _hit(a, TOO_SOON) else 12 + a % 30
                reassigned.append((aid, pair, _when(defender_created[pair], minutes)))
                if minutes < 10:
                    expected_fail["TUN-IOS-06"].append(aid)
        for p in range(n["android_apps"]):
            aid = self.uid()
            package = BROWSERS[p] if p < len(BROWSERS) else f"com.vendor.android{p}"
            group = group_ids[(cursor + p) % len(group_ids)]
            app = self.app(aid, f"Android app {p:05d}", "androidManagedStoreApp", package,
                           [self.assignment(aid, 0, "available", _target(group))])
            base_apps.append(app)
            cur_apps.append(app)
        other_kinds = ("win32LobApp", "webApp", "macOSLobApp", "officeSuiteApp", "windowsMobileMSI")
        for o in range(n["apps"] - len(cur_apps)):
            app = self.app(self.uid(), f"Other app {o:05d}", other_kinds[o % len(other_kinds)], None, None)
            base_apps.append(app)
            cur_apps.append(app)

        # Devices, the detected apps (the standalone Tunnel app's devices listed), audit events.
        oses = (("Android", "14", "androidEnterpriseFullyManaged"), ("iOS", "18.1", "appleBulkWithUser"),
                ("Windows", "10.0.22631", "windowsAzureADJoin"), ("Android", "13", "androidEnterpriseCorporateWorkProfile"))
        devices = []
        for d in range(n["devices"]):
            os_name, version, enrollment = oses[d % len(oses)]
            devices.append({
                "id": self.uid(), "deviceName": f"DEV-{d:06d}", "operatingSystem": os_name, "osVersion": version,
                "userPrincipalName": f"user{d % 40_000:05d}@contoso.com", "managedDeviceOwnerType": "company",
                "deviceEnrollmentType": enrollment, "lastSyncDateTime": _when(CURRENT_AT, -(d % 4000)),
                "model": "Pixel 8" if os_name == "Android" else ("iPhone 15" if os_name == "iOS" else "Surface"),
                "manufacturer": "Contoso", "serialNumber": f"SN{d:08d}", "azureADDeviceId": self.uid()})
        keeps = [dev for d, dev in enumerate(devices) if _hit(d, DEVICE_KEEPS_APP) and dev["operatingSystem"] != "Windows"]
        expected_fail["TUN-DEV-01"] = [dev["id"] for dev in keeps]
        detected = [{"id": self.uid(), "displayName": "Microsoft Tunnel", "version": "1.2103.1",
                     "deviceCount": len(keeps), "platform": "androidDeviceAdministrator",
                     "managedDevices": [{k: dev[k] for k in ("id", "deviceName", "operatingSystem")} for dev in keeps]}]
        detected += [{"id": self.uid(), "displayName": f"Detected app {k:05d}", "version": f"{1 + k % 9}.0",
                      "deviceCount": 1 + k % 500, "platform": ("android", "ios", "windows")[k % 3]}
                     for k in range(n["detected_apps"] - 1)]

        events = [self.audit(aid, "Patch MobileAppAssignment", when) for aid, _, when in reassigned]
        noise_ids = [c["id"] for c in others] or group_ids
        activities = ("Patch DeviceConfiguration", "Create ManagedDevice", "Delete MobileApp", "Assign DeviceConfiguration",
                      "Patch ManagedDevice")
        for e in range(max(0, n["audit_events"] - len(events))):
            when = _when("2026-08-01T00:00:00Z", minutes=(e * 7919) % (120 * 24 * 60))
            events.append(self.audit(noise_ids[e % len(noise_ids)], activities[e % len(activities)], when))
        events.sort(key=lambda ev: (ev["activityDateTime"], ev["id"]))

        servers = [[{"id": self.uid(), "displayName": f"tunnel-{s}-{k:02d}",
                     "tunnelServerHealthStatus": "warning" if (s, k) == (SITES - 1, SERVERS_PER_SITE - 1) else "healthy",
                     "lastCheckinDateTime": "2026-11-26T06:59:00Z", "agentImageDigest": "sha256:1f2e",
                     "serverImageDigest": "sha256:3d4c", "deploymentMode": "standaloneRootful"}
                    for k in range(SERVERS_PER_SITE)] for s in range(SITES)]
        expected_fail["TUN-GW-01"] = [servers[-1][-1]["id"]]
        site_docs = [{"id": sites[s], "displayName": f"Site {s}", "description": "", "publicAddress": f"tunnel{s}.contoso.com",
                      "internalNetworkProbeUrl": "https://intranet.contoso.com", "upgradeAutomatically": True,
                      "upgradeAvailable": False, "roleScopeTagIds": ["0"],
                      "microsoftTunnelConfiguration": {"id": configuration_ids[s]}, "microsoftTunnelServers": servers[s]}
                     for s in range(SITES)]
        configurations = [{"id": configuration_ids[s], "displayName": f"Site {s} server configuration",
                           "description": "", "network": "169.254.0.0/16", "dnsServers": ["10.0.0.4"],
                           "defaultDomainSuffix": "contoso.com", "routeIncludes": ["10.0.0.0/8"], "routeExcludes": [],
                           "splitDNS": ["contoso.com"], "listenPort": 443, "disableUdpConnections": False,
                           "advancedSettings": [], "lastUpdateDateTime": "2026-09-01T10:00:00Z", "roleScopeTagIds": ["0"]}
                          for s in range(SITES)]

        def document(profiles: list[Any], apps: list[Any], audit: list[Any], recorded_at: str) -> dict[str, Any]:
            return {
                "tunnelcheck_snapshot": 1, "recorded_at": recorded_at, "tenant_id": "5e5e5e5e-0000-4000-8000-%012d" % self.seed,
                "cloud": "global", "source": f"tunnelcheck synth --size {self.size} --seed {self.seed}",
                "resources": {
                    "deviceManagement/deviceConfigurations": profiles,
                    "deviceAppManagement/mobileApps": apps,
                    "deviceManagement/microsoftTunnelSites": site_docs,
                    "deviceManagement/microsoftTunnelConfigurations": configurations,
                    "groups": groups,
                    "deviceManagement/managedDevices": devices,
                    "deviceManagement/detectedApps": detected,
                    "deviceManagement/auditEvents": audit,
                },
                "provenance": {},
            }

        current = document(cur_profiles, cur_apps, events, CURRENT_AT)
        baseline = document(base_profiles, base_apps, [e for e in events if e["activityDateTime"] < BASELINE_AT],
                            BASELINE_AT)
        expected = {check: ("failed" if ids else "passed", frozenset(ids)) for check, ids in expected_fail.items()}
        expected["TUN-AND-01"] = ("passed", frozenset())
        counts = {key: len(items) for key, items in current["resources"].items()}
        return Synthetic(self.size, self.seed, current, baseline, expected, counts)

    def audit(self, resource_id: str, activity_type: str, when: str) -> dict[str, Any]:
        return {"id": self.uid(), "displayName": activity_type, "activity": activity_type, "activityType": activity_type,
                "activityDateTime": when, "activityOperationType": activity_type.split()[0], "activityResult": "Success",
                "category": "Application" if "App" in activity_type else "DeviceConfiguration",
                "componentName": "MobileAppManagement", "correlationId": self.uid(),
                "actor": {"userPrincipalName": "admin@contoso.onmicrosoft.com", "type": "ItPro",
                          "applicationDisplayName": "Microsoft Intune portal extension"},
                "resources": [{"resourceId": resource_id, "displayName": resource_id, "type": "resource",
                               "auditResourceType": activity_type.split()[-1], "modifiedProperties": []}]}


def generate(size: str, seed: int = 1) -> Synthetic:
    """The synthetic tenant of ``size`` (S, M, L, XL) for ``seed``."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} (expected one of {', '.join(SIZES)})")
    return _Builder(size, seed).build()


# ---------------------------------------------------------------------------------------------------
# tunnelcheck synth


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", choices=list(SIZES), default="S",
                        help="S, M, L or XL (XL: 100,000 devices, 20,000 apps; S, M, L: 1/100, 1/10, 1/3)")
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same file (default: 1)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the current tenant's snapshot (.json or .json.gz)")
    parser.add_argument("--baseline", metavar="FILE", help="also write its pre-migration baseline snapshot here")


def run(args: argparse.Namespace) -> int:
    from . import snapshot

    tenant = generate(args.size, args.seed)
    digest = snapshot.write(args.output, tenant.current)
    print(f"{args.output}: size {args.size}, seed {args.seed}, sha256 {digest}")
    print("  " + ", ".join(f"{key.split('/')[-1]} {n:,}" for key, n in tenant.counts.items()))
    if args.baseline:
        print(f"{args.baseline}: baseline, sha256 {snapshot.write(args.baseline, tenant.baseline)}")
    return 0
