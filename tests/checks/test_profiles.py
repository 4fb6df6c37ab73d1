"""Phase profiles-created: TUN-AND-03, TUN-IOS-02, TUN-AND-05, TUN-IOS-04 (docs/checks.md), by clause."""

from __future__ import annotations

import pytest
from tunnelcheck.checks.profiles import (
    android_defendertoggle as AND_05,
)
from tunnelcheck.checks.profiles import (
    android_targets_have_defender_profile as AND_03,
)
from tunnelcheck.checks.profiles import (
    ios_targets_have_defender_profile as IOS_02,
)
from tunnelcheck.checks.profiles import (
    ios_tunnelonly as IOS_04,
)

from tunnelcheck.check import Check
from tunnelcheck.config import MigrationConfig
from tunnelcheck.model.resources import Resource
from tunnelcheck.testing import (
    DEFENDER,
    MDE_WANTED,
    STANDALONE,
    TUNNEL_ONLY,
    Case,
    all_devices,
    all_users,
    android_profile,
    defender_profile,
    exclusion,
    group_target,
    ios_profile,
    params,
    should_error,
    should_fail,
    should_pass,
    should_skip,
    standalone_profile,
    tenant,
)

G1, G2, G3 = group_target("g1"), group_target("g2"), group_target("g3")
DO, WP, IOS = "android-device-owner", "android-work-profile", "ios"


def migrating(std_targets: tuple[dict, ...], *defender: dict, kind: str = DO) -> object:
    """A standalone profile of ``kind`` on ``std_targets`` beside the given Defender profiles."""
    return tenant(profiles=[standalone_profile(*std_targets, kind=kind), *defender])


def covered_by(*targets: dict, kind: str = DO, std_kind: str = DO) -> object:
    """A standalone profile of ``std_kind`` on g1 and one Defender profile of ``kind`` on ``targets``."""
    return migrating((G1,), defender_profile(*targets, kind=kind), kind=std_kind)


