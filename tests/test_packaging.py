"""The wheel carries every package: setuptools lists them explicitly (checks/ is mapped into the package)."""

from __future__ import annotations

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "tunnelcheck").rglob("__init__.py")}
    found.add("tunnelcheck.checks")  # mapped from the top-level checks/ folder
    assert listed == found
