"""Objects tunnelcheck cannot classify are never harmless, and the revised catalog terms (docs/terms.md).

Each example here passed (or failed) wrongly before the revision, on data shaped as real tenants and
export tools write it: a configuration without ``@odata.type`` read as "not a Tunnel profile", a
documented-form exclusion target read as an include, a Defender profile made the way Microsoft's Tunnel
test environment makes it read as standalone. Each now gives the verdict docs/terms.md defines; an
unclassifiable object errors the checks whose decision depends on it, naming the object and the property.
"""

from __future__ import annotations

import pytest

from tunnelcheck.check import Check, run_check
from tunnelcheck.config import MigrationConfig
from tunnelcheck.registry import Catalog
from tunnelcheck.tenant import Tenant
from tunnelcheck.testing import (
    DEFENDER,
    MDE_WANTED,
    STANDALONE,
    TUNNEL_ONLY,
    all_devices,
    android_profile,
    app,
    detected_app,
    documented,
    exclusion,
    group_target,
    ios_profile,
    managed_device,
    params,
    protect_mode_profile,
    required,
    should_fail,
    should_pass,
    standalone_app,
    tenant,
    tunnel_configuration,
    uninstall,
)

CATALOG = Catalog.builtin()
AND_02, AND_03, AND_05, AND_06, AND_07, AND_08 = (
    CATALOG[i] for i in ("TUN-AND-02", "TUN-AND-03", "TUN-AND-05", "TUN-AND-06", "TUN-AND-07", "TUN-AND-08"))
IOS_02, IOS_03, IOS_07, IOS_08 = (CATALOG[i] for i in ("TUN-IOS-02", "TUN-IOS-03", "TUN-IOS-07", "TUN-IOS-08"))
GW_04, DEV_01, DEV_02 = (CATALOG[i] for i in ("TUN-GW-04", "TUN-DEV-01", "TUN-DEV-02"))

G1, G2 = group_target("g1"), group_target("g2")


def _without(raw: dict, *keys: str) -> dict:
    return {k: v for k, v in raw.items() if k not in keys}


# -- unclassifiable objects error the checks that depend on them ----------------------------------------

TYPELESS = _without(android_profile("p-untyped", connection=STANDALONE, targets=[G1]), "@odata.type")
NO_CONNECTION = _without(android_profile("p-noconn", targets=[G1]), "connectionType")
NULL_CONNECTION = android_profile("p-nullconn", targets=[G1], connection=None)  # type: ignore[arg-type]
IOS_STD = ios_profile("p-ios-std", targets=[G2])

ERRORS: list[tuple[str, Check, Tenant, str, MigrationConfig]] = [
    # Before: "not a Tunnel profile", so TUN-AND-07 passed although the profile is assigned.
    ("configuration without @odata.type", AND_07, tenant(profiles=[TYPELESS]), "p-untyped: @odata.type is missing",
     MigrationConfig()),
    ("configuration without @odata.type, iOS too", IOS_07, tenant(profiles=[TYPELESS, IOS_STD]),
     "p-untyped: @odata.type is missing", MigrationConfig()),
    ("configuration without @odata.type, gateway", GW_04,
     tenant(profiles=[TYPELESS], tunnel_configurations=[tunnel_configuration("c1", disable_udp=True)]),
     "@odata.type is missing", MigrationConfig()),
    ("VPN profile without connectionType", AND_07, tenant(profiles=[NO_CONNECTION]),
     "p-noconn: connectionType is missing", MigrationConfig()),
    ("VPN profile with connectionType null", AND_03,
     tenant(profiles=[NULL_CONNECTION, android_profile("p-std", targets=[G1])]),
     "p-nullconn: connectionType is null", MigrationConfig()),
    ("Defender profiles cannot be told apart", DEV_02, tenant(profiles=[NO_CONNECTION]),
     "p-noconn: connectionType is missing", MigrationConfig()),
    ("Defender profile settings cannot be told apart", AND_05, tenant(profiles=[NO_CONNECTION]),
     "p-noconn: connectionType is missing", TUNNEL_ONLY),
    # Before: the app "did not exist", so TUN-IOS-08 passed.
    ("app without @odata.type", IOS_08,
     tenant(profiles=[], apps=[_without(standalone_app("ios", required(G1)), "@odata.type")]),
     "app-ios-tunnel", MigrationConfig()),
    ("iOS app without bundleId", IOS_08,
     tenant(profiles=[], apps=[app("app-ios-x", "ios-vpp", None, assignments=[required(G1)])]),
     "app-ios-x", MigrationConfig()),
    ("Android app without packageId or appIdentifier", AND_08,
     tenant(profiles=[], apps=[app("app-and-x", "android", None, assignments=[required(G1)])]),
     "app-and-x: packageId or appIdentifier is missing", MigrationConfig()),
    # Before: TUN-DEV-01 passed: the nameless app was not the Tunnel app.
    ("detected app without displayName listing devices", DEV_01,
     tenant(detected_apps=[_without(detected_app("da-1", managed_device("d1")), "displayName")]),
     "da-1: displayName is missing", MigrationConfig()),
    ("detected app with an empty name counting devices", DEV_01,
     tenant(detected_apps=[detected_app("da-2", name=" ", device_count=4)]), "da-2: displayName is empty",
     MigrationConfig()),
]


