"""Every core check (docs/checks.md) has examples of each outcome its rule can give."""

from __future__ import annotations

import pytest
import test_cleanup
import test_defender_app
import test_per_app_vpn
import test_profiles

from tunnelcheck.check import Check
from tunnelcheck.registry import Catalog

CORE = {
    "TUN-AND-01",
    "TUN-AND-02",
    "TUN-AND-03",
    "TUN-AND-05",
    "TUN-AND-07",
    "TUN-AND-08",
    "TUN-IOS-01",
    "TUN-IOS-02",
    "TUN-IOS-04",
    "TUN-IOS-05",
    "TUN-IOS-07",
    "TUN-IOS-08",
}
#: Core checks whose rule has no "skipped" clause.
NEVER_SKIPPED = {"TUN-AND-07", "TUN-IOS-07", "TUN-AND-08", "TUN-IOS-08"}

EXAMPLES: dict[Check, list] = {
    check: cases
    for module in (test_defender_app, test_profiles, test_per_app_vpn, test_cleanup)
    for check, cases in module.CASES.items()
}


def test_every_core_check_has_examples() -> None:
    assert {check.id for check in EXAMPLES} == CORE
    assert all(Catalog.builtin()[check.id] is check for check in EXAMPLES)  # the shipped checks themselves


@pytest.mark.parametrize("check", sorted(EXAMPLES, key=lambda c: c.id), ids=lambda c: c.id)
def test_examples_of_every_outcome(check: Check) -> None:
    outcomes = {case.outcome for case in EXAMPLES[check]}
    wanted = {"passed", "failed", "error"} | (set() if check.id in NEVER_SKIPPED else {"skipped"})
    assert outcomes == wanted
    names = [case.name for case in EXAMPLES[check]]
    assert len(names) == len(set(names)), "example names are test ids: keep them unique per check"
