"""Builders for raw Graph beta objects and small in-memory tenants: the one place tests build tenants.

Objects are shaped as Graph beta returns them (``@odata.type``, ``assignments`` embedded, as in
``tools/build_demo.py``), but hold only what a test needs, so a case reads as its rule::

    t = tenant(
        profiles=[android_profile("p1", connection=STANDALONE, targets=[group_target("g1")])],
        apps=[defender_app("android", required(group_target("g1")))],
    )

A resource not passed to :func:`tenant` was "not recorded": reading it raises ``DataUnavailable`` naming
the resource and its Graph permission, exactly as a snapshot without that key does. An empty list means
"recorded, none exist".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from tunnelcheck.errors import DataUnavailable
from tunnelcheck.resources import Resource
from tunnelcheck.tenant import SourceInfo, Tenant

__all__ = [
    "ANDROID_KINDS",
    "APP_KINDS",
    "DEFENDER",
    "DEFENDER_APP_ID",
    "STANDALONE",
    "STANDALONE_APP_ID",
    "InMemorySource",
    "all_devices",
    "all_users",
    "android_profile",
    "app",
    "assignment",
    "available",
    "available_without_enrollment",
    "configuration",
    "defender_app",
    "defender_profile",
    "exclusion",
    "group",
    "group_target",
    "ios_profile",
    "required",
    "standalone_app",
    "standalone_profile",
    "tenant",
    "uninstall",
]

G = "#microsoft.graph."

#: ``connectionType`` values: UI "Microsoft Tunnel (standalone client)" and UI "Microsoft Tunnel" (Defender).
STANDALONE = "microsoftTunnel"
DEFENDER = "microsoftProtect"

#: The default app identifiers of MigrationConfig, the same on both platforms (CHECKS.md "Defender app").
DEFENDER_APP_ID = "com.microsoft.scmx"
STANDALONE_APP_ID = "com.microsoft.tunnel"

#: Android profile kinds (tunnelcheck's ProfileKind values) to their ``@odata.type``.
ANDROID_KINDS = {
    "android-device-owner": G + "androidDeviceOwnerVpnConfiguration",
    "android-work-profile": G + "androidWorkProfileVpnConfiguration",
}

#: Short app kinds to their ``@odata.type``.
APP_KINDS = {
    "android": G + "androidManagedStoreApp",
    "ios-store": G + "iosStoreApp",
    "ios-vpp": G + "iosVppApp",
    "ios-lob": G + "iosLobApp",
}

CustomPairs = Mapping[str, str] | Iterable[tuple[str, str]]


# ---------------------------------------------------------------------------------------------------
# Assignment targets


def group_target(group_id: str) -> dict[str, Any]:
    """An include target: ``groupAssignmentTarget``."""
    return {"@odata.type": G + "groupAssignmentTarget", "groupId": group_id}


def exclusion(group_id: str) -> dict[str, Any]:
    """An exclude target: ``exclusionGroupAssignmentTarget`` (a subclass of the group target in Graph)."""
    return {"@odata.type": G + "exclusionGroupAssignmentTarget", "groupId": group_id}


def all_devices() -> dict[str, Any]:
    """The "all devices" include target (ALL in CHECKS.md)."""
    return {"@odata.type": G + "allDevicesAssignmentTarget"}


def all_users() -> dict[str, Any]:
    """The "all licensed users" include target (also ALL in CHECKS.md)."""
    return {"@odata.type": G + "allLicensedUsersAssignmentTarget"}


# ---------------------------------------------------------------------------------------------------
# Device configurations (VPN profiles)


def _pairs(custom: CustomPairs | None, key: str) -> list[dict[str, str]]:
    """Custom settings as Graph's list; a list of pairs allows the same key twice (conflict cases)."""
    items = custom.items() if isinstance(custom, Mapping) else (custom or ())
    return [{key: k, "value": v} for k, v in items]


