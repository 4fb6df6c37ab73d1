"""The hooks tunnelcheck adds to pytest, implemented in a user's conftest.py: a check contributed through
``pytest_tunnelcheck_checks`` and every result delivered to ``pytest_tunnelcheck_result``."""

from __future__ import annotations

import json

import pytest
from tcharness import Demo

CONFTEST = '''
import json

from tunnelcheck import Phase, Platform, Resource, Severity, check


@check(id="ACME-GW-01", title="Every site has a description", phase=Phase.INVENTORY, platform=Platform.GATEWAY,
       severity=Severity.LOW, needs=[Resource.TUNNEL_SITES], remediation="Describe the site.")
def sites_described(ctx):
    """Fails for each Tunnel site without a description."""
    for site in ctx.tenant.sites:
        record = ctx.evidence.ok if site.raw.get("description") else ctx.evidence.fail
        record(("site", site.id, site.display_name), "description", site.raw.get("description"))
    return ctx.verdict(passed="every site is described", failed="{n} site(s) without a description")


def pytest_tunnelcheck_checks():
    return [sites_described]


SEEN = []


def pytest_tunnelcheck_result(config, result):
    SEEN.append({k: result[k] for k in ("check_id", "tenant", "outcome")})


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):
        with open("seen.json", "w") as f:
            json.dump(SEEN, f)
'''


def test_conftest_hooks_add_a_check_and_receive_every_result(demo: Demo, pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    run = demo.run("--phase=inventory", ".")  # "." so pytest reads the conftest of this folder
    run.assert_no_traceback()
    assert run.outcomes["ACME-GW-01"] == "failed"  # the demo's site has an empty description
    seen = json.loads((pytester.path / "seen.json").read_text("utf-8"))
    assert sorted(s["check_id"] for s in seen) == sorted(run.outcomes)
    assert {(s["check_id"], s["outcome"]) for s in seen} == set(run.outcomes.items())
    assert all(s["tenant"] == "contoso" for s in seen)
