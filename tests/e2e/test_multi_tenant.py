"""Several tenants in one run: every check once per tenant, ids naming the tenant, the same verdicts
serially and under pytest-xdist."""

from __future__ import annotations

import json
import shutil

import pytest
from tcharness import demo_dir

from tunnelcheck.registry import Catalog


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