def _configuration_assignments(profile_id: str, targets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": f"{profile_id}_{i}", "intent": "apply", "source": "direct", "target": t}
        for i, t in enumerate(targets)
    ]


def _vpn_profile(
    odata_type: str,
    profile_id: str,
    connection: str,
    targets: Iterable[dict[str, Any]],
    custom: CustomPairs | None,
    custom_kv: CustomPairs | None,
    name: str | None,
    extra: dict[str, Any],
) -> dict[str, Any]:
    return {
        "@odata.type": odata_type,
        "id": profile_id,
        "displayName": name or profile_id,
        "connectionType": connection,
        "customData": _pairs(custom, "key"),
        "customKeyValueData": _pairs(custom_kv, "name"),
        "assignments": _configuration_assignments(profile_id, targets),
        **extra,
    }


def android_profile(
    profile_id: str,
    *,
    kind: str = "android-device-owner",
    connection: str = STANDALONE,
    targets: Iterable[dict[str, Any]] = (),
    custom: CustomPairs | None = None,
    custom_kv: CustomPairs | None = None,
    name: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An Android Enterprise VPN profile.

    ``kind`` is ``android-device-owner`` or ``android-work-profile``; ``connection`` a ``connectionType``
    (:data:`STANDALONE`, :data:`DEFENDER`, or any other string); ``custom`` fills ``customData``
    (key/value) and ``custom_kv`` fills ``customKeyValueData`` (name/value), each a mapping or a list of
    pairs. ``extra`` adds raw properties (``targetedPackageIds=[...]``, ``alwaysOn=True``…)."""
    return _vpn_profile(ANDROID_KINDS[kind], profile_id, connection, targets, custom, custom_kv, name, extra)


def ios_profile(
    profile_id: str,
    *,
    connection: str = STANDALONE,
    targets: Iterable[dict[str, Any]] = (),
    custom: CustomPairs | None = None,
    custom_kv: CustomPairs | None = None,
    ikev2: bool = False,
    name: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An iOS/iPadOS VPN profile: ``iosVpnConfiguration``, or ``iosikEv2VpnConfiguration`` with ``ikev2``.
    Other arguments as :func:`android_profile` (``identifier="com.microsoft.scmx"`` in ``extra`` with
    ``connection="customVpn"`` makes MDE's own web-protection profile)."""
    odata_type = G + ("iosikEv2VpnConfiguration" if ikev2 else "iosVpnConfiguration")
    return _vpn_profile(odata_type, profile_id, connection, targets, custom, custom_kv, name, extra)


_SHORT_KINDS = {"android-device-owner": "do", "android-work-profile": "wp", "ios": "ios"}


def _tunnel_profile(
    connection: str,
    suffix: str,
    targets: tuple[dict[str, Any], ...],
    kind: str,
    profile_id: str | None,
    extra: dict[str, Any],
) -> dict[str, Any]:
    profile_id = profile_id or f"p-{_SHORT_KINDS[kind]}-{suffix}"
    if kind == "ios":
        return ios_profile(profile_id, connection=connection, targets=targets, **extra)
    return android_profile(profile_id, kind=kind, connection=connection, targets=targets, **extra)


def standalone_profile(
    *targets: dict[str, Any], kind: str = "android-device-owner", profile_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A standalone Tunnel profile of ``kind`` (``android-device-owner``, ``android-work-profile`` or
    ``ios``) assigned to ``targets``; id ``p-do-std``, ``p-wp-std`` or ``p-ios-std`` unless given. ``extra``
    goes to :func:`android_profile` / :func:`ios_profile` (``custom=``, ``ikev2=``…)."""
    return _tunnel_profile(STANDALONE, "std", targets, kind, profile_id, extra)


def defender_profile(
    *targets: dict[str, Any], kind: str = "android-device-owner", profile_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A Defender-based Tunnel profile, as :func:`standalone_profile`; id ``p-do-mde``, ``p-wp-mde`` or
    ``p-ios-mde`` unless given."""
    return _tunnel_profile(DEFENDER, "mde", targets, kind, profile_id, extra)


def configuration(
    config_id: str, odata_type: str = "windows10GeneralConfiguration", **extra: Any
) -> dict[str, Any]:
    """Any other device configuration (not a VPN profile): it exists, and that is all checks see."""
    return {
        "@odata.type": G + odata_type,
        "id": config_id,
        "displayName": config_id,
        "assignments": [],
        **extra,
    }


# ---------------------------------------------------------------------------------------------------
# Mobile apps


def assignment(
    intent: str, target: dict[str, Any], vpn: str | None = None, *, assignment_id: str | None = None
) -> dict[str, Any]:
    """A ``mobileAppAssignment``; ``vpn`` sets ``settings.vpnConfigurationId`` (iOS per-app VPN)."""
    settings = (
        None
        if vpn is None
        else {
            "@odata.type": G + "iosStoreAppAssignmentSettings",
            "vpnConfigurationId": vpn,
            "uninstallOnDeviceRemoval": False,
            "isRemovable": True,
        }
    )
    return {
        "id": assignment_id or "",
        "intent": intent,
        "source": "direct",
        "target": target,
        "settings": settings,
    }


def required(target: dict[str, Any], vpn: str | None = None) -> dict[str, Any]:
    """An app assignment with intent ``required``."""
    return assignment("required", target, vpn)


def available(target: dict[str, Any], vpn: str | None = None) -> dict[str, Any]:
    """An app assignment with intent ``available``."""
    return assignment("available", target, vpn)


def available_without_enrollment(target: dict[str, Any], vpn: str | None = None) -> dict[str, Any]:
    """An app assignment with intent ``availableWithoutEnrollment``."""
    return assignment("availableWithoutEnrollment", target, vpn)


def uninstall(target: dict[str, Any]) -> dict[str, Any]:
    """An app assignment with intent ``uninstall``."""
    return assignment("uninstall", target)


def app(
    app_id: str,
    kind: str = "android",
    identifier: str | None = None,
    *,
    assignments: Iterable[dict[str, Any]] = (),
    field: str | None = None,
    name: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A mobile app. ``kind`` is a key of :data:`APP_KINDS` or a full ``@odata.type``; ``identifier`` goes
    to ``field``: by default ``packageId`` for Android (``appIdentifier`` is the alternative) and
    ``bundleId`` for iOS. Assignment ids are filled in when left empty."""
    odata_type = APP_KINDS.get(kind, kind)
    if field is None:
        field = "packageId" if odata_type == APP_KINDS["android"] else "bundleId"
    items = [dict(a, id=a.get("id") or f"{app_id}_{i}") for i, a in enumerate(assignments)]
    return {
        "@odata.type": odata_type,
        "id": app_id,
        "displayName": name or app_id,
        **({field: identifier} if identifier is not None else {}),
        "assignments": items,
        **extra,
    }


def _platform_app(
    platform: str,
    identifier: str,
    app_id: str | None,
    kind: str | None,
    suffix: str,
    assignments: tuple[dict[str, Any], ...],
    field: str | None,
) -> dict[str, Any]:
    kind = kind or ("android" if platform == "android" else "ios-store")
    return app(app_id or f"app-{platform}-{suffix}", kind, identifier, assignments=assignments, field=field)


def defender_app(
    platform: str,
    *assignments: dict[str, Any],
    app_id: str | None = None,
    kind: str | None = None,
    identifier: str = DEFENDER_APP_ID,
    field: str | None = None,
) -> dict[str, Any]:
    """The Defender for Endpoint app of ``platform`` (``android`` or ``ios``; iOS defaults to a store app),
    with the default identifier; id ``app-<platform>-mde`` unless given."""
    return _platform_app(platform, identifier, app_id, kind, "mde", assignments, field)


def standalone_app(
    platform: str,
    *assignments: dict[str, Any],
    app_id: str | None = None,
    kind: str | None = None,
    identifier: str = STANDALONE_APP_ID,
    field: str | None = None,
) -> dict[str, Any]:
    """The standalone Microsoft Tunnel app of ``platform``; id ``app-<platform>-tunnel`` unless given."""
    return _platform_app(platform, identifier, app_id, kind, "tunnel", assignments, field)


def group(group_id: str, name: str | None = None) -> dict[str, Any]:
    """An Entra group (only its id and name matter)."""
    return {"id": group_id, "displayName": name or f"SG-{group_id}"}


# ---------------------------------------------------------------------------------------------------
# Tenants

#: ``tenant()`` keyword → the resource it records.
RESOURCE_ARGS: dict[str, Resource] = {
    "profiles": Resource.DEVICE_CONFIGURATIONS,
    "apps": Resource.MOBILE_APPS,
    "groups": Resource.GROUPS,
    "sites": Resource.TUNNEL_SITES,
    "tunnel_configurations": Resource.TUNNEL_CONFIGURATIONS,
    "managed_devices": Resource.MANAGED_DEVICES,
    "detected_apps": Resource.DETECTED_APPS,
    "audit_events": Resource.AUDIT_EVENTS,
}


class InMemorySource:
    """A :class:`tunnelcheck.tenant.Source` over raw objects held in memory. A resource absent from
    ``resources`` is not recorded; a resource mapped to a ``DataUnavailable`` (e.g. ``PermissionDenied``)
    fails with it. ``loads`` counts the calls, for tests of lazy loading."""

    def __init__(
        self, resources: Mapping[Resource, list[Any] | DataUnavailable], label: str = "test"
    ) -> None:
        self.resources = dict(resources)
        self.info = SourceInfo(label=label, kind="snapshot", location=f"<in-memory {label}>")
        self.loads = 0

    def load(self, resources: Collection[Resource]) -> dict[Resource, list[Any] | DataUnavailable]:
        self.loads += 1
        return {
            r: self.resources[r]
            if r in self.resources
            else DataUnavailable(
                r.value, f"not recorded in the in-memory tenant {self.info.label!r}", r.permission
            )
            for r in resources
        }


def tenant(
    profiles: list[Any] | DataUnavailable | None = None,
    apps: list[Any] | DataUnavailable | None = None,
    groups: list[Any] | DataUnavailable | None = None,
    *,
    label: str = "test",
    **resources: list[Any] | DataUnavailable | None,
) -> Tenant:
    """A :class:`Tenant` over an :class:`InMemorySource`.

    ``profiles`` are the device configurations (VPN profiles and any other), ``apps`` the mobile apps,
    ``groups`` the groups; further resources by keyword: ``sites``, ``tunnel_configurations``,
    ``managed_devices``, ``detected_apps``, ``audit_events``. ``None`` (the default) = not recorded."""
    unknown = set(resources) - set(RESOURCE_ARGS)
    if unknown:
        raise TypeError(f"tenant() got unknown resources {sorted(unknown)}; known: {sorted(RESOURCE_ARGS)}")
    given = {"profiles": profiles, "apps": apps, "groups": groups, **resources}
    return Tenant(
        InMemorySource(
            {RESOURCE_ARGS[name]: value for name, value in given.items() if value is not None}, label
        )
    )


# ---------------------------------------------------------------------------------------------------
# Gateway, devices, audit (issue 4)

__all__ += [
    "audit_event",
    "detected_app",
    "managed_device",
    "server",
    "site",
    "status_overview",
    "tunnel_configuration",
]


def server(
    server_id: str, health: str | None = "healthy", *, name: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A ``microsoftTunnelServer`` with ``tunnelServerHealthStatus`` = ``health`` (``None`` leaves it out)."""
    return {
        "id": server_id,
        "displayName": name or server_id,
        **({"tunnelServerHealthStatus": health} if health is not None else {}),
        "lastCheckinDateTime": "2026-11-26T06:59:00Z",
        "deploymentMode": "standaloneRootful",
        **extra,
    }


def site(
    site_id: str,
    *servers: dict[str, Any],
    configuration_id: str | None = "cfg-1",
    name: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A ``microsoftTunnelSite`` with its servers embedded under ``microsoftTunnelServers`` (as $expand
    returns them) and ``microsoftTunnelConfiguration`` naming ``configuration_id``."""
    return {
        "id": site_id,
        "displayName": name or site_id,
        "publicAddress": f"{site_id}.contoso.com",
        "upgradeAutomatically": True,
        "upgradeAvailable": False,
        "microsoftTunnelConfiguration": {"id": configuration_id} if configuration_id else None,
        "microsoftTunnelServers": list(servers),
        **extra,
    }


def tunnel_configuration(
    config_id: str = "cfg-1", *, disable_udp: bool | None = False, name: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A ``microsoftTunnelConfiguration`` (server configuration); ``disable_udp=None`` leaves
    ``disableUdpConnections`` out."""
    return {
        "id": config_id,
        "displayName": name or config_id,
        "network": "169.254.0.0/16",
        "dnsServers": ["10.0.0.4"],
        "listenPort": 443,
        "lastUpdateDateTime": "2026-09-01T10:00:00Z",
        **({"disableUdpConnections": disable_udp} if disable_udp is not None else {}),
        **extra,
    }


def managed_device(
    device_id: str, *, name: str | None = None, os: str = "Android", **extra: Any
) -> dict[str, Any]:
    """A ``managedDevice`` (as listed under a detected app)."""
    return {"id": device_id, "deviceName": name or device_id.upper(), "operatingSystem": os, **extra}


def detected_app(
    app_id: str,
    *devices: dict[str, Any],
    name: str = "Microsoft Tunnel",
    device_count: int | None = None,
    platform: str = "androidDeviceAdministrator",
    **extra: Any,
) -> dict[str, Any]:
    """A ``detectedApp`` with ``devices`` embedded under ``managedDevices``; ``deviceCount`` is the
    number of devices unless given."""
    return {
        "id": app_id,
        "displayName": name,
        "version": "1.2103.1",
        "platform": platform,
        "deviceCount": len(devices) if device_count is None else device_count,
        "managedDevices": list(devices),
        **extra,
    }


def audit_event(
    event_id: str, activity_type: str, when: str | None, *resource_ids: str, **extra: Any
) -> dict[str, Any]:
    """An Intune ``auditEvent`` at ``when`` (ISO 8601; ``None`` leaves ``activityDateTime`` out) about
    ``resource_ids``."""
    return {
        "id": event_id,
        "displayName": activity_type,
        "activityType": activity_type,
        **({"activityDateTime": when} if when is not None else {}),
        "activityResult": "Success",
        "actor": {"userPrincipalName": "admin@contoso.onmicrosoft.com", "type": "ItPro"},
        "resources": [
            {"resourceId": r, "displayName": r, "type": "resource", "modifiedProperties": []}
            for r in resource_ids
        ],
        **extra,
    }


def status_overview(
    success: int = 0,
    *,
    error: int = 0,
    failed: int = 0,
    conflict: int = 0,
    pending: int = 0,
    not_applicable: int = 0,
) -> dict[str, Any]:
    """A profile's ``deviceStatusOverview`` (pass as ``deviceStatusOverview=`` to a profile builder)."""
    return {
        "id": "overview",
        "successCount": success,
        "errorCount": error,
        "failedCount": failed,
        "conflictCount": conflict,
        "pendingCount": pending,
        "notApplicableCount": not_applicable,
        "lastUpdateDateTime": "2026-11-25T22:00:00Z",
        "configurationVersion": 1,
    }
