"""The snapshot diff engine (tunnelcheck.drift, tunnelcheck.diff) and ``tunnelcheck diff``.

The one rule under test: report every change the Tunnel migration depends on, and nothing that did not
change (volatile fields, reordered set-like lists, Graph's bookkeeping ids).
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tunnelcheck.cli.diff import add_diff_arguments, run_diff
from tunnelcheck.config import AppIds, MigrationConfig
from tunnelcheck.diff import changes
from tunnelcheck.drift import TenantDiff, tenant_diff
from tunnelcheck.errors import DataUnavailable
from tunnelcheck.model.resources import Resource
from tunnelcheck.sources import snapshot
from tunnelcheck.tenant import Tenant
from tunnelcheck.testing import (
    DEFENDER,
    STANDALONE,
    android_profile,
    app,
    available,
    configuration,
    defender_app,
    exclusion,
    group,
    group_target,
    ios_profile,
    required,
    server,
    site,
    snapshot_document,
    standalone_app,
    status_overview,
    tenant,
    tunnel_configuration,
    uninstall,
)

G1, G2, G3 = group_target("g1"), group_target("g2"), group_target("g3")
DEFAULTS = MigrationConfig()
RULE_1 = {"action": "connect", "domains": ["a.contoso.com", "b.contoso.com"], "domainAction": "connectIfNeeded"}
RULE_2 = {"action": "disconnect", "ssids": ["Contoso-Office", "Contoso-Guest"]}


def raw_world() -> dict[str, list[Any]]:
    """A small tenant mid-migration, as raw Graph objects, keyed by ``tenant()`` argument."""
    return {
        "profiles": [
            android_profile(
                "p-and", connection=STANDALONE, targets=[G1, G2, exclusion("g3")], name="Tunnel AE (standalone)",
                custom={"defendertoggle": "0", "vpn": "1"}, custom_kv={"antiphishing": "0"},
                targetedPackageIds=["com.contoso.crm", "com.microsoft.emmx"], microsoftTunnelSiteId="s1",
                proxyServer={"address": "proxy.contoso.com", "port": 8080}, lastModifiedDateTime="2026-01-01T00:00:00Z",
                version=3, createdDateTime="2025-01-01T00:00:00Z", roleScopeTagIds=["0", "7"],
                servers=[{"address": "a:443", "isDefaultServer": True}, {"address": "b:443", "isDefaultServer": False}],
                deviceStatusOverview=status_overview(40)),
            ios_profile(
                "p-ios", connection=DEFENDER, targets=[G1], name="Tunnel iOS (Defender)", microsoftTunnelSiteId="s1",
                custom={"TunnelOnly": "true"}, associatedDomains=["contoso.com", "contoso.net"],
                safariDomains=["intranet.contoso.com"], onDemandRules=[RULE_1, RULE_2], version=2,
                deviceStatusOverview=status_overview(25)),
            ios_profile("p-other", connection="customVpn", targets=[G1], name="MDE web protection",
                        identifier="com.microsoft.scmx"),
            configuration("p-win", name="Windows baseline"),
        ],
        "apps": [
            defender_app("android", required(G1), required(exclusion("g3"))),
            standalone_app("ios", required(G1), required(G2)),
            app("app-crm", "ios-store", "com.contoso.crm", name="Contoso CRM",
                assignments=[available(G1, vpn="p-ios"), required(G2)], isAssigned=True, usedLicenseCount=3,
                totalLicenseCount=10),
            app("app-chrome", "android", "com.android.chrome", name="Chrome", assignments=[available(G1)]),
        ],
        "groups": [group("g1", "SG-One"), group("g2", "SG-Two"), group("g3", "SG-Excluded")],
        "sites": [site("s1", server("srv-1"), server("srv-2"), name="Contoso-EU")],
        "tunnel_configurations": [tunnel_configuration(
            "cfg-1", name="EU servers", routeIncludes=["10.0.0.0/8", "172.16.0.0/12"],
            dnsServers=["10.0.0.4", "10.0.0.5"])],
    }


def as_tenant(raw: dict[str, list[Any]], label: str = "test") -> Tenant:
    return tenant(**copy.deepcopy(raw), label=label)


def obj(raw: dict[str, list[Any]], key: str, object_id: str) -> dict[str, Any]:
    return next(o for o in raw[key] if o["id"] == object_id)


def diff_after(mutate: Callable[[dict[str, list[Any]]], object], config: MigrationConfig = DEFAULTS) -> TenantDiff:
    before = raw_world()
    after = copy.deepcopy(before)
    mutate(after)
    return tenant_diff(as_tenant(before, "old"), as_tenant(after, "new"), config)


def rows(result: TenantDiff) -> set[tuple[str, str, str]]:
    """(object id, status, property path) of every change; (id, status, "") for an object without any."""
    out = set()
    for o in result.objects:
        out |= {(o.id, o.status, c.path) for c in o.changes} or {(o.id, o.status, "")}
    return out


def change(result: TenantDiff, object_id: str, path: str) -> Any:
    [found] = [c for o in result.objects if o.id == object_id for c in o.changes if c.path == path]
    return found


def _set(key: str, object_id: str, **values: Any) -> Callable[[dict[str, list[Any]]], None]:
    return lambda w: obj(w, key, object_id).update(values)


def _server(**values: Any) -> Callable[[dict[str, list[Any]]], None]:
    return lambda w: obj(w, "sites", "s1")["microsoftTunnelServers"][0].update(values)


def _reverse(key: str, object_id: str, prop: str) -> Callable[[dict[str, list[Any]]], None]:
    return lambda w: obj(w, key, object_id)[prop].reverse()


# ---------------------------------------------------------------------------------------------------
# Nothing is reported that did not change


def test_identical_tenants_have_no_drift() -> None:
    result = diff_after(lambda w: None)
    assert not result and result.objects == ()
    assert "no drift" in result.summary


VOLATILE_CHANGES = {
    "profile lastModifiedDateTime": _set("profiles", "p-and", lastModifiedDateTime="2027-02-02T00:00:00Z"),
    "profile version": _set("profiles", "p-and", version=4),
    "profile deviceStatusOverview": _set("profiles", "p-ios", deviceStatusOverview=status_overview(3, error=9)),
    "profile userStatusOverview appears": _set("profiles", "p-ios", userStatusOverview={"successCount": 4}),
    "profile @odata.context / @odata.etag": _set("profiles", "p-and", **{"@odata.context": "x", "@odata.etag": "W/1"}),
    "app isAssigned": _set("apps", "app-crm", isAssigned=False),
    "app usedLicenseCount": _set("apps", "app-crm", usedLicenseCount=9),
    "app totalLicenseCount": _set("apps", "app-crm", totalLicenseCount=50),
    "app assignment id regenerated": lambda w: obj(w, "apps", "app-android-mde")["assignments"][0].update(
        id="new-guid_0_0", sourceId="x"),
    "profile assignment id regenerated": lambda w: obj(w, "profiles", "p-and")["assignments"][0].update(id="zz"),
    "site upgradeAvailable": _set("sites", "s1", upgradeAvailable=True),
    "site servers' check-in": _server(lastCheckinDateTime="2027-03-03T03:03:03Z"),
    "site servers' health": _server(tunnelServerHealthStatus="unhealthy"),
    "site servers come and go": lambda w: obj(w, "sites", "s1")["microsoftTunnelServers"].pop(),
    "server configuration lastUpdateDateTime": _set("tunnel_configurations", "cfg-1",
                                                    lastUpdateDateTime="2027-01-01T00:00:00Z"),
    "absent, null and empty are the same": lambda w: (
        obj(w, "profiles", "p-and").update(description="", proxyExclusionList=[], alwaysOnLockdown=None),
        obj(w, "sites", "s1").update(advancedSettings={}, description=None)),
    "a non-Tunnel profile changed": _set("profiles", "p-other", server={"address": "elsewhere"}),
    "a non-Tunnel app's assignment without per-app VPN": lambda w: obj(w, "apps", "app-chrome")["assignments"].append(
        required(G2)),
    "a per-app VPN app's other assignment": lambda w: obj(w, "apps", "app-crm")["assignments"][1].update(
        intent="available"),
    "group renamed": lambda w: obj(w, "groups", "g1").update(displayName="SG-One-Renamed"),
}


@pytest.mark.parametrize("mutate", VOLATILE_CHANGES.values(), ids=VOLATILE_CHANGES.keys())
def test_volatile_changes_are_not_drift(mutate: Callable[[dict[str, list[Any]]], object]) -> None:
    result = diff_after(mutate)
    assert not result, "\n".join(f"{o.label}: {[c.path for c in o.changes]}" for o in result.objects)


REORDERINGS = {
    "profile assignment targets": _reverse("profiles", "p-and", "assignments"),
    "customData": _reverse("profiles", "p-and", "customData"),
    "targetedPackageIds": _reverse("profiles", "p-and", "targetedPackageIds"),
    "roleScopeTagIds": _reverse("profiles", "p-and", "roleScopeTagIds"),
    "Android VPN servers": _reverse("profiles", "p-and", "servers"),
    "associatedDomains": _reverse("profiles", "p-ios", "associatedDomains"),
    "domains inside an on-demand rule": lambda w: obj(w, "profiles", "p-ios")["onDemandRules"][0]["domains"].reverse(),
    "Defender app assignments": _reverse("apps", "app-android-mde", "assignments"),
    "per-app VPN app assignments": _reverse("apps", "app-crm", "assignments"),
    "server configuration routeIncludes": _reverse("tunnel_configurations", "cfg-1", "routeIncludes"),
    "keys of an object": lambda w: w["profiles"].__setitem__(0, dict(reversed(list(w["profiles"][0].items())))),
    "objects in a collection": lambda w: [w[k].reverse() for k in ("profiles", "apps")],
}


@pytest.mark.parametrize("mutate", REORDERINGS.values(), ids=REORDERINGS.keys())
def test_reordered_set_like_lists_are_not_drift(mutate: Callable[[dict[str, list[Any]]], object]) -> None:
    assert not diff_after(mutate)


@pytest.mark.parametrize(("mutate", "object_id", "path"), [
    (_reverse("profiles", "p-ios", "onDemandRules"), "p-ios", "onDemandRules"),
    (_reverse("tunnel_configurations", "cfg-1", "dnsServers"), "cfg-1", "dnsServers"),
], ids=["onDemandRules (first match wins)", "dnsServers (the first is the primary)"])
def test_ordered_lists_keep_their_order(mutate: Callable[[dict[str, list[Any]]], object], object_id: str,
                                        path: str) -> None:
    result = diff_after(mutate)
    assert rows(result) == {(object_id, "changed", path)}
    found = change(result, object_id, path)
    assert found.old == list(reversed(found.new))
    assert not found.added and not found.removed


def test_changes_compares_set_like_lists_as_sets_and_others_whole() -> None:
    old = {"customData": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}], "dnsServers": ["x", "y"],
           "lastModifiedDateTime": "t1"}
    new = {"customData": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}], "dnsServers": ["y", "x"],
           "lastModifiedDateTime": "t2"}
    assert [(c.path, c.old, c.new, c.unordered) for c in changes(old, new)] == [
        ("dnsServers", ["x", "y"], ["y", "x"], False)]


# ---------------------------------------------------------------------------------------------------
# Everything that changed is reported


def test_profile_property_changes_with_paths_and_values() -> None:
    result = diff_after(_set("profiles", "p-and", proxyServer={"address": "proxy.contoso.com", "port": 3128},
                             alwaysOn=True, connectionType=DEFENDER))
    assert rows(result) == {("p-and", "changed", p) for p in ("proxyServer.port", "alwaysOn", "connectionType")}
    port = change(result, "p-and", "proxyServer.port")
    assert (port.old, port.new, port.old_text, port.new_text) == (8080, 3128, "8080", "3128")
    always_on = change(result, "p-and", "alwaysOn")
    assert (always_on.old_text, always_on.new_text) == ("(absent)", "true")
    [profile] = result.objects
    assert (profile.kind, profile.name) == ("Tunnel profile", "Tunnel AE (standalone)")


def test_set_like_list_change_lists_the_items_added_and_removed() -> None:
    def toggle(w: dict[str, list[Any]]) -> None:
        obj(w, "profiles", "p-and")["customData"][0]["value"] = "1"
        obj(w, "profiles", "p-and")["targetedPackageIds"].append("com.android.chrome")

    result = diff_after(toggle)
    custom = change(result, "p-and", "customData")
    assert (custom.added, custom.removed) == (("defendertoggle=1",), ("defendertoggle=0",))
    assert custom.text == "added defendertoggle=1; removed defendertoggle=0"
    packages = change(result, "p-and", "targetedPackageIds")
    assert (packages.added, packages.removed) == (("com.android.chrome",), ())


def test_profile_assignment_targets_added_removed_and_changed() -> None:
    def reassign(w: dict[str, list[Any]]) -> None:
        profile = obj(w, "profiles", "p-and")
        profile["assignments"] = [a for a in profile["assignments"] if a["target"].get("groupId") != "g2"]
        profile["assignments"].append({"id": "x", "intent": "apply", "target": {
            **group_target("g3"), "deviceAndAppManagementAssignmentFilterId": "f1",
            "deviceAndAppManagementAssignmentFilterType": "include"}})
        first = profile["assignments"][0]
        first["target"] = {**first["target"], "deviceAndAppManagementAssignmentFilterId": "f2"}

    result = diff_after(reassign)
    assert rows(result) == {
        ("p-and", "changed", "assignments[group SG-Two (g2)]"),
        ("p-and", "changed", "assignments[group SG-Excluded (g3)]"),
        ("p-and", "changed", "assignments[group SG-One (g1)].target.deviceAndAppManagementAssignmentFilterId"),
    }
    removed = change(result, "p-and", "assignments[group SG-Two (g2)]")
    assert (removed.old_text, removed.new_text) == ("assigned", "(absent)")
    added = change(result, "p-and", "assignments[group SG-Excluded (g3)]")
    assert (added.old_text, added.new_text) == ("(absent)", "assigned, filter include f1")


def test_exclusion_is_a_target_of_its_own() -> None:
    result = diff_after(lambda w: obj(w, "profiles", "p-ios")["assignments"].append(
        {"id": "e", "intent": "apply", "target": exclusion("g2")}))
    assert rows(result) == {("p-ios", "changed", "assignments[excluded group SG-Two (g2)]")}


def test_profiles_added_and_removed_list_their_assignments() -> None:
    def swap(w: dict[str, list[Any]]) -> None:
        w["profiles"] = [p for p in w["profiles"] if p["id"] != "p-and"]
        w["profiles"].append(android_profile("p-new", connection=DEFENDER, targets=[G2], name="Tunnel AE (Defender)"))

    result = diff_after(swap)
    assert rows(result) == {("p-and", "removed", f"assignments[{t}]") for t in (
        "group SG-One (g1)", "group SG-Two (g2)", "excluded group SG-Excluded (g3)")} | {
        ("p-new", "added", "assignments[group SG-Two (g2)]")}
    assert result.count("added") == 1 and result.count("removed") == 1 and result.count("changed") == 0


def test_a_profile_that_stops_being_a_tunnel_profile_is_removed_with_a_note() -> None:
    result = diff_after(_set("profiles", "p-ios", connectionType="customVpn"))
    [removed] = result.objects
    assert (removed.id, removed.status, removed.note) == (
        "p-ios", "removed", "still exists, but is no longer a Tunnel profile")


def test_tunnel_app_assignments() -> None:
    def migrate(w: dict[str, list[Any]]) -> None:
        obj(w, "apps", "app-ios-tunnel")["assignments"] = [uninstall(G1)]
        obj(w, "apps", "app-android-mde")["assignments"].append(required(G2))

    result = diff_after(migrate)
    assert rows(result) == {
        ("app-ios-tunnel", "changed", "assignments[group SG-One (g1)].intent"),
        ("app-ios-tunnel", "changed", "assignments[group SG-Two (g2)]"),
        ("app-android-mde", "changed", "assignments[group SG-Two (g2)]"),
    }
    intent = change(result, "app-ios-tunnel", "assignments[group SG-One (g1)].intent")
    assert (intent.old_text, intent.new_text) == ("required", "uninstall")
    notes = {o.id: o.note for o in result.objects}
    assert notes == {"app-ios-tunnel": "standalone Tunnel app (ios)", "app-android-mde": "Defender app (android)"}


def test_tunnel_apps_added_and_removed() -> None:
    def swap(w: dict[str, list[Any]]) -> None:
        w["apps"] = [a for a in w["apps"] if a["id"] != "app-android-mde"]
        w["apps"].append(defender_app("ios", required(G1)))

    result = diff_after(swap)
    assert rows(result) == {
        ("app-android-mde", "removed", "assignments[group SG-One (g1)]"),
        ("app-android-mde", "removed", "assignments[excluded group SG-Excluded (g3)]"),
        ("app-ios-mde", "added", "assignments[group SG-One (g1)]"),
    }


def test_per_app_vpn_links_with_profile_names() -> None:
    def relink(w: dict[str, list[Any]]) -> None:
        obj(w, "apps", "app-crm")["assignments"][0]["settings"]["vpnConfigurationId"] = "p-and"
        obj(w, "apps", "app-chrome")["assignments"].append(available(G2, vpn="p-ios"))

    result = diff_after(relink)
    assert rows(result) == {
        ("app-crm", "changed", "assignments[group SG-One (g1)].settings.vpnConfigurationId"),
        ("app-chrome", "changed", "assignments[group SG-Two (g2)]"),
    }
    link = change(result, "app-crm", "assignments[group SG-One (g1)].settings.vpnConfigurationId")
    assert (link.old, link.new) == ("p-ios", "p-and")
    assert (link.old_text, link.new_text) == ("Tunnel iOS (Defender) (p-ios)", "Tunnel AE (standalone) (p-and)")
    added = change(result, "app-chrome", "assignments[group SG-Two (g2)]")
    assert added.new_text == "available, per-app VPN Tunnel iOS (Defender) (p-ios)"


def test_a_per_app_vpn_link_removed_is_drift() -> None:
    result = diff_after(lambda w: obj(w, "apps", "app-crm")["assignments"][0]["settings"].update(
        vpnConfigurationId=None))
    [found] = [c for o in result.objects for c in o.changes]
    assert (found.path, found.old_text, found.new_text) == (
        "assignments[group SG-One (g1)].settings.vpnConfigurationId", "Tunnel iOS (Defender) (p-ios)", "(absent)")


def test_an_app_with_per_app_vpn_removed() -> None:
    result = diff_after(lambda w: w.__setitem__("apps", [a for a in w["apps"] if a["id"] != "app-crm"]))
    assert rows(result) == {("app-crm", "removed", "assignments[group SG-One (g1)]")}


def test_ids_are_shown_with_names() -> None:
    def move(w: dict[str, list[Any]]) -> None:
        w["sites"].append(site("s2", server("srv-9"), name="Contoso-US", configuration_id="cfg-2"))
        w["tunnel_configurations"].append(tunnel_configuration("cfg-2", name="US servers"))
        obj(w, "profiles", "p-and")["microsoftTunnelSiteId"] = "s2"
        obj(w, "sites", "s1")["microsoftTunnelConfiguration"] = {"id": "cfg-2"}

    result = diff_after(move)
    site_id = change(result, "p-and", "microsoftTunnelSiteId")
    assert (site_id.old_text, site_id.new_text) == ("Contoso-EU (s1)", "Contoso-US (s2)")
    cfg = change(result, "s1", "microsoftTunnelConfiguration.id")
    assert (cfg.old_text, cfg.new_text) == ("EU servers (cfg-1)", "US servers (cfg-2)")
    assert {(o.kind, o.label, o.status) for o in result.objects} == {
        ("Tunnel profile", "Tunnel AE (standalone) (p-and)", "changed"),
        ("Tunnel site", "Contoso-EU (s1)", "changed"),
        ("Tunnel site", "Contoso-US (s2)", "added"),
        ("server configuration", "US servers (cfg-2)", "added"),
    }


def test_ids_without_a_recorded_name_are_shown_as_ids() -> None:
    before = raw_world()
    after = copy.deepcopy(before)
    obj(after, "profiles", "p-ios")["assignments"].append({"id": "x", "intent": "apply", "target": G3})
    del before["groups"], after["groups"]
    result = tenant_diff(as_tenant(before), as_tenant(after), MigrationConfig())
    assert rows(result) == {("p-ios", "changed", "assignments[group g3]")}


def test_gateway_settings_changed() -> None:
    result = diff_after(lambda w: (obj(w, "tunnel_configurations", "cfg-1").update(listenPort=8443),
                                   obj(w, "sites", "s1").update(publicAddress="vpn2.contoso.com")))
    assert rows(result) == {("cfg-1", "changed", "listenPort"), ("s1", "changed", "publicAddress")}


def test_configured_app_ids_pick_the_tunnel_apps() -> None:
    custom = MigrationConfig(defender_app_ids=AppIds(android="com.android.chrome", ios="com.microsoft.scmx"))
    mutate = lambda w: obj(w, "apps", "app-chrome")["assignments"].append(required(G2))
    assert not diff_after(mutate)
    result = diff_after(mutate, custom)
    assert rows(result) == {("app-chrome", "changed", "assignments[group SG-Two (g2)]")}
    assert result.objects[0].note == "Defender app (android)"


def test_a_resource_not_recorded_is_an_error_never_no_drift() -> None:
    before = raw_world()
    after = copy.deepcopy(before)
    del after["sites"]
    with pytest.raises(DataUnavailable) as raised:
        tenant_diff(as_tenant(before), as_tenant(after), MigrationConfig())
    assert Resource.TUNNEL_SITES.value in str(raised.value)


# ---------------------------------------------------------------------------------------------------
# The demo: exactly the changes tools/build_demo.py makes between baseline() and current()

DEMO_GROUPS = {"sales": "SG-Tunnel-Android-Sales (00000001-1111-4a2b-8c3d-672d616e642d)",
               "field": "SG-Tunnel-Android-Field (00000002-1111-4a2b-8c3d-672d616e642d)",
               "byod": "SG-Tunnel-Android-BYOD (00000003-1111-4a2b-8c3d-672d616e642d)",
               "exec": "SG-Tunnel-iOS-Executives (00000004-1111-4a2b-8c3d-672d696f732d)",
               "fin": "SG-Tunnel-iOS-Finance (00000005-1111-4a2b-8c3d-672d696f732d)",
               "excl": "SG-Tunnel-Pilot-Exclusions (00000006-1111-4a2b-8c3d-672d70696c6f)"}


def demo_file(name: str) -> str:
    return str(resources.files("tunnelcheck.demo") / name)


def test_demo_diff_names_exactly_the_build_demo_changes() -> None:
    old, new = snapshot.load_tenant(demo_file("baseline.json")), snapshot.load_tenant(demo_file("contoso.json"))
    result = tenant_diff(old, new, MigrationConfig())
    g = {k: f"assignments[group {v}]" for k, v in DEMO_GROUPS.items()}
    assert {(o.id, o.status, tuple(sorted((c.path, c.old_text, c.new_text) for c in o.changes)))
            for o in result.objects} == {
        # The Work Profile standalone profile is unassigned.
        ("p-and-wp-std", "changed", ((g["byod"], "assigned", "(absent)"),)),
        # Three Defender profiles are created.
        ("p-and-do-mde", "added", ((g["field"], "(absent)", "assigned"), (g["sales"], "(absent)", "assigned"))),
        ("p-and-wp-mde", "added", ((g["byod"], "(absent)", "assigned"),)),
        ("p-ios-mde", "added", ((g["exec"], "(absent)", "assigned"),)),
        # Android standalone app: required removed, uninstall only for Sales.
        ("app-and-tunnel", "changed", ((g["byod"], "available", "(absent)"), (g["field"], "required", "(absent)"),
                                       (g["sales"] + ".intent", "required", "uninstall"))),
        # Intranet moved to the Defender profile (Expenses still points at the standalone one: no change).
        ("app-ios-intranet", "changed", ((g["exec"] + ".settings.vpnConfigurationId",
                                          "Tunnel - iOS (standalone) (p-ios-std)", "Tunnel - iOS (Defender) (p-ios-mde)"),)),
        # Defender approved and assigned on both platforms.
        ("app-and-mde", "added", ((f"assignments[excluded group {DEMO_GROUPS['excl']}]", "(absent)", "required"),
                                  (g["byod"], "(absent)", "required"), (g["sales"], "(absent)", "required"))),
        ("app-ios-mde", "added", ((g["exec"], "(absent)", "required"), (g["fin"], "(absent)", "required"))),
        # Not listed: a server's health went healthy -> warning (run-time state), recorded_at, audit events.
    }


def test_a_snapshot_compared_with_itself_has_no_drift() -> None:
    assert not tenant_diff(snapshot.load_tenant(demo_file("contoso.json")),
                           snapshot.load_tenant(demo_file("contoso.json")), MigrationConfig())


# ---------------------------------------------------------------------------------------------------
# tunnelcheck diff OLD NEW


def write_snapshot(path: Path, raw: dict[str, list[Any]], *, sealed: bool = True, tenant_id: str = "t-1") -> str:
    doc = snapshot_document(recorded_at="2026-11-26T10:00:00Z", tenant_id=tenant_id, source="tests", **raw)
    if sealed:
        snapshot.write(path, doc)
    else:
        path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    import argparse

    parser = add_diff_arguments(argparse.ArgumentParser(prog="tunnelcheck diff"))
    status = run_diff(parser.parse_args(list(argv)))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    """Two snapshots: the new one moves a per-app VPN link and renames a profile to an HTML snippet."""
    before = raw_world()
    after = copy.deepcopy(before)
    obj(after, "apps", "app-crm")["assignments"][0]["settings"]["vpnConfigurationId"] = "p-and"
    obj(after, "profiles", "p-and")["displayName"] = "<script>alert('x')</script> | pipe"
    return write_snapshot(tmp_path / "old.json", before), write_snapshot(tmp_path / "new.json.gz", after)


def test_exit_0_without_drift(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(files[0], files[0], capsys=capsys)
    assert (status, err) == (0, "")
    assert "no drift" in out


def test_exit_1_with_drift_text(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(*files, capsys=capsys)
    assert (status, err) == (1, "")
    assert "~ app Contoso CRM (app-crm): changed" in out
    assert ("assignments[group SG-One (g1)].settings.vpnConfigurationId: Tunnel iOS (Defender) (p-ios) -> "
            "<script>alert('x')</script> | pipe (p-and)") in out
    assert "~ Tunnel profile <script>alert('x')</script> | pipe (p-and): changed" in out
    assert out.rstrip().endswith("2 objects drifted: 0 added, 0 removed, 2 changed")


def test_json_format(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(*files, "--format", "json", capsys=capsys)
    doc = json.loads(out)
    assert status == 1 and doc["drift"] is True and doc["tunnelcheck_diff"] == 1
    assert doc["summary"] == {"added": 0, "removed": 0, "changed": 2}
    assert doc["old"]["location"] == files[0] and doc["new"]["tenant_id"] == "t-1"
    crm = next(o for o in doc["objects"] if o["id"] == "app-crm")
    assert crm["changes"] == [{
        "path": "assignments[group SG-One (g1)].settings.vpnConfigurationId", "old": "p-ios", "new": "p-and",
        "old_text": "Tunnel iOS (Defender) (p-ios)", "new_text": "<script>alert('x')</script> | pipe (p-and)"}]
    assert json.loads(run(files[0], files[0], "--format", "json", capsys=capsys)[1])["objects"] == []


def test_markdown_format(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(*files, "--format", "markdown", capsys=capsys)
    lines = out.splitlines()
    header = "| change | object type | object | property | baseline | current |"
    assert status == 1 and header in lines
    table = lines[lines.index(header):]
    assert table[1] == "|---|---|---|---|---|---|"
    assert [len(re.split(r"(?<!\\)\|", line)) for line in table[2:]] == [8, 8], table  # 6 cells each
    assert ("| changed | app | Contoso CRM (app-crm) | assignments\\[group SG-One (g1)\\].settings.vpnConfigurationId "
            "| Tunnel iOS (Defender) (p-ios) | &lt;script&gt;alert('x')&lt;/script&gt; \\| pipe (p-and) |") in table
    assert "<script>" not in out


def test_html_format_escapes_everything(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(*files, "--format", "html", capsys=capsys)
    assert status == 1 and out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "<script>" not in out and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    # The same table as the report's drift section (tunnelcheck.reports.drift_table).
    assert '<table class="tc-drift">' in out and out.count('<tr class="tc-drift-changed">') == 2
    assert "<link" not in out and "src=" not in out  # self-contained


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_every_format_says_no_drift(files: tuple[str, str], fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(files[1], files[1], "--format", fmt, capsys=capsys)
    assert status == 0 and ("no drift" in out or '"drift": false' in out)


def test_bad_snapshot_is_one_error_line(files: tuple[str, str], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"tunnelcheck_snapshot": 1, "resources": {"groups": [', encoding="utf-8")
    tampered = tmp_path / "tampered.json"
    doc = json.loads(Path(files[0]).read_text(encoding="utf-8"))
    doc["resources"]["groups"][0]["displayName"] = "edited"
    tampered.write_text(json.dumps(doc), encoding="utf-8")
    for bad, says in ((str(tmp_path / "missing.json"), "cannot read the file"), (str(broken), "not valid JSON"),
                      (str(tampered), "sha256 does not match")):
        status, out, err = run(files[0], bad, capsys=capsys)
        assert (status, out) == (2, "")
        assert err.startswith(f"tunnelcheck: error: {bad}") and says in err and err.count("\n") == 1, err


def test_bad_config_is_one_error_line(files: tuple[str, str], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("migration:\n  defender_app_ids: 3\n", encoding="utf-8")
    status, out, err = run(*files, "--tunnelcheck-config", str(cfg), capsys=capsys)
    assert (status, out) == (2, "") and err.startswith("tunnelcheck: error: ") and err.count("\n") == 1


def test_config_app_ids_are_used(files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = raw_world()
    after = copy.deepcopy(before)
    obj(after, "apps", "app-chrome")["assignments"].append(required(G2))
    old, new = write_snapshot(tmp_path / "a.json", before), write_snapshot(tmp_path / "b.json", after)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("migration:\n  defender_app_ids: {android: com.android.chrome, ios: com.microsoft.scmx}\n",
                   encoding="utf-8")
    assert run(old, new, capsys=capsys)[0] == 0
    status, out, _ = run(old, new, "--tunnelcheck-config", str(cfg), capsys=capsys)
    assert status == 1 and "Chrome (app-chrome): changed [Defender app (android)]" in out


def test_a_missing_resource_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = raw_world()
    after = copy.deepcopy(before)
    del after["tunnel_configurations"]
    status, out, err = run(write_snapshot(tmp_path / "a.json", before), write_snapshot(tmp_path / "b.json", after),
                           capsys=capsys)
    assert (status, out) == (2, "")
    assert Resource.TUNNEL_CONFIGURATIONS.value in err and "not recorded" in err and err.count("\n") == 1


def test_warnings_are_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write_snapshot(tmp_path / "a.json", raw_world(), sealed=False)
    new = write_snapshot(tmp_path / "b.json", raw_world(), tenant_id="t-2")
    status, _, err = run(old, new, capsys=capsys)
    assert status == 0
    assert err.splitlines() == [
        f"tunnelcheck: warning: {old}: no sha256: the snapshot is accepted but cannot be verified",
        "tunnelcheck: warning: OLD and NEW are different tenants (t-1, t-2)",
    ]


def test_as_a_command_no_traceback(tmp_path: Path) -> None:
    demo = [demo_file("baseline.json"), demo_file("contoso.json")]
    done = subprocess.run([sys.executable, "-m", "tunnelcheck.cli", "diff", *demo], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 1 and "8 objects drifted: 5 added, 0 removed, 3 changed" in done.stdout
    done = subprocess.run([sys.executable, "-m", "tunnelcheck.cli", "diff", demo[0], str(tmp_path / "nope.json")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("tunnelcheck: error: ") and "Traceback" not in done.stderr
