"""What a check is: a plain function over the tenant model, with its metadata declared beside it.

    @check(id="TUN-AND-07", title="…", phase=Phase.CLEANUP, platform=Platform.ANDROID,
           severity=Severity.HIGH, needs=[Resource.DEVICE_CONFIGURATIONS], remediation="…")
    def standalone_android_profiles_retired(ctx: Context) -> Verdict:
        \"\"\"The rule, as docs/checks.md states it.\"\"\"
        for profile in ctx.tenant.profiles:
            ...
            ctx.evidence.fail(profile, "connectionType", profile.connection_type, "still assigned")
        return ctx.verdict(passed="…", failed=lambda failures: named(
            [f.label for f in failures], "profile is still assigned", "profiles are still assigned"))

The function reads only ``ctx``; it records every object it inspected in ``ctx.evidence`` (ok or fail),
returns ``ctx.verdict(...)`` (failed when any evidence row failed), or calls ``ctx.skip(reason)``. A
failure's reason says what its failing rows show, in a sentence (tunnelcheck.wording counts and lists).
A check never catches DataUnavailable: data it cannot read makes it error, never pass.
"""

from __future__ import annotations

import builtins
import enum
import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from . import model
from .config import MigrationConfig
from .errors import CheckDefinitionError, DataUnavailable
from .model.resources import Resource
from .tenant import Tenant
from .wording import named

__all__ = [
    "Check",
    "CheckFailed",
    "CheckSkipped",
    "Context",
    "Evidence",
    "Finding",
    "Phase",
    "Platform",
    "Reason",
    "Severity",
    "Verdict",
    "check",
    "new_check",
    "run_check",
]


class Phase(enum.Enum):
    """Migration phases, in order; ``--phase P`` runs P and every earlier one. Drift runs with --drift."""

    INVENTORY = "inventory"
    DEFENDER_DEPLOYED = "defender-deployed"
    PROFILES_CREATED = "profiles-created"
    APPS_REASSIGNED = "apps-reassigned"
    CLEANUP = "cleanup"
    DRIFT = "drift"

    @property
    def rank(self) -> int:
        return list(Phase).index(self)

    @property
    def marker(self) -> str:
        """The pytest marker: the phase name with underscores (``-m profiles_created``)."""
        return self.value.replace("-", "_")

    def __str__(self) -> str:
        return self.value


class Platform(enum.Enum):
    ANDROID = "android"
    IOS = "ios"
    GATEWAY = "gateway"
    DEVICES = "devices"
    TENANT = "tenant"  # checks spanning platforms (the drift checks)

    def __str__(self) -> str:
        return self.value


class Severity(enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    def __str__(self) -> str:
        return self.value


_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")


@dataclass(frozen=True)
class Check:
    """A check's metadata and its rule function."""

    id: str
    title: str
    phase: Phase
    platform: Platform
    severity: Severity
    remediation: str
    needs: tuple[Resource, ...]
    func: Callable[[Context], Verdict] = field(repr=False, compare=False)

    @property
    def rule(self) -> str:
        """The exact rule, from the function's docstring."""
        return inspect.cleandoc(self.func.__doc__ or "").replace("\n", " ")

    @property
    def module(self) -> str:
        return self.func.__module__

    def as_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.id, "title": self.title, "phase": self.phase.value,
            "platform": self.platform.value, "severity": self.severity.value, "rule": self.rule,
            "remediation": self.remediation, "needs": [r.value for r in self.needs],
        }


def check(
    *,
    id: str,
    title: str,
    phase: Phase | str,
    platform: Platform | str,
    severity: Severity | str,
    needs: Iterable[Resource | str],
    remediation: str,
) -> Callable[[Callable[[Context], Verdict]], Check]:
    """Declare a check. The decorated function becomes a :class:`Check`."""

    def declare(func: Callable[[Context], Verdict]) -> Check:
        return new_check(func, id=id, title=title, phase=phase, platform=platform, severity=severity,
                         needs=needs, remediation=remediation)

    return declare


