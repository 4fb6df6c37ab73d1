"""Phase profiles-created: TUN-AND-04, TUN-IOS-03, TUN-AND-06 (docs/checks.md), one example
per clause."""

from __future__ import annotations

import pytest
from tunnelcheck.checks.parity import (
    android_settings_kept as AND_04,
)
from tunnelcheck.checks.parity import (
    ios_settings_kept as IOS_03,
)
from tunnelcheck.checks.parity import (
    work_profile_browsers as AND_06,
)

from tunnelcheck.check import Check, Finding
from tunnelcheck.config import MigrationConfig
from tunnelcheck.model.resources import Resource
from tunnelcheck.testing import (
    DEFENDER,
    Case,
    all_devices,
    android_profile,
    app,
    available,
    exclusion,
    group_target,
    ios_profile,
    params,
    required,
    should_error,
    should_fail,
    should_pass,
    should_skip,
    tenant,
    uninstall,
)

G1, G2 = group_target("g1"), group_target("g2")
DO, WP = "android-device-owner", "android-work-profile"

#: The settings a standalone Android profile records (tools/build_demo.py's shape).
ANDROID_SETTINGS = {
    "microsoftTunnelSiteId": "s1", "alwaysOn": True, "alwaysOnLockdown": False,
    "proxyServer": {"address": "proxy.contoso.com", "port": 8080, "automaticConfigurationScriptUrl": None},
    "targetedPackageIds": ["com.contoso.crm", "com.microsoft.emmx"],
}


def a_std(*targets: dict, pid: str = "p-std", kind: str = DO, **settings: object) -> dict:
    return android_profile(pid, kind=kind, targets=targets or (G1,), **{**ANDROID_SETTINGS, **settings})


def a_mde(*targets: dict, pid: str = "p-mde", kind: str = DO, **settings: object) -> dict:
    return android_profile(pid, kind=kind, connection=DEFENDER, targets=targets or (G1,),
                           **{**ANDROID_SETTINGS, **settings})


def profiles(*items: dict) -> object:
    return tenant(profiles=list(items))


PROXY = ANDROID_SETTINGS["proxyServer"]

