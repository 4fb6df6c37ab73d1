"""Verdicts on real Graph shapes (issue 10): snapshots built from Graph's documented example responses and
the bodies Microsoft's Tunnel test environment posts (``shapes.py`` cites every source), loaded the way
``pytest --snapshot`` loads them (``tunnelcheck.sources.snapshot.write`` seals the file, ``load_tenant`` reads and
parses it), and every check of the catalog (docs/checks.md) pinned to the outcome its rule gives, with the exact set of
offending object ids for a failure. Each pin says, beside it, why the rule gives that verdict.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import shapes as s

from tunnelcheck.check import Verdict, run_check
from tunnelcheck.config import MigrationConfig
from tunnelcheck.registry import Catalog
from tunnelcheck.sources import snapshot
from tunnelcheck.tenant import Tenant

#: Every check of the catalog (docs/checks.md).
CHECK_IDS = frozenset({
    "TUN-AND-01", "TUN-AND-02", "TUN-IOS-01", "TUN-AND-03", "TUN-IOS-02", "TUN-AND-05", "TUN-IOS-04",
    "TUN-IOS-05", "TUN-AND-07", "TUN-IOS-07", "TUN-AND-08", "TUN-IOS-08",
    "TUN-GW-01", "TUN-GW-02", "TUN-GW-03", "TUN-GW-04", "TUN-AND-04", "TUN-AND-06", "TUN-IOS-03",
    "TUN-DEV-02", "TUN-IOS-06", "TUN-DEV-01", "TUN-DRIFT-01", "TUN-DRIFT-02",
})

MDE_WANTED = MigrationConfig(defender_features=True)
TUNNEL_ONLY = MigrationConfig(defender_features=False)
UNSET = MigrationConfig()


@dataclass(frozen=True)
class Pin:
    outcome: str  # passed | failed | skipped | error
    why: str
    offenders: frozenset[str] = frozenset()


def passed(why: str) -> Pin:
    return Pin("passed", why)


def skipped(why: str) -> Pin:
    return Pin("skipped", why)


def failed(why: str, *offenders: str) -> Pin:
    assert offenders, "a failure names its offending objects"
    return Pin("failed", why, frozenset(offenders))


# ---------------------------------------------------------------------------------------------------
# Mid-migration (shapes.tenant_mid), with --baseline shapes.tenant_before, Defender features wanted.

MID: dict[str, Pin] = {
    # inventory
    "TUN-GW-01": failed("the second server reports unknownFutureValue, which is not healthy", s.SERVER_2),
    "TUN-GW-02": passed("every assigned Tunnel profile names the documented site"),
    "TUN-GW-03": passed("the site embeds its configuration whole in the baseline and as {id} now: compared by id; "
                        "upgradeAvailable, lastUpdateDateTime and the servers' health are ignored"),
    "TUN-GW-04": failed("the documented configuration has disableUdpConnections true while standalone profiles "
                        "are assigned", s.CONFIGURATION),
    # defender-deployed
    "TUN-AND-01": passed("the Android Defender app (packageId com.microsoft.scmx) exists"),
    "TUN-AND-02": failed("Defender is offered to all licensed users, but the corporate group is excluded by a "
                         "documented-form exclusionGroupAssignmentTarget (no '#')", s.G_AND_DO),
    "TUN-IOS-01": passed("the iOS Defender store app is required for the iOS group, the only iOS Tunnel target"),
    # profiles-created
    "TUN-AND-03": failed("no android-device-owner Defender profile covers the corporate group; the BYOD group "
                         "is covered by TTE's work-profile profile", s.G_AND_DO),
    "TUN-IOS-02": passed("the iOS group is covered by TTE's profile (microsoftTunnel + MSTunnelProtectMode=1 is "
                         "a Defender profile) and by the docs profile with microsoftProtect"),
    "TUN-AND-04": passed("TTE's work-profile replacement keeps the site; alwaysOn, lockdown and proxy are absent "
                         "on both sides (absent = false/none); the old per-app set is empty"),
    "TUN-AND-05": passed("MDE wanted: TTE's work-profile profile has no defendertoggle; its "
                         "MicrosoftDefenderAppSettings = null is a key no check reads (and null is absent)"),
    "TUN-AND-06": skipped("no assigned work-profile Defender profile has a per-app VPN list"),
    "TUN-IOS-03": failed("TTE's replacement lacks the recorded enablePerApp, providerType, proxy, domains and "
                         "on-demand rule; the docs replacement keeps them (its rule writes the properties the "
                         "baseline lacks as notConfigured / [], the same rule)", s.P_IOS_TTE),
    "TUN-IOS-04": passed("MDE wanted: TunnelOnly is absent from both iOS Defender profiles; MSTunnelProtectMode "
                         "and the docs' 'Key value'/'Name value' are keys TUN-IOS-04 does not validate"),
    "TUN-DEV-02": failed("TTE's iOS Defender profile carries the documented deviceStatusOverview: 10 errors + 11 "
                         "failed + 13 conflicts > 0", s.P_IOS_TTE),
    # apps-reassigned
    "TUN-IOS-05": failed("the third per-app VPN app still names the standalone profile (now and in the "
                         "baseline, with no Defender assignment for the same target and intent)", s.APP_STORE_3),
    "TUN-IOS-06": failed("the VPP app was reassigned 9 min 58 s after the Defender profile was created "
                         "(< 10 min); the store app exactly 10 min after is in time; the VPP app's assign event "
                         "before the profile existed is not the reassignment", s.APP_VPP),
    # cleanup
    "TUN-AND-07": failed("both Android standalone profiles are still assigned", s.P_AND_DO_STD, s.P_AND_WP_STD),
    "TUN-IOS-07": failed("the iOS standalone profile is still assigned (TTE's profile is a Defender profile)",
                         s.P_IOS_STD),
    "TUN-AND-08": failed("the Android standalone app is still required for the corporate group, which the "
                         "baseline offered and no uninstall covers", s.APP_AND_TUNNEL),
    "TUN-IOS-08": passed("the iOS standalone app's uninstall covers the group the baseline offered it to; "
                         "nothing offers it"),
    "TUN-DEV-01": failed("devices list the standalone app under 'Microsoft Tunnel' (ios) and under its package "
                         "id com.microsoft.tunnel (androidWorkProfile, androidDedicatedAndFullyManaged)",
                         s.DEV_IPHONE, s.DEV_WP_1, s.DEV_WP_2, s.DEV_DO_1),
    # drift
    "TUN-DRIFT-01": failed("three Defender profiles were added since the baseline", s.P_IOS_TTE, s.P_IOS_MDE,
                           s.P_AND_WP_TTE),
    "TUN-DRIFT-02": failed("both Defender apps were added; both standalone apps' intents changed; two per-app "
                           "VPN apps now name the Defender profile", s.APP_AND_MDE, s.APP_IOS_MDE,
                           s.APP_AND_TUNNEL, s.APP_IOS_TUNNEL, s.APP_VPP, s.APP_STORE_2),
}

# The same tenant without --baseline: what needs the baseline is skipped; the rest is decided on the
# current tenant alone.
MID_NO_BASELINE: dict[str, Pin] = {
    **MID,
    "TUN-GW-03": skipped("needs --baseline"),
    "TUN-IOS-05": failed("the third per-app VPN app names the standalone profile", s.APP_STORE_3),
    "TUN-IOS-06": skipped("needs --baseline"),
    "TUN-AND-08": failed("the Android standalone app is still required for the corporate group", s.APP_AND_TUNNEL),
    "TUN-IOS-08": passed("the iOS standalone app has an uninstall assignment with an include target and no "
                         "offered one"),
    "TUN-DRIFT-01": skipped("needs --baseline"),
    "TUN-DRIFT-02": skipped("needs --baseline"),
}

# ---------------------------------------------------------------------------------------------------
# After cleanup (shapes.tenant_after), with --baseline shapes.tenant_before, Defender features wanted.

AFTER: dict[str, Pin] = {
    "TUN-GW-01": passed("both servers are healthy"),
    "TUN-GW-02": passed("every assigned Tunnel profile names the site (the kept standalone profile is not "
                        "assigned: its only assignment has intent remove)"),
    "TUN-GW-03": passed("configuration embedded whole in the baseline, as {id} now: compared by id; "
                        "upgradeAvailable and lastUpdateDateTime ignored"),
    "TUN-GW-04": passed("UDP is disabled but no standalone profile is assigned: the kept one's assignment has "
                        "intent remove, TTE's iOS profile is a Defender profile"),
    "TUN-AND-01": passed("the Android Defender app exists"),
    "TUN-AND-02": passed("Defender is offered to all licensed users with no exclusion: both baseline migration "
                         "targets and both Defender profile targets are covered"),
    "TUN-IOS-01": passed("the iOS Defender app is required for the iOS group"),
    "TUN-AND-03": passed("the baseline's corporate and BYOD targets are covered by the docs device-owner "
                         "microsoftProtect profile and TTE's work-profile profile"),
    "TUN-IOS-02": passed("the baseline's iOS target is covered by both iOS Defender profiles"),
    "TUN-AND-04": passed("both Android replacements keep the baseline settings (site; no always-on, proxy or "
                         "per-app list on either side)"),
    "TUN-AND-05": passed("MDE wanted: no Android Defender profile sets defendertoggle"),
    "TUN-AND-06": skipped("no assigned work-profile Defender profile has a per-app VPN list"),
    "TUN-IOS-03": failed("TTE's replacement still lacks the recorded per-app settings of the baseline's "
                         "standalone profile", s.P_IOS_TTE),
    "TUN-IOS-04": passed("MDE wanted: TunnelOnly absent from both iOS Defender profiles"),
    "TUN-DEV-02": passed("every assigned Defender profile reports 0 errors, failures and conflicts"),
    "TUN-IOS-05": passed("every current per-app VPN assignment names the Defender profile, and each baseline "
                         "assignment has a Defender assignment for the same app, target and intent"),
    "TUN-IOS-06": failed("the VPP app's reassignment stays 9 min 58 s after the profile was created; the two "
                         "store apps waited 10 min and 2 h", s.APP_VPP),
    "TUN-AND-07": passed("the kept Android standalone profile's only assignment has intent remove: not assigned"),
    "TUN-IOS-07": passed("no iOS standalone profile is left (TTE's profile is a Defender profile)"),
    "TUN-AND-08": passed("the Android standalone app's uninstall covers both groups the baseline offered it to; "
                         "nothing offers it"),
    "TUN-IOS-08": passed("the iOS standalone app's uninstall covers the baseline's group"),
    "TUN-DEV-01": failed("com.microsoft.tunnel on androidDedicatedAndFullyManaged counts 1 device but lists "
                         "none (the one on androidWorkProfile counts 0)", s.DA_DO),
    "TUN-DRIFT-01": failed("two standalone profiles removed, the kept one's assignment changed to remove, four "
                           "Defender profiles added", s.P_IOS_STD, s.P_AND_WP_STD, s.P_AND_DO_STD, s.P_IOS_TTE,
                           s.P_IOS_MDE, s.P_AND_WP_TTE, s.P_AND_DO_MDE),
    "TUN-DRIFT-02": failed("Defender apps added; standalone apps now uninstall; all three per-app VPN apps "
                           "moved to the Defender profile", s.APP_AND_MDE, s.APP_IOS_MDE, s.APP_AND_TUNNEL,
                           s.APP_IOS_TUNNEL, s.APP_VPP, s.APP_STORE_2, s.APP_STORE_3),
}

# ---------------------------------------------------------------------------------------------------
# The documented example responses almost verbatim (shapes.tenant_docs_verbatim), no baseline.

DOCS: dict[str, Pin] = {
    "TUN-GW-01": passed("the documented site has the documented server, healthy"),
    "TUN-GW-02": passed("no Tunnel profile (the examples are pulseSecure), so none is assigned"),
    "TUN-GW-03": skipped("needs --baseline"),
    "TUN-GW-04": passed("UDP disabled, but no standalone profile is assigned"),
    "TUN-AND-01": skipped("no Android Tunnel profile exists"),
    "TUN-AND-02": skipped("no Android Tunnel target"),
    "TUN-IOS-01": skipped("no iOS Tunnel profile exists"),
    "TUN-AND-03": skipped("no in-scope Android standalone profile"),
    "TUN-IOS-02": skipped("no in-scope iOS standalone profile"),
    "TUN-AND-04": skipped("no in-scope Android standalone profile"),
    "TUN-AND-05": skipped("no assigned Android Defender profile"),
    "TUN-AND-06": skipped("no assigned work-profile Defender profile"),
    "TUN-IOS-03": skipped("no in-scope iOS standalone profile"),
    "TUN-IOS-04": skipped("no assigned iOS Defender profile"),
    "TUN-DEV-02": passed("no assigned Defender profile"),
    "TUN-IOS-05": skipped("no iOS standalone profile in the tenant (and no baseline)"),
    "TUN-IOS-06": skipped("needs --baseline"),
    "TUN-AND-07": passed("no Android standalone profile"),
    "TUN-IOS-07": passed("no iOS standalone profile (the iOS example's only assignment has intent remove anyway)"),
    "TUN-AND-08": passed("no app has packageId com.microsoft.tunnel, and without a baseline nothing was offered"),
    "TUN-IOS-08": passed("no app has bundleId com.microsoft.tunnel, and without a baseline nothing was offered"),
    "TUN-DEV-01": passed("the documented detected app, 'Display Name value', is not the standalone app"),
    "TUN-DRIFT-01": skipped("needs --baseline"),
    "TUN-DRIFT-02": skipped("needs --baseline"),
}


# ---------------------------------------------------------------------------------------------------
# Scenarios


@dataclass(frozen=True)
class Scenario:
    name: str
    current: Callable[[], s.Resources]
    baseline: Callable[[], s.Resources] | None
    form: str | None  # None: each object as its source writes it; "bare": no "#" anywhere; "hash": "#" everywhere
    config: MigrationConfig
    pins: dict[str, Pin] = field(repr=False)


SCENARIOS = [
    # The mid-migration tenant three ways: as the sources write it (top-level "#" from the example responses,
    # nested types without it, TTE's targets with it), every type without "#" (Graph's documentation
    # metadata, export tools), every type with "#" (Graph's live responses). The verdicts are the same.
    Scenario("mid-as-published", s.tenant_mid, s.tenant_before, None, MDE_WANTED, MID),
    Scenario("mid-documented-form", s.tenant_mid, s.tenant_before, "bare", MDE_WANTED, MID),
    Scenario("mid-graph-form", s.tenant_mid, s.tenant_before, "hash", MDE_WANTED, MID),
    Scenario("mid-no-baseline", s.tenant_mid, None, None, MDE_WANTED, MID_NO_BASELINE),
    Scenario("after-as-published", s.tenant_after, s.tenant_before, None, MDE_WANTED, AFTER),
    Scenario("after-documented-form", s.tenant_after, s.tenant_before, "bare", MDE_WANTED, AFTER),
    Scenario("docs-verbatim", s.tenant_docs_verbatim, None, None, MDE_WANTED, DOCS),
]
BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}


def write_snapshot(path: Path, resources: s.Resources, form: str | None, source: str) -> Path:
    """Seal and write a snapshot the way tunnelcheck writes one (``snapshot.write``)."""
    if form is not None:
        resources = s.odata_form(resources, form)
    snapshot.write(path, s.snapshot_document(resources, recorded_at="2017-01-02T16:00:00Z", source=source))
    return path


class Loaded:
    """The scenarios' snapshot files, each written once and loaded as ``pytest --snapshot`` loads it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._tenants: dict[tuple[str, str], Tenant] = {}

    def path(self, scenario: Scenario, which: str) -> Path:
        target = self.folder / f"{scenario.name}.{which}.json"
        if not target.exists():
            build = scenario.current if which == "current" else scenario.baseline
            assert build is not None
            write_snapshot(target, build(), scenario.form, f"{scenario.name} ({which})")
        return target

    def tenant(self, scenario: Scenario, which: str) -> Tenant:
        key = (scenario.name, which)
        if key not in self._tenants:
            self._tenants[key] = snapshot.load_tenant(self.path(scenario, which),
                                                      label="baseline" if which == "baseline" else None)
        return self._tenants[key]

    def run(self, scenario: Scenario, check_id: str, config: MigrationConfig | None = None) -> Verdict:
        baseline = self.tenant(scenario, "baseline") if scenario.baseline else None
        return run_check(Catalog.builtin()[check_id], self.tenant(scenario, "current"), baseline,
                         config or scenario.config)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    return Loaded(tmp_path_factory.mktemp("realshapes"))


