"""tunnelcheck.testing, the kit for check authors: its names are pinned, its tenants honour the Source
contract, both forms of Graph JSON read the same, and a check pack's own tests run with the plugin."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import tunnelcheck.checks

import tunnelcheck.testing as kit
from tunnelcheck import migration
from tunnelcheck.check import Check, run_check
from tunnelcheck.config import MigrationConfig
from tunnelcheck.errors import DataUnavailable
from tunnelcheck.model.resources import Resource
from tunnelcheck.sources import snapshot
from tunnelcheck.testing import (
    DEFENDER,
    DEFENDER_APP_ID,
    NO_FILTER,
    Case,
    all_devices,
    all_users,
    android_profile,
    any_target,
    app,
    available,
    available_without_enrollment,
    configuration,
    defender_app,
    defender_profile,
    documented,
    exclusion,
    group_target,
    ios_profile,
    live,
    protect_mode_profile,
    required,
    should_error,
    should_fail,
    should_pass,
    snapshot_document,
    standalone_app,
    standalone_profile,
    tenant,
    uninstall,
)

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tunnelcheck" / "demo" / "contoso.json"
ALL_G = group_target("g-all")

#: The kit's names: a check pack's tests use them, so removing or renaming one is a decision.
KIT = {
    # Graph JSON
    "APP_TYPES", "DEFENDER", "DEFENDER_APP_ID", "NO_FILTER", "STANDALONE", "STANDALONE_APP_ID", "VPN_TYPES",
    "CustomPairs", "Obj", "all_devices", "all_users", "android_profile", "any_target", "app", "app_assignment",
    "app_type", "audit_event", "available", "available_without_enrollment", "configuration",
    "configuration_assignments", "custom_data", "custom_key_value_data", "defender_app", "defender_profile",
    "detected_app", "device_reference", "documented", "exclusion", "graph_object", "graph_type", "group",
    "group_target", "ios_assignment_settings", "ios_profile", "live", "managed_device", "numbered",
    "protect_mode_profile", "required", "server", "site", "standalone_app", "standalone_profile",
    "status_overview", "store_properties", "tunnel_configuration", "uninstall",
    # tenants
    "RESOURCE_ARGS", "InMemorySource", "snapshot_document", "tenant",
    # examples
    "MDE_WANTED", "TUNNEL_ONLY", "Case", "CheckRunner", "params", "should_error", "should_fail", "should_pass",
    "should_skip",
}


def test_the_kit_names_are_pinned() -> None:
    assert set(kit.__all__) == KIT and len(kit.__all__) == len(KIT)
    assert all(hasattr(kit, name) for name in kit.__all__)
    assert all((getattr(kit, name).__doc__ or "").strip() for name in kit.__all__ if callable(getattr(kit, name))
               and not name.isupper() and name not in {"Obj", "CustomPairs"})


def test_the_builders_load_without_pytest() -> None:
    """tunnelcheck synth builds with the kit; neither loads pytest (only the plugin and ``params`` do)."""
    code = "import sys, tunnelcheck.sources.synth, tunnelcheck.testing; assert 'pytest' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- tenants -------------------------------------------------------------------------------------------


def test_in_memory_tenant_not_recorded_resources_are_unavailable() -> None:
    t = tenant(profiles=[], apps=[])
    assert t.profiles == () and t.apps == ()
    with pytest.raises(DataUnavailable) as caught:
        _ = t.groups
    assert (caught.value.resource, caught.value.permission) == ("groups", Resource.GROUPS.permission)
    assert "GroupMember.Read.All" in str(caught.value)


def test_in_memory_tenant_loads_once_and_remembers_errors() -> None:
    t = tenant(profiles=[])
    with pytest.raises(DataUnavailable):
        t.require([Resource.DEVICE_CONFIGURATIONS, Resource.MOBILE_APPS])
    with pytest.raises(DataUnavailable):
        _ = t.apps
    assert t.profiles == ()
    assert t.source.loads == 1  # one round for both; the error is remembered, not fetched again


@pytest.mark.parametrize("build", [lambda: tenant(profile=[]), lambda: snapshot_document(recorded_at="x", app=[])])
def test_unknown_resources_are_refused(build: Any) -> None:
    with pytest.raises(TypeError, match="unknown resources"):
        build()


def test_a_snapshot_document_loads_as_the_in_memory_tenant(tmp_path: Path) -> None:
    profiles = [standalone_profile(group_target("g1"))]
    doc = snapshot_document(recorded_at="2026-11-26T07:00:00Z", tenant_id="t-1", profiles=profiles, groups=[])
    assert list(doc["resources"]) == [Resource.DEVICE_CONFIGURATIONS.value, Resource.GROUPS.value]
    digest = snapshot.write(tmp_path / "t.json", doc)
    loaded = snapshot.load_tenant(tmp_path / "t.json")
    assert loaded.info.sha256 == digest and loaded.info.tenant_id == "t-1"
    assert loaded.profiles == tenant(profiles=profiles).profiles
    with pytest.raises(DataUnavailable, match="not recorded"):
        _ = loaded.apps


# -- the two forms of Graph JSON -----------------------------------------------------------------------


def _types(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "@odata.type"] + [t for v in value.values() for t in _types(v)]
    if isinstance(value, list):
        return [t for v in value for t in _types(v)]
    return []


def test_documented_and_live_forms_convert_both_ways() -> None:
    resources = json.loads(DEMO.read_text("utf-8"))["resources"]
    types = _types(resources)
    assert types and all(t.startswith("#microsoft.graph.") for t in types)
    as_documented = documented(resources)
    assert all(t.startswith("microsoft.graph.") for t in _types(as_documented))
    assert live(as_documented) == resources and documented(as_documented) == as_documented
    assert resources == json.loads(DEMO.read_text("utf-8"))["resources"]  # copies: the input is left alone


def test_every_check_says_the_same_of_both_forms() -> None:
    resources = json.loads(DEMO.read_text("utf-8"))["resources"]
    by_keyword = {name: resources[resource.value] for name, resource in kit.RESOURCE_ARGS.items()}
    as_live = tenant(**by_keyword)
    as_documented = tenant(**documented(copy.deepcopy(by_keyword)))
    config = MigrationConfig(defender_features=False)
    for check in tunnelcheck.checks.pytest_tunnelcheck_checks():
        assert run_check(check, as_live, None, config) == run_check(check, as_documented, None, config), check.id


# -- what the builders build is what the model reads -----------------------------------------------------


def test_profiles_of_each_kind_are_read_as_built() -> None:
    kinds = ("android-device-owner", "android-work-profile", "ios")
    t = tenant(profiles=[
        *(standalone_profile(kind=kind) for kind in kinds), *(defender_profile(kind=kind) for kind in kinds),
        protect_mode_profile(), ios_profile("p-ike", ikev2=True, connection=DEFENDER),
        ios_profile("p-mde-wp", connection="customVpn", identifier=DEFENDER_APP_ID), configuration("p-win"),
    ])
    assert {p.id: (p.kind.value, p.client.value) for p in t.profiles} == {
        "p-do-std": ("android-device-owner", "standalone"), "p-wp-std": ("android-work-profile", "standalone"),
        "p-ios-std": ("ios", "standalone"), "p-do-mde": ("android-device-owner", "defender"),
        "p-wp-mde": ("android-work-profile", "defender"), "p-ios-mde": ("ios", "defender"),
        "p-ios-tte": ("ios", "defender"), "p-ike": ("ios", "defender"),
    }


def test_apps_assignments_and_targets_are_read_as_built() -> None:
    t = tenant(apps=[
        defender_app("android", required(group_target("g1")), uninstall(exclusion("g2"))),
        defender_app("ios", available(all_users(), vpn="p-ios-mde"), kind="ios-vpp"),
        standalone_app("ios", available_without_enrollment(all_devices(filter_type=NO_FILTER)), kind="ios-lob"),
        app("cm", "win32LobApp", assignments=[required(any_target("configurationManagerCollectionAssignmentTarget",
                                                                  collectionId="SMS1"))]),
    ])
    config = MigrationConfig()
    assert [a.id for a in migration.defender_apps(t, "android", config)] == ["app-android-mde"]
    assert [a.id for a in migration.defender_apps(t, "ios", config)] == ["app-ios-mde"]
    assert [a.id for a in migration.standalone_apps(t, "ios", config)] == ["app-ios-tunnel"]
    ios_mde = next(a for a in t.apps if a.id == "app-ios-mde")
    assert [(x.intent.value, x.vpn_configuration_id) for x in ios_mde.assignments] == [("available", "p-ios-mde")]
    assert [a["id"] for a in defender_app("android", required(ALL_G), required(ALL_G))["assignments"]] == [
        "app-android-mde_0", "app-android-mde_1"]


def test_a_property_given_replaces_the_built_one_in_place() -> None:
    profile = android_profile("p", connectionType=None, alwaysOn=True)
    assert list(profile)[:5] == ["@odata.type", "id", "displayName", "connectionType", "customData"]
    assert profile["connectionType"] is None and list(profile)[-1] == "alwaysOn"
    assert group_target("g", filter_id="f")["deviceAndAppManagementAssignmentFilterType"] == "include"
    assert "deviceAndAppManagementAssignmentFilterId" not in group_target("g")


# -- examples ------------------------------------------------------------------------------------------


def _standalone_retired() -> Check:
    return next(c for c in tunnelcheck.checks.pytest_tunnelcheck_checks() if c.id == "TUN-AND-07")


def test_a_wrong_example_says_what_differs() -> None:
    check = _standalone_retired()
    case = should_pass("assigned", tenant(profiles=[standalone_profile(group_target("g1"))]))
    with pytest.raises(AssertionError) as caught:
        case.verify(check)
    text = str(caught.value)
    assert text.startswith("TUN-AND-07 should-pass: assigned: outcome failed, expected passed; "
                           "offending ids ['p-do-std'], expected []")
    assert "FAIL profile p-do-std (p-do-std)" in text


def test_a_right_example_returns_the_verdict() -> None:
    check = _standalone_retired()
    verdict = should_fail("assigned", tenant(profiles=[standalone_profile(group_target("g1"))]), "p-do-std") \
        .verify(check)
    assert verdict.outcome == "failed"
    assert should_error("not recorded", tenant(), Resource.DEVICE_CONFIGURATIONS).verify(check).outcome == "error"


def test_examples_that_say_too_little_are_refused() -> None:
    with pytest.raises(ValueError, match="names its offending objects"):
        should_fail("x", tenant())
    with pytest.raises(ValueError, match="names the resource"):
        should_error("x", tenant())
    assert isinstance(should_pass("x", tenant()), Case)


# -- a check pack's tests, with the plugin -------------------------------------------------------------

ACME_CHECKS = '''
from tunnelcheck import Context, Phase, Platform, Resource, Severity, Verdict, check


@check(id="ACME-01", title="Tunnel profiles follow the naming standard", phase=Phase.PROFILES_CREATED,
       platform=Platform.ANDROID, severity=Severity.LOW, needs=[Resource.DEVICE_CONFIGURATIONS],
       remediation="Rename the profile.")
def profiles_named(ctx: Context) -> Verdict:
    """Every Tunnel profile's name starts with 'Tunnel - '."""
    for profile in ctx.tenant.profiles:
        if profile.display_name.startswith("Tunnel - "):
            ctx.evidence.ok(profile, "displayName", profile.display_name)
        else:
            ctx.evidence.fail(profile, "displayName", profile.display_name, "must start with 'Tunnel - '")
    return ctx.verdict(passed="named", failed="{n} profile(s) misnamed")