AND_04_CASES = [
    should_skip("no profile", profiles(), "no in-scope Android standalone profile"),
    should_skip("standalone profile not assigned", profiles(android_profile("p-std", **ANDROID_SETTINGS), a_mde()),
                "no in-scope Android standalone profile"),
    should_skip("only iOS standalone profiles", profiles(ios_profile("p-ios", targets=[G1])),
                "no in-scope Android standalone profile"),
    should_pass("same settings", profiles(a_std(), a_mde())),
    should_pass("same settings, work profile", profiles(a_std(kind=WP), a_mde(kind=WP))),
    should_pass("no replacement: nothing compared", profiles(a_std(microsoftTunnelSiteId="s-old"))),
    should_pass("a Defender profile on other targets is no replacement",
                profiles(a_std(G1), a_mde(G2, alwaysOn=False))),
    should_pass("a Defender profile of the other Android kind is no replacement",
                profiles(a_std(kind=DO), a_mde(kind=WP, alwaysOn=False))),
    should_pass("an unassigned Defender profile is no replacement",
                profiles(a_std(), android_profile("p-mde-draft", connection=DEFENDER))),
    should_pass("an excluded target is not covered",
                profiles(a_std(G1), a_mde(all_devices(), exclusion("g1"), alwaysOn=False))),
    should_pass("alwaysOn absent = false", profiles(a_std(alwaysOn=False), a_mde(alwaysOn=None))),
    should_pass("alwaysOnLockdown absent = false",
                profiles(a_std(alwaysOnLockdown=None), a_mde(alwaysOnLockdown=False))),
    should_pass("proxy absent = none", profiles(a_std(proxyServer=None), a_mde(
        proxyServer={"address": None, "port": None, "automaticConfigurationScriptUrl": None}))),
    should_pass("site absent = none", profiles(a_std(microsoftTunnelSiteId=None), a_mde(microsoftTunnelSiteId=""))),
    should_pass("per-app set may grow", profiles(a_std(), a_mde(
        targetedPackageIds=["com.contoso.crm", "com.microsoft.emmx", "com.contoso.mail"]))),
    should_pass("per-app set from targetedMobileApps[].appId",
                profiles(a_std(), a_mde(targetedPackageIds=["com.contoso.crm"],
                                        targetedMobileApps=[{"appId": "com.microsoft.emmx", "name": "Edge"}]))),
    should_pass("old per-app set from targetedMobileApps too",
                profiles(a_std(targetedPackageIds=[], targetedMobileApps=[{"appId": "com.contoso.crm"}]),
                         a_mde(targetedPackageIds=["com.contoso.crm"]))),
    should_pass("ALL covers a group target", profiles(a_std(G1), a_mde(all_devices()))),
    should_pass("baseline version is used when there is one",
                profiles(a_std(alwaysOn=False, microsoftTunnelSiteId="s2"), a_mde()),
                baseline=profiles(a_std())),
    should_pass("standalone profile only in the baseline is compared with its recorded settings",
                profiles(a_mde()), baseline=profiles(a_std())),
    should_fail("site differs", profiles(a_std(), a_mde(microsoftTunnelSiteId="s2")), "p-mde"),
    should_fail("site missing in the replacement", profiles(a_std(), a_mde(microsoftTunnelSiteId=None)), "p-mde"),
    should_fail("alwaysOn differs", profiles(a_std(), a_mde(alwaysOn=False)), "p-mde"),
    should_fail("alwaysOn absent is false", profiles(a_std(), a_mde(alwaysOn=None)), "p-mde"),
    should_fail("alwaysOnLockdown differs", profiles(a_std(), a_mde(alwaysOnLockdown=True)), "p-mde"),
    should_fail("proxy address differs", profiles(a_std(), a_mde(proxyServer={**PROXY, "address": "p2.contoso.com"})),
                "p-mde"),
    should_fail("proxy port differs", profiles(a_std(), a_mde(proxyServer={**PROXY, "port": 3128})), "p-mde"),
    should_fail("proxy script URL differs",
                profiles(a_std(), a_mde(proxyServer={**PROXY, "automaticConfigurationScriptUrl": "https://pac"})),
                "p-mde"),
    should_fail("proxy removed", profiles(a_std(), a_mde(proxyServer=None)), "p-mde",
                reason="1 Android Defender profile does not keep the recorded settings: p-mde differs from p-std in "
                "proxyServer.address and proxyServer.port"),
    should_fail("a replacement of two standalone profiles is one profile, compared with each",
                profiles(a_std(G1, pid="s1"), a_std(G2, pid="s2", alwaysOnLockdown=True), a_mde(G1, G2, alwaysOn=False)),
                "p-mde",
                reason="1 Android Defender profile does not keep the recorded settings: p-mde differs from s1 in "
                "alwaysOn; p-mde differs from s2 in alwaysOn and alwaysOnLockdown"),
    should_fail("per-app app missing", profiles(a_std(), a_mde(targetedPackageIds=["com.contoso.crm"])), "p-mde"),
    should_fail("per-app VPN dropped", profiles(a_std(), a_mde(targetedPackageIds=[])), "p-mde"),
    should_fail("baseline version differs even when the current standalone profile matches",
                profiles(a_std(alwaysOn=False), a_mde(alwaysOn=False)), "p-mde", baseline=profiles(a_std())),
    should_fail("migration targets from the baseline find the replacement",
                profiles(a_std(G2), a_mde(G1, alwaysOn=False)), "p-mde", baseline=profiles(a_std(G1))),
    should_fail("every differing replacement is named, matching ones are not",
                profiles(a_std(G1, G2), a_mde(G1), a_mde(G2, pid="p-mde-2", alwaysOnLockdown=True),
                         a_mde(all_devices(), pid="p-mde-all", microsoftTunnelSiteId="s9")),
                "p-mde-2", "p-mde-all",
                reason="2 Android Defender profiles do not keep the recorded settings: p-mde-2 differs from p-std in "
                "alwaysOnLockdown; p-mde-all differs from p-std in microsoftTunnelSiteId"),
    should_error("configurations not recorded", tenant(apps=[]), Resource.DEVICE_CONFIGURATIONS),
    should_error("baseline configurations not recorded", profiles(a_std(), a_mde()), Resource.DEVICE_CONFIGURATIONS,
                 baseline=tenant(apps=[])),
]


RULE_A = {"action": "connect", "domains": ["contoso.com"], "domainAction": "connectIfNeeded",
          "interfaceTypeMatch": "notConfigured"}
RULE_A_REORDERED = {"interfaceTypeMatch": "notConfigured", "domainAction": "connectIfNeeded",
                    "domains": ["contoso.com"], "action": "connect"}