def _profiles_cases(kind: str, other_kind: str, name: str) -> list[Case]:
    """The TUN-AND-03 / TUN-IOS-02 examples for standalone profiles of ``kind``."""
    return [
        should_skip("no profile at all", tenant(profiles=[]), f"no in-scope {name} standalone profile"),
        should_skip(
            "only Defender profiles",
            tenant(profiles=[defender_profile(G1, kind=kind)]),
            f"no in-scope {name} standalone profile",
        ),
        should_skip(
            "standalone profile not assigned",
            migrating((), kind=kind),
            f"no in-scope {name} standalone profile",
        ),
        should_skip(
            "standalone profile with only an exclusion is not assigned",
            migrating((exclusion("g1"),), kind=kind),
            f"no in-scope {name} standalone profile",
        ),
        should_skip(
            "not assigned in the baseline either",
            migrating((), kind=kind),
            f"no in-scope {name} standalone profile",
            baseline=migrating((), kind=kind),
        ),
        should_skip(
            "other platforms' standalone profiles",
            migrating((G1,), kind=other_kind),
            f"no in-scope {name} standalone profile",
        ),
        should_pass("same group", covered_by(G1, kind=kind, std_kind=kind)),
        should_pass("all devices covers a group", covered_by(all_devices(), kind=kind, std_kind=kind)),
        should_pass("all users covers a group", covered_by(all_users(), kind=kind, std_kind=kind)),
        should_pass(
            "all users covers all devices (ALL lumps both)",
            migrating((all_devices(),), defender_profile(all_users(), kind=kind), kind=kind),
        ),
        should_pass(
            "exclusion of another group does not matter",
            covered_by(G1, exclusion("g2"), kind=kind, std_kind=kind),
        ),
        should_pass(
            "several Defender profiles together cover the targets",
            migrating(
                (G1, G2),
                defender_profile(G1, kind=kind, profile_id="a"),
                defender_profile(G2, kind=kind, profile_id="b"),
                kind=kind,
            ),
        ),
        should_pass(
            "without baseline only current targets count",
            migrating((G1,), defender_profile(G1, kind=kind), kind=kind),
        ),
        should_fail("no Defender profile", migrating((G1,), kind=kind), "g1",
                    reason=f"1 {name} standalone target has no Defender-based profile: g1 (of "
                    f"{'p-ios-std' if kind == IOS else 'p-do-std'})"),
        should_fail("Defender profile on another group", covered_by(G2, kind=kind, std_kind=kind), "g1"),
        should_fail("unassigned Defender profile", covered_by(kind=kind, std_kind=kind), "g1"),
        should_fail(
            "an exclusion beats an include", covered_by(G1, exclusion("g1"), kind=kind, std_kind=kind), "g1"
        ),
        should_fail(
            "all devices minus an excluded group",
            covered_by(all_devices(), exclusion("g1"), kind=kind, std_kind=kind),
            "g1",
        ),
        should_fail(
            "ALL is covered only by ALL",
            migrating((all_devices(),), defender_profile(G1, kind=kind), kind=kind),
            "ALL",
        ),
        should_fail(
            "a Defender profile of another platform does not count",
            covered_by(G1, kind=other_kind, std_kind=kind),
            "g1",
        ),
        should_fail(
            "a standalone profile does not replace another",
            migrating((G1,), standalone_profile(G1, kind=kind, profile_id="p-other-std"), kind=kind),
            "g1",
        ),
        should_fail(
            "every uncovered target of every in-scope profile is named",
            tenant(
                profiles=[
                    standalone_profile(G1, G2, kind=kind, profile_id="s1"),
                    standalone_profile(G3, kind=kind, profile_id="s2"),
                    defender_profile(G2, kind=kind),
                ]
            ),
            "g1",
            "g3",
            reason=f"2 {name} standalone targets have no Defender-based profile: g1 (of s1) and g3 (of s2)",
        ),
        should_fail(
            "migration targets are the union of baseline and current",
            migrating((G1,), defender_profile(G1, kind=kind), kind=kind),
            "g2",
            baseline=migrating((G1, G2), kind=kind),
        ),
        should_fail(
            "targets of a profile that exists only in the baseline",
            tenant(profiles=[defender_profile(G2, kind=kind)]),
            "g1",
            baseline=migrating((G1,), kind=kind),
        ),
        should_pass(
            "a baseline-only profile whose targets are covered",
            tenant(profiles=[defender_profile(G1, kind=kind)]),
            baseline=migrating((G1,), kind=kind),
        ),
        should_error("configurations not recorded", tenant(apps=[]), Resource.DEVICE_CONFIGURATIONS),
        should_error(
            "baseline configurations not recorded",
            covered_by(G1, kind=kind, std_kind=kind),
            Resource.DEVICE_CONFIGURATIONS,
            baseline=tenant(apps=[]),
        ),
    ]


def android(
    custom: object = None,
    custom_kv: object = None,
    *,
    kind: str = DO,
    pid: str = "p-do-mde",
    targets: tuple[dict, ...] = (G1,),
    connection: str = DEFENDER,
) -> dict:
    """An Android Tunnel profile with custom settings (a Defender profile on g1 unless told)."""
    return android_profile(
        pid, kind=kind, connection=connection, targets=targets, custom=custom, custom_kv=custom_kv
    )


def ios(
    custom: object = None,
    custom_kv: object = None,
    *,
    pid: str = "p-ios-mde",
    ikev2: bool = False,
    targets: tuple[dict, ...] = (G1,),
    connection: str = DEFENDER,
    **extra: object,
) -> dict:
    """An iOS Tunnel profile with custom settings (a Defender profile on g1 unless told)."""
    return ios_profile(
        pid, connection=connection, targets=targets, custom=custom, custom_kv=custom_kv, ikev2=ikev2, **extra
    )


def one(*profiles: dict) -> object:
    return tenant(profiles=list(profiles))


def settings_cases(table: list[tuple[str, MigrationConfig, dict, bool]]) -> list[Case]:
    """Custom-setting examples ``(name, config, profile, ok)``: a profile that is not ok is the one
    offender."""
    return [
        should_pass(name, one(profile), config=config)
        if ok
        else should_fail(name, one(profile), profile["id"], config=config)
        for name, config, profile, ok in table
    ]


