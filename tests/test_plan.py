"""``tunnelcheck plan`` on its own: the steps it derives, the create body of a new profile, the same bytes
for the same inputs, tenant text that stays text in plan.md, the empty plan, and the command. That applying
the plan does what it says is proven against the emulator in tests/live/test_plan_apply.py."""

from __future__ import annotations

import copy
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hostile import ACTIVE, hostile_document, render_gfm

from tunnelcheck import config
from tunnelcheck.check import Phase
from tunnelcheck.plan import build_plan, load_plan, plan_json, render, step_for, steps_for
from tunnelcheck.registry import Catalog
from tunnelcheck.sources import snapshot
from tunnelcheck.testing import (
    DEFENDER_APP_ID,
    available,
    defender_app,
    exclusion,
    group,
    group_target,
    required,
    site,
    standalone_app,
    standalone_profile,
    tenant,
    tunnel_configuration,
)

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tunnelcheck" / "demo"
TUNNEL_ONLY = config.parse({"migration": {"defender_features": False}}, "test")


def _plan(current: Any, baseline: Any = None, settings: config.Config = TUNNEL_ONLY, phase: Phase | None = None):
    return build_plan(current, baseline, settings, Catalog.builtin().values(), phase)


def _demo() -> tuple[Any, Any]:
    return (snapshot.load_tenant(DEMO / "contoso.json"),
            snapshot.load_tenant(DEMO / "baseline.json", label="baseline"))


def test_the_demo_plan_in_the_migration_order() -> None:
    plan = _plan(*_demo())
    doc = json.loads(plan_json(plan))
    assert [(s["phase"], s["kind"], s["destructive"]) for s in doc["steps"]] == [
        ("defender-deployed", "assign-defender-app", False), ("profiles-created", "assign-profile", False),
        ("profiles-created", "fix-custom-settings", False), ("apps-reassigned", "wait", False),
        ("apps-reassigned", "reassign-per-app-vpn", False), ("cleanup", "wait", False),
        ("cleanup", "uninstall-standalone-app", True), ("cleanup", "uninstall-standalone-app", True),
        ("cleanup", "unassign-standalone", True), ("cleanup", "unassign-standalone", True)]
    wait = doc["steps"][3]["wait"]
    assert (wait["minutes"], wait["after"]) == (10, "step-2")  # after Finance got the iOS profile
    reassign = doc["steps"][4]["requests"][0]
    assert (reassign["method"], reassign["url"]) == (
        "PATCH", "/deviceAppManagement/mobileApps/app-ios-expenses/assignments/app-ios-expenses_0")
    assert reassign["body"]["settings"]["vpnConfigurationId"] == "p-ios-mde"
    assert reassign["body"]["intent"] == "required"
    # The iOS standalone app: offered assignments removed before the same groups get Uninstall.
    assert [r["method"] for r in doc["steps"][7]["requests"]] == ["DELETE", "DELETE", "POST", "POST"]
    assert doc["steps"][-1]["requests"] == [{"id": "step-10.1", "method": "POST", "body": {"assignments": []},
                                            "url": "/deviceManagement/deviceConfigurations/p-ios-std/assign"}]
    after = {c["check_id"]: c["after"] for c in doc["checks"]}
    assert after["TUN-AND-06"] == "skipped"  # defendertoggle = 0: web protection off, the check no longer applies
    assert {n["check_id"] for n in doc["not_resolved"]} == {"TUN-GW-01", "TUN-DEV-02", "TUN-IOS-06", "TUN-DEV-01"}
    assert step_for(doc, "TUN-IOS-05")["number"] == 5 and step_for(doc, "TUN-GW-01") is None
    assert [s["anchor"] for s in steps_for(doc, "TUN-AND-06")] == ["step-3"]


def test_a_phase_plans_that_phase_and_the_earlier_ones() -> None:
    doc = json.loads(plan_json(_plan(*_demo(), phase=Phase.DEFENDER_DEPLOYED)))
    assert [s["kind"] for s in doc["steps"]] == ["assign-defender-app"]
    assert {c["phase"] for c in doc["checks"]} == {"inventory", "defender-deployed"}


