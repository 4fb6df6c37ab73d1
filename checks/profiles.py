"""Phase profiles-created: every standalone target has a Defender-based profile, set up as intended."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
    Verdict,
    check,
    clauses,
    covering_defender_profiles,
    defender_profiles,
    every,
    in_scope_standalone,
    named,
    setting_problems,
)

NEEDS = [Resource.DEVICE_CONFIGURATIONS]


def _targets_have_defender_profile(ctx: Context, kinds: tuple[ProfileKind, ...], platform_name: str) -> Verdict:
    in_scope = in_scope_standalone(ctx.tenant, ctx.baseline, kinds)
    if not in_scope:
        ctx.skip(f"no in-scope {platform_name} standalone profile")
    index = covering_defender_profiles(ctx.tenant, kinds)
    uncovered: list[str] = []  # "target (of standalone profile)", as the reason lists them
    for standalone in in_scope:
        for target in standalone.targets:
            covering = index[standalone.profile.kind].covering(target)
            if covering:
                ctx.evidence.ok(target, "Defender profile", [p.display_name for p in covering],
                                f"migrating {standalone.profile.display_name}")
            else:
                ctx.evidence.fail(target, "Defender profile", None,
                                  f"target of standalone profile {standalone.profile.display_name} "
                                  f"({standalone.profile.id}) has no {standalone.profile.kind} Defender profile"
                                  + index[standalone.profile.kind].excluded_note(target))
                uncovered.append(f"{ctx.evidence.label(target)} (of {standalone.profile.display_name})")
    return ctx.verdict(passed=f"every {platform_name} standalone target has a Defender-based profile",
                       failed=lambda _failures: named(
                           uncovered, f"{platform_name} standalone target has no Defender-based profile",
                           f"{platform_name} standalone targets have no Defender-based profile"))


@check(
    id="TUN-AND-03",
    title="Every Android standalone target has a Defender-based Tunnel profile",
    phase=Phase.PROFILES_CREATED, platform=Platform.ANDROID, severity=Severity.CRITICAL, needs=NEEDS,
    remediation="""
        Create a new VPN profile with the connection type Microsoft Tunnel (not "Microsoft Tunnel
        (standalone client)"), reference the settings you recorded from the existing profile, and assign it
        to the same groups. Editing the connection type of an existing profile isn't supported.""",
)
def android_targets_have_defender_profile(ctx: Context) -> Verdict:
    """For each in-scope standalone profile of an Android kind and each of its migration targets: fails
    unless some current Defender profile of the same kind covers it. Skipped when no in-scope Android
    standalone profile exists."""
    return _targets_have_defender_profile(ctx, ANDROID_KINDS, "Android")


@check(
    id="TUN-IOS-02",
    title="Every iOS standalone target has a Defender-based Tunnel profile",
    phase=Phase.PROFILES_CREATED, platform=Platform.IOS, severity=Severity.CRITICAL, needs=NEEDS,
    remediation="""
        Create a new iOS/iPadOS VPN profile with the connection type Microsoft Tunnel (the Defender for
        Endpoint client, not "Microsoft Tunnel (standalone client)"), reference the settings you recorded
        from the existing profile, and assign it to the same groups.""",
)
def ios_targets_have_defender_profile(ctx: Context) -> Verdict:
    """For each in-scope standalone profile of kind ios and each of its migration targets: fails unless
    some current iOS Defender profile covers it. Skipped when no in-scope iOS standalone profile exists."""
    return _targets_have_defender_profile(ctx, IOS_KINDS, "iOS")


@dataclass(frozen=True)
class ToggleRule:
    """What TUN-AND-05 and TUN-IOS-04 share: the keys read (the toggle first), their valid values, and
    the toggle's value each intent needs."""

    platform_name: str
    kinds: tuple[ProfileKind, ...]
    keys: tuple[str, ...]
    valid: Callable[[str], bool]
    valid_text: str
    wanted: Callable[[str | None], bool]
    wanted_text: str

    @property
    def toggle(self) -> str:
        return self.keys[0]


_INVALID = "must be"  # the note of a value that is not valid for its key
_SETTING = "custom setting "  # the property of a custom setting's row (tunnelcheck.setting_problems' too)


def _custom_settings(ctx: Context, rule: ToggleRule) -> Verdict:
    features = ctx.config.defender_features
    if features is None:
        ctx.skip("migration.defender_features is not set in the config (true: Defender features wanted, "
                 "false: Tunnel only)")
    profiles = defender_profiles(ctx.tenant, rule.kinds, assigned_only=True)
    if not profiles:
        ctx.skip(f"no assigned {rule.platform_name} Defender profile")
    for profile in profiles:
        for key in rule.keys:
            setting_problems(ctx.evidence, profile, key)
            value = profile.custom.get(key)
            if value is not None and not rule.valid(value):
                ctx.evidence.fail(profile, f"{_SETTING}{key}", value, f"{_INVALID} {rule.valid_text}")
        value = profile.custom.get(rule.toggle)
        if rule.wanted(value):
            ctx.evidence.ok(profile, f"{_SETTING}{rule.toggle}", value)
        else:
            ctx.evidence.fail(profile, f"{_SETTING}{rule.toggle}", value, rule.wanted_text)
    return ctx.verdict(
        passed=f"{rule.toggle} is set as intended ({'Defender features wanted' if features else 'Tunnel only'}) "
               f"in {every(len(profiles), f'{rule.platform_name} Defender profile')}",
        failed=lambda failures: _settings_reason(failures, rule))


