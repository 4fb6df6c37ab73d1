"""The built-in check catalog, grouped by family; installed as ``tunnelcheck.checks``.

Each family module declares its checks with ``@check``; this package is registered as a tunnelcheck
plugin and hands them over through ``pytest_tunnelcheck_checks``, exactly as a third-party check pack does.
"""

from __future__ import annotations

from tunnelcheck.check import Check
from tunnelcheck.registry import checks_in

from . import cleanup, defender_app, devices, drift, gateway, parity, per_app_vpn, profiles

FAMILIES = (gateway, defender_app, profiles, parity, per_app_vpn, cleanup, devices, drift)


def pytest_tunnelcheck_checks() -> list[Check]:
    return [c for family in FAMILIES for c in checks_in(family)]
