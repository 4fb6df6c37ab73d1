"""Snapshot drift: what changed between two tenants, limited to what the Tunnel migration depends on.

The comparison behind ``tunnelcheck diff`` (tunnelcheck/cli/diff.py), the drift checks and the report's
drift section; pure: it reads tenants and returns values, it neither prints nor parses arguments.

Compared (docs/checks.md TUN-DRIFT-01/-02, TUN-GW-03):

- Tunnel profiles: their properties and their assignments;
- the Defender and standalone apps (``migration.defender_apps`` / ``standalone_apps``): their assignments;
- every other app: its assignments that carry a ``settings.vpnConfigurationId`` (per-app VPN links), in
  the old or the new tenant;
- Tunnel sites and server configurations: their properties.

Each object is added, removed or changed; each change is (property path, old value, new value). The
values are normalised by :mod:`tunnelcheck.diff` (volatile fields ignored, set-like lists unordered), so
nothing is reported that did not change. Assignments are matched by their target (Intune allows one
assignment per target and object), not by their id, which Graph may regenerate: a changed intent or VPN
profile on the same group is one change, ``assignments[group NAME (ID)].intent``. Ids are shown with
display names: groups, profiles (``vpnConfigurationId``), sites and server configurations.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .config import MigrationConfig
from .diff import VOLATILE, Change, changes, normalise
from .errors import DataUnavailable
from .migration import defender_apps, standalone_apps
from .model import Target, TargetKind, canonical_json
from .model.resources import Resource
from .tenant import SourceInfo, Tenant
from .wording import counted

__all__ = ["CHANGES", "DRIFT", "Names", "ObjectDiff", "PropertyChange", "TenantDiff", "View", "app_diffs",
           "gateway_diffs", "profile_diffs", "tenant_diff", "view"]

PROFILE = "Tunnel profile"
APP = "app"
SITE = "Tunnel site"
CONFIGURATION = "server configuration"

#: What ``tenant_diff`` reads from both tenants (groups only name things: used when recorded).
NEEDS = (Resource.DEVICE_CONFIGURATIONS, Resource.MOBILE_APPS, Resource.TUNNEL_SITES,
         Resource.TUNNEL_CONFIGURATIONS)

#: An assignment's ``id`` and ``sourceId`` are Graph's bookkeeping: removing and re-adding the same
#: assignment changes them, and nothing on the devices.
ASSIGNMENT_IGNORE = VOLATILE | {"id", "sourceId"}

ABSENT = "(absent)"


# ---------------------------------------------------------------------------------------------------
# Names


class Names:
    """Display names of the ids a difference may show, from both tenants (the current name wins).
    Names never decide anything: the resources naming things are loaded when they can be, and what
    cannot be had (not recorded, forbidden) leaves the ids unnamed instead of failing."""

    SOURCES = (Resource.GROUPS, Resource.DEVICE_CONFIGURATIONS, Resource.TUNNEL_SITES,
               Resource.TUNNEL_CONFIGURATIONS)

    def __init__(self, *tenants: Tenant) -> None:
        self.groups: dict[str, str] = {}
        self.configurations: dict[str, str] = {}
        self.sites: dict[str, str] = {}
        self.tunnel_configurations: dict[str, str] = {}
        for tenant in tenants:
            for resource in self.SOURCES:
                with contextlib.suppress(DataUnavailable):
                    tenant.require([resource])
            self.groups.update(tenant.group_names)
            named: tuple[tuple[dict[str, str], Resource, Callable[[Tenant], Sequence[Any]]], ...] = (
                (self.configurations, Resource.DEVICE_CONFIGURATIONS, lambda t: t.configurations),
                (self.sites, Resource.TUNNEL_SITES, lambda t: t.sites),
                (self.tunnel_configurations, Resource.TUNNEL_CONFIGURATIONS, lambda t: t.tunnel_configurations),
            )
            for table, resource, items in named:
                if tenant.available(resource):
                    table.update((o.id, o.display_name) for o in items(tenant) if o.display_name)

    def label(self, table: Mapping[str, str], object_id: str) -> str:
        name = table.get(object_id)
        return f"{name} ({object_id})" if name else object_id

    def for_path(self, path: str) -> Mapping[str, str] | None:
        """The table naming the ids found at ``path``, if any."""
        leaf = path.rsplit(".", 1)[-1]
        if leaf == "groupId":
            return self.groups
        if leaf == "vpnConfigurationId":
            return self.configurations
        if leaf == "microsoftTunnelSiteId":
            return self.sites
        if path.endswith("microsoftTunnelConfiguration.id"):
            return self.tunnel_configurations
        return None


# ---------------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class PropertyChange:
    """One difference: the property path, the normalised old and new JSON values (``None`` = absent),
    their text with ids named, and for a list compared as a set the items added and removed."""

    path: str
    old: Any
    new: Any
    old_text: str
    new_text: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """``old -> new``, or for a set-like list the items added and removed."""
        if self.added or self.removed:
            parts = ([f"added {', '.join(self.added)}"] if self.added else []) + (
                [f"removed {', '.join(self.removed)}"] if self.removed else [])
            return "; ".join(parts)
        return f"{self.old_text} -> {self.new_text}"

    def as_dict(self) -> dict[str, Any]:
        doc = {"path": self.path, "old": self.old, "new": self.new, "old_text": self.old_text,
               "new_text": self.new_text}
        if self.added or self.removed:
            doc |= {"added": list(self.added), "removed": list(self.removed)}
        return doc


@dataclass(frozen=True)
class ObjectDiff:
    """One compared object: ``status`` is added, removed, changed or unchanged."""

    kind: str  # PROFILE, APP, SITE or CONFIGURATION
    id: str
    name: str
    status: str
    changes: tuple[PropertyChange, ...] = ()
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id

    @property
    def drifted(self) -> bool:
        return self.status != "unchanged"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name, "status": self.status,
                "note": self.note, "changes": [c.as_dict() for c in self.changes]}


@dataclass(frozen=True)
class TenantDiff:
    """The objects that drifted between ``old`` and ``new`` (empty: no drift)."""

    old: SourceInfo
    new: SourceInfo
    objects: tuple[ObjectDiff, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.objects)

    def count(self, status: str) -> int:
        return sum(1 for o in self.objects if o.status == status)

    @property
    def summary(self) -> str:
        """What drifted, in a line."""
        return DRIFT.summary(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tunnelcheck_diff": 1,
            "old": _info(self.old), "new": _info(self.new),
            "drift": bool(self),
            "summary": {s: self.count(s) for s in ("added", "removed", "changed")},
            "objects": [o.as_dict() for o in self.objects],
        }


@dataclass(frozen=True)
class View:
    """What the differences from a baseline are (README "Nightly drift"). Against the accepted baseline of
    a nightly run (``--drift``, and ``tunnelcheck diff``) they are **drift**, changes nobody accepted, shown
    in alarm colours; against the pre-migration baseline of a phase gate (``--baseline`` without
    ``--drift``) they are the **changes since the baseline**, the migration's own work, shown in neutral
    colours. ``name`` is the results JSON's ``kind`` and the HTML class of the report's table
    (tunnelcheck.reports.drift_table)."""

    name: str
    title: str  # the report's status card names its row so
    heading: str
    verb: str  # after "N objects"
    nothing: str  # when nothing changed

    def summary(self, diff: TenantDiff, compact: bool = False) -> str:
        """"2 objects drifted: 1 added, 0 removed, 1 changed" (``compact``: without the zeros), or that
        nothing did."""
        if not diff.objects:
            return self.nothing
        counts = ", ".join(f"{diff.count(s)} {s}" for s in ("added", "removed", "changed")
                           if diff.count(s) or not compact)
        return f"{counted(len(diff.objects), 'object')} {self.verb}: {counts}"


DRIFT = View("drift", "Drift", "Drift since the baseline", "drifted",
             "no drift: nothing the Tunnel migration depends on changed")
CHANGES = View("changes", "Changes", "Changes since the baseline", "changed since the baseline",
               "no change since the baseline: nothing the Tunnel migration depends on changed")


def view(drift: bool) -> View:
    """Drift with ``--drift`` (the accepted baseline of a nightly run); else the changes since the baseline."""
    return DRIFT if drift else CHANGES


def _info(info: SourceInfo) -> dict[str, Any]:
    return {"location": info.location, "tenant_id": info.tenant_id, "recorded_at": info.recorded_at,
            "sha256": info.sha256}


# ---------------------------------------------------------------------------------------------------
# Values as text


def _item_text(item: Any) -> str:
    if isinstance(item, Mapping):
        keys = set(item) - {"@odata.type"}
        for name_key in ("key", "name"):  # customData / customKeyValueData / advancedSettings pairs
            if keys <= {name_key, "value"} and name_key in keys:
                return f"{item[name_key]}={item.get('value', '')}"
        return canonical_json(item)
    return _value_text(item)


def _value_text(value: Any, table: Mapping[str, str] | None = None, names: Names | None = None) -> str:
    if value is None:
        return ABSENT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return names.label(table, value) if table is not None and names is not None else value
    if isinstance(value, list):
        return "[" + ", ".join(_item_text(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return canonical_json(value)
    return str(value)


def _property_change(change: Change, names: Names, prefix: str = "") -> PropertyChange:
    table = names.for_path(change.path)
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    if change.unordered and isinstance(change.old, list) and isinstance(change.new, list):
        added = tuple(_item_text(v) for v in change.added)
        removed = tuple(_item_text(v) for v in change.removed)
    return PropertyChange(prefix + change.path, change.old, change.new, _value_text(change.old, table, names),
                          _value_text(change.new, table, names), added, removed)


# ---------------------------------------------------------------------------------------------------
# Assignments, matched by target


def _target_label(target: Mapping[str, Any], names: Names) -> str:
    kind = TargetKind(target.get("@odata.type") or "")
    group_id = target.get("groupId")
    if kind.known and kind is not TargetKind.CONFIGURATION_MANAGER:
        return Target(kind, group_id).describe(names.groups)
    kind_name = kind.value.removeprefix("#").removeprefix("microsoft.graph.") or "unknown target"
    if group_id:
        return f"{kind_name} {names.label(names.groups, group_id)}"
    properties = {k: v for k, v in target.items() if k != "@odata.type" and v is not None}
    return f"{kind_name} {canonical_json(properties)}" if properties else kind_name


@dataclass(frozen=True)
class _Assignment:
    raw: Mapping[str, Any]
    normalised: dict[str, Any]
    text: str  # the canonical JSON of ``normalised``: equal texts, no change


def _assignments(raw: Any, names: Names) -> dict[str, _Assignment]:
    """An object's assignments by target (each normalised once), in a stable order."""
    found = sorted((_Assignment(a, n, canonical_json(n)) for a in raw or [] if isinstance(a, Mapping)
                    for n in (normalise(a, ASSIGNMENT_IGNORE),)), key=lambda a: a.text)
    keyed: dict[str, _Assignment] = {}
    for assignment in found:
        label = _target_label(assignment.raw.get("target") or {}, names)
        key, n = label, 2
        while key in keyed:  # Intune allows one assignment per target; keep a second one distinct
            key, n = f"{label} #{n}", n + 1
        keyed[key] = assignment
    return keyed


