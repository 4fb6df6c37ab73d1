"""Every built-in check says why it failed in a sentence of what its evidence shows (tunnelcheck.wording):
each has a failing example whose whole reason is pinned, in its family's test module."""

from __future__ import annotations

import test_cleanup
import test_defender_app
import test_devices
import test_drift_checks
import test_gateway
import test_parity
import test_per_app_vpn
import test_profiles
import test_reassign_timing

from tunnelcheck.check import Context, Evidence, Finding, Verdict, run_check
from tunnelcheck.config import MigrationConfig
from tunnelcheck.registry import Catalog
from tunnelcheck.testing import tenant

MODULES = (test_cleanup, test_defender_app, test_devices, test_drift_checks, test_gateway, test_parity,
           test_per_app_vpn, test_profiles, test_reassign_timing)


def test_every_built_in_check_has_a_failing_example_with_its_whole_reason() -> None:
    pinned = {check.id for module in MODULES for check, cases in module.CASES.items()
              for case in cases if case.outcome == "failed" and case.reason}
    assert pinned == set(Catalog.builtin())


def test_no_reason_says_a_count_with_a_plural_in_parentheses() -> None:
    """Every failing example, pinned or not: the reason says something, and "1 target(s)" is written nowhere."""
    for module in MODULES:
        for check, cases in module.CASES.items():
            for case in cases:
                verdict = run_check(check, case.tenant, case.baseline, case.config)
                assert verdict.reason and "(s)" not in verdict.reason, (check.id, case.name, verdict.reason)


def _context(*names: str) -> Context:
    evidence = Evidence()
    for name in names:
        evidence.fail(("group", name, name), "covered", False)
    return Context(tenant(), None, MigrationConfig(), evidence)


def test_a_reason_made_of_the_failing_rows_is_not_a_format_string() -> None:
    """Names from a tenant may hold braces: a reason the check makes is used as it is."""
    ctx = _context("{0}", "{n}")
    verdict = ctx.verdict(passed="fine", failed=lambda rows: " and ".join(f.label for f in rows))
    assert verdict == Verdict("failed", "{0} and {n}", tuple(ctx.evidence.findings))


def test_an_empty_reason_names_the_failing_rows() -> None:
    """A reason function that finds nothing to say (a check pack's, or a filter that matched no row) still
    gives a failure its reason."""
    assert _context("a", "b").verdict(passed="fine", failed=lambda rows: "").reason == "2 objects fail: a and b"
    assert _context("a").verdict(passed="fine", failed="").reason == "1 object fails: a"


def test_a_fixed_failure_text_still_counts_the_failing_rows() -> None:
    """Users' checks written before reasons were sentences: ``{n}`` is the number of failing rows."""
    assert _context("a", "b").verdict(passed="fine", failed="{n} bad").reason == "2 bad"
    assert _context().verdict(passed="fine", failed="{n} bad") == Verdict("passed", "fine", ())


def test_a_finding_is_labelled_by_its_name_else_its_id() -> None:
    assert Finding("group", "g1", "SG-One", "p", "v", False).label == "SG-One"
    assert Finding("group", "g1", "", "p", "v", False).label == "g1"
