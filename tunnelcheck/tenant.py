"""A tenant as the checks see it: typed collections parsed lazily, once, from a source of raw Graph JSON.

A source is a snapshot file or live Graph; both hand over raw objects exactly as Graph returns them, so
the checks cannot tell them apart. A resource that could not be had is remembered as its error, and every
later access raises it again: nothing is ever read as "empty" by mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, TypeVar, cast

from . import model
from .errors import DataUnavailable, MalformedData, MalformedResource, Unclassifiable
from .model.resources import Resource

__all__ = ["MAX_NAME", "Source", "SourceInfo", "Tenant", "tenant_label"]

T = TypeVar("T")

#: The longest tenant name shown; a longer one is cut, ending in "…" (a name comes from a file or a server
#: as often as from the user, and is repeated in every test id and result).
MAX_NAME = 100


def tenant_label(*names: str | None) -> str:
    """What names a tenant in test ids, titles, results, summaries and reports: the first of ``names``
    that has text, in the order of README "Naming a tenant" (the config's ``name``, the name recorded in
    the snapshot or the ``--tenant`` value, the snapshot's file name), on one line (whitespace runs made
    one space) and at most MAX_NAME characters. "" when none has text. Each output still neutralises it
    for its medium (tunnelcheck.untrusted)."""
    for name in names:
        text = " ".join((name or "").split())
        if text:
            return text if len(text) <= MAX_NAME else text[:MAX_NAME - 1].rstrip() + "…"
    return ""


@dataclass(frozen=True)
class SourceInfo:
    """Where a tenant's data comes from; shown in test ids, reports and results. Never a secret."""

    label: str  # names the tenant in test ids, titles, results and reports (tenant_label)
    kind: str  # "snapshot" or "live"
    location: str  # the snapshot file, or the tenant as given on the command line
    tenant_id: str | None = None
    description: str = ""  # the snapshot's "source", or the Graph endpoint
    sha256: str | None = None
    recorded_at: str | None = None
    #: What a resource's recording left out, by resource key: the snapshot's provenance notes (e.g. whose
    #: managed devices the detected apps hold), for a check that finds less than it needs to say why.
    notes: tuple[tuple[str, str], ...] = ()

    def note(self, resource: Resource) -> str:
        """The recording's note on ``resource``, or ""."""
        return next((text for key, text in self.notes if key == resource.value), "")


class Source(Protocol):
    """Hands over raw Graph objects per resource, or the reason it cannot."""

    @property
    def info(self) -> SourceInfo:
        """Where the data comes from."""
        ...

    def load(self, resources: Collection[Resource]) -> Mapping[Resource, list[Any] | DataUnavailable]:
        """Return each requested resource's raw objects, or the DataUnavailable explaining its absence."""
        ...


_PARSERS: dict[Resource, Callable[[list[Any], str], Any]] = {
    Resource.DEVICE_CONFIGURATIONS: model.parse_device_configurations,
    Resource.MOBILE_APPS: model.parse_mobile_apps,
    Resource.GROUPS: model.parse_groups,
    Resource.TUNNEL_SITES: model.parse_tunnel_sites,
    Resource.TUNNEL_CONFIGURATIONS: model.parse_tunnel_configurations,
    Resource.MANAGED_DEVICES: model.parse_managed_devices,
    Resource.DETECTED_APPS: model.parse_detected_apps,
    Resource.AUDIT_EVENTS: model.parse_audit_events,
}


