"""Phase defender-deployed: TUN-AND-01, TUN-AND-02, TUN-IOS-01 (docs/checks.md), one example per clause."""

from __future__ import annotations

import pytest
from tunnelcheck.checks.defender_app import (
    defender_approved_android as AND_01,
)
from tunnelcheck.checks.defender_app import (
    defender_assigned_android as AND_02,
)
from tunnelcheck.checks.defender_app import (
    defender_deployed_ios as IOS_01,
)

from tunnelcheck.check import Check
from tunnelcheck.config import AppIds, MigrationConfig
from tunnelcheck.errors import PermissionDenied
from tunnelcheck.model.resources import Resource
from tunnelcheck.testing import (
    DEFENDER_APP_ID,
    Case,
    all_devices,
    all_users,
    android_profile,
    app,
    available,
    available_without_enrollment,
    defender_app,
    defender_profile,
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
    standalone_profile,
    tenant,
    uninstall,
)

ANDROID_APP_MISSING = ("the Android Defender app does not exist: no managed Google Play app has the identifier "
                       "com.microsoft.scmx (migration.defender_app_ids.android)")
# Group names come with the groups, loaded as a run loads them (one a reason cannot read as a format field).
NAMED_GROUPS = tenant(profiles=[standalone_profile(group_target("g1"), group_target("g2"), group_target("g3"))],
                      apps=[defender_app("android")], groups=[group("g1", "SG-Tunnel {n} {0}"), group("g2", "SG-Field")])
NAMED_GROUPS.require([Resource.GROUPS])
CUSTOM_IDS = MigrationConfig(defender_app_ids=AppIds(android="com.contoso.mde", ios="com.contoso.mde.ios"))


def std(*targets: dict, kind: str = "android-device-owner") -> dict:
    return standalone_profile(*targets, kind=kind)


def mde(*targets: dict, kind: str = "android-device-owner") -> dict:
    return defender_profile(*targets, kind=kind)


def ios_std(*targets: dict) -> dict:
    return standalone_profile(*targets, kind="ios")


def ios_mde(*targets: dict, ikev2: bool = False) -> dict:
    return defender_profile(*targets, kind="ios", ikev2=ikev2)


def and_tunnel(*app_assignments: dict, targets: tuple[dict, ...] = (group_target("g1"),)) -> object:
    """An Android standalone profile on ``targets`` and the Defender app with ``app_assignments``."""
    return tenant(profiles=[std(*targets)], apps=[defender_app("android", *app_assignments)])


G1, G2, G3 = group_target("g1"), group_target("g2"), group_target("g3")
UNASSIGNED_STD_NOW = tenant(profiles=[std()], apps=[])
BASELINE_G1 = tenant(profiles=[std(G1)], apps=[])
NO_APPS_RECORDED = tenant(profiles=[std(G1)])
FORBIDDEN_APPS = tenant(
    profiles=[std(G1)],
    apps=PermissionDenied(
        Resource.MOBILE_APPS.value, "Graph answered 403 Forbidden", Resource.MOBILE_APPS.permission
    ),
)