def _ios_standalone_tenant(extra: dict[str, Any], **more: Any):
    profile = standalone_profile(group_target("g-exec"), exclusion("g-contractors"), kind="ios",
                                 name="VPN <b>[Exec](https://evil.example)</b> (standalone)",
                                 custom={"TunnelOnly": "false", "Custom": "kept"}, **extra)
    return tenant(profiles=[profile], apps=[defender_app("ios", required(group_target("g-exec")))],
                  groups=[group("g-exec", "Executives"), group("g-contractors", "Contractors")],
                  sites=[site("site-1")], tunnel_configurations=[tunnel_configuration("tc-1")], **more)


def test_a_new_profile_mirrors_every_recorded_setting() -> None:
    settings = {
        "microsoftTunnelSiteId": "site-1", "enablePerApp": True, "providerType": "appProxy",
        "associatedDomains": ["contoso.com"], "excludedDomains": ["x.contoso.com"], "safariDomains": ["s.contoso.com"],
        "onDemandRules": [{"action": "connect", "domains": ["contoso.com"]}],
        "proxyServer": {"address": "proxy", "port": 8080, "automaticConfigurationScriptUrl": None},
        "disconnectOnIdle": True, "futureSetting": {"nested": [1, 2]}, "linked": {"$ref": "step-1.id"},
        "createdDateTime": "2024-01-01T00:00:00Z", "lastModifiedDateTime": "2024-01-01T00:00:00Z", "version": 7,
        "deviceStatusOverview": {"successCount": 3}, "assignments@odata.context": "x",
    }
    plan = _plan(_ios_standalone_tenant(settings))
    (create,) = [s for s in json.loads(plan_json(plan))["steps"] if s["kind"] == "create-profile"]
    body, assign = create["requests"][0]["body"], create["requests"][1]
    for key in ("microsoftTunnelSiteId", "enablePerApp", "providerType", "associatedDomains", "excludedDomains",
                "safariDomains", "onDemandRules", "proxyServer", "disconnectOnIdle", "futureSetting"):
        assert body[key] == settings[key], key
    assert next(iter(body)) == "@odata.type" and body["@odata.type"] == "#microsoft.graph.iosVpnConfiguration"
    assert body["connectionType"] == "microsoftProtect"
    assert body["displayName"] == "VPN <b>[Exec](https://evil.example)</b> (Defender)"
    assert body["customData"] == [{"key": "Custom", "value": "kept"}, {"key": "TunnelOnly", "value": "True"}]
    for server_set in ("id", "createdDateTime", "lastModifiedDateTime", "version", "assignments",
                       "deviceStatusOverview", "assignments@odata.context", "linked"):
        assert server_set not in body, server_set
    assert (assign["method"], assign["url"]) == ("POST", "/deviceManagement/deviceConfigurations/{step-1.id}/assign")
    assert [a["target"] for a in assign["body"]["assignments"]] == [group_target("g-exec"), exclusion("g-contractors")]
    notes = " ".join(create["notes"])
    assert "linked" in notes and "$ref" in notes  # not carried over, said so
    assert "disconnectOnIdle, futureSetting" in notes  # carried over unchanged, listed for review
    assert create["resolves"] == ["TUN-IOS-02"]


