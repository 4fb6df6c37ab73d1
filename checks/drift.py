"""Phase drift (``--drift --baseline FILE``): the Tunnel profiles and app deployments are still what was
accepted. The comparison is :mod:`tunnelcheck.drift`'s, the same as ``tunnelcheck diff``."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from tunnelcheck import (
    Context,
    Evidence,
    Names,
    ObjectDiff,
    Phase,
    Platform,
    Resource,
    Severity,
    Tenant,
    Verdict,
    app_diffs,
    check,
    counted,
    listed,
    profile_diffs,
)

REMEDIATION = """
    Revert each change listed. When a change was intended, make the tenant as it is now the accepted
    baseline, after reviewing this report: tunnelcheck accept SNAPSHOT --baseline BASELINE --sha256 DIGEST
    (SNAPSHOT: this run's snapshot, or the live tenant recorded with tunnelcheck record --tenant … -o
    SNAPSHOT; BASELINE: the file given as --baseline, the old one kept as BASELINE.prev; DIGEST: the
    snapshot's sha256, under the report's Sources)."""


def record_evidence(evidence: Evidence, diffs: Iterable[ObjectDiff], object_type: str | None = None) -> None:
    """Each object compared as evidence rows: unchanged ok, each difference failing with the baseline's
    value beside the current one (for the checks that compare with --baseline)."""
    for diff in diffs:
        ref = (object_type or diff.kind, diff.id, diff.name)
        if not diff.drifted:
            evidence.ok(ref, "(settings)", "unchanged")
            continue
        if diff.status == "added":
            evidence.fail(ref, "(object)", "added", diff.note or "not in the baseline", baseline="absent")
        elif diff.status == "removed":
            evidence.fail(ref, "(object)", "removed", diff.note or "in the baseline, gone now", baseline="present")
        for change in diff.changes:
            evidence.fail(ref, change.path, change.new_text, change.text if change.added or change.removed
                          else "changed since the baseline", baseline=change.old_text)


def diff_reason(diffs: Sequence[ObjectDiff]) -> str:
    """The objects that differ from the baseline, counted by kind, listed by what happened to them (a
    changed one with its top-level properties; the evidence has each path): "3 Tunnel profiles differ
    from the baseline: added A and B; changed C (alwaysOn and assignments)"."""
    clauses = []
    for kind in dict.fromkeys(d.kind for d in diffs if d.drifted):
        drifted = [d for d in diffs if d.kind == kind and d.drifted]
        names = [d.name or d.id for d in drifted]
        shared = {n for n, times in Counter(names).items() if times > 1}  # two apps of one name: each with its id
        how = [f"{status} " + listed(_changed(d, d.name in shared) for d in drifted if d.status == status)
               for status in ("added", "removed", "changed") if any(d.status == status for d in drifted)]
        clauses.append(f"{counted(len(drifted), f'{kind} differs', f'{kind}s differ')} from the baseline: "
                       + "; ".join(how))
    return "; ".join(clauses)


def _changed(diff: ObjectDiff, with_id: bool = False) -> str:
    """An object's name (with its id when another has that name), and for a changed one the properties
    changed (``assignments[group G].intent`` is ``assignments``)."""
    name = diff.label if with_id else diff.name or diff.id
    if diff.status != "changed":
        return name
    properties = dict.fromkeys(re.split(r"[.\[]", c.path, maxsplit=1)[0] for c in diff.changes)
    return f"{name} ({listed(properties, limit=3)})"


def _compare(ctx: Context, diffs: Callable[[Tenant, Names], Iterable[ObjectDiff]], object_type: str,
             what: str) -> Verdict:
    """Skip without a baseline; else record each object compared, every difference failing."""
    if ctx.baseline is None:
        ctx.skip("needs --baseline (the accepted snapshot to compare with)")
    compared = list(diffs(ctx.baseline, Names(ctx.baseline, ctx.tenant)))
    record_evidence(ctx.evidence, compared, object_type)
    return ctx.verdict(passed=f"the {what}s are unchanged since the baseline",
                       failed=lambda _failures: diff_reason(compared))


@check(
    id="TUN-DRIFT-01", title="Tunnel profiles are unchanged since the accepted baseline",
    phase=Phase.DRIFT, platform=Platform.TENANT, severity=Severity.MEDIUM,
    needs=[Resource.DEVICE_CONFIGURATIONS],
    remediation=REMEDIATION,
)
def profiles_unchanged(ctx: Context) -> Verdict:
    """Profiles added or removed, properties changed (ignoring lastModifiedDateTime, version, status
    overviews) and assignment targets changed fail, with the difference as evidence."""
    return _compare(ctx, lambda old, names: profile_diffs(old, ctx.tenant, names), "profile", "Tunnel profile")


@check(
    id="TUN-DRIFT-02", title="Tunnel app deployments are unchanged since the accepted baseline",
    phase=Phase.DRIFT, platform=Platform.TENANT, severity=Severity.MEDIUM,
    needs=[Resource.MOBILE_APPS],
    remediation=REMEDIATION,
)
def app_deployments_unchanged(ctx: Context) -> Verdict:
    """The same for the assignments of the Defender and standalone apps and for every app assignment that
    carries a vpnConfigurationId."""
    return _compare(ctx, lambda old, names: app_diffs(old, ctx.tenant, ctx.config, names), "app",
                    "Tunnel app deployment")
