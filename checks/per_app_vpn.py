"""Phase apps-reassigned: iOS per-app VPN apps point at Defender-based profiles."""

from __future__ import annotations

from tunnelcheck.check import Context, Phase, Platform, Severity, Verdict, check
from tunnelcheck.migration import IOS_KINDS, defender_profiles, standalone_profile_ids
from tunnelcheck.model import ProfileKind
from tunnelcheck.resources import Resource


def _has_ios_standalone(ctx: Context) -> bool:
    tenants = [ctx.tenant, ctx.baseline] if ctx.baseline else [ctx.tenant]
    return any(p.standalone and p.kind is ProfileKind.IOS for t in tenants for p in t.profiles)


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

    for app in ctx.tenant.apps:
        for a in app.assignments:
            vpn = a.vpn_configuration_id
            if vpn is None:
                continue
            where = f"{a.intent} for {a.target.describe(ctx.tenant.group_names)}"
            if vpn in standalone:
                ctx.evidence.fail(app, "settings.vpnConfigurationId", vpn, f"{where}: names a standalone profile")
            elif vpn not in existing:
                ctx.evidence.fail(app, "settings.vpnConfigurationId", vpn, f"{where}: names a profile that no longer exists")
            else:
                ctx.evidence.ok(app, "settings.vpnConfigurationId", vpn, where)

    if ctx.baseline is not None:
        current = {
            (app.id, a.target, a.intent)
            for app in ctx.tenant.apps for a in app.assignments if a.vpn_configuration_id in defender
        }
        for app in ctx.baseline.apps:
            for a in app.assignments:
                if a.vpn_configuration_id not in standalone:
                    continue
                where = f"{a.intent} for {a.target.describe(ctx.tenant.group_names)}"
                if (app.id, a.target, a.intent) in current:
                    ctx.evidence.ok(app, "reassigned", True, f"{where}: now on a Defender profile")
                else:
                    ctx.evidence.fail(app, "reassigned", False,
                                      f"{where}: was on standalone profile {a.vpn_configuration_id} in the "
                                      "baseline and has no assignment on a Defender profile now")
    return ctx.verdict(passed="every iOS per-app VPN assignment uses a Defender-based profile",
                       failed="{n} iOS per-app VPN assignment(s) are not on a Defender-based profile")