def new_check(
    func: Callable[..., Any],
    *,
    id: str,
    title: str,
    phase: Phase | str,
    platform: Platform | str,
    severity: Severity | str,
    needs: Iterable[Resource | str],
    remediation: str,
    where: str | None = None,
) -> Check:
    """A :class:`Check`, validated: an id like ``TUN-AND-01``, a docstring stating the rule, the resources
    it needs, and known phase, platform and severity. The built-in catalog, check packs and the checks
    users write as pytest tests (``@pytest.mark.tunnelcheck``) all become checks here. ``where`` names the
    declaration in errors (default: the function)."""
    where = where or f"{func.__module__}.{func.__name__}"
    if not _ID.match(str(id)):
        raise CheckDefinitionError(f"{where}: check id {id!r} is not like TUN-AND-01")
    if not (func.__doc__ or "").strip():
        raise CheckDefinitionError(f"{where}: {id}: the function needs a docstring stating its rule")
    try:
        resources = tuple(Resource(r) for r in needs)
        kinds = (Phase(phase), Platform(platform), Severity(severity))
    except ValueError as exc:
        raise CheckDefinitionError(f"{where}: {exc}") from None
    if not resources:
        raise CheckDefinitionError(f"{where}: {id}: a check must declare the resources it needs")
    return Check(str(id), str(title), *kinds, " ".join(str(remediation).split()), resources, func)


# ---------------------------------------------------------------------------------------------------
# Evidence and verdicts


@dataclass(frozen=True)
class Finding:
    """One evidence row: an inspected object, the property that decided, its value, and whether it was ok."""

    object_type: str
    object_id: str
    object_name: str
    property: str
    value: str
    ok: bool
    note: str = ""
    baseline: str | None = None  # the value in the baseline, for differences against it
    waived: str = ""  # the waiver that covers this row, if any (filled by the waiver logic)

    def as_dict(self) -> dict[str, Any]:
        return {
            "object_type": self.object_type, "object_id": self.object_id, "object_name": self.object_name,
            "property": self.property, "value": self.value, "ok": self.ok, "note": self.note,
        } | ({"baseline": self.baseline} if self.baseline is not None else {}) | (
            {"waived": self.waived} if self.waived else {})

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Finding:
        """The inverse of :meth:`as_dict`."""
        return cls(str(record["object_type"]), str(record["object_id"]), str(record["object_name"]),
                   str(record["property"]), str(record["value"]), bool(record["ok"]), str(record.get("note", "")),
                   record.get("baseline"), str(record.get("waived", "")))

    @builtins.property  # in this class, ``property`` is the field
    def label(self) -> str:
        """The object as a reason names it: its name, else its id."""
        return self.object_name or self.object_id

    def line(self) -> str:
        mark = "ok  " if self.ok else ("WAIVED" if self.waived else "FAIL")
        name = f"{self.object_name} ({self.object_id})" if self.object_name else self.object_id
        value = f"{self.baseline} -> {self.value}" if self.baseline is not None else self.value
        note = f": {self.note}" if self.note else ""
        return f"{mark} {self.object_type} {name}: {self.property} = {value}{note}"


def _format_value(value: Any) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (set, frozenset, list, tuple)):
        return "[" + ", ".join(sorted(_format_value(v) for v in value)) + "]"
    return str(value)


_NO_BASELINE: Any = object()


