"""Phase apps-reassigned: TUN-IOS-05 (docs/checks.md), one example per clause."""

from __future__ import annotations

import pytest
from tunnelcheck.checks.per_app_vpn import ios_per_app_vpn_reassigned as IOS_05

from tunnelcheck.check import Check
from tunnelcheck.model.resources import Resource
from tunnelcheck.testing import (
    Case,
    all_devices,
    all_users,
    app,
    available,
    configuration,
    defender_profile,
    group_target,
    ios_profile,
    params,
    required,
    should_error,
    should_fail,
    should_pass,
    should_skip,
    standalone_profile,
    tenant,
)

G1, G2 = group_target("g1"), group_target("g2")
IOS_STD = standalone_profile(G1, kind="ios")  # p-ios-std
IOS_MDE = defender_profile(G1, kind="ios")  # p-ios-mde
PROFILES = [IOS_STD, IOS_MDE]


def expenses(*assignments: dict, kind: str = "ios-vpp") -> dict:
    """A per-app VPN app (a VPP app unless told)."""
    return app("app-expenses", kind, "com.contoso.expenses", assignments=assignments)


def intranet(*assignments: dict) -> dict:
    return app("app-intranet", "ios-store", "com.contoso.intranet", assignments=assignments)


def now(*apps: dict, profiles: list[dict] = PROFILES) -> object:
    return tenant(profiles=profiles, apps=list(apps))


#: Before the migration: both apps on the standalone profile.
BASELINE = tenant(
    profiles=[IOS_STD], apps=[expenses(required(G1, "p-ios-std")), intranet(available(G2, "p-ios-std"))]
)
REASSIGNED = [expenses(required(G1, "p-ios-mde")), intranet(available(G2, "p-ios-mde"))]