CASES: dict[Check, list[Case]] = {
    AND_01: [
        should_skip("no profile at all", tenant(profiles=[], apps=[]), "no Android Tunnel profile"),
        should_skip(
            "only iOS Tunnel profiles",
            tenant(profiles=[ios_std(G1), ios_mde(G1)], apps=[]),
            "no Android Tunnel profile",
        ),
        should_skip(
            "standalone profile not assigned, no baseline", UNASSIGNED_STD_NOW, "no Android Tunnel profile"
        ),
        should_skip(
            "standalone profile not assigned in baseline or now",
            UNASSIGNED_STD_NOW,
            "no Android Tunnel profile",
            baseline=tenant(profiles=[std()], apps=[]),
        ),
        should_skip(
            "other VPN connection types are not Tunnel profiles",
            tenant(
                profiles=[android_profile("p-cisco", connection="ciscoAnyConnect", targets=[G1])], apps=[]
            ),
            "no Android Tunnel profile",
        ),
        should_pass("device-owner standalone profile, Defender app by packageId", and_tunnel()),
        should_pass(
            "work-profile standalone profile, Defender app by appIdentifier",
            tenant(
                profiles=[std(G1, kind="android-work-profile")],
                apps=[defender_app("android", field="appIdentifier")],
            ),
        ),
        should_pass(
            "an unassigned current Defender profile is a Tunnel profile",
            tenant(profiles=[mde()], apps=[defender_app("android")]),
        ),
        should_pass(
            "custom defender_app_ids.android",
            tenant(profiles=[std(G1)], apps=[defender_app("android", identifier="com.contoso.mde")]),
            config=CUSTOM_IDS,
        ),
        should_fail("app absent", tenant(profiles=[std(G1)], apps=[]), DEFENDER_APP_ID, reason=ANDROID_APP_MISSING),
        should_fail(
            "only the standalone app exists",
            tenant(profiles=[std(G1)], apps=[standalone_app("android", required(G1))]),
            DEFENDER_APP_ID,
        ),
        should_fail(
            "the Defender id as an iOS app is not the Android app",
            tenant(profiles=[mde(G1)], apps=[defender_app("ios")]),
            DEFENDER_APP_ID,
        ),
        should_fail(
            "default id with custom defender_app_ids.android",
            tenant(profiles=[std(G1)], apps=[defender_app("android")]),
            "com.contoso.mde",
            config=CUSTOM_IDS,
            reason="the Android Defender app does not exist: no managed Google Play app has the identifier "
            "com.contoso.mde (migration.defender_app_ids.android)",
        ),
        should_fail(
            "standalone profile assigned only in the baseline is in scope",
            UNASSIGNED_STD_NOW,
            DEFENDER_APP_ID,
            baseline=BASELINE_G1,
        ),
        should_fail(
            "standalone profile that exists only in the baseline is in scope",
            tenant(profiles=[], apps=[]),
            DEFENDER_APP_ID,
            baseline=BASELINE_G1,
        ),
        should_error("mobile apps not recorded", NO_APPS_RECORDED, Resource.MOBILE_APPS),
        should_error("configurations not recorded", tenant(apps=[]), Resource.DEVICE_CONFIGURATIONS),
        should_error(
            "nothing recorded: both named", tenant(), Resource.DEVICE_CONFIGURATIONS, Resource.MOBILE_APPS
        ),
        should_error("mobile apps forbidden", FORBIDDEN_APPS, Resource.MOBILE_APPS),
        should_error(
            "malformed app",
            tenant(profiles=[std(G1)], apps=[app("a", assignments=[{"intent": "required"}])]),
            Resource.MOBILE_APPS,
        ),
        should_error(
            "baseline configurations not recorded",
            tenant(profiles=[], apps=[]),
            Resource.DEVICE_CONFIGURATIONS,
            baseline=tenant(apps=[]),
        ),
    ],
    AND_02: [
        should_skip("no profile at all", tenant(profiles=[], apps=[]), "no Android Tunnel target"),
        should_skip(
            "only an unassigned Defender profile",
            tenant(profiles=[mde(), std()], apps=[defender_app("android")]),
            "no Android Tunnel target",
        ),
        should_skip(
            "iOS targets are not Android targets",
            tenant(profiles=[ios_std(G1)], apps=[]),
            "no Android Tunnel target",
        ),
        should_pass("required", and_tunnel(required(G1))),
        should_pass("available", and_tunnel(available(G1))),
        should_pass("availableWithoutEnrollment", and_tunnel(available_without_enrollment(G1))),
        should_pass("all devices covers a group", and_tunnel(required(all_devices()))),
        should_pass("all users covers a group", and_tunnel(required(all_users()))),
        should_pass(
            "all users covers an all-devices target (ALL lumps both)",
            and_tunnel(required(all_users()), targets=(all_devices(),)),
        ),
        should_pass(
            "all devices covers an all-users target",
            and_tunnel(required(all_devices()), targets=(all_users(),)),
        ),
        should_pass(
            "a standalone profile's exclusions are not targets",
            and_tunnel(required(G1), targets=(G1, exclusion("g2"))),
        ),
        should_pass(
            "exclusion of another group does not matter", and_tunnel(required(G1), required(exclusion("g2")))
        ),
        should_pass(
            "without baseline only current targets count",
            tenant(profiles=[std(G2)], apps=[defender_app("android", required(G2))]),
        ),
        should_pass(
            "Defender profile targets covered",
            tenant(profiles=[mde(G3, exclusion("g4"))], apps=[defender_app("android", required(G3))]),
        ),
        should_pass(
            "found by appIdentifier",
            tenant(profiles=[std(G1)], apps=[defender_app("android", required(G1), field="appIdentifier")]),
        ),
        should_fail(
            "app absent: the app is the offender", tenant(profiles=[std(G1, G2)], apps=[]), DEFENDER_APP_ID,
            reason=ANDROID_APP_MISSING,
        ),
        should_fail("assigned to another group", and_tunnel(required(G2)), "g1",
                    reason="1 Android Tunnel target is not offered the Defender app: g1"),
        should_fail("uninstall is not offered", and_tunnel(uninstall(G1)), "g1"),
        should_fail(
            "unknown intent is not offered",
            and_tunnel({"id": "a", "intent": "futureIntent", "target": G1}),
            "g1",
        ),
        should_fail(
            "an exclusion beats an include", and_tunnel(required(G1), required(exclusion("g1"))), "g1"
        ),
        should_fail(
            "an uninstall exclusion excludes from offered coverage",
            and_tunnel(required(G1), uninstall(exclusion("g1"))),
            "g1",
        ),
        should_fail(
            "an available exclusion excludes a required include",
            and_tunnel(required(G1), available(exclusion("g1"))),
            "g1",
        ),
        should_fail(
            "all devices minus an excluded group",
            and_tunnel(required(all_devices()), required(exclusion("g1"))),
            "g1",
        ),
        should_fail("ALL is covered only by ALL", and_tunnel(required(G1), targets=(all_devices(),)), "ALL",
                    reason="1 Android Tunnel target is not offered the Defender app: all devices"),
        should_fail(
            "every uncovered target is named", and_tunnel(required(G2), targets=(G1, G2, G3)), "g1", "g3",
            reason="2 Android Tunnel targets are not offered the Defender app: g1 and g3",
        ),
        should_fail(
            "targets are named as the evidence names them: by their group's name",
            NAMED_GROUPS,
            "g1", "g2", "g3",
            reason="3 Android Tunnel targets are not offered the Defender app: SG-Tunnel {n} {0}, SG-Field and g3",
        ),
        should_fail(
            "Defender profile include targets are Tunnel targets",
            tenant(profiles=[std(G1), mde(G3)], apps=[defender_app("android", required(G1))]),
            "g3",
        ),
        should_fail(
            "work-profile targets count too",
            tenant(
                profiles=[std(G1), mde(G2, kind="android-work-profile")],
                apps=[defender_app("android", required(G1))],
            ),
            "g2",
        ),
        should_fail(
            "migration targets are the union of baseline and current",
            tenant(profiles=[std(G2)], apps=[defender_app("android", required(G2))]),
            "g1",
            baseline=BASELINE_G1,
        ),
        should_fail(
            "a profile only in the baseline still has targets",
            tenant(profiles=[], apps=[defender_app("android", required(G2))]),
            "g1",
            baseline=BASELINE_G1,
        ),
        should_fail(
            "the standalone app does not count",
            tenant(
                profiles=[std(G1)],
                apps=[defender_app("android", required(G2)), standalone_app("android", required(G1))],
            ),
            "g1",
        ),
        should_error("mobile apps not recorded", NO_APPS_RECORDED, Resource.MOBILE_APPS),
        should_error(
            "baseline configurations not recorded",
            and_tunnel(required(G1)),
            Resource.DEVICE_CONFIGURATIONS,
            baseline=tenant(apps=[]),
        ),
    ],
    IOS_01: [
        should_skip("no iOS Tunnel profile", tenant(profiles=[std(G1)], apps=[]), "no iOS Tunnel profile"),
        should_skip(
            "MDE's own web-protection VPN is not a Tunnel profile",
            tenant(
                profiles=[
                    ios_profile(
                        "p-mde-wp", connection="customVpn", identifier="com.microsoft.scmx", targets=[G1]
                    )
                ],
                apps=[],
            ),
            "no iOS Tunnel profile",
        ),
        should_skip(
            "unassigned standalone profile, no baseline",
            tenant(profiles=[ios_std()], apps=[]),
            "no iOS Tunnel profile",
        ),
        should_pass(
            "store app covers the standalone target",
            tenant(profiles=[ios_std(G1)], apps=[defender_app("ios", required(G1))]),
        ),
        should_pass(
            "VPP app covers an IKEv2 Defender profile's target",
            tenant(
                profiles=[ios_mde(G1, ikev2=True)], apps=[defender_app("ios", available(G1), kind="ios-vpp")]
            ),
        ),
        should_pass(
            "LOB app",
            tenant(profiles=[ios_std(G1)], apps=[defender_app("ios", required(G1), kind="ios-lob")]),
        ),
        should_pass(
            "store and VPP copies together cover the targets",
            tenant(
                profiles=[ios_std(G1, G2)],
                apps=[
                    defender_app("ios", required(G1), app_id="mde-store"),
                    defender_app("ios", required(G2), app_id="mde-vpp", kind="ios-vpp"),
                ],
            ),
        ),
        should_pass(
            "Tunnel profile without targets: the app's existence is enough",
            tenant(profiles=[ios_mde()], apps=[defender_app("ios")]),
        ),
        should_pass(
            "custom defender_app_ids.ios",
            tenant(
                profiles=[ios_std(G1)],
                apps=[defender_app("ios", required(G1), identifier="com.contoso.mde.ios")],
            ),
            config=CUSTOM_IDS,
        ),
        should_fail("app absent", tenant(profiles=[ios_std(G1)], apps=[]), DEFENDER_APP_ID,
                    reason="the iOS Defender app does not exist: no iOS store, VPP or line-of-business app has "
                    "the bundle id com.microsoft.scmx (migration.defender_app_ids.ios)"),
        should_fail(
            "app absent, profile without targets", tenant(profiles=[ios_mde()], apps=[]), DEFENDER_APP_ID
        ),
        should_fail(
            "an Android Defender app is not the iOS app",
            tenant(profiles=[ios_std(G1)], apps=[defender_app("android", required(G1))]),
            DEFENDER_APP_ID,
        ),
        should_fail(
            "an iOS app of an unknown type is not the iOS app",
            tenant(
                profiles=[ios_std(G1)],
                apps=[app("a", "#microsoft.graph.macOSLobApp", DEFENDER_APP_ID, assignments=[required(G1)])],
            ),
            DEFENDER_APP_ID,
        ),
        should_fail(
            "target not covered",
            tenant(profiles=[ios_std(G1, G2)], apps=[defender_app("ios", required(G1))]),
            "g2",
            reason="1 iOS Tunnel target is not offered the Defender app: g2",
        ),
        should_fail(
            "targets not covered",
            tenant(profiles=[ios_std(G1, G2, G3)], apps=[defender_app("ios", available(G2))]),
            "g1", "g3",
            reason="2 iOS Tunnel targets are not offered the Defender app: g1 and g3",
        ),
        should_fail(
            "exclusion on one copy excludes only there",
            tenant(
                profiles=[ios_std(G1, G2)],
                apps=[
                    defender_app(
                        "ios", required(all_devices()), required(exclusion("g2")), app_id="mde-store"
                    ),
                    defender_app("ios", uninstall(G1), app_id="mde-vpp", kind="ios-vpp"),
                ],
            ),
            "g2",
        ),
        should_fail(
            "migration targets from the baseline",
            tenant(profiles=[ios_std()], apps=[defender_app("ios")]),
            "g1",
            baseline=tenant(profiles=[ios_std(G1)], apps=[]),
        ),
        should_fail(
            "default id with custom defender_app_ids.ios",
            tenant(profiles=[ios_std(G1)], apps=[defender_app("ios", required(G1))]),
            "com.contoso.mde.ios",
            config=CUSTOM_IDS,
        ),
        should_error("mobile apps not recorded", tenant(profiles=[ios_std(G1)]), Resource.MOBILE_APPS),
        should_error("configurations not recorded", tenant(apps=[]), Resource.DEVICE_CONFIGURATIONS),
    ],
}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_defender_app(check: Check, case: Case) -> None:
    case.verify(check)