def shown(verdict: Verdict) -> str:
    return "\n".join([f"{verdict.outcome}: {verdict.reason}", *(f.line() for f in verdict.evidence)])


def assert_pin(verdict: Verdict, pin: Pin) -> None:
    text = f"expected {pin.outcome} ({pin.why})\ngot {shown(verdict)}"
    assert verdict.outcome == pin.outcome, text
    if pin.outcome == "failed":
        assert {f.object_id for f in verdict.evidence if not f.ok} == set(pin.offenders), text


# ---------------------------------------------------------------------------------------------------
# The pins


def test_every_check_is_pinned_in_every_scenario() -> None:
    assert set(Catalog.builtin()) == CHECK_IDS
    for scenario in SCENARIOS:
        assert set(scenario.pins) == CHECK_IDS, scenario.name


@pytest.mark.parametrize(
    ("scenario", "check_id"),
    [pytest.param(scenario, check_id, id=f"{scenario.name}-{check_id}")
     for scenario in SCENARIOS for check_id in sorted(CHECK_IDS)],
)
def test_pinned_verdict(loaded: Loaded, scenario: Scenario, check_id: str) -> None:
    assert_pin(loaded.run(scenario, check_id), scenario.pins[check_id])


# The custom-setting checks under the other two settings of migration.defender_features.
SETTING_PINS = [
    ("TUN-AND-05", TUNNEL_ONLY, failed("Tunnel only needs defendertoggle = 0; TTE's work-profile profile has "
                                       "none (MicrosoftDefenderAppSettings = null does not count)", s.P_AND_WP_TTE)),
    ("TUN-IOS-04", TUNNEL_ONLY, failed("Tunnel only needs TunnelOnly = true; neither iOS Defender profile (TTE's "
                                       "MSTunnelProtectMode form, the docs microsoftProtect one) sets it",
                                       s.P_IOS_TTE, s.P_IOS_MDE)),
    ("TUN-AND-05", UNSET, skipped("migration.defender_features is not set")),
    ("TUN-IOS-04", UNSET, skipped("migration.defender_features is not set")),
]


