"""Phase drift (``--drift --baseline FILE``): the Tunnel profiles and app deployments are still what was
accepted. The comparison is :mod:`tunnelcheck.drift`'s, the same as ``tunnelcheck diff``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

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
    profile_diffs,
)

REMEDIATION = """
    Revert each change listed; or, when it was intended, accept the current state as the new baseline:
    record a new snapshot (tunnelcheck record --tenant … -o FILE, or pytest --tenant … --record FILE) and
    pass it as --baseline."""


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



def _compare(ctx: Context, diffs: Callable[[Tenant, Names], Iterable[ObjectDiff]], object_type: str,
             what: str) -> Verdict:
    """Skip without a baseline; else record each object compared, every difference failing."""
    if ctx.baseline is None:
        ctx.skip("needs --baseline (the accepted snapshot to compare with)")
    record_evidence(ctx.evidence, diffs(ctx.baseline, Names(ctx.baseline, ctx.tenant)), object_type)
    return ctx.verdict(passed=f"the {what}s are unchanged since the baseline",
                       failed=f"{{n}} {what} difference(s) from the baseline")


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
