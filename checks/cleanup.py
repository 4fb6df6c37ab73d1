"""Phase cleanup: standalone profiles retired and the standalone app uninstalled."""

from __future__ import annotations

from collections.abc import Sequence

from tunnelcheck import (
    Context,
    Finding,
    Intent,
    Phase,
    Platform,
    Resource,
    Severity,
    Target,
    Verdict,
    check,
    clauses,
    counted,
    kinds_of,
    listed,
    named,
    profiles_of_kinds,
    standalone_apps,
    unique_targets,
)

_NAMES = {"android": "Android", "ios": "iOS"}


def _profiles_retired(ctx: Context, platform: str) -> Verdict:
    for profile in profiles_of_kinds(ctx.tenant, kinds_of(platform)):
        if not profile.standalone:
            continue
        why = f" ({profile.client_note})" if profile.client_note else ""
        if profile.assigned:
            targets = [t.describe(ctx.tenant.group_names) for t in profile.includes]
            ctx.evidence.fail(profile, "assignments", targets, f"standalone profile still assigned{why}")
        else:
            ctx.evidence.ok(profile, "assignments", [], f"standalone profile not assigned{why}")
    name = _NAMES[platform]
    return ctx.verdict(passed=f"no {name} profile uses the standalone client",
                       failed=lambda failures: _still_assigned(failures, name))


def _still_assigned(failures: Sequence[Finding], name: str) -> str:
    return named([f.label for f in failures], f"{name} standalone profile is still assigned",
                 f"{name} standalone profiles are still assigned")


PROFILE_REMEDIATION = """
    After devices have installed Microsoft Defender for Endpoint and received the new VPN profiles, remove
    the assignments of the profiles whose connection type is Microsoft Tunnel (standalone client), then
    delete those profiles."""


@check(
    id="TUN-AND-07", title="No Android profile still uses the standalone client",
    phase=Phase.CLEANUP, platform=Platform.ANDROID, severity=Severity.MEDIUM,
    needs=[Resource.DEVICE_CONFIGURATIONS], remediation=PROFILE_REMEDIATION,
)
def android_standalone_profiles_retired(ctx: Context) -> Verdict:
    """Fails for every assigned Android standalone profile."""
    return _profiles_retired(ctx, "android")


@check(
    id="TUN-IOS-07", title="No iOS profile still uses the standalone client",
    phase=Phase.CLEANUP, platform=Platform.IOS, severity=Severity.MEDIUM,
    needs=[Resource.DEVICE_CONFIGURATIONS], remediation=PROFILE_REMEDIATION,
)
def ios_standalone_profiles_retired(ctx: Context) -> Verdict:
    """Fails for every assigned iOS standalone profile."""
    return _profiles_retired(ctx, "ios")


def _baseline_offered(ctx: Context, platform: str) -> tuple[Target, ...]:
    if ctx.baseline is None:
        return ()
    apps = standalone_apps(ctx.baseline, platform, ctx.config)
    return unique_targets(a.target for app in apps for a in app.assignments if a.intent.offered)


