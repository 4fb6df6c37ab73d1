"""A user's own checks (test files using the fixtures) and a check pack installed through the entry point
group ``tunnelcheck.checks``, run end to end."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from tcharness import Demo, demo_dir

from tunnelcheck.sources import snapshot

USER_CHECKS = '''
import pytest


@pytest.mark.tunnelcheck(id="ACME-AND-01", title="Android Defender profiles are named (Defender)",
                         phase="profiles-created", platform="android", severity="low",
                         needs=["deviceManagement/deviceConfigurations"],
                         remediation="Rename the profile.")
def test_defender_profiles_named(tenant, evidence):
    """Every Android Defender profile is named "... (Defender)"."""
    for profile in tenant.profiles:
        if profile.defender and profile.platform == "android":
            if profile.display_name.endswith("(Defender)"):
                evidence.ok(profile, "displayName", profile.display_name)
            else:
                evidence.fail(profile, "displayName", profile.display_name, "no (Defender) suffix")
    evidence.check(passed="named", failed="{n} profile(s) misnamed")


@pytest.mark.tunnelcheck(id="ACME-IOS-01", title="No iOS standalone profile is left",
                         phase="cleanup", platform="ios", needs=["deviceManagement/deviceConfigurations"],
                         remediation="Delete the iOS standalone profiles.")
def test_no_ios_standalone(tenant, evidence):
    """No iOS standalone profile exists, assigned or not."""
    for profile in tenant.profiles:
        if profile.standalone and profile.platform == "ios":
            evidence.fail(profile, "connectionType", profile.connection_type, "standalone profile exists")
    evidence.check(failed="{n} iOS standalone profile(s)")


@pytest.mark.tunnelcheck(id="ACME-DEV-01", title="Audit trail is recorded", phase="inventory",
                         platform="devices", needs=["deviceManagement/auditEvents"])
def test_audit_recorded(tenant, evidence):
    """The Intune audit events are recorded."""
    for event in tenant.audit_events:
        evidence.ok(("audit event", event.id, ""), "recorded", True)
    evidence.check()


def test_plain_test_is_untouched():
    assert True
'''


def _user_run(demo: Demo, *extra: str) -> dict[str, dict]:
    demo.pytester.makepyfile(test_acme=USER_CHECKS)
    # With no path argument only the catalog runs (by design), so the user names their folder.
    run = demo.run("--tunnelcheck-no-catalog", ".", *extra)
    run.assert_no_traceback()
    assert run.document is not None
    return {r["check_id"]: r for r in run.document["results"]} | {"_run": run}  # type: ignore[dict-item]


def test_user_checks_pass_and_fail_with_evidence(demo: Demo) -> None:
    records = _user_run(demo)
    run = records.pop("_run")
    assert {cid: r["outcome"] for cid, r in records.items()} == {
        "ACME-AND-01": "passed", "ACME-IOS-01": "failed", "ACME-DEV-01": "passed"}
    failing = records["ACME-IOS-01"]
    assert failing["reason"] == "1 iOS standalone profile(s)"
    assert [(f["object_id"], f["value"], f["ok"]) for f in failing["evidence"]] == [
        ("p-ios-std", "microsoftTunnel", False)]
    assert failing["phase"] == "cleanup" and failing["platform"] == "ios" and failing["tenant"] == "contoso"
    assert {f["object_id"] for f in records["ACME-AND-01"]["evidence"]} == {"p-and-do-mde", "p-and-wp-mde"}
    # The plain test runs too but is no check: it has no record.
    run.result.assert_outcomes(passed=3, failed=1)


def test_user_checks_follow_phase_and_markers(demo: Demo) -> None:
    records = _user_run(demo, "--phase", "profiles-created")
    records.pop("_run")
    assert set(records) == {"ACME-AND-01", "ACME-DEV-01"}  # cleanup is later than profiles-created
    records = _user_run(demo, "-m", "ios and cleanup")
    records.pop("_run").result.assert_outcomes(failed=1, deselected=3)
    assert set(records) == {"ACME-IOS-01"}


def test_user_check_with_missing_resource_errors(demo: Demo) -> None:
    # A snapshot that never recorded the audit log: the check that needs it must error, not pass.
    doc = json.loads((demo_dir() / "contoso.json").read_text("utf-8"))
    del doc["resources"]["deviceManagement/auditEvents"]
    snapshot.write(demo.pytester.path / "contoso.json", doc)
    records = _user_run(demo)
    run = records.pop("_run")
    error = records["ACME-DEV-01"]
    assert error["outcome"] == "error"
    assert error["reason"] == ("deviceManagement/auditEvents: not recorded in snapshot contoso.json "
                               "(needs Graph permission DeviceManagementApps.Read.All)")
    assert records["ACME-AND-01"]["outcome"] == "passed"
    run.result.assert_outcomes(passed=2, failed=1, errors=1)
    # The same holds for a catalog check that needs it.
    catalog = demo.run("-k", "TUN-IOS-06")
    assert catalog.outcomes == {"TUN-IOS-06": "error"}
    assert "deviceManagement/auditEvents" in catalog.record("TUN-IOS-06")["reason"]


def test_user_checks_run_beside_the_catalog_and_in_junit(demo: Demo) -> None:
    demo.pytester.makepyfile(test_acme=USER_CHECKS)
    run = demo.run("--junitxml=junit.xml", "-k", "ACME or TUN-IOS-07", "test_acme.py")
    assert run.outcomes == {"ACME-AND-01": "passed", "ACME-IOS-01": "failed", "ACME-DEV-01": "passed",
                            "TUN-IOS-07": "failed"}
    junit = (demo.pytester.path / "junit.xml").read_text("utf-8")
    assert '<property name="check_id" value="ACME-IOS-01" />' in junit or \
        '<property name="check_id" value="ACME-IOS-01"/>' in junit


def test_user_check_with_bad_marker_is_one_line_error(demo: Demo) -> None:
    demo.pytester.makepyfile(test_bad='''
        import pytest

        @pytest.mark.tunnelcheck(id="ACME-X-01", phase="someday")
        def test_x(tenant):
            """A check in a phase that does not exist."""
            pass
    ''')
    run = demo.run_plain("--snapshot=contoso.json", "test_bad.py")
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    assert "ERROR: test_bad.py::test_x[contoso]: @pytest.mark.tunnelcheck: 'someday' is not a valid Phase" \
        in run.result.errlines
    run.assert_no_traceback()


@pytest.mark.parametrize(("marker", "doc", "says"), [
    ('id="acme 1", needs=["groups"]', '"""A rule."""', "check id 'acme 1' is not like TUN-AND-01"),
    ('id="ACME-X-01", needs=["groups"]', "", "ACME-X-01: the function needs a docstring stating its rule"),
    ('id="ACME-X-01"', '"""A rule."""', "ACME-X-01: a check must declare the resources it needs"),
    ('id="ACME-X-01", needs=["nowhere"]', '"""A rule."""', "'nowhere' is not a valid Resource"),
], ids=["id", "rule", "needs", "unknown-resource"])
def test_user_checks_are_validated_as_the_catalogs(demo: Demo, marker: str, doc: str, says: str) -> None:
    """A check written as a pytest test becomes the same Check as a built-in one, by the same rules."""
    demo.pytester.makepyfile(test_bad=f'''
        import pytest

        @pytest.mark.tunnelcheck({marker})
        def test_x(tenant):
            {doc}
            pass
    ''')
    run = demo.run_plain("--snapshot=contoso.json", "test_bad.py")
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    assert any(says in line for line in run.result.errlines), run.result.errlines
    run.assert_no_traceback()


# ---------------------------------------------------------------------------------------------------
# A check pack installed through the entry point group


PACK = '''
"""A third-party check pack: one check, handed over through pytest_tunnelcheck_checks."""
from tunnelcheck import Phase, Platform, Resource, Severity, check


@check(id="ACME-GW-01", title="Every Tunnel site has two servers", phase=Phase.INVENTORY,
       platform=Platform.GATEWAY, severity=Severity.LOW, needs=[Resource.TUNNEL_SITES],
       remediation="Install a second server in each site.")
def two_servers(ctx):
    """Fails for each Tunnel site with fewer than two servers."""
    for site in ctx.tenant.sites:
        (ctx.evidence.ok if len(site.servers) >= 2 else ctx.evidence.fail)(
            ("site", site.id, site.display_name), "servers", len(site.servers))
    return ctx.verdict(passed="every site has two servers", failed="{n} site(s) with fewer")


def pytest_tunnelcheck_checks():
    return [two_servers]
'''


def install_pack(root: Path, name: str, module_source: str, target: str | None = None) -> Path:
    """A tiny installed distribution: a module and its dist-info with the entry point, on PYTHONPATH."""
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{name}.py").write_text(textwrap.dedent(module_source), "utf-8")
    info = root / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", "utf-8")
    (info / "entry_points.txt").write_text(f"[tunnelcheck.checks]\n{name} = {target or name}\n", "utf-8")
    return root


def test_check_pack_from_entry_point_joins_the_catalog(demo: Demo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pack = install_pack(tmp_path / "site", "acme_pack", PACK)
    monkeypatch.setenv("PYTHONPATH", str(pack))
    run = demo.run("-m", "gateway")
    run.assert_no_traceback()
    assert run.outcomes["ACME-GW-01"] == "passed"  # the demo site has two servers
    assert {f["object_id"] for f in run.record("ACME-GW-01")["evidence"]} == {
        "b3a7e1c2-5d4f-4e6a-9b8c-0a1d2e3f4a5b"}
    phase = demo.run("--phase", "inventory")
    assert "ACME-GW-01" in phase.outcomes and all(
        cid.startswith(("TUN-GW-", "ACME-GW-")) for cid in phase.outcomes)


def test_broken_check_pack_is_one_line_error(demo: Demo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pack = install_pack(tmp_path / "site", "broken_pack", "import no_such_module_here\n")
    monkeypatch.setenv("PYTHONPATH", str(pack))
    run = demo.run_plain("--snapshot=contoso.json")
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    assert ("ERROR: check pack 'broken_pack' (broken_pack) failed to load: ModuleNotFoundError: "
            "No module named 'no_such_module_here'") in run.result.errlines
    run.assert_no_traceback()


def test_duplicate_check_id_in_a_pack_is_one_line_error(demo: Demo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clash = PACK.replace('"ACME-GW-01"', '"TUN-GW-01"')
    pack = install_pack(tmp_path / "site", "clash_pack", clash)
    monkeypatch.setenv("PYTHONPATH", str(pack))
    run = demo.run_plain("--snapshot=contoso.json")
    assert run.result.ret != 0
    assert any(line.startswith("ERROR: check id TUN-GW-01 is declared twice") for line in run.result.errlines), \
        run.result.errlines
    run.assert_no_traceback()
