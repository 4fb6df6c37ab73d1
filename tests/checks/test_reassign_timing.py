"""Phase apps-reassigned: TUN-IOS-06, per-app VPN reassigned at least reassign_delay_minutes after the new
Defender profile was created (docs/checks.md), one example per clause."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from tunnelcheck.checks.per_app_vpn import ios_reassigned_after_delay as IOS_06

from tunnelcheck.check import Check
from tunnelcheck.config import MigrationConfig
from tunnelcheck.model.resources import Resource
from tunnelcheck.testing import (
    DEFENDER,
    Case,
    app,
    audit_event,
    available,
    group_target,
    ios_profile,
    params,
    required,
    should_error,
    should_fail,
    should_pass,
    should_skip,
    tenant,
)

G1, G2 = group_target("g1"), group_target("g2")
CREATED = datetime(2026, 11, 24, 14, 0, 5, tzinfo=timezone.utc)


def at(minutes: float) -> str:
    """A Graph timestamp ``minutes`` after the Defender profile was created (7 fractional digits, Z)."""
    return (CREATED + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def std(*targets: dict) -> dict:
    return ios_profile("p-ios-std", targets=targets or (G1,), createdDateTime="2024-03-01T08:00:00Z")


def mde(*targets: dict, pid: str = "p-ios-mde", created: str | None = at(0)) -> dict:
    return ios_profile(pid, connection=DEFENDER, targets=targets or (G1,),
                       **({"createdDateTime": created} if created is not None else {}))


def ios_app(app_id: str, *assignments: dict) -> dict:
    return app(app_id, "ios-store", f"com.contoso.{app_id}", assignments=assignments)


#: Before the migration: two iOS apps on the standalone profile.
BASELINE = tenant(profiles=[std()], apps=[ios_app("app-intranet", required(G1, "p-ios-std")),
                                        ios_app("app-expenses", available(G1, "p-ios-std"))])


def reassigned(*events: dict, profiles: tuple[dict, ...] = (mde(),), expenses_vpn: str | None = "p-ios-mde",
               intranet_vpn: str = "p-ios-mde") -> object:
    """Both apps on ``intranet_vpn``/``expenses_vpn`` now (None: the expenses app keeps no per-app VPN)."""
    apps = [ios_app("app-intranet", required(G1, intranet_vpn)),
            ios_app("app-expenses", available(G1, expenses_vpn) if expenses_vpn else available(G1))]
    return tenant(profiles=[std(), *profiles], apps=apps, audit_events=list(events))


def assign(event_id: str, minutes: float, *resources: str, kind: str = "Patch MobileAppAssignment") -> dict:
    return audit_event(event_id, kind, at(minutes), *(resources or ("app-intranet",)))


def case_pass(name: str, t: object, **kw: object) -> Case:
    return should_pass(name, t, baseline=kw.pop("baseline", BASELINE), **kw)  # type: ignore[arg-type]


def case_fail(name: str, t: object, *offenders: str, **kw: object) -> Case:
    return should_fail(name, t, *offenders, baseline=kw.pop("baseline", BASELINE), **kw)  # type: ignore[arg-type]


def case_skip(name: str, t: object, reason: str, **kw: object) -> Case:
    return should_skip(name, t, reason, baseline=kw.pop("baseline", BASELINE), **kw)  # type: ignore[arg-type]


NONE_VERIFIED = "no reassignment could be verified"
EXPENSES_AT_12 = assign("ae-exp", 12, "app-expenses")

CASES: dict[Check, list[Case]] = {IOS_06: [
    should_skip("no baseline", reassigned(assign("ae-1", 3)), "needs --baseline"),
    case_skip("no audit event", reassigned(), NONE_VERIFIED),
    case_skip("no app was reassigned", tenant(profiles=[std(), mde()], apps=[
        ios_app("app-intranet", required(G1, "p-ios-std"))], audit_events=[assign("ae-1", 3)]), NONE_VERIFIED),
    case_skip("events before the profile was created are ignored", reassigned(assign("ae-1", -5)), NONE_VERIFIED),
    case_skip("events of other resources are ignored", reassigned(assign("ae-1", 3, "p-ios-mde")), NONE_VERIFIED),
    case_skip("events whose activityType has no 'assign' are ignored",
              reassigned(assign("ae-1", 3, kind="Patch MobileApp"), assign("ae-2", 4, kind="Delete DeviceConfiguration")),
              NONE_VERIFIED),
    case_skip("events without a time are ignored",
              reassigned(audit_event("ae-1", "Patch MobileAppAssignment", None, "app-intranet")), NONE_VERIFIED),
    case_skip("a Defender profile without createdDateTime cannot be verified",
              reassigned(assign("ae-1", 3), profiles=(mde(created=None),)), NONE_VERIFIED),
    case_skip("an app moved to another standalone profile is not reassigned",
              tenant(profiles=[std(), ios_profile("p-ios-std-2", targets=[G1])],
                     apps=[ios_app("app-intranet", required(G1, "p-ios-std-2"))], audit_events=[assign("ae-1", 3)]),
              NONE_VERIFIED),
    case_skip("a reassignment to another target is not the baseline assignment",
              tenant(profiles=[std(), mde()], apps=[ios_app("app-intranet", required(G2, "p-ios-mde"))],
                     audit_events=[assign("ae-1", 3)]), NONE_VERIFIED),
    case_pass("reassigned after 11 minutes", reassigned(assign("ae-1", 11), EXPENSES_AT_12)),
    case_pass("reassigned exactly 10 minutes later", reassigned(assign("ae-1", 10), EXPENSES_AT_12)),
    case_pass("earlier events before creation do not count", reassigned(assign("ae-0", -3), assign("ae-1", 12))),
    case_pass("non-assignment events in between do not count",
              reassigned(assign("ae-0", 2, kind="Patch MobileApp"), assign("ae-1", 12))),
    case_pass("activityType 'Assign' in any case",
              reassigned(assign("ae-1", 15, kind="ASSIGN MobileApp"), assign("ae-2", 15, "app-expenses",
                                                                             kind="UpdateAssignments"))),
    case_pass("an event naming several resources", reassigned(assign("ae-1", 20, "app-expenses", "app-intranet"))),
    case_pass("unverified apps are listed, not failed", reassigned(assign("ae-1", 12))),
    case_pass("custom delay: 5 minutes", reassigned(assign("ae-1", 6)), config=MigrationConfig(reassign_delay_minutes=5)),
    case_pass("IKEv2 Defender profile", tenant(profiles=[std(), ios_profile(
        "p-ios-mde", connection=DEFENDER, ikev2=True, targets=[G1], createdDateTime=at(0))],
        apps=[ios_app("app-intranet", required(G1, "p-ios-mde"))], audit_events=[assign("ae-1", 30)])),
    case_fail("reassigned after 3 minutes", reassigned(assign("ae-1", 3)), "app-intranet"),
    case_fail("reassigned just under 10 minutes", reassigned(assign("ae-1", 9.99)), "app-intranet",
              reason="1 app was reassigned less than 10 minutes after the new profile was created: app-intranet "
              "(9 min 59 s after p-ios-mde)"),
    case_fail("reassigned at the moment of creation", reassigned(assign("ae-1", 0)), "app-intranet"),
    case_fail("the earliest event at or after creation is the reassignment",
              reassigned(assign("ae-2", 25), assign("ae-1", 4), assign("ae-0", -30)), "app-intranet"),
    case_fail("activityType 'assign' in lower case", reassigned(assign("ae-1", 4, kind="reassign per-app vpn")),
              "app-intranet"),
    case_fail("custom delay: 30 minutes", reassigned(assign("ae-1", 20), EXPENSES_AT_12), "app-intranet",
              "app-expenses", config=MigrationConfig(reassign_delay_minutes=30),
              reason="2 apps were reassigned less than 30 minutes after the new profile was created: app-intranet "
              "(20 min 0 s after p-ios-mde) and app-expenses (12 min 0 s after p-ios-mde)"),
    case_fail("custom delay: 1 minute", reassigned(assign("ae-1", 0.5)), "app-intranet",
              config=MigrationConfig(reassign_delay_minutes=1),
              reason="1 app was reassigned less than 1 minute after the new profile was created: app-intranet "
              "(0 min 30 s after p-ios-mde)"),
    case_fail("only the app reassigned too soon; the unverified one is listed",
              reassigned(assign("ae-1", 1), assign("ae-x", 2, "app-other")), "app-intranet"),
    case_fail("an app reassigned for two targets at once is one app, its wait said once",
              tenant(profiles=[std(G1, G2), mde(G1, G2)], apps=[ios_app("app-intranet", required(G1, "p-ios-mde"),
                                                                       available(G2, "p-ios-mde"))],
                     audit_events=[assign("ae-1", 3)]),
              "app-intranet",
              baseline=tenant(profiles=[std(G1, G2)], apps=[ios_app("app-intranet", required(G1, "p-ios-std"),
                                                                    available(G2, "p-ios-std"))]),
              reason="1 app was reassigned less than 10 minutes after the new profile was created: app-intranet "
              "(3 min 0 s after p-ios-mde)"),
    case_fail("one too soon, one in time", reassigned(assign("ae-1", 12), assign("ae-exp", 8, "app-expenses")),
              "app-expenses"),
    should_error("audit events not recorded",
                 tenant(profiles=[std(), mde()], apps=[ios_app("app-intranet", required(G1, "p-ios-mde"))]),
                 Resource.AUDIT_EVENTS, baseline=BASELINE),
    should_error("baseline apps not recorded", reassigned(assign("ae-1", 3)), Resource.MOBILE_APPS,
                 baseline=tenant(profiles=[std()])),
]}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_reassign_timing(check: Check, case: Case) -> None:
    case.verify(check)


def test_evidence_names_the_event_and_the_wait() -> None:
    verdict = case_fail("", reassigned(assign("ae-1", 3), assign("ae-2", 4)), "app-intranet").verify(IOS_06)
    failed = [f for f in verdict.evidence if not f.ok]
    assert [(f.object_id, f.property, f.value) for f in failed] == [
        ("app-intranet", "reassigned at", "2026-11-24T14:03:05+00:00")]
    assert failed[0].note == "3 min 0 s after p-ios-mde was created (audit event ae-1)"


def test_unverified_apps_are_listed() -> None:
    verdict = case_pass("", reassigned(assign("ae-1", 12))).verify(IOS_06)
    unverified = {f.object_id: f.note for f in verdict.evidence if f.note.startswith("unverified")}
    assert set(unverified) == {"app-expenses"}
    assert "no audit event of the reassignment to p-ios-mde" in unverified["app-expenses"]


def test_an_app_reassigned_for_two_targets_has_a_row_for_each() -> None:
    case = next(c for c in CASES[IOS_06] if c.name.startswith("an app reassigned for two targets"))
    assert [f.object_id for f in case.verify(IOS_06).evidence if not f.ok] == ["app-intranet", "app-intranet"]
