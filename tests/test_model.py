"""tunnelcheck.model: raw Graph JSON to typed objects; unknown wire values kept, malformed data placed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from tunnelcheck.checks.cleanup import android_standalone_profiles_retired

from tunnelcheck import model
from tunnelcheck.check import run_check
from tunnelcheck.config import MigrationConfig
from tunnelcheck.errors import MalformedData, MalformedResource
from tunnelcheck.model import (
    ALL,
    AppKind,
    ConnectionType,
    Coverage,
    Intent,
    ProfileKind,
    Target,
    TargetKind,
)
from tunnelcheck.testing import (
    DEFENDER,
    STANDALONE,
    all_devices,
    all_users,
    android_profile,
    app,
    app_assignment,
    configuration,
    exclusion,
    group_target,
    ios_profile,
    required,
    tenant,
    uninstall,
)

G = "#microsoft.graph."


def parse_profiles(*items: Any) -> tuple[model.TunnelProfile, ...]:
    return model.parse_device_configurations(list(items), "configs").profiles.items


def parse_profile(item: dict[str, Any]) -> model.TunnelProfile:
    (profile,) = parse_profiles(item)
    return profile


def parse_app(item: dict[str, Any]) -> model.MobileApp:
    (parsed,) = model.parse_mobile_apps([item], "apps").items
    return parsed


def target(raw: dict[str, Any]) -> Target:
    """The model Target of a raw target, parsed through an app assignment."""
    return parse_app(app("a", assignments=[required(raw)])).assignments[0].target


# -- wire enums --------------------------------------------------------------------------------------


def test_unknown_enum_value_is_kept_as_unknown_member() -> None:
    future = ConnectionType("futureValue")
    assert future.known is False
    assert future.value == "futureValue" and str(future) == "futureValue"
    assert future == ConnectionType("futureValue")  # compared by wire value
    assert future not in (ConnectionType.MICROSOFT_TUNNEL, ConnectionType.MICROSOFT_PROTECT)


def test_known_enum_value_is_the_member() -> None:
    assert ConnectionType("microsoftTunnel") is ConnectionType.MICROSOFT_TUNNEL
    assert ConnectionType.MICROSOFT_PROTECT.known is True


def test_non_string_is_not_an_enum_value() -> None:
    with pytest.raises(ValueError):
        ConnectionType(7)


@pytest.mark.parametrize(
    ("intent", "offered"),
    [
        ("required", True),
        ("available", True),
        ("availableWithoutEnrollment", True),
        ("uninstall", False),
        ("futureIntent", False),
    ],
)
def test_intent_offered(intent: str, offered: bool) -> None:
    assert Intent(intent).offered is offered


# -- targets and coverage ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "include", "excl", "key"),
    [
        (group_target("g1"), TargetKind.GROUP, True, False, "g1"),
        (exclusion("g1"), TargetKind.EXCLUSION_GROUP, False, True, "g1"),
        (all_devices(), TargetKind.ALL_DEVICES, True, False, ALL),
        (all_users(), TargetKind.ALL_USERS, True, False, ALL),
        (  # not a type tunnelcheck understands: an include only an identical target covers (docs/terms.md)
            {"@odata.type": G + "configurationManagerCollectionAssignmentTarget", "collectionId": "c"},
            TargetKind.CONFIGURATION_MANAGER,
            True,
            False,
            '?microsoft.graph.configurationmanagercollectionassignmenttarget{"collectionId":"c"}',
        ),
        (  # a target type Graph adds later counts as assigned: cleanup checks fail rather than pass
            {"@odata.type": G + "futureTarget"},
            TargetKind(G + "futureTarget"),
            True,
            False,
            "?microsoft.graph.futuretarget",
        ),
    ],
    ids=["group", "exclusion", "all-devices", "all-users", "config-manager", "unknown"],
)
def test_target_kinds(raw: dict[str, Any], kind: TargetKind, include: bool, excl: bool, key: str) -> None:
    parsed = target(raw)
    assert (parsed.kind, parsed.is_include, parsed.is_exclusion, parsed.key) == (kind, include, excl, key)


GROUP_1, GROUP_2 = Target(TargetKind.GROUP, "g1"), Target(TargetKind.GROUP, "g2")
EXCL_1 = Target(TargetKind.EXCLUSION_GROUP, "g1")
DEVICES, USERS = Target(TargetKind.ALL_DEVICES), Target(TargetKind.ALL_USERS)


@pytest.mark.parametrize(
    ("targets", "exclusions", "checked", "covered"),
    [
        ([GROUP_1], [], GROUP_1, True),
        ([GROUP_2], [], GROUP_1, False),
        ([], [], GROUP_1, False),
        ([GROUP_1, EXCL_1], [], GROUP_1, False),
        ([GROUP_1], [EXCL_1], GROUP_1, False),
        ([DEVICES], [], GROUP_1, True),
        ([USERS], [], GROUP_1, True),
        ([DEVICES, EXCL_1], [], GROUP_1, False),
        ([DEVICES, EXCL_1], [], GROUP_2, True),
        ([GROUP_1], [], DEVICES, False),
        ([DEVICES], [], DEVICES, True),
        ([USERS], [], DEVICES, True),
        ([DEVICES], [], USERS, True),
        ([DEVICES, EXCL_1], [], USERS, True),
        ([EXCL_1], [], GROUP_1, False),
    ],
    ids=[
        "same group",
        "other group",
        "nothing",
        "exclusion beats include",
        "exclusion given apart",
        "all devices covers a group",
        "all users covers a group",
        "all minus excluded group",
        "all minus another group",
        "group does not cover ALL",
        "ALL covers ALL",
        "all users covers all devices (ALL)",
        "all devices covers all users (ALL)",
        "group exclusions do not touch ALL",
        "an exclusion alone covers nothing",
    ],
)
def test_covers(targets: list[Target], exclusions: list[Target], checked: Target, covered: bool) -> None:
    assert Coverage.of(targets, exclusions).covers(checked) is covered


def test_target_describe_uses_group_names() -> None:
    assert GROUP_1.describe({"g1": "Sales"}) == "group Sales (g1)"
    assert EXCL_1.describe() == "excluded group g1"
    assert (DEVICES.describe(), USERS.describe()) == ("all devices", "all licensed users")


# -- device configurations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (android_profile("p", kind="android-device-owner"), ProfileKind.ANDROID_DEVICE_OWNER),
        (android_profile("p", kind="android-work-profile"), ProfileKind.ANDROID_WORK_PROFILE),
        (ios_profile("p"), ProfileKind.IOS),
        (ios_profile("p", ikev2=True), ProfileKind.IOS),
    ],
    ids=["device-owner", "work-profile", "ios", "ios-ikev2"],
)
@pytest.mark.parametrize("connection", [STANDALONE, DEFENDER])
def test_tunnel_profile_kinds(raw: dict[str, Any], kind: ProfileKind, connection: str) -> None:
    profile = parse_profile(dict(raw, connectionType=connection))
    assert profile.kind is kind
    assert (profile.standalone, profile.defender) == (connection == STANDALONE, connection == DEFENDER)
    assert profile.platform == ("ios" if kind is ProfileKind.IOS else "android")


@pytest.mark.parametrize(
    "raw",
    [
        ios_profile("p", connection="customVpn", identifier="com.microsoft.scmx"),
        android_profile("p", connection="ciscoAnyConnect"),
        android_profile("p", connection="futureConnection"),
        dict(android_profile("p"), **{"@odata.type": G + "androidForWorkVpnConfiguration"}),
        configuration("p", connectionType=STANDALONE),
    ],
    ids=[
        "mde-web-protection",
        "other-vpn",
        "unknown-connection",
        "android-for-work",
        "not-a-vpn",
    ],
)
def test_not_a_tunnel_profile_is_still_a_configuration(raw: dict[str, Any]) -> None:
    parsed = model.parse_device_configurations([raw], "configs")
    assert [c.id for c in parsed.configurations] == ["p"]
    assert parsed.profiles.items == () and parsed.profiles.unclassified == ()


def test_non_tunnel_vpn_profiles_are_not_parsed_further() -> None:
    """A non-Tunnel profile needs no assignments: nothing about it can fail the parse of the tenant."""
    raw = {k: v for k, v in ios_profile("p", connection="customVpn").items() if k != "assignments"}
    assert model.parse_device_configurations([raw], "configs").profiles.items == ()


def test_profile_targets_and_assigned() -> None:
    profile = parse_profile(android_profile("p", targets=[group_target("g1"), exclusion("g2"), all_users()]))
    assert [t.key for t in profile.targets] == ["g1", "g2", ALL]
    assert [t.key for t in profile.includes] == ["g1", ALL]
    assert profile.assigned is True
    assert profile.coverage == Coverage(frozenset({"g1", ALL}), frozenset({"g2"}))
    assert parse_profile(android_profile("p", targets=[exclusion("g2")])).assigned is False


def test_custom_settings_merge_both_arrays() -> None:
    custom = parse_profile(
        android_profile(
            "p",
            custom=[("DefenderToggle", " 0 "), ("antiphishing", "1")],
            custom_kv=[("defendertoggle", "0"), ("VPN", "1")],
        )
    ).custom
    assert dict(custom.values) == {"defendertoggle": "0", "antiphishing": "1", "vpn": "1"}
    assert custom.get("DEFENDERTOGGLE") == "0" and "Vpn" in custom and "tunnelonly" not in custom
    assert custom.get("TunnelOnly") is None
    assert dict(custom.conflicts) == {}
    assert custom.names["defendertoggle"] == "DefenderToggle"  # as first written, for evidence


def test_custom_settings_conflict_records_every_value() -> None:
    custom = parse_profile(
        android_profile(
            "p",
            custom=[("defendertoggle", "1"), ("defendertoggle", "0")],
            custom_kv=[("DEFENDERTOGGLE", " 2")],
        )
    ).custom
    assert dict(custom.conflicts) == {"defendertoggle": ("0", "1", "2")}
    assert custom.get("defendertoggle") == "1"  # the first value is kept


def test_custom_settings_skip_entries_without_a_key_or_a_value() -> None:
    """A null (or missing) value counts as absent (docs/terms.md): Microsoft's Tunnel test environment
    writes MicrosoftDefenderAppSettings = null. Before, it read as "" and failed TUN-AND-05 as invalid."""
    raw = android_profile("p")
    raw["customData"] = [{"key": None, "value": "1"}, {"key": "", "value": "2"}, {"key": "vpn"},
                         {"key": "defendertoggle", "value": None}, {"key": "defendertoggle", "value": "0"}]
    custom = parse_profile(raw).custom
    assert dict(custom.values) == {"defendertoggle": "0"} and dict(custom.conflicts) == {}


def test_a_padded_key_is_not_the_setting() -> None:
    """A key with surrounding whitespace may not be read by the client: kept apart, and a problem for
    whoever reads that setting (before, it was merged into the setting)."""
    custom = parse_profile(android_profile("p", custom=[(" TunnelOnly", "true")], custom_kv=[("vpn", "1")])).custom
    assert custom.get("TunnelOnly") is None and "tunnelonly" not in custom.values
    assert custom.problems("tunnelonly") == [("key has surrounding whitespace", ("' TunnelOnly'",))]
    assert custom.problems("vpn") == []


def test_boolean_values_differing_only_in_case_do_not_conflict() -> None:
    custom = parse_profile(ios_profile("p", custom=[("TunnelOnly", "True"), ("tunnelonly", "true"),
                                                    ("defendertoggle", "A"), ("defendertoggle", "a")])).custom
    assert "tunnelonly" not in custom.conflicts  # a boolean key: the same value
    assert custom.conflicts["defendertoggle"] == ("A", "a")  # not a boolean key: two values


def test_profile_settings() -> None:
    raw = android_profile(
        "p",
        connection=DEFENDER,
        microsoftTunnelSiteId="site-1",
        alwaysOn=True,
        proxyServer={"address": "proxy", "port": 8080, "automaticConfigurationScriptUrl": ""},
        targetedPackageIds=["com.a"],
        targetedMobileApps=[{"appId": "com.b"}, {"appId": None}, {"name": "x"}],
        createdDateTime="2026-11-24T14:00:00.1234567Z",
        deviceStatusOverview={"successCount": 3, "errorCount": 1, "failedCount": None},
    )
    profile = parse_profile(raw)
    assert profile.site_id == "site-1"
    assert (profile.always_on, profile.always_on_lockdown) == (True, False)
    assert profile.proxy == model.Proxy("proxy", 8080, None)
    assert profile.per_app == {"com.a", "com.b"}
    assert profile.created == datetime(2026, 11, 24, 14, 0, 0, 123456, tzinfo=timezone.utc)
    assert profile.status == model.StatusOverview(
        success=3, pending=0, error=1, failed=0, conflict=0, not_applicable=0
    )
    assert profile.raw is raw


def test_ios_profile_settings() -> None:
    rule_a = {"action": "connect", "domains": ["a"]}
    profile = parse_profile(
        ios_profile(
            "p",
            associatedDomains=["contoso.com"],
            safariDomains=[],
            onDemandRules=[rule_a],
            microsoftTunnelSiteId="",
        )
    )
    assert profile.associated_domains == {"contoso.com"} and profile.safari_domains == frozenset()
    assert profile.on_demand_rules == {model.canonical_json({"domains": ["a"], "action": "connect"})}
    assert (
        profile.site_id is None and profile.status is None and profile.proxy == model.Proxy(None, None, None)
    )


# -- apps --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "identifiers"),
    [
        (app("a", "android", "com.x"), AppKind.ANDROID_MANAGED_STORE, {"com.x"}),
        (app("a", "android", "com.x", field="appIdentifier"), AppKind.ANDROID_MANAGED_STORE, {"com.x"}),
        (
            app("a", "android", "com.x", appIdentifier="com.y"),
            AppKind.ANDROID_MANAGED_STORE,
            {"com.x", "com.y"},
        ),
        (app("a", "android", "com.x", bundleId="com.z"), AppKind.ANDROID_MANAGED_STORE, {"com.x"}),
        (app("a", "ios-store", "com.x"), AppKind.IOS_STORE, {"com.x"}),
        (app("a", "ios-vpp", "com.x"), AppKind.IOS_VPP, {"com.x"}),
        (app("a", "ios-lob", "com.x", packageId="com.p"), AppKind.IOS_LOB, {"com.x"}),
        (app("a", "ios-store"), AppKind.IOS_STORE, set()),
    ],
    ids=[
        "packageId",
        "appIdentifier",
        "both android ids",
        "android ignores bundleId",
        "ios store",
        "ios vpp",
        "ios lob ignores packageId",
        "no identifier",
    ],
)
def test_app_kinds_and_identifiers(raw: dict[str, Any], kind: AppKind, identifiers: set[str]) -> None:
    parsed = parse_app(raw)
    assert (parsed.kind, parsed.identifiers) == (kind, identifiers)


def test_apps_of_other_platforms_are_left_out() -> None:
    """Windows, macOS, web links…: nothing the migration touches, whatever their shape."""
    apps = model.parse_mobile_apps(
        [
            {"@odata.type": G + "win32LobApp", "id": "w"},
            {"@odata.type": G + "managedAndroidStoreApp", "id": "v1", "assignments": 5},
            app("a", "android", "com.x"),
        ],
        "apps",
    )
    assert [a.id for a in apps.items] == ["a"] and apps.unclassified == ()


def test_app_assignments() -> None:
    parsed = parse_app(
        app(
            "a",
            "ios-store",
            "com.x",
            assignments=[
                required(group_target("g1"), vpn="p-mde"),
                uninstall(group_target("g2")),
                app_assignment("available", all_devices()),
                dict(app_assignment("available", exclusion("g3")), settings={"vpnConfigurationId": ""}),
            ],
        )
    )
    assert [(a.intent, a.target.key, a.vpn_configuration_id) for a in parsed.assignments] == [
        (Intent.REQUIRED, "g1", "p-mde"),
        (Intent.UNINSTALL, "g2", None),
        (Intent.AVAILABLE, ALL, None),
        (Intent.AVAILABLE, "g3", None),
    ]
    assert parsed.offered_coverage == Coverage(frozenset({"g1", ALL}), frozenset({"g3"}))
    assert parsed.uninstall_coverage == Coverage(frozenset({"g2"}))


def test_exclusions_of_any_intent_exclude_from_offered_coverage() -> None:
    parsed = parse_app(app("a", assignments=[required(all_devices()), uninstall(exclusion("g1"))]))
    assert not parsed.offered_coverage.covers(GROUP_1)
    assert parsed.offered_coverage.covers(GROUP_2)


# -- other resources ---------------------------------------------------------------------------------


def test_sites_configurations_devices_detected_apps_audit_events() -> None:
    (site,) = model.parse_tunnel_sites(
        [
            {
                "id": "s",
                "displayName": "EU",
                "microsoftTunnelConfiguration": {"id": "c"},
                "microsoftTunnelServers": [
                    {"id": "v", "displayName": "v1", "tunnelServerHealthStatus": "healthy"},
                    {"id": "w", "tunnelServerHealthStatus": "futureState"},
                    {"id": "x"},
                ],
            }
        ],
        "sites",
    )
    assert site.configuration_id == "c"
    assert [(s.health.value, s.health.known) for s in site.servers] == [
        ("healthy", True),
        ("futureState", False),
        ("unknown", True),
    ]
    (conf,) = model.parse_tunnel_configurations([{"id": "c", "disableUdpConnections": True}], "confs")
    assert conf.disable_udp is True
    (detected,) = model.parse_detected_apps(
        [
            {
                "id": "d",
                "displayName": "Microsoft Tunnel",
                "deviceCount": 2,
                "managedDevices": [{"id": "m", "deviceName": "PIXEL"}],
            }
        ],
        "detected",
    ).items
    assert (detected.device_count, detected.devices[0].device_name) == (2, "PIXEL")
    (event,) = model.parse_audit_events(
        [
            {
                "id": "e",
                "activityType": "Patch",
                "activityDateTime": "2026-01-02T03:04:05Z",
                "resources": [{"resourceId": "app"}, {"resourceId": ""}],
            }
        ],
        "events",
    )
    assert (event.activity_time, event.resource_ids) == (
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        {"app"},
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24T14:00:00Z", datetime(2026, 11, 24, 14, tzinfo=timezone.utc)),
        ("2026-11-24T14:00:00.1234567Z", datetime(2026, 11, 24, 14, 0, 0, 123456, tzinfo=timezone.utc)),
        ("2026-11-24T14:00:00", datetime(2026, 11, 24, 14, tzinfo=timezone.utc)),
        ("2026-11-24T16:00:00+02:00", datetime(2026, 11, 24, 16, tzinfo=timezone(timedelta(hours=2)))),
    ],
    ids=["Z", "7 fractional digits", "naive is UTC", "offset"],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    assert model.parse_datetime(text, "x") == expected


# -- malformed data ----------------------------------------------------------------------------------


def _without(raw: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k != key}


def _profile(**raw: Any) -> list[dict[str, Any]]:
    """One Android Tunnel profile with ``raw`` properties set as given."""
    return [dict(android_profile("p"), **raw)]


CONFIGS, APPS = model.parse_device_configurations, model.parse_mobile_apps
NO_GROUP_ID = {"@odata.type": G + "groupAssignmentTarget"}


@pytest.mark.parametrize(
    ("parse", "items", "place", "message"),
    [
        (CONFIGS, {"id": "p"}, "r", "expected a list, got an object"),
        (CONFIGS, ["p"], "r[0]", "expected an object, got a string"),
        (CONFIGS, [configuration("a"), _without(configuration("b"), "id")], "r[1].id", "missing"),
        (
            CONFIGS,
            [dict(configuration("a"), displayName=3)],
            "r[0].displayName",
            "expected a string, got a number",
        ),
        (CONFIGS, [_without(android_profile("p"), "assignments")], "r[0].assignments", "missing"),
        (
            CONFIGS,
            [android_profile("p", targets=[NO_GROUP_ID])],
            "r[0].assignments[0].target.groupId",
            "missing",
        ),
        (
            CONFIGS,
            [android_profile("p", targets=[exclusion("")])],
            "r[0].assignments[0].target.groupId",
            "missing",
        ),
        (CONFIGS, _profile(assignments=[{"id": "x"}]), "r[0].assignments[0].target", "missing"),
        (
            CONFIGS,
            _profile(customData=["defendertoggle=0"]),
            "r[0].customData[0]",
            "expected an object, got a string",
        ),
        (
            CONFIGS,
            _profile(customKeyValueData=[{"name": "vpn", "value": 1}]),
            "r[0].customKeyValueData[0].value",
            "expected a string, got a number",
        ),
        (
            CONFIGS,
            _profile(targetedPackageIds=["a", 2]),
            "r[0].targetedPackageIds[1]",
            "expected a string, got a number",
        ),
        (CONFIGS, _profile(alwaysOn="yes"), "r[0].alwaysOn", "expected a boolean, got a string"),
        (
            CONFIGS,
            _profile(proxyServer={"port": "8080"}),
            "r[0].proxyServer.port",
            "expected an integer, got a string",
        ),
        (
            CONFIGS,
            _profile(deviceStatusOverview={"errorCount": True}),
            "r[0].deviceStatusOverview.errorCount",
            "expected an integer, got a boolean",
        ),
        (
            CONFIGS,
            _profile(createdDateTime="yesterday"),
            "r[0].createdDateTime",
            "expected an ISO 8601 date-time, got 'yesterday'",
        ),
        (APPS, [_without(app("a"), "assignments")], "r[0].assignments", "missing"),
        (
            APPS,
            [app("a", assignments=[{"target": group_target("g")}])],
            "r[0].assignments[0].intent",
            "missing",
        ),
        (
            APPS,
            [app("a", assignments=[dict(required(group_target("g")), settings=[])])],
            "r[0].assignments[0].settings",
            "expected an object, got a list",
        ),
        (APPS, [app("a", "android", 5)], "r[0].packageId", "expected a string, got a number"),
        (model.parse_tunnel_sites, [{"id": "s"}], "r[0].microsoftTunnelServers", "missing"),
        (
            model.parse_detected_apps,
            [{"id": "d", "deviceCount": 1.5, "managedDevices": []}],
            "r[0].deviceCount",
            "expected an integer, got a number",
        ),
        (model.parse_groups, [{"id": None}], "r[0].id", "missing"),
    ],
)
def test_malformed_data_names_the_place(parse: Any, items: Any, place: str, message: str) -> None:
    with pytest.raises(MalformedData) as caught:
        parse(items, "r")
    assert (caught.value.place, caught.value.message) == (place, message)
    assert str(caught.value) == f"{place}: {message}"


def test_malformed_resource_makes_a_check_error_naming_the_place_and_permission() -> None:
    broken = tenant(profiles=[configuration("ok"), _without(android_profile("p"), "assignments")])
    with pytest.raises(MalformedResource) as caught:
        _ = broken.profiles
    assert caught.value.error.place == "deviceManagement/deviceConfigurations[1].assignments"
    verdict = run_check(android_standalone_profiles_retired, broken, None, MigrationConfig())
    assert verdict.outcome == "error"
    assert "deviceManagement/deviceConfigurations[1].assignments: missing" in verdict.reason
    assert "DeviceManagementConfiguration.Read.All" in verdict.reason
    assert verdict.evidence == ()


# --- Found in review: targets and intents that must never read as "not assigned" ---------------------

def _profile_with(assignments: list[dict]) -> dict:
    return {"@odata.type": "#microsoft.graph.androidDeviceOwnerVpnConfiguration", "id": "p1",
            "connectionType": "microsoftTunnel", "assignments": assignments}


def test_a_target_without_odata_type_is_malformed() -> None:
    from tunnelcheck.errors import MalformedData
    from tunnelcheck.model import parse_device_configurations

    with pytest.raises(MalformedData, match=r"r\[0\]\.assignments\[0\]\.target\.@odata\.type: missing"):
        parse_device_configurations([_profile_with([{"id": "a", "target": {"groupId": "g1"}}])], "r")


def test_an_unknown_target_type_counts_as_assigned_and_covers_only_itself() -> None:
    from tunnelcheck.model import Coverage, Target, TargetKind, parse_device_configurations

    future = {"@odata.type": "#microsoft.graph.someFutureAssignmentTarget"}
    (profile,) = parse_device_configurations([_profile_with([{"id": "a", "target": future}])], "r").profiles.items
    assert profile.assigned
    (target,) = profile.includes
    assert not Coverage.of([Target(TargetKind.GROUP, "g1")]).covers(target)
    # Whom it reaches is unknown: not even ALL covers it, only the same type (docs/terms.md "Targets").
    assert not Coverage.of([Target(TargetKind.ALL_DEVICES)]).covers(target)
    assert Coverage.of([Target(TargetKind("microsoft.graph.SOMEFUTUREAssignmentTarget"))]).covers(target)
    assert target.describe() == "unknown target type someFutureAssignmentTarget"


def test_a_remove_assignment_neither_assigns_nor_covers() -> None:
    from tunnelcheck.model import parse_device_configurations

    remove = {"id": "a", "intent": "remove", "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget",
                                                         "groupId": "g1"}}
    (profile,) = parse_device_configurations([_profile_with([remove])], "r").profiles.items
    assert not profile.assigned and profile.targets == ()
