"""Phase drift: TUN-DRIFT-01, TUN-DRIFT-02 (docs/checks.md), one example per clause."""

from __future__ import annotations

import argparse
import copy
import re
from typing import Any

import pytest
from tunnelcheck.checks.drift import app_deployments_unchanged as DRIFT_02
from tunnelcheck.checks.drift import profiles_unchanged as DRIFT_01

from tunnelcheck.check import Check, Finding, Phase, Platform
from tunnelcheck.cli.accept import add_accept_arguments
from tunnelcheck.config import AppIds, MigrationConfig
from tunnelcheck.model.resources import Resource
from tunnelcheck.testing import (
    DEFENDER,
    STANDALONE,
    Case,
    android_profile,
    app,
    available,
    defender_app,
    exclusion,
    group,
    group_target,
    ios_profile,
    params,
    required,
    should_error,
    should_fail,
    should_pass,
    should_skip,
    standalone_app,
    status_overview,
    tenant,
    uninstall,
)

G1, G2 = group_target("g1"), group_target("g2")
GROUPS = [group("g1", "SG-One"), group("g2", "SG-Two")]


def std(*targets: dict, **extra: Any) -> dict:
    """The Android standalone profile; ``extra`` overrides its properties."""
    return android_profile(**{"profile_id": "p-std", "connection": STANDALONE, "targets": targets,
                              "name": "Tunnel AE (standalone)", "custom": {"vpn": "1"}, "version": 1,
                              "lastModifiedDateTime": "2026-01-01T00:00:00Z",
                              "deviceStatusOverview": status_overview(10), **extra})


def mde(*targets: dict, **extra: Any) -> dict:
    """The iOS Defender profile; ``extra`` overrides its properties."""
    return ios_profile(**{"profile_id": "p-mde", "connection": DEFENDER, "targets": targets,
                          "name": "Tunnel iOS (Defender)", "custom": {"TunnelOnly": "true"}, **extra})


def profiles(*items: dict) -> object:
    return tenant(profiles=[copy.deepcopy(i) for i in items], groups=GROUPS)


PROFILES = profiles(std(G1, G2), mde(G1))

DRIFT_01_CASES = [
    should_skip("no baseline", PROFILES, "--baseline"),
    should_pass("unchanged", profiles(std(G1, G2), mde(G1)), baseline=PROFILES),
    should_pass("no Tunnel profile then or now", profiles(), baseline=profiles()),
    should_pass("lastModifiedDateTime, version and status overview are ignored",
                profiles(std(G1, G2, lastModifiedDateTime="2027-01-01T00:00:00Z", version=7,
                             deviceStatusOverview=status_overview(3, error=4)), mde(G1)), baseline=PROFILES),
    should_pass("assignment targets reordered", profiles(std(G2, G1), mde(G1)), baseline=PROFILES),
    should_pass("other VPN profiles are not Tunnel profiles",
                profiles(std(G1, G2), mde(G1), ios_profile("p-web", connection="customVpn", targets=[G2])),
                baseline=profiles(std(G1, G2), mde(G1), ios_profile("p-web", connection="customVpn"))),
    should_fail("profile added", profiles(std(G1, G2), mde(G1), mde(G2, profile_id="p-mde-2")), "p-mde-2",
                baseline=PROFILES, reason="1 Tunnel profile differs from the baseline: added Tunnel iOS (Defender)"),
    should_fail("every object is named by what happened to it",
                profiles(std(G1, G2, alwaysOn=True, connectionType=DEFENDER),
                         mde(G2, profile_id="p-mde-2", name="Tunnel iOS 2"),
                         mde(G1, profile_id="p-mde-3", name="Tunnel iOS 3")),
                "p-std", "p-mde", "p-mde-2", "p-mde-3", baseline=PROFILES,
                reason="4 Tunnel profiles differ from the baseline: added Tunnel iOS 2 and Tunnel iOS 3; removed "
                "Tunnel iOS (Defender); changed Tunnel AE (standalone) (alwaysOn and connectionType)"),
    should_fail("profile removed", profiles(mde(G1)), "p-std", baseline=PROFILES),
    should_fail("property changed", profiles(std(G1, G2), mde(G1, custom={"TunnelOnly": "false"})), "p-mde",
                baseline=PROFILES),
    should_fail("connection type changed", profiles(std(G1, G2, connectionType=DEFENDER), mde(G1)), "p-std",
                baseline=PROFILES),
    should_fail("target added", profiles(std(G1, G2), mde(G1, G2)), "p-mde", baseline=PROFILES,
                reason="1 Tunnel profile differs from the baseline: changed Tunnel iOS (Defender) (assignments)"),
    should_fail("target removed", profiles(std(G1), mde(G1)), "p-std", baseline=PROFILES),
    should_fail("exclusion added", profiles(std(G1, G2, exclusion("g3")), mde(G1)), "p-std", baseline=PROFILES),
    should_fail("include became exclusion", profiles(std(G1, exclusion("g2")), mde(G1)), "p-std",
                baseline=PROFILES),
    should_error("profiles not recorded", tenant(groups=GROUPS), Resource.DEVICE_CONFIGURATIONS, baseline=PROFILES),
    should_error("baseline profiles not recorded", PROFILES, Resource.DEVICE_CONFIGURATIONS,
                 baseline=tenant(groups=GROUPS)),
]