# TUN-AND-05: defendertoggle, antiphishing, vpn are 0 or 1; Tunnel only needs defendertoggle = 0, Defender
# features wanted need it absent or 1. Both custom arrays, keys in any case, values trimmed.
AND_05_SETTINGS = [
    ("Tunnel only: customData defendertoggle=0", TUNNEL_ONLY, android({"defendertoggle": "0"}), True),
    ("Tunnel only: customKeyValueData defendertoggle=0", TUNNEL_ONLY,
     android(custom_kv={"defendertoggle": "0"}), True),
    ("Tunnel only: key in any case, value trimmed", TUNNEL_ONLY, android({"DefenderToggle": " 0 "}), True),
    ("Tunnel only: work profile", TUNNEL_ONLY,
     android({"defendertoggle": "0"}, kind=WP, pid="p-wp-mde"), True),
    ("Tunnel only: antiphishing and vpn 0/1", TUNNEL_ONLY,
     android({"defendertoggle": "0", "antiphishing": "1"}, {"vpn": "0"}), True),
    ("the same key twice with the same value is no conflict", TUNNEL_ONLY,
     android({"defendertoggle": "0"}, {"DEFENDERTOGGLE": "0 "}), True),
    ("unknown keys are not validated", TUNNEL_ONLY, android({"defendertoggle": "0", "foo": "bar"}), True),
    ("Tunnel only: defendertoggle absent", TUNNEL_ONLY, android(), False),
    ("Tunnel only: defendertoggle=1", TUNNEL_ONLY, android({"defendertoggle": "1"}), False),
    ("Tunnel only: work profile defendertoggle=1", TUNNEL_ONLY,
     android(custom_kv={"defendertoggle": "1"}, kind=WP, pid="p-wp-mde"), False),
    ("defendertoggle not 0 or 1", TUNNEL_ONLY, android({"defendertoggle": "false"}), False),
    ("antiphishing not 0 or 1", TUNNEL_ONLY, android({"defendertoggle": "0", "antiphishing": "2"}), False),
    ("vpn not 0 or 1 (customKeyValueData)", TUNNEL_ONLY,
     android({"defendertoggle": "0"}, {"VPN": "yes"}), False),
    ("conflicting values across the two arrays", TUNNEL_ONLY,
     android({"defendertoggle": "0"}, {"DefenderToggle": "1"}), False),
    ("conflicting values in one array", TUNNEL_ONLY,
     android([("defendertoggle", "0"), ("defendertoggle", "1")]), False),
    # Keys no check reads are ignored (docs/terms.md): before, any conflicting key failed the check.
    ("a conflict on a key no check reads is ignored", TUNNEL_ONLY,
     android([("defendertoggle", "0"), ("foo", "a"), ("FOO", "b")]), True),
    ("a padded key is not the setting", TUNNEL_ONLY, android([(" defendertoggle", "0")]), False),
    ("a padded key fails even beside the clean one", TUNNEL_ONLY,
     android([("defendertoggle", "0"), ("defendertoggle ", "0")]), False),
    ("a null value is absent", TUNNEL_ONLY, android([("defendertoggle", None), ("DefenderToggle", "0")]), True),
    ("MDE wanted: defendertoggle absent", MDE_WANTED, android(), True),
    ("MDE wanted: defendertoggle=1", MDE_WANTED, android(custom_kv={"defenderToggle": "1"}), True),
    ("MDE wanted: defendertoggle=0", MDE_WANTED, android({"defendertoggle": "0"}), False),
    ("MDE wanted: invalid antiphishing", MDE_WANTED, android({"antiphishing": "on"}), False),
]

