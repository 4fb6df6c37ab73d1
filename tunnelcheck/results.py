"""A check's result on one tenant, typed, and the results document (``--tunnelcheck-json``).

:class:`Result` is built once per check and tenant (by the plugin, from pytest's report) and is what every
output reads: the results JSON, the Markdown summary, the HTML report and the ``pytest_tunnelcheck_result``
hook. It travels between pytest-xdist's processes as its JSON record (:meth:`Result.as_dict`,
:meth:`Result.from_dict`), the same record the results file holds. A Result is also a read-only mapping of
that record (``result["outcome"]``), as the hook's implementations have always received.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .check import Check, Finding
from .errors import DataUnavailable
from .untrusted import for_markdown

__all__ = ["FAILING", "OUTCOMES", "RESULTS_VERSION", "Comparison", "MissingData", "Outcome", "Result"]

RESULTS_VERSION = 1

#: The outcomes, in the order reports show them; failing ones make a run fail (an error: the check could not run).
OUTCOMES = ("passed", "failed", "error", "skipped", "waived")
FAILING = frozenset({"failed", "error"})


class Outcome(str, enum.Enum):
    """How a check ended on a tenant (docs/terms.md "Outcomes"): waived is a failure whose every
    offending object is covered by an unexpired waiver."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"
    WAIVED = "waived"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class MissingData:
    """Data an error result could not read: the resource, the Graph permission that reads it, what went
    wrong and what gets it into the next run (from :class:`tunnelcheck.errors.DataUnavailable`)."""

    resource: str
    permission: str | None
    problem: str
    how_to_get: str

    @classmethod
    def of(cls, error: DataUnavailable, live: bool) -> tuple[MissingData, ...]:
        """One entry per resource ``error`` stands for; ``live``: the tenant is read through Graph."""
        return tuple(cls(e.resource, e.permission, e.reason, e.how_to_get(live)) for e in error.each)

    def as_dict(self) -> dict[str, Any]:
        return {"resource": self.resource, "permission": self.permission, "problem": self.problem,
                "how_to_get": self.how_to_get}

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> MissingData:
        return cls(record["resource"], record.get("permission"), record["problem"], record["how_to_get"])


@dataclass(frozen=True)
class Result(Mapping[str, Any]):
    """One check on one tenant: what it is, how it ended, why, and the evidence."""

    check_id: str
    title: str
    phase: str
    platform: str | None
    severity: str
    remediation: str
    tenant: str | None
    outcome: Outcome
    reason: str
    evidence: tuple[Finding, ...] = ()
    duration: float | None = field(default=None, compare=False)  # seconds, when the run measured it
    #: An error's unreadable data, when that is why it could not run.
    missing: tuple[MissingData, ...] = ()

    @classmethod
    def of(cls, check: Check, tenant: str | None, outcome: Outcome, reason: str,
           evidence: tuple[Finding, ...] = (), duration: float | None = None,
           missing: tuple[MissingData, ...] = ()) -> Result:
        return cls(check.id, check.title, check.phase.value, check.platform.value, check.severity.value,
                   check.remediation, tenant, outcome, reason, evidence, duration, missing)

    def as_dict(self) -> dict[str, Any]:
        """The record of ``--tunnelcheck-json``'s ``results`` (the duration is the report's, not the file's);
        ``missing`` only on an error that names its data."""
        return {
            "check_id": self.check_id, "title": self.title, "phase": self.phase, "platform": self.platform,
            "severity": self.severity, "remediation": self.remediation, "tenant": self.tenant,
            "outcome": self.outcome.value, "reason": self.reason, "evidence": [f.as_dict() for f in self.evidence],
            **({"missing": [m.as_dict() for m in self.missing]} if self.missing else {}),
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any], duration: float | None = None) -> Result:
        return cls(
            record["check_id"], record["title"], record["phase"], record.get("platform"), record["severity"],
            record.get("remediation", ""), record.get("tenant"), Outcome(record["outcome"]), record["reason"],
            tuple(Finding.from_dict(f) for f in record.get("evidence", ())), duration,
            tuple(MissingData.from_dict(m) for m in record.get("missing", ())),
        )

    # A read-only mapping of the record, for the hook's implementations.
    def __getitem__(self, key: str) -> Any:
        return self._record[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._record)

    def __len__(self) -> int:
        return len(self._record)

    @property
    def _record(self) -> dict[str, Any]:
        return self.as_dict()

    @property
    def label(self) -> str:
        """``CHECK [tenant]``."""
        return f"{self.check_id} [{self.tenant}]" if self.tenant else self.check_id


@dataclass(frozen=True)
class Comparison:
    """This run against an earlier one: what the result diff (tunnelcheck.reports.summary.ResultDiff: each check's
    outcome) and the fleet's changes (tunnelcheck.reports.fleet.FleetChanges: each tenant's failing checks, all
    that a fleet document keeps) have in common: the earlier file, when it was made, a summary of what
    changed, and the sentence that says so."""

    previous: str  # the earlier results or fleet file
    previous_generated_at: str | None

    @property
    def summary(self) -> str:
        raise NotImplementedError

    def compared_with(self) -> dict[str, Any]:
        """The keys of ``as_dict`` that name the earlier run."""
        return {"previous": self.previous, "previous_generated_at": self.previous_generated_at}

    def markdown(self) -> str:
        """"Compared with FILE, WHEN: SUMMARY." with every value through for_markdown."""
        when = f", {self.previous_generated_at}" if self.previous_generated_at else ""
        return (f"Compared with {for_markdown(Path(self.previous).name)}{for_markdown(when)}: "
                f"{for_markdown(self.summary)}.")