def deployments(*items: dict) -> object:
    return tenant(apps=[copy.deepcopy(i) for i in items], groups=GROUPS)


def mde_app(*assignments: dict, **extra: Any) -> dict:
    return {**defender_app("android", *assignments), "isAssigned": True, **extra}


def tunnel_app(*assignments: dict) -> dict:
    return standalone_app("ios", *assignments)


def crm(*assignments: dict, **extra: Any) -> dict:
    return app("app-crm", "ios-vpp", "com.contoso.crm", name="Contoso CRM", assignments=assignments, **extra)


def chrome(*assignments: dict) -> dict:
    return app("app-chrome", "android", "com.android.chrome", assignments=assignments)


APP_ITEMS = [mde_app(required(G1)), tunnel_app(required(G1), available(G2)),
             crm(required(G1, vpn="p-std"), available(G2), usedLicenseCount=5), chrome(available(G1))]
APPS = deployments(*APP_ITEMS)

DRIFT_02_CASES = [
    should_skip("no baseline", APPS, "--baseline"),
    should_pass("unchanged", deployments(mde_app(required(G1)), tunnel_app(required(G1), available(G2)),
                                         crm(required(G1, vpn="p-std"), available(G2)), chrome(available(G1))),
                baseline=APPS),
    should_pass("no Tunnel app then or now", deployments(), baseline=deployments()),
    should_pass("isAssigned and license counts are ignored",
                deployments(mde_app(required(G1), isAssigned=False), tunnel_app(required(G1), available(G2)),
                            crm(required(G1, vpn="p-std"), available(G2), usedLicenseCount=9, totalLicenseCount=20),
                            chrome(available(G1))), baseline=APPS),
    should_pass("assignments reordered", deployments(mde_app(required(G1)), tunnel_app(available(G2), required(G1)),
                                                     crm(available(G2), required(G1, vpn="p-std")),
                                                     chrome(available(G1))), baseline=APPS),
    should_pass("other apps' assignments without per-app VPN are not compared",
                deployments(mde_app(required(G1)), tunnel_app(required(G1), available(G2)),
                            crm(required(G1, vpn="p-std"), required(G2)), chrome(required(G1), available(G2))),
                baseline=APPS),
    should_fail("Defender app assigned to one more group",
                deployments(mde_app(required(G1), required(G2)), tunnel_app(required(G1), available(G2)),
                            crm(required(G1, vpn="p-std"), available(G2)), chrome(available(G1))),
                "app-android-mde", baseline=APPS,
                reason="1 app differs from the baseline: changed app-android-mde (assignments)"),
    should_fail("standalone app set to uninstall",
                deployments(mde_app(required(G1)), tunnel_app(uninstall(G1), uninstall(G2)),
                            crm(required(G1, vpn="p-std"), available(G2)), chrome(available(G1))),
                "app-ios-tunnel", baseline=APPS),
    should_fail("Defender app removed", deployments(tunnel_app(required(G1), available(G2)),
                                                    crm(required(G1, vpn="p-std"), available(G2)),
                                                    chrome(available(G1))), "app-android-mde", baseline=APPS),
    should_fail("Defender app added", APPS, "app-android-mde",
                baseline=deployments(tunnel_app(required(G1), available(G2)),
                                     crm(required(G1, vpn="p-std"), available(G2)), chrome(available(G1)))),
    should_fail("per-app VPN moved to the Defender profile",
                deployments(mde_app(required(G1)), tunnel_app(required(G1), available(G2)),
                            crm(required(G1, vpn="p-mde"), available(G2)), chrome(available(G1))),
                "app-crm", baseline=APPS),
    should_fail("per-app VPN added to another app",
                deployments(mde_app(required(G1)), tunnel_app(required(G1), available(G2)),
                            crm(required(G1, vpn="p-std"), available(G2)), chrome(available(G1, vpn="p-std"))),
                "app-chrome", baseline=APPS),
    should_fail("two apps of one name are told apart by their ids",
                deployments(mde_app(required(G1)), {**defender_app("ios", required(G1)), "displayName": "Defender"},
                            {**mde_app(required(G2), id="app-android-mde-2"), "displayName": "Defender"}),
                "app-ios-mde", "app-android-mde-2", baseline=deployments(mde_app(required(G1))),
                reason="2 apps differ from the baseline: added Defender (app-android-mde-2) and Defender "
                "(app-ios-mde)"),
    should_fail("apps counted and named by what happened to them",
                deployments(tunnel_app(uninstall(G1), uninstall(G2)), crm(required(G1, vpn="p-mde"), available(G2)),
                            chrome(available(G1))),
                "app-android-mde", "app-ios-tunnel", "app-crm", baseline=APPS,
                reason="3 apps differ from the baseline: removed app-android-mde; changed app-ios-tunnel "
                "(assignments) and Contoso CRM (assignments)"),
    should_fail("per-app VPN assignment removed",
                deployments(mde_app(required(G1)), tunnel_app(required(G1), available(G2)), crm(available(G2)),
                            chrome(available(G1))), "app-crm", baseline=APPS),
    should_error("apps not recorded", tenant(groups=GROUPS), Resource.MOBILE_APPS, baseline=APPS),
]

