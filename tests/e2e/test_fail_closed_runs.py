"""Runs whose inputs could mislead a gate: data a check cannot read is a pytest error (never a failure
with a remediation, never a pass), a baseline of another tenant is refused, waivers cover users' checks."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from tcharness import Demo

from tunnelcheck.sources import snapshot


def _rewrite(path, change) -> None:
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    snapshot.write(path, doc)


def test_unreadable_data_is_a_pytest_error_and_a_junit_error(demo: Demo, pytester: pytest.Pytester) -> None:
    # TUN-DEV-02 needs each assigned Defender profile's deviceStatusOverview: drop one.
    def drop_status(doc: dict) -> None:
        for profile in doc["resources"]["deviceManagement/deviceConfigurations"]:
            if profile["id"] == "p-and-do-mde":
                del profile["deviceStatusOverview"]

    _rewrite(pytester.path / "contoso.json", drop_status)
    run = demo.run("-k", "TUN-DEV-02", "--junitxml=junit.xml")
    run.assert_no_traceback()
    assert run.outcomes == {"TUN-DEV-02": "error"}
    assert run.result.parseoutcomes().get("errors") == 1
    text = run.result.stdout.str()
    assert "cannot run: deviceManagement/deviceConfigurations/p-and-do-mde/deviceStatusOverview: not recorded" in text
    (case,) = ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")
    assert case.find("error") is not None and case.find("failure") is None


def test_a_baseline_missing_what_a_check_does_not_read_does_not_error_it(demo: Demo, pytester: pytest.Pytester) -> None:
    # TUN-DEV-01 reads the current tenant's detected apps only; the baseline not having them is no reason to error.
    _rewrite(pytester.path / "baseline.json", lambda doc: doc["resources"].pop("deviceManagement/detectedApps"))
    run = demo.run("-k", "TUN-DEV-01 or TUN-AND-08")
    assert run.outcomes == {"TUN-DEV-01": "failed", "TUN-AND-08": "failed"}


def test_a_baseline_of_another_tenant_is_refused(demo: Demo, pytester: pytest.Pytester) -> None:
    _rewrite(pytester.path / "baseline.json", lambda doc: doc.update(tenant_id="00000000-aaaa-bbbb-cccc-000000000000"))
    run = demo.run()
    run.assert_no_traceback()
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    assert ("ERROR: --baseline: baseline.json is tenant 00000000-aaaa-bbbb-cccc-000000000000, but the run checks "
            "tenant 6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10 (contoso.json)") in run.result.stderr.str()


def test_one_baseline_for_several_tenants_is_refused(demo: Demo, pytester: pytest.Pytester) -> None:
    (pytester.path / "other.json").write_bytes((pytester.path / "contoso.json").read_bytes())
    run = demo.run("--snapshot=other.json")
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    assert "ERROR: --baseline: one baseline cannot serve 2 tenants" in run.result.stderr.str()


USER_CHECK = '''
import pytest

@pytest.mark.tunnelcheck(id="ACME-01", title="No standalone profile at all", phase="inventory",
                         needs=["deviceManagement/deviceConfigurations"])
def test_no_standalone(tenant, evidence):
    """No standalone profile exists at all."""
    for profile in tenant.profiles:
        if profile.standalone:
            evidence.fail(profile, "connectionType", profile.connection_type, "standalone")
    evidence.check()
'''


def test_waivers_cover_users_checks(demo: Demo, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_acme=USER_CHECK)
    (pytester.path / "config.yaml").write_text(
        "migration: {defender_features: false}\n"
        "waivers:\n  - {check: ACME-01, reason: kept for the pilot, owner: it@contoso.com, expires: 2099-12-31}\n")
    run = demo.run("--phase=inventory", "-k", "ACME", ".")
    run.assert_no_traceback()
    assert run.outcomes == {"ACME-01": "waived"}
    assert run.result.parseoutcomes().get("xfailed") == 1
    assert "unused waivers" not in run.result.stdout.str()
