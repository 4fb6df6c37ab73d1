"""A local HTTPS Microsoft Graph beta + Entra ID emulator serving a tunnelcheck snapshot.

The project's tests point the real msgraph-sdk and azure-identity at it, and users run it for demos
(``tunnelcheck emulate SNAPSHOT``, whose command line is tunnelcheck/cli/emulate.py). It never talks to
Microsoft: it is a loopback server with its own CA.
"""

from __future__ import annotations

from .faults import Fault, nested_json
from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, Emulator, RequestLog

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TENANT_ID",
    "Emulator",
    "Fault",
    "RequestLog",
    "nested_json",
]