class Tenant:
    """The typed view of one tenant. Collections are parsed on first use and cached."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._parsed: dict[Resource, Any] = {}
        self._errors: dict[Resource, DataUnavailable] = {}

    def __repr__(self) -> str:
        return f"<Tenant {self.info.label!r} from {self.info.kind}>"

    @property
    def info(self) -> SourceInfo:
        return self.source.info

    # -- loading ------------------------------------------------------------------------------------

    def require(self, resources: Iterable[Resource]) -> None:
        """Load and parse ``resources`` (in one round for the source); raise for any that cannot be had,
        naming all of them."""
        wanted = [r for r in dict.fromkeys(resources) if r not in self._parsed and r not in self._errors]
        if wanted:
            for resource, raw in self.source.load(wanted).items():
                if isinstance(raw, DataUnavailable):
                    self._errors[resource] = raw
                    continue
                try:
                    self._parsed[resource] = _PARSERS[resource](raw, resource.value)
                except MalformedData as exc:
                    self._errors[resource] = MalformedResource(resource.value, exc, resource.permission)
        failures = [self._errors[r] for r in dict.fromkeys(resources) if r in self._errors]
        if len(failures) == 1:
            raise failures[0]
        if failures:
            raise DataUnavailable("; ".join(str(f.resource) for f in failures),
                                  "; ".join(str(f) for f in failures), parts=failures)

    def prefetch(self, resources: Iterable[Resource]) -> None:
        """Load ``resources`` in one round (a live source collects them concurrently); failures are
        remembered and raised to each check that needs the resource, not here."""
        try:
            self.require(resources)
        except DataUnavailable:
            pass

    def available(self, resource: Resource) -> bool:
        """Whether ``resource`` is loaded and usable, without fetching it."""
        return resource in self._parsed

    def _get(self, resource: Resource) -> Any:
        if resource not in self._parsed:
            self.require([resource])
        return self._parsed[resource]

    # -- collections --------------------------------------------------------------------------------

    @property
    def _configurations(self) -> model.DeviceConfigurations:
        return cast(model.DeviceConfigurations, self._get(Resource.DEVICE_CONFIGURATIONS))

    @property
    def _mobile_apps(self) -> model.Classified[model.MobileApp]:
        return cast("model.Classified[model.MobileApp]", self._get(Resource.MOBILE_APPS))

    @staticmethod
    def _classified(parsed: model.Classified[T], resource: Resource, platform: str | None = None) -> tuple[T, ...]:
        """The items of a classified collection; raises when an object that a decision about ``platform``
        (None: any) depends on could not be classified."""
        blocking = parsed.blocking(platform)
        if blocking:
            raise Unclassifiable(resource.value, blocking)
        return parsed.items

    @property
    def configurations(self) -> tuple[model.DeviceConfiguration, ...]:
        """Every configuration by id and name; needs no classification."""
        return self._configurations.configurations

    @property
    def profiles(self) -> tuple[model.TunnelProfile, ...]:
        """The Tunnel profiles, standalone and Defender-based, of every kind."""
        return self._classified(self._configurations.profiles, Resource.DEVICE_CONFIGURATIONS)

    def profiles_of(self, platform: str) -> tuple[model.TunnelProfile, ...]:
        """The Tunnel profiles of ``platform``; only that platform's unclassified configurations block."""
        profiles = self._classified(self._configurations.profiles, Resource.DEVICE_CONFIGURATIONS, platform)
        return tuple(p for p in profiles if p.platform == platform)

    @cached_property
    def configuration_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.configurations)

    @cached_property
    def profiles_by_id(self) -> Mapping[str, model.TunnelProfile]:
        return {p.id: p for p in self.profiles}

    @property
    def apps(self) -> tuple[model.MobileApp, ...]:
        """The apps the migration can touch; every unclassified app blocks."""
        return self._classified(self._mobile_apps, Resource.MOBILE_APPS)

    def apps_with_identifier(self, identifier: str, platform: str) -> tuple[model.MobileApp, ...]:
        """The apps of ``platform`` with this package or bundle id; an app that may be one of them but
        cannot be told apart (no type, or no identifier on this platform) makes this raise."""
        self._classified(self._mobile_apps, Resource.MOBILE_APPS, platform)
        return tuple(a for a in self._apps_by_identifier.get(identifier, ()) if a.platform == platform)

    @cached_property
    def _apps_by_identifier(self) -> Mapping[str, tuple[model.MobileApp, ...]]:
        """The apps of each package or bundle id, in collection order."""
        index: dict[str, list[model.MobileApp]] = {}
        for app in self._mobile_apps.items:
            for identifier in app.identifiers:
                index.setdefault(identifier, []).append(app)
        return {k: tuple(v) for k, v in index.items()}

    @property
    def groups(self) -> tuple[model.Group, ...]:
        return cast("tuple[model.Group, ...]", self._get(Resource.GROUPS))

    @property
    def sites(self) -> tuple[model.TunnelSite, ...]:
        return cast("tuple[model.TunnelSite, ...]", self._get(Resource.TUNNEL_SITES))

    @property
    def tunnel_configurations(self) -> tuple[model.TunnelConfiguration, ...]:
        return cast("tuple[model.TunnelConfiguration, ...]", self._get(Resource.TUNNEL_CONFIGURATIONS))

    @property
    def managed_devices(self) -> tuple[model.ManagedDevice, ...]:
        return cast("tuple[model.ManagedDevice, ...]", self._get(Resource.MANAGED_DEVICES))

    @property
    def detected_apps(self) -> tuple[model.DetectedApp, ...]:
        detected = cast("model.Classified[model.DetectedApp]", self._get(Resource.DETECTED_APPS))
        return self._classified(detected, Resource.DETECTED_APPS)

    @property
    def audit_events(self) -> tuple[model.AuditEvent, ...]:
        return cast("tuple[model.AuditEvent, ...]", self._get(Resource.AUDIT_EVENTS))

    @property
    def group_names(self) -> Mapping[str, str]:
        """Group display names for evidence, when groups were loaded; names never decide a verdict,
        so this is the one lookup that does not fetch or fail."""
        return self._group_names if self.available(Resource.GROUPS) else {}

    @cached_property
    def _group_names(self) -> Mapping[str, str]:
        return {g.id: g.display_name for g in self.groups}