# TUN-IOS-04: TunnelOnly, WebProtection, AutoOnboard are true/false in any case; Tunnel only needs TunnelOnly
# = true, Defender features wanted need it absent or false.
IOS_04_SETTINGS = [
    ("Tunnel only: TunnelOnly=True", TUNNEL_ONLY, ios({"TunnelOnly": "True"}), True),
    ("Tunnel only: any case, trimmed, customKeyValueData", TUNNEL_ONLY,
     ios(custom_kv={"tunnelonly": " TRUE "}), True),
    ("Tunnel only: IKEv2 profile", TUNNEL_ONLY, ios({"TunnelOnly": "true"}, ikev2=True), True),
    ("Tunnel only: WebProtection and AutoOnboard true/false", TUNNEL_ONLY,
     ios({"TunnelOnly": "true", "WebProtection": "False"}, {"AutoOnboard": "FALSE"}), True),
    ("Tunnel only: TunnelOnly absent", TUNNEL_ONLY, ios(), False),
    ("Tunnel only: TunnelOnly=False", TUNNEL_ONLY, ios({"TunnelOnly": "False"}), False),
    ("Tunnel only: IKEv2 profile without TunnelOnly", TUNNEL_ONLY, ios(ikev2=True), False),
    ("TunnelOnly not true/false", TUNNEL_ONLY, ios({"TunnelOnly": "1"}), False),
    ("WebProtection not true/false", TUNNEL_ONLY, ios({"TunnelOnly": "true", "WebProtection": "yes"}), False),
    ("AutoOnboard not true/false", TUNNEL_ONLY, ios({"TunnelOnly": "true"}, {"autoonboard": "0"}), False),
    ("conflicting values across the two arrays", TUNNEL_ONLY,
     ios({"TunnelOnly": "True"}, {"TunnelOnly": "False"}), False),
    # Boolean values that differ only in case are one value (docs/terms.md); before, a conflict.
    ("values differing only in case do not conflict", TUNNEL_ONLY,
     ios({"TunnelOnly": "True"}, {"tunnelonly": "true"}), True),
    ("a padded TunnelOnly key is not the setting", TUNNEL_ONLY, ios({"TunnelOnly ": "true"}), False),
    ("MDE wanted: TunnelOnly absent", MDE_WANTED, ios(), True),
    ("MDE wanted: TunnelOnly=FALSE", MDE_WANTED, ios(custom_kv={"TunnelOnly": "FALSE"}), True),
    ("MDE wanted: TunnelOnly=True", MDE_WANTED, ios({"TunnelOnly": "True"}), False),
    ("MDE wanted: invalid TunnelOnly", MDE_WANTED, ios({"TunnelOnly": "no"}), False),
]

NO_ANDROID = "no assigned Android Defender profile"
NO_IOS = "no assigned iOS Defender profile"

