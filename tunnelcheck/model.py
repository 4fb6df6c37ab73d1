"""The typed tenant model: immutable objects parsed once from raw Graph beta JSON.

This is the only module that knows Graph's JSON shapes. Checks see these objects and never a raw dict
(each object keeps its ``raw`` mapping for evidence and diffs). Wire values are enums whose values are
Graph's strings; a value Graph adds later is kept as an unknown member instead of crashing the parse.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

from .errors import MalformedData

__all__ = [
    "ALL",
    "AppAssignment",
    "AppKind",
    "AuditEvent",
    "ConnectionType",
    "Coverage",
    "CustomSettings",
    "DetectedApp",
    "DeviceConfiguration",
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
    "WireEnum",
]


class WireEnum(str, enum.Enum):
    """A Graph enum whose values are the wire strings; unknown wire values become pseudo-members."""

    @classmethod
    def _missing_(cls, value: object) -> WireEnum | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    @property
    def known(self) -> bool:
        return self._name_ != "UNKNOWN"

    def __str__(self) -> str:
        return self.value


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


VPN_TYPES: dict[str, ProfileKind] = {
    "#microsoft.graph.androidDeviceOwnerVpnConfiguration": ProfileKind.ANDROID_DEVICE_OWNER,
    "#microsoft.graph.androidWorkProfileVpnConfiguration": ProfileKind.ANDROID_WORK_PROFILE,
    "#microsoft.graph.iosVpnConfiguration": ProfileKind.IOS,
    "#microsoft.graph.iosikEv2VpnConfiguration": ProfileKind.IOS,
}
TUNNEL_CONNECTION_TYPES = (ConnectionType.MICROSOFT_TUNNEL, ConnectionType.MICROSOFT_PROTECT)


class TargetKind(WireEnum):
    GROUP = "#microsoft.graph.groupAssignmentTarget"
    EXCLUSION_GROUP = "#microsoft.graph.exclusionGroupAssignmentTarget"
    ALL_DEVICES = "#microsoft.graph.allDevicesAssignmentTarget"
    ALL_USERS = "#microsoft.graph.allLicensedUsersAssignmentTarget"
    CONFIGURATION_MANAGER = "#microsoft.graph.configurationManagerCollectionAssignmentTarget"


#: The coverage key shared by "all devices" and "all licensed users" (CHECKS.md: ALL).
ALL = "ALL"


@dataclass(frozen=True)
class Target:
    """One assignment target."""

    kind: TargetKind
    group_id: str | None = None

    @property
    def is_exclusion(self) -> bool:
        return self.kind is TargetKind.EXCLUSION_GROUP

    @property
    def is_include(self) -> bool:
        # A target type Graph adds later may well include devices: it counts as assigned (so cleanup
        # checks fail rather than pass), and its own key means nothing but itself covers it.
        return self.kind in (TargetKind.GROUP, TargetKind.ALL_DEVICES, TargetKind.ALL_USERS) or not self.kind.known

    @property
    def key(self) -> str:
        """What coverage compares: the group id, or ALL for both all-devices and all-users."""
        if self.kind in (TargetKind.ALL_DEVICES, TargetKind.ALL_USERS):
            return ALL
        return self.group_id or f"?{self.kind.value}"

    def describe(self, group_names: Mapping[str, str] | None = None) -> str:
        if self.kind is TargetKind.ALL_DEVICES:
            return "all devices"
        if self.kind is TargetKind.ALL_USERS:
            return "all licensed users"
        if self.group_id is None:
            return f"target {self.kind.value}"
        name = (group_names or {}).get(self.group_id)
        label = f"group {name} ({self.group_id})" if name else f"group {self.group_id}"
        return f"excluded {label}" if self.is_exclusion else label


@dataclass(frozen=True)
class Coverage:
    """Include targets with exclusions; ``covers`` is the CHECKS.md "covers" relation."""

    includes: frozenset[str] = frozenset()
    excludes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, targets: Iterable[Target], exclusions: Iterable[Target] = ()) -> Coverage:
        targets = list(targets)
        return cls(
            includes=frozenset(t.key for t in targets if t.is_include),
            excludes=frozenset(t.key for t in [*targets, *exclusions] if t.is_exclusion),
        )

    def covers(self, target: Target) -> bool:
        # Exclusions are groups, so ALL is covered only by ALL.
        key = target.key
        return key not in self.excludes and (key in self.includes or ALL in self.includes)


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


@dataclass(frozen=True)
class CustomSettings:
    """``customData[]`` (key/value) and ``customKeyValueData[]`` (name/value) merged: keys compared
    case-insensitively, values trimmed. A key given two different values is recorded as a conflict."""

    values: Mapping[str, str] = field(default_factory=dict)
    conflicts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # lower-case key -> key as first written

    def get(self, key: str) -> str | None:
        return self.values.get(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self.values


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
    """A Microsoft Tunnel VPN profile (CHECKS.md "Tunnel profile"), standalone or Defender-based."""

    id: str
    display_name: str
    odata_type: str
    kind: ProfileKind
    connection_type: ConnectionType
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
    on_demand_rules: frozenset[str]  # each rule as canonical JSON
    status: StatusOverview | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def standalone(self) -> bool:
        return self.connection_type is ConnectionType.MICROSOFT_TUNNEL

    @property
    def defender(self) -> bool:
        return self.connection_type is ConnectionType.MICROSOFT_PROTECT

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
        """Offered assignments' include targets; exclusions of any intent exclude (CHECKS.md)."""
        return Coverage.of(
            (a.target for a in self.assignments if a.intent.offered),
            exclusions=(a.target for a in self.assignments),
        )

    @cached_property
    def uninstall_coverage(self) -> Coverage:
        return Coverage.of(a.target for a in self.assignments if a.intent is Intent.UNINSTALL)


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
    devices: tuple[ManagedDevice, ...] | None  # None: not recorded (only the Tunnel app's are collected)


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

    def str(self, key: str, required: bool = False) -> str | None:
        return self._get(key, str, required)

    def flag(self, key: str) -> bool:
        return bool(self._get(key, bool, False))

    def int(self, key: str) -> int | None:
        return self._get(key, int, False)

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

    def datetime(self, key: str) -> datetime | None:
        value = self.str(key)
        return None if value is None else parse_datetime(value, f"{self.place}.{key}")

    @property
    def id(self) -> str:
        return self.str("id", required=True)  # type: ignore[return-value]

    @property
    def name(self) -> str:
        return self.str("displayName") or ""

    @property
    def odata_type(self) -> str:
        return self.str("@odata.type") or ""


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


