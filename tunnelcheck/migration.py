"""The terms of CHECKS.md ("Terms"), each defined once, for every check to share.

Migration targets, in-scope standalone profiles, replacements, the Defender and standalone apps: checks
call these instead of re-deriving them, so a correction to a definition lands everywhere at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .config import MigrationConfig
from .model import ALL, AppKind, MobileApp, ProfileKind, Target, TunnelProfile
from .tenant import Tenant

__all__ = [
    "CoveringProfiles",
    "StandaloneProfile",
    "covered_by_any",
    "defender_apps",
    "defender_profiles",
    "in_scope_standalone",
    "replacements",
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


def in_scope_standalone(
    tenant: Tenant, baseline: Tenant | None, kinds: Iterable[ProfileKind]
) -> list[StandaloneProfile]:
    """Standalone profiles of ``kinds``, from the baseline or current, with at least one migration target."""
    kinds = tuple(kinds)
    current = {p.id: p for p in tenant.profiles if p.standalone and p.kind in kinds}
    recorded = {p.id: p for p in baseline.profiles if p.standalone and p.kind in kinds} if baseline else {}
    out = []
    for profile_id in dict.fromkeys([*recorded, *current]):
        now, then = current.get(profile_id), recorded.get(profile_id)
        targets = unique_targets([*(then.targets if then else ()), *(now.targets if now else ())])
        if targets:
            out.append(StandaloneProfile(now, then, targets))
    return out


def defender_profiles(tenant: Tenant, kinds: Iterable[ProfileKind], assigned_only: bool = False) -> list[TunnelProfile]:
    kinds = tuple(kinds)
    return [p for p in tenant.profiles if p.defender and p.kind in kinds and (p.assigned or not assigned_only)]


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


def covering_defender_profiles(tenant: Tenant) -> dict[ProfileKind, CoveringProfiles]:
    """The current Defender profiles of each kind, indexed for :meth:`CoveringProfiles.covering`."""
    return {kind: CoveringProfiles(defender_profiles(tenant, [kind])) for kind in ProfileKind}


def replacements(standalone: StandaloneProfile, tenant: Tenant,
                 index: dict[ProfileKind, CoveringProfiles] | None = None) -> list[TunnelProfile]:
    """Current Defender profiles of the same kind that cover at least one migration target (``index``:
    :func:`covering_defender_profiles` of ``tenant``, when asked for many standalone profiles)."""
    return (index or covering_defender_profiles(tenant))[standalone.profile.kind].covering(*standalone.targets)


def standalone_profile_ids(tenant: Tenant, baseline: Tenant | None) -> frozenset[str]:
    """Ids of every standalone profile, of any kind, in the baseline or the current tenant."""
    ids = {p.id for p in tenant.profiles if p.standalone}
    if baseline is not None:
        ids.update(p.id for p in baseline.profiles if p.standalone)
    return frozenset(ids)


def _apps(tenant: Tenant, platform: str, app_id: str) -> list[MobileApp]:
    kinds = (AppKind.ANDROID_MANAGED_STORE,) if platform == "android" else (
        AppKind.IOS_STORE, AppKind.IOS_VPP, AppKind.IOS_LOB)
    return [a for a in tenant.apps_by_identifier.get(app_id, ()) if a.kind in kinds]


def defender_apps(tenant: Tenant, platform: str, config: MigrationConfig) -> list[MobileApp]:
    """The Defender for Endpoint app(s) of ``platform`` (an iOS tenant may hold a store and a VPP copy)."""
    return _apps(tenant, platform, getattr(config.defender_app_ids, platform))


def standalone_apps(tenant: Tenant, platform: str, config: MigrationConfig) -> list[MobileApp]:
    """The standalone Microsoft Tunnel app(s) of ``platform``."""
    return _apps(tenant, platform, getattr(config.standalone_app_ids, platform))


def covered_by_any(apps: Iterable[MobileApp], target: Target) -> bool:
    """Whether any of ``apps`` offers itself to ``target``."""
    return any(app.offered_coverage.covers(target) for app in apps)
