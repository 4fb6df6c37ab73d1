"""The typed tenant model: immutable objects parsed once from raw Graph beta JSON.

This is the only module that knows Graph's JSON shapes. Checks see these objects and never a raw dict
(each object keeps its ``raw`` mapping for evidence and diffs). Wire values are enums whose values are
Graph's strings, matched case-insensitively; a value Graph adds later is kept as an unknown member instead
of crashing the parse. ``@odata.type`` values (objects, targets, settings) match case-insensitively with
or without the leading ``#`` (Graph's responses write it, its documentation and export tools do not).

Classification never guesses (docs/terms.md). An object whose class a verdict depends on, but whose
deciding property cannot be read, is kept as :class:`Unclassified`, and the tenant raises it to every
check that asks for the classified collection (:class:`tunnelcheck.errors.Unclassifiable`): it is never
read as "not a Tunnel profile" or "not the Tunnel app". The properties each decision needs:

========================================  =================================  ==============================
decision                                  needs                              without it
========================================  =================================  ==============================
is a configuration a Tunnel profile?      ``@odata.type``                    every profile check errors
… of a VPN type: which client?            ``connectionType`` (a string)      that platform's checks error
is an app the Defender / standalone app?  ``@odata.type``                    every app check errors
… of an Android / iOS app kind            ``packageId``/``appIdentifier``;   that platform's app lookups
                                          ``bundleId``                       error
is a detected app the Tunnel app?         ``displayName`` (when it lists     TUN-DEV-01 errors
                                          devices or counts any)
whom does an assignment target?           ``target.@odata.type`` (and        the resource is malformed
                                          ``groupId`` for group targets)
========================================  =================================  ==============================
"""

from __future__ import annotations

import enum
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Any, Generic, TypeVar, cast

from ..errors import MalformedData

T = TypeVar("T")

__all__ = [
    "ALL",
    "BOOLEAN_SETTINGS",
    "AppAssignment",
    "AppKind",
    "AuditEvent",
    "Classified",
    "Client",
    "ConnectionType",
    "Coverage",
    "CustomSettings",
    "DetectedApp",
    "DeviceConfiguration",
    "DeviceConfigurations",
    "Group",
    "Intent",
    "ManagedDevice",
    "MobileApp",
    "ProfileKind",
    "Proxy",
    "StatusOverview",
    "Target",
    "TargetKind",
    "TunnelConfiguration",
    "TunnelProfile",
    "TunnelServer",
    "TunnelSite",
    "Unclassified",
    "WireEnum",
    "canonical_type",
    "detected_name_key",
    "type_key",
]


def detected_name_key(name: str) -> str:
    """How a detected app's ``displayName`` compares with the standalone app's names and ids (docs/terms.md,
    TUN-DEV-01): trimmed and in any case."""
    return name.strip().casefold()


def type_key(odata_type: str) -> str:
    """How ``@odata.type`` values compare (docs/terms.md "Types"): case-insensitively, with or without the
    leading ``#``."""
    return odata_type.removeprefix("#").casefold()


class WireEnum(str, enum.Enum):
    """A Graph enum whose values are the wire strings. A value matches a member case-insensitively (and,
    for types, with or without the leading ``#``); an unknown wire value becomes a pseudo-member."""

    @classmethod
    def _missing_(cls, value: object) -> WireEnum | None:
        if not isinstance(value, str):
            return None
        known = _wire_lookup(cls).get(type_key(value))
        if known is not None:
            return known
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    @property
    def known(self) -> bool:
        return self._name_ != "UNKNOWN"

    @property
    def key(self) -> str:
        """The value as compared: members and pseudo-members spelt differently compare by this."""
        return type_key(self.value)

    def __str__(self) -> str:
        return str(self.value)


@functools.cache
def _wire_lookup(cls: type[WireEnum]) -> dict[str, WireEnum]:
    return {type_key(member.value): member for member in cls}


class ConnectionType(WireEnum):
    """``connectionType`` of a VPN profile (the Android, work-profile and Apple enums share these)."""

    MICROSOFT_TUNNEL = "microsoftTunnel"  # UI "Microsoft Tunnel (standalone client)": the legacy app
    MICROSOFT_PROTECT = "microsoftProtect"  # UI "Microsoft Tunnel": Defender for Endpoint as the client
    CUSTOM_VPN = "customVpn"


class ProfileKind(enum.Enum):
    """The kind of a Tunnel profile, by its ``@odata.type``."""

    ANDROID_DEVICE_OWNER = "android-device-owner"
    ANDROID_WORK_PROFILE = "android-work-profile"
    IOS = "ios"

    @property
    def platform(self) -> str:
        return "ios" if self is ProfileKind.IOS else "android"

    def __str__(self) -> str:
        return self.value