def _target(raw: _Raw) -> Target:
    target = raw.obj("target")
    if target is None:
        raise MalformedData(f"{raw.place}.target", "missing")
    if not target.odata_type:
        raise MalformedData(f"{target.place}.@odata.type", "missing")
    kind = TargetKind(target.odata_type)
    group_id = target.str("groupId")
    if kind in (TargetKind.GROUP, TargetKind.EXCLUSION_GROUP) and not group_id:
        raise MalformedData(f"{target.place}.groupId", "missing")
    return Target(kind, group_id)


def _custom_settings(raw: _Raw) -> CustomSettings:
    values: dict[str, str] = {}
    names: dict[str, str] = {}
    conflicts: dict[str, set[str]] = {}
    entries = [(e.str("key"), e) for e in raw.objs("customData")]
    entries += [(e.str("name"), e) for e in raw.objs("customKeyValueData")]
    for key, entry in entries:
        if not key:
            continue
        value = (entry.str("value") or "").strip()
        lower = key.strip().lower()
        if lower in values and values[lower] != value:
            conflicts.setdefault(lower, {values[lower]}).add(value)
        values.setdefault(lower, value)
        names.setdefault(lower, key.strip())
    return CustomSettings(values, {k: tuple(sorted(v)) for k, v in conflicts.items()}, names)


def _status(raw: _Raw) -> StatusOverview | None:
    overview = raw.obj("deviceStatusOverview")
    if overview is None:
        return None
    return StatusOverview(
        success=overview.int("successCount") or 0,
        pending=overview.int("pendingCount") or 0,
        error=overview.int("errorCount") or 0,
        failed=overview.int("failedCount") or 0,
        conflict=overview.int("conflictCount") or 0,
        not_applicable=overview.int("notApplicableCount") or 0,
    )


def _tunnel_profile(raw: _Raw, kind: ProfileKind, connection_type: ConnectionType) -> TunnelProfile:
    proxy = raw.obj("proxyServer")
    per_app = set(raw.strs("targetedPackageIds"))
    per_app.update(app.str("appId") or "" for app in raw.objs("targetedMobileApps"))
    per_app.discard("")
    return TunnelProfile(
        id=raw.id,
        display_name=raw.name,
        odata_type=raw.odata_type,
        kind=kind,
        connection_type=connection_type,
        # An assignment with intent "remove" takes the profile away from its target: it neither assigns
        # nor covers (beta deviceConfigurationAssignment.intent: apply | remove).
        targets=tuple(_target(a) for a in raw.objs("assignments", required=True) if a.str("intent") != "remove"),
        created=raw.datetime("createdDateTime"),
        site_id=raw.str("microsoftTunnelSiteId") or None,
        custom=_custom_settings(raw),
        always_on=raw.flag("alwaysOn"),
        always_on_lockdown=raw.flag("alwaysOnLockdown"),
        proxy=Proxy(
            address=(proxy.str("address") or None) if proxy else None,
            port=proxy.int("port") if proxy else None,
            script_url=(proxy.str("automaticConfigurationScriptUrl") or None) if proxy else None,
        ),
        per_app=frozenset(per_app),
        associated_domains=raw.strs("associatedDomains"),
        excluded_domains=raw.strs("excludedDomains"),
        safari_domains=raw.strs("safariDomains"),
        on_demand_rules=frozenset(canonical_json(rule.data) for rule in raw.objs("onDemandRules")),
        status=_status(raw),
        raw=raw.data,
    )


