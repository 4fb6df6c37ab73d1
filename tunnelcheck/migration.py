"""The migration terms (docs/terms.md), each defined once, for every check to share.

Migration targets, in-scope standalone profiles, replacements, the Defender and standalone apps: checks
call these instead of re-deriving them, so a correction to a definition lands everywhere at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .check import Evidence
from .config import MigrationConfig
from .model import ALL, MobileApp, ProfileKind, Target, TunnelProfile
from .tenant import Tenant

__all__ = [
    "CoveringProfiles",
    "StandaloneProfile",
    "covered_by_any",
    "defender_apps",
    "defender_profiles",
    "in_scope_standalone",
    "profiles_of_kinds",
    "replacements",
    "setting_problems",
    "standalone_apps",
    "standalone_profile_ids",
    "unique_targets",
]

ANDROID_KINDS = (ProfileKind.ANDROID_DEVICE_OWNER, ProfileKind.ANDROID_WORK_PROFILE)
IOS_KINDS = (ProfileKind.IOS,)


def kinds_of(platform: str) -> tuple[ProfileKind, ...]:
    return IOS_KINDS if platform == "ios" else ANDROID_KINDS


def unique_targets(targets: Iterable[Target]) -> tuple[Target, ...]:
    """Include targets, one per coverage key (all devices and all users are the same ALL), in order."""
    seen: dict[str, Target] = {}
    for target in targets:
        if target.is_include:
            seen.setdefault(target.key, target)
    return tuple(seen.values())


@dataclass(frozen=True)
class StandaloneProfile:
    """A standalone profile with its migration targets: the union of its include targets in the
    baseline and in the current tenant."""

    current: TunnelProfile | None
    recorded: TunnelProfile | None  # its version in the baseline
    targets: tuple[Target, ...]

    @property
    def profile(self) -> TunnelProfile:
        """The object to name in evidence: the current one, else the baseline's."""
        return self.current or self.recorded  # type: ignore[return-value]

    @property
    def settings(self) -> TunnelProfile:
        """The settings to carry over: the baseline version when there is one."""
        return self.recorded or self.current  # type: ignore[return-value]


def profiles_of_kinds(tenant: Tenant, kinds: Iterable[ProfileKind]) -> list[TunnelProfile]:
    """The Tunnel profiles of ``kinds``. A configuration that cannot be classified blocks the platforms
    it may belong to (docs/terms.md), so an Android one never stops an iOS check."""
    kinds = tuple(kinds)
    platforms = {k.platform for k in kinds}
    profiles = tenant.profiles_of(platforms.pop()) if len(platforms) == 1 else tenant.profiles
    return [p for p in profiles if p.kind in kinds]


def in_scope_standalone(
    tenant: Tenant, baseline: Tenant | None, kinds: Iterable[ProfileKind]
) -> list[StandaloneProfile]:
    """Standalone profiles of ``kinds``, from the baseline or current, with at least one migration target."""
    kinds = tuple(kinds)
    current = {p.id: p for p in profiles_of_kinds(tenant, kinds) if p.standalone}
    recorded = {p.id: p for p in profiles_of_kinds(baseline, kinds) if p.standalone} if baseline else {}
    out = []
    for profile_id in dict.fromkeys([*recorded, *current]):
        now, then = current.get(profile_id), recorded.get(profile_id)
        targets = unique_targets([*(then.targets if then else ()), *(now.targets if now else ())])
        if targets:
            out.append(StandaloneProfile(now, then, targets))
    return out


def defender_profiles(tenant: Tenant, kinds: Iterable[ProfileKind], assigned_only: bool = False) -> list[TunnelProfile]:
    return [p for p in profiles_of_kinds(tenant, kinds) if p.defender and (p.assigned or not assigned_only)]


