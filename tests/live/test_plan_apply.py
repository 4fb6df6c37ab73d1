"""``tunnelcheck plan``, proven: its plan.json applied to the emulated tenant (write mode, tests only), the
waits passed on the emulator's clock, the result recorded through the read-only record path, and the checks
run again. Every check comes out as the plan predicted; the checks it addresses pass (or no longer apply);
no other check changes outcome, except one that comes into play and passes (skipped -> passed). Planning
again on the result finds nothing left to do.

Tenants: the demo (halfway; and its baseline, the migration not begun; and with Defender's features wanted),
synthetic tenants halfway through (``tunnelcheck synth``: S with seeds 1, 2 and 3, M with seed 1), a
synthetic tenant not begun (its baseline: no Defender app, no Defender profile), one planned phase by phase
(up to profiles-created, applied, then the rest), and a hand-made tenant not begun (all devices as a target,
exclusions on a profile and on the Defender app, UDP disabled) with each migration intent.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from emulated import DEMO
from planapply import apply_plan, failing_objects, recorded, verdicts

from tunnelcheck import config
from tunnelcheck.check import Phase
from tunnelcheck.emulator import Emulator
from tunnelcheck.model import parse_datetime
from tunnelcheck.plan import NOT_PREDICTED, build_plan, plan_json, render
from tunnelcheck.registry import Catalog
from tunnelcheck.sources import snapshot, synth
from tunnelcheck.tenant import Tenant
from tunnelcheck.testing import (
    all_devices,
    app,
    available,
    defender_app,
    exclusion,
    group,
    group_target,
    required,
    server,
    site,
    standalone_app,
    standalone_profile,
    status_overview,
    tunnel_configuration,
)

DEMO_BASELINE = DEMO.with_name("baseline.json")

pytestmark = pytest.mark.provokes_writes  # the plan is applied to the emulator on purpose


def _load(doc: dict[str, Any], path: Path, label: str | None = None) -> Tenant:
    snapshot.write(path, copy.deepcopy(doc))
    return snapshot.load_tenant(path, label=label)


def _apply_and_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, current: dict[str, Any],
                     baseline_doc: dict[str, Any] | None, defender_features: bool | None = False,
                     phases: tuple[Phase | None, ...] = (None,)) -> dict[str, Any]:
    settings = config.parse({"migration": {"defender_features": defender_features}}, "test")
    migration = settings.migration
    baseline = _load(baseline_doc, tmp_path / "baseline.json", "baseline") if baseline_doc else None
    start = parse_datetime(current["recorded_at"], "recorded_at")
    with Emulator(copy.deepcopy(current), page_size=1000, writable=True, clock=start,
                  state_dir=tmp_path / "emu") as emu:
        before = recorded(emu, monkeypatch, tmp_path / "before.json")
        first = verdicts(before, baseline, migration)
        assert not [k for k, v in first.items() if v.outcome == "error"], "the tenant must record whole"
        state = before
        plans = []
        for n, phase in enumerate(phases):
            plan = build_plan(state, baseline, settings, Catalog.builtin().values(), phase)
            doc = json.loads(plan_json(plan))
            plans.append(doc)
            now = verdicts(state, baseline, migration, phase)
            assert {c["check_id"]: c["now"] for c in doc["checks"]} == {k: v.outcome for k, v in now.items()}
            apply_plan(emu, doc)
            state = recorded(emu, monkeypatch, tmp_path / f"after-{n}.json")
            after = verdicts(state, baseline, migration, phase)
            _holds(doc, now, after)
        again = build_plan(state, baseline, settings, Catalog.builtin().values())
    assert again.steps == [], [s.title.plain() for s in again.steps]  # nothing left that a step could do
    final = verdicts(state, baseline, migration)
    return {"plans": plans, "before": first, "after": final}


def _holds(doc: dict[str, Any], now: dict[str, Any], after: dict[str, Any]) -> None:
    """The plan's claims, against the checks run on the recorded result."""
    reassigned = {o["id"] for s in doc["steps"] if s["kind"] == "reassign-per-app-vpn" for o in s["objects"]}
    addressed = {c for s in doc["steps"] for c in s["addresses"]}
    for check in doc["checks"]:
        cid, before, outcome = check["check_id"], now[check["check_id"]], after[check["check_id"]]
        if cid in NOT_PREDICTED:  # TUN-IOS-06: no app this plan moved was moved too soon
            assert not failing_objects(outcome) & reassigned, (cid, outcome)
            assert outcome.outcome == before.outcome or (before.outcome in ("skipped", "passed")
                                                        and outcome.outcome == "passed"), (cid, before, outcome)
            continue
        assert outcome.outcome == check["after"], (cid, check, outcome.reason, [
            f.line() for f in outcome.evidence if not f.ok])
        if cid in {r for s in doc["steps"] for r in s["resolves"]}:
            assert outcome.outcome in ("passed", "skipped"), (cid, outcome)
        if outcome.outcome != before.outcome:
            assert cid in addressed or (before.outcome, outcome.outcome) == ("skipped", "passed"), (
                cid, before.outcome, outcome.outcome)


