"""Examples of a check's verdicts: each example is a built tenant marked should-pass, should-fail,
should-skip or should-error, and a failing example names the exact set of offending object ids (the
``object_id`` of every failing ``Finding``, no more and no fewer)::

    CASES = {ACME_01: [
        should_pass("named", tenant(profiles=[standalone_profile(name="Tunnel - Sales")])),
        should_fail("misnamed", tenant(profiles=[standalone_profile(name="Sales")]), "p-do-std"),
        should_error("not recorded", tenant(), Resource.DEVICE_CONFIGURATIONS),
    ]}

    @pytest.mark.parametrize(("check", "case"), params(CASES))
    def test_acme(check, case, check_runner):
        check_runner.verify(check, case)

The ``check_runner`` fixture (a :class:`CheckRunner`) comes with the pytest plugin
``tunnelcheck.testing`` (``pytest_plugins = ["tunnelcheck.testing"]`` in a conftest.py, or ``-p
tunnelcheck.testing``); ``case.verify(check)`` does the same without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..check import Check, Verdict, run_check
from ..config import MigrationConfig
from ..model.resources import Resource
from ..tenant import Tenant

__all__ = [
    "MDE_WANTED",
    "TUNNEL_ONLY",
    "Case",
    "CheckRunner",
    "params",
    "should_error",
    "should_fail",
    "should_pass",
    "should_skip",
]

#: ``migration.defender_features``: false (Tunnel only) and true (Defender's features wanted).
TUNNEL_ONLY = MigrationConfig(defender_features=False)
MDE_WANTED = MigrationConfig(defender_features=True)

_MARKS = {"passed": "pass", "failed": "fail", "skipped": "skip", "error": "error"}


def _offenders(verdict: Verdict) -> frozenset[str]:
    return frozenset(f.object_id for f in verdict.evidence if not f.ok)


def _settings(config: MigrationConfig | None) -> MigrationConfig:
    return config if config is not None else MigrationConfig()


@dataclass(frozen=True)
class Case:
    """One example: a tenant (and its baseline and migration settings) and the verdict a check must give
    on it."""

    outcome: str  # passed | failed | skipped | error
    name: str
    tenant: Tenant
    baseline: Tenant | None = None
    config: MigrationConfig = field(default_factory=MigrationConfig)
    offenders: frozenset[str] = frozenset()
    reason_has: tuple[str, ...] = ()  # texts the verdict's reason must contain
    reason: str | None = None  # the verdict's whole reason, when given

    @property
    def id(self) -> str:
        """``should-<outcome>: <name>``, the example's test id."""
        return f"should-{_MARKS[self.outcome]}: {self.name}"

    def verify(self, check: Check) -> Verdict:
        """Run ``check`` on the example and raise ``AssertionError`` unless it gives the outcome, exactly the
        offending ids and the reason's texts; returns the verdict, for further assertions."""
        __tracebackhide__ = True  # pytest shows the example's test, not this function
        if not isinstance(check, Check):
            raise TypeError(f"{check!r} is not a check: declare it with tunnelcheck.check(...)")
        verdict = run_check(check, self.tenant, self.baseline, self.config)
        problems = []
        if verdict.outcome != self.outcome:
            problems.append(f"outcome {verdict.outcome}, expected {self.outcome}")
        if _offenders(verdict) != self.offenders:
            problems.append(f"offending ids {sorted(_offenders(verdict))}, expected {sorted(self.offenders)}")
        problems += [f"the reason does not say {text!r}" for text in self.reason_has if text not in verdict.reason]
        if self.reason is not None and verdict.reason != self.reason:
            problems.append(f"the reason is not {self.reason!r}")
        if problems:
            lines = [f"{check.id} {self.id}: " + "; ".join(problems), f"reason: {verdict.reason}",
                     *(f"  {finding.line()}" for finding in verdict.evidence)]
            raise AssertionError("\n".join(lines))
        return verdict


def should_pass(name: str, tenant: Tenant, *, baseline: Tenant | None = None,
                config: MigrationConfig | None = None) -> Case:
    """The check passes on ``tenant``: no evidence row fails."""
    return Case("passed", name, tenant, baseline, _settings(config))


def should_fail(name: str, tenant: Tenant, *offenders: str, baseline: Tenant | None = None,
                config: MigrationConfig | None = None, reason: str | None = None) -> Case:
    """The check fails on ``tenant``; ``offenders``: every id its evidence must name as failing, and no
    other; ``reason``: the failure's reason, exactly (what it says the evidence shows)."""
    if not offenders:
        raise ValueError(f"should_fail({name!r}): a failing example names its offending objects")
    return Case("failed", name, tenant, baseline, _settings(config), frozenset(offenders), reason=reason)


def should_skip(name: str, tenant: Tenant, reason: str, *, baseline: Tenant | None = None,
                config: MigrationConfig | None = None) -> Case:
    """The check is skipped; ``reason``: a text the skip reason must contain (what is missing or not
    applicable)."""
    return Case("skipped", name, tenant, baseline, _settings(config), reason_has=(reason,))


def should_error(name: str, tenant: Tenant, *missing: Resource, baseline: Tenant | None = None,
                 config: MigrationConfig | None = None) -> Case:
    """The check errors; its reason names every ``missing`` resource and the Graph permission it needs."""
    if not missing:
        raise ValueError(f"should_error({name!r}): an error example names the resource that could not be read")
    texts = tuple(text for resource in missing for text in (resource.value, resource.permission))
    return Case("error", name, tenant, baseline, _settings(config), reason_has=texts)


def params(cases: Mapping[Check, Iterable[Case]]) -> list[Any]:
    """``pytest.param(check, case)`` for every example, with ids like ``TUN-AND-01 should-fail: no app``,
    for ``@pytest.mark.parametrize(("check", "case"), params(CASES))``."""
    import pytest  # here, not above: the builders (and tunnelcheck synth) do not load pytest

    return [pytest.param(check, case, id=f"{check.id} {case.id}") for check, items in cases.items()
            for case in items]


@dataclass(frozen=True)
class CheckRunner:
    """Runs checks on built tenants: what the ``check_runner`` fixture gives."""

    config: MigrationConfig = field(default_factory=MigrationConfig)

    def __call__(self, check: Check, tenant: Tenant, *, baseline: Tenant | None = None,
                 config: MigrationConfig | None = None) -> Verdict:
        """The verdict of ``check`` on ``tenant`` (with ``baseline`` and ``config``, by default this
        runner's): passed, failed, skipped or error, as a tunnelcheck run gives it."""
        if not isinstance(check, Check):
            raise TypeError(f"{check!r} is not a check: declare it with tunnelcheck.check(...)")
        return run_check(check, tenant, baseline, config if config is not None else self.config)

    def verify(self, check: Check, case: Case) -> Verdict:
        """:meth:`Case.verify`: assert the example's verdict."""
        __tracebackhide__ = True
        return case.verify(check)
