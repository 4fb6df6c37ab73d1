"""Tenants built from raw Graph objects: in memory (:func:`tenant`) or as a snapshot document
(:func:`snapshot_document`, the format of docs/snapshot-format.md).

Both take the resources by the same keywords (:data:`RESOURCE_ARGS`). A resource not given was "not
recorded": reading it raises ``DataUnavailable`` naming the resource and its Graph permission, exactly as
a snapshot without that key does. An empty list means "recorded, none exist"::

    t = tenant(profiles=[standalone_profile(group_target("g1"))], apps=[])
    doc = snapshot_document(profiles=[...], groups=[...], recorded_at="2026-11-26T07:00:00Z")
    tunnelcheck.sources.snapshot.write("contoso.json", doc)      # sealed with its sha256
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from ..errors import DataUnavailable
from ..model.resources import Resource
from ..tenant import SourceInfo, Tenant

__all__ = ["RESOURCE_ARGS", "InMemorySource", "snapshot_document", "tenant"]

#: The keyword of each resource, in the order of the snapshot format.
RESOURCE_ARGS: dict[str, Resource] = {
    "profiles": Resource.DEVICE_CONFIGURATIONS,
    "apps": Resource.MOBILE_APPS,
    "sites": Resource.TUNNEL_SITES,
    "tunnel_configurations": Resource.TUNNEL_CONFIGURATIONS,
    "groups": Resource.GROUPS,
    "managed_devices": Resource.MANAGED_DEVICES,
    "detected_apps": Resource.DETECTED_APPS,
    "audit_events": Resource.AUDIT_EVENTS,
}

Raw = list[Any] | DataUnavailable
V = TypeVar("V")


def _by_resource(given: Mapping[str, V | None], what: str) -> dict[Resource, V]:
    unknown = set(given) - set(RESOURCE_ARGS)
    if unknown:
        raise TypeError(f"{what} got unknown resources {sorted(unknown)}; known: {sorted(RESOURCE_ARGS)}")
    return {resource: value for name, resource in RESOURCE_ARGS.items() if (value := given.get(name)) is not None}


class InMemorySource:
    """A :class:`tunnelcheck.tenant.Source` over raw objects held in memory. A resource absent from
    ``resources`` is not recorded; a resource mapped to a ``DataUnavailable`` (e.g. ``PermissionDenied``)
    fails with it. ``loads`` counts the calls, for tests of lazy loading."""

    def __init__(self, resources: Mapping[Resource, Raw], label: str = "test") -> None:
        self.resources = dict(resources)
        self.info = SourceInfo(label=label, kind="snapshot", location=f"<in-memory {label}>")
        self.loads = 0

    def load(self, resources: Collection[Resource]) -> dict[Resource, Raw]:
        self.loads += 1
        return {
            r: self.resources[r] if r in self.resources else DataUnavailable(
                r.value, f"not recorded in the in-memory tenant {self.info.label!r}", r.permission)
            for r in resources
        }


def tenant(profiles: Raw | None = None, apps: Raw | None = None, groups: Raw | None = None, *,
           label: str = "test", **resources: Raw | None) -> Tenant:
    """A :class:`~tunnelcheck.Tenant` over an :class:`InMemorySource`.

    ``profiles`` are the device configurations (VPN profiles and any other), ``apps`` the mobile apps,
    ``groups`` the groups; further resources by keyword: ``sites``, ``tunnel_configurations``,
    ``managed_devices``, ``detected_apps``, ``audit_events``. ``None`` (the default): not recorded; a
    ``DataUnavailable`` (``PermissionDenied(...)``): reading it fails so."""
    given = {"profiles": profiles, "apps": apps, "groups": groups, **resources}
    return Tenant(InMemorySource(_by_resource(given, "tenant()"), label))


def snapshot_document(*, recorded_at: str, tenant_id: str | None = None, cloud: str = "global", source: str = "",
                      provenance: Mapping[str, Any] | None = None, **resources: list[Any] | None) -> dict[str, Any]:
    """An unsealed snapshot document holding ``resources`` (the keywords of :func:`tenant`; one left out
    or ``None`` is not recorded), in the order of the format. Seal and write it with
    ``tunnelcheck.sources.snapshot.write(path, doc)``; ``tunnelcheck.sources.snapshot.canonical_digest(doc)`` is its
    ``sha256``."""
    recorded = _by_resource(resources, "snapshot_document()")
    return {
        "tunnelcheck_snapshot": 1, "recorded_at": recorded_at, "tenant_id": tenant_id, "cloud": cloud,
        "source": source, "resources": {resource.value: items for resource, items in recorded.items()},
        "provenance": dict(provenance or {}),
    }