def is_tunnel_profile(raw: Mapping[str, Any]) -> bool:
    """A Tunnel VPN profile (CHECKS.md "Tunnel profile"), by ``@odata.type`` and ``connectionType``; decided
    on the client, since ``isof`` on this collection is undocumented (graph-facts §1)."""
    odata_type, connection = raw.get("@odata.type"), raw.get("connectionType")
    return (isinstance(odata_type, str) and odata_type in VPN_TYPES
            and isinstance(connection, str) and connection in {c.value for c in TUNNEL_CONNECTION_TYPES})


def parse_device_configurations(
    items: list[Any], place: str
) -> tuple[tuple[DeviceConfiguration, ...], tuple[TunnelProfile, ...]]:
    """Every configuration (by id and name), and the Tunnel profiles among them fully parsed."""
    configurations: list[DeviceConfiguration] = []
    profiles: list[TunnelProfile] = []
    for raw in _items(items, place):
        configurations.append(DeviceConfiguration(raw.id, raw.name, raw.odata_type))
        raw.str("connectionType")  # a wrong type must not make a Tunnel profile look like something else
        if is_tunnel_profile(raw.data):
            profiles.append(_tunnel_profile(raw, VPN_TYPES[raw.odata_type], ConnectionType(raw.data["connectionType"])))
        else:
            raw.objs("assignments")  # not needed, but a wrong shape still means a damaged document
    return tuple(configurations), tuple(profiles)


def parse_mobile_apps(items: list[Any], place: str) -> tuple[MobileApp, ...]:
    apps = []
    for raw in _items(items, place):
        kind = AppKind(raw.odata_type)
        if not kind.known:  # Windows, macOS, web links…: nothing the migration touches
            continue
        keys = ("packageId", "appIdentifier") if kind is AppKind.ANDROID_MANAGED_STORE else ("bundleId",)
        identifiers = frozenset(v for v in (raw.str(k) for k in keys) if v)
        assignments = []
        for a in raw.objs("assignments", required=True):
            settings = a.obj("settings")
            intent = a.str("intent", required=True)
            assignments.append(AppAssignment(
                id=a.str("id") or "",
                intent=Intent(intent),
                target=_target(a),
                vpn_configuration_id=(settings.str("vpnConfigurationId") or None) if settings else None,
            ))
        apps.append(MobileApp(raw.id, raw.name, kind, identifiers, tuple(assignments), raw.data))
    return tuple(apps)


def parse_groups(items: list[Any], place: str) -> tuple[Group, ...]:
    return tuple(Group(raw.id, raw.name) for raw in _items(items, place))


def parse_tunnel_sites(items: list[Any], place: str) -> tuple[TunnelSite, ...]:
    sites = []
    for raw in _items(items, place):
        configuration = raw.obj("microsoftTunnelConfiguration")
        servers = tuple(
            TunnelServer(s.id, s.name, HealthStatus(s.str("tunnelServerHealthStatus") or "unknown"), s.data)
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
    return ManagedDevice(raw.id, raw.str("deviceName") or "", raw.str("operatingSystem") or "",
                         raw.str("userPrincipalName"))


def parse_managed_devices(items: list[Any], place: str) -> tuple[ManagedDevice, ...]:
    return tuple(_device(raw) for raw in _items(items, place))


def parse_detected_apps(items: list[Any], place: str) -> tuple[DetectedApp, ...]:
    return tuple(
        DetectedApp(raw.id, raw.name, raw.int("deviceCount") or 0, raw.str("platform"),
                    tuple(_device(d) for d in raw.objs("managedDevices")) if raw.data.get("managedDevices") is not None else None)
        for raw in _items(items, place)
    )


def parse_audit_events(items: list[Any], place: str) -> tuple[AuditEvent, ...]:
    return tuple(
        AuditEvent(raw.id, raw.str("activityType") or "", raw.datetime("activityDateTime"),
                   frozenset(r.str("resourceId") or "" for r in raw.objs("resources")) - {""})
        for raw in _items(items, place)
    )
