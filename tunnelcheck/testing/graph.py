"""Builders of raw Graph beta JSON: the objects tunnelcheck reads, shaped as Graph returns them.

Every builder returns a fresh ``dict`` in the **live form**, as Graph answers (``@odata.type`` written
``#microsoft.graph.…``), with related collections embedded as the snapshot holds them (``assignments``
of a profile or an app, the servers of a site, the devices of a detected app). :func:`documented`
turns any of them into the **documented form** (no ``#``, as Graph's documentation and export tools
write it) and :func:`live` back; tunnelcheck reads both the same (docs/terms.md "Types").

Two levels:

- :func:`graph_object` writes an object with its type, id and name, then exactly the properties it is
  given, in the order given (a recorded tenant, such as the demo or ``tunnelcheck synth``, says
  everything); the pieces Graph nests are built by :func:`group_target` and the other targets,
  :func:`configuration_assignments`, :func:`app_assignment`, :func:`custom_data`,
  :func:`status_overview`…
- The short builders say only what a rule reads and fill in the rest::

      standalone_profile(group_target("g1"))                    # Android fully managed, microsoftTunnel
      defender_profile(group_target("g1"), kind="ios")           # iOS, microsoftProtect
      defender_app("android", required(group_target("g1")))     # com.microsoft.scmx in managed Google Play
      app("crm", "ios-store", "com.contoso.crm", assignments=[required(group_target("g1"), vpn="p-ios-mde")])

The builders of objects take further properties as keywords (``alwaysOn=True``,
``targetedPackageIds=[...]``): one the builder writes itself is replaced where it stands, any other is
added after those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = [
    "APP_TYPES",
    "DEFENDER",
    "DEFENDER_APP_ID",
    "NO_FILTER",
    "STANDALONE",
    "STANDALONE_APP_ID",
    "VPN_TYPES",
    "CustomPairs",
    "Obj",
    "all_devices",
    "all_users",
    "android_profile",
    "any_target",
    "app",
    "app_assignment",
    "app_type",
    "audit_event",
    "available",
    "available_without_enrollment",
    "configuration",
    "configuration_assignments",
    "custom_data",
    "custom_key_value_data",
    "defender_app",
    "defender_profile",
    "detected_app",
    "device_reference",
    "documented",
    "exclusion",
    "graph_object",
    "graph_type",
    "group",
    "group_target",
    "ios_assignment_settings",
    "ios_profile",
    "live",
    "managed_device",
    "numbered",
    "protect_mode_profile",
    "required",
    "server",
    "site",
    "standalone_app",
    "standalone_profile",
    "status_overview",
    "store_properties",
    "tunnel_configuration",
    "uninstall",
]

#: A raw Graph object, as ``json.load`` gives it.
Obj = dict[str, Any]
#: Custom settings: a mapping, or a list of pairs (which may name a key twice, for conflict cases).
CustomPairs = Mapping[str, Any] | Iterable[tuple[str, Any]]

_PREFIX = "#microsoft.graph."

#: ``connectionType`` values: Intune's "Microsoft Tunnel (standalone client)" and "Microsoft Tunnel"
#: (the Defender client).
STANDALONE = "microsoftTunnel"
DEFENDER = "microsoftProtect"

#: The default app identifiers of ``migration.defender_app_ids`` / ``standalone_app_ids``, the same on
#: both platforms (docs/terms.md "The Defender app").
DEFENDER_APP_ID = "com.microsoft.scmx"
STANDALONE_APP_ID = "com.microsoft.tunnel"

#: ``deviceAndAppManagementAssignmentFilterType`` of a target no assignment filter narrows.
NO_FILTER = "none"


def graph_type(name: str) -> str:
    """The live ``@odata.type`` of ``name``: ``iosVpnConfiguration`` -> ``#microsoft.graph.iosVpnConfiguration``.
    A name already qualified (with or without ``#``) is returned as it is."""
    return name if name.startswith(("#", "microsoft.graph.")) else _PREFIX + name


#: Profile kinds (tunnelcheck's ``ProfileKind`` values, and ``ios-ikev2``) to their ``@odata.type``.
VPN_TYPES = {
    "android-device-owner": graph_type("androidDeviceOwnerVpnConfiguration"),
    "android-work-profile": graph_type("androidWorkProfileVpnConfiguration"),
    "ios": graph_type("iosVpnConfiguration"),
    "ios-ikev2": graph_type("iosikEv2VpnConfiguration"),
}

#: Short app kinds to their ``@odata.type``.
APP_TYPES = {
    "android": graph_type("androidManagedStoreApp"),
    "ios-store": graph_type("iosStoreApp"),
    "ios-vpp": graph_type("iosVppApp"),
    "ios-lob": graph_type("iosLobApp"),
}


def _short(odata_type: str) -> str:
    return odata_type.removeprefix("#").removeprefix("microsoft.graph.")


def app_type(kind: str) -> str:
    """The ``@odata.type`` of an app ``kind``: a key of :data:`APP_TYPES` or any Graph type name."""
    return APP_TYPES.get(kind) or graph_type(kind)


# ---------------------------------------------------------------------------------------------------
# The two forms


def _retyped(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, dict):
        return {k: change(v) if k == "@odata.type" and isinstance(v, str) else _retyped(v, change)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_retyped(v, change) for v in value]
    return value


def documented(value: Any) -> Any:
    """A deep copy of ``value`` in the documented form: every ``@odata.type``, at any depth, without its
    leading ``#`` (``microsoft.graph.iosVpnConfiguration``), as Graph's documentation and export tools
    write it."""
    return _retyped(value, lambda t: t.removeprefix("#"))


def live(value: Any) -> Any:
    """A deep copy of ``value`` in the live form: every ``@odata.type`` with its leading ``#``, as Graph
    answers."""
    return _retyped(value, lambda t: t if t.startswith("#") else "#" + t)


def graph_object(odata_type: str | None, object_id: str, name: str, /, **properties: Any) -> Obj:
    """An object with ``@odata.type`` (left out when ``None``; a short name is qualified by
    :func:`graph_type`), ``id`` and ``displayName``, then ``properties`` in the order given."""
    head: Obj = {} if odata_type is None else {"@odata.type": graph_type(odata_type)}
    return {**head, "id": object_id, "displayName": name, **properties}


# ---------------------------------------------------------------------------------------------------
# Assignment targets


def any_target(odata_type: str, *, filter_id: str | None = None, filter_type: str | None = None,
               **properties: Any) -> Obj:
    """A target of any type (``configurationManagerCollectionAssignmentTarget``, a type Graph adds
    later…) with its ``properties``. With ``filter_type`` (or ``filter_id``) the assignment filter's two
    properties follow, as Graph answers them: :data:`NO_FILTER` and ``None`` when no filter narrows the
    target."""
    target: Obj = {"@odata.type": graph_type(odata_type), **properties}
    if filter_type is not None or filter_id is not None:
        target["deviceAndAppManagementAssignmentFilterId"] = filter_id
        target["deviceAndAppManagementAssignmentFilterType"] = filter_type or "include"
    return target


def group_target(group_id: str, *, filter_id: str | None = None, filter_type: str | None = None) -> Obj:
    """An include target: ``groupAssignmentTarget``."""
    return any_target("groupAssignmentTarget", groupId=group_id, filter_id=filter_id, filter_type=filter_type)


def exclusion(group_id: str, *, filter_id: str | None = None, filter_type: str | None = None) -> Obj:
    """An exclusion target: ``exclusionGroupAssignmentTarget`` (a subclass of the group target in Graph)."""
    return any_target("exclusionGroupAssignmentTarget", groupId=group_id, filter_id=filter_id,
                      filter_type=filter_type)


def all_devices(*, filter_id: str | None = None, filter_type: str | None = None) -> Obj:
    """The "all devices" include target (ALL in docs/terms.md)."""
    return any_target("allDevicesAssignmentTarget", filter_id=filter_id, filter_type=filter_type)


def all_users(*, filter_id: str | None = None, filter_type: str | None = None) -> Obj:
    """The "all licensed users" include target (also ALL)."""
    return any_target("allLicensedUsersAssignmentTarget", filter_id=filter_id, filter_type=filter_type)


# ---------------------------------------------------------------------------------------------------
# Device configurations


def configuration_assignments(owner_id: str, targets: Iterable[Obj], *, intent: str = "apply",
                              ids: Iterable[str] | None = None) -> list[Obj]:
    """A configuration's ``assignments``: one per target, with ``intent`` ``apply`` (the other intent,
    ``remove``, makes an assignment that assigns nothing); ids ``<owner>_<n>`` unless ``ids`` are given."""
    targets = list(targets)
    names = list(ids) if ids is not None else [f"{owner_id}_{i}" for i in range(len(targets))]
    return [{"id": name, "intent": intent, "source": "direct", "sourceId": owner_id, "target": t}
            for name, t in zip(names, targets)]


def _pairs(custom: CustomPairs | None, key: str) -> list[Obj]:
    items = custom.items() if isinstance(custom, Mapping) else (custom or ())
    return [{key: k, "value": v} for k, v in items]


def custom_data(custom: CustomPairs | None) -> list[Obj]:
    """A profile's ``customData``: ``[{"key", "value"}]``."""
    return _pairs(custom, "key")


def custom_key_value_data(custom: CustomPairs | None) -> list[Obj]:
    """A profile's ``customKeyValueData``: ``[{"name", "value"}]``."""
    return _pairs(custom, "name")


def status_overview(success: int = 0, *, error: int = 0, failed: int = 0, conflict: int = 0, pending: int = 0,
                    not_applicable: int = 0) -> Obj:
    """A profile's ``deviceStatusOverview`` (pass it as ``deviceStatusOverview=`` to a profile builder)."""
    return {"id": "overview", "pendingCount": pending, "notApplicableCount": not_applicable,
            "successCount": success, "errorCount": error, "failedCount": failed, "conflictCount": conflict,
            "lastUpdateDateTime": "2026-11-25T22:00:00Z", "configurationVersion": 1}


def _vpn_profile(kind: str, profile_id: str, connection: str | None, targets: Iterable[Obj],
                 custom: CustomPairs | None, custom_kv: CustomPairs | None, name: str | None,
                 extra: Mapping[str, Any]) -> Obj:
    written = {"connectionType": connection, "customData": custom_data(custom),
               "customKeyValueData": custom_key_value_data(custom_kv),
               "assignments": configuration_assignments(profile_id, targets)}
    return graph_object(VPN_TYPES[kind], profile_id, name or profile_id, **{**written, **extra})


def android_profile(profile_id: str, *, kind: str = "android-device-owner", connection: str | None = STANDALONE,
                    targets: Iterable[Obj] = (), custom: CustomPairs | None = None,
                    custom_kv: CustomPairs | None = None, name: str | None = None, **extra: Any) -> Obj:
    """An Android Enterprise VPN profile.

    ``kind`` is ``android-device-owner`` or ``android-work-profile``; ``connection`` a ``connectionType``
    (:data:`STANDALONE`, :data:`DEFENDER`, any other string, or ``None``); ``custom`` fills ``customData``
    and ``custom_kv`` ``customKeyValueData``, each a mapping or a list of pairs; ``targets`` become its
    assignments. ``extra`` adds raw properties (``targetedPackageIds=[...]``, ``alwaysOn=True``…)."""
    return _vpn_profile(kind, profile_id, connection, targets, custom, custom_kv, name, extra)


def ios_profile(profile_id: str, *, connection: str | None = STANDALONE, targets: Iterable[Obj] = (),
                custom: CustomPairs | None = None, custom_kv: CustomPairs | None = None, ikev2: bool = False,
                name: str | None = None, **extra: Any) -> Obj:
    """An iOS/iPadOS VPN profile: ``iosVpnConfiguration``, or ``iosikEv2VpnConfiguration`` with ``ikev2``.
    Other arguments as :func:`android_profile` (``connection="customVpn"`` with
    ``identifier="com.microsoft.scmx"`` makes Defender's own web-protection profile, not a Tunnel one)."""
    kind = "ios-ikev2" if ikev2 else "ios"
    return _vpn_profile(kind, profile_id, connection, targets, custom, custom_kv, name, extra)


_SHORT_KINDS = {"android-device-owner": "do", "android-work-profile": "wp", "ios": "ios"}


def _tunnel_profile(connection: str, suffix: str, targets: tuple[Obj, ...], kind: str, profile_id: str | None,
                    extra: dict[str, Any]) -> Obj:
    profile_id = profile_id or f"p-{_SHORT_KINDS[kind]}-{suffix}"
    if kind == "ios":
        return ios_profile(profile_id, connection=connection, targets=targets, **extra)
    return android_profile(profile_id, kind=kind, connection=connection, targets=targets, **extra)


def standalone_profile(*targets: Obj, kind: str = "android-device-owner", profile_id: str | None = None,
                       **extra: Any) -> Obj:
    """A standalone Tunnel profile of ``kind`` (``android-device-owner``, ``android-work-profile`` or
    ``ios``) assigned to ``targets``; id ``p-do-std``, ``p-wp-std`` or ``p-ios-std`` unless given. ``extra``
    goes to :func:`android_profile` / :func:`ios_profile` (``custom=``, ``ikev2=``, raw properties…)."""
    return _tunnel_profile(STANDALONE, "std", targets, kind, profile_id, extra)


def defender_profile(*targets: Obj, kind: str = "android-device-owner", profile_id: str | None = None,
                     **extra: Any) -> Obj:
    """A Defender Tunnel profile (``microsoftProtect``), as :func:`standalone_profile`; id ``p-do-mde``,
    ``p-wp-mde`` or ``p-ios-mde`` unless given."""
    return _tunnel_profile(DEFENDER, "mde", targets, kind, profile_id, extra)


def protect_mode_profile(*targets: Obj, profile_id: str = "p-ios-tte", **extra: Any) -> Obj:
    """An iOS Defender profile in the form Microsoft's Tunnel test environment creates it:
    ``connectionType`` ``microsoftTunnel`` with the custom setting ``MSTunnelProtectMode`` = ``1``
    (docs/terms.md "Tunnel profiles"). ``extra`` as :func:`ios_profile` (more ``custom=`` settings are
    added to that one)."""
    custom = [("MSTunnelProtectMode", "1"), *_pairs_of(extra.pop("custom", None))]
    return ios_profile(profile_id, connection=STANDALONE, targets=targets, custom=custom, **extra)


def _pairs_of(custom: CustomPairs | None) -> list[tuple[str, Any]]:
    return list(custom.items() if isinstance(custom, Mapping) else (custom or ()))


def configuration(config_id: str, odata_type: str = "windows10GeneralConfiguration", **extra: Any) -> Obj:
    """Any other device configuration (not a VPN profile): it exists, and that is all the checks see."""
    return graph_object(odata_type, config_id, config_id, **{"assignments": [], **extra})


# ---------------------------------------------------------------------------------------------------
# Mobile apps


def ios_assignment_settings(vpn: str | None) -> Obj:
    """An iOS app assignment's ``settings`` (``iosStoreAppAssignmentSettings``): ``vpn`` is
    ``vpnConfigurationId``, the per-app VPN profile (``None``: none)."""
    return {"@odata.type": graph_type("iosStoreAppAssignmentSettings"), "vpnConfigurationId": vpn,
            "uninstallOnDeviceRemoval": False, "isRemovable": True}


def store_properties(kind: str, identifier: str | None) -> Obj:
    """The properties that identify an app of ``kind`` in its store, as a recorded tenant holds them: for
    a managed Google Play app ``packageId``, ``appIdentifier`` (both ``identifier``), ``isPrivate``,
    ``isSystemApp`` and ``appStoreUrl``; for an iOS app ``bundleId`` and ``appStoreUrl``; none for any
    other kind."""
    short = _short(app_type(kind))
    if short == "androidManagedStoreApp":
        return {"packageId": identifier, "appIdentifier": identifier, "isPrivate": False, "isSystemApp": False,
                "appStoreUrl": f"https://play.google.com/store/apps/details?id={identifier}"}
    if short.startswith("ios"):
        return {"bundleId": identifier, "appStoreUrl": None}
    return {}


def app_assignment(intent: str, target: Obj, vpn: str | None = None, *, ios: bool = False,
                   assignment_id: str = "") -> Obj:
    """A ``mobileAppAssignment`` with ``intent`` (``required``, ``available``,
    ``availableWithoutEnrollment``, ``uninstall``). ``settings`` are iOS assignment settings when ``vpn``
    (their ``vpnConfigurationId``) is given or ``ios`` is set, else ``None``. An empty id is filled in by
    :func:`app`."""
    settings = ios_assignment_settings(vpn) if ios or vpn is not None else None
    return {"id": assignment_id, "intent": intent, "source": "direct", "sourceId": None, "target": target,
            "settings": settings}


def required(target: Obj, vpn: str | None = None, *, ios: bool = False) -> Obj:
    """An app assignment with intent ``required``."""
    return app_assignment("required", target, vpn, ios=ios)


def available(target: Obj, vpn: str | None = None, *, ios: bool = False) -> Obj:
    """An app assignment with intent ``available``."""
    return app_assignment("available", target, vpn, ios=ios)


def available_without_enrollment(target: Obj, vpn: str | None = None, *, ios: bool = False) -> Obj:
    """An app assignment with intent ``availableWithoutEnrollment``."""
    return app_assignment("availableWithoutEnrollment", target, vpn, ios=ios)


def uninstall(target: Obj, *, ios: bool = False) -> Obj:
    """An app assignment with intent ``uninstall``."""
    return app_assignment("uninstall", target, ios=ios)


def numbered(owner_id: str, assignments: Iterable[Obj]) -> list[Obj]:
    """``assignments`` with each empty id filled in as ``<owner>_<n>``."""
    return [dict(a, id=a.get("id") or f"{owner_id}_{i}") for i, a in enumerate(assignments)]


def app(app_id: str, kind: str = "android", identifier: str | None = None, *, assignments: Iterable[Obj] = (),
        field: str | None = None, name: str | None = None, **extra: Any) -> Obj:
    """A mobile app. ``kind`` is a key of :data:`APP_TYPES` or any Graph type name; ``identifier`` goes to
    ``field``: by default ``packageId`` for a managed Google Play app (``appIdentifier`` is the
    alternative) and ``bundleId`` for any other. Empty assignment ids are filled in."""
    odata_type = app_type(kind)
    if field is None:
        field = "packageId" if _short(odata_type) == "androidManagedStoreApp" else "bundleId"
    ident = {field: identifier} if identifier is not None else {}
    return graph_object(odata_type, app_id, name or app_id,
                        **{**ident, "assignments": numbered(app_id, assignments), **extra})


def _platform_app(platform: str, identifier: str, app_id: str | None, kind: str | None, suffix: str,
                  assignments: tuple[Obj, ...], field: str | None) -> Obj:
    kind = kind or ("android" if platform == "android" else "ios-store")
    return app(app_id or f"app-{platform}-{suffix}", kind, identifier, assignments=assignments, field=field)


def defender_app(platform: str, *assignments: Obj, app_id: str | None = None, kind: str | None = None,
                 identifier: str = DEFENDER_APP_ID, field: str | None = None) -> Obj:
    """The Defender for Endpoint app of ``platform`` (``android``: managed Google Play; ``ios``: a store
    app unless ``kind`` says otherwise) with the default identifier; id ``app-<platform>-mde`` unless
    given."""
    return _platform_app(platform, identifier, app_id, kind, "mde", assignments, field)


def standalone_app(platform: str, *assignments: Obj, app_id: str | None = None, kind: str | None = None,
                   identifier: str = STANDALONE_APP_ID, field: str | None = None) -> Obj:
    """The standalone Microsoft Tunnel app of ``platform``; id ``app-<platform>-tunnel`` unless given."""
    return _platform_app(platform, identifier, app_id, kind, "tunnel", assignments, field)


# ---------------------------------------------------------------------------------------------------
# Groups, the gateway, devices, audit events


def group(group_id: str, name: str | None = None) -> Obj:
    """An Entra group (only its id and name matter); named ``SG-<id>`` unless given."""
    return {"id": group_id, "displayName": name or f"SG-{group_id}"}


def server(server_id: str, health: str | None = "healthy", *, name: str | None = None, **extra: Any) -> Obj:
    """A ``microsoftTunnelServer`` with ``tunnelServerHealthStatus`` = ``health`` (``None`` leaves it out)."""
    status = {"tunnelServerHealthStatus": health} if health is not None else {}
    return {"id": server_id, "displayName": name or server_id, **status,
            "lastCheckinDateTime": "2026-11-26T06:59:00Z", "agentImageDigest": "sha256:1f2e",
            "serverImageDigest": "sha256:3d4c", "deploymentMode": "standaloneRootful", **extra}


def site(site_id: str, *servers: Obj, configuration_id: str | None = "cfg-1", name: str | None = None,
         public_address: str | None = None, **extra: Any) -> Obj:
    """A ``microsoftTunnelSite`` with its ``servers`` embedded under ``microsoftTunnelServers`` (as
    ``$expand`` returns them) and ``microsoftTunnelConfiguration`` as ``{id: configuration_id}`` (``None``:
    no server configuration)."""
    return {
        "id": site_id, "displayName": name or site_id, "description": "",
        "publicAddress": public_address or f"{site_id}.contoso.com",
        "internalNetworkProbeUrl": "https://intranet.contoso.com", "upgradeAutomatically": True,
        "upgradeAvailable": False, "roleScopeTagIds": ["0"],
        "microsoftTunnelConfiguration": {"id": configuration_id} if configuration_id else None,
        "microsoftTunnelServers": list(servers), **extra,
    }


def tunnel_configuration(config_id: str = "cfg-1", *, disable_udp: bool | None = False, name: str | None = None,
                         dns_servers: Iterable[str] = ("10.0.0.4",), **extra: Any) -> Obj:
    """A ``microsoftTunnelConfiguration`` (a server configuration); ``disable_udp=None`` leaves
    ``disableUdpConnections`` out."""
    udp = {"disableUdpConnections": disable_udp} if disable_udp is not None else {}
    return {
        "id": config_id, "displayName": name or config_id, "description": "", "network": "169.254.0.0/16",
        "dnsServers": list(dns_servers), "defaultDomainSuffix": "contoso.com", "routeIncludes": ["10.0.0.0/8"],
        "routeExcludes": [], "splitDNS": ["contoso.com"], "listenPort": 443, **udp, "advancedSettings": [],
        "lastUpdateDateTime": "2026-09-01T10:00:00Z", "roleScopeTagIds": ["0"], **extra,
    }


def managed_device(device_id: str, *, name: str | None = None, os: str = "Android", **extra: Any) -> Obj:
    """A ``managedDevice``: ``deviceName`` (the id in capitals unless given), ``operatingSystem``, then
    ``extra``."""
    return {"id": device_id, "deviceName": name or device_id.upper(), "operatingSystem": os, **extra}


def device_reference(device: Mapping[str, Any]) -> Obj:
    """A device as a detected app lists it: its ``id``, ``deviceName`` and ``operatingSystem``."""
    return {key: device[key] for key in ("id", "deviceName", "operatingSystem")}


def detected_app(app_id: str, *devices: Obj, name: str = "Microsoft Tunnel", device_count: int | None = None,
                 platform: str = "androidDeviceAdministrator", version: str = "1.2103.1", listed: bool = True,
                 **extra: Any) -> Obj:
    """A ``detectedApp``; ``deviceCount`` is the number of ``devices`` unless given. The devices are
    embedded under ``managedDevices``; with ``listed=False`` that property is left out (the app's devices
    were not listed, only counted)."""
    out: Obj = {"id": app_id, "displayName": name, "version": version,
                "deviceCount": len(devices) if device_count is None else device_count, "platform": platform,
                **extra}
    if listed:
        out.setdefault("managedDevices", list(devices))
    return out


def audit_event(event_id: str, activity_type: str, when: str | None, *resource_ids: str,
                correlation_id: str | None = None, application: str | None = None,
                resource_type: str | None = None, **extra: Any) -> Obj:
    """An Intune ``auditEvent`` at ``when`` (ISO 8601; ``None`` leaves ``activityDateTime`` out) about
    ``resource_ids``, made by an admin; ``correlation_id``, the actor's ``application`` and the
    resources' ``auditResourceType`` are written when given."""
    at = {"activityDateTime": when} if when is not None else {}
    correlation = {"correlationId": correlation_id} if correlation_id is not None else {}
    app_name = {"applicationDisplayName": application} if application is not None else {}
    kind = {"auditResourceType": resource_type} if resource_type is not None else {}
    return {
        "id": event_id, "displayName": activity_type, "activity": activity_type, "activityType": activity_type,
        **at, "activityOperationType": (activity_type.split() or [""])[0], "activityResult": "Success",
        "category": "Application" if "App" in activity_type else "DeviceConfiguration",
        "componentName": "MobileAppManagement", **correlation,
        "actor": {"userPrincipalName": "admin@contoso.onmicrosoft.com", "type": "ItPro", **app_name},
        "resources": [{"resourceId": r, "displayName": r, "type": "resource", **kind, "modifiedProperties": []}
                      for r in resource_ids],
        **extra,
    }