#: The VPN configuration types that can be Tunnel profiles, by :func:`type_key`.
VPN_TYPES: dict[str, ProfileKind] = {
    "microsoft.graph.androiddeviceownervpnconfiguration": ProfileKind.ANDROID_DEVICE_OWNER,
    "microsoft.graph.androidworkprofilevpnconfiguration": ProfileKind.ANDROID_WORK_PROFILE,
    "microsoft.graph.iosvpnconfiguration": ProfileKind.IOS,
    "microsoft.graph.iosikev2vpnconfiguration": ProfileKind.IOS,
}
TUNNEL_CONNECTION_TYPES = (ConnectionType.MICROSOFT_TUNNEL, ConnectionType.MICROSOFT_PROTECT)


def canonical_type(odata_type: str) -> str:
    """``@odata.type`` as Graph writes it: with the ``#`` and, for the types tunnelcheck knows, in Graph's
    case; how diffs show a type written either way (docs/terms.md "Types")."""
    return _KNOWN_TYPES.get(type_key(odata_type), "#" + odata_type.removeprefix("#"))


class Client(enum.Enum):
    """Which Tunnel client a Tunnel profile configures (docs/terms.md "Tunnel profile")."""

    STANDALONE = "standalone"  # the retired Microsoft Tunnel app
    DEFENDER = "defender"  # Microsoft Defender for Endpoint

    def __str__(self) -> str:
        return self.value


#: iOS ``microsoftTunnel`` profiles with this custom setting = ``1`` configure the Defender client (how
#: Microsoft's Tunnel test environment creates them).
PROTECT_MODE = "MSTunnelProtectMode"


class TargetKind(WireEnum):
    GROUP = "#microsoft.graph.groupAssignmentTarget"
    EXCLUSION_GROUP = "#microsoft.graph.exclusionGroupAssignmentTarget"
    ALL_DEVICES = "#microsoft.graph.allDevicesAssignmentTarget"
    ALL_USERS = "#microsoft.graph.allLicensedUsersAssignmentTarget"
    # Not a type tunnelcheck understands: an include target of its own, like any unknown type.
    CONFIGURATION_MANAGER = "#microsoft.graph.configurationManagerCollectionAssignmentTarget"


_VPN_TYPE_NAMES = ("androidDeviceOwnerVpnConfiguration", "androidWorkProfileVpnConfiguration",
                   "iosVpnConfiguration", "iosikEv2VpnConfiguration")

#: The coverage key shared by "all devices" and "all licensed users" (docs/terms.md: ALL).
ALL = "ALL"

_UNDERSTOOD = (TargetKind.GROUP, TargetKind.EXCLUSION_GROUP, TargetKind.ALL_DEVICES, TargetKind.ALL_USERS)


@dataclass(frozen=True, eq=False)
class Target:
    """One assignment target. A type tunnelcheck does not understand fails closed both ways: one named
    like an exclusion excludes every target of its list (``excludes_all``); any other is an include target
    that only an identical target (same type, same ``properties``) covers."""

    kind: TargetKind
    group_id: str | None = None
    properties: str = ""  # an unknown type's properties (canonical JSON): what makes two of them identical

    @property
    def understood(self) -> bool:
        return self.kind in _UNDERSTOOD

    @property
    def is_exclusion(self) -> bool:
        return self.kind is TargetKind.EXCLUSION_GROUP

    @property
    def excludes_all(self) -> bool:
        return not self.understood and "exclusion" in self.kind.key

    @property
    def is_include(self) -> bool:
        return self.kind in (TargetKind.GROUP, TargetKind.ALL_DEVICES, TargetKind.ALL_USERS) or (
            not self.understood and not self.excludes_all)

    @property
    def key(self) -> str:
        """What coverage compares: the group id, ALL for both all-devices and all-users, or an unknown
        type with its properties."""
        if self.kind in (TargetKind.ALL_DEVICES, TargetKind.ALL_USERS):
            return ALL
        if self.understood:
            return self.group_id or ""
        return f"?{self.kind.key}{self.properties}"

    @property
    def type_name(self) -> str:
        return self.kind.value.removeprefix("#").removeprefix("microsoft.graph.")

    def _identity(self) -> tuple[str, str | None, str]:
        return (self.kind.key, self.group_id, self.properties)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Target) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def describe(self, group_names: Mapping[str, str] | None = None) -> str:
        if self.kind is TargetKind.ALL_DEVICES:
            return "all devices"
        if self.kind is TargetKind.ALL_USERS:
            return "all licensed users"
        if not self.understood:
            role = "unknown exclusion type" if self.excludes_all else "unknown target type"
            return f"{role} {self.type_name} {self.properties}".rstrip()
        name = (group_names or {}).get(self.group_id or "")
        label = f"group {name} ({self.group_id})" if name else f"group {self.group_id}"
        return f"excluded {label}" if self.is_exclusion else label