def test_plan_md_keeps_tenant_text_as_text() -> None:
    docs = {name: hostile_document(name) for name in ("contoso.json", "baseline.json")}
    current = tenant(**_resources(docs["contoso.json"]))
    baseline = tenant(**_resources(docs["baseline.json"]), label="baseline")
    markdown = render(_plan(current, baseline), "plan.json")
    assert ACTIVE.search(markdown.replace("\n", "")) is None
    rendered = render_gfm(markdown)
    links = re.findall(r'<a href="([^"]*)"', rendered)
    assert links and all(href.startswith(("#step-", "mailto:")) for href in links), links
    tags = set(re.findall(r"</?([a-zA-Z][\w-]*)", rendered))
    assert tags <= {"h1", "h2", "h3", "p", "ul", "ol", "li", "strong", "em", "code", "table", "thead", "tbody",
                    "tr", "th", "td", "a", "input"}, tags
    assert "evil.example" not in "".join(links)
    # The create body of a new profile keeps the name as it is: plan.json is data.
    markdown_ios = render(_plan(_ios_standalone_tenant({})))
    assert "[Exec]" not in markdown_ios and "\\[Exec\\]" in markdown_ios and "<b>" not in markdown_ios


def _resources(doc: dict[str, Any]) -> dict[str, Any]:
    res = doc["resources"]
    return {"profiles": res["deviceManagement/deviceConfigurations"], "apps": res["deviceAppManagement/mobileApps"],
            "groups": res["groups"], "sites": res["deviceManagement/microsoftTunnelSites"],
            "tunnel_configurations": res["deviceManagement/microsoftTunnelConfigurations"],
            "managed_devices": res["deviceManagement/managedDevices"],
            "detected_apps": res["deviceManagement/detectedApps"], "audit_events": res["deviceManagement/auditEvents"]}


def test_the_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    first, second = _plan(*_demo()), _plan(*_demo())
    assert plan_json(first) == plan_json(second) and render(first) == render(second)
    # Graph's order of a collection is no input that matters: shuffled, the same steps.
    doc = json.loads((DEMO / "contoso.json").read_text())
    for items in doc["resources"].values():
        random.Random(7).shuffle(items)
    snapshot.write(tmp_path / "contoso.json", doc)
    shuffled = _plan(snapshot.load_tenant(tmp_path / "contoso.json"), _demo()[1])
    for key in ("steps", "checks", "not_resolved", "summary"):
        assert json.loads(plan_json(shuffled))[key] == json.loads(plan_json(first))[key], key


def test_nothing_fails_nothing_to_do() -> None:
    clean = tenant(profiles=[], apps=[], groups=[], sites=[], tunnel_configurations=[],
                   managed_devices=[], detected_apps=[], audit_events=[])
    plan = _plan(clean)
    assert plan.steps == [] and not plan.failing
    assert json.loads(plan_json(plan))["summary"] == "every check passes: nothing to change"
    assert "Every check passes: there is nothing to change." in render(plan)


def test_the_standalone_app_mirrors_into_the_defender_app() -> None:
    """The Defender app is offered to each Tunnel target with the intent the standalone app had there."""
    current = tenant(
        profiles=[standalone_profile(group_target("g1"), group_target("g2"))],
        apps=[defender_app("android"), standalone_app("android", available(group_target("g1")),
                                                      required(group_target("g2")))],
        groups=[], sites=[], tunnel_configurations=[])
    doc = json.loads(plan_json(_plan(current, phase=Phase.DEFENDER_DEPLOYED)))
    (step,) = doc["steps"]
    assert [(r["body"]["intent"], r["body"]["target"]["groupId"]) for r in step["requests"]] == [
        ("available", "g1"), ("required", "g2")]
    assert all(r["url"].endswith("/assignments") for r in step["requests"])


def test_no_defender_app_is_a_manual_step_later_steps_refer_to() -> None:
    current = tenant(profiles=[standalone_profile(group_target("g1"))], apps=[], groups=[], sites=[],
                     tunnel_configurations=[])
    doc = json.loads(plan_json(_plan(current, phase=Phase.DEFENDER_DEPLOYED)))
    add, assign = doc["steps"]
    assert add["manual"] and add["requests"] == [] and add["adds"]["packageId"] == DEFENDER_APP_ID
    assert assign["requests"][0]["url"] == "/deviceAppManagement/mobileApps/{step-1.id}/assignments"
    assert {c["check_id"]: c["after"] for c in doc["checks"]}["TUN-AND-01"] == "passed"