@pytest.mark.parametrize(("form", "check_id", "config", "pin"), [
    pytest.param(form, check_id, config, pin, id=f"mid-{form}-{check_id}-defender_features={config.defender_features}")
    for form in ("as-published", "documented-form") for check_id, config, pin in SETTING_PINS
])
def test_custom_settings_under_each_intent(loaded: Loaded, form: str, check_id: str, config: MigrationConfig,
                                           pin: Pin) -> None:
    assert_pin(loaded.run(BY_NAME[f"mid-{form}"], check_id, config), pin)


@pytest.mark.parametrize("name", ["mid-as-published", "mid-documented-form", "after-as-published"])
def test_reassignment_delay_is_shown_to_the_second(loaded: Loaded, name: str) -> None:
    """TUN-IOS-06 (docs/checks.md): the evidence shows the delay to the second, never rounded across the limit."""
    verdict = loaded.run(BY_NAME[name], "TUN-IOS-06")
    (row,) = [f for f in verdict.evidence if not f.ok and f.object_id == s.APP_VPP] or [None]
    assert row is not None, shown(verdict)
    text = f"{row.value} {row.note}"
    assert "9 min 58 s" in text and "10.0" not in text, shown(verdict)


# ---------------------------------------------------------------------------------------------------
# The corpus itself (guards against mistakes in this folder, not in tunnelcheck)


