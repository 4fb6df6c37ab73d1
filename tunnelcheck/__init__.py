"""tunnelcheck: evidence-backed pytest gates for migrating Microsoft Tunnel from the standalone client
app to Microsoft Defender for Endpoint in Intune.

This namespace is the public API: what a check author needs, and all the built-in checks use.

- the check API: :func:`check`, :class:`Context`, :class:`Evidence`, :class:`Verdict`, :class:`Phase`,
  :class:`Platform`, :class:`Severity`, :class:`Resource`;
- the tenant and its typed model: :class:`Tenant`, :class:`TunnelProfile`, :class:`MobileApp`,
  :class:`Target`… (``tunnelcheck.model``, parsed from Graph's JSON);
- the migration's terms (docs/terms.md): :func:`in_scope_standalone`, :func:`defender_profiles`,
  :func:`replacements`, :func:`defender_apps`, :func:`standalone_apps`…;
- the comparison of two tenants: :func:`profile_diffs`, :func:`app_diffs`, :func:`gateway_diffs`;
- the errors a check may raise or meet: :class:`DataUnavailable` and its kinds;
- the words of a reason: :func:`counted` ("2 targets are"), :func:`every` ("all 3 targets"),
  :func:`listed` ("a, b and c"), :func:`named` ("2 targets are …: a and b") and :func:`clauses`.

Everything else is an implementation module. ``tests/test_public_api.py`` pins this list.

PYTEST_DONT_REWRITE: the plugin asserts nothing, and ``tunnelcheck demo`` imports it before pytest starts.
"""

from __future__ import annotations

from .check import Check, Context, Evidence, Finding, Phase, Platform, Severity, Verdict, check
from .config import Config, MigrationConfig
from .drift import (
    SITE,
    Names,
    ObjectDiff,
    PropertyChange,
    TenantDiff,
    app_diffs,
    gateway_diffs,
    profile_diffs,
)
from .errors import (
    CheckDefinitionError,
    ConfigError,
    DataUnavailable,
    MalformedData,
    PermissionDenied,
    SnapshotError,
    TunnelcheckError,
    Unclassifiable,
)
from .migration import (
    ANDROID_KINDS,
    IOS_KINDS,
    CoveringProfiles,
    StandaloneProfile,
    covered_by_any,
    covering_defender_profiles,
    defender_apps,
    defender_profiles,
    in_scope_standalone,
    kinds_of,
    profiles_of_kinds,
    replacements,
    setting_problems,
    standalone_apps,
    standalone_profile_ids,
    unique_targets,
)
from .model import (
    ALL,
    AppAssignment,
    AppKind,
    AuditEvent,
    Client,
    ConnectionType,
    Coverage,
    CustomSettings,
    DetectedApp,
    DeviceConfiguration,
    Group,
    HealthStatus,
    Intent,
    ManagedDevice,
    MobileApp,
    ProfileKind,
    Proxy,
    StatusOverview,
    Target,
    TargetKind,
    TunnelConfiguration,
    TunnelProfile,
    TunnelServer,
    TunnelSite,
    Unclassified,
)
from .model.resources import Resource
from .tenant import Tenant
from .wording import clauses, counted, every, listed, named

__version__ = "0.2.0"

__all__ = [
    "ALL",
    "ANDROID_KINDS",
    "IOS_KINDS",
    "SITE",
    "AppAssignment",
    "AppKind",
    "AuditEvent",
    "Check",
    "CheckDefinitionError",
    "Client",
    "Config",
    "ConfigError",
    "ConnectionType",
    "Context",
    "Coverage",
    "CoveringProfiles",
    "CustomSettings",
    "DataUnavailable",
    "DetectedApp",
    "DeviceConfiguration",
    "Evidence",
    "Finding",
    "Group",
    "HealthStatus",
    "Intent",
    "MalformedData",
    "ManagedDevice",
    "MigrationConfig",
    "MobileApp",
    "Names",
    "ObjectDiff",
    "PermissionDenied",
    "Phase",
    "Platform",
    "ProfileKind",
    "PropertyChange",
    "Proxy",
    "Resource",
    "Severity",
    "SnapshotError",
    "StandaloneProfile",
    "StatusOverview",
    "Target",
    "TargetKind",
    "Tenant",
    "TenantDiff",
    "TunnelConfiguration",
    "TunnelProfile",
    "TunnelServer",
    "TunnelSite",
    "TunnelcheckError",
    "Unclassifiable",
    "Unclassified",
    "Verdict",
    "__version__",
    "app_diffs",
    "check",
    "clauses",
    "counted",
    "covered_by_any",
    "covering_defender_profiles",
    "defender_apps",
    "defender_profiles",
    "every",
    "gateway_diffs",
    "in_scope_standalone",
    "kinds_of",
    "listed",
    "named",
    "profile_diffs",
    "profiles_of_kinds",
    "replacements",
    "setting_problems",
    "standalone_apps",
    "standalone_profile_ids",
    "unique_targets",
]