@pytest.mark.parametrize(("name", "check", "case", "says", "config"), ERRORS, ids=[e[0] for e in ERRORS])
def test_an_unclassifiable_object_errors_the_check(name: str, check: Check, case: Tenant, says: str,
                                                   config: MigrationConfig) -> None:
    verdict = run_check(check, case, None, config)
    assert verdict.outcome == "error", verdict
    assert "cannot classify" in verdict.reason and says in verdict.reason, verdict.reason
    assert "\n" not in verdict.reason


def test_a_configuration_recorded_by_tunnelcheck_0_1_says_to_record_again() -> None:
    """tunnelcheck 0.1 kept only id, type and name of the configurations it read as not Tunnel profiles;
    that is no longer enough to tell (a VPN profile without connectionType), and the error says so."""
    reduced = {"id": "p-mde-wp", "@odata.type": "#microsoft.graph.iosVpnConfiguration", "displayName": "MDE"}
    verdict = run_check(IOS_07, tenant(profiles=[reduced]), None, MigrationConfig())
    assert verdict.outcome == "error" and "record the tenant again" in verdict.reason


def test_an_unclassifiable_android_profile_does_not_block_ios_checks() -> None:
    """The blocked decision is that platform's: an Android VPN profile without a connection type leaves
    the iOS checks their verdict."""
    verdict = run_check(IOS_07, tenant(profiles=[NO_CONNECTION, IOS_STD]), None, MigrationConfig())
    assert verdict.outcome == "failed" and {f.object_id for f in verdict.evidence if not f.ok} == {"p-ios-std"}


def test_an_unclassifiable_ios_app_does_not_block_android_checks() -> None:
    apps = [app("app-ios-x", "ios-store", None), standalone_app("android", required(G1))]
    verdict = run_check(AND_08, tenant(profiles=[], apps=apps), None, MigrationConfig())
    assert verdict.outcome == "failed"


def test_an_app_of_another_platform_or_kind_without_identifier_is_harmless() -> None:
    """Windows or web apps have nothing to do with the migration: no identifier is needed for them."""
    apps = [{"@odata.type": "#microsoft.graph.win32LobApp", "id": "w", "assignments": []},
            standalone_app("ios", uninstall(G1))]
    assert run_check(IOS_08, tenant(profiles=[], apps=apps), None, MigrationConfig()).outcome == "passed"


def test_a_nameless_detected_app_on_no_device_is_harmless() -> None:
    apps = [_without(detected_app("da-1"), "displayName")]
    assert run_check(DEV_01, tenant(detected_apps=apps), None, MigrationConfig()).outcome == "passed"


# -- the revised terms: each example wrong before, right now -------------------------------------------

EXCLUDING_APP = app("app-and-mde", "android", "com.microsoft.scmx",
                    assignments=[required(all_devices()), required(exclusion("g1"))])
