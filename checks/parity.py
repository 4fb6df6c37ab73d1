"""Phase profiles-created: the new Defender-based profiles keep the recorded settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

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
    TunnelProfile,
    Verdict,
    check,
    clauses,
    counted,
    covering_defender_profiles,
    defender_profiles,
    in_scope_standalone,
    listed,
    named,
    replacements,
    setting_problems,
)

from .profiles import settings_by_profile

# Each compared setting: (property as shown, how to read it). Absent is false/none (the model's defaults).
Equal = tuple[str, Callable[[TunnelProfile], Any]]
Contains = tuple[str, Callable[[TunnelProfile], frozenset[str]]]

_PROXY: list[Equal] = [
    ("proxyServer.address", lambda p: p.proxy.address),
    ("proxyServer.port", lambda p: p.proxy.port),
    ("proxyServer.automaticConfigurationScriptUrl", lambda p: p.proxy.script_url),
]


def _parity(ctx: Context, kinds: tuple[ProfileKind, ...], platform_name: str, equal: list[Equal],
            contains: list[Contains]) -> Verdict:
    in_scope = in_scope_standalone(ctx.tenant, ctx.baseline, kinds)
    if not in_scope:
        ctx.skip(f"no in-scope {platform_name} standalone profile")
    index = covering_defender_profiles(ctx.tenant, kinds)
    differing: dict[str, list[str]] = {}  # Defender profile id -> "P differs from OLD in a and b", each OLD
    for standalone in in_scope:
        old = standalone.settings
        for new in replacements(standalone, ctx.tenant, index):
            note = f"replaces {old.display_name} ({old.id})"
            differences = []
            for prop, read in equal:
                if read(new) != read(old):
                    differences.append(prop)
                    ctx.evidence.fail(new, prop, read(new), note, baseline=read(old))
            for prop, read in contains:
                missing = read(old) - read(new)
                if missing:
                    differences.append(prop)
                    ctx.evidence.fail(new, prop, sorted(read(new)), f"{note}; missing {sorted(missing)}",
                                      baseline=sorted(read(old)))
            if differences:
                differing.setdefault(new.id, []).append(
                    f"{new.display_name} differs from {old.display_name} in {listed(differences, limit=None)}")
            else:
                ctx.evidence.ok(new, "settings", "as recorded", note)
    profile = f"{platform_name} Defender profile"
    profiles = counted(len(differing), f"{profile} does", f"{profile}s do")
    return ctx.verdict(passed=f"the {platform_name} Defender profiles keep the recorded settings",
                       failed=lambda _failures: f"{profiles} not keep the recorded settings: "
                       + clauses(*(d for each in differing.values() for d in each)))


@check(
    id="TUN-AND-04", title="Android Defender profiles keep the recorded settings",
    phase=Phase.PROFILES_CREATED, platform=Platform.ANDROID, severity=Severity.HIGH,
    needs=[Resource.DEVICE_CONFIGURATIONS],
    remediation="""
        During configuration of the new VPN profile, reference the settings you recorded from the existing
        profile: the same Microsoft Tunnel site, Always-on VPN and lockdown, proxy, and every app of the
        per-app VPN list.""",
)
def android_settings_kept(ctx: Context) -> Verdict:
    """For each in-scope Android standalone profile (its baseline version when there is one) and each
    replacement: microsoftTunnelSiteId, alwaysOn, alwaysOnLockdown and proxyServer (address, port, script
    URL) must be equal, absent = false/none; the per-app set (targetedPackageIds ∪
    targetedMobileApps[].appId) of the replacement must contain the old one. Skipped when no in-scope
    Android standalone profile exists."""
    return _parity(ctx, ANDROID_KINDS, "Android", equal=[
        ("microsoftTunnelSiteId", lambda p: p.site_id),
        ("alwaysOn", lambda p: p.always_on),
        ("alwaysOnLockdown", lambda p: p.always_on_lockdown),
        *_PROXY,
    ], contains=[("per-app VPN apps", lambda p: p.per_app)])


@check(
    id="TUN-IOS-03", title="iOS Defender profiles keep the recorded settings",
    phase=Phase.PROFILES_CREATED, platform=Platform.IOS, severity=Severity.HIGH,
    needs=[Resource.DEVICE_CONFIGURATIONS],
    remediation="""
        During configuration of the new VPN profile, reference the settings you recorded from the existing
        profile: the same Microsoft Tunnel site and proxy, per-app VPN and provider type, and every
        associated, excluded and Safari domain and on-demand rule.""",
)
def ios_settings_kept(ctx: Context) -> Verdict:
    """As TUN-AND-04 for ios: microsoftTunnelSiteId, proxyServer, enablePerApp and providerType equal
    (absent = false/none; for providerType absent, null and notConfigured are the same); associatedDomains,
    excludedDomains, safariDomains and onDemandRules of the replacement contain the old ones. Two on-demand
    rules are the same rule when every property is equal after treating absent, null, an empty list and
    notConfigured alike. Skipped when no in-scope iOS standalone profile exists."""
    return _parity(ctx, IOS_KINDS, "iOS", equal=[
        ("microsoftTunnelSiteId", lambda p: p.site_id), *_PROXY,
        ("enablePerApp", lambda p: p.enable_per_app),
        ("providerType", lambda p: p.provider_type),
    ],
                   contains=[
                       ("associatedDomains", lambda p: p.associated_domains),
                       ("excludedDomains", lambda p: p.excluded_domains),
                       ("safariDomains", lambda p: p.safari_domains),
                       ("onDemandRules", lambda p: p.on_demand_rules),
                   ])


_WEB_PROTECTION_KEYS = ("defendertoggle", "antiphishing")


def _web_protection_on(profile: TunnelProfile) -> bool:
    return all(profile.custom.get(key) != "0" for key in _WEB_PROTECTION_KEYS)


@check(
    id="TUN-AND-06", title="Work-profile browsers are in the per-app VPN list when web protection is on",
    phase=Phase.PROFILES_CREATED, platform=Platform.ANDROID, severity=Severity.LOW,
    needs=[Resource.DEVICE_CONFIGURATIONS, Resource.MOBILE_APPS],
    remediation="""
        With web protection enabled and per-app VPN, web protection only applies to the apps in the
        per-app VPN list: on devices with a work profile, add all web browsers in the work profile to the
        per-app VPN list to ensure all work profile web traffic is protected.""",
)
def work_profile_browsers(ctx: Context) -> Verdict:
    """For each assigned android-work-profile Defender profile with a non-empty per-app set and web
    protection on (defendertoggle and antiphishing not 0): every package in migration.browser_package_ids
    that exists as an offered managed Google Play app must be in the per-app set. A defendertoggle or
    antiphishing key written with surrounding whitespace or with conflicting values fails. Skipped when no
    such profile exists."""
    candidates = [p for p in defender_profiles(ctx.tenant, [ProfileKind.ANDROID_WORK_PROFILE], assigned_only=True)
                  if p.per_app]
    for profile in candidates:  # a setting the client may not read as written cannot decide web protection
        for key in _WEB_PROTECTION_KEYS:
            setting_problems(ctx.evidence, profile, key)
    profiles = [p for p in candidates if _web_protection_on(p)]
    if not profiles and not ctx.evidence.failures:
        ctx.skip("no assigned work-profile Defender profile with per-app VPN and web protection on")
    browsers = [b for b in ctx.config.browser_package_ids
                if any(a.intent.offered and a.target.is_include
                       for app in ctx.tenant.apps_with_identifier(b, "android") for a in app.assignments)]
    left_out: list[str] = []  # "Profile (browser and browser)", as the reason lists them
    for profile in profiles:
        missing = [b for b in browsers if b not in profile.per_app]
        for browser in browsers:
            if browser in profile.per_app:
                ctx.evidence.ok(profile, "per-app VPN apps", browser)
            else:
                ctx.evidence.fail(profile, "per-app VPN apps", sorted(profile.per_app),
                                  f"offered browser {browser} is not in the list: its traffic is not web-protected")
        if missing:
            left_out.append(f"{profile.display_name} ({listed(missing, limit=None)})")
        if not browsers:
            ctx.evidence.ok(profile, "per-app VPN apps", sorted(profile.per_app), "no listed browser is offered")
    return ctx.verdict(passed="every offered work-profile browser is in the per-app VPN lists",
                       failed=lambda failures: _browsers_reason(failures, left_out))


def _browsers_reason(failures: Sequence[Finding], left_out: list[str]) -> str:
    """The profiles that leave offered browsers out, then those whose web protection keys cannot be read."""
    profile, unreadable = "work-profile Defender profile", "web protection settings that cannot be read as written"
    return clauses(named(left_out, f"{profile} leaves offered browsers out of the per-app VPN list",
                         f"{profile}s leave offered browsers out of the per-app VPN list"),
                   named(settings_by_profile(failures), f"{profile} has {unreadable}", f"{profile}s have {unreadable}"))