CASES: dict[Check, list[Case]] = {
    AND_03: [
        *_profiles_cases(DO, IOS, "Android"),
        should_pass("work profile replaced by work profile", covered_by(G1, kind=WP, std_kind=WP)),
        should_fail("device owner not replaced by work profile", covered_by(G1, kind=WP, std_kind=DO), "g1"),
        should_fail("work profile not replaced by device owner", covered_by(G1, kind=DO, std_kind=WP), "g1"),
        should_fail(
            "another VPN connection type is not a Defender profile",
            migrating((G1,), android_profile("p-cisco", connection="ciscoAnyConnect", targets=[G1])),
            "g1",
        ),
    ],
    IOS_02: [
        *_profiles_cases(IOS, DO, "iOS"),
        should_pass(
            "an IKEv2 Defender profile replaces",
            migrating((G1,), defender_profile(G1, kind=IOS, ikev2=True), kind=IOS),
        ),
        should_pass(
            "an IKEv2 standalone profile is in scope and replaced",
            one(standalone_profile(G1, kind=IOS, ikev2=True), defender_profile(G1, kind=IOS)),
        ),
        should_fail(
            "an IKEv2 standalone profile is in scope", one(standalone_profile(G1, kind=IOS, ikev2=True)), "g1"
        ),
        should_fail(
            "MDE's own web-protection VPN is not a Defender profile",
            migrating((G1,), ios(connection="customVpn", identifier="com.microsoft.scmx"), kind=IOS),
            "g1",
        ),
    ],
    AND_05: [
        should_skip("defender_features unset", one(android({"defendertoggle": "0"})), "defender_features"),
        should_skip("defender_features unset, even with bad settings", one(android({"defendertoggle": "x"})),
                    "defender_features"),
        should_skip("no Defender profile", one(standalone_profile(G1)), NO_ANDROID, config=TUNNEL_ONLY),
        should_skip("unassigned Defender profile", one(android(targets=())), NO_ANDROID, config=TUNNEL_ONLY),
        should_skip("only iOS Defender profiles", one(ios({"TunnelOnly": "true"})), NO_ANDROID,
                    config=TUNNEL_ONLY),
        *settings_cases(AND_05_SETTINGS),
        should_pass("unassigned and standalone profiles are not checked", one(
            android({"defendertoggle": "0"}),
            android({"defendertoggle": "x"}, pid="p-unassigned", targets=()),
            android({"defendertoggle": "x"}, pid="p-std", connection=STANDALONE)), config=TUNNEL_ONLY),
        should_fail("only the offending profiles are named", one(
            android({"defendertoggle": "0"}), android(pid="p-bad", targets=(all_devices(),))), "p-bad",
            config=TUNNEL_ONLY, reason="Tunnel only needs defendertoggle = 0, but 1 Android Defender profile sets it "
            "otherwise: p-bad (defendertoggle absent)"),
        should_fail("the toggle and the settings that cannot be used, each profile once", one(
            android({"defendertoggle": "1"}), android({"defendertoggle": "0", "vpn": "yes"}, pid="p-2"),
            android([("defendertoggle", "1"), ("antiphishing", "on"), (" vpn", "1")], pid="p-3", kind=WP)),
            "p-do-mde", "p-2", "p-3", config=TUNNEL_ONLY,
            reason="Tunnel only needs defendertoggle = 0, but 2 Android Defender profiles set it otherwise: "
            "p-do-mde (defendertoggle = 1) and p-3 (defendertoggle = 1); 2 Android Defender profiles have custom "
            "settings that cannot be used as written: p-2 (vpn = yes: must be 0 or 1) and p-3 (antiphishing = on: "
            "must be 0 or 1; vpn: key has surrounding whitespace)"),
        should_error("configurations not recorded", tenant(apps=[]), Resource.DEVICE_CONFIGURATIONS,
                     config=TUNNEL_ONLY),
    ],
    IOS_04: [
        should_skip("defender_features unset", one(ios({"TunnelOnly": "True"})), "defender_features"),
        should_skip("no assigned iOS Defender profile", one(ios(targets=())), NO_IOS, config=TUNNEL_ONLY),
        should_skip("only Android Defender profiles", one(android({"defendertoggle": "0"})), NO_IOS,
                    config=TUNNEL_ONLY),
        should_skip("MDE's own web-protection VPN is not checked", one(ios(
            {"TunnelOnly": "maybe"}, connection="customVpn", identifier="com.microsoft.scmx")), NO_IOS,
            config=TUNNEL_ONLY),
        *settings_cases(IOS_04_SETTINGS),
        should_fail("only the offending profiles are named", one(
            ios({"TunnelOnly": "true"}), ios(pid="p-bad", ikev2=True)), "p-bad", config=TUNNEL_ONLY,
            reason="Tunnel only needs TunnelOnly = true, but 1 iOS Defender profile sets it otherwise: p-bad "
            "(TunnelOnly absent)"),
        should_fail("Defender features wanted: every profile that sets TunnelOnly", one(
            ios({"TunnelOnly": "True"}), ios({"TunnelOnly": "true"}, pid="p-2", ikev2=True)), "p-ios-mde", "p-2",
            config=MDE_WANTED, reason="Defender features wanted: TunnelOnly must be absent or false, but 2 iOS "
            "Defender profiles set it otherwise: p-ios-mde (TunnelOnly = True) and p-2 (TunnelOnly = true)"),
        should_error("configurations not recorded", tenant(apps=[]), Resource.DEVICE_CONFIGURATIONS,
                     config=MDE_WANTED),
    ],
}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_profiles(check: Check, case: Case) -> None:
    case.verify(check)