PROTECT_MODE_IOS = protect_mode_profile(G2)  # microsoftTunnel with MSTunnelProtectMode = 1, id p-ios-tte
CM_TARGET = {"@odata.type": "#microsoft.graph.configurationManagerCollectionAssignmentTarget", "collectionId": "SMS1"}
CM_KEY = '?microsoft.graph.configurationmanagercollectionassignmenttarget{"collectionId":"SMS1"}'  # evidence id
UNKNOWN_EXCLUSION = {"@odata.type": "#microsoft.graph.someFutureExclusionAssignmentTarget", "filterId": "x"}

CASES = {
    AND_02: [
        # Before: the documented-form exclusion read as an unknown include: g1 counted as covered.
        should_fail("documented-form exclusion target excludes",
                    tenant(profiles=[documented(android_profile("p-std", targets=[G1]))],
                           apps=[documented(EXCLUDING_APP)]), "g1"),
    ],
    IOS_07: [
        # Before: microsoftTunnel read as standalone, so the Defender profile failed the cleanup gate.
        should_pass("microsoftTunnel with MSTunnelProtectMode = 1 is a Defender profile",
                    tenant(profiles=[PROTECT_MODE_IOS])),
        should_pass("MSTunnelProtectMode compared in any case, in customKeyValueData",
                    tenant(profiles=[ios_profile("p-ios-tte", targets=[G2], custom_kv={"mstunnelprotectmode": "1"})])),
        should_fail("a padded MSTunnelProtectMode key leaves the profile standalone",
                    tenant(profiles=[ios_profile("p-ios-tte", targets=[G2], custom={" MSTunnelProtectMode": "1"})]),
                    "p-ios-tte"),
        should_fail("conflicting MSTunnelProtectMode values leave the profile standalone",
                    tenant(profiles=[ios_profile("p-ios-tte", targets=[G2],
                                                 custom=[("MSTunnelProtectMode", "1"), ("MSTunnelProtectMode", "0")])]),
                    "p-ios-tte"),
        should_fail("MSTunnelProtectMode other than 1 is standalone",
                    tenant(profiles=[ios_profile("p-ios-tte", targets=[G2], custom={"MSTunnelProtectMode": "true"})]),
                    "p-ios-tte"),
    ],
    IOS_02: [
        should_pass("the MSTunnelProtectMode profile replaces the standalone one",
                    tenant(profiles=[ios_profile("p-ios-std", targets=[G2]), PROTECT_MODE_IOS])),
    ],
    AND_07: [
        # Before: connectionType compared case-sensitively, so "MicrosoftTunnel" was not a Tunnel profile.
        should_fail("a differently cased connectionType is still the standalone client",
                    tenant(profiles=[android_profile("p-std", connection="MicrosoftTunnel", targets=[G1])]), "p-std"),
        should_fail("a type written without '#' and in another case is still a VPN profile",
                    tenant(profiles=[dict(android_profile("p-std", targets=[G1]),
                                          **{"@odata.type": "Microsoft.Graph.AndroidDeviceOwnerVpnConfiguration"})]),
                    "p-std"),
        # Before: the Configuration Manager collection target was neither include nor exclusion: unassigned.
        should_fail("a target type tunnelcheck does not understand assigns the profile",
                    tenant(profiles=[android_profile("p-std", targets=[CM_TARGET])]), "p-std"),
        should_pass("an assignment with intent remove does not assign",
                    tenant(profiles=[dict(android_profile("p-std"), assignments=[
                        {"id": "a", "intent": "remove", "target": G1}])])),
    ],
    AND_03: [
        # Before: ALL covered the unknown target: now only an identical target does.
        should_fail("an unknown include target is covered only by an identical one",
                    tenant(profiles=[android_profile("p-std", targets=[CM_TARGET]),
                                     android_profile("p-mde", connection=DEFENDER, targets=[all_devices()])]),
                    CM_KEY),
        should_pass("an identical unknown target covers",
                    tenant(profiles=[android_profile("p-std", targets=[CM_TARGET]),
                                     android_profile("p-mde", connection=DEFENDER, targets=[documented(CM_TARGET)])])),
        # Before: the unknown exclusion counted as an include of its own: g1 stayed covered by ALL.
        should_fail("an unknown exclusion-like type excludes every target of its list",
                    tenant(profiles=[android_profile("p-std", targets=[G1]),
                                     android_profile("p-mde", connection=DEFENDER,
                                                     targets=[all_devices(), UNKNOWN_EXCLUSION])]), "g1"),
    ],
    AND_05: [
        should_pass("a null value is absent: MDE wanted, no defendertoggle",
                    tenant(profiles=[android_profile("p-mde", connection=DEFENDER, targets=[G1],
                                                     custom=[("defendertoggle", None), ("MicrosoftDefenderAppSettings", None)])]),
                    config=MDE_WANTED),
    ],
    AND_06: [
        should_fail("a padded defendertoggle cannot turn web protection off",
                    tenant(profiles=[android_profile("p-wp", kind="android-work-profile", connection=DEFENDER,
                                                     targets=[G1], targetedPackageIds=["com.contoso.crm"],
                                                     custom={"defendertoggle ": "0"})],
                           apps=[app("chrome", "android", "com.android.chrome", assignments=[required(G1)])]),
                    "p-wp"),
    ],
    DEV_01: [
        # Before: only names matched; Android reports the package id as the name.
        should_fail("a detected app named by the standalone app's package id",
                    tenant(detected_apps=[detected_app("da-1", managed_device("d1"), name=" COM.microsoft.tunnel ",
                                                       platform="androidWorkProfile")]), "d1"),
        should_fail("a detected app counting devices but listing none",
                    tenant(detected_apps=[detected_app("da-1", name="com.microsoft.tunnel", device_count=2,
                                                       platform="androidDedicatedAndFullyManaged")]), "da-1"),
    ],
}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_revised_terms(check: Check, case) -> None:  # type: ignore[no-untyped-def]
    case.verify(check)


