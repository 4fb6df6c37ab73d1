"""Puts tests/ on the path so the check tests can import ``builders`` (tests/ is not a package, and pytest
adds only this folder)."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent.parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