class Evidence:
    """Collects the findings of one check run."""

    def __init__(self, tenant: Tenant | None = None) -> None:
        self.findings: list[Finding] = []
        self._tenant = tenant

    def _ref(self, obj: Any) -> tuple[str, str, str]:
        if isinstance(obj, model.TunnelProfile):
            return ("profile", obj.id, obj.display_name)
        if isinstance(obj, model.MobileApp):
            return ("app", obj.id, obj.display_name)
        if isinstance(obj, model.ManagedDevice):
            return ("device", obj.id, obj.device_name)
        if isinstance(obj, model.Target):
            if obj.group_id is None:
                return ("target", obj.key, obj.describe())
            names = self._tenant.group_names if self._tenant else {}
            return ("excluded group" if obj.is_exclusion else "group", obj.group_id, names.get(obj.group_id, ""))
        if isinstance(obj, tuple) and len(obj) == 3:
            kind, ref_id, ref_name = (str(x) for x in obj)
            return (kind, ref_id, ref_name)
        found_id = getattr(obj, "id", None)
        if found_id is None:
            raise TypeError(f"cannot record {obj!r} as evidence: give a model object or (type, id, name)")
        found_name = getattr(obj, "display_name", None) or getattr(obj, "device_name", "")
        return (type(obj).__name__.lower(), str(found_id), str(found_name))

    def label(self, obj: Any) -> str:
        """``obj`` named as its evidence row names it (:attr:`Finding.label`): a group target by its group's
        name, for a reason that lists objects beside the rows."""
        _kind, object_id, name = self._ref(obj)
        return name or object_id

    def _add(self, obj: Any, prop: str, value: Any, ok: bool, note: str, baseline: Any) -> None:
        kind, object_id, name = self._ref(obj)
        recorded = None if baseline is _NO_BASELINE else _format_value(baseline)
        self.findings.append(Finding(kind, object_id, name, prop, _format_value(value), ok, note, recorded))

    def ok(self, obj: Any, prop: str, value: Any, note: str = "", *, baseline: Any = _NO_BASELINE) -> None:
        """Record an inspected object that satisfies the rule."""
        self._add(obj, prop, value, True, note, baseline)

    def fail(self, obj: Any, prop: str, value: Any, note: str = "", *, baseline: Any = _NO_BASELINE) -> None:
        """Record an offending object: the property that decided and why (and, for a difference from
        the baseline, the baseline's value)."""
        self._add(obj, prop, value, False, note, baseline)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def check(self, passed: str = "no offending object", failed: str | Reason = "{n} offending objects") -> None:
        """For checks written as ordinary pytest tests: fail the test when any finding failed (``failed``
        as in :meth:`Context.verdict`)."""
        if self.failures:
            raise CheckFailed(Verdict("failed", _failure_reason(failed, self.failures), tuple(self.findings)))


#: A failure's reason made from its failing evidence rows (in the order they were recorded).
Reason = Callable[[Sequence[Finding]], str]


def _failure_reason(failed: str | Reason, failures: Sequence[Finding]) -> str:
    """``failed`` called with the failing rows, or a text whose ``{n}`` is their number. A callable's text is
    used as it is, so tenant names in it are never read as format fields. A failure always says why: an
    empty reason names the failing rows instead."""
    reason = failed(failures) if callable(failed) else failed.format(n=len(failures))
    return reason or named([f.label for f in failures], "object fails", "objects fail")


@dataclass(frozen=True)
class Verdict:
    outcome: str  # passed | failed | skipped | error
    reason: str
    evidence: tuple[Finding, ...] = ()
    #: An error's cause: the data that could not be read (its resource and Graph permission).
    cause: DataUnavailable | None = field(default=None, compare=False)


class CheckSkipped(Exception):
    """Raised by ``Context.skip``: the check does not apply, or an input it needs was not given."""


class CheckFailed(AssertionError):
    """A check's verdict is failed; carries the verdict so reports can show its evidence."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        super().__init__(verdict.reason)


@dataclass
class Context:
    """Everything a check may read."""

    tenant: Tenant
    baseline: Tenant | None
    config: MigrationConfig
    evidence: Evidence

    def skip(self, reason: str) -> NoReturn:
        raise CheckSkipped(reason)

    def verdict(self, passed: str, failed: str | Reason) -> Verdict:
        """Failed when any evidence row failed, else passed. The failure's reason is ``failed(rows)``, a
        sentence made from the failing rows (what they name, counted: tunnelcheck.wording), or a fixed
        text where ``{n}`` is the number of failing rows."""
        findings = tuple(self.evidence.findings)
        failures = [f for f in findings if not f.ok]
        if failures:
            return Verdict("failed", _failure_reason(failed, failures), findings)
        return Verdict("passed", passed, findings)


def run_check(check: Check, tenant: Tenant, baseline: Tenant | None, config: MigrationConfig) -> Verdict:
    """Run one check on one tenant. Data that cannot be read gives an error verdict, never a pass."""
    evidence = Evidence(tenant)
    try:
        tenant.require(check.needs)
        verdict = check.func(Context(tenant, baseline, config, evidence))
    except CheckSkipped as exc:
        return Verdict("skipped", str(exc), tuple(evidence.findings))
    except DataUnavailable as exc:
        return Verdict("error", str(exc), tuple(evidence.findings), cause=exc)
    if not isinstance(verdict, Verdict):
        raise CheckDefinitionError(f"{check.id}: the check returned {verdict!r}, not a Verdict")
    return verdict