RULE_B = {"action": "disconnect", "ssids": ["Guest"], "interfaceTypeMatch": "wiFi"}

IOS_SETTINGS = {
    "microsoftTunnelSiteId": "s1", "proxyServer": None,
    "associatedDomains": ["contoso.com"], "excludedDomains": ["public.contoso.com"],
    "safariDomains": ["intranet.contoso.com"], "onDemandRules": [RULE_A],
}


def i_std(*targets: dict, pid: str = "p-ios-std", **settings: object) -> dict:
    return ios_profile(pid, targets=targets or (G1,), **{**IOS_SETTINGS, **settings})


def i_mde(*targets: dict, pid: str = "p-ios-mde", ikev2: bool = False, **settings: object) -> dict:
    return ios_profile(pid, connection=DEFENDER, targets=targets or (G1,), ikev2=ikev2,
                       **{**IOS_SETTINGS, **settings})


IOS_03_CASES = [
    should_skip("no profile", profiles(), "no in-scope iOS standalone profile"),
    should_skip("only Android standalone profiles", profiles(a_std(), i_mde()), "no in-scope iOS standalone profile"),
    should_skip("iOS standalone profile not assigned", profiles(ios_profile("p-ios-std", **IOS_SETTINGS), i_mde()),
                "no in-scope iOS standalone profile"),
    should_pass("same settings", profiles(i_std(), i_mde())),
    should_pass("IKEv2 replacement", profiles(i_std(), i_mde(ikev2=True))),
    should_pass("no replacement: nothing compared", profiles(i_std())),
    should_pass("domains may grow", profiles(i_std(), i_mde(
        associatedDomains=["contoso.com", "fabrikam.com"], excludedDomains=["public.contoso.com", "x.contoso.com"],
        safariDomains=["intranet.contoso.com", "hr.contoso.com"], onDemandRules=[RULE_B, RULE_A]))),
    should_pass("rules compare as canonical JSON: key order does not matter",
                profiles(i_std(), i_mde(onDemandRules=[RULE_A_REORDERED]))),
    should_pass("alwaysOn is not compared on iOS", profiles(i_std(alwaysOn=True), i_mde(alwaysOn=False))),
    should_pass("empty old lists are contained in anything",
                profiles(i_std(associatedDomains=[], onDemandRules=None, excludedDomains=None, safariDomains=[]),
                         i_mde(associatedDomains=None, onDemandRules=[], excludedDomains=[], safariDomains=None))),
    should_pass("baseline version is used when there is one",
                profiles(i_std(associatedDomains=["other.com"]), i_mde()), baseline=profiles(i_std())),
    should_fail("site differs", profiles(i_std(), i_mde(microsoftTunnelSiteId="s2")), "p-ios-mde",
                reason="1 iOS Defender profile does not keep the recorded settings: p-ios-mde differs from p-ios-std "
                "in microsoftTunnelSiteId"),
    should_fail("proxy added", profiles(i_std(), i_mde(proxyServer={"address": "proxy.contoso.com", "port": 80})),
                "p-ios-mde"),
    should_fail("proxy script URL differs",
                profiles(i_std(proxyServer={"automaticConfigurationScriptUrl": "https://pac/a"}),
                         i_mde(proxyServer={"automaticConfigurationScriptUrl": "https://pac/b"})), "p-ios-mde"),
    should_fail("associated domain missing", profiles(i_std(), i_mde(associatedDomains=[])), "p-ios-mde"),
    should_fail("excluded domain missing", profiles(i_std(), i_mde(excludedDomains=None)), "p-ios-mde"),
    should_fail("Safari domain missing", profiles(i_std(), i_mde(safariDomains=["hr.contoso.com"])), "p-ios-mde"),
    should_fail("on-demand rule missing", profiles(i_std(), i_mde(onDemandRules=[RULE_B])), "p-ios-mde"),
    should_fail("on-demand rule changed", profiles(i_std(), i_mde(onDemandRules=[{**RULE_A, "action": "ignore"}])),
                "p-ios-mde"),
    should_fail("baseline version differs", profiles(i_std(safariDomains=[]), i_mde(safariDomains=[])),
                "p-ios-mde", baseline=profiles(i_std())),
    should_error("configurations not recorded", tenant(apps=[]), Resource.DEVICE_CONFIGURATIONS),
]


# ---------------------------------------------------------------------------------------------------
# TUN-AND-06