def _odata_types(doc: Any) -> list[str]:
    if isinstance(doc, list):
        return [t for item in doc for t in _odata_types(item)]
    if isinstance(doc, dict):
        own = [doc["@odata.type"]] if isinstance(doc.get("@odata.type"), str) else []
        return own + [t for value in doc.values() for t in _odata_types(value)]
    return []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda sc: sc.name)
def test_snapshot_files_round_trip(loaded: Loaded, scenario: Scenario) -> None:
    """Each file is sealed, reads back unchanged, and is in the form the scenario names."""
    for which in ("current", "baseline") if scenario.baseline else ("current",):
        path = loaded.path(scenario, which)
        read = snapshot.read(path)
        assert read.sha256 == snapshot.canonical_digest(json.loads(path.read_text("utf-8")))
        types = _odata_types(read.resources)
        assert types
        if scenario.form == "bare":
            assert not [t for t in types if t.startswith("#")]
        elif scenario.form == "hash":
            assert all(t.startswith("#") for t in types)
        else:  # as published: both forms occur
            assert any(t.startswith("#") for t in types) and any(not t.startswith("#") for t in types)


def test_shapes_keep_the_documented_forms() -> None:
    """The copied shapes keep what the sources write: 7-digit fractions with offsets, unknownFutureValue
    as a documented value, nulls, TTE's MSTunnelProtectMode and MicrosoftDefenderAppSettings bodies."""
    ios = s.doc_ios_vpn_configuration()
    assert ios["createdDateTime"] == "2017-01-01T00:02:43.5775965-08:00"
    assert ios["@odata.type"] == "#microsoft.graph.iosVpnConfiguration"
    assert ios["server"]["@odata.type"] == "microsoft.graph.vpnServer"
    tte_ios = s.tte_ios_vpn_configuration("ios-x-DC", "site", "host", 443)
    assert tte_ios["connectionType"] == "microsoftTunnel"
    assert tte_ios["customData"] == [{"key": "MSTunnelProtectMode", "value": "1"}]
    tte_android = s.tte_android_work_profile_vpn_configuration("android-x-DC", "site", "host", 443)
    assert tte_android["connectionType"] == "microsoftProtect"
    assert tte_android["customData"] == [{"key": "MicrosoftDefenderAppSettings", "value": None}]
    assert s.tte_assign_body("g")["assignments"][0]["target"]["@odata.type"] == "#microsoft.graph.groupAssignmentTarget"
    assert s.doc_exclusion_target("g")["@odata.type"] == "microsoft.graph.exclusionGroupAssignmentTarget"
    mid = s.tenant_mid()
    healths = [x["tunnelServerHealthStatus"] for x in mid["deviceManagement/microsoftTunnelSites"][0]["microsoftTunnelServers"]]
    assert healths == ["healthy", "unknownFutureValue"]
    platforms = {d["platform"] for d in mid["deviceManagement/detectedApps"]}
    assert {"androidWorkProfile", "androidDedicatedAndFullyManaged"} <= platforms
    assert s.doc_ios_vpn_configuration() is not s.doc_ios_vpn_configuration()  # fresh copies


