"""Hooks tunnelcheck adds to pytest (registered with ``pytest_addhooks``).

Implement them in a conftest.py, a pytest plugin, or a check pack registered under the entry point group
``tunnelcheck.checks``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .check import Check
    from .results import Result


@pytest.hookspec
def pytest_tunnelcheck_checks() -> list[Check]:  # type: ignore[empty-body]  # a hook spec's body never runs
    """Return checks to add to the catalog (each declared with ``tunnelcheck.check``).

    Called once per run, after configuration, on every implementation; the results are merged and
    check ids must be unique across all of them.
    """


@pytest.hookspec
def pytest_tunnelcheck_result(config: pytest.Config, result: Result) -> None:
    """Called on the controlling process for each check result: a :class:`tunnelcheck.results.Result`
    (typed: ``result.outcome``, ``result.evidence``…), which is also a read-only mapping in the shape of one
    entry of ``--tunnelcheck-json``'s ``results`` (``result["check_id"]``, ``result["outcome"]``…).

    For integrations: ticketing, chat notifications, dashboards.
    """
