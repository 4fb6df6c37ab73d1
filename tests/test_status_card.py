"""The status card's model without a browser: the gate's verdict and counts, the next step (phase order; an
error's step is getting its data, never the remediation), the snapshot's age, the drift and result-diff
counts per tenant; what an error says about its missing data; and the card's HTML escaping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tunnelcheck import testing
from tunnelcheck.drift import CHANGES, DRIFT, ObjectDiff, TenantDiff, View
from tunnelcheck.errors import (
    DataUnavailable,
    MalformedData,
    MalformedResource,
    PermissionDenied,
    Unclassifiable,
)
from tunnelcheck.model.resources import Resource
from tunnelcheck.reports import status_card, summary, times
from tunnelcheck.reports.status_card import Gate, next_step, snapshot_age
from tunnelcheck.reports.summary import TenantDrift
from tunnelcheck.results import MissingData
from tunnelcheck.tenant import SourceInfo
from tunnelcheck.untrusted import for_html

NOW = dt.datetime(2026, 12, 1, 10, 50, tzinfo=dt.timezone.utc)
CONTOSO = SourceInfo("contoso", "snapshot", "contoso.json", tenant_id="6f1c2a4e", recorded_at="2026-11-26T07:00:00Z")
FABRIKAM = SourceInfo("fabrikam", "live", "fabrikam.onmicrosoft.com", tenant_id="0b0b0b0b")


def _record(check_id: str, outcome: str, phase: str, tenant: str | None = "contoso", **more: Any) -> dict[str, Any]:
    return {"check_id": check_id, "title": f"title of {check_id}", "phase": phase, "tenant": tenant,
            "outcome": outcome, "reason": f"{check_id} {outcome}", "evidence": [],
            "remediation": f"fix {check_id}", **more}


MISSING = MissingData.of(DataUnavailable(Resource.DETECTED_APPS.value, "not recorded in snapshot contoso.json",
                                         Resource.DETECTED_APPS.permission), live=False)


# ---------------------------------------------------------------------------------------------------
# The gate


@pytest.mark.parametrize(("counts", "verdict", "met"), [
    ({"passed": 9, "skipped": 1, "waived": 2}, "met", True),
    ({"passed": 8, "failed": 6, "error": 1}, "not met, 6 failing, 1 error", False),
    ({"passed": 3, "error": 2}, "not met, 2 errors", False),
    ({"failed": 1}, "not met, 1 failing", False),
    ({}, "no checks ran", False),  # no evidence is not a pass
    ({"skipped": 4}, "met", True),
])
def test_gate_verdict_counts_failures_and_errors(counts: dict[str, int], verdict: str, met: bool) -> None:
    gate = Gate("profiles-created", ("inventory", "profiles-created"), counts)
    assert (gate.verdict, gate.met) == (verdict, met)
    assert gate.total == sum(counts.values())


def test_gate_name_says_the_phase_or_the_phases_that_ran() -> None:
    assert Gate("profiles-created", ("inventory", "profiles-created"), {}).name == "profiles-created"
    assert Gate("cleanup", ("inventory", "cleanup", "drift"), {}).name == "cleanup + drift"
    assert Gate(None, ("inventory", "cleanup", "drift"), {}).name == \
        "no --phase; phases run: inventory, cleanup, drift"


# ---------------------------------------------------------------------------------------------------
# The next step


def test_next_step_is_the_first_failure_in_phase_order_with_its_remediation() -> None:
    results = [_record("TUN-IOS-08", "failed", "cleanup"), _record("TUN-AND-05", "failed", "profiles-created"),
               _record("TUN-AND-04", "failed", "profiles-created"), _record("TUN-GW-01", "passed", "inventory"),
               _record("TUN-AND-01", "waived", "defender-deployed"), _record("TUN-GW-04", "skipped", "inventory")]
    step = next_step(results)
    assert step is not None and (step.check_id, step.outcome, step.action) == ("TUN-AND-04", "failed", "fix TUN-AND-04")
    # Within a phase the catalog's order decides, then the id.
    assert next_step(results, order=["TUN-AND-05", "TUN-AND-04"]).check_id == "TUN-AND-05"  # type: ignore[union-attr]


def test_next_step_of_an_error_is_getting_its_data_not_the_remediation() -> None:
    error = _record("TUN-DEV-01", "error", "inventory", missing=[m.as_dict() for m in MISSING])
    step = next_step([_record("TUN-AND-05", "failed", "profiles-created"), error])
    assert step is not None and (step.check_id, step.outcome) == ("TUN-DEV-01", "error")
    assert "fix TUN-DEV-01" not in step.action
    assert step.action == ("deviceManagement/detectedApps: record the snapshot again (tunnelcheck record --tenant … "
                           "-o FILE) with an application that holds the Graph permission "
                           "DeviceManagementManagedDevices.Read.All")
    # An error that names no data (a user's check that crashed) says why it could not run.
    crashed = next_step([_record("USR-01", "error", "inventory", reason="KeyError: 'x'")])
    assert crashed is not None and crashed.action == "it could not run: KeyError: 'x'"


def test_no_next_step_when_nothing_failed_and_a_failure_without_remediation_points_at_its_evidence() -> None:
    assert next_step([_record("A", "passed", "inventory"), _record("B", "waived", "cleanup")]) is None
    step = next_step([_record("USR-02", "failed", "inventory", remediation="  ")])
    assert step is not None and step.action == "see its evidence"


# ---------------------------------------------------------------------------------------------------
# The snapshot's age


def test_snapshot_age_from_its_recorded_time() -> None:
    assert snapshot_age(CONTOSO, NOW) == "5 days old (recorded 2026-11-26T07:00:00Z)"
    assert snapshot_age(FABRIKAM, NOW) == "live"
    hours = SourceInfo("x", "snapshot", "x.json", recorded_at="2026-12-01T05:20:00.5+02:00")  # 03:20 UTC
    assert snapshot_age(hours, NOW) == "7 hours old (recorded 2026-12-01T03:20:00Z)"
    assert snapshot_age(SourceInfo("x", "snapshot", "x.json"), NOW).startswith("recorded at an unknown time")
    bad = SourceInfo("x", "snapshot", "x.json", recorded_at="<b>yesterday</b>")
    assert snapshot_age(bad, NOW) == \
        "recorded at an unknown time (recorded_at is not a date-time: <b>yesterday</b>)"


@pytest.mark.parametrize(("seconds", "age"), [
    (0, "less than a minute old"), (59, "less than a minute old"), (60, "1 minute old"), (3599, "59 minutes old"),
    (3600, "1 hour old"), (2 * 86400 - 1, "47 hours old"), (2 * 86400, "2 days old"), (-5, "from after this run"),
])
def test_age_units(seconds: int, age: str) -> None:
    assert times.age(NOW - dt.timedelta(seconds=seconds), NOW) == age


def test_times_are_shown_in_utc_iso_8601_and_other_text_is_left_alone() -> None:
    assert times.shown("2026-11-24T14:04:00+00:00") == "2026-11-24T14:04:00Z"
    assert times.shown("2026-11-24T15:04:00.1234567+01:00") == "2026-11-24T14:04:00Z"
    for text in ("2099-12-31", "warning", "2026-13-45T99:00:00Z", "", "[0, 1]"):
        assert times.shown(text) == text


# ---------------------------------------------------------------------------------------------------
# The card of a run


def _drift(tenant: str, *statuses: str, shown: View = CHANGES) -> TenantDrift:
    objects = tuple(ObjectDiff("PROFILE", f"p{n}", f"profile {n}", status) for n, status in enumerate(statuses))
    return TenantDrift(tenant, TenantDiff(CONTOSO, CONTOSO, objects), shown=shown)


def test_build_counts_each_tenant_and_its_drift_and_result_diff() -> None:
    results = [_record("TUN-GW-01", "failed", "inventory"), _record("TUN-AND-05", "error", "profiles-created"),
               _record("TUN-AND-04", "passed", "profiles-created"),
               _record("TUN-GW-01", "passed", "inventory", tenant="fabrikam"),
               _record("USR-01", "failed", "inventory", tenant=None)]  # no tenant: gates every tenant
    previous = {"generated_at": "2026-11-30T10:50:00+00:00", "_path": "earlier.json",
                "results": [_record("TUN-GW-01", "passed", "inventory"), _record("TUN-AND-05", "error", "profiles-created"),
                            _record("TUN-GW-01", "failed", "inventory", tenant="fabrikam")]}
    diff = summary.result_diff(previous, results)
    contoso, fabrikam = status_card.build(
        results, [CONTOSO, FABRIKAM], phase="profiles-created", now=NOW,
        drift=[_drift("contoso", "added", "changed", "added"),
               TenantDrift("fabrikam", None, "drift not computed: groups: not recorded")], diff=diff)
    assert (contoso.label, contoso.tenant_id) == ("contoso", "6f1c2a4e")
    assert dict(contoso.gate.counts) == {"passed": 1, "failed": 2, "error": 1, "skipped": 0, "waived": 0}
    assert f"{contoso.gate.name}: {contoso.gate.verdict}" == "profiles-created: not met, 2 failing, 1 error"
    assert contoso.next_step is not None and contoso.next_step.check_id == "TUN-GW-01"
    assert contoso.snapshot == "5 days old (recorded 2026-11-26T07:00:00Z)"
    assert (contoso.compared, contoso.drift) == ("Changes", "3 objects changed since the baseline: 2 added, 1 changed")
    assert contoso.result_diff == \
        "1 newly failing, 1 still erroring, 2 appeared since the previous run (2026-11-30T10:50:00Z)"
    assert f"{fabrikam.gate.name}: {fabrikam.gate.verdict}" == "profiles-created: not met, 1 failing"
    assert fabrikam.snapshot == "live"
    assert fabrikam.drift == "drift not computed: groups: not recorded"
    assert fabrikam.result_diff.startswith("1 newly passing, 1 appeared since")


def test_build_without_baseline_previous_or_failures() -> None:
    (status,) = status_card.build([_record("TUN-GW-01", "passed", "inventory")], [CONTOSO], phase=None, now=NOW)
    assert (status.gate.verdict, status.next_step) == ("met", None)
    assert status.gate.name == "no --phase; phases run: inventory"
    assert (status.drift, status.result_diff) == ("no baseline", "no previous run")
    (quiet,) = status_card.build([_record("A", "passed", "inventory")], [CONTOSO], phase=None, now=NOW,
                                 drift=[TenantDrift("contoso", TenantDiff(CONTOSO, CONTOSO))],
                                 diff=summary.result_diff({"results": [_record("A", "passed", "inventory")]},
                                                          [_record("A", "passed", "inventory")]))
    assert (quiet.drift, quiet.result_diff) == ("none since the baseline", "no change since the previous run (time unknown)")


def test_build_names_drift_as_drift_and_counts_in_words() -> None:
    """With --drift the row is the drift; a check that went from failed to skipped no longer applies."""
    previous = {"results": [_record("A", "failed", "inventory"), _record("B", "failed", "inventory")]}
    results = [_record("A", "skipped", "inventory"), _record("B", "skipped", "inventory")]
    (status,) = status_card.build(results, [CONTOSO], phase=None, now=NOW, diff=summary.result_diff(previous, results),
                                  drift=[_drift("contoso", "removed", shown=DRIFT)])
    assert (status.compared, status.drift) == ("Drift", "1 object drifted: 1 removed")
    assert status.result_diff == "2 no longer apply since the previous run (time unknown)"


def test_run_count_counts_checks_not_other_tests() -> None:
    assert status_card.run_count(12, 0, 0.43) == "12 checks ran in 0.4 s."
    assert status_card.run_count(1, 2, 75.2) == "1 check ran in 1 min 15 s, and 2 other tests."
    assert status_card.run_count(3, 0, 0.1, finished=False) == "3 checks done so far."


def test_card_html_escapes_tenant_values() -> None:
    label = "<img src=x onerror=alert(1)>"
    info = SourceInfo(label, "snapshot", "x.json", tenant_id="<b>id</b>", recorded_at="<i>now</i>")
    statuses = status_card.build([_record("<s>ID</s>", "failed", "inventory", tenant=label, title="<u>t</u>",
                                          remediation="<script>x</script>")], [info], phase=None, now=NOW)
    html = status_card.render(statuses, {"Tenant source": "<svg onload=x>"})
    for raw in ("<img", "<b>", "<i>", "<s>", "<u>", "<script>", "<svg"):
        assert raw not in html
    for text in (label, "<b>id</b>", "<script>x</script>", "<svg onload=x>", "<s>ID</s>"):
        assert for_html(text) in html


# ---------------------------------------------------------------------------------------------------
# What an error says about its data


def test_each_kind_of_missing_data_says_how_to_get_it() -> None:
    permission = Resource.DEVICE_CONFIGURATIONS.permission
    resource = Resource.DEVICE_CONFIGURATIONS.value
    assert PermissionDenied(resource, "Graph refused access: 403", permission).how_to_get(live=True) == \
        f"grant the application the Graph permission {permission} (admin consent), then run again"
    assert DataUnavailable(resource, "HTTP 503", permission).how_to_get(live=True) == \
        f"run again with an application that holds the Graph permission {permission}"
    assert DataUnavailable(resource, "not recorded", permission).how_to_get(live=False).startswith(
        "record the snapshot again (tunnelcheck record")
    malformed = MalformedResource(resource, MalformedData("resources.x[3]", "expected an object"), permission)
    assert "resources.x[3]" in malformed.how_to_get(live=False) and "record the snapshot again" in \
        malformed.how_to_get(live=False)
    assert Unclassifiable(resource, ["profile p1 (no @odata.type)"]).how_to_get(live=True).startswith(
        "in Intune, give each object named the property that decides what it is, then run again")


def test_a_failure_of_several_resources_names_each() -> None:
    tenant = testing.tenant(profiles=[], groups=[])  # records configurations and groups only
    with pytest.raises(DataUnavailable) as caught:
        tenant.require([Resource.MOBILE_APPS, Resource.DETECTED_APPS])
    missing = MissingData.of(caught.value, live=False)
    assert [(m.resource, m.permission) for m in missing] == [
        (Resource.MOBILE_APPS.value, Resource.MOBILE_APPS.permission),
        (Resource.DETECTED_APPS.value, Resource.DETECTED_APPS.permission)]
    assert all(m.problem.startswith("not recorded") for m in missing)
    record = {"missing": [m.as_dict() for m in missing]}
    assert tuple(MissingData.from_dict(m) for m in record["missing"]) == missing


def test_an_error_box_says_what_is_missing_and_not_the_remediation() -> None:
    html_report = pytest.importorskip("tunnelcheck.reports.html_report")
    error = _record("TUN-DEV-01", "error", "cleanup", remediation="Make sure the standalone app is uninstalled",
                    missing=[m.as_dict() for m in MISSING])
    box = html_report.render(error)
    assert "Make sure the standalone app" not in box and "Remediation" not in box
    assert "<code>deviceManagement/detectedApps</code>" in box
    assert "DeviceManagementManagedDevices.Read.All" in box and "record the snapshot again" in box
    assert "No objects inspected" not in box  # it inspected nothing because it could not run
    failed = html_report.render(_record("TUN-AND-05", "failed", "profiles-created"))
    assert "Remediation:</strong> fix TUN-AND-05" in failed and "tc-missing" not in failed


# ---------------------------------------------------------------------------------------------------
# The card on top of pytest-html's page


def test_the_card_opens_pytest_htmls_page_and_an_unknown_page_is_left_alone() -> None:
    html_report = pytest.importorskip("tunnelcheck.reports.html_report")
    jinja2 = pytest.importorskip("jinja2")
    import pytest_html
    from pytest_html.util import _read_template

    template = _read_template([Path(pytest_html.__file__).parent / "resources"])
    patched = html_report._with_card_on_top(template)
    assert patched is not None
    page = patched.render(
        title="tunnelcheck: <contoso>", date="2026-12-01T10:50:00Z", time="10:50:00", version="4.2.0", styles="",
        run_count="1 check ran in 0.1 s.", running_state="finished", self_contained=True,
        outcomes={"passed": {"label": "Passed", "value": 1}}, test_data="{}", table_head=["<th>Result</th>"],
        additional_summary={"prefix": [], "summary": [], "postfix": []}, tc_card='<div class="tc-tenant">card</div>')
    body = page[page.index("<body>") + len("<body>"):].lstrip()
    assert body.startswith('<section id="tc-status" class="tc-status">')
    card = body[:body.index("</section>")]
    assert '<h1 id="title">tunnelcheck: &lt;contoso&gt;</h1>' in card  # the title still escaped
    assert '<div class="tc-tenant">card</div>' in card
    assert "Report generated 2026-12-01T10:50:00Z by" in card and " at 10:50:00" not in page
    environment = body[body.index('<details id="tc-environment"'):]
    assert environment.index('<table id="environment">') < environment.index("</details>")
    assert '<div id="environment-header" hidden></div>' in body  # pytest-html's script binds a click to it

    other = jinja2.Environment(loader=jinja2.DictLoader({"index.jinja2": "<body><h2>another page</h2></body>"}))
    assert html_report._with_card_on_top(other.get_template("index.jinja2")) is None