# ---------------------------------------------------------------------------------------------------
# As a new user runs it: pytest --snapshot on a snapshot written in Graph's documented form


def test_plugin_run_on_the_documented_form(pytester: pytest.Pytester, loaded: Loaded) -> None:
    scenario = BY_NAME["mid-documented-form"]
    current = pytester.path / "tenant.json"
    baseline = pytester.path / "baseline.json"
    current.write_bytes(loaded.path(scenario, "current").read_bytes())
    baseline.write_bytes(loaded.path(scenario, "baseline").read_bytes())
    (pytester.path / "config.yaml").write_text("migration:\n  defender_features: true\n", encoding="utf-8")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--snapshot=tenant.json", "--baseline=baseline.json",
        "--tunnelcheck-config=config.yaml", "--drift", "--tunnelcheck-json=results.json")
    output = "\n".join(result.outlines + result.errlines)
    assert "Traceback" not in output and "INTERNALERROR" not in output, output
    document = json.loads((pytester.path / "results.json").read_text("utf-8"))
    got = {r["check_id"]: (r["outcome"], frozenset(e["object_id"] for e in r["evidence"] if not e["ok"]))
           for r in document["results"]}
    want = {cid: (pin.outcome, pin.offenders if pin.outcome == "failed" else got.get(cid, ("", frozenset()))[1])
            for cid, pin in scenario.pins.items()}
    mismatched = {cid: (want[cid], got.get(cid)) for cid in want if got.get(cid) != want[cid]}
    assert not mismatched, json.dumps({cid: {"want": [w[0], sorted(w[1])], "got": g and [g[0], sorted(g[1])]}
                                       for cid, (w, g) in mismatched.items()}, indent=1)