class CoveringProfiles:
    """Which of ``profiles`` cover a target, found through their include keys instead of by testing every
    profile against every target; answers keep the order of ``profiles``."""

    def __init__(self, profiles: Sequence[TunnelProfile]) -> None:
        self._by_key: dict[str, list[int]] = {}
        self._profiles = profiles
        for position, profile in enumerate(profiles):
            for key in profile.coverage.includes:
                self._by_key.setdefault(key, []).append(position)

    def covering(self, *targets: Target) -> list[TunnelProfile]:
        """The profiles that cover at least one of ``targets``."""
        positions: set[int] = set()
        for target in targets:
            key = target.key
            # A profile can only cover a target whose key it includes, or any target when it includes ALL.
            for i in (*self._by_key.get(key, ()), *(self._by_key.get(ALL, ()) if key != ALL else ())):
                if i not in positions and self._profiles[i].coverage.covers(target):
                    positions.add(i)
        return [self._profiles[i] for i in sorted(positions)]

    def excluded_note(self, target: Target) -> str:
        """For evidence of an uncovered ``target``: the profiles that include it but exclude every target
        through a target type tunnelcheck does not know ("" when none)."""
        blocked = [f"{p.display_name} ({p.id}): {p.coverage.why_not(target)}" for p in self._profiles
                   if p.coverage.excluded_by and p.coverage.includes_target(target)]
        return "; " + "; ".join(blocked) if blocked else ""


def covering_defender_profiles(tenant: Tenant, kinds: Iterable[ProfileKind]) -> dict[ProfileKind, CoveringProfiles]:
    """The current Defender profiles of each of ``kinds``, indexed for :meth:`CoveringProfiles.covering`."""
    return {kind: CoveringProfiles(defender_profiles(tenant, [kind])) for kind in kinds}


def replacements(standalone: StandaloneProfile, tenant: Tenant,
                 index: dict[ProfileKind, CoveringProfiles] | None = None) -> list[TunnelProfile]:
    """Current Defender profiles of the same kind that cover at least one migration target (``index``:
    :func:`covering_defender_profiles` of ``tenant``, when asked for many standalone profiles)."""
    kind = standalone.profile.kind
    return (index or covering_defender_profiles(tenant, [kind]))[kind].covering(*standalone.targets)


def standalone_profile_ids(tenant: Tenant, baseline: Tenant | None) -> frozenset[str]:
    """Ids of every standalone profile, of any kind, in the baseline or the current tenant."""
    ids = {p.id for p in tenant.profiles if p.standalone}
    if baseline is not None:
        ids.update(p.id for p in baseline.profiles if p.standalone)
    return frozenset(ids)


def _apps(tenant: Tenant, platform: str, app_id: str) -> list[MobileApp]:
    return list(tenant.apps_with_identifier(app_id, platform))


def defender_apps(tenant: Tenant, platform: str, config: MigrationConfig) -> list[MobileApp]:
    """The Defender for Endpoint app(s) of ``platform`` (an iOS tenant may hold a store and a VPP copy)."""
    return _apps(tenant, platform, getattr(config.defender_app_ids, platform))


def standalone_apps(tenant: Tenant, platform: str, config: MigrationConfig) -> list[MobileApp]:
    """The standalone Microsoft Tunnel app(s) of ``platform``."""
    return _apps(tenant, platform, getattr(config.standalone_app_ids, platform))


def covered_by_any(apps: Iterable[MobileApp], target: Target) -> bool:
    """Whether any of ``apps`` offers itself to ``target``."""
    return any(app.offered_coverage.covers(target) for app in apps)


def setting_problems(evidence: Evidence, profile: TunnelProfile, key: str) -> None:
    """Record a failing row for each reason the custom setting ``key`` of ``profile`` cannot be trusted as
    read: a key with surrounding whitespace, conflicting values (docs/terms.md "Custom settings")."""
    for problem, shown in profile.custom.problems(key):
        evidence.fail(profile, f"custom setting {key}", list(shown), problem)