CHROME, EDGE, FIREFOX, SAMSUNG = ("com.android.chrome", "com.microsoft.emmx", "org.mozilla.firefox",
                                  "com.sec.android.app.sbrowser")


def wp(*per_app: str, pid: str = "p-wp-mde", kind: str = WP, targets: tuple[dict, ...] = (G1,),
       custom: dict | None = None, custom_kv: dict | None = None, **extra: object) -> dict:
    return android_profile(pid, kind=kind, connection=DEFENDER, targets=targets, custom=custom, custom_kv=custom_kv,
                           targetedPackageIds=list(per_app), **extra)


def play(package: str, *assignments: dict, field: str = "packageId") -> dict:
    return app(f"app-{package}", "android", package, assignments=assignments or (available(G1),), field=field)


def browsers(*items: dict, apps: tuple[dict, ...] = (play(CHROME),)) -> object:
    return tenant(profiles=list(items), apps=list(apps))


ONLY_CONTOSO_BROWSER = MigrationConfig(browser_package_ids=("com.contoso.browser",))

AND_06_CASES = [
    should_skip("no profile", browsers(), "no assigned work-profile Defender profile"),
    should_skip("empty per-app set (full-device VPN)", browsers(wp()), "no assigned work-profile Defender profile"),
    should_skip("web protection off: defendertoggle 0", browsers(wp("com.contoso.crm", custom={"defendertoggle": "0"})),
                "no assigned work-profile Defender profile"),
    should_skip("web protection off: antiphishing 0 (customKeyValueData, any key case, trimmed)",
                browsers(wp("com.contoso.crm", custom_kv={"AntiPhishing": " 0 "})),
                "no assigned work-profile Defender profile"),
    should_skip("device-owner profiles are not work-profile profiles",
                browsers(wp("com.contoso.crm", kind=DO)), "no assigned work-profile Defender profile"),
    should_skip("standalone work-profile profiles are not Defender profiles",
                browsers(android_profile("p-wp-std", kind=WP, targets=[G1], targetedPackageIds=["com.contoso.crm"])),
                "no assigned work-profile Defender profile"),
    should_skip("unassigned profile", browsers(wp("com.contoso.crm", targets=())),
                "no assigned work-profile Defender profile"),
    should_pass("offered browser in the per-app set", browsers(wp("com.contoso.crm", CHROME))),
    should_pass("web protection on: defendertoggle 1, antiphishing 1",
                browsers(wp("com.contoso.crm", CHROME, custom={"defendertoggle": "1", "antiphishing": "1"}))),
    should_pass("browser in targetedMobileApps",
                browsers(wp("com.contoso.crm", targetedMobileApps=[{"appId": CHROME}]))),
    should_pass("browser app with only an uninstall assignment is not offered",
                browsers(wp("com.contoso.crm"), apps=(play(CHROME, uninstall(G1)),))),
    should_pass("browser app with only an exclusion is not offered",
                browsers(wp("com.contoso.crm"), apps=(play(CHROME, required(exclusion("g1"))),))),
    should_pass("browser app without assignments is not offered",
                browsers(wp("com.contoso.crm"), apps=(app("app-chrome", "android", CHROME),))),
    should_pass("browser not managed at all", browsers(wp("com.contoso.crm"), apps=())),
    should_pass("browser not in the config list", browsers(wp("com.contoso.crm")), config=ONLY_CONTOSO_BROWSER),
    should_pass("an iOS app with a browser's id is not a managed Google Play app",
                browsers(wp("com.contoso.crm"), apps=(app("app-ios-chrome", "ios-store", CHROME,
                                                          assignments=[required(G1)]),))),
    should_pass("all four default browsers listed",
                browsers(wp("com.contoso.crm", CHROME, EDGE, FIREFOX, SAMSUNG),
                         apps=(play(CHROME), play(EDGE), play(FIREFOX), play(SAMSUNG)))),
    should_fail("offered Chrome missing", browsers(wp("com.contoso.crm")), "p-wp-mde",
                reason="1 work-profile Defender profile leaves offered browsers out of the per-app VPN list: "
                "p-wp-mde (com.android.chrome)"),
    should_fail("every profile with its missing browsers, and its unreadable web protection keys",
                browsers(wp("com.contoso.crm", custom={" antiphishing ": "1"}), wp("com.contoso.crm", pid="p-wp-2"),
                         apps=(play(CHROME), play(EDGE))), "p-wp-mde", "p-wp-2",
                reason="2 work-profile Defender profiles leave offered browsers out of the per-app VPN list: "
                "p-wp-mde (com.android.chrome and com.microsoft.emmx) and p-wp-2 (com.android.chrome and "
                "com.microsoft.emmx); 1 work-profile Defender profile has web protection settings that cannot be "
                "read as written: p-wp-mde (antiphishing: key has surrounding whitespace)"),
    should_fail("required Edge missing", browsers(wp("com.contoso.crm", CHROME), apps=(
        play(CHROME), play(EDGE, required(all_devices())))), "p-wp-mde"),
    should_fail("Firefox found by appIdentifier", browsers(wp("com.contoso.crm"), apps=(
        play(FIREFOX, field="appIdentifier"),)), "p-wp-mde"),
    should_fail("Samsung Internet", browsers(wp("com.contoso.crm"), apps=(play(SAMSUNG),)), "p-wp-mde"),
    should_fail("offered to other groups than the profile still counts",
                browsers(wp("com.contoso.crm"), apps=(play(CHROME, available(G2)),)), "p-wp-mde"),
    should_fail("custom browser list", browsers(wp("com.contoso.crm", CHROME), apps=(
        play(CHROME), play("com.contoso.browser"))), "p-wp-mde", config=ONLY_CONTOSO_BROWSER),
    should_fail("only profiles with web protection on and a per-app set are named",
                browsers(wp("com.contoso.crm"), wp("com.contoso.crm", pid="p-wp-off", custom={"defendertoggle": "0"}),
                         wp("com.contoso.crm", CHROME, pid="p-wp-ok"), wp(pid="p-wp-full")), "p-wp-mde"),
    should_error("apps not recorded", tenant(profiles=[wp("com.contoso.crm")]), Resource.MOBILE_APPS),
]

