"""tunnelcheck.migration: the terms every check shares (docs/terms.md)."""

from __future__ import annotations

import pytest

from tunnelcheck import migration
from tunnelcheck.config import AppIds, MigrationConfig
from tunnelcheck.errors import DataUnavailable
from tunnelcheck.migration import ANDROID_KINDS, IOS_KINDS
from tunnelcheck.model import ALL, ProfileKind, Target, TargetKind
from tunnelcheck.tenant import Tenant
from tunnelcheck.testing import (
    all_devices,
    all_users,
    android_profile,
    app,
    defender_app,
    defender_profile,
    exclusion,
    group_target,
    ios_profile,
    required,
    standalone_app,
    standalone_profile,
    tenant,
    uninstall,
)

G1, G2, G3 = group_target("g1"), group_target("g2"), group_target("g3")
DEFAULTS = MigrationConfig()


def keys(targets: tuple[Target, ...]) -> list[str]:
    return [t.key for t in targets]


def in_scope(
    current: Tenant, baseline: Tenant | None = None, kinds: tuple[ProfileKind, ...] = ANDROID_KINDS
) -> dict[str, list[str]]:
    """In-scope standalone profiles as {id: migration target keys}."""
    return {s.profile.id: keys(s.targets) for s in migration.in_scope_standalone(current, baseline, kinds)}


def test_kinds_of() -> None:
    assert migration.kinds_of("ios") == IOS_KINDS == (ProfileKind.IOS,)
    assert migration.kinds_of("android") == ANDROID_KINDS
    assert set(ANDROID_KINDS) == {ProfileKind.ANDROID_DEVICE_OWNER, ProfileKind.ANDROID_WORK_PROFILE}


def test_unique_targets_keeps_includes_once_per_key_in_order() -> None:
    targets = [
        Target(TargetKind.GROUP, "g2"),
        Target(TargetKind.EXCLUSION_GROUP, "g3"),
        Target(TargetKind.ALL_USERS),
        Target(TargetKind.GROUP, "g1"),
        Target(TargetKind.GROUP, "g2"),
        Target(TargetKind.ALL_DEVICES),
    ]
    unique = migration.unique_targets(targets)
    assert keys(unique) == ["g2", ALL, "g1"]
    assert unique[1].kind is TargetKind.ALL_USERS  # the first of the two ALL targets is kept


# -- migration targets and in-scope standalone profiles --------------------------------------------------


@pytest.mark.parametrize(
    ("current", "baseline", "expected"),
    [
        ([standalone_profile(G1)], None, {"p-do-std": ["g1"]}),
        ([standalone_profile(G1, exclusion("g2"))], None, {"p-do-std": ["g1"]}),
        ([standalone_profile(exclusion("g2"))], None, {}),
        ([standalone_profile()], None, {}),
        ([standalone_profile()], [standalone_profile()], {}),
        ([standalone_profile(G2)], [standalone_profile(G1, G2)], {"p-do-std": ["g1", "g2"]}),
        ([standalone_profile()], [standalone_profile(G1)], {"p-do-std": ["g1"]}),
        ([], [standalone_profile(G1)], {"p-do-std": ["g1"]}),
        ([standalone_profile(all_users())], [standalone_profile(all_devices())], {"p-do-std": [ALL]}),
        (
            [
                standalone_profile(G1, kind="android-work-profile"),
                standalone_profile(G2, kind="ios"),
                defender_profile(G3),
            ],
            None,
            {"p-wp-std": ["g1"]},
        ),
        ([android_profile("p-cisco", connection="ciscoAnyConnect", targets=[G1])], None, {}),
    ],
    ids=[
        "current",
        "exclusions are not targets",
        "only an exclusion",
        "unassigned",
        "unassigned in both",
        "union of baseline and current",
        "assigned only in the baseline",
        "exists only in the baseline",
        "ALL once",
        "Android kinds only, standalone only",
        "other VPN types",
    ],
)
def test_in_scope_standalone(
    current: list[dict], baseline: list[dict] | None, expected: dict[str, list[str]]
) -> None:
    base = None if baseline is None else tenant(profiles=baseline)
    assert in_scope(tenant(profiles=current), base) == expected


def test_standalone_profile_versions() -> None:
    """Evidence names the current profile; settings carry over from the baseline version."""
    now = tenant(profiles=[standalone_profile(G1, name="now")])
    then = tenant(profiles=[standalone_profile(G1, name="then"), standalone_profile(G2, profile_id="gone")])
    both, gone = migration.in_scope_standalone(now, then, ANDROID_KINDS)
    assert (both.profile.display_name, both.settings.display_name) == ("now", "then")
    assert (gone.current, gone.profile.id, gone.settings.id) == (None, "gone", "gone")
    (only_now,) = migration.in_scope_standalone(now, None, ANDROID_KINDS)
    assert (only_now.recorded, only_now.settings.display_name) == (None, "now")


def test_in_scope_reads_the_baseline() -> None:
    with pytest.raises(DataUnavailable):
        migration.in_scope_standalone(tenant(profiles=[]), tenant(apps=[]), ANDROID_KINDS)


# -- Defender profiles and replacements ----------------------------------------------------------------


