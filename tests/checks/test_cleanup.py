"""Phase cleanup: TUN-AND-07, TUN-IOS-07, TUN-AND-08, TUN-IOS-08 (docs/checks.md), one example per clause."""

from __future__ import annotations

import pytest
from tunnelcheck.checks.cleanup import (
    android_standalone_app_uninstalled as AND_08,
)
from tunnelcheck.checks.cleanup import (
    android_standalone_profiles_retired as AND_07,
)
from tunnelcheck.checks.cleanup import (
    ios_standalone_app_uninstalled as IOS_08,
)
from tunnelcheck.checks.cleanup import (
    ios_standalone_profiles_retired as IOS_07,
)

from tunnelcheck.check import Check
from tunnelcheck.config import AppIds, MigrationConfig
from tunnelcheck.model.resources import Resource
from tunnelcheck.testing import (
    STANDALONE_APP_ID,
    Case,
    all_devices,
    all_users,
    android_profile,
    available,
    available_without_enrollment,
    defender_profile,
    exclusion,
    group_target,
    ios_profile,
    params,
    required,
    should_error,
    should_fail,
    should_pass,
    standalone_app,
    standalone_profile,
    tenant,
    uninstall,
)

G1, G2, G3 = group_target("g1"), group_target("g2"), group_target("g3")
CUSTOM_IDS = MigrationConfig(
    standalone_app_ids=AppIds(android="com.contoso.tunnel", ios="com.contoso.tunnel.ios")
)


def profiles(*items: dict) -> object:
    return tenant(profiles=list(items))


def _retired_cases(kind: str, other_kind: str) -> list[Case]:
    """TUN-AND-07 / TUN-IOS-07 examples for standalone profiles of ``kind``."""
    std = "p-ios-std" if kind == "ios" else "p-do-std"
    name = "iOS" if kind == "ios" else "Android"
    return [
        should_pass("no profile at all", profiles()),
        should_pass("standalone profile not assigned", profiles(standalone_profile(kind=kind))),
        should_pass(
            "standalone profile with only an exclusion is not assigned",
            profiles(standalone_profile(exclusion("g1"), kind=kind)),
        ),
        should_pass("assigned Defender profiles are fine", profiles(defender_profile(G1, kind=kind))),
        should_pass(
            "another platform's standalone profile", profiles(standalone_profile(G1, kind=other_kind))
        ),
        should_pass(
            "assigned in the baseline, not now",
            profiles(standalone_profile(kind=kind)),
            baseline=profiles(standalone_profile(G1, kind=kind)),
        ),
        should_fail("assigned to a group", profiles(standalone_profile(G1, kind=kind)), std,
                    reason=f"1 {name} standalone profile is still assigned: {std}"),
        should_fail("assigned to all devices", profiles(standalone_profile(all_devices(), kind=kind)), std),
        should_fail(
            "assigned to all users",
            profiles(standalone_profile(all_users(), exclusion("g1"), kind=kind)),
            std,
        ),
        should_fail(
            "every assigned standalone profile is named",
            profiles(
                standalone_profile(G1, kind=kind, profile_id="s1"),
                standalone_profile(kind=kind, profile_id="s2"),
                standalone_profile(G2, kind=kind, profile_id="s3"),
            ),
            "s1",
            "s3",
            reason=f"2 {name} standalone profiles are still assigned: s1 and s3",
        ),
        should_error("configurations not recorded", tenant(apps=[]), Resource.DEVICE_CONFIGURATIONS),
    ]


