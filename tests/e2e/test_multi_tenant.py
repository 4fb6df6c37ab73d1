"""Several tenants in one run: every check once per tenant, ids naming the tenant, the same verdicts
serially and under pytest-xdist."""

from __future__ import annotations

import json
import shutil

import pytest
from tcharness import demo_dir

from tunnelcheck.registry import Catalog
from tunnelcheck.wording import counted


@pytest.fixture
def two_tenants(pytester: pytest.Pytester) -> pytest.Pytester:
    # The pre-migration snapshot stands in for a second customer: a tenant that has not started.
    shutil.copy(demo_dir() / "contoso.json", pytester.path / "contoso.json")
    shutil.copy(demo_dir() / "baseline.json", pytester.path / "fabrikam.json")
    shutil.copy(demo_dir() / "config.yaml", pytester.path / "config.yaml")
    return pytester


def _run(pytester: pytest.Pytester, *extra: str) -> tuple[pytest.RunResult, dict[tuple[str, str], str]]:
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--snapshot=contoso.json", "--snapshot=fabrikam.json",
        "--tunnelcheck-config=config.yaml", "--tunnelcheck-json=results.json", "-rA", *extra)
    document = json.loads((pytester.path / "results.json").read_text("utf-8"))
    return result, {(r["check_id"], r["tenant"]): r["outcome"] for r in document["results"]}


def test_every_check_runs_once_per_tenant_serially_and_in_parallel(two_tenants: pytest.Pytester) -> None:
    serial_result, serial = _run(two_tenants)
    parallel_result, parallel = _run(two_tenants, "-n", "2")
    non_drift = [cid for cid, c in Catalog.installed().items() if c.phase.value != "drift"]
    assert set(serial) == {(cid, t) for cid in non_drift for t in ("contoso", "fabrikam")}
    assert parallel == serial
    # The two tenants are in different states: the same check can pass on one and fail on the other.
    assert serial[("TUN-AND-07", "contoso")] == "failed"
    assert serial[("TUN-AND-02", "fabrikam")] == "failed"  # Defender not deployed before the migration
    assert serial[("TUN-AND-02", "contoso")] == "failed"
    assert serial[("TUN-AND-03", "contoso")] == "passed"
    assert serial[("TUN-AND-03", "fabrikam")] == "failed"
    for result in (serial_result, parallel_result):
        text = result.stdout.str()
        assert "tunnelcheck::TUN-AND-03[contoso]" in text and "tunnelcheck::TUN-AND-03[fabrikam]" in text
        assert result.ret == 1


def test_results_document_lists_each_tenant(two_tenants: pytest.Pytester) -> None:
    _run(two_tenants)
    document = json.loads((two_tenants.path / "results.json").read_text("utf-8"))
    assert [t["label"] for t in document["tenants"]] == ["contoso", "fabrikam"]
    assert all(t["snapshot_sha256"] for t in document["tenants"])
    assert document["tenant_id"] is None  # several tenants: the top-level fields name none of them


def _expected_line(document: dict, tenant: str) -> str:
    """The progress line of ``tenant`` as the results say it should read (every outcome but passed, counted)."""
    outcomes = [r["outcome"] for r in document["results"] if r["tenant"] == tenant]
    parts = [f"{outcomes.count(o)} {o}" if o != "error" else f"{outcomes.count(o)} error"
             + ("s" if outcomes.count(o) > 1 else "") for o in ("failed", "error", "skipped", "waived")
             if outcomes.count(o)]
    return f"{tenant}: {len(outcomes)} checks, " + ", ".join(parts)


@pytest.mark.parametrize("parallel", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_a_line_per_tenant_when_its_checks_are_done(two_tenants: pytest.Pytester, parallel: tuple[str, ...]) -> None:
    result, _ = _run(two_tenants, "-v", *parallel)
    document = json.loads((two_tenants.path / "results.json").read_text("utf-8"))
    lines = result.stdout.lines
    contoso, fabrikam = (_expected_line(document, t) for t in ("contoso", "fabrikam"))
    assert "failed" in contoso and "skipped" in fabrikam  # both tenants have failures and skips to count
    assert lines.count(contoso) == lines.count(fabrikam) == 1
    summary = next(n for n, line in enumerate(lines) if "= FAILURES =" in line)
    assert lines.index(contoso) < lines.index(fabrikam) < summary  # in the progress, before the failures
    if not parallel:  # serially, tenant by tenant: every contoso check, then its line, then fabrikam's checks
        ran = [(n, line.split()[0]) for n, line in enumerate(lines) if line.startswith("tunnelcheck::")]
        assert max(n for n, nodeid in ran if nodeid.endswith("[contoso]")) < lines.index(contoso) \
            < min(n for n, nodeid in ran if nodeid.endswith("[fabrikam]"))


@pytest.mark.parametrize("parallel", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_a_run_that_stops_early_says_what_did_not_run(two_tenants: pytest.Pytester, parallel: tuple[str, ...]) -> None:
    result, outcomes = _run(two_tenants, "-x", *parallel)
    total = sum(1 for c in Catalog.installed().values() if c.phase.value != "drift")
    ran = {t: sum(1 for (_, tenant) in outcomes if tenant == t) for t in ("contoso", "fabrikam")}
    assert ran["contoso"] < total
    lines = [line for line in result.stdout.lines if line.startswith(("contoso:", "fabrikam:"))]
    if not parallel:
        assert lines == [f"contoso: {counted(ran['contoso'], 'check')}, 1 failed ({total - ran['contoso']} checks did not run)",
                         f"fabrikam: none of its {total} checks ran"]
    else:  # the workers stop after their first failure: what did not run is counted, per tenant
        assert len(lines) == 2 and all(f"({total - ran[line.split(':')[0]]} checks did not run)" in line
                                       or line == f"{line.split(':')[0]}: none of its {total} checks ran"
                                       for line in lines), lines


def test_collect_only_says_nothing_per_tenant(two_tenants: pytest.Pytester) -> None:
    result = two_tenants.runpytest_subprocess("-p", "no:cacheprovider", "--snapshot=contoso.json",
                                              "--snapshot=fabrikam.json", "--collect-only", "-q")
    assert result.ret == 0
    assert not any(line.startswith(("contoso:", "fabrikam:")) for line in result.stdout.lines)


def test_one_tenant_has_no_progress_line(two_tenants: pytest.Pytester) -> None:
    result = two_tenants.runpytest_subprocess("-p", "no:cacheprovider", "--snapshot=contoso.json",
                                              "--tunnelcheck-config=config.yaml")
    assert not any(line.startswith("contoso:") for line in result.stdout.lines)
