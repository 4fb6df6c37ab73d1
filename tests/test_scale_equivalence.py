"""The indexed evaluation equals a naive, obviously-correct re-statement of a few rules (docs/checks.md, read
literally: every target against every profile and app, nested loops, no shared helpers) on generated
tenants of size S and M."""

from __future__ import annotations

from typing import Any

import pytest

from tunnelcheck.check import run_check
from tunnelcheck.config import MigrationConfig
from tunnelcheck.registry import Catalog
from tunnelcheck.sources import synth
from tunnelcheck.sources.snapshot import Snapshot, SnapshotSource
from tunnelcheck.tenant import Tenant

G = "#microsoft.graph."
ANDROID = (G + "androidDeviceOwnerVpnConfiguration", G + "androidWorkProfileVpnConfiguration")
IOS = (G + "iosVpnConfiguration", G + "iosikEv2VpnConfiguration")
IOS_APPS = (G + "iosStoreApp", G + "iosVppApp", G + "iosLobApp")
INCLUDE = {G + "groupAssignmentTarget": None, G + "allDevicesAssignmentTarget": "ALL",
           G + "allLicensedUsersAssignmentTarget": "ALL"}


def key(target: dict[str, Any]) -> str | None:
    """The coverage key of an include target, None for anything else."""
    kind = target["@odata.type"]
    if kind not in INCLUDE:
        return None
    return INCLUDE[kind] or target["groupId"]


def covers(targets: list[dict[str, Any]], wanted: str) -> bool:
    excluded = [t["groupId"] for t in targets if t["@odata.type"] == G + "exclusionGroupAssignmentTarget"]
    included = [key(t) for t in targets]
    return wanted not in excluded and (wanted in included or "ALL" in included)


def profiles(doc: dict[str, Any], types: tuple[str, ...], connection: str) -> list[dict[str, Any]]:
    return [p for p in doc["resources"]["deviceManagement/deviceConfigurations"]
            if p["@odata.type"] in types and p.get("connectionType") == connection]


def standalone_targets(doc: dict[str, Any], base: dict[str, Any], types: tuple[str, ...]) -> dict[str, list[str]]:
    """Standalone profile id -> its migration targets (baseline ∪ current include keys)."""
    out: dict[str, list[str]] = {}
    for d in (base, doc):
        for p in profiles(d, types, "microsoftTunnel"):
            for a in p["assignments"]:
                k = key(a["target"])
                if k is not None and k not in out.setdefault(p["id"], []):
                    out[p["id"]].append(k)
    return out


def naive_and_02(doc: dict[str, Any], base: dict[str, Any]) -> set[str]:
    """Android Tunnel targets that no offered assignment of the Android Defender app covers."""
    targets = [k for ks in standalone_targets(doc, base, ANDROID).values() for k in ks]
    for p in profiles(doc, ANDROID, "microsoftProtect"):
        targets += [key(a["target"]) for a in p["assignments"] if key(a["target"])]
    offending = set()
    for target in targets:
        covered = False
        for app in doc["resources"]["deviceAppManagement/mobileApps"]:
            if app["@odata.type"] != G + "androidManagedStoreApp":
                continue
            if "com.microsoft.scmx" not in (app.get("packageId"), app.get("appIdentifier")):
                continue
            offered = [a["target"] for a in app["assignments"]
                       if a["intent"] in ("required", "available", "availableWithoutEnrollment")]
            every = [a["target"] for a in app["assignments"]]
            excluded = [t["groupId"] for t in every if t["@odata.type"] == G + "exclusionGroupAssignmentTarget"]
            if target not in excluded and (target in [key(t) for t in offered] or "ALL" in [key(t) for t in offered]):
                covered = True
        if not covered:
            offending.add(target)
    return offending


def naive_targets_without_profile(doc: dict[str, Any], base: dict[str, Any], types: tuple[str, ...]) -> set[str]:
    """TUN-AND-03 / TUN-IOS-02: migration targets no current Defender profile of the same kind covers."""
    kind_of = {p["id"]: p["@odata.type"] for d in (base, doc) for p in profiles(d, types, "microsoftTunnel")}
    same_kind = (lambda t: t) if types == ANDROID else (lambda t: "ios")  # both iOS types are one kind
    offending = set()
    for profile_id, targets in standalone_targets(doc, base, types).items():
        for target in targets:
            if not any(same_kind(p["@odata.type"]) == same_kind(kind_of[profile_id])
                       and covers([a["target"] for a in p["assignments"]], target)
                       for p in profiles(doc, types, "microsoftProtect")):
                offending.add(target)
    return offending


