"""Fixtures of the end-to-end tests; the helpers live in tcharness.py (a unique module name: several
conftest.py files exist in this tree, so ``from conftest import`` would be ambiguous)."""

from __future__ import annotations

import pytest
from tcharness import Demo


@pytest.fixture
def demo(pytester: pytest.Pytester) -> Demo:
    return Demo(pytester)