CHROME_IS_DEFENDER = MigrationConfig(defender_app_ids=AppIds(android="com.android.chrome", ios="com.microsoft.scmx"))
DRIFT_02_CASES += [
    should_fail("configured Defender app id", deployments(chrome(available(G1), required(G2))), "app-chrome",
                baseline=deployments(chrome(available(G1))), config=CHROME_IS_DEFENDER),
    should_pass("the default ids ignore that app", deployments(chrome(available(G1), required(G2))),
                baseline=deployments(chrome(available(G1)))),
]

CASES: dict[Check, list[Case]] = {DRIFT_01: DRIFT_01_CASES, DRIFT_02: DRIFT_02_CASES}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_drift(check: Check, case: Case) -> None:
    case.verify(check)


# ---------------------------------------------------------------------------------------------------
# Metadata and evidence


def test_metadata() -> None:
    for check in (DRIFT_01, DRIFT_02):
        assert (check.phase, check.platform) == (Phase.DRIFT, Platform.TENANT)
        assert "--baseline" in check.remediation and "accepted baseline" in check.remediation


def test_the_remediation_names_the_accept_command_as_it_parses() -> None:
    """Accepting an intended change is `tunnelcheck accept` (README "Nightly drift"): the command the
    remediation writes is one the CLI takes."""
    for check in (DRIFT_01, DRIFT_02):
        command = re.search(r"tunnelcheck accept ([A-Z]+ --baseline [A-Z]+ --sha256 [A-Z]+)", check.remediation)
        assert command is not None, check.remediation
        args = add_accept_arguments(argparse.ArgumentParser()).parse_args(command.group(1).split())
        assert (args.snapshot, args.baseline, args.expected_sha256) == ("SNAPSHOT", "BASELINE", "DIGEST")


def failures(case: Case, check: Check) -> list[tuple[str, str, str, str | None, str]]:
    return sorted((f.object_type, f.object_id, f.property, f.baseline, f.value)
                  for f in case.verify(check).evidence if not f.ok)


def test_drift01_evidence_is_the_difference() -> None:
    current = profiles(std(G1, connectionType=DEFENDER), mde(G1, profile_id="p-new"))
    assert failures(should_fail("", current, "p-std", "p-mde", "p-new", baseline=PROFILES), DRIFT_01) == [
        ("profile", "p-mde", "(object)", "present", "removed"),
        ("profile", "p-mde", "assignments[group SG-One (g1)]", "assigned", "(absent)"),
        ("profile", "p-new", "(object)", "absent", "added"),
        ("profile", "p-new", "assignments[group SG-One (g1)]", "(absent)", "assigned"),
        ("profile", "p-std", "assignments[group SG-Two (g2)]", "assigned", "(absent)"),
        ("profile", "p-std", "connectionType", STANDALONE, DEFENDER),
    ]


def test_drift01_set_like_list_change_names_items() -> None:
    current = profiles(std(G1, G2, custom={"vpn": "0"}), mde(G1))
    [row] = [f for f in should_fail("", current, "p-std", baseline=PROFILES).verify(DRIFT_01).evidence if not f.ok]
    assert (row.property, row.baseline, row.value, row.note) == (
        "customData", "[vpn=1]", "[vpn=0]", "added vpn=0; removed vpn=1")


def test_drift01_unchanged_profiles_are_listed_as_inspected() -> None:
    verdict = should_pass("", PROFILES, baseline=PROFILES).verify(DRIFT_01)
    assert [(f.object_id, f.object_name, f.value, f.ok) for f in verdict.evidence] == [
        ("p-std", "Tunnel AE (standalone)", "unchanged", True), ("p-mde", "Tunnel iOS (Defender)", "unchanged", True)]


def test_drift02_evidence_names_groups_and_profiles() -> None:
    current = deployments(mde_app(required(G1)), tunnel_app(uninstall(G1), available(G2)),
                          crm(required(G1, vpn="p-mde"), available(G2)), chrome(available(G1)))
    baseline = tenant(apps=copy.deepcopy(APP_ITEMS), groups=GROUPS, profiles=[std(G1, G2), mde(G1)])
    rows: list[Finding] = [f for f in should_fail("", current, "app-crm", "app-ios-tunnel", baseline=baseline)
                           .verify(DRIFT_02).evidence if not f.ok]
    assert sorted((f.object_id, f.property, f.baseline, f.value) for f in rows) == [
        ("app-crm", "assignments[group SG-One (g1)].settings.vpnConfigurationId",
         "Tunnel AE (standalone) (p-std)", "Tunnel iOS (Defender) (p-mde)"),
        ("app-ios-tunnel", "assignments[group SG-One (g1)].intent", "required", "uninstall"),
    ]