def _steps(result: dict[str, Any]) -> list[str]:
    return [s["kind"] for plan in result["plans"] for s in plan["steps"]]


def test_the_demo_plan_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    current = json.loads(DEMO.read_text())
    result = _apply_and_check(tmp_path, monkeypatch, current, json.loads(DEMO_BASELINE.read_text()))
    assert _steps(result) == ["assign-defender-app", "assign-profile", "fix-custom-settings", "wait",
                              "reassign-per-app-vpn", "wait", "uninstall-standalone-app", "uninstall-standalone-app",
                              "unassign-standalone", "unassign-standalone"]
    failing = {k for k, v in result["after"].items() if v.outcome == "failed"}
    # What no configuration change can do: server health, device errors and devices, an early reassignment.
    assert failing == {"TUN-GW-01", "TUN-DEV-02", "TUN-DEV-01", "TUN-IOS-06"}
    assert failing_objects(result["after"]["TUN-IOS-06"]) == {"app-ios-intranet"}  # the demo's, not the plan's


def test_the_demo_plan_with_defender_features(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _apply_and_check(tmp_path, monkeypatch, json.loads(DEMO.read_text()),
                              json.loads(DEMO_BASELINE.read_text()), defender_features=True)
    kinds = _steps(result)
    assert kinds.count("fix-custom-settings") == 3  # every Defender profile: defendertoggle / TunnelOnly out
    assert "add-browsers" in kinds  # web protection stays on in the work profile: Edge joins the list
    assert result["after"]["TUN-AND-06"].outcome == "passed"


def test_the_demo_before_the_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the demo's baseline: Defender profiles made from scratch, the apps moved to them after the wait."""
    baseline = json.loads(DEMO_BASELINE.read_text())
    result = _apply_and_check(tmp_path, monkeypatch, baseline, baseline)
    kinds = _steps(result)
    assert kinds.count("create-profile") == 3 and kinds.count("add-defender-app") == 2
    assert result["after"]["TUN-IOS-06"].outcome == "passed"  # both apps moved 10 minutes after the profile


@pytest.mark.parametrize(("size", "seed"), [("S", 1), ("S", 2), ("S", 3), ("M", 1)])
def test_synthetic_tenants_halfway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: str, seed: int) -> None:
    tenant = synth.generate(size, seed)
    result = _apply_and_check(tmp_path, monkeypatch, tenant.current, tenant.baseline)
    failing = {k for k, v in result["after"].items() if v.outcome == "failed"}
    assert failing <= {"TUN-GW-01", "TUN-DEV-02", "TUN-DEV-01", "TUN-IOS-06"}


