"""A local HTTPS Microsoft Graph beta + Entra ID emulator serving tunnelcheck snapshots, one tenant each.

The project's tests point the real msgraph-sdk and azure-identity at it, and users run it for demos
(``tunnelcheck emulate SNAPSHOT``, whose command line is tunnelcheck/cli/emulate.py). It never talks to
Microsoft: it is a loopback server with its own CA.
"""

from __future__ import annotations

from .faults import Fault, nested_json
from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, Emulator, RequestLog
from .tenants import EmulatedTenant, TenantSpec

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TENANT_ID",
    "EmulatedTenant",
    "Emulator",
    "Fault",
    "RequestLog",
    "TenantSpec",
    "nested_json",
]