def _vpn_id(assignment: Mapping[str, Any] | None) -> str | None:
    settings = (assignment or {}).get("settings")
    return settings.get("vpnConfigurationId") if isinstance(settings, Mapping) else None


def _assignment_text(assignment: Mapping[str, Any] | None, names: Names) -> str:
    if assignment is None:
        return ABSENT
    intent = assignment.get("intent")
    parts = ["assigned" if intent in (None, "apply") else str(intent)]
    vpn = _vpn_id(assignment)
    if vpn:
        parts.append(f"per-app VPN {names.label(names.configurations, vpn)}")
    target = assignment.get("target") or {}
    filter_id = target.get("deviceAndAppManagementAssignmentFilterId")
    if filter_id:
        mode = target.get("deviceAndAppManagementAssignmentFilterType")
        parts.append(f"filter {mode} {filter_id}" if mode else f"filter {filter_id}")
    return ", ".join(parts)


def _same(a: Any, b: Any) -> bool:
    """Whether two JSON values are the same text, so that comparing them property by property would find
    nothing: the quick answer for most objects of a large tenant (benchmarks/run.py). Not ``==``, which
    holds ``true`` equal to ``1``."""
    return canonical_json(a) == canonical_json(b)


def _assignment_changes(old: Any, new: Any, names: Names, vpn_only: bool = False) -> list[PropertyChange]:
    if _same(old, new):
        return []
    before, after = _assignments(old, names), _assignments(new, names)
    out: list[PropertyChange] = []
    for key in sorted(before.keys() | after.keys()):
        found_a, found_b = before.get(key), after.get(key)
        a, b = (found.normalised if found else None for found in (found_a, found_b))
        if vpn_only and not (_vpn_id(a) or _vpn_id(b)):
            continue
        path = f"assignments[{key}]"
        if found_a is None or found_b is None:
            out.append(PropertyChange(path, a, b, _assignment_text(a, names), _assignment_text(b, names)))
        elif found_a.text != found_b.text:
            out += [_property_change(c, names, prefix=path + ".")
                    for c in changes(found_a.raw, found_b.raw, ASSIGNMENT_IGNORE)]
    return out