'''

ACME_TESTS = '''
import pytest
from acme_checks import profiles_named

from tunnelcheck import Resource
from tunnelcheck.testing import (defender_profile, group_target, params, should_error, should_fail,
                                 should_pass, standalone_profile, tenant)

G1 = group_target("g1")

CASES = {profiles_named: [
    should_pass("named", tenant(profiles=[standalone_profile(G1, name="Tunnel - Sales")])),
    should_pass("no profile", tenant(profiles=[])),
    should_fail("misnamed", tenant(profiles=[standalone_profile(G1, name="Sales"),
                                             defender_profile(G1, kind="ios", name="Tunnel - iOS")]),
                "p-do-std"),
    should_error("not recorded", tenant(), Resource.DEVICE_CONFIGURATIONS),
    CASE_UNDER_TEST
]}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_examples(check, case, check_runner):
    check_runner.verify(check, case)


def test_a_verdict(check_runner):
    verdict = check_runner(profiles_named, tenant(profiles=[standalone_profile(G1, name="Sales")]))
    assert (verdict.outcome, verdict.reason) == ("failed", "1 profile(s) misnamed")
'''

RIGHT = 'should_pass("Defender profile named", tenant(profiles=[defender_profile(G1, name="Tunnel - New")])),'
WRONG = 'should_pass("a wrong example", tenant(profiles=[defender_profile(G1, name="New")])),'


def _pack(pytester: pytest.Pytester, case: str, conftest: bool = True) -> None:
    pytester.makepyfile(acme_checks=ACME_CHECKS, test_acme=ACME_TESTS.replace("CASE_UNDER_TEST", case))
    if conftest:
        pytester.makeconftest('pytest_plugins = ["tunnelcheck.testing"]\n')


def test_a_check_pack_tests_its_check_with_the_plugin(pytester: pytest.Pytester) -> None:
    _pack(pytester, RIGHT)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["*test_examples?ACME-01 should-fail: misnamed? PASSED*",
                                 "*test_examples?ACME-01 should-error: not recorded? PASSED*"])


def test_the_plugin_loads_with_dash_p(pytester: pytest.Pytester) -> None:
    _pack(pytester, RIGHT, conftest=False)
    pytester.runpytest().assert_outcomes(errors=6)  # no check_runner fixture without the plugin
    pytester.runpytest("-p", "tunnelcheck.testing").assert_outcomes(passed=6)


def test_a_wrong_example_fails_the_pack_test_saying_why(pytester: pytest.Pytester) -> None:
    _pack(pytester, WRONG)
    result = pytester.runpytest()
    result.assert_outcomes(passed=5, failed=1)
    text = result.stdout.str()
    assert ("E       AssertionError: ACME-01 should-pass: a wrong example: outcome failed, expected passed; "
            "offending ids ['p-do-mde'], expected []\n"
            "E       reason: 1 profile(s) misnamed\n"
            "E         FAIL profile New (p-do-mde): displayName = New: must start with 'Tunnel - '\n") in text
    assert "tunnelcheck/testing/cases.py" not in text  # the pack's test is shown, not the kit's code


def test_check_runner_refuses_what_is_not_a_check(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["tunnelcheck.testing"]\n')
    pytester.makepyfile(test_x=textwrap.dedent('''
        import pytest
        from tunnelcheck.testing import tenant

        def test_not_a_check(check_runner):
            with pytest.raises(TypeError, match="declare it with tunnelcheck.check"):
                check_runner(lambda ctx: None, tenant())
    '''))
    pytester.runpytest().assert_outcomes(passed=1)