def _uninstall_cases(platform: str, kinds: tuple[str, ...], other_platform: str) -> list[Case]:
    """TUN-AND-08 / TUN-IOS-08 examples for the standalone app of ``platform`` (app kinds ``kinds``)."""
    app_id = f"app-{platform}-tunnel"

    def apps(*assignments: dict, kind: str = kinds[0]) -> object:
        return tenant(apps=[standalone_app(platform, *assignments, kind=kind)])

    def offered_before(*assignments: dict) -> object:
        return apps(*assignments)

    return [
        *[should_pass(f"uninstall to a group ({kind})", apps(uninstall(G1), kind=kind)) for kind in kinds],
        should_pass(
            "an offered assignment with an exclusion target is no offer",
            apps(uninstall(G1), required(exclusion("g2"))),
        ),
        should_fail("no assignment: no uninstall", apps(), app_id,
                    reason=f"{app_id} has no uninstall assignment with an include target"),
        *[
            should_fail(f"still offered: {intent.__name__}", apps(uninstall(G1), intent(G2)), app_id,
                        reason=f"{app_id} is still offered: {shown} for g2")
            for intent, shown in ((required, "required"), (available, "available"),
                                  (available_without_enrollment, "availableWithoutEnrollment"))
        ],
        should_fail(
            "every problem of the app is named",
            apps(required(G1), available(all_devices())),
            app_id,
            baseline=offered_before(required(G1), required(G2)),
            reason=f"{app_id} is still offered: required for g1 and available for all devices; {app_id} has no "
            f"uninstall assignment with an include target; 2 targets the baseline offered {app_id} to are not "
            "covered by an uninstall assignment: g1 and g2",
        ),
        should_fail("uninstall only to an exclusion target", apps(uninstall(exclusion("g1"))), app_id),
        should_fail(
            "every standalone app copy is named",
            tenant(
                apps=[
                    standalone_app(platform, uninstall(G1), kind=kinds[0], app_id="copy-1"),
                    standalone_app(platform, required(G1), kind=kinds[-1], app_id="copy-2"),
                ]
            ),
            "copy-2",
            reason="copy-2 is still offered: required for g1; copy-2 has no uninstall assignment with an include "
            "target",
        ),
        should_pass(
            "custom standalone_app_ids",
            tenant(
                apps=[
                    standalone_app(
                        platform,
                        uninstall(G1),
                        identifier=f"com.contoso.tunnel{'.ios' if platform == 'ios' else ''}",
                    )
                ]
            ),
            config=CUSTOM_IDS,
        ),
        should_pass(
            "with custom standalone_app_ids the default id is not the standalone app",
            apps(required(G1)),
            config=CUSTOM_IDS,
        ),
        # With --baseline: every target offered in the baseline is covered by an uninstall now.
        should_pass(
            "baseline: same targets uninstalled",
            apps(uninstall(G1), uninstall(G2)),
            baseline=offered_before(required(G1), available(G2)),
        ),
        should_pass(
            "baseline: uninstall to all devices covers groups",
            apps(uninstall(all_devices())),
            baseline=offered_before(required(G1), available_without_enrollment(G2)),
        ),
        should_pass(
            "baseline: uninstall to all devices covers all users (ALL lumps both)",
            apps(uninstall(all_devices())),
            baseline=offered_before(required(all_users())),
        ),
        should_pass(
            "baseline: uninstall targets and exclusions in the baseline are not offers",
            apps(uninstall(G1)),
            baseline=offered_before(required(G1), uninstall(G3), required(exclusion("g2"))),
        ),
        should_pass("without baseline, earlier targets are unknown", apps(uninstall(G1))),
        should_fail(
            "baseline: an offered target not uninstalled",
            apps(uninstall(G1)),
            app_id,
            baseline=offered_before(required(G1), required(G2)),
            reason=f"1 target the baseline offered {app_id} to is not covered by an uninstall assignment: g2",
        ),
        should_fail(
            "baseline: an uninstall exclusion leaves the target uncovered",
            apps(uninstall(all_devices()), uninstall(exclusion("g2"))),
            app_id,
            baseline=offered_before(required(G2)),
        ),
        should_fail(
            "baseline: ALL is covered only by ALL",
            apps(uninstall(G1)),
            app_id,
            baseline=offered_before(required(all_devices())),
        ),
        # The app no longer exists.
        should_pass("deleted, no baseline", tenant(apps=[])),
        should_pass("deleted, not in the baseline", tenant(apps=[]), baseline=tenant(apps=[])),
        should_pass(
            "deleted, the baseline only uninstalled it",
            tenant(apps=[]),
            baseline=offered_before(uninstall(G1)),
        ),
        should_pass(
            "deleted, the baseline only offered it to an exclusion",
            tenant(apps=[]),
            baseline=offered_before(required(exclusion("g1"))),
        ),
        should_fail(
            "deleted, but the baseline offered it",
            tenant(apps=[]),
            STANDALONE_APP_ID,
            baseline=offered_before(required(G1), available(all_users())),
            reason=f"the {'iOS' if platform == 'ios' else 'Android'} standalone app {STANDALONE_APP_ID} was deleted "
            "without an uninstall assignment, but the baseline offered it to 2 targets (g1 and all licensed users): "
            "devices keep an app that is deleted without an uninstall",
        ),
        should_fail(
            "deleted, another platform's copy does not count",
            tenant(apps=[standalone_app(other_platform, uninstall(G1))]),
            STANDALONE_APP_ID,
            baseline=offered_before(available(G1)),
        ),
        should_fail(
            "deleted with custom standalone_app_ids",
            tenant(apps=[]),
            "com.contoso.tunnel" + (".ios" if platform == "ios" else ""),
            config=CUSTOM_IDS,
            baseline=tenant(
                apps=[
                    standalone_app(
                        platform,
                        required(G1),
                        identifier="com.contoso.tunnel" + (".ios" if platform == "ios" else ""),
                    )
                ]
            ),
        ),
        should_error("mobile apps not recorded", tenant(profiles=[]), Resource.MOBILE_APPS),
        should_error(
            "baseline mobile apps not recorded",
            apps(uninstall(G1)),
            Resource.MOBILE_APPS,
            baseline=tenant(profiles=[]),
        ),
    ]


CASES: dict[Check, list[Case]] = {
    AND_07: [
        *_retired_cases("android-device-owner", "ios"),
        should_fail(
            "work profile", profiles(standalone_profile(G1, kind="android-work-profile")), "p-wp-std"
        ),
        should_pass(
            "other VPN connection types are not Tunnel profiles",
            profiles(android_profile("p-cisco", connection="ciscoAnyConnect", targets=[G1])),
        ),
    ],
    IOS_07: [
        *_retired_cases("ios", "android-work-profile"),
        should_fail(
            "IKEv2 standalone profile", profiles(standalone_profile(G1, kind="ios", ikev2=True)), "p-ios-std"
        ),
        should_pass(
            "MDE's own web-protection VPN",
            profiles(
                ios_profile("p-wp", connection="customVpn", identifier="com.microsoft.scmx", targets=[G1])
            ),
        ),
    ],
    AND_08: [
        *_uninstall_cases("android", ("android",), "ios"),
        should_pass(
            "identified by appIdentifier",
            tenant(apps=[standalone_app("android", uninstall(G1), field="appIdentifier")]),
        ),
        should_fail(
            "identified by appIdentifier, still offered",
            tenant(apps=[standalone_app("android", required(G1), field="appIdentifier")]),
            "app-android-tunnel",
        ),
    ],
    IOS_08: _uninstall_cases("ios", ("ios-store", "ios-vpp", "ios-lob"), "android"),
}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_cleanup(check: Check, case: Case) -> None:
    case.verify(check)