CASES: dict[Check, list[Case]] = {
    IOS_05: [
        should_skip(
            "no iOS standalone profile in the current tenant, no baseline",
            now(expenses(required(G1, "p-ios-mde")), profiles=[IOS_MDE]),
            "no iOS standalone profile",
        ),
        should_skip(
            "only Android standalone profiles",
            now(expenses(required(G1, "p-do-std")), profiles=[standalone_profile(G1), IOS_MDE]),
            "no iOS standalone profile",
        ),
        should_skip(
            "no iOS standalone profile in either snapshot",
            now(expenses(required(G1, "p-ios-mde")), profiles=[IOS_MDE]),
            "no iOS standalone profile",
            baseline=tenant(profiles=[IOS_MDE], apps=[]),
        ),
        should_pass("app on the Defender profile", now(*REASSIGNED)),
        should_pass(
            "on an IKEv2 Defender profile",
            now(
                expenses(required(G1, "p-ike")),
                profiles=[IOS_STD, ios_profile("p-ike", connection="microsoftProtect", ikev2=True)],
            ),
        ),
        should_pass(
            "an unassigned standalone profile still makes the check apply; no app uses VPN",
            now(expenses(required(G1)), profiles=[standalone_profile(kind="ios")]),
        ),
        should_pass(
            "an existing non-Tunnel profile is not a standalone profile",
            now(expenses(required(G1, "p-other")), profiles=[IOS_STD, configuration("p-other")]),
        ),
        should_fail(
            "names the current standalone profile", now(expenses(required(G1, "p-ios-std"))), "app-expenses",
            reason="1 per-app VPN assignment still names a standalone profile: app-expenses (required for g1)",
        ),
        should_fail(
            "names an IKEv2 standalone profile",
            now(
                expenses(required(G1, "p-ike-std")),
                profiles=[standalone_profile(kind="ios", ikev2=True, profile_id="p-ike-std")],
            ),
            "app-expenses",
        ),
        should_fail(
            "names an Android standalone profile",
            now(expenses(required(G1, "p-do-std")), profiles=[IOS_STD, standalone_profile(G1)]),
            "app-expenses",
        ),
        should_fail(
            "names a standalone profile that exists only in the baseline",
            now(expenses(required(G1, "p-ios-std")), profiles=[IOS_MDE]),
            "app-expenses",
            baseline=tenant(profiles=[IOS_STD], apps=[]),
        ),
        should_fail(
            "names a profile that no longer exists", now(expenses(required(G1, "p-gone"))), "app-expenses"
        ),
        should_fail(
            "every offending app is named, any app type",
            now(
                expenses(required(G1, "p-ios-std"), kind="ios-lob"),
                intranet(available(G2, "p-gone")),
                app("app-ok", "ios-store", "com.contoso.ok", assignments=[required(G1, "p-ios-mde")]),
            ),
            "app-expenses",
            "app-intranet",
            reason="1 per-app VPN assignment still names a standalone profile: app-expenses (required for g1); "
            "1 per-app VPN assignment names a VPN profile that no longer exists: app-intranet (available for g2, "
            "profile p-gone)",
        ),
        # With --baseline: each baseline assignment on a standalone profile is reassigned (same app, target,
        # intent).
        should_pass("baseline: every assignment reassigned", now(*REASSIGNED), baseline=BASELINE),
        should_pass(
            "baseline: the Defender profile need not be assigned",
            now(*REASSIGNED, profiles=[defender_profile(kind="ios")]),
            baseline=BASELINE,
        ),
        should_pass(
            "baseline: assignments without VPN are not followed",
            now(*REASSIGNED),
            baseline=tenant(
                profiles=[IOS_STD],
                apps=[
                    expenses(required(G1, "p-ios-std"), available(G2)),
                    intranet(available(G2, "p-ios-std")),
                ],
            ),
        ),
        should_fail(
            "baseline: intent changed",
            now(expenses(available(G1, "p-ios-mde")), REASSIGNED[1]),
            "app-expenses",
            baseline=BASELINE,
            reason="1 per-app VPN assignment of the baseline has no counterpart on a Defender profile: "
            "app-expenses (required for g1)",
        ),
        should_fail(
            "baseline: an assignment still on its standalone profile is listed once",
            now(expenses(required(G1, "p-ios-std")), intranet(available(G2, "p-gone"))),
            "app-expenses", "app-intranet",
            baseline=BASELINE,
            reason="1 per-app VPN assignment still names a standalone profile: app-expenses (required for g1); "
            "1 per-app VPN assignment names a VPN profile that no longer exists: app-intranet (available for g2, "
            "profile p-gone); 1 per-app VPN assignment of the baseline has no counterpart on a Defender profile: "
            "app-intranet (available for g2)",
        ),
        should_fail(
            "baseline: none moved",
            now(),
            "app-expenses", "app-intranet",
            baseline=BASELINE,
            reason="2 per-app VPN assignments of the baseline have no counterpart on a Defender profile: "
            "app-expenses (required for g1) and app-intranet (available for g2)",
        ),
        should_fail(
            "baseline: target changed",
            now(expenses(required(G2, "p-ios-mde")), REASSIGNED[1]),
            "app-expenses",
            baseline=BASELINE,
        ),
        should_fail(
            "baseline: VPN removed",
            now(expenses(required(G1)), REASSIGNED[1]),
            "app-expenses",
            baseline=BASELINE,
        ),
        should_fail("baseline: app deleted", now(REASSIGNED[1]), "app-expenses", baseline=BASELINE),
        should_fail(
            "baseline: moved to an Android Defender profile",
            now(
                expenses(required(G1, "p-do-mde")), REASSIGNED[1], profiles=[*PROFILES, defender_profile(G1)]
            ),
            "app-expenses",
            baseline=BASELINE,
        ),
        should_fail(
            "baseline: moved to a non-Tunnel profile",
            now(
                expenses(required(G1, "p-other")),
                REASSIGNED[1],
                profiles=[*PROFILES, configuration("p-other")],
            ),
            "app-expenses",
            baseline=BASELINE,
        ),
        should_fail(
            "baseline: all users is not the same target as all devices",
            now(expenses(required(all_users(), "p-ios-mde"))),
            "app-expenses",
            baseline=tenant(profiles=[IOS_STD], apps=[expenses(required(all_devices(), "p-ios-std"))]),
        ),
        should_pass(
            "baseline: all devices reassigned to all devices",
            now(expenses(required(all_devices(), "p-ios-mde"))),
            baseline=tenant(profiles=[IOS_STD], apps=[expenses(required(all_devices(), "p-ios-std"))]),
        ),
        should_pass("without baseline, a lost assignment is not seen", now(REASSIGNED[1])),
        should_error("mobile apps not recorded", tenant(profiles=PROFILES), Resource.MOBILE_APPS),
        should_error("configurations not recorded", tenant(apps=REASSIGNED), Resource.DEVICE_CONFIGURATIONS),
        should_error(
            "baseline mobile apps not recorded",
            now(*REASSIGNED),
            Resource.MOBILE_APPS,
            baseline=tenant(profiles=[IOS_STD]),
        ),
        should_error(
            "baseline configurations not recorded",
            now(*REASSIGNED),
            Resource.DEVICE_CONFIGURATIONS,
            baseline=tenant(apps=[]),
        ),
    ],
}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_per_app_vpn(check: Check, case: Case) -> None:
    case.verify(check)


def test_an_assignment_still_on_its_standalone_profile_fails_twice_and_is_counted_once() -> None:
    """The evidence keeps both rows (the assignment names a standalone profile; the baseline's assignment was
    not moved); the reason counts the one assignment once."""
    case = next(c for c in CASES[IOS_05] if c.name == "baseline: an assignment still on its standalone profile "
                "is listed once")
    verdict = case.verify(IOS_05)
    rows = [(f.object_id, f.property) for f in verdict.evidence if not f.ok]
    assert rows.count(("app-expenses", "settings.vpnConfigurationId")) == 1
    assert rows.count(("app-expenses", "reassigned")) == 1
    assert verdict.reason.count("app-expenses") == 1
