"""Synthetic tenants at scale, for benchmarks and scale tests: ``tunnelcheck synth --size XL --seed 1 -o FILE``
(its command line is tunnelcheck/cli/synth.py).

A tenant halfway through the migration, with Graph beta's shapes (built by ``tunnelcheck.testing``) and the
proportions of a large Intune tenant. At XL: 100,000 managed devices, 20,000 mobile apps (5,000 iOS apps
with per-app VPN, 3,000 managed Google Play apps), 3,000 device configurations of which 300 Tunnel profiles
(150 standalone profiles, each with its Defender replacement), 5,000 groups, 50,000 audit events, 3 Tunnel
sites of 4 servers; S, M and L are 1/100, 1/10 and 1/3 of that (sites stay 3 x 4).

Failures are built in at fixed strides, so the verdict of every core check is known from the construction
alone (:attr:`Synthetic.expected`, for ``migration.defender_features: false``), never by running a check.
The same size and seed give the same documents, byte for byte (and so the same sha256).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..testing.graph import (
    DEFENDER,
    NO_FILTER,
    STANDALONE,
    VPN_TYPES,
    Obj,
    app_assignment,
    audit_event,
    configuration_assignments,
    custom_data,
    detected_app,
    device_reference,
    exclusion,
    graph_object,
    group,
    group_target,
    managed_device,
    server,
    site,
    status_overview,
    store_properties,
    tunnel_configuration,
)
from ..testing.tenants import snapshot_document

__all__ = ["SIZES", "Synthetic", "generate"]

SIZES = {"S": 0.01, "M": 0.1, "L": 1 / 3, "XL": 1.0}
#: XL counts.
XL = {"devices": 100_000, "apps": 20_000, "ios_apps": 5_000, "android_apps": 3_000, "configurations": 3_000,
      "tunnel_profiles": 300, "groups": 5_000, "audit_events": 50_000, "detected_apps": 2_000}
SITES, SERVERS_PER_SITE = 3, 4
KINDS = ("ios", "android-device-owner", "android-work-profile", "ios")
LABELS = {"ios": "iOS", "android-device-owner": "AE Fully Managed", "android-work-profile": "AE Work Profile"}
DEFENDER_APP, TUNNEL_APP = "com.microsoft.scmx", "com.microsoft.tunnel"
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

#: The checks whose offending ids the construction knows, in the order they are filled.
FAILING = ("TUN-AND-02", "TUN-IOS-01", "TUN-AND-03", "TUN-IOS-02", "TUN-AND-05", "TUN-IOS-04", "TUN-DEV-02",
           "TUN-AND-07", "TUN-IOS-07", "TUN-IOS-05", "TUN-IOS-06", "TUN-GW-01", "TUN-DEV-01")


def _hit(index: int, stride: tuple[int, int]) -> bool:
    return index % stride[0] == stride[1]


def _on(platform: str, android: str, ios: str) -> str:
    return android if platform == "android" else ios


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


def _target(group_id: str, exclude: bool = False) -> Obj:
    return (exclusion if exclude else group_target)(group_id, filter_type=NO_FILTER)


@dataclass
class _Current:
    """What the current tenant and its baseline hold, built up resource by resource."""

    base_profiles: list[Obj] = field(default_factory=list)
    cur_profiles: list[Obj] = field(default_factory=list)
    base_apps: list[Obj] = field(default_factory=list)
    cur_apps: list[Obj] = field(default_factory=list)
    standalone_ids: list[str] = field(default_factory=list)
    defender_ids: list[str] = field(default_factory=list)
    defender_created: list[str] = field(default_factory=list)
    #: Per platform, the migration targets (a running index over both platforms, the group id).
    targets: dict[str, list[tuple[int, str]]] = field(default_factory=lambda: {"android": [], "ios": []})
    #: Per platform, the groups whose standalone profile is cleaned up.
    cleaned: dict[str, list[str]] = field(default_factory=lambda: {"android": [], "ios": []})
    #: iOS apps reassigned to a Defender profile: (app id, pair, when).
    reassigned: list[tuple[str, int, str]] = field(default_factory=list)


class _Builder:
    """Builds one synthetic tenant. Every random draw (``uid``, ``rng``) happens in a fixed order: the
    same size and seed give the same documents."""

    def __init__(self, size: str, seed: int) -> None:
        self.size, self.seed = size, seed
        self.rng = random.Random(f"tunnelcheck-synth:{size}:{seed}")
        self.n = counts_for(size)
        self.failing: dict[str, list[str]] = {check: [] for check in FAILING}

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- the pieces -------------------------------------------------------------------------------------

    def profile(self, pid: str, name: str, kind: str, connection: str, groups: list[str], created: str,
                site_id: str, custom: dict[str, str], per_app: list[str], domains: list[str],
                overview: Obj) -> Obj:
        common: Obj = {
            "description": "", "createdDateTime": created, "lastModifiedDateTime": created, "version": 2,
            "roleScopeTagIds": ["0"], "connectionName": name, "connectionType": connection,
            "authenticationMethod": "azureAD", "microsoftTunnelSiteId": site_id,
            "proxyServer": {"address": "proxy.contoso.com", "port": 8080, "automaticConfigurationScriptUrl": None},
            "customData": custom_data(custom), "customKeyValueData": [],
            "assignments": configuration_assignments(pid, [_target(g) for g in groups],
                                                     ids=[f"{pid}_{g}" for g in groups]),
            "deviceStatusOverview": overview,
        }
        if kind == "ios":
            return graph_object(
                VPN_TYPES[kind], pid, name, **common, enablePerApp=True, providerType="packetTunnel",
                associatedDomains=domains, excludedDomains=[], safariDomains=[],
                server={"address": "tunnel.contoso.com:443", "isDefaultServer": True},
                onDemandRules=[{"action": "connect", "domains": [], "domainAction": "connectIfNeeded",
                                "interfaceTypeMatch": "notConfigured"}])
        return graph_object(
            VPN_TYPES[kind], pid, name, **common, alwaysOn=True, alwaysOnLockdown=False,
            servers=[{"address": "tunnel.contoso.com:443", "isDefaultServer": True}], targetedPackageIds=per_app,
            targetedMobileApps=[], proxyExclusionList=[])

    @staticmethod
    def app(aid: str, name: str, kind: str, identifier: str | None, assignments: list[Obj] | None) -> Obj:
        embedded = {"assignments": assignments} if assignments is not None else {}
        return graph_object(kind, aid, name, publisher="Contoso", createdDateTime="2025-06-01T09:00:00Z",
                            lastModifiedDateTime="2026-11-20T09:00:00Z", publishingState="published",
                            isAssigned=bool(assignments), **store_properties(kind, identifier), **embedded)

    @staticmethod
    def assignment(aid: str, i: int, intent: str, target: Obj, vpn: str | None = None, ios: bool = False) -> Obj:
        return app_assignment(intent, target, vpn, ios=ios, assignment_id=f"{aid}_{i}")

    def per_app_vpn(self, aid: str, intent: str, groups: list[str], vpn: str) -> list[Obj]:
        """An iOS app's assignments to ``groups``, each with per-app VPN profile ``vpn``."""
        return [self.assignment(aid, k, intent, _target(g), vpn, ios=True) for k, g in enumerate(groups)]

    def audit(self, resource_id: str, activity_type: str, when: str) -> Obj:
        return audit_event(self.uid(), activity_type, when, resource_id, correlation_id=self.uid(),
                           application="Microsoft Intune portal extension",
                           resource_type=activity_type.split()[-1])

    # -- the tenant -------------------------------------------------------------------------------------

    def build(self) -> Synthetic:
        n = self.n
        groups = [group(self.uid(), f"SG-{i:05d}") for i in range(n["groups"])]
        group_ids = [g["id"] for g in groups]
        per_pair, cursor = self.pair_groups(group_ids)
        sites = [self.uid() for _ in range(SITES)]
        configuration_ids = [self.uid() for _ in range(SITES)]
        built = _Current()
        self.tunnel_profiles(built, per_pair, sites)
        others = self.other_configurations(n["configurations"] - 2 * len(per_pair))
        built.base_profiles += others
        built.cur_profiles += others
        self.tunnel_apps(built, exclusion_group=group_ids[-1])
        self.ios_apps(built, per_pair)
        self.other_apps(built, group_ids, cursor)
        devices = self.devices()
        detected = self.detected_apps(devices)
        events = self.audit_events(built, [c["id"] for c in others] or group_ids)
        site_docs, configurations = self.gateway(sites, configuration_ids)

        def document(profiles: list[Any], apps: list[Any], audit: list[Any], recorded_at: str) -> dict[str, Any]:
            return snapshot_document(
                recorded_at=recorded_at, tenant_id=f"5e5e5e5e-0000-4000-8000-{self.seed:012d}",
                source=f"tunnelcheck synth --size {self.size} --seed {self.seed}", profiles=profiles, apps=apps,
                sites=site_docs, tunnel_configurations=configurations, groups=groups, managed_devices=devices,
                detected_apps=detected, audit_events=audit)

        current = document(built.cur_profiles, built.cur_apps, events, CURRENT_AT)
        baseline = document(built.base_profiles, built.base_apps,
                            [e for e in events if e["activityDateTime"] < BASELINE_AT], BASELINE_AT)
        expected = {check: ("failed" if ids else "passed", frozenset(ids)) for check, ids in self.failing.items()}
        expected["TUN-AND-01"] = ("passed", frozenset())
        counts = {key: len(items) for key, items in current["resources"].items()}
        return Synthetic(self.size, self.seed, current, baseline, expected, counts)

    def pair_groups(self, group_ids: list[str]) -> tuple[list[list[str]], int]:
        """Each standalone profile's 2 to 4 groups of its own (its migration targets), and how many of the
        tenant's groups they took."""
        per_pair: list[list[str]] = []
        cursor = 0
        for _ in range(self.n["tunnel_profiles"] // 2):
            k = self.rng.randint(2, 4)
            per_pair.append(group_ids[cursor:cursor + k] if cursor + k <= len(group_ids) else
                            [self.uid() for _ in range(k)])
            cursor += k
        return per_pair, cursor

    def tunnel_profiles(self, built: _Current, per_pair: list[list[str]], sites: list[str]) -> None:
        """Each pair: a standalone profile (in the baseline, and current unless cleaned up) and its Defender
        replacement (current only), with the failures of their strides."""
        for i, std_groups in enumerate(per_pair):
            kind = KINDS[i % len(KINDS)]
            platform = "ios" if kind == "ios" else "android"
            label = LABELS[kind]
            site_id = sites[i % SITES]
            per_app = ["com.contoso.crm", f"com.contoso.app{i}", BROWSERS[i % 2]]
            domains = ["contoso.com", f"app{i}.contoso.com"]
            sid, did = self.uid(), self.uid()
            created_def = _when("2026-11-01T09:00:00Z", minutes=60 * (i % 400))
            built.base_profiles.append(self.profile(
                sid, f"Tunnel {i:03d} - {label} (standalone)", kind, STANDALONE, std_groups, "2024-03-01T08:00:00Z",
                site_id, {}, per_app, domains, status_overview(40)))
            current_std = dict(built.base_profiles[-1])
            if _hit(i, CLEANED_UP):
                current_std["assignments"] = []
                built.cleaned[platform] += std_groups
            else:
                self.failing[_on(platform, "TUN-AND-07", "TUN-IOS-07")].append(sid)
            built.cur_profiles.append(current_std)

            def_groups = std_groups[:-1] if _hit(i, MISSING_TARGET) else list(std_groups)
            if _hit(i, MISSING_TARGET):
                self.failing[_on(platform, "TUN-AND-03", "TUN-IOS-02")].append(std_groups[-1])
            wrong = _hit(i, WRONG_TOGGLE)
            custom = ({"TunnelOnly": "False" if wrong else "True"} if platform == "ios"
                      else {"defendertoggle": "1" if wrong else "0"})
            if wrong:
                self.failing[_on(platform, "TUN-AND-05", "TUN-IOS-04")].append(did)
            errors = 2 if _hit(i, PROFILE_ERRORS) else 0
            if errors:
                self.failing["TUN-DEV-02"].append(did)
            lost = _hit(i, SETTING_LOST)
            built.cur_profiles.append(self.profile(
                did, f"Tunnel {i:03d} - {label} (Defender)", kind, DEFENDER, def_groups, created_def, site_id,
                custom, per_app[:-1] if lost else per_app, domains[:1] if lost else domains,
                status_overview(40, error=errors)))
            built.standalone_ids.append(sid)
            built.defender_ids.append(did)
            built.defender_created.append(created_def)
            for g in std_groups:
                targets = built.targets[platform]
                targets.append((len(built.targets["android"]) + len(built.targets["ios"]), g))

    def other_configurations(self, count: int) -> list[Obj]:
        """Everything a tenant has besides Tunnel (their list shape only)."""
        other_types = ("windows10GeneralConfiguration", "iosGeneralDeviceConfiguration",
                       "androidDeviceOwnerGeneralDeviceConfiguration", "macOSGeneralDeviceConfiguration",
                       "windows10EndpointProtectionConfiguration", "iosVpnConfiguration")
        others = []
        for j in range(count):
            kind = other_types[j % len(other_types)]
            # MDE's own web-protection profile shape: a VPN, not Tunnel.
            vpn = {"connectionType": "customVpn", "identifier": DEFENDER_APP} if kind == "iosVpnConfiguration" else {}
            others.append(graph_object(
                kind, self.uid(), f"Config {j:05d} ({kind})", description="", createdDateTime="2025-01-15T10:00:00Z",
                lastModifiedDateTime="2026-02-01T10:00:00Z", version=1 + j % 5, roleScopeTagIds=["0"], **vpn))
        return others

    def tunnel_apps(self, built: _Current, exclusion_group: str) -> None:
        """The Defender and standalone apps of each platform."""
        for platform in ("android", "ios"):
            kind = _on(platform, "androidManagedStoreApp", "iosStoreApp")
            ios = platform == "ios"
            targets = built.targets[platform]
            self.failing[_on(platform, "TUN-AND-02", "TUN-IOS-01")] += [g for t, g in targets
                                                                         if _hit(t, NO_DEFENDER_APP)]
            mde = self.uid()
            entries = [self.assignment(mde, k, "required", _target(g), ios=ios)
                       for k, (t, g) in enumerate(targets) if not _hit(t, NO_DEFENDER_APP)]
            entries.append(self.assignment(mde, len(entries), "required", _target(exclusion_group, exclude=True),
                                           ios=ios))
            built.cur_apps.append(self.app(mde, "Microsoft Defender", kind, DEFENDER_APP, entries))
            tunnel = self.uid()
            before = [self.assignment(tunnel, k, "required", _target(g), ios=ios) for k, (_, g) in enumerate(targets)]
            built.base_apps.append(self.app(tunnel, "Microsoft Tunnel", kind, TUNNEL_APP, before))
            after = [self.assignment(tunnel, k, "uninstall" if g in built.cleaned[platform] else "required",
                                     _target(g), ios=ios) for k, (_, g) in enumerate(targets)]
            built.cur_apps.append(self.app(tunnel, "Microsoft Tunnel", kind, TUNNEL_APP, after))
            # Offered where not cleaned up, and baseline targets not covered by an uninstall: always fails
            # unless every pair of the platform is cleaned up.
            self.failing[_on(platform, "TUN-AND-08", "TUN-IOS-08")] = (
                [tunnel] if len(built.cleaned[platform]) < len(targets) else [])

    def ios_apps(self, built: _Current, per_pair: list[list[str]]) -> None:
        """iOS apps with per-app VPN: on the standalone profile in the baseline, most moved to the Defender
        profile since."""
        ios_pairs = [i for i in range(len(per_pair)) if KINDS[i % len(KINDS)] == "ios"]
        for a in range(self.n["ios_apps"]):
            aid = self.uid()
            pair = ios_pairs[a % len(ios_pairs)]
            groups_of = per_pair[pair][: 1 + a % 2]
            intent = "required" if a % 3 else "available"
            built.base_apps.append(self.app(
                aid, f"Contoso iOS {a:05d}", "iosVppApp" if a % 4 == 0 else "iosStoreApp", f"com.contoso.ios{a}",
                self.per_app_vpn(aid, intent, groups_of, built.standalone_ids[pair])))
            stays = _hit(a, NOT_REASSIGNED)
            cur = dict(built.base_apps[-1])
            cur["assignments"] = self.per_app_vpn(
                aid, intent, groups_of, built.standalone_ids[pair] if stays else built.defender_ids[pair])
            built.cur_apps.append(cur)
            if stays:
                self.failing["TUN-IOS-05"].append(aid)
            else:
                minutes = 4 if _hit(a, TOO_SOON) else 12 + a % 30
                built.reassigned.append((aid, pair, _when(built.defender_created[pair], minutes)))
                if minutes < 10:
                    self.failing["TUN-IOS-06"].append(aid)

    def other_apps(self, built: _Current, group_ids: list[str], cursor: int) -> None:
        """Managed Google Play apps (the two browsers first), then apps of other platforms."""
        for p in range(self.n["android_apps"]):
            aid = self.uid()
            package = BROWSERS[p] if p < len(BROWSERS) else f"com.vendor.android{p}"
            target = _target(group_ids[(cursor + p) % len(group_ids)])
            android = self.app(aid, f"Android app {p:05d}", "androidManagedStoreApp", package,
                               [self.assignment(aid, 0, "available", target)])
            built.base_apps.append(android)
            built.cur_apps.append(android)
        other_kinds = ("win32LobApp", "webApp", "macOSLobApp", "officeSuiteApp", "windowsMobileMSI")
        for o in range(self.n["apps"] - len(built.cur_apps)):
            other = self.app(self.uid(), f"Other app {o:05d}", other_kinds[o % len(other_kinds)], None, None)
            built.base_apps.append(other)
            built.cur_apps.append(other)

    def devices(self) -> list[Obj]:
        oses = (("Android", "14", "androidEnterpriseFullyManaged"), ("iOS", "18.1", "appleBulkWithUser"),
                ("Windows", "10.0.22631", "windowsAzureADJoin"), ("Android", "13", "androidEnterpriseCorporateWorkProfile"))
        devices = []
        for d in range(self.n["devices"]):
            os_name, version, enrollment = oses[d % len(oses)]
            devices.append(managed_device(
                self.uid(), name=f"DEV-{d:06d}", os=os_name, osVersion=version,
                userPrincipalName=f"user{d % 40_000:05d}@contoso.com", managedDeviceOwnerType="company",
                deviceEnrollmentType=enrollment, lastSyncDateTime=_when(CURRENT_AT, -(d % 4000)),
                model="Pixel 8" if os_name == "Android" else ("iPhone 15" if os_name == "iOS" else "Surface"),
                manufacturer="Contoso", serialNumber=f"SN{d:08d}", azureADDeviceId=self.uid()))
        return devices

    def detected_apps(self, devices: list[Obj]) -> list[Obj]:
        """The standalone Tunnel app, with the devices that still report it listed, and other apps counted."""
        keeps = [dev for d, dev in enumerate(devices)
                 if _hit(d, DEVICE_KEEPS_APP) and dev["operatingSystem"] != "Windows"]
        self.failing["TUN-DEV-01"] = [dev["id"] for dev in keeps]
        tunnel = detected_app(self.uid(), *map(device_reference, keeps), name="Microsoft Tunnel")
        return [tunnel, *(detected_app(self.uid(), name=f"Detected app {k:05d}", version=f"{1 + k % 9}.0",
                                       device_count=1 + k % 500, platform=("android", "ios", "windows")[k % 3],
                                       listed=False)
                          for k in range(self.n["detected_apps"] - 1))]

    def audit_events(self, built: _Current, noise_ids: list[str]) -> list[Obj]:
        """The reassignments of the iOS apps, among unrelated events, in time order."""
        events = [self.audit(aid, "Patch MobileAppAssignment", when) for aid, _, when in built.reassigned]
        activities = ("Patch DeviceConfiguration", "Create ManagedDevice", "Delete MobileApp",
                      "Assign DeviceConfiguration", "Patch ManagedDevice")
        for e in range(max(0, self.n["audit_events"] - len(events))):
            when = _when("2026-08-01T00:00:00Z", minutes=(e * 7919) % (120 * 24 * 60))
            events.append(self.audit(noise_ids[e % len(noise_ids)], activities[e % len(activities)], when))
        events.sort(key=lambda ev: (ev["activityDateTime"], ev["id"]))
        return events

    def gateway(self, sites: list[str], configuration_ids: list[str]) -> tuple[list[Obj], list[Obj]]:
        """The sites with their servers (the last server of the last site unhealthy) and their server
        configurations."""
        servers = [[server(self.uid(), "warning" if (s, k) == (SITES - 1, SERVERS_PER_SITE - 1) else "healthy",
                           name=f"tunnel-{s}-{k:02d}") for k in range(SERVERS_PER_SITE)] for s in range(SITES)]
        self.failing["TUN-GW-01"] = [servers[-1][-1]["id"]]
        site_docs = [site(sites[s], *servers[s], configuration_id=configuration_ids[s], name=f"Site {s}",
                          public_address=f"tunnel{s}.contoso.com") for s in range(SITES)]
        configurations = [tunnel_configuration(configuration_ids[s], name=f"Site {s} server configuration")
                          for s in range(SITES)]
        return site_docs, configurations


def generate(size: str, seed: int = 1) -> Synthetic:
    """The synthetic tenant of ``size`` (S, M, L, XL) for ``seed``."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} (expected one of {', '.join(SIZES)})")
    return _Builder(size, seed).build()

