"""Real published Graph shapes, copied faithfully, and the snapshots built from them.

Every shape below is a function returning a fresh copy, with its source above it (repository, path, and
the commit the file was read at). The JSON is copied character for character from the source (the
``json.loads`` text blocks), so the documented forms survive: ``@odata.type`` with ``#`` on the
top-level object of an example response and without it on nested objects, 7-digit fractional timestamps
with offsets (``2017-01-01T00:02:43.5775965-08:00``), ``unknownFutureValue``, nulls, placeholder values
such as ``"Display Name value"``.

Sources
-------
- GD = ``microsoftgraph/microsoft-graph-docs-contrib`` (Graph's beta API reference). The example
  responses are the object under ``"value"`` of each page's "Response" block.
- TTE = ``mikeliddle/TunnelTestEnv`` ``scripts/TunnelProfiles.ps1``: Microsoft's Tunnel test
  environment, the JSON bodies it POSTs to ``/beta/deviceManagement/deviceConfigurations`` and to
  ``…/{id}/assign``, converted from PowerShell hashtables (``$null`` -> null, ``$false`` -> false,
  ``@(...)`` -> list; key order of a hashtable means nothing). Read at commit d76b793 (functions
  ``New-IosDeviceConfigurationPolicy``, ``New-AndroidDeviceConfigurationPolicy``, ``New-TunnelSite``,
  ``New-TunnelConfiguration``); a later stored version of the same file (read_file id 6788175221, no commit
  given by the tool) adds ``proxyServer`` only when a PAC URL or proxy host is given: the bodies below are
  the ones it posts without a proxy. The only Android body the file posts is
  ``androidWorkProfileVpnConfiguration``; no device-owner (fully managed) body was found in it.

What was changed, and only that
-------------------------------
The scenario builders at the end link the shapes into tenants. They change ids (a second object of the
same type gets a new id), cross-references (``microsoftTunnelSiteId``, ``vpnConfigurationId``, ``groupId``,
``resources[].resourceId``, embedded navigation properties ``assignments`` / ``microsoftTunnelServers`` /
``managedDevices`` / ``deviceStatusOverview``), and the few values a Tunnel migration needs that the
documentation leaves as placeholders; each such change is named in a comment where it is made:

- ``connectionType`` of the documented VPN examples (``pulseSecure`` in the docs) set to the documented
  enum members ``microsoftTunnel`` / ``microsoftProtect`` (otherwise they are not Tunnel profiles);
- ``packageId`` / ``appIdentifier`` / ``bundleId`` of the Defender and standalone apps set to
  ``com.microsoft.scmx`` / ``com.microsoft.tunnel`` (the default app ids, config.example.yaml);
- ``displayName`` / ``platform`` / ``deviceCount`` of detected apps (the documented enum members
  ``ios``, ``androidWorkProfile``, ``androidDedicatedAndFullyManaged``; the package id as a name, docs/terms.md);
- the audit events' ``activityType`` / ``activity`` / ``displayName`` / ``category`` /
  ``activityOperationType`` / ``activityDateTime`` (the documentation has placeholders only; the real
  strings are not documented: these use the form of the project's demo tenant);
- the server health ``unknownFutureValue`` (a documented enum member) on a second server;
- one on-demand rule: the baseline's rule lacks ``interfaceTypeMatch`` and ``dnsServerAddressMatch`` (a
  baseline recorded before Graph added them), the replacement's writes them as ``notConfigured`` / ``[]``;
- the values TTE takes from its parameters: ``$VmName`` = ``tunnelcheck``, ``$Site`` / ``$ServerConfiguration``
  / ``$GroupId`` = the linked documented site, configuration and group.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

GD = "microsoftgraph/microsoft-graph-docs-contrib"
TTE = "mikeliddle/TunnelTestEnv"

Obj = dict[str, Any]


def _json(text: str) -> Any:
    return json.loads(text)


# ===================================================================================================
# Graph documentation: VPN profiles (example responses, verbatim)

# Source: GD api-reference/beta/api/intune-deviceconfig-iosvpnconfiguration-get.md
#         @ 028b8e354879f1054adbd96bfa8d16fff4330811, "Response" example.
# (The JSON representation in api-reference/beta/resources/intune-deviceconfig-iosvpnconfiguration.md
#  @ 022b186da1bf6d2f88b9513122ebb32b0b70ef0e lists the same properties.)
def doc_ios_vpn_configuration() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.iosVpnConfiguration",
    "id": "bd12424c-424c-bd12-4c42-12bd4c4212bd",
    "lastModifiedDateTime": "2017-01-01T00:00:35.1329464-08:00",
    "roleScopeTagIds": [
      "Role Scope Tag Ids value"
    ],
    "supportsScopeTags": true,
    "deviceManagementApplicabilityRuleOsEdition": {
      "@odata.type": "microsoft.graph.deviceManagementApplicabilityRuleOsEdition",
      "osEditionTypes": [
        "windows10EnterpriseN"
      ],
      "name": "Name value",
      "ruleType": "exclude"
    },
    "deviceManagementApplicabilityRuleOsVersion": {
      "@odata.type": "microsoft.graph.deviceManagementApplicabilityRuleOsVersion",
      "minOSVersion": "Min OSVersion value",
      "maxOSVersion": "Max OSVersion value",
      "name": "Name value",
      "ruleType": "exclude"
    },
    "deviceManagementApplicabilityRuleDeviceMode": {
      "@odata.type": "microsoft.graph.deviceManagementApplicabilityRuleDeviceMode",
      "deviceMode": "sModeConfiguration",
      "name": "Name value",
      "ruleType": "exclude"
    },
    "createdDateTime": "2017-01-01T00:02:43.5775965-08:00",
    "description": "Description value",
    "displayName": "Display Name value",
    "version": 7,
    "connectionName": "Connection Name value",
    "connectionType": "pulseSecure",
    "loginGroupOrDomain": "Login Group Or Domain value",
    "role": "Role value",
    "realm": "Realm value",
    "server": {
      "@odata.type": "microsoft.graph.vpnServer",
      "description": "Description value",
      "address": "Address value",
      "isDefaultServer": true
    },
    "identifier": "Identifier value",
    "customData": [
      {
        "@odata.type": "microsoft.graph.keyValue",
        "key": "Key value",
        "value": "Value value"
      }
    ],
    "customKeyValueData": [
      {
        "@odata.type": "microsoft.graph.keyValuePair",
        "name": "Name value",
        "value": "Value value"
      }
    ],
    "enableSplitTunneling": true,
    "authenticationMethod": "usernameAndPassword",
    "enablePerApp": true,
    "safariDomains": [
      "Safari Domains value"
    ],
    "onDemandRules": [
      {
        "@odata.type": "microsoft.graph.vpnOnDemandRule",
        "ssids": [
          "Ssids value"
        ],
        "dnsSearchDomains": [
          "Dns Search Domains value"
        ],
        "probeUrl": "https://example.com/probeUrl/",
        "action": "evaluateConnection",
        "domainAction": "neverConnect",
        "domains": [
          "Domains value"
        ],
        "probeRequiredUrl": "https://example.com/probeRequiredUrl/",
        "interfaceTypeMatch": "ethernet",
        "dnsServerAddressMatch": [
          "Dns Server Address Match value"
        ]
      }
    ],
    "providerType": "appProxy",
    "associatedDomains": [
      "Associated Domains value"
    ],
    "excludedDomains": [
      "Excluded Domains value"
    ],
    "disableOnDemandUserOverride": true,
    "disconnectOnIdle": true,
    "disconnectOnIdleTimerInSeconds": 14,
    "proxyServer": {
      "@odata.type": "microsoft.graph.vpnProxyServer",
      "automaticConfigurationScriptUrl": "https://example.com/automaticConfigurationScriptUrl/",
      "address": "Address value",
      "port": 4
    },
    "optInToDeviceIdSharing": true,
    "userDomain": "User Domain value",
    "strictEnforcement": true,
    "cloudName": "Cloud Name value",
    "excludeList": [
      "Exclude List value"
    ],
    "targetedMobileApps": [
      {
        "@odata.type": "microsoft.graph.appListItem",
        "name": "Name value",
        "publisher": "Publisher value",
        "appStoreUrl": "https://example.com/appStoreUrl/",
        "appId": "App Id value"
      }
    ],
    "microsoftTunnelSiteId": "Microsoft Tunnel Site Id value"
  }''')


# Source: GD api-reference/beta/api/intune-deviceconfig-androiddeviceownervpnconfiguration-get.md
#         @ 0461a972c62a460455d12b2e7697d2daa228d2f4, "Response" example (an older page version: it stops
#         at connectionType; the resource page intune-deviceconfig-androiddeviceownervpnconfiguration.md
#         @ 022b186da1bf6d2f88b9513122ebb32b0b70ef0e adds proxyServer, targetedPackageIds, alwaysOn,
#         microsoftTunnelSiteId, customData… as "String" placeholders).
def doc_android_device_owner_vpn_configuration() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.androidDeviceOwnerVpnConfiguration",
    "id": "972962e3-62e3-9729-e362-2997e3622997",
    "lastModifiedDateTime": "2017-01-01T00:00:35.1329464-08:00",
    "roleScopeTagIds": [
      "Role Scope Tag Ids value"
    ],
    "supportsScopeTags": true,
    "deviceManagementApplicabilityRuleOsEdition": {
      "@odata.type": "microsoft.graph.deviceManagementApplicabilityRuleOsEdition",
      "osEditionTypes": [
        "windows10EnterpriseN"
      ],
      "name": "Name value",
      "ruleType": "exclude"
    },
    "deviceManagementApplicabilityRuleOsVersion": {
      "@odata.type": "microsoft.graph.deviceManagementApplicabilityRuleOsVersion",
      "minOSVersion": "Min OSVersion value",
      "maxOSVersion": "Max OSVersion value",
      "name": "Name value",
      "ruleType": "exclude"
    },
    "deviceManagementApplicabilityRuleDeviceMode": {
      "@odata.type": "microsoft.graph.deviceManagementApplicabilityRuleDeviceMode",
      "deviceMode": "sModeConfiguration",
      "name": "Name value",
      "ruleType": "exclude"
    },
    "createdDateTime": "2017-01-01T00:02:43.5775965-08:00",
    "description": "Description value",
    "displayName": "Display Name value",
    "version": 7,
    "authenticationMethod": "usernameAndPassword",
    "connectionName": "Connection Name value",
    "role": "Role value",
    "realm": "Realm value",
    "servers": [
      {
        "@odata.type": "microsoft.graph.vpnServer",
        "description": "Description value",
        "address": "Address value",
        "isDefaultServer": true
      }
    ],
    "connectionType": "pulseSecure"
  }''')


# Source: GD api-reference/beta/api/intune-deviceconfig-androidworkprofilevpnconfiguration-get.md
#         @ 01784a996c3bd7a5e5415c20c478047309f7cc24, "Response" example (an older page version, without the
#         Tunnel properties; the resource page intune-deviceconfig-androidworkprofilevpnconfiguration.md
#         @ 022b186da1bf6d2f88b9513122ebb32b0b70ef0e adds them as "String" placeholders).
def doc_android_work_profile_vpn_configuration() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.androidWorkProfileVpnConfiguration",
    "id": "32910378-0378-3291-7803-913278039132",
    "lastModifiedDateTime": "2017-01-01T00:00:35.1329464-08:00",
    "roleScopeTagIds": [
      "Role Scope Tag Ids value"
    ],
    "supportsScopeTags": true,
    "createdDateTime": "2017-01-01T00:02:43.5775965-08:00",
    "description": "Description value",
    "displayName": "Display Name value",
    "version": 7,
    "connectionName": "Connection Name value",
    "connectionType": "pulseSecure",
    "role": "Role value",
    "realm": "Realm value",
    "servers": [
      {
        "@odata.type": "microsoft.graph.vpnServer",
        "description": "Description value",
        "address": "Address value",
        "isDefaultServer": true
      }
    ],
    "fingerprint": "Fingerprint value",
    "customData": [
      {
        "@odata.type": "microsoft.graph.keyValue",
        "key": "Key value",
        "value": "Value value"
      }
    ],
    "customKeyValueData": [
      {
        "@odata.type": "microsoft.graph.keyValuePair",
        "name": "Name value",
        "value": "Value value"
      }
    ],
    "authenticationMethod": "usernameAndPassword"
  }''')


# Source: GD api-reference/beta/api/intune-deviceconfig-deviceconfigurationdeviceoverview-get.md
#         @ 022b186da1bf6d2f88b9513122ebb32b0b70ef0e, "Response" example (a profile's deviceStatusOverview).
def doc_device_configuration_device_overview() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.deviceConfigurationDeviceOverview",
    "id": "62d48e3a-8e3a-62d4-3a8e-d4623a8ed462",
    "pendingCount": 12,
    "notApplicableCount": 2,
    "notApplicablePlatformCount": 10,
    "successCount": 12,
    "errorCount": 10,
    "failedCount": 11,
    "conflictCount": 13,
    "lastUpdateDateTime": "2016-12-31T23:58:21.6459442-08:00",
    "configurationVersion": 4
  }''')


# ===================================================================================================
# Graph documentation: assignments

# Source: GD api-reference/beta/api/intune-deviceconfig-deviceconfigurationassignment-get.md
#         @ 022b186da1bf6d2f88b9513122ebb32b0b70ef0e, "Response" example (intent "remove", a target type
#         tunnelcheck does not know: organizationalUnitAssignmentTarget). The list page
#         intune-deviceconfig-deviceconfigurationassignment-list.md @ the same commit returns the same object.
def doc_device_configuration_assignment() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
    "id": "d59b6342-6342-d59b-4263-9bd542639bd5",
    "target": {
      "@odata.type": "microsoft.graph.organizationalUnitAssignmentTarget",
      "deviceAndAppManagementAssignmentFilterId": "Device And App Management Assignment Filter Id value",
      "deviceAndAppManagementAssignmentFilterType": "include",
      "organizationalUnitId": "Organizational Unit Id value",
      "assignmentConflictSetting": {
        "@odata.type": "microsoft.graph.organizationalUnitAssignmentConflictSetting",
        "assignmentOverride": "denied",
        "versionNumber": 13
      }
    },
    "source": "policySets",
    "sourceId": "Source Id value",
    "intent": "remove"
  }''')


# Source: GD api-reference/beta/api/intune-apps-mobileappassignment-list.md
#         @ 007852ace71e63cb76552a3471aa71e7dee5f3e8, "Response" example (value[0]): the abstract base types
#         as target and settings.
def doc_mobile_app_assignment() -> Obj:
    return _json(r'''{
      "@odata.type": "#microsoft.graph.mobileAppAssignment",
      "id": "591620b7-20b7-5916-b720-1659b7201659",
      "intent": "required",
      "target": {
        "@odata.type": "microsoft.graph.deviceAndAppManagementAssignmentTarget"
      },
      "settings": {
        "@odata.type": "microsoft.graph.mobileAppAssignmentSettings"
      }
    }''')


# A profile assignment in the documented nested form (no "#" on the target), as a snapshot of
# GET …/deviceConfigurations?$expand=assignments written from the documentation holds it.
# Shape: GD api-reference/beta/resources/intune-deviceconfig-deviceconfigurationassignment.md
#        @ 022b186da1bf6d2f88b9513122ebb32b0b70ef0e (id, target, source, sourceId, intent: apply | remove),
#        target: GD api-reference/beta/resources/intune-shared-groupassignmenttarget.md
#        @ 3bd18aecba9fb3c1331c2f07d21580b75fc2ef6a (filter id, filter type none | include | exclude, groupId).
# Values filled in: source "direct", sourceId null, filter id null, filter type "none".
def doc_configuration_assignment_to_group(assignment_id: str, group_id: str, intent: str = "apply") -> Obj:
    return {
        "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
        "id": assignment_id,
        "target": {
            "@odata.type": "microsoft.graph.groupAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": None,
            "deviceAndAppManagementAssignmentFilterType": "none",
            "groupId": group_id,
        },
        "source": "direct",
        "sourceId": None,
        "intent": intent,
    }


# Targets in the documented nested form (no "#").
# Group:      GD api-reference/beta/resources/intune-shared-groupassignmenttarget.md @ 3bd18aecba9fb3c1331c2f07d21580b75fc2ef6a
# Exclusion:  GD api-reference/beta/resources/intune-shared-exclusiongroupassignmenttarget.md @ e3de032bedcf2f76de3bd5002e7e02571388c65f
# All users:  GD api-reference/beta/resources/intune-apps-mobileappassignment.md @ 022b186da1bf6d2f88b9513122ebb32b0b70ef0e
#             (the target of its JSON representation)
# Values filled in: filter id null, filter type "none".
def doc_group_target(group_id: str) -> Obj:
    return {"@odata.type": "microsoft.graph.groupAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": None,
            "deviceAndAppManagementAssignmentFilterType": "none",
            "groupId": group_id}


def doc_exclusion_target(group_id: str) -> Obj:
    return {"@odata.type": "microsoft.graph.exclusionGroupAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": None,
            "deviceAndAppManagementAssignmentFilterType": "none",
            "groupId": group_id}


def doc_all_licensed_users_target() -> Obj:
    return {"@odata.type": "microsoft.graph.allLicensedUsersAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": None,
            "deviceAndAppManagementAssignmentFilterType": "none"}


# An app assignment in the documented form.
# Shape: GD api-reference/beta/resources/intune-apps-mobileappassignment.md @ 022b186da1bf6d2f88b9513122ebb32b0b70ef0e
#        (id, intent: available | required | uninstall | availableWithoutEnrollment, target, settings, source,
#        sourceId). Values filled in: source "direct", sourceId null.
def doc_app_assignment(assignment_id: str, intent: str, target: Obj, settings: Obj | None = None) -> Obj:
    return {
        "@odata.type": "#microsoft.graph.mobileAppAssignment",
        "id": assignment_id,
        "intent": intent,
        "target": target,
        "settings": settings,
        "source": "direct",
        "sourceId": None,
    }


# Source: GD api-reference/beta/resources/intune-apps-iosvppappassignmentsettings.md
#         @ a654ca02bac560dccdee4b017865092ea9ba29d6 (useDeviceLicensing, vpnConfigurationId), nested form.
def doc_ios_vpp_app_assignment_settings(vpn_configuration_id: str | None) -> Obj:
    return {"@odata.type": "microsoft.graph.iosVppAppAssignmentSettings",
            "useDeviceLicensing": True,
            "vpnConfigurationId": vpn_configuration_id}


# Source: GD api-reference/beta/resources/intune-apps-iosstoreappassignmentsettings.md
#         @ bd5ee6ccf1bb4e0aeb495a985c2b6fa4b28ea13e (vpnConfigurationId), nested form.
def doc_ios_store_app_assignment_settings(vpn_configuration_id: str | None) -> Obj:
    return {"@odata.type": "microsoft.graph.iosStoreAppAssignmentSettings",
            "vpnConfigurationId": vpn_configuration_id}


# ===================================================================================================
# Graph documentation: apps (example responses, verbatim)

# Source: GD api-reference/beta/api/intune-apps-androidmanagedstoreapp-get.md
#         @ 0461a972c62a460455d12b2e7697d2daa228d2f4, "Response" example.
def doc_android_managed_store_app() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.androidManagedStoreApp",
    "id": "87247525-7525-8724-2575-248725752487",
    "displayName": "Display Name value",
    "description": "Description value",
    "publisher": "Publisher value",
    "largeIcon": {
      "@odata.type": "microsoft.graph.mimeContent",
      "type": "Type value",
      "value": "dmFsdWU="
    },
    "createdDateTime": "2017-01-01T00:02:43.5775965-08:00",
    "lastModifiedDateTime": "2017-01-01T00:00:35.1329464-08:00",
    "isFeatured": true,
    "privacyInformationUrl": "https://example.com/privacyInformationUrl/",
    "informationUrl": "https://example.com/informationUrl/",
    "owner": "Owner value",
    "developer": "Developer value",
    "notes": "Notes value",
    "uploadState": 11,
    "publishingState": "processing",
    "isAssigned": true,
    "roleScopeTagIds": [
      "Role Scope Tag Ids value"
    ],
    "dependentAppCount": 1,
    "packageId": "Package Id value",
    "appIdentifier": "App Identifier value",
    "usedLicenseCount": 0,
    "totalLicenseCount": 1,
    "appStoreUrl": "https://example.com/appStoreUrl/",
    "isPrivate": true,
    "isSystemApp": true,
    "supportsOemConfig": true
  }''')


# Source: GD api-reference/beta/api/intune-apps-iosstoreapp-get.md
#         @ 004db9c3b89adaf1a8eb61cb2fbc5826d8114f7b, "Response" example.
def doc_ios_store_app() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.iosStoreApp",
    "id": "a04adbe2-dbe2-a04a-e2db-4aa0e2db4aa0",
    "displayName": "Display Name value",
    "description": "Description value",
    "publisher": "Publisher value",
    "largeIcon": {
      "@odata.type": "microsoft.graph.mimeContent",
      "type": "Type value",
      "value": "dmFsdWU="
    },
    "createdDateTime": "2017-01-01T00:02:43.5775965-08:00",
    "lastModifiedDateTime": "2017-01-01T00:00:35.1329464-08:00",
    "isFeatured": true,
    "privacyInformationUrl": "https://example.com/privacyInformationUrl/",
    "informationUrl": "https://example.com/informationUrl/",
    "owner": "Owner value",
    "developer": "Developer value",
    "notes": "Notes value",
    "uploadState": 11,
    "publishingState": "processing",
    "isAssigned": true,
    "roleScopeTagIds": [
      "Role Scope Tag Ids value"
    ],
    "dependentAppCount": 1,
    "supersedingAppCount": 3,
    "supersededAppCount": 2,
    "bundleId": "Bundle Id value",
    "appStoreUrl": "https://example.com/appStoreUrl/",
    "applicableDeviceType": {
      "@odata.type": "microsoft.graph.iosDeviceType",
      "iPad": true,
      "iPhoneAndIPod": true
    },
    "minimumSupportedOperatingSystem": {
      "@odata.type": "microsoft.graph.iosMinimumOperatingSystem",
      "v8_0": true,
      "v9_0": true,
      "v10_0": true,
      "v11_0": true,
      "v12_0": true,
      "v13_0": true,
      "v14_0": true,
      "v15_0": true,
      "v16_0": true,
      "v17_0": true,
      "v18_0": true,
      "v26_0": true
    }
  }''')


# Source: GD api-reference/beta/api/intune-apps-iosvppapp-get.md
#         @ 0408bcabaf9097c0952b891e8d5ca0afc498de4e, "Response" example.
def doc_ios_vpp_app() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.iosVppApp",
    "id": "a0ac9b6f-9b6f-a0ac-6f9b-aca06f9baca0",
    "displayName": "Display Name value",
    "description": "Description value",
    "publisher": "Publisher value",
    "largeIcon": {
      "@odata.type": "microsoft.graph.mimeContent",
      "type": "Type value",
      "value": "dmFsdWU="
    },
    "createdDateTime": "2017-01-01T00:02:43.5775965-08:00",
    "lastModifiedDateTime": "2017-01-01T00:00:35.1329464-08:00",
    "isFeatured": true,
    "privacyInformationUrl": "https://example.com/privacyInformationUrl/",
    "informationUrl": "https://example.com/informationUrl/",
    "owner": "Owner value",
    "developer": "Developer value",
    "notes": "Notes value",
    "uploadState": 11,
    "publishingState": "processing",
    "isAssigned": true,
    "roleScopeTagIds": [
      "Role Scope Tag Ids value"
    ],
    "dependentAppCount": 1,
    "supersedingAppCount": 3,
    "supersededAppCount": 2,
    "usedLicenseCount": 0,
    "totalLicenseCount": 1,
    "releaseDateTime": "2017-01-01T00:01:34.7470482-08:00",
    "appStoreUrl": "https://example.com/appStoreUrl/",
    "licensingType": {
      "@odata.type": "microsoft.graph.vppLicensingType",
      "supportUserLicensing": true,
      "supportDeviceLicensing": true,
      "supportsUserLicensing": true,
      "supportsDeviceLicensing": true
    },
    "applicableDeviceType": {
      "@odata.type": "microsoft.graph.iosDeviceType",
      "iPad": true,
      "iPhoneAndIPod": true
    },
    "vppTokenOrganizationName": "Vpp Token Organization Name value",
    "vppTokenAccountType": "education",
    "vppTokenAppleId": "Vpp Token Apple Id value",
    "bundleId": "Bundle Id value",
    "vppTokenId": "Vpp Token Id value",
    "revokeLicenseActionResults": [
      {
        "@odata.type": "microsoft.graph.iosVppAppRevokeLicensesActionResult",
        "userId": "User Id value",
        "managedDeviceId": "Managed Device Id value",
        "totalLicensesCount": 2,
        "failedLicensesCount": 3,
        "actionFailureReason": "appleFailure",
        "actionName": "Action Name value",
        "actionState": "pending",
        "startDateTime": "2016-12-31T23:58:46.7156189-08:00",
        "lastUpdatedDateTime": "2017-01-01T00:00:56.8321556-08:00"
      }
    ]
  }''')


# ===================================================================================================
# Graph documentation: Microsoft Tunnel Gateway (example responses, verbatim)

# Source: GD api-reference/beta/api/intune-mstunnel-microsofttunnelsite-get.md
#         @ 0fba007c58f9266bacdc76d8fb7743ee8656af4d, "Response" example.
# (Resource page: intune-mstunnel-microsofttunnelsite.md @ eaae2a5be67ec605f8adb4cdd7e2cdd09b5d7955; the
#  navigation properties microsoftTunnelConfiguration and microsoftTunnelServers are embedded by the builders.)
def doc_microsoft_tunnel_site() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.microsoftTunnelSite",
    "id": "b2f7dc3e-dc3e-b2f7-3edc-f7b23edcf7b2",
    "displayName": "Display Name value",
    "description": "Description value",
    "publicAddress": "Public Address value",
    "upgradeWindowUtcOffsetInMinutes": 15,
    "upgradeWindowStartTime": "12:01:27.3030000",
    "upgradeWindowEndTime": "11:57:17.9830000",
    "upgradeAutomatically": true,
    "upgradeAvailable": true,
    "internalNetworkProbeUrl": "https://example.com/internalNetworkProbeUrl/",
    "roleScopeTagIds": [
      "Role Scope Tag Ids value"
    ]
  }''')


# Source: GD api-reference/beta/api/intune-mstunnel-microsofttunnelserver-get.md
#         @ 09455a65abde17103c17fc70605c4c8553f01978, "Response" example.
# (Resource page intune-mstunnel-microsofttunnelserver.md @ 022b186da1bf6d2f88b9513122ebb32b0b70ef0e:
#  tunnelServerHealthStatus unknown | healthy | unhealthy | warning | offline | upgradeInProgress |
#  upgradeFailed | unknownFutureValue.)
def doc_microsoft_tunnel_server() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.microsoftTunnelServer",
    "id": "b5cf0aee-0aee-b5cf-ee0a-cfb5ee0acfb5",
    "displayName": "Display Name value",
    "tunnelServerHealthStatus": "healthy",
    "lastCheckinDateTime": "2017-01-01T00:02:46.0431416-08:00",
    "agentImageDigest": "Agent Image Digest value",
    "serverImageDigest": "Server Image Digest value",
    "deploymentMode": "standaloneRootless"
  }''')


# Source: GD api-reference/beta/api/intune-mstunnel-microsofttunnelconfiguration-get.md
#         @ 028b8e354879f1054adbd96bfa8d16fff4330811, "Response" example (note disableUdpConnections: true).
def doc_microsoft_tunnel_configuration() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.microsoftTunnelConfiguration",
    "id": "b8bdb469-b469-b8bd-69b4-bdb869b4bdb8",
    "displayName": "Display Name value",
    "description": "Description value",
    "network": "Network value",
    "ipv6Network": "Ipv6Network value",
    "dnsServers": [
      "Dns Servers value"
    ],
    "defaultDomainSuffix": "Default Domain Suffix value",
    "routesInclude": [
      "Routes Include value"
    ],
    "routesExclude": [
      "Routes Exclude value"
    ],
    "routeIncludes": [
      "Route Includes value"
    ],
    "routeExcludes": [
      "Route Excludes value"
    ],
    "splitDNS": [
      "Split DNS value"
    ],
    "listenPort": 10,
    "advancedSettings": [
      {
        "@odata.type": "microsoft.graph.keyValuePair",
        "name": "Name value",
        "value": "Value value"
      }
    ],
    "lastUpdateDateTime": "2016-12-31T23:58:21.6459442-08:00",
    "roleScopeTagIds": [
      "Role Scope Tag Ids value"
    ],
    "disableUdpConnections": true
  }''')


# ===================================================================================================
# Graph documentation: devices, detected apps, audit (example responses, verbatim)

# Source: GD api-reference/beta/api/intune-devices-detectedapp-get.md
#         @ 0461a972c62a460455d12b2e7697d2daa228d2f4, "Response" example (no publisher, no platform).
# (Resource page intune-devices-detectedapp.md @ 00e146a92755a19260d07a735eee6e9df034f45f adds publisher
#  and platform: unknown | windows | windowsMobile | windowsHolographic | ios | macOS | chromeOS |
#  androidOSP | androidDeviceAdministrator | androidWorkProfile | androidDedicatedAndFullyManaged.)
def doc_detected_app() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.detectedApp",
    "id": "caf60db6-0db6-caf6-b60d-f6cab60df6ca",
    "displayName": "Display Name value",
    "version": "Version value",
    "sizeInByte": 10,
    "deviceCount": 11
  }''')


# Source: GD api-reference/beta/api/intune-devices-manageddevice-get.md
#         @ 0273c463ba400fd1c477eb6800edb2eee57b1773, "Response" example, cut to the top-level scalar
#         properties a device list under a detected app shows (the example's nested hardwareInformation,
#         deviceActionResults, deviceHealthAttestationState… are left out; every value kept is verbatim).
def doc_managed_device() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.managedDevice",
    "id": "705c034c-034c-705c-4c03-5c704c035c70",
    "userId": "User Id value",
    "deviceName": "Device Name value",
    "ownerType": "company",
    "managedDeviceOwnerType": "company",
    "managementState": "retirePending",
    "enrolledDateTime": "2016-12-31T23:59:43.797191-08:00",
    "lastSyncDateTime": "2017-01-01T00:02:49.3205976-08:00",
    "operatingSystem": "Operating System value",
    "complianceState": "compliant",
    "managementAgent": "mdm",
    "osVersion": "Os Version value",
    "deviceEnrollmentType": "userEnrollment",
    "azureADDeviceId": "Azure ADDevice Id value",
    "userPrincipalName": "User Principal Name value",
    "model": "Model value",
    "manufacturer": "Manufacturer value",
    "serialNumber": "Serial Number value",
    "joinType": "azureADJoined"
  }''')


# Source: GD api-reference/beta/api/intune-auditing-auditevent-get.md
#         @ 01784a996c3bd7a5e5415c20c478047309f7cc24, "Response" example.
# (Resource page intune-auditing-auditevent.md @ the same commit: the same properties.)
def doc_audit_event() -> Obj:
    return _json(r'''{
    "@odata.type": "#microsoft.graph.auditEvent",
    "id": "59653ce8-3ce8-5965-e83c-6559e83c6559",
    "displayName": "Display Name value",
    "componentName": "Component Name value",
    "actor": {
      "@odata.type": "microsoft.graph.auditActor",
      "type": "Type value",
      "userPermissions": [
        "User Permissions value"
      ],
      "applicationId": "Application Id value",
      "applicationDisplayName": "Application Display Name value",
      "userPrincipalName": "User Principal Name value",
      "servicePrincipalName": "Service Principal Name value",
      "ipAddress": "Ip Address value",
      "userId": "User Id value"
    },
    "activity": "Activity value",
    "activityDateTime": "2016-12-31T23:59:51.6363086-08:00",
    "activityType": "Activity Type value",
    "activityOperationType": "Activity Operation Type value",
    "activityResult": "Activity Result value",
    "correlationId": "52effe71-fe71-52ef-71fe-ef5271feef52",
    "resources": [
      {
        "@odata.type": "microsoft.graph.auditResource",
        "displayName": "Display Name value",
        "modifiedProperties": [
          {
            "@odata.type": "microsoft.graph.auditProperty",
            "displayName": "Display Name value",
            "oldValue": "Old Value value",
            "newValue": "New Value value"
          }
        ],
        "type": "Type value",
        "resourceId": "Resource Id value"
      }
    ],
    "category": "Category value"
  }''')


# ===================================================================================================
# Microsoft's Tunnel test environment (mikeliddle/TunnelTestEnv, scripts/TunnelProfiles.ps1)

# Source: TTE scripts/TunnelProfiles.ps1 @ d76b793ba7aaa22fb21135a7d28bdf7254d3f096,
#         New-IosDeviceConfigurationPolicy: the body POSTed to /beta/deviceManagement/deviceConfigurations:
#             "@odata.type" = "#microsoft.graph.iosVpnConfiguration"; displayName = $DisplayName;
#             id = [System.Guid]::Empty.ToString(); roleScopeTagIds = @("0");
#             authenticationMethod = "UsernameAndPassword"; connectionType = "microsoftTunnel";
#             connectionName = $DisplayName; microsoftTunnelSiteId = $Site.Id;
#             server = @{ address = "$($Site.PublicAddress):$($ServerConfiguration.ListenPort)"; description = "" };
#             proxyServer = (PAC URL or host/port); customData = @(@{ key = "MSTunnelProtectMode"; value = "1" });
#             enableSplitTunneling = $false
#         The later stored version (read_file id 6788175221) adds proxyServer only when a PAC URL or proxy
#         host is given: ``proxy`` None reproduces that body without a proxy. $DisplayName is
#         "ios-$VmName-DC" (New-IosProfiles).
def tte_ios_vpn_configuration(display_name: str, site_id: str, public_address: str, listen_port: int,
                              proxy: Obj | None = None) -> Obj:
    body: Obj = {
        "@odata.type": "#microsoft.graph.iosVpnConfiguration",
        "displayName": display_name,
        "id": "00000000-0000-0000-0000-000000000000",
        "roleScopeTagIds": ["0"],
        "authenticationMethod": "UsernameAndPassword",
        "connectionType": "microsoftTunnel",
        "connectionName": display_name,
        "microsoftTunnelSiteId": site_id,
        "server": {"address": f"{public_address}:{listen_port}", "description": ""},
        "customData": [{"key": "MSTunnelProtectMode", "value": "1"}],
        "enableSplitTunneling": False,
    }
    if proxy is not None:
        body["proxyServer"] = proxy
    return body


# Source: TTE scripts/TunnelProfiles.ps1 @ d76b793ba7aaa22fb21135a7d28bdf7254d3f096,
#         New-AndroidDeviceConfigurationPolicy: the body POSTed to /beta/deviceManagement/deviceConfigurations:
#             "@odata.type" = "#microsoft.graph.androidWorkProfileVpnConfiguration"; displayName = $DisplayName;
#             id = [System.Guid]::Empty.ToString(); roleScopeTagIds = @("0"); authenticationMethod = "azureAD";
#             connectionType = "microsoftProtect"; connectionName = $DisplayName; microsoftTunnelSiteId = $Site.Id;
#             servers = @(@{ address = "$($Site.PublicAddress):$($ServerConfiguration.ListenPort)"; description = "" });
#             proxyServer = (PAC URL or host/port);
#             customData = @(@{ key = "MicrosoftDefenderAppSettings"; value = $null })
#         (proxy handling as for iOS above). $DisplayName is "android-$VmName-DC" (New-AndroidProfiles).
def tte_android_work_profile_vpn_configuration(display_name: str, site_id: str, public_address: str,
                                               listen_port: int, proxy: Obj | None = None) -> Obj:
    body: Obj = {
        "@odata.type": "#microsoft.graph.androidWorkProfileVpnConfiguration",
        "displayName": display_name,
        "id": "00000000-0000-0000-0000-000000000000",
        "roleScopeTagIds": ["0"],
        "authenticationMethod": "azureAD",
        "connectionType": "microsoftProtect",
        "connectionName": display_name,
        "microsoftTunnelSiteId": site_id,
        "servers": [{"address": f"{public_address}:{listen_port}", "description": ""}],
        "customData": [{"key": "MicrosoftDefenderAppSettings", "value": None}],
    }
    if proxy is not None:
        body["proxyServer"] = proxy
    return body


# Source: TTE scripts/TunnelProfiles.ps1 @ d76b793ba7aaa22fb21135a7d28bdf7254d3f096, the body both
#         functions above POST to …/deviceConfigurations/{id}/assign:
#             @{ "assignments" = @(@{ "target" = @{ "groupId" = $GroupId;
#                                                   "@odata.type" = "#microsoft.graph.groupAssignmentTarget" } }) }
def tte_assign_body(group_id: str) -> Obj:
    return {"assignments": [{"target": {"groupId": group_id,
                                        "@odata.type": "#microsoft.graph.groupAssignmentTarget"}}]}


# The assignment as GET …?$expand=assignments returns it after that POST: the posted target unchanged
# ("#" form), with the id, intent and source Graph adds (values filled in: id "<profile>_<group>",
# intent "apply", source "direct").
def tte_assignment(profile_id: str, group_id: str) -> Obj:
    (posted,) = tte_assign_body(group_id)["assignments"]
    return {"id": f"{profile_id}_{group_id}", "intent": "apply", "source": "direct", **posted}


# Source: TTE scripts/TunnelProfiles.ps1 @ d76b793ba7aaa22fb21135a7d28bdf7254d3f096, New-TunnelSite:
#             New-MgDeviceManagementMicrosoftTunnelSite … -MicrosoftTunnelConfiguration @{id = $ServerConfiguration.id }
#         A site's configuration as {id} only (what the site builders below embed in the current tenant).
def tte_site_configuration_reference(configuration_id: str) -> Obj:
    return {"id": configuration_id}


# ===================================================================================================
# Linking helpers


def changed(obj: Obj, **values: Any) -> Obj:
    """A copy of ``obj`` with ``values`` set (each use says why in a comment)."""
    out = copy.deepcopy(obj)
    out.update(copy.deepcopy(values))
    return out


def odata_form(doc: Any, form: str) -> Any:
    """A copy of ``doc`` with every ``@odata.type`` rewritten: ``"bare"`` without the leading ``#`` (Graph's
    documentation metadata and export tools), ``"hash"`` with it (Graph's live responses)."""
    if isinstance(doc, list):
        return [odata_form(item, form) for item in doc]
    if not isinstance(doc, dict):
        return doc
    out = {}
    for key, value in doc.items():
        if key == "@odata.type" and isinstance(value, str):
            bare = value.lstrip("#")
            out[key] = bare if form == "bare" else "#" + bare
        else:
            out[key] = odata_form(value, form)
    return out


# ===================================================================================================
# The tenant: ids (docs ids kept for the first object of each type; "…0002" etc. are new ids)

SITE = "b2f7dc3e-dc3e-b2f7-3edc-f7b23edcf7b2"  # docs site
SERVER_1 = "b5cf0aee-0aee-b5cf-ee0a-cfb5ee0acfb5"  # docs server
SERVER_2 = "b5cf0aee-0aee-b5cf-ee0a-cfb5ee0a0002"  # a second server of the docs shape (new id)
CONFIGURATION = "b8bdb469-b469-b8bd-69b4-bdb869b4bdb8"  # docs server configuration
SITE_PUBLIC_ADDRESS = "Public Address value"  # docs site publicAddress (TTE's $Site.PublicAddress)
LISTEN_PORT = 10  # docs configuration listenPort (TTE's $ServerConfiguration.ListenPort)

G_IOS = "0a1b2c3d-0001-4000-8000-000000000001"
G_AND_WP = "0a1b2c3d-0002-4000-8000-000000000002"
G_AND_DO = "0a1b2c3d-0003-4000-8000-000000000003"

P_IOS_STD = "bd12424c-424c-bd12-4c42-12bd4c4212bd"  # docs iOS example: standalone (microsoftTunnel)
P_IOS_MDE = "bd12424c-424c-bd12-4c42-12bd4c420002"  # docs iOS example: microsoftProtect (new id)
P_IOS_TTE = "7e57e000-0000-4000-8000-000000000001"  # TTE iOS body: microsoftTunnel + MSTunnelProtectMode=1
P_AND_DO_STD = "972962e3-62e3-9729-e362-2997e3622997"  # docs device-owner example: microsoftTunnel
P_AND_DO_MDE = "972962e3-62e3-9729-e362-2997e3620002"  # docs device-owner example: microsoftProtect (new id)
P_AND_WP_STD = "32910378-0378-3291-7803-913278039132"  # docs work-profile example: microsoftTunnel
P_AND_WP_TTE = "7e57e000-0000-4000-8000-000000000002"  # TTE work-profile body: microsoftProtect

APP_AND_MDE = "87247525-7525-8724-2575-248725752487"  # docs androidManagedStoreApp: com.microsoft.scmx
APP_AND_TUNNEL = "87247525-7525-8724-2575-248725750002"  # docs androidManagedStoreApp: com.microsoft.tunnel
APP_IOS_MDE = "a04adbe2-dbe2-a04a-e2db-4aa0e2db4aa0"  # docs iosStoreApp: com.microsoft.scmx
APP_IOS_TUNNEL = "a04adbe2-dbe2-a04a-e2db-4aa0e2db0002"  # docs iosStoreApp: com.microsoft.tunnel
APP_STORE_2 = "a04adbe2-dbe2-a04a-e2db-4aa0e2db0003"  # docs iosStoreApp, per-app VPN (bundleId verbatim)
APP_STORE_3 = "a04adbe2-dbe2-a04a-e2db-4aa0e2db0004"  # docs iosStoreApp, per-app VPN (bundleId verbatim)
APP_VPP = "a0ac9b6f-9b6f-a0ac-6f9b-aca06f9baca0"  # docs iosVppApp, per-app VPN (bundleId verbatim)

DA_IOS = "caf60db6-0db6-caf6-b60d-f6cab60df6ca"  # "Microsoft Tunnel" on ios
DA_WP = "caf60db6-0db6-caf6-b60d-f6cab60d0002"  # "com.microsoft.tunnel" on androidWorkProfile
DA_DO = "caf60db6-0db6-caf6-b60d-f6cab60d0003"  # "com.microsoft.tunnel" on androidDedicatedAndFullyManaged
DA_MDE = "caf60db6-0db6-caf6-b60d-f6cab60d0004"  # "com.microsoft.scmx" on androidWorkProfile (not Tunnel)

DEV_IPHONE = "705c034c-034c-705c-4c03-5c704c035c70"
DEV_WP_1 = "705c034c-034c-705c-4c03-5c704c030002"
DEV_WP_2 = "705c034c-034c-705c-4c03-5c704c030003"
DEV_DO_1 = "705c034c-034c-705c-4c03-5c704c030004"

AE_DOC = "59653ce8-3ce8-5965-e83c-6559e83c6559"  # the docs example, verbatim (not an assignment event)
AE_VPP_BEFORE = "59653ce8-3ce8-5965-e83c-6559e83c0002"
AE_MDE_CREATED = "59653ce8-3ce8-5965-e83c-6559e83c0003"
AE_VPP = "59653ce8-3ce8-5965-e83c-6559e83c0004"
AE_STORE_2 = "59653ce8-3ce8-5965-e83c-6559e83c0005"
AE_STORE_3 = "59653ce8-3ce8-5965-e83c-6559e83c0006"

#: createdDateTime of the docs iOS example (so of P_IOS_MDE): the reassignment delays count from it.
IOS_MDE_CREATED = "2017-01-01T00:02:43.5775965-08:00"

GROUPS = [
    {"id": G_IOS, "displayName": "SG-Tunnel-iOS"},
    {"id": G_AND_WP, "displayName": "SG-Tunnel-Android-BYOD"},
    {"id": G_AND_DO, "displayName": "SG-Tunnel-Android-Corporate"},
]


# ---------------------------------------------------------------------------------------------------
# Profiles


def _zero_overview(overview_id: str) -> Obj:
    # The docs deviceStatusOverview with no errors, failures or conflicts (counts changed, new id).
    return changed(doc_device_configuration_device_overview(), id=overview_id, errorCount=0, failedCount=0,
                   conflictCount=0)


def ios_standalone() -> Obj:
    rule = doc_ios_vpn_configuration()["onDemandRules"][0]
    # Recorded before Graph added these two rule properties (see the module docstring).
    del rule["interfaceTypeMatch"], rule["dnsServerAddressMatch"]
    return changed(
        doc_ios_vpn_configuration(),
        connectionType="microsoftTunnel",  # docs: pulseSecure; the standalone Tunnel client
        microsoftTunnelSiteId=SITE,  # docs: "Microsoft Tunnel Site Id value"; linked to the site
        onDemandRules=[rule],
        assignments=[doc_configuration_assignment_to_group(f"{P_IOS_STD}_{G_IOS}", G_IOS)],
    )


def ios_defender_docs() -> Obj:
    """The docs iOS example as the Defender profile that replaces ``ios_standalone`` with its settings."""
    rule = doc_ios_vpn_configuration()["onDemandRules"][0]
    # The same rule as the standalone's, with the properties the baseline lacks written as "not configured".
    rule["interfaceTypeMatch"] = "notConfigured"
    rule["dnsServerAddressMatch"] = []
    return changed(
        doc_ios_vpn_configuration(),
        id=P_IOS_MDE,
        connectionType="microsoftProtect",  # docs: pulseSecure; the Defender client
        microsoftTunnelSiteId=SITE,
        onDemandRules=[rule],
        assignments=[doc_configuration_assignment_to_group(f"{P_IOS_MDE}_{G_IOS}", G_IOS)],
        deviceStatusOverview=_zero_overview("62d48e3a-8e3a-62d4-3a8e-d4623a8e0002"),
    )


def ios_defender_tte(overview: Obj) -> Obj:
    """TTE's iOS Defender profile (microsoftTunnel + MSTunnelProtectMode=1) assigned to the iOS group."""
    body = tte_ios_vpn_configuration("ios-tunnelcheck-DC", SITE, SITE_PUBLIC_ADDRESS, LISTEN_PORT)
    return changed(body, id=P_IOS_TTE,  # Graph assigns the id (the body posts the empty GUID)
                   assignments=[tte_assignment(P_IOS_TTE, G_IOS)], deviceStatusOverview=overview)


def android_device_owner(profile_id: str, connection_type: str, assignments: list[Obj],
                         overview: Obj | None = None) -> Obj:
    extra = {"deviceStatusOverview": overview} if overview is not None else {}
    return changed(
        doc_android_device_owner_vpn_configuration(),
        id=profile_id,
        connectionType=connection_type,  # docs: pulseSecure
        microsoftTunnelSiteId=SITE,  # absent from this (older) docs example; linked to the site
        assignments=assignments,
        **extra,
    )


def android_work_profile_standalone() -> Obj:
    return changed(
        doc_android_work_profile_vpn_configuration(),
        connectionType="microsoftTunnel",  # docs: pulseSecure
        microsoftTunnelSiteId=SITE,  # absent from this (older) docs example; linked to the site
        assignments=[doc_configuration_assignment_to_group(f"{P_AND_WP_STD}_{G_AND_WP}", G_AND_WP)],
    )


def android_work_profile_defender_tte() -> Obj:
    body = tte_android_work_profile_vpn_configuration("android-tunnelcheck-DC", SITE, SITE_PUBLIC_ADDRESS,
                                                      LISTEN_PORT)
    return changed(body, id=P_AND_WP_TTE, assignments=[tte_assignment(P_AND_WP_TTE, G_AND_WP)],
                   deviceStatusOverview=_zero_overview("62d48e3a-8e3a-62d4-3a8e-d4623a8e0003"))


# ---------------------------------------------------------------------------------------------------
# Apps


def _app(shape: Callable[[], Obj], app_id: str, assignments: list[Obj], **identifiers: str) -> Obj:
    # ``identifiers``: packageId/appIdentifier/bundleId set to a configured app id (see the module docstring).
    return changed(shape(), id=app_id, assignments=assignments, **identifiers)


def android_defender_app(*assignments: Obj) -> Obj:
    return _app(doc_android_managed_store_app, APP_AND_MDE, list(assignments),
                packageId="com.microsoft.scmx", appIdentifier="com.microsoft.scmx")


def android_tunnel_app(*assignments: Obj) -> Obj:
    return _app(doc_android_managed_store_app, APP_AND_TUNNEL, list(assignments),
                packageId="com.microsoft.tunnel", appIdentifier="com.microsoft.tunnel")


def ios_defender_app(*assignments: Obj) -> Obj:
    return _app(doc_ios_store_app, APP_IOS_MDE, list(assignments), bundleId="com.microsoft.scmx")


def ios_tunnel_app(*assignments: Obj) -> Obj:
    return _app(doc_ios_store_app, APP_IOS_TUNNEL, list(assignments), bundleId="com.microsoft.tunnel")


def per_app_vpn_vpp_app(vpn_profile: str) -> Obj:
    return _app(doc_ios_vpp_app, APP_VPP, [doc_app_assignment(
        f"{APP_VPP}_{G_IOS}", "required", doc_group_target(G_IOS), doc_ios_vpp_app_assignment_settings(vpn_profile))])


def per_app_vpn_store_app(app_id: str, vpn_profile: str) -> Obj:
    return _app(doc_ios_store_app, app_id, [doc_app_assignment(
        f"{app_id}_{G_IOS}", "required", doc_group_target(G_IOS), doc_ios_store_app_assignment_settings(vpn_profile))])


# ---------------------------------------------------------------------------------------------------
# Gateway


def site(configuration: Obj, *servers: Obj, upgrade_available: bool) -> Obj:
    # upgradeAvailable is run-time state (TUN-GW-03 ignores it): the docs value in the baseline, false now.
    return changed(doc_microsoft_tunnel_site(), upgradeAvailable=upgrade_available,
                   microsoftTunnelConfiguration=configuration, microsoftTunnelServers=list(servers))


def server(server_id: str, health: str) -> Obj:
    return changed(doc_microsoft_tunnel_server(), id=server_id, tunnelServerHealthStatus=health)


def configuration(last_update: str) -> Obj:
    # lastUpdateDateTime is ignored by TUN-GW-03: the docs value in the baseline, a later one now.
    return changed(doc_microsoft_tunnel_configuration(), lastUpdateDateTime=last_update)


# ---------------------------------------------------------------------------------------------------
# Devices, detected apps, audit events


def device(device_id: str, name: str, operating_system: str, enrollment: str) -> Obj:
    # The docs managedDevice with its id, name, OS and enrollment type set for the device it stands for.
    return changed(doc_managed_device(), id=device_id, deviceName=name, operatingSystem=operating_system,
                   deviceEnrollmentType=enrollment)


DEVICES = {
    DEV_IPHONE: ("IPHONE-EXEC-01", "iOS", "userEnrollment"),
    DEV_WP_1: ("BYOD-PIXEL-01", "Android", "userEnrollment"),
    DEV_WP_2: ("BYOD-GALAXY-02", "Android", "userEnrollment"),
    DEV_DO_1: ("CORP-ZEBRA-01", "Android", "androidEnterpriseFullyManaged"),
}


def devices(*ids: str) -> list[Obj]:
    return [device(i, *DEVICES[i]) for i in ids]


def detected_app(app_id: str, name: str, platform: str, listed: list[Obj] | None, count: int | None = None) -> Obj:
    extra = {} if listed is None else {"managedDevices": listed}
    return changed(doc_detected_app(), id=app_id, displayName=name, platform=platform,
                   deviceCount=len(listed or []) if count is None else count, **extra)


def assign_event(event_id: str, when: str, app_id: str) -> Obj:
    """The docs auditEvent as an app assignment change (activity strings: see the module docstring)."""
    event = doc_audit_event()
    event["resources"][0]["resourceId"] = app_id
    return changed(event, id=event_id, displayName="Patch MobileAppAssignment", activity="Patch MobileAppAssignment",
                   activityType="Patch MobileAppAssignment", activityOperationType="Patch",
                   activityResult="Success", category="Application", activityDateTime=when)


def created_event(event_id: str, when: str, profile_id: str) -> Obj:
    event = doc_audit_event()
    event["resources"][0]["resourceId"] = profile_id
    return changed(event, id=event_id, displayName="Create DeviceConfiguration", activity="Create DeviceConfiguration",
                   activityType="Create DeviceConfiguration", activityOperationType="Create",
                   activityResult="Success", category="DeviceConfiguration", activityDateTime=when)


# ===================================================================================================
# Tenants (resources of a snapshot)

Resources = dict[str, list[Obj]]


def tenant_before() -> Resources:
    """Before the migration (the baseline): standalone profiles on iOS, Android work profile and fully
    managed; the standalone app offered; per-app VPN apps on the iOS standalone profile; the site embeds
    its whole server configuration (as ``$expand=microsoftTunnelConfiguration`` returns it)."""
    return {
        "deviceManagement/deviceConfigurations": [
            ios_standalone(),
            android_device_owner(P_AND_DO_STD, "microsoftTunnel",
                                 [doc_configuration_assignment_to_group(f"{P_AND_DO_STD}_{G_AND_DO}", G_AND_DO)]),
            android_work_profile_standalone(),
        ],
        "deviceAppManagement/mobileApps": [
            android_tunnel_app(
                doc_app_assignment(f"{APP_AND_TUNNEL}_{G_AND_DO}", "required", doc_group_target(G_AND_DO)),
                doc_app_assignment(f"{APP_AND_TUNNEL}_{G_AND_WP}", "required", doc_group_target(G_AND_WP)),
            ),
            ios_tunnel_app(doc_app_assignment(f"{APP_IOS_TUNNEL}_{G_IOS}", "required", doc_group_target(G_IOS),
                                              doc_ios_store_app_assignment_settings(None))),
            per_app_vpn_vpp_app(P_IOS_STD),
            per_app_vpn_store_app(APP_STORE_2, P_IOS_STD),
            per_app_vpn_store_app(APP_STORE_3, P_IOS_STD),
        ],
        "deviceManagement/microsoftTunnelSites": [
            site(configuration("2016-12-31T23:58:21.6459442-08:00"),
                 server(SERVER_1, "healthy"), server(SERVER_2, "healthy"), upgrade_available=True),
        ],
        "deviceManagement/microsoftTunnelConfigurations": [configuration("2016-12-31T23:58:21.6459442-08:00")],
        "groups": copy.deepcopy(GROUPS),
        "deviceManagement/managedDevices": devices(DEV_IPHONE, DEV_WP_1, DEV_WP_2, DEV_DO_1),
        "deviceManagement/detectedApps": [
            detected_app(DA_IOS, "Microsoft Tunnel", "ios", devices(DEV_IPHONE)),
            detected_app(DA_WP, "com.microsoft.tunnel", "androidWorkProfile", devices(DEV_WP_1, DEV_WP_2)),
            detected_app(DA_DO, "com.microsoft.tunnel", "androidDedicatedAndFullyManaged", devices(DEV_DO_1)),
        ],
        "deviceManagement/auditEvents": [
            doc_audit_event(),
            assign_event(AE_VPP_BEFORE, "2016-12-31T23:59:51.6363086-08:00", APP_VPP),
        ],
    }


def _android_defender_app_mid() -> Obj:
    # Offered to all licensed users except the corporate (fully managed) group: documented target forms.
    return android_defender_app(
        doc_app_assignment(f"{APP_AND_MDE}_all", "required", doc_all_licensed_users_target()),
        doc_app_assignment(f"{APP_AND_MDE}_{G_AND_DO}", "required", doc_exclusion_target(G_AND_DO)),
    )


def _ios_defender_app() -> Obj:
    return ios_defender_app(doc_app_assignment(f"{APP_IOS_MDE}_{G_IOS}", "required", doc_group_target(G_IOS),
                                               doc_ios_store_app_assignment_settings(None)))


def tenant_mid() -> Resources:
    """Halfway: Defender deployed (Android with a documented-form exclusion of the corporate group), the
    iOS Defender profile both in TTE's MSTunnelProtectMode form and as the docs example with
    microsoftProtect, the work-profile Defender profile in TTE's form, no fully-managed Defender profile yet;
    two of three per-app VPN apps reassigned (one 9 min 58 s after the new profile was created, one exactly
    10 min after); the standalone app set to uninstall on iOS and for BYOD only; the site now embeds its
    configuration as {id} (TTE's form); a second server reports unknownFutureValue; the standalone app is
    still detected on devices, on Android under its package id."""
    before = tenant_before()
    return {
        "deviceManagement/deviceConfigurations": [
            *before["deviceManagement/deviceConfigurations"],
            ios_defender_tte(doc_device_configuration_device_overview()),  # the docs overview: 34 problems
            ios_defender_docs(),
            android_work_profile_defender_tte(),
        ],
        "deviceAppManagement/mobileApps": [
            _android_defender_app_mid(),
            _ios_defender_app(),
            android_tunnel_app(
                doc_app_assignment(f"{APP_AND_TUNNEL}_{G_AND_DO}", "required", doc_group_target(G_AND_DO)),
                doc_app_assignment(f"{APP_AND_TUNNEL}_{G_AND_WP}", "uninstall", doc_group_target(G_AND_WP)),
            ),
            ios_tunnel_app(doc_app_assignment(f"{APP_IOS_TUNNEL}_{G_IOS}", "uninstall", doc_group_target(G_IOS),
                                              doc_ios_store_app_assignment_settings(None))),
            per_app_vpn_vpp_app(P_IOS_MDE),
            per_app_vpn_store_app(APP_STORE_2, P_IOS_MDE),
            per_app_vpn_store_app(APP_STORE_3, P_IOS_STD),
        ],
        "deviceManagement/microsoftTunnelSites": [
            site(tte_site_configuration_reference(CONFIGURATION),
                 server(SERVER_1, "healthy"), server(SERVER_2, "unknownFutureValue"), upgrade_available=False),
        ],
        "deviceManagement/microsoftTunnelConfigurations": [configuration("2017-01-02T08:15:00.1234567-08:00")],
        "groups": copy.deepcopy(GROUPS),
        "deviceManagement/managedDevices": devices(DEV_IPHONE, DEV_WP_1, DEV_WP_2, DEV_DO_1),
        "deviceManagement/detectedApps": [
            detected_app(DA_IOS, "Microsoft Tunnel", "ios", devices(DEV_IPHONE)),
            detected_app(DA_WP, "com.microsoft.tunnel", "androidWorkProfile", devices(DEV_WP_1, DEV_WP_2)),
            detected_app(DA_DO, "com.microsoft.tunnel", "androidDedicatedAndFullyManaged", devices(DEV_DO_1)),
            detected_app(DA_MDE, "com.microsoft.scmx", "androidWorkProfile", None, count=2),
        ],
        "deviceManagement/auditEvents": [
            *before["deviceManagement/auditEvents"],
            created_event(AE_MDE_CREATED, IOS_MDE_CREATED, P_IOS_MDE),
            # 9 min 58 s after P_IOS_MDE was created: too early (and "10.0 min" if rounded).
            assign_event(AE_VPP, "2017-01-01T00:12:41.5775965-08:00", APP_VPP),
            # Exactly 10 min after, written in UTC: not too early.
            assign_event(AE_STORE_2, "2017-01-01T08:12:43.5775965Z", APP_STORE_2),
        ],
    }


def tenant_after() -> Resources:
    """After cleanup: the iOS and work-profile standalone profiles deleted; the fully-managed standalone
    profile kept with its assignment's intent set to ``remove`` and a Defender replacement (the docs
    device-owner example with microsoftProtect); the Android Defender app without the exclusion; every
    per-app VPN app on the Defender profile; the standalone app set to uninstall everywhere; the standalone
    app gone from iOS, still counted on one fully managed device that Intune does not list."""
    mid = tenant_mid()
    ios_tte = ios_defender_tte(_zero_overview("62d48e3a-8e3a-62d4-3a8e-d4623a8e0004"))
    return {
        "deviceManagement/deviceConfigurations": [
            android_device_owner(P_AND_DO_STD, "microsoftTunnel", [
                doc_configuration_assignment_to_group(f"{P_AND_DO_STD}_{G_AND_DO}", G_AND_DO, intent="remove")]),
            android_device_owner(P_AND_DO_MDE, "microsoftProtect",
                                 [doc_configuration_assignment_to_group(f"{P_AND_DO_MDE}_{G_AND_DO}", G_AND_DO)],
                                 overview=_zero_overview("62d48e3a-8e3a-62d4-3a8e-d4623a8e0005")),
            ios_tte,
            ios_defender_docs(),
            android_work_profile_defender_tte(),
        ],
        "deviceAppManagement/mobileApps": [
            android_defender_app(doc_app_assignment(f"{APP_AND_MDE}_all", "required", doc_all_licensed_users_target())),
            _ios_defender_app(),
            android_tunnel_app(
                doc_app_assignment(f"{APP_AND_TUNNEL}_{G_AND_DO}", "uninstall", doc_group_target(G_AND_DO)),
                doc_app_assignment(f"{APP_AND_TUNNEL}_{G_AND_WP}", "uninstall", doc_group_target(G_AND_WP)),
            ),
            ios_tunnel_app(doc_app_assignment(f"{APP_IOS_TUNNEL}_{G_IOS}", "uninstall", doc_group_target(G_IOS),
                                              doc_ios_store_app_assignment_settings(None))),
            per_app_vpn_vpp_app(P_IOS_MDE),
            per_app_vpn_store_app(APP_STORE_2, P_IOS_MDE),
            per_app_vpn_store_app(APP_STORE_3, P_IOS_MDE),
        ],
        "deviceManagement/microsoftTunnelSites": [
            site(tte_site_configuration_reference(CONFIGURATION),
                 server(SERVER_1, "healthy"), server(SERVER_2, "healthy"), upgrade_available=False),
        ],
        "deviceManagement/microsoftTunnelConfigurations": mid["deviceManagement/microsoftTunnelConfigurations"],
        "groups": copy.deepcopy(GROUPS),
        "deviceManagement/managedDevices": devices(DEV_IPHONE, DEV_WP_1, DEV_WP_2, DEV_DO_1),
        "deviceManagement/detectedApps": [
            detected_app(DA_WP, "com.microsoft.tunnel", "androidWorkProfile", []),
            detected_app(DA_DO, "com.microsoft.tunnel", "androidDedicatedAndFullyManaged", [], count=1),
            detected_app(DA_MDE, "com.microsoft.scmx", "androidWorkProfile", None, count=2),
        ],
        "deviceManagement/auditEvents": [
            *mid["deviceManagement/auditEvents"],
            assign_event(AE_STORE_3, "2017-01-01T02:02:43.5775965-08:00", APP_STORE_3),  # 2 h after
        ],
    }


def tenant_docs_verbatim() -> Resources:
    """The documented example responses almost verbatim: only the navigation properties are embedded
    (the deviceConfigurationAssignment example under the iOS profile, the mobileAppAssignment example under
    the Android app, the server under the site). Nothing in it is a Tunnel profile (the examples'
    connectionType is pulseSecure) and no app has a Defender or Tunnel identifier."""
    return {
        "deviceManagement/deviceConfigurations": [
            changed(doc_ios_vpn_configuration(), assignments=[doc_device_configuration_assignment()]),
            changed(doc_android_device_owner_vpn_configuration(), assignments=[]),
            changed(doc_android_work_profile_vpn_configuration(), assignments=[]),
        ],
        "deviceAppManagement/mobileApps": [
            changed(doc_android_managed_store_app(), assignments=[doc_mobile_app_assignment()]),
            changed(doc_ios_store_app(), assignments=[]),
            changed(doc_ios_vpp_app(), assignments=[]),
        ],
        "deviceManagement/microsoftTunnelSites": [
            changed(doc_microsoft_tunnel_site(), microsoftTunnelServers=[doc_microsoft_tunnel_server()]),
        ],
        "deviceManagement/microsoftTunnelConfigurations": [doc_microsoft_tunnel_configuration()],
        "groups": [],
        "deviceManagement/managedDevices": [doc_managed_device()],
        "deviceManagement/detectedApps": [doc_detected_app()],
        "deviceManagement/auditEvents": [doc_audit_event()],
    }


# ===================================================================================================
# Snapshot documents (the snapshot format, README "Snapshots"); tunnelcheck.sources.snapshot.write seals them.

TENANT_ID = "7e57e000-aaaa-4bbb-8ccc-000000000000"


def snapshot_document(resources: Resources, *, recorded_at: str, source: str) -> Obj:
    return {
        "tunnelcheck_snapshot": 1,
        "recorded_at": recorded_at,
        "tenant_id": TENANT_ID,
        "cloud": "global",
        "source": f"tests/realshapes: {source} (Graph docs example responses and TunnelTestEnv bodies)",
        "resources": resources,
        "provenance": {key: {"requests": 1, "request_ids": [], "completed": True} for key in resources},
    }
