"""Phase apps-reassigned: iOS per-app VPN apps point at Defender-based profiles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from tunnelcheck import (
    IOS_KINDS,
    AppAssignment,
    AuditEvent,
    Context,
    Intent,
    MobileApp,
    Phase,
    Platform,
    Resource,
    Severity,
    Target,
    Verdict,
    check,
    clauses,
    counted,
    defender_profiles,
    named,
    profiles_of_kinds,
    standalone_profile_ids,
)


def _reassignments(
    ctx: Context, defender: set[str]
) -> Iterator[tuple[MobileApp, AppAssignment, AppAssignment | None]]:
    """Each baseline assignment (app, target, intent) that named a standalone profile, with the current
    assignment of the same app, target and intent naming a current iOS Defender profile (None if none)."""
    if ctx.baseline is None:
        return
    standalone = standalone_profile_ids(ctx.tenant, ctx.baseline)
    current = {
        (app.id, a.target, a.intent): a
        for app in ctx.tenant.apps for a in app.assignments if a.vpn_configuration_id in defender
    }
    for app in ctx.baseline.apps:
        for a in app.assignments:
            if a.vpn_configuration_id in standalone:
                yield app, a, current.get((app.id, a.target, a.intent))


def _has_ios_standalone(ctx: Context) -> bool:
    tenants = [ctx.tenant, ctx.baseline] if ctx.baseline else [ctx.tenant]
    return any(p.standalone for t in tenants for p in profiles_of_kinds(t, IOS_KINDS))


def _delay_text(waited: timedelta) -> str:
    """A delay to the second, truncated, so it never reads as the limit when it is short of it."""
    seconds = int(waited.total_seconds())
    return f"{seconds // 60} min {seconds % 60} s"


@check(
    id="TUN-IOS-05",
    title="iOS per-app VPN apps use Defender-based profiles",
    phase=Phase.APPS_REASSIGNED, platform=Platform.IOS, severity=Severity.CRITICAL,
    needs=[Resource.DEVICE_CONFIGURATIONS, Resource.MOBILE_APPS],
    remediation="""
        Wait at least 10 minutes after creating the new VPN profile, then change each app deployment's
        VPN assignment from the Microsoft Tunnel (standalone client) profile to the new Microsoft Tunnel
        profile. For each app assigned as Available, users must reinstall the app from Company Portal after
        the new VPN profile is installed on their device.""",
)
def ios_per_app_vpn_reassigned(ctx: Context) -> Verdict:
    """Fails for every current app assignment whose settings.vpnConfigurationId names a standalone profile
    (baseline or current) or a profile that no longer exists; with --baseline, also for every baseline
    assignment (app, target, intent) that named a standalone profile and has no current assignment of the
    same app, target and intent naming a current iOS Defender profile. Skipped when no iOS standalone
    profile exists in either snapshot."""
    if not _has_ios_standalone(ctx):
        ctx.skip("no iOS standalone profile exists in the baseline or the current tenant")
    standalone = standalone_profile_ids(ctx.tenant, ctx.baseline)
    defender = {p.id for p in defender_profiles(ctx.tenant, IOS_KINDS)}
    existing = ctx.tenant.configuration_ids

    # The failing assignments by what is wrong, as the reason lists them ("App (required for G)"); an
    # assignment that still names its standalone profile is not listed again as not moved.
    on_standalone: dict[tuple[str, Target, Intent], str] = {}
    on_deleted: list[str] = []
    not_moved: list[str] = []
    for app in ctx.tenant.apps:
        for a in app.assignments:
            vpn = a.vpn_configuration_id
            if vpn is None:
                continue
            where = f"{a.intent} for {a.target.describe(ctx.tenant.group_names)}"
            shown = f"{app.display_name} ({a.intent} for {ctx.evidence.label(a.target)}"
            if vpn in standalone:
                ctx.evidence.fail(app, "settings.vpnConfigurationId", vpn, f"{where}: names a standalone profile")
                on_standalone[(app.id, a.target, a.intent)] = f"{shown})"
            elif vpn not in existing:
                ctx.evidence.fail(app, "settings.vpnConfigurationId", vpn, f"{where}: names a profile that no longer exists")
                on_deleted.append(f"{shown}, profile {vpn})")
            else:
                ctx.evidence.ok(app, "settings.vpnConfigurationId", vpn, where)

    for app, before, now in _reassignments(ctx, defender):
        where = f"{before.intent} for {before.target.describe(ctx.tenant.group_names)}"
        if now is not None:
            ctx.evidence.ok(app, "reassigned", True, f"{where}: now on a Defender profile")
        else:
            ctx.evidence.fail(app, "reassigned", False,
                              f"{where}: was on standalone profile {before.vpn_configuration_id} in the "
                              "baseline and has no assignment on a Defender profile now")
            if (app.id, before.target, before.intent) not in on_standalone:
                not_moved.append(f"{app.display_name} ({before.intent} for {ctx.evidence.label(before.target)})")
    reason = clauses(
        named(list(on_standalone.values()), "per-app VPN assignment still names a standalone profile",
              "per-app VPN assignments still name a standalone profile"),
        named(on_deleted, "per-app VPN assignment names a VPN profile that no longer exists",
              "per-app VPN assignments name a VPN profile that no longer exists"),
        named(not_moved, "per-app VPN assignment of the baseline has no counterpart on a Defender profile",
              "per-app VPN assignments of the baseline have no counterpart on a Defender profile"))
    return ctx.verdict(passed="every iOS per-app VPN assignment uses a Defender-based profile",
                       failed=lambda _failures: reason)


@check(
    id="TUN-IOS-06",
    title="Per-app VPN was reassigned at least 10 minutes after the new profile was created",
    phase=Phase.APPS_REASSIGNED, platform=Platform.IOS, severity=Severity.MEDIUM,
    needs=[Resource.DEVICE_CONFIGURATIONS, Resource.MOBILE_APPS, Resource.AUDIT_EVENTS],
    remediation="""
        Wait at least 10 minutes after creating the new VPN profile before you change the app deployment
        assignments to it. For apps reassigned too early, have the devices sync and, for apps assigned as
        Available, users reinstall the app from Company Portal after the new VPN profile is installed.""",
)
def ios_reassigned_after_delay(ctx: Context) -> Verdict:
    """Needs --baseline. For each app reassigned from a standalone to a Defender profile D (as in
    TUN-IOS-05): the earliest audit event at or after D's createdDateTime whose resources[].resourceId is
    the app's id and whose activityType contains "assign" (any case) is the reassignment; it fails when
    that is less than migration.reassign_delay_minutes (default 10) after D was created. Apps with no such
    event are listed as unverified; skipped when no app could be verified. The evidence shows the delay to
    the second, truncated (9 min 59 s, never "10.0 min")."""
    if ctx.baseline is None:
        ctx.skip("needs --baseline (to know which apps were reassigned from standalone profiles)")
    delay = timedelta(minutes=ctx.config.reassign_delay_minutes)
    profiles = ctx.tenant.profiles_by_id
    defender = {p.id for p in defender_profiles(ctx.tenant, IOS_KINDS)}
    # The assignment audit events of each app, with their time, oldest first.
    events: dict[str, list[tuple[datetime, AuditEvent]]] = {}
    timed = [(e.activity_time, e) for e in ctx.tenant.audit_events
             if e.activity_time is not None and "assign" in e.activity_type.casefold()]
    for when, event in sorted(timed, key=lambda pair: pair[0]):
        for resource_id in event.resource_ids:
            events.setdefault(resource_id, []).append((when, event))
    verified = 0
    too_soon: dict[str, tuple[str, list[str]]] = {}  # app id -> its name, each wait ("4 min 0 s after P") once
    for app, _before, now in _reassignments(ctx, defender):
        if now is None or now.vpn_configuration_id is None:
            continue
        profile = profiles[now.vpn_configuration_id]
        created = profile.created
        if created is None:
            ctx.evidence.ok(app, "reassigned at", None, f"unverified: {profile.display_name} has no createdDateTime")
            continue
        found = next(((when, e) for when, e in events.get(app.id, ()) if when >= created), None)
        if found is None:
            ctx.evidence.ok(app, "reassigned at", None,
                            f"unverified: no audit event of the reassignment to {profile.display_name}")
            continue
        verified += 1
        when, event = found
        waited = when - created
        note = f"{_delay_text(waited)} after {profile.display_name} was created (audit event {event.id})"
        if waited < delay:
            ctx.evidence.fail(app, "reassigned at", when.isoformat(), note)
            waits = too_soon.setdefault(app.id, (app.display_name, []))[1]
            if (wait := f"{_delay_text(waited)} after {profile.display_name}") not in waits:
                waits.append(wait)
        else:
            ctx.evidence.ok(app, "reassigned at", when.isoformat(), note)
    if not verified:
        ctx.skip("no reassignment could be verified from the audit log")
    minutes = counted(ctx.config.reassign_delay_minutes, "minute")
    apps = [f"{name} ({'; '.join(waits)})" for name, waits in too_soon.values()]
    return ctx.verdict(passed="every verified reassignment waited long enough after the new profile",
                       failed=lambda _failures: named(
                           apps, f"app was reassigned less than {minutes} after the new profile was created",
                           f"apps were reassigned less than {minutes} after the new profile was created"))
