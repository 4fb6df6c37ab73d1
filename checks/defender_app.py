"""Phase defender-deployed: Defender for Endpoint is approved and assigned wherever Tunnel is used."""

from __future__ import annotations

from collections.abc import Sequence

from tunnelcheck import (
    ANDROID_KINDS,
    IOS_KINDS,
    Context,
    Finding,
    Phase,
    Platform,
    ProfileKind,
    Resource,
    Severity,
    Target,
    Verdict,
    check,
    covered_by_any,
    defender_apps,
    defender_profiles,
    every,
    in_scope_standalone,
    named,
    unique_targets,
)

NEEDS = [Resource.DEVICE_CONFIGURATIONS, Resource.MOBILE_APPS]

#: Per platform: its name, and the apps that can be its Defender app (docs/terms.md "The Defender app").
_PLATFORMS = {"android": ("Android", "no managed Google Play app has the identifier"),
              "ios": ("iOS", "no iOS store, VPP or line-of-business app has the bundle id")}
_EXISTS = "exists"
_OFFERED = "Defender app offered"


def _tunnel_targets(ctx: Context, kinds: tuple[ProfileKind, ...]) -> tuple[Target, ...]:
    """Migration targets of in-scope standalone profiles ∪ include targets of assigned Defender profiles."""
    standalone = [t for s in in_scope_standalone(ctx.tenant, ctx.baseline, kinds) for t in s.targets]
    defender = [t for p in defender_profiles(ctx.tenant, kinds, assigned_only=True) for t in p.includes]
    return unique_targets([*standalone, *defender])


def _has_tunnel_profile(ctx: Context, kinds: tuple[ProfileKind, ...]) -> bool:
    return bool(in_scope_standalone(ctx.tenant, ctx.baseline, kinds) or defender_profiles(ctx.tenant, kinds))


def _app_present(ctx: Context, platform: str) -> bool:
    """Record the Defender app(s) as evidence; False (and a failing row) when there is none."""
    apps = defender_apps(ctx.tenant, platform, ctx.config)
    for app in apps:
        ctx.evidence.ok(app, "identifier", sorted(app.identifiers))
    if not apps:
        app_id = getattr(ctx.config.defender_app_ids, platform)
        ctx.evidence.fail(("app", app_id, "Microsoft Defender for Endpoint"), _EXISTS, False,
                          f"{_PLATFORMS[platform][1]} {app_id} (migration.defender_app_ids.{platform})")
    return bool(apps)


def _targets_covered(ctx: Context, platform: str, targets: tuple[Target, ...]) -> None:
    apps = defender_apps(ctx.tenant, platform, ctx.config)
    for target in targets:
        if covered_by_any(apps, target):
            ctx.evidence.ok(target, _OFFERED, True)
        else:
            ctx.evidence.fail(target, _OFFERED, False,
                              "Tunnel target not covered by an offered Defender assignment"
                              + "".join(f"; {app.display_name} ({app.id}): {app.offered_coverage.why_not(target)}"
                                        for app in apps if app.offered_coverage.excluded_by))


def _not_deployed(failures: Sequence[Finding], platform: str) -> str:
    """The app that does not exist, or the Tunnel targets it is not offered to."""
    name = _PLATFORMS[platform][0]
    missing = [f for f in failures if f.property == _EXISTS]
    if missing:
        return f"the {name} Defender app does not exist: {missing[0].note}"
    return named([f.label for f in failures if f.property == _OFFERED],
                 f"{name} Tunnel target is not offered the Defender app",
                 f"{name} Tunnel targets are not offered the Defender app")


@check(
    id="TUN-AND-01",
    title="Defender for Endpoint is approved in managed Google Play",
    phase=Phase.DEFENDER_DEPLOYED, platform=Platform.ANDROID, severity=Severity.HIGH, needs=NEEDS,
    remediation="""
        Locate and Approve Microsoft Defender for Endpoint in the Managed Google Play store for your
        tenant, and then Sync it (Apps > Android > Managed Google Play).""",
)
def defender_approved_android(ctx: Context) -> Verdict:
    """Skipped when no Android Tunnel profile exists (in-scope standalone or current Defender). Else fails
    unless the Android Defender app exists."""
    if not _has_tunnel_profile(ctx, ANDROID_KINDS):
        ctx.skip("no Android Tunnel profile exists")
    _app_present(ctx, "android")
    return ctx.verdict(passed="the Android Defender app is approved",
                       failed=lambda failures: _not_deployed(failures, "android"))


@check(
    id="TUN-AND-02",
    title="Defender for Endpoint is assigned to every Android Tunnel target",
    phase=Phase.DEFENDER_DEPLOYED, platform=Platform.ANDROID, severity=Severity.HIGH, needs=NEEDS,
    remediation="""
        Assign the Microsoft Defender for Endpoint app to every group that receives an Android Tunnel
        profile (Required, or Available for enrolled devices), complete the assignment, and then ask users
        to install the app.""",
)
def defender_assigned_android(ctx: Context) -> Verdict:
    """Android Tunnel targets = migration targets of in-scope Android standalone profiles ∪ include targets
    of assigned Android Defender profiles. Fails for each target that the Defender app's offered
    assignments do not cover (or when the app is absent). Skipped when there are no targets."""
    targets = _tunnel_targets(ctx, ANDROID_KINDS)
    if not targets:
        ctx.skip("no Android Tunnel target")
    if _app_present(ctx, "android"):
        _targets_covered(ctx, "android", targets)
    return ctx.verdict(passed=f"the Defender app is offered to {every(len(targets), 'Android Tunnel target')}",
                       failed=lambda failures: _not_deployed(failures, "android"))


@check(
    id="TUN-IOS-01",
    title="Defender for Endpoint is deployed to every iOS Tunnel target",
    phase=Phase.DEFENDER_DEPLOYED, platform=Platform.IOS, severity=Severity.HIGH, needs=NEEDS,
    remediation="""
        Add Microsoft Defender for Endpoint for iOS/iPadOS (App Store or VPP) and assign it to every group
        that receives an iOS Tunnel profile; users sign in and onboard the app with their corporate account.""",
)
def defender_deployed_ios(ctx: Context) -> Verdict:
    """As TUN-AND-01 and -02 together, for kind ios and the iOS Defender app: skipped when no iOS Tunnel
    profile exists; fails when the app is absent, and for each iOS Tunnel target its offered assignments
    do not cover."""
    if not _has_tunnel_profile(ctx, IOS_KINDS):
        ctx.skip("no iOS Tunnel profile exists")
    targets = _tunnel_targets(ctx, IOS_KINDS)
    if _app_present(ctx, "ios"):
        _targets_covered(ctx, "ios", targets)
    offered = (f"is offered to {every(len(targets), 'iOS Tunnel target')}" if targets
               else "has no iOS Tunnel target to be offered to")
    return ctx.verdict(passed=f"the iOS Defender app exists and {offered}",
                       failed=lambda failures: _not_deployed(failures, "ios"))