def _settings_reason(failures: Sequence[Finding], rule: ToggleRule) -> str:
    """The profiles whose toggle is not the intended value (with the value they have), then those whose
    custom settings cannot be used as written (each key and why)."""
    profile = f"{rule.platform_name} Defender profile"
    toggles = named([f"{f.label} ({rule.toggle} {'absent' if f.value == '(absent)' else f'= {f.value}'})"
                     for f in failures if f.note == rule.wanted_text],
                    f"{profile} sets it otherwise", f"{profile}s set it otherwise")
    return clauses(f"{rule.wanted_text}, but {toggles}" if toggles else "",
                   named(settings_by_profile([f for f in failures if f.note != rule.wanted_text]),
                         f"{profile} has custom settings that cannot be used as written",
                         f"{profile}s have custom settings that cannot be used as written"))


def settings_by_profile(failures: Sequence[Finding]) -> list[str]:
    """Each profile with failing custom setting rows, once, with each key and why: "Profile (vpn = yes: must
    be 0 or 1; defendertoggle: conflicting custom setting)"."""
    found: dict[str, tuple[str, list[str]]] = {}  # profile id -> its name, and its keys with why
    for f in failures:
        if f.property.startswith(_SETTING):
            key = f.property.removeprefix(_SETTING)
            found.setdefault(f.object_id, (f.label, []))[1].append(
                f"{key} = {f.value}: {f.note}" if f.note.startswith(_INVALID) else f"{key}: {f.note}")
    return [f"{label} ({'; '.join(problems)})" for label, problems in found.values()]


@check(
    id="TUN-AND-05",
    title="Android Defender profiles set defendertoggle as intended",
    phase=Phase.PROFILES_CREATED, platform=Platform.ANDROID, severity=Severity.HIGH, needs=NEEDS,
    remediation="""
        In the VPN profile's custom settings, add defendertoggle = 0 when you use only the Tunnel
        functionality of Defender for Endpoint (this disables all Defender functionality, including web
        protection); leave it out or set it to 1 when Defender features are wanted. defendertoggle,
        antiphishing and vpn take 0 or 1.""",
)
def android_defendertoggle(ctx: Context) -> Verdict:
    """For each assigned Android Defender profile: defendertoggle, antiphishing, vpn, when present, must be
    0 or 1; Tunnel only (defender_features: false) needs defendertoggle = 0; MDE wanted (true) needs it
    absent or 1. A key set twice to different values, or written with surrounding whitespace, fails. Skipped when defender_features is unset or no
    such profile exists."""
    tunnel_only = ctx.config.defender_features is False
    return _custom_settings(ctx, ToggleRule(
        "Android", ANDROID_KINDS, ("defendertoggle", "antiphishing", "vpn"),
        valid=lambda v: v in ("0", "1"), valid_text="0 or 1",
        wanted=(lambda v: v == "0") if tunnel_only else (lambda v: v in (None, "1")),
        wanted_text="Tunnel only needs defendertoggle = 0" if tunnel_only
        else "Defender features wanted: defendertoggle must be absent or 1",
    ))


@check(
    id="TUN-IOS-04",
    title="iOS Defender profiles set TunnelOnly as intended",
    phase=Phase.PROFILES_CREATED, platform=Platform.IOS, severity=Severity.HIGH, needs=NEEDS,
    remediation="""
        In the VPN profile's custom settings, add TunnelOnly = True when you use only the Tunnel
        functionality of Defender for Endpoint (this disables the Defender functionality); leave it out or
        set it to False when Defender features are wanted. TunnelOnly, WebProtection and AutoOnboard take
        True or False.""",
)
def ios_tunnelonly(ctx: Context) -> Verdict:
    """For each assigned iOS Defender profile: TunnelOnly, WebProtection, AutoOnboard, when present, must be
    true/false (any case); Tunnel only needs TunnelOnly = true; MDE wanted needs it absent or false. A key
    set twice to different values (not only in case), or written with surrounding whitespace, fails. Skipped when defender_features is unset or no such profile
    exists."""
    tunnel_only = ctx.config.defender_features is False
    return _custom_settings(ctx, ToggleRule(
        "iOS", IOS_KINDS, ("TunnelOnly", "WebProtection", "AutoOnboard"),
        valid=lambda v: v.lower() in ("true", "false"), valid_text="true or false",
        wanted=(lambda v: v is not None and v.lower() == "true") if tunnel_only
        else (lambda v: v is None or v.lower() == "false"),
        wanted_text="Tunnel only needs TunnelOnly = true" if tunnel_only
        else "Defender features wanted: TunnelOnly must be absent or false",
    ))