def naive_ios_05(doc: dict[str, Any], base: dict[str, Any]) -> set[str]:
    """Apps with an assignment on a standalone or missing profile, or a baseline standalone assignment with
    no current one (same target and intent) on an iOS Defender profile."""
    standalone = {p["id"] for d in (doc, base) for p in profiles(d, ANDROID + IOS, "microsoftTunnel")}
    defender = {p["id"] for p in profiles(doc, IOS, "microsoftProtect")}
    existing = {c["id"] for c in doc["resources"]["deviceManagement/deviceConfigurations"]}
    known = (G + "androidManagedStoreApp", *IOS_APPS)
    offending = set()
    for app in doc["resources"]["deviceAppManagement/mobileApps"]:
        for a in app.get("assignments", []) if app["@odata.type"] in known else []:
            vpn = (a.get("settings") or {}).get("vpnConfigurationId")
            if vpn and (vpn in standalone or vpn not in existing):
                offending.add(app["id"])
    for app in base["resources"]["deviceAppManagement/mobileApps"]:
        for a in app.get("assignments", []) if app["@odata.type"] in known else []:
            if (a.get("settings") or {}).get("vpnConfigurationId") not in standalone:
                continue
            now = [b for c in doc["resources"]["deviceAppManagement/mobileApps"] if c["id"] == app["id"]
                   for b in c.get("assignments", [])
                   if b["target"] == a["target"] and b["intent"] == a["intent"]
                   and (b.get("settings") or {}).get("vpnConfigurationId") in defender]
            if not now:
                offending.add(app["id"])
    return offending


def tenant(doc: dict[str, Any], label: str) -> Tenant:
    return Tenant(SnapshotSource(Snapshot(path=f"{label}.json", resources=doc["resources"]), label))


@pytest.mark.parametrize(("size", "seed"), [("S", 11), ("M", 12)])
def test_indexed_evaluation_equals_the_naive_rules(size: str, seed: int) -> None:
    generated = synth.generate(size, seed)
    doc, base = generated.current, generated.baseline
    # Make coverage less regular than the generator's: a Defender profile of each kind for all devices,
    # excluding one migration target; an Android Defender app assignment excluding another.
    _cross_cut(doc)
    checks = Catalog.builtin()
    current, baseline = tenant(doc, "current"), tenant(base, "baseline")
    config = MigrationConfig(defender_features=False)

    def offenders(check_id: str) -> set[str]:
        verdict = run_check(checks[check_id], current, baseline, config)
        return {f.object_id for f in verdict.evidence if not f.ok}

    assert offenders("TUN-AND-02") == naive_and_02(doc, base)
    assert offenders("TUN-AND-03") == naive_targets_without_profile(doc, base, ANDROID)
    assert offenders("TUN-IOS-02") == naive_targets_without_profile(doc, base, IOS)
    assert offenders("TUN-IOS-05") == naive_ios_05(doc, base)
    assert naive_and_02(doc, base) and naive_ios_05(doc, base)  # the comparison is not between empty sets


def _cross_cut(doc: dict[str, Any]) -> None:
    configs = doc["resources"]["deviceManagement/deviceConfigurations"]
    for types in (ANDROID[:1], IOS[:1]):
        standalone = profiles(doc, types, "microsoftTunnel")
        defender = profiles(doc, types, "microsoftProtect")
        first_target = standalone[0]["assignments"][0]["target"] if standalone[0]["assignments"] else None
        blanket = dict(defender[-1], id=f"{defender[-1]['id']}-all", assignments=[
            {"id": "all", "intent": "apply", "target": {"@odata.type": G + "allDevicesAssignmentTarget"}}])
        if first_target:
            blanket["assignments"].append({"id": "ex", "intent": "apply", "target": dict(
                first_target, **{"@odata.type": G + "exclusionGroupAssignmentTarget"})})
        configs.append(blanket)
    apps = doc["resources"]["deviceAppManagement/mobileApps"]
    mde = next(a for a in apps if a["@odata.type"] == G + "androidManagedStoreApp" and a.get("packageId") == "com.microsoft.scmx")
    group = next(a["target"]["groupId"] for a in mde["assignments"] if a["target"]["@odata.type"] == G + "groupAssignmentTarget")
    mde["assignments"] = [*mde["assignments"], {"id": "x", "intent": "uninstall", "settings": None, "target": {
        "@odata.type": G + "exclusionGroupAssignmentTarget", "groupId": group}}]