def _app_uninstalled(ctx: Context, platform: str) -> Verdict:
    name = _NAMES[platform]
    apps = standalone_apps(ctx.tenant, platform, ctx.config)
    offered_before = _baseline_offered(ctx, platform)
    if not apps:
        app_id = getattr(ctx.config.standalone_app_ids, platform)
        ref = ("app", app_id, "Microsoft Tunnel (standalone)")
        deleted = (f"deleted without an uninstall assignment, but the baseline offered it to "
                   f"{_targets(offered_before, ctx)}: devices keep an app that is deleted without an "
                   "uninstall")
        if offered_before:
            ctx.evidence.fail(ref, "exists", False, deleted)
        else:
            ctx.evidence.ok(ref, "exists", False, "not in the tenant" +
                            ("" if ctx.baseline else " (no --baseline: earlier offers unknown)"))
        gone = (f"no {name} app with identifier {app_id} exists (migration.standalone_app_ids.{platform})")
        return ctx.verdict(passed=f"{gone}, and the baseline did not offer it" if ctx.baseline else
                           f"{gone}; without --baseline, earlier offers of a deleted app cannot be checked",
                           failed=lambda _failures: f"the {name} standalone app {app_id} was {deleted}")
    problems = []  # for each app: whom it is still offered to, no uninstall, the baseline's targets uncovered
    for app in apps:
        offered = []
        for a in app.assignments:
            if a.intent.offered and a.target.is_include:
                ctx.evidence.fail(app, f"assignment {a.intent}", a.target.describe(ctx.tenant.group_names),
                                  "still offered")
                offered.append(f"{a.intent} for {ctx.evidence.label(a.target)}")
        if offered:
            problems.append(f"{app.display_name} is still offered: {listed(offered)}")
        uninstall = [a for a in app.assignments if a.intent is Intent.UNINSTALL and a.target.is_include]
        if uninstall:
            ctx.evidence.ok(app, "assignment uninstall", [a.target.describe(ctx.tenant.group_names) for a in uninstall])
        else:
            ctx.evidence.fail(app, "assignment uninstall", None, "no uninstall assignment with an include target")
            problems.append(f"{app.display_name} has no uninstall assignment with an include target")
        uncovered = [t for t in offered_before if not app.uninstall_coverage.covers(t)]
        for target in uncovered:
            ctx.evidence.fail(app, "uninstall covers baseline target", target.describe(ctx.tenant.group_names),
                              "offered in the baseline, not covered by an uninstall assignment now")
        offered_to = f"the baseline offered {app.display_name} to"
        problems.append(named([ctx.evidence.label(t) for t in uncovered],
                              f"target {offered_to} is not covered by an uninstall assignment",
                              f"targets {offered_to} are not covered by an uninstall assignment"))
    return ctx.verdict(passed=f"the {name} standalone app is set to uninstall everywhere it was offered",
                       failed=lambda _failures: clauses(*problems))


def _targets(targets: Sequence[Target], ctx: Context) -> str:
    """"2 targets (A and B)"."""
    return f"{counted(len(targets), 'target')} ({listed(ctx.evidence.label(t) for t in targets)})"


APP_REMEDIATION = """
    For the deployments of the original Microsoft Tunnel app: remove Required and Available for enrolled
    devices, then add Uninstall (to the same groups) to trigger removal of the application. Don't delete the
    app before devices have uninstalled it."""


@check(
    id="TUN-AND-08", title="The standalone Tunnel app is set to uninstall on Android",
    phase=Phase.CLEANUP, platform=Platform.ANDROID, severity=Severity.MEDIUM,
    needs=[Resource.MOBILE_APPS], remediation=APP_REMEDIATION,
)
def android_standalone_app_uninstalled(ctx: Context) -> Verdict:
    """If the Android standalone app exists: fails for any offered assignment with an include target, fails
    when no uninstall assignment has an include target, and (with --baseline) fails for each target
    offered in the baseline that no uninstall assignment covers now. If it no longer exists: fails when
    the baseline offered it (devices keep an app that is deleted without an uninstall), else passes."""
    return _app_uninstalled(ctx, "android")


@check(
    id="TUN-IOS-08", title="The standalone Tunnel app is set to uninstall on iOS",
    phase=Phase.CLEANUP, platform=Platform.IOS, severity=Severity.MEDIUM,
    needs=[Resource.MOBILE_APPS], remediation=APP_REMEDIATION,
)
def ios_standalone_app_uninstalled(ctx: Context) -> Verdict:
    """The same as TUN-AND-08 for the iOS standalone app: offered assignments with an include target fail,
    no uninstall assignment with an include target fails, and (with --baseline) each baseline-offered
    target not covered by an uninstall assignment now fails; a deleted app fails when the baseline
    offered it."""
    return _app_uninstalled(ctx, "ios")


