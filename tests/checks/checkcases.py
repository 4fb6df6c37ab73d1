"""Data-driven check examples in the Checkov style: each check gets examples marked should-pass,
should-fail, should-skip or should-error, and a failing example names the exact set of offending object
ids (the ``object_id`` of every failing ``Finding``).

    CASES = {TUN_AND_01: [
        should_pass("app approved", tenant(...)),
        should_fail("no app", tenant(...), "com.microsoft.scmx"),
    ]}

    @pytest.mark.parametrize(("check", "case"), params(CASES))
    def test_check(check: Check, case: Case) -> None:
        case.verify(check)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pytest

from tunnelcheck.check import Check, Verdict, run_check
from tunnelcheck.config import MigrationConfig
from tunnelcheck.resources import Resource
from tunnelcheck.tenant import Tenant

__all__ = [
    "MDE_WANTED",
    "TUNNEL_ONLY",
    "Case",
    "params",
    "should_error",
    "should_fail",
    "should_pass",
    "should_skip",
]

#: migration.defender_features: false (Tunnel only) and true (Defender features wanted).
TUNNEL_ONLY = MigrationConfig(defender_features=False)
MDE_WANTED = MigrationConfig(defender_features=True)


_MARKS = {"passed": "pass", "failed": "fail", "skipped": "skip", "error": "error"}


@dataclass(frozen=True)
class Case:
    """One example: a tenant (and baseline, config) and the verdict the check must give on it."""

    outcome: str  # passed | failed | skipped | error
    name: str
    tenant: Tenant
    baseline: Tenant | None = None
    config: MigrationConfig = field(default_factory=MigrationConfig)
    offenders: frozenset[str] = frozenset()
    reason_has: tuple[str, ...] = ()  # texts the verdict's reason must contain

    @property
    def id(self) -> str:
        return f"should-{_MARKS[self.outcome]}: {self.name}"

    def verify(self, check: Check) -> Verdict:
        """Run ``check`` and assert the outcome, the exact offending ids and the reason texts."""
        verdict = run_check(check, self.tenant, self.baseline, self.config)
        shown = "\n".join([verdict.reason, *(f.line() for f in verdict.evidence)])
        assert verdict.outcome == self.outcome, shown
        assert {f.object_id for f in verdict.evidence if not f.ok} == self.offenders, shown
        for text in self.reason_has:
            assert text in verdict.reason, shown
        return verdict


def should_pass(
    name: str, tenant: Tenant, *, baseline: Tenant | None = None, config: MigrationConfig = MigrationConfig()
) -> Case:
    return Case("passed", name, tenant, baseline, config)


def should_fail(
    name: str,
    tenant: Tenant,
    *offenders: str,
    baseline: Tenant | None = None,
    config: MigrationConfig = MigrationConfig(),
) -> Case:
    """``offenders``: every id the evidence must name as failing, and no other."""
    assert offenders, "a failing example names its offending objects"
    return Case("failed", name, tenant, baseline, config, frozenset(offenders))


def should_skip(
    name: str,
    tenant: Tenant,
    reason: str,
    *,
    baseline: Tenant | None = None,
    config: MigrationConfig = MigrationConfig(),
) -> Case:
    """``reason``: a text the skip reason must contain (it says what is missing or not applicable)."""
    return Case("skipped", name, tenant, baseline, config, reason_has=(reason,))


def should_error(
    name: str,
    tenant: Tenant,
    *missing: Resource,
    baseline: Tenant | None = None,
    config: MigrationConfig = MigrationConfig(),
) -> Case:
    """The reason must name every ``missing`` resource and the Graph permission it needs."""
    assert missing, "an error example names the resource that could not be read"
    texts = tuple(text for resource in missing for text in (resource.value, resource.permission))
    return Case("error", name, tenant, baseline, config, reason_has=texts)


def params(cases: Mapping[Check, Iterable[Case]]) -> list[object]:
    """``pytest.param(check, case)`` for every example, with ids like ``TUN-AND-01 should-fail: no app``."""
    return [
        pytest.param(check, case, id=f"{check.id} {case.id}")
        for check, items in cases.items()
        for case in items
    ]