def test_a_synthetic_tenant_not_begun(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = synth.generate("S", 4)
    result = _apply_and_check(tmp_path, monkeypatch, tenant.baseline, tenant.baseline)
    assert "create-profile" in _steps(result)
    assert {k for k, v in result["after"].items() if v.outcome == "failed"} <= {"TUN-GW-01", "TUN-DEV-01"}


def test_a_synthetic_tenant_phase_by_phase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = synth.generate("S", 2)
    result = _apply_and_check(tmp_path, monkeypatch, tenant.current, tenant.baseline,
                              phases=(Phase.PROFILES_CREATED, None))
    first, second = result["plans"]
    assert {s["phase"] for s in first["steps"]} <= {"inventory", "defender-deployed", "profiles-created"}
    assert {s["phase"] for s in second["steps"]} >= {"apps-reassigned", "cleanup"}


def _hand_made(disable_udp_before: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """All devices as a Tunnel target, exclusions on a profile and on the Defender app, UDP disabled."""

    def doc(disable_udp: bool) -> dict[str, Any]:
        return {"tunnelcheck_snapshot": 1, "recorded_at": "2026-11-26T07:00:00Z",
                "tenant_id": "7e57e57e-0000-4000-8000-00000000000b", "resources": {
                    "deviceManagement/deviceConfigurations": [
                        standalone_profile(all_devices(), exclusion("g-kiosk"), microsoftTunnelSiteId="site-1",
                                           alwaysOn=True, targetedPackageIds=["com.contoso.crm"],
                                           deviceStatusOverview=status_overview()),
                        standalone_profile(group_target("g1"), group_target("g2"), exclusion("g3"), kind="ios",
                                           microsoftTunnelSiteId="site-1", enablePerApp=True,
                                           associatedDomains=["contoso.com"], deviceStatusOverview=status_overview())],
                    "deviceAppManagement/mobileApps": [
                        defender_app("android"),
                        defender_app("ios", required(group_target("g2")), required(exclusion("g1"))),
                        standalone_app("android", required(all_devices())),
                        standalone_app("ios", available(group_target("g1")), required(group_target("g2"))),
                        app("app-ios-crm", "ios-store", "com.contoso.crm", assignments=[
                            available(group_target("g1"), vpn="p-ios-std"),
                            required(group_target("g2"), vpn="p-ios-std")])],
                    "groups": [group(g) for g in ("g1", "g2", "g3", "g-kiosk")],
                    "deviceManagement/microsoftTunnelSites": [site("site-1", server("srv-1"))],
                    "deviceManagement/microsoftTunnelConfigurations": [tunnel_configuration(disable_udp=disable_udp)],
                    "deviceManagement/managedDevices": [], "deviceManagement/detectedApps": [],
                    "deviceManagement/auditEvents": []}}

    return doc(True), doc(disable_udp_before)


@pytest.mark.parametrize("features", [False, None, True], ids=["tunnel-only", "intent-unset", "defender-features"])
def test_a_hand_made_tenant_not_begun(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, features: bool | None) -> None:
    current, baseline = _hand_made(disable_udp_before=False)
    result = _apply_and_check(tmp_path, monkeypatch, current, baseline, defender_features=features)
    (plan,) = result["plans"]
    kinds = [s["kind"] for s in plan["steps"]]
    assert kinds[0] == "enable-udp" and kinds.count("create-profile") == 2
    (android,) = [s for s in plan["steps"] if s["kind"] == "create-profile" and "AE" not in s["title"]
                  and "ios" not in s["requests"][0]["body"]["@odata.type"].lower()]
    targets = [a["target"] for a in android["requests"][1]["body"]["assignments"]]
    assert [t["@odata.type"] for t in targets] == ["#microsoft.graph.allDevicesAssignmentTarget",
                                                    "#microsoft.graph.exclusionGroupAssignmentTarget"]
    (ios_app,) = [s for s in plan["steps"]
                  if s["kind"] == "assign-defender-app" and "app-ios-mde" in s["requests"][0]["url"]]
    assert [r["method"] for r in ios_app["requests"]] == ["DELETE", "POST"]  # the exclusion of g1 goes first
    toggles = {c["key"] for s in plan["steps"] if s["kind"] == "create-profile"
               for c in s["requests"][0]["body"]["customData"]}
    assert toggles == ({"defendertoggle", "TunnelOnly"} if features is False else set())
    assert {k for k, v in result["after"].items() if v.outcome == "failed"} == set()


def test_turning_udp_on_against_the_baseline_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With UDP disabled in the baseline as well, turning it on is a gateway change: the plan predicts
    TUN-GW-03 failing, warns about it, and the change comes out as predicted."""
    current, baseline = _hand_made(disable_udp_before=True)
    settings = config.parse({"migration": {"defender_features": False}}, "test")
    plan = build_plan(_load(current, tmp_path / "c.json"), _load(baseline, tmp_path / "b.json", "baseline"),
                      settings, Catalog.builtin().values())
    doc = json.loads(plan_json(plan))
    assert {c["check_id"]: (c["now"], c["after"]) for c in doc["checks"]}["TUN-GW-03"] == ("passed", "failed")
    assert "TUN-GW-03 reports this change" in " ".join(doc["steps"][0]["notes"])
    assert "**Warning**: after this plan these checks would fail: TUN-GW-03." in render(plan)