CASES: dict[Check, list[Case]] = {AND_04: AND_04_CASES, IOS_03: IOS_03_CASES, AND_06: AND_06_CASES}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_parity(check: Check, case: Case) -> None:
    case.verify(check)


# ---------------------------------------------------------------------------------------------------
# The evidence itself


def failures(case: Case, check: Check) -> list[Finding]:
    return [f for f in case.verify(check).evidence if not f.ok]


def test_and04_each_difference_has_baseline_and_current_value() -> None:
    current = profiles(a_std(), a_mde(alwaysOn=False, proxyServer={**PROXY, "port": 3128},
                                      targetedPackageIds=["com.contoso.crm", "com.contoso.mail"]))
    rows = failures(should_fail("", current, "p-mde"), AND_04)
    assert {(r.property, r.baseline, r.value) for r in rows} == {
        ("alwaysOn", "true", "false"),
        ("proxyServer.port", "8080", "3128"),
        ("per-app VPN apps", "[com.contoso.crm, com.microsoft.emmx]", "[com.contoso.crm, com.contoso.mail]"),
    }
    assert all("replaces p-std (p-std)" in r.note for r in rows)
    assert "missing ['com.microsoft.emmx']" in next(r.note for r in rows if r.property == "per-app VPN apps")


def test_and04_recorded_values_come_from_the_baseline() -> None:
    rows = failures(should_fail("", profiles(a_std(microsoftTunnelSiteId="s2"), a_mde(microsoftTunnelSiteId="s2")),
                                "p-mde", baseline=profiles(a_std())), AND_04)
    assert [(r.property, r.baseline, r.value) for r in rows] == [("microsoftTunnelSiteId", "s1", "s2")]


def test_ios03_missing_rule_is_shown_as_canonical_json() -> None:
    [row] = failures(should_fail("", profiles(i_std(), i_mde(onDemandRules=[RULE_B])), "p-ios-mde"), IOS_03)
    assert row.property == "onDemandRules"
    assert '{"action":"connect","domainAction":"connectIfNeeded","domains":["contoso.com"]}' in row.note


def test_and06_names_the_missing_browser() -> None:
    rows = failures(should_fail("", browsers(wp("com.contoso.crm", EDGE), apps=(play(CHROME), play(EDGE), play(FIREFOX))),
                                "p-wp-mde"), AND_06)
    assert sorted(CHROME in r.note or FIREFOX in r.note for r in rows) == [True, True]
    assert len(rows) == 2 and all(r.value == f"[com.contoso.crm, {EDGE}]" for r in rows)
