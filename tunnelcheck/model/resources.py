"""The Graph beta resources tunnelcheck reads, keyed as in the snapshot format, with the least-privilege
application permission each one needs (README "Run against your tenant")."""

from __future__ import annotations

import enum


class Resource(str, enum.Enum):
    """A snapshot ``resources`` key: a Graph beta resource path."""

    DEVICE_CONFIGURATIONS = "deviceManagement/deviceConfigurations"
    MOBILE_APPS = "deviceAppManagement/mobileApps"
    TUNNEL_SITES = "deviceManagement/microsoftTunnelSites"
    TUNNEL_CONFIGURATIONS = "deviceManagement/microsoftTunnelConfigurations"
    GROUPS = "groups"
    MANAGED_DEVICES = "deviceManagement/managedDevices"
    DETECTED_APPS = "deviceManagement/detectedApps"
    AUDIT_EVENTS = "deviceManagement/auditEvents"

    @property
    def permission(self) -> str:
        return PERMISSIONS[self]

    def __str__(self) -> str:
        return self.value


PERMISSIONS: dict[Resource, str] = {
    Resource.DEVICE_CONFIGURATIONS: "DeviceManagementConfiguration.Read.All",
    Resource.TUNNEL_SITES: "DeviceManagementConfiguration.Read.All",
    Resource.TUNNEL_CONFIGURATIONS: "DeviceManagementConfiguration.Read.All",
    Resource.MOBILE_APPS: "DeviceManagementApps.Read.All",
    Resource.AUDIT_EVENTS: "DeviceManagementApps.Read.All",
    Resource.MANAGED_DEVICES: "DeviceManagementManagedDevices.Read.All",
    Resource.DETECTED_APPS: "DeviceManagementManagedDevices.Read.All",
    Resource.GROUPS: "GroupMember.Read.All",
}

#: The least-privilege set, in the order the README lists it.
REQUIRED_PERMISSIONS: tuple[str, ...] = (
    "DeviceManagementConfiguration.Read.All",
    "DeviceManagementApps.Read.All",
    "DeviceManagementManagedDevices.Read.All",
    "GroupMember.Read.All",
)