# ---------------------------------------------------------------------------------------------------
# The comparisons


def _status(before: Any, after: Any, drifted: bool) -> str:
    if before is None:
        return "added"
    if after is None:
        return "removed"
    return "changed" if drifted else "unchanged"


def _without(raw: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in keys}


def _ordered(diffs: Iterable[ObjectDiff]) -> list[ObjectDiff]:
    return sorted(diffs, key=lambda d: (d.name.casefold(), d.id))


def profile_diffs(old: Tenant, new: Tenant, names: Names | None = None) -> list[ObjectDiff]:
    """Every Tunnel profile of either tenant: added, removed, changed (properties, assignments) or
    unchanged."""
    names = names or Names(old, new)
    before, after = old.profiles_by_id, new.profiles_by_id
    out = []
    for profile_id in before.keys() | after.keys():
        a, b = before.get(profile_id), after.get(profile_id)
        found: list[PropertyChange] = []
        if a is not None and b is not None and not _same(a.raw, b.raw):
            found += [_property_change(c, names) for c in changes(_without(a.raw, "assignments"),
                                                                  _without(b.raw, "assignments"))]
        found += _assignment_changes(a.raw.get("assignments") if a else None,
                                     b.raw.get("assignments") if b else None, names)
        note = ""
        if b is None and profile_id in new.configuration_ids:
            note = "still exists, but is no longer a Tunnel profile"
        elif a is None and profile_id in old.configuration_ids:
            note = "existed in the baseline, but was not a Tunnel profile"
        shown = b or a
        out.append(ObjectDiff(PROFILE, profile_id, shown.display_name, _status(a, b, bool(found)),  # type: ignore[union-attr]
                              tuple(found), note))
    return _ordered(out)


