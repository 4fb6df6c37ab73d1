"""The pytest plugin of the kit: ``pytest_plugins = ["tunnelcheck.testing"]`` in a conftest.py, or
``pytest -p tunnelcheck.testing``, loads it (the package names this module in its ``pytest_plugins``, so
that the builders load without pytest)."""

from __future__ import annotations

import pytest

from .cases import CheckRunner

__all__ = ["check_runner"]


@pytest.fixture
def check_runner() -> CheckRunner:
    """Runs a check on a built tenant: ``check_runner(check, tenant) -> Verdict``, and
    ``check_runner.verify(check, case)`` asserts an example (:class:`~tunnelcheck.testing.Case`)."""
    return CheckRunner()