def test_the_evidence_says_why_a_protect_mode_profile_stays_standalone() -> None:
    padded = tenant(profiles=[ios_profile("p-ios-tte", targets=[G2], custom={" MSTunnelProtectMode": "1"})])
    (row,) = run_check(IOS_07, padded, None, MigrationConfig()).evidence
    assert "MSTunnelProtectMode is not read as set (key has surrounding whitespace" in row.note


def test_the_evidence_names_the_unknown_exclusion_type() -> None:
    case = tenant(profiles=[android_profile("p-std", targets=[G1]),
                            android_profile("p-mde", connection=DEFENDER, targets=[all_devices(), UNKNOWN_EXCLUSION])])
    (row,) = [f for f in run_check(AND_03, case, None, MigrationConfig()).evidence if not f.ok]
    assert "someFutureExclusionAssignmentTarget" in row.note


def test_ios_03_compares_per_app_and_provider_type() -> None:
    rule = {"action": "connect", "domains": ["b.com", "a.com"]}
    newer_rule = {"action": "connect", "domains": ["a.com", "b.com"], "interfaceTypeMatch": "notConfigured",
                  "ssids": [], "probeUrl": None, "@odata.type": "microsoft.graph.vpnOnDemandRule"}
    old = ios_profile("p-ios-std", targets=[G2], enablePerApp=True, onDemandRules=[dict(rule, **{"@odata.type": "#microsoft.graph.vpnOnDemandRule"})])
    same = ios_profile("p-ios-mde", connection=DEFENDER, targets=[G2], enablePerApp=True, providerType="notConfigured",
                       onDemandRules=[newer_rule])
    assert run_check(IOS_03, tenant(profiles=[old, same]), None, MigrationConfig()).outcome == "passed"
    differs = dict(same, enablePerApp=False, providerType="packetTunnel")
    verdict = run_check(IOS_03, tenant(profiles=[old, differs]), None, MigrationConfig())
    assert verdict.outcome == "failed"
    assert {f.property for f in verdict.evidence if not f.ok} == {"enablePerApp", "providerType"}