def _tunnel_app_roles(tenant: Tenant, config: MigrationConfig) -> dict[str, str]:
    roles: dict[str, str] = {}
    for platform in ("android", "ios"):
        for role, find in (("Defender app", defender_apps), ("standalone Tunnel app", standalone_apps)):
            roles.update((app.id, f"{role} ({platform})") for app in find(tenant, platform, config))
    return roles


def app_diffs(old: Tenant, new: Tenant, config: MigrationConfig, names: Names | None = None) -> list[ObjectDiff]:
    """The Defender and standalone apps' assignments, and every other app's assignments that carry a
    vpnConfigurationId (old or new): each app added, removed, changed or unchanged."""
    names = names or Names(old, new)
    roles = {**_tunnel_app_roles(old, config), **_tunnel_app_roles(new, config)}
    before, after = {a.id: a for a in old.apps}, {a.id: a for a in new.apps}
    linked = {a.id for t in (old, new) for a in t.apps if any(x.vpn_configuration_id for x in a.assignments)}
    out = []
    for app_id in roles.keys() | linked:
        a, b = before.get(app_id), after.get(app_id)
        vpn_only = app_id not in roles
        found = _assignment_changes(a.raw.get("assignments") if a else None,
                                    b.raw.get("assignments") if b else None, names, vpn_only=vpn_only)
        shown = b or a
        note = roles.get(app_id, "per-app VPN assignments only")
        out.append(ObjectDiff(APP, app_id, shown.display_name, _status(a, b, bool(found)), tuple(found), note))  # type: ignore[union-attr]
    return _ordered(out)


def gateway_diffs(old: Tenant, new: Tenant, names: Names | None = None) -> list[ObjectDiff]:
    """Tunnel sites and server configurations: added, removed, changed (properties; run-time state such
    as the servers and their health ignored) or unchanged."""
    names = names or Names(old, new)
    out = []
    # A site's embedded server configuration is compared by id (TUN-GW-03): ``settings``, not ``raw``.
    getters: tuple[tuple[str, Callable[[Tenant], Sequence[Any]], Callable[[Any], Mapping[str, Any]]], ...] = (
        (SITE, lambda t: t.sites, lambda o: o.settings),
        (CONFIGURATION, lambda t: t.tunnel_configurations, lambda o: o.raw))
    for kind, get, compared in getters:
        before, after = {o.id: o for o in get(old)}, {o.id: o for o in get(new)}
        for object_id in before.keys() | after.keys():
            a, b = before.get(object_id), after.get(object_id)
            found = [] if a is None or b is None else [
                _property_change(c, names) for c in changes(compared(a), compared(b))]
            shown = b if b is not None else before[object_id]
            out.append(ObjectDiff(kind, object_id, shown.display_name, _status(a, b, bool(found)), tuple(found)))
    return sorted(out, key=lambda d: (d.kind != SITE, d.name.casefold(), d.id))


def tenant_diff(old: Tenant, new: Tenant, config: MigrationConfig) -> TenantDiff:
    """What drifted from ``old`` to ``new``: Tunnel profiles, then apps, then sites and server
    configurations. Raises DataUnavailable when either tenant lacks a resource compared (a diff never
    says "no drift" about data it could not read)."""
    for tenant in (old, new):
        tenant.require(NEEDS)
    names = Names(old, new)
    found = [*profile_diffs(old, new, names), *app_diffs(old, new, config, names), *gateway_diffs(old, new, names)]
    return TenantDiff(old.info, new.info, tuple(d for d in found if d.drifted))