@dataclass(frozen=True)
class Coverage:
    """Include targets with exclusions; ``covers`` is the docs/terms.md "covers" relation."""

    includes: frozenset[str] = frozenset()
    excludes: frozenset[str] = frozenset()
    excluded_by: tuple[str, ...] = ()  # unknown exclusion-like types in the list: nothing is covered

    @classmethod
    def of(cls, targets: Iterable[Target], exclusions: Iterable[Target] = ()) -> Coverage:
        targets = list(targets)
        excluding = [*targets, *exclusions]
        return cls(
            includes=frozenset(t.key for t in targets if t.is_include),
            excludes=frozenset(t.key for t in excluding if t.is_exclusion),
            excluded_by=tuple(sorted({t.type_name for t in excluding if t.excludes_all})),
        )

    def covers(self, target: Target) -> bool:
        # Exclusions are groups, so ALL is covered only by ALL.
        return not self.excluded_by and target.key not in self.excludes and self.includes_target(target)

    def includes_target(self, target: Target) -> bool:
        """Whether the include targets reach ``target``, before exclusions. Whom a target of an unknown
        type reaches is unknown, so only an identical target includes it, never ALL."""
        return target.key in self.includes or (ALL in self.includes and target.understood)

    def why_not(self, target: Target) -> str:
        """Why ``target`` is not covered, for evidence ("" when it is)."""
        if self.covers(target):
            return ""
        if not self.includes_target(target):
            return "not included"
        if self.excluded_by:
            return f"every target excluded by unknown target type {', '.join(self.excluded_by)}"
        return "excluded"


class Intent(WireEnum):
    REQUIRED = "required"
    AVAILABLE = "available"
    AVAILABLE_WITHOUT_ENROLLMENT = "availableWithoutEnrollment"
    UNINSTALL = "uninstall"

    @property
    def offered(self) -> bool:
        return self in (Intent.REQUIRED, Intent.AVAILABLE, Intent.AVAILABLE_WITHOUT_ENROLLMENT)


class AppKind(WireEnum):
    ANDROID_MANAGED_STORE = "#microsoft.graph.androidManagedStoreApp"
    IOS_STORE = "#microsoft.graph.iosStoreApp"
    IOS_VPP = "#microsoft.graph.iosVppApp"
    IOS_LOB = "#microsoft.graph.iosLobApp"

    @property
    def platform(self) -> str:
        return "android" if self is AppKind.ANDROID_MANAGED_STORE else "ios"


_KNOWN_TYPES: dict[str, str] = {
    type_key(name): name for name in (
        *(f"#microsoft.graph.{n}" for n in _VPN_TYPE_NAMES), *(k.value for k in TargetKind), *(k.value for k in AppKind))
}


class HealthStatus(WireEnum):
    UNKNOWN_STATUS = "unknown"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    WARNING = "warning"
    OFFLINE = "offline"
    UPGRADE_IN_PROGRESS = "upgradeInProgress"
    UPGRADE_FAILED = "upgradeFailed"


# ---------------------------------------------------------------------------------------------------
# Model objects


#: Custom settings whose values are booleans: values that differ only in case are the same value.
BOOLEAN_SETTINGS = frozenset({"tunnelonly", "webprotection", "autoonboard", "mstunnelprotectmode"})