def test_defender_profiles() -> None:
    t = tenant(
        profiles=[
            defender_profile(G1),
            defender_profile(profile_id="unassigned"),
            defender_profile(G1, kind="ios"),
            standalone_profile(G1),
        ]
    )
    assert [p.id for p in migration.defender_profiles(t, ANDROID_KINDS)] == ["p-do-mde", "unassigned"]
    assert [p.id for p in migration.defender_profiles(t, ANDROID_KINDS, assigned_only=True)] == ["p-do-mde"]
    assert [p.id for p in migration.defender_profiles(t, IOS_KINDS)] == ["p-ios-mde"]


def test_replacements_are_same_kind_defender_profiles_covering_a_migration_target() -> None:
    t = tenant(
        profiles=[
            standalone_profile(G1, G2),
            defender_profile(G2, profile_id="covers-g2"),
            defender_profile(all_devices(), exclusion("g1"), profile_id="all-but-g1"),
            defender_profile(G1, exclusion("g1"), profile_id="excluded"),
            defender_profile(G3, profile_id="elsewhere"),
            defender_profile(G1, kind="android-work-profile", profile_id="other-kind"),
        ]
    )
    (standalone,) = migration.in_scope_standalone(t, None, ANDROID_KINDS)
    assert [p.id for p in migration.replacements(standalone, t)] == ["covers-g2", "all-but-g1"]


def test_replacements_of_an_all_devices_profile_need_ALL() -> None:
    t = tenant(
        profiles=[
            standalone_profile(all_devices()),
            defender_profile(G1, profile_id="group"),
            defender_profile(all_users(), profile_id="all-users"),
        ]
    )
    (standalone,) = migration.in_scope_standalone(t, None, ANDROID_KINDS)
    assert [p.id for p in migration.replacements(standalone, t)] == ["all-users"]


def test_standalone_profile_ids_of_every_kind_in_either_snapshot() -> None:
    now = tenant(profiles=[standalone_profile(kind="ios"), defender_profile(G1), standalone_profile()])
    then = tenant(
        profiles=[standalone_profile(G1, profile_id="old"), ios_profile("web", connection="customVpn")]
    )
    assert migration.standalone_profile_ids(now, None) == {"p-ios-std", "p-do-std"}
    assert migration.standalone_profile_ids(now, then) == {"p-ios-std", "p-do-std", "old"}


# -- the Defender and standalone apps ---------------------------------------------------------------------


APPS = tenant(
    apps=[
        defender_app("android", app_id="and-mde"),
        defender_app("android", app_id="and-mde-appid", field="appIdentifier"),
        defender_app("ios", app_id="ios-mde-store"),
        defender_app("ios", app_id="ios-mde-vpp", kind="ios-vpp"),
        defender_app("ios", app_id="ios-mde-lob", kind="ios-lob"),
        standalone_app("android", app_id="and-tunnel"),
        standalone_app("ios", app_id="ios-tunnel"),
        app("contoso", "android", "com.contoso.mde"),
        app("contoso-ios", "ios-store", "com.contoso.tunnel"),
        app("mac", "#microsoft.graph.macOSLobApp", "com.microsoft.scmx"),
    ]
)
CUSTOM = MigrationConfig(
    defender_app_ids=AppIds(android="com.contoso.mde", ios="com.contoso.mde"),
    standalone_app_ids=AppIds(android="com.contoso.tunnel", ios="com.contoso.tunnel"),
)


@pytest.mark.parametrize(
    ("finder", "platform", "config", "expected"),
    [
        (migration.defender_apps, "android", DEFAULTS, ["and-mde", "and-mde-appid"]),
        (migration.defender_apps, "ios", DEFAULTS, ["ios-mde-store", "ios-mde-vpp", "ios-mde-lob"]),
        (migration.standalone_apps, "android", DEFAULTS, ["and-tunnel"]),
        (migration.standalone_apps, "ios", DEFAULTS, ["ios-tunnel"]),
        (migration.defender_apps, "android", CUSTOM, ["contoso"]),
        (migration.defender_apps, "ios", CUSTOM, []),
        (migration.standalone_apps, "android", CUSTOM, []),
        (migration.standalone_apps, "ios", CUSTOM, ["contoso-ios"]),
    ],
    ids=[
        "defender android",
        "defender ios",
        "standalone android",
        "standalone ios",
        "custom defender android",
        "custom defender ios",
        "custom standalone android",
        "custom standalone ios",
    ],
)
def test_apps_by_platform_and_identifier(
    finder: object, platform: str, config: MigrationConfig, expected: list[str]
) -> None:
    assert [a.id for a in finder(APPS, platform, config)] == expected  # type: ignore[operator]


def test_covered_by_any() -> None:
    t = tenant(
        apps=[
            defender_app("ios", required(G1), required(exclusion("g2")), app_id="store"),
            defender_app("ios", required(G2), uninstall(G3), app_id="vpp", kind="ios-vpp"),
        ]
    )
    apps = migration.defender_apps(t, "ios", DEFAULTS)
    target = {key: Target(TargetKind.GROUP, key) for key in ("g1", "g2", "g3")}
    # Exclusions apply per app: the store copy excludes g2, the VPP copy still offers it.
    assert [migration.covered_by_any(apps, target[k]) for k in ("g1", "g2", "g3")] == [True, True, False]
    assert migration.covered_by_any([], target["g1"]) is False