def test_hostile_ids_stay_inside_their_url_segment() -> None:
    profile = standalone_profile(group_target("g1"), profile_id="p/../x?y=1#{step-1.id}")
    current = tenant(profiles=[profile], apps=[], groups=[], sites=[], tunnel_configurations=[])
    doc = json.loads(plan_json(_plan(current)))
    (unassign,) = [s for s in doc["steps"] if s["kind"] == "unassign-standalone"]
    assert unassign["requests"][0]["url"] == \
        "/deviceManagement/deviceConfigurations/p%2F..%2Fx%3Fy%3D1%23%7Bstep-1.id%7D/assign"


def test_load_plan_refuses_other_files(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text(json.dumps({"tunnelcheck_results": 1, "results": []}))
    with pytest.raises(Exception, match="not a plan.json written by tunnelcheck plan"):
        load_plan(str(tmp_path / "results.json"))
    with pytest.raises(Exception, match="cannot read the plan"):
        load_plan(str(tmp_path / "missing.json"))


# ---------------------------------------------------------------------------------------------------
# The command


def _tunnelcheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "tunnelcheck.cli", *args], cwd=cwd, capture_output=True,
                            text=True, timeout=300, check=False)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def test_the_command_writes_plan_md_and_plan_json(tmp_path: Path) -> None:
    args = ("plan", f"--snapshot={DEMO / 'contoso.json'}", f"--baseline={DEMO / 'baseline.json'}",
            f"--tunnelcheck-config={DEMO / 'config.yaml'}")
    first = _tunnelcheck(*args, cwd=tmp_path)
    assert first.returncode == 1, first.stderr  # failing checks: work to do
    assert "plan.md: 10 steps; plan.json: 12 Graph requests (not sent)" in first.stdout
    markdown, plan = (tmp_path / "plan.md").read_bytes(), (tmp_path / "plan.json").read_bytes()
    assert json.loads(plan)["markdown"] == "plan.md"
    second = _tunnelcheck(*args, "-o", "again.md", "--json", "again.json", cwd=tmp_path)
    assert second.returncode == 1
    again = json.loads((tmp_path / "again.json").read_text())
    assert again.pop("markdown") == "again.md"
    assert (tmp_path / "again.md").read_bytes() == markdown.replace(b"(plan.json holds", b"(again.json holds")
    doc = json.loads(plan)
    doc.pop("markdown")
    assert again == doc  # the same inputs, the same plan


@pytest.mark.parametrize(("args", "message"), [
    (("--snapshot=missing.json",), "missing.json"),
    ((), "needs exactly one tenant"),
    (("--snapshot=x.json", "--tenant=t"), "not allowed with argument"),
    (("--snapshot=x.json", "-o", "no/such/folder/plan.md"), "--markdown"),
])
def test_the_command_fails_in_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = _tunnelcheck("plan", *args, cwd=tmp_path)
    assert result.returncode == 2
    *usage, last = result.stderr.strip().splitlines()  # argparse's own errors come after its usage
    assert message in last and last.startswith("tunnelcheck"), result.stderr
    assert not usage or usage[0].startswith("usage:"), result.stderr


def test_planning_changes_nothing_it_read() -> None:
    """The prediction applies the plan to a copy: the tenant as read is as it was."""
    current, baseline = _demo()
    before = copy.deepcopy(current.source.snapshot.resources)
    _plan(current, baseline)
    assert current.source.snapshot.resources == before


def test_the_readme_excerpt_is_the_demo_plan() -> None:
    """Every line of the README's excerpt of the demo's plan.md is in the plan the demo gives now."""
    readme = (ROOT / "README.md").read_text()
    excerpt = readme.split("```markdown\n", 1)[1].split("```", 1)[0]
    demo = render(_plan(*_demo()), "plan.json")
    missing = [line for line in excerpt.splitlines() if line and line not in demo.splitlines()]
    assert not missing, missing