@dataclass(frozen=True)
class CustomSettings:
    """``customData[]`` (key/value) and ``customKeyValueData[]`` (name/value) merged (docs/terms.md
    "Custom settings"): keys compared case-insensitively, values trimmed, a ``null`` value absent. A key
    written with surrounding whitespace is not the setting (the client may not read it): it is kept apart in
    ``padded``. A key given two different values is a conflict. Checks ask :meth:`problems` for each key
    they read, so keys no check reads never fail anything."""

    values: Mapping[str, str] = field(default_factory=dict)  # lower-case key -> first value
    conflicts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # lower-case key -> key as first written
    padded: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # lower-case key -> keys as written

    def get(self, key: str) -> str | None:
        return self.values.get(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self.values

    def problems(self, key: str) -> list[tuple[str, tuple[str, ...]]]:
        """Why the setting ``key`` cannot be trusted as read, each with what shows it: the keys written
        with surrounding whitespace, or the conflicting values. Empty when it can be trusted."""
        lower = key.lower()
        found = []
        if lower in self.padded:
            found.append(("key has surrounding whitespace", tuple(repr(k) for k in self.padded[lower])))
        if lower in self.conflicts:
            found.append(("conflicting custom setting", self.conflicts[lower]))
        return found


@dataclass(frozen=True)
class Proxy:
    address: str | None
    port: int | None
    script_url: str | None


@dataclass(frozen=True)
class StatusOverview:
    success: int
    pending: int
    error: int
    failed: int
    conflict: int
    not_applicable: int


@dataclass(frozen=True)
class DeviceConfiguration:
    """Any device configuration: tunnelcheck only needs to know it exists (and its name)."""

    id: str
    display_name: str
    odata_type: str


@dataclass(frozen=True)
class TunnelProfile:
    """A Microsoft Tunnel VPN profile (docs/terms.md "Tunnel profile"), standalone or Defender-based."""

    id: str
    display_name: str
    odata_type: str
    kind: ProfileKind
    connection_type: ConnectionType
    client: Client
    client_note: str  # how the client was told apart, for evidence ("" when connectionType alone decides)
    targets: tuple[Target, ...]
    created: datetime | None
    site_id: str | None
    custom: CustomSettings
    always_on: bool
    always_on_lockdown: bool
    proxy: Proxy
    per_app: frozenset[str]  # Android: targetedPackageIds ∪ targetedMobileApps[].appId
    associated_domains: frozenset[str]
    excluded_domains: frozenset[str]
    safari_domains: frozenset[str]
    on_demand_rules: frozenset[str]  # each rule as :func:`on_demand_rule_key`
    enable_per_app: bool
    provider_type: str | None  # absent, null and notConfigured are None
    status: StatusOverview | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def standalone(self) -> bool:
        return self.client is Client.STANDALONE

    @property
    def defender(self) -> bool:
        return self.client is Client.DEFENDER

    @property
    def platform(self) -> str:
        return self.kind.platform

    # Derived once per object (cached in the instance): checks ask for them per target.
    @cached_property
    def includes(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.is_include)

    @property
    def assigned(self) -> bool:
        return bool(self.includes)

    @cached_property
    def coverage(self) -> Coverage:
        return Coverage.of(self.targets)


@dataclass(frozen=True)
class AppAssignment:
    id: str
    intent: Intent
    target: Target
    vpn_configuration_id: str | None


@dataclass(frozen=True)
class MobileApp:
    """A managed Google Play app or an iOS store, VPP or line-of-business app."""

    id: str
    display_name: str
    kind: AppKind
    identifiers: frozenset[str]  # Android packageId and appIdentifier; iOS bundleId
    assignments: tuple[AppAssignment, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def platform(self) -> str:
        return self.kind.platform

    @cached_property
    def offered_coverage(self) -> Coverage:
        """Offered assignments' include targets; exclusions of any intent exclude (docs/terms.md)."""
        return Coverage.of(
            (a.target for a in self.assignments if a.intent.offered),
            exclusions=(a.target for a in self.assignments),
        )

    @cached_property
    def uninstall_coverage(self) -> Coverage:
        """Uninstall assignments' targets; an unknown exclusion type anywhere in the list excludes all."""
        return Coverage.of((a.target for a in self.assignments if a.intent is Intent.UNINSTALL),
                           exclusions=(a.target for a in self.assignments if a.target.excludes_all))


@dataclass(frozen=True)
class Group:
    id: str
    display_name: str


@dataclass(frozen=True)
class TunnelServer:
    id: str
    display_name: str
    health: HealthStatus
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class TunnelSite:
    id: str
    display_name: str
    configuration_id: str | None
    servers: tuple[TunnelServer, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def settings(self) -> Mapping[str, Any]:
        """The site as compared with another version of it: its server configuration by ``id`` alone,
        whether embedded whole (as ``$expand`` does) or as ``{id}`` (TUN-GW-03)."""
        if "microsoftTunnelConfiguration" not in self.raw:
            return self.raw
        embedded = {"id": self.configuration_id} if self.configuration_id else None
        return {**self.raw, "microsoftTunnelConfiguration": embedded}


@dataclass(frozen=True)
class TunnelConfiguration:
    id: str
    display_name: str
    disable_udp: bool
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class ManagedDevice:
    id: str
    device_name: str
    operating_system: str
    user_principal_name: str | None


@dataclass(frozen=True)
class DetectedApp:
    id: str
    display_name: str
    device_count: int
    platform: str | None
    devices: tuple[ManagedDevice, ...] | None  # None: not recorded (only the standalone app's are collected)


@dataclass(frozen=True)
class Unclassified:
    """An object a verdict needs to classify whose deciding property cannot be read (see the module
    docstring). ``platform`` narrows which checks it blocks (None: every check of the collection)."""

    object_type: str
    object_id: str
    name: str
    property: str
    problem: str  # e.g. "is missing", "is null"
    decides: str  # what cannot be told without it
    platform: str | None = None

    def __str__(self) -> str:
        name = f" ({self.name!r})" if self.name and self.name != self.object_id else ""
        return (f"{self.object_type} {self.object_id}{name}: {self.property} {self.problem}, "
                f"so tunnelcheck cannot tell {self.decides}")


@dataclass(frozen=True)
class Classified(Generic[T]):
    """A parsed collection: the objects, and those that could not be classified."""

    items: tuple[T, ...]
    unclassified: tuple[Unclassified, ...] = ()

    def blocking(self, platform: str | None = None) -> tuple[Unclassified, ...]:
        """The unclassified objects that matter to a decision about ``platform`` (None: any)."""
        return tuple(u for u in self.unclassified
                     if platform is None or u.platform is None or u.platform == platform)


@dataclass(frozen=True)
class DeviceConfigurations:
    """Every configuration (by id and name), and the Tunnel profiles among them fully parsed."""

    configurations: tuple[DeviceConfiguration, ...]
    profiles: Classified[TunnelProfile]


@dataclass(frozen=True)
class AuditEvent:
    id: str
    activity_type: str
    activity_time: datetime | None
    resource_ids: frozenset[str]


# ---------------------------------------------------------------------------------------------------
# Parsing: one place turns raw JSON into the objects above. Every accessor knows where it is in the
# document, so a wrong type is reported as `place: expected …`.

_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_datetime(value: str, place: str) -> datetime:
    """Graph's ISO 8601 timestamps (trailing Z, up to 7 fractional digits) as aware datetimes."""
    text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedData(place, f"expected an ISO 8601 date-time, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_TYPE_NAMES = {str: "a string", bool: "a boolean", int: "an integer", list: "a list", dict: "an object"}


class _Raw:
    """A raw JSON object and its place in the document."""

    __slots__ = ("data", "place")

    def __init__(self, data: Any, place: str) -> None:
        if not isinstance(data, dict):
            raise MalformedData(place, f"expected an object, got {_json_type(data)}")
        self.data: dict[str, Any] = data
        self.place = place

    def _get(self, key: str, kind: type, required: bool) -> Any:
        value = self.data.get(key)
        if value is None:
            if required:
                raise MalformedData(f"{self.place}.{key}", "missing")
            return None
        # bool is an int in Python; JSON keeps them apart.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise MalformedData(f"{self.place}.{key}", f"expected {_TYPE_NAMES[kind]}, got {_json_type(value)}")
        return value

    def text(self, key: str, required: bool = False) -> str | None:
        return cast("str | None", self._get(key, str, required))

    def required_text(self, key: str) -> str:
        return cast(str, self._get(key, str, True))

    def flag(self, key: str) -> bool:
        return bool(self._get(key, bool, False))

    def integer(self, key: str) -> int | None:
        return cast("int | None", self._get(key, int, False))

    def obj(self, key: str) -> _Raw | None:
        value = self._get(key, dict, False)
        return None if value is None else _Raw(value, f"{self.place}.{key}")

    def objs(self, key: str, required: bool = False) -> list[_Raw]:
        items = self._get(key, list, required) or []
        return [_Raw(item, f"{self.place}.{key}[{i}]") for i, item in enumerate(items)]

    def strs(self, key: str) -> frozenset[str]:
        items = self._get(key, list, False) or []
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise MalformedData(f"{self.place}.{key}[{i}]", f"expected a string, got {_json_type(item)}")
        return frozenset(items)

    def timestamp(self, key: str) -> datetime | None:
        value = self.text(key)
        return None if value is None else parse_datetime(value, f"{self.place}.{key}")

    @property
    def id(self) -> str:
        return self.required_text("id")

    @property
    def name(self) -> str:
        return self.text("displayName") or ""

    @property
    def odata_type(self) -> str:
        return self.text("@odata.type") or ""


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    for kind, name in ((bool, "a boolean"), (str, "a string"), (int, "a number"), (float, "a number"),
                       (list, "a list"), (dict, "an object")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _items(raw: list[Any], place: str) -> Iterator[_Raw]:
    if not isinstance(raw, list):
        raise MalformedData(place, f"expected a list, got {_json_type(raw)}")
    for i, item in enumerate(raw):
        yield _Raw(item, f"{place}[{i}]")


#: A target's properties that never decide whom it reaches (assignment filters narrow devices at check-in).
_TARGET_BOOKKEEPING = frozenset({"@odata.type", "deviceAndAppManagementAssignmentFilterId",
                                 "deviceAndAppManagementAssignmentFilterType"})


def _target(raw: _Raw) -> Target:
    target = raw.obj("target")
    if target is None:
        raise MalformedData(f"{raw.place}.target", "missing")
    if not target.odata_type:
        raise MalformedData(f"{target.place}.@odata.type", "missing")
    kind = TargetKind(target.odata_type)
    if kind in (TargetKind.GROUP, TargetKind.EXCLUSION_GROUP):
        group_id = target.text("groupId")
        if not group_id:
            raise MalformedData(f"{target.place}.groupId", "missing")
        return Target(kind, group_id)
    if kind in _UNDERSTOOD:
        return Target(kind)
    properties = {k: v for k, v in target.data.items() if k not in _TARGET_BOOKKEEPING and v is not None}
    return Target(kind, properties=canonical_json(properties) if properties else "")


def _custom_settings(raw: _Raw) -> CustomSettings:
    values: dict[str, str] = {}
    names: dict[str, str] = {}
    padded: dict[str, list[str]] = {}
    conflicts: dict[str, set[str]] = {}
    entries = [(e.text("key"), e) for e in raw.objs("customData")]
    entries += [(e.text("name"), e) for e in raw.objs("customKeyValueData")]
    for key, entry in entries:
        value = entry.text("value")
        if not key or value is None:  # a null value counts as absent (Microsoft's tooling writes some)
            continue
        value = value.strip()
        lower = key.strip().lower()
        if key != key.strip():
            padded.setdefault(lower, []).append(key)
            continue
        if lower in values and _setting_value(lower, values[lower]) != _setting_value(lower, value):
            conflicts.setdefault(lower, {values[lower]}).add(value)
        values.setdefault(lower, value)
        names.setdefault(lower, key)
    return CustomSettings(values, {k: tuple(sorted(v)) for k, v in conflicts.items()}, names,
                          {k: tuple(v) for k, v in padded.items()})


def _setting_value(lower_key: str, value: str) -> str:
    return value.lower() if lower_key in BOOLEAN_SETTINGS else value


def _status(raw: _Raw) -> StatusOverview | None:
    overview = raw.obj("deviceStatusOverview")
    if overview is None:
        return None
    return StatusOverview(
        success=overview.integer("successCount") or 0,
        pending=overview.integer("pendingCount") or 0,
        error=overview.integer("errorCount") or 0,
        failed=overview.integer("failedCount") or 0,
        conflict=overview.integer("conflictCount") or 0,
        not_applicable=overview.integer("notApplicableCount") or 0,
    )


#: Values that mean "not set" in an on-demand rule or a provider type: Graph adds rule properties over
#: time, and writes an unset one as absent, null, [] or notConfigured depending on its age.
_UNSET: tuple[Any, ...] = (None, [], "notConfigured")


def on_demand_rule_key(rule: Mapping[str, Any]) -> str:
    """An iOS on-demand rule as compared (docs/terms.md, TUN-IOS-03): unset properties dropped, the match
    lists as sets, the type compared as a type."""
    kept: dict[str, Any] = {}
    for key, value in rule.items():
        if value in _UNSET:
            continue
        if key == "@odata.type" and isinstance(value, str):
            value = type_key(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = sorted(set(value))
        kept[key] = value
    return canonical_json(kept)


def _client(raw: _Raw, kind: ProfileKind, connection_type: ConnectionType,
            custom: CustomSettings) -> tuple[Client, str]:
    """The client a Tunnel profile configures, and for an iOS ``microsoftTunnel`` profile why."""
    if connection_type is ConnectionType.MICROSOFT_PROTECT:
        return Client.DEFENDER, ""
    if kind is not ProfileKind.IOS:
        return Client.STANDALONE, ""
    problems = custom.problems(PROTECT_MODE)
    if problems:
        why = "; ".join(f"{problem}: {', '.join(shown)}" for problem, shown in problems)
        return Client.STANDALONE, f"{PROTECT_MODE} is not read as set ({why})"
    mode = custom.get(PROTECT_MODE)
    if mode == "1":
        return Client.DEFENDER, f"connectionType microsoftTunnel with {PROTECT_MODE} = 1"
    if mode is not None:
        return Client.STANDALONE, f"{PROTECT_MODE} = {mode!r}, not 1"
    return Client.STANDALONE, ""


def _tunnel_profile(raw: _Raw, kind: ProfileKind, connection_type: ConnectionType) -> TunnelProfile:
    proxy = raw.obj("proxyServer")
    per_app = set(raw.strs("targetedPackageIds"))
    per_app.update(app.text("appId") or "" for app in raw.objs("targetedMobileApps"))
    per_app.discard("")
    custom = _custom_settings(raw)
    client, client_note = _client(raw, kind, connection_type, custom)
    provider_type = raw.text("providerType")
    return TunnelProfile(
        id=raw.id,
        display_name=raw.name,
        odata_type=raw.odata_type,
        kind=kind,
        connection_type=connection_type,
        client=client,
        client_note=client_note,
        # An assignment with intent "remove" takes the profile away from its target: it neither assigns
        # nor covers (beta deviceConfigurationAssignment.intent: apply | remove).
        targets=tuple(_target(a) for a in raw.objs("assignments", required=True)
                      if (a.text("intent") or "").casefold() != "remove"),
        created=raw.timestamp("createdDateTime"),
        site_id=raw.text("microsoftTunnelSiteId") or None,
        custom=custom,
        always_on=raw.flag("alwaysOn"),
        always_on_lockdown=raw.flag("alwaysOnLockdown"),
        proxy=Proxy(
            address=(proxy.text("address") or None) if proxy else None,
            port=proxy.integer("port") if proxy else None,
            script_url=(proxy.text("automaticConfigurationScriptUrl") or None) if proxy else None,
        ),
        per_app=frozenset(per_app),
        associated_domains=raw.strs("associatedDomains"),
        excluded_domains=raw.strs("excludedDomains"),
        safari_domains=raw.strs("safariDomains"),
        on_demand_rules=frozenset(on_demand_rule_key(rule.data) for rule in raw.objs("onDemandRules")),
        enable_per_app=raw.flag("enablePerApp"),
        provider_type=None if provider_type in _UNSET else provider_type,
        status=_status(raw),
        raw=raw.data,
    )


def tunnel_kind(raw: Mapping[str, Any]) -> ProfileKind | None:
    """The kind of a configuration whose ``@odata.type`` can be a Tunnel profile's, else None."""
    odata_type = raw.get("@odata.type")
    return VPN_TYPES.get(type_key(odata_type)) if isinstance(odata_type, str) else None


def is_tunnel_profile(raw: Mapping[str, Any]) -> bool:
    """A Tunnel VPN profile (docs/terms.md "Tunnel profile"), by ``@odata.type`` and ``connectionType``;
    decided on the client, since ``isof`` on this collection is undocumented."""
    connection = raw.get("connectionType")
    return (tunnel_kind(raw) is not None and isinstance(connection, str)
            and ConnectionType(connection) in TUNNEL_CONNECTION_TYPES)


def parse_device_configurations(items: list[Any], place: str) -> DeviceConfigurations:
    """Every configuration (by id and name), and the Tunnel profiles among them fully parsed. A
    configuration without a type, or of a VPN type without a connection type, is unclassified."""
    configurations: list[DeviceConfiguration] = []
    profiles: list[TunnelProfile] = []
    unclassified: list[Unclassified] = []
    for raw in _items(items, place):
        configurations.append(DeviceConfiguration(raw.id, raw.name, raw.odata_type))
        connection = raw.text("connectionType")  # a wrong type must not make a Tunnel profile look like another
        kind = tunnel_kind(raw.data)
        if not raw.odata_type:
            unclassified.append(Unclassified("configuration", raw.id, raw.name, "@odata.type",
                                             _absence(raw, "@odata.type"), "whether it is a Tunnel profile"))
        elif kind is not None and connection is None:
            problem = _absence(raw, "connectionType")
            if set(raw.data) <= _REDUCED_BY_0_1:
                problem += (" (only id, @odata.type and displayName were recorded, as tunnelcheck 0.1 recorded the "
                            "configurations it read as not Tunnel profiles: record the tenant again)")
            unclassified.append(Unclassified(
                "configuration", raw.id, raw.name, "connectionType", problem,
                f"whether this {kind} VPN profile uses the standalone or the Defender client", kind.platform))
        if kind is not None and connection is not None and ConnectionType(connection) in TUNNEL_CONNECTION_TYPES:
            profiles.append(_tunnel_profile(raw, kind, ConnectionType(connection)))
        else:
            raw.objs("assignments")  # not needed, but a wrong shape still means a damaged document
    return DeviceConfigurations(tuple(configurations), Classified(tuple(profiles), tuple(unclassified)))


#: What tunnelcheck 0.1 kept of a configuration it classified as not a Tunnel profile.
_REDUCED_BY_0_1 = frozenset({"id", "@odata.type", "displayName"})


def _absence(raw: _Raw, key: str) -> str:
    value = raw.data.get(key)
    return "is empty" if isinstance(value, str) else "is null" if key in raw.data else "is missing"


_APP_IDENTIFIERS = {AppKind.ANDROID_MANAGED_STORE: ("packageId", "appIdentifier")}


def parse_mobile_apps(items: list[Any], place: str) -> Classified[MobileApp]:
    """The apps the migration can touch (managed Google Play, iOS store, VPP, LOB). An app without a
    type, or of those kinds without its identifier, is unclassified."""
    apps = []
    unclassified: list[Unclassified] = []
    for raw in _items(items, place):
        if not raw.odata_type:
            unclassified.append(Unclassified("app", raw.id, raw.name, "@odata.type", _absence(raw, "@odata.type"),
                                             "whether it is the Defender or the standalone Tunnel app"))
            continue
        kind = AppKind(raw.odata_type)
        if not kind.known:  # Windows, macOS, web links…: nothing the migration touches
            continue
        keys = _APP_IDENTIFIERS.get(kind, ("bundleId",))
        identifiers = frozenset(v for v in (raw.text(k) for k in keys) if v)
        if not identifiers:
            unclassified.append(Unclassified(
                "app", raw.id, raw.name, " or ".join(keys), "is missing",
                f"whether this {kind.platform} app is the Defender or the standalone Tunnel app", kind.platform))
        assignments = []
        for a in raw.objs("assignments", required=True):
            settings = a.obj("settings")
            intent = a.required_text("intent")
            assignments.append(AppAssignment(
                id=a.text("id") or "",
                intent=Intent(intent),
                target=_target(a),
                vpn_configuration_id=(settings.text("vpnConfigurationId") or None) if settings else None,
            ))
        apps.append(MobileApp(raw.id, raw.name, kind, identifiers, tuple(assignments), raw.data))
    return Classified(tuple(apps), tuple(unclassified))


def parse_groups(items: list[Any], place: str) -> tuple[Group, ...]:
    return tuple(Group(raw.id, raw.name) for raw in _items(items, place))


def parse_tunnel_sites(items: list[Any], place: str) -> tuple[TunnelSite, ...]:
    sites = []
    for raw in _items(items, place):
        configuration = raw.obj("microsoftTunnelConfiguration")
        servers = tuple(
            TunnelServer(s.id, s.name, HealthStatus(s.text("tunnelServerHealthStatus") or "unknown"), s.data)
            for s in raw.objs("microsoftTunnelServers", required=True)
        )
        sites.append(TunnelSite(raw.id, raw.name, configuration.id if configuration else None, servers, raw.data))
    return tuple(sites)


def parse_tunnel_configurations(items: list[Any], place: str) -> tuple[TunnelConfiguration, ...]:
    return tuple(
        TunnelConfiguration(raw.id, raw.name, raw.flag("disableUdpConnections"), raw.data)
        for raw in _items(items, place)
    )


def _device(raw: _Raw) -> ManagedDevice:
    return ManagedDevice(raw.id, raw.text("deviceName") or "", raw.text("operatingSystem") or "",
                         raw.text("userPrincipalName"))


def parse_managed_devices(items: list[Any], place: str) -> tuple[ManagedDevice, ...]:
    return tuple(_device(raw) for raw in _items(items, place))


def parse_detected_apps(items: list[Any], place: str) -> Classified[DetectedApp]:
    """Detected apps with their devices where recorded. One without a name that lists or counts devices
    is unclassified: it may be the standalone Tunnel app."""
    apps = []
    unclassified = []
    for raw in _items(items, place):
        devices = tuple(_device(d) for d in raw.objs("managedDevices")) if raw.data.get("managedDevices") is not None else None
        app = DetectedApp(raw.id, raw.name.strip(), raw.integer("deviceCount") or 0, raw.text("platform"), devices)
        if not app.display_name and (app.device_count > 0 or app.devices):
            unclassified.append(Unclassified(
                "detected app", app.id, "", "displayName", _absence(raw, "displayName"),
                "whether the app on its devices "
                f"({app.device_count or len(app.devices or ())}) is the standalone Tunnel app"))
        apps.append(app)
    return Classified(tuple(apps), tuple(unclassified))


def parse_audit_events(items: list[Any], place: str) -> tuple[AuditEvent, ...]:
    return tuple(
        AuditEvent(raw.id, raw.text("activityType") or "", raw.timestamp("activityDateTime"),
                   frozenset(r.text("resourceId") or "" for r in raw.objs("resources")) - {""})
        for raw in _items(items, place)
    )
