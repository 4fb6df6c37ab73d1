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
- The pytest plugin: this package (its fixtures are in :mod:`tunnelcheck.testing.plugin`).
  ``pytest_plugins = ["tunnelcheck.testing"]`` in a ``conftest.py`` (or ``pytest -p tunnelcheck.testing``)
  gives the ``check_runner`` fixture, which runs a check on a built tenant.

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

from . import cases, graph, tenants
from .cases import *
from .graph import *
from .tenants import *

__all__ = graph.__all__ + tenants.__all__ + cases.__all__

#: Loaded by pytest with this package as a plugin: the ``check_runner`` fixture.
pytest_plugins = ["tunnelcheck.testing.plugin"]
