"""The kit for writing and testing checks: build a tenant from Graph-shaped JSON, state what a check must
say about it, and run it.

- :mod:`tunnelcheck.testing.graph`: builders of raw Graph beta objects (VPN profiles of each kind,
  configurations, apps with their assignments, targets, groups, Tunnel sites, servers and server
  configurations, managed devices, detected apps, audit events), in the live form Graph answers with;
  :func:`documented` gives the documented form.
- :mod:`tunnelcheck.testing.tenants`: a :class:`~tunnelcheck.Tenant` in memory (:func:`tenant`) or a
  snapshot document (:func:`snapshot_document`) from those objects.
- :mod:`tunnelcheck.testing.cases`: examples a check must pass, fail (naming exactly the offending
  ids), skip or error on, and ``params`` to make them test cases.
- The pytest plugin: this package. ``pytest_plugins = ["tunnelcheck.testing"]`` in a ``conftest.py``
  (or ``pytest -p tunnelcheck.testing``) gives the ``check_runner`` fixture, which runs a check on a built
  tenant.

A check pack's tests, in full::

    import pytest
    from tunnelcheck import Resource
    from tunnelcheck.testing import (group_target, params, should_error, should_fail, should_pass,
                                     standalone_profile, tenant)
    from acme_checks import profiles_named

    CASES = {profiles_named: [
        should_pass("named", tenant(profiles=[standalone_profile(group_target("g1"), name="Tunnel - Sales")])),
        should_fail("misnamed", tenant(profiles=[standalone_profile(group_target("g1"), name="Sales")]),
                    "p-do-std"),
        should_error("not recorded", tenant(), Resource.DEVICE_CONFIGURATIONS),
    ]}

    @pytest.mark.parametrize(("check", "case"), params(CASES))
    def test_examples(check, case, check_runner):
        check_runner.verify(check, case)
"""

from __future__ import annotations

from .cases import (
    MDE_WANTED,
    TUNNEL_ONLY,
    Case,
    CheckRunner,
    params,
    should_error,
    should_fail,
    should_pass,
    should_skip,
)
from .cases import check_runner as check_runner  # the fixture: registered with this plugin
from .graph import (
    APP_TYPES,
    DEFENDER,
    DEFENDER_APP_ID,
    NO_FILTER,
    STANDALONE,
    STANDALONE_APP_ID,
    VPN_TYPES,
    CustomPairs,
    Obj,
    all_devices,
    all_users,
    android_profile,
    any_target,
    app,
    app_assignment,
    app_type,
    audit_event,
    available,
    available_without_enrollment,
    configuration,
    configuration_assignments,
    custom_data,
    custom_key_value_data,
    defender_app,
    defender_profile,
    detected_app,
    device_reference,
    documented,
    exclusion,
    graph_object,
    graph_type,
    group,
    group_target,
    ios_assignment_settings,
    ios_profile,
    live,
    managed_device,
    numbered,
    protect_mode_profile,
    required,
    server,
    site,
    standalone_app,
    standalone_profile,
    status_overview,
    tunnel_configuration,
    uninstall,
)
from .tenants import RESOURCE_ARGS, InMemorySource, snapshot_document, tenant

__all__ = [
    "APP_TYPES",
    "DEFENDER",
    "DEFENDER_APP_ID",
    "MDE_WANTED",
    "NO_FILTER",
    "RESOURCE_ARGS",
    "STANDALONE",
    "STANDALONE_APP_ID",
    "TUNNEL_ONLY",
    "VPN_TYPES",
    "Case",
    "CheckRunner",
    "CustomPairs",
    "InMemorySource",
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
    "params",
    "protect_mode_profile",
    "required",
    "server",
    "should_error",
    "should_fail",
    "should_pass",
    "should_skip",
    "site",
    "snapshot_document",
    "standalone_app",
    "standalone_profile",
    "status_overview",
    "tenant",
    "tunnel_configuration",
    "uninstall",
]
