"""The terms of CHECKS.md ("Terms"), each defined once, for every check to share.

Migration targets, in-scope standalone profiles, replacements, the Defender and standalone apps: checks
call these instead of re-deriving them, so a correction to a definition lands everywhere at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .config import MigrationConfig
from .model import AppKind, MobileApp, ProfileKind, Target, TunnelProfile
from .tenant import Tenant

__all__ = [
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


def replacements(standalone: StandaloneProfile, tenant: Tenant) -> list[TunnelProfile]:
    """Current Defender profiles of the same kind that cover at least one migration target."""
    kind = standalone.profile.kind
    return [
        p for p in defender_profiles(tenant, [kind])
        if any(p.coverage.covers(t) for t in standalone.targets)
    ]


def standalone_profile_ids(tenant: Tenant, baseline: Tenant | None) -> frozenset[str]:
    """Ids of every standalone profile, of any kind, in the baseline or the current tenant."""
    ids = {p.id for p in tenant.profiles if p.standalone}
    if baseline is not None:
        ids.update(p.id for p in baseline.profiles if p.standalone)
    return frozenset(ids)


def _apps(tenant: Tenant, platform: str, app_id: str) -> list[MobileApp]:
    kinds = (AppKind.ANDROID_MANAGED_STORE,) if platform == "android" else (
        AppKind.IOS_STORE, AppKind.IOS_VPP, AppKind.IOS_LOB)
    return [a for a in tenant.apps if a.kind in kinds and app_id in a.identifiers]


def defender_apps(tenant: Tenant, platform: str, config: MigrationConfig) -> list[MobileApp]:
    """The Defender for Endpoint app(s) of ``platform`` (an iOS tenant may hold a store and a VPP copy)."""
    return _apps(tenant, platform, getattr(config.defender_app_ids, platform))


def standalone_apps(tenant: Tenant, platform: str, config: MigrationConfig) -> list[MobileApp]:
    """The standalone Microsoft Tunnel app(s) of ``platform``."""
    return _apps(tenant, platform, getattr(config.standalone_app_ids, platform))


def covered_by_any(apps: Iterable[MobileApp], target: Target) -> bool:
    """Whether any of ``apps`` offers itself to ``target``."""
    return any(app.offered_coverage.covers(target) for app in apps)
