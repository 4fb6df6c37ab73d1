"""tunnelcheck: evidence-backed pytest gates for migrating Microsoft Tunnel from the standalone client
app to Microsoft Defender for Endpoint in Intune.

The public API is what a check author needs; everything else is an implementation module.

PYTEST_DONT_REWRITE: the plugin asserts nothing, and ``tunnelcheck demo`` imports it before pytest starts.
"""

from __future__ import annotations

from .check import Check, Context, Evidence, Finding, Phase, Platform, Severity, Verdict, check
from .config import Config, MigrationConfig
from .errors import (
    CheckDefinitionError,
    ConfigError,
    DataUnavailable,
    MalformedData,
    PermissionDenied,
    SnapshotError,
    TunnelcheckError,
)
from .resources import Resource
from .tenant import Tenant

__version__ = "0.1.0"

__all__ = [
    "Check",
    "CheckDefinitionError",
    "Config",
    "ConfigError",
    "Context",
    "DataUnavailable",
    "Evidence",
    "Finding",
    "MalformedData",
    "MigrationConfig",
    "PermissionDenied",
    "Phase",
    "Platform",
    "Resource",
    "Severity",
    "SnapshotError",
    "Tenant",
    "TunnelcheckError",
    "Verdict",
    "__version__",
    "check",
]
