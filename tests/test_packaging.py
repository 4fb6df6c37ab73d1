"""The wheel carries every package (setuptools lists them explicitly; checks/ is mapped into the package) and
every data file the code reads."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "tunnelcheck").rglob("__init__.py")}
    found.add("tunnelcheck.checks")  # mapped from the top-level checks/ folder
    assert listed == found


def test_every_data_file_of_the_package_is_package_data() -> None:
    """A wheel carries the files the code reads (the config schema the loader validates with, the demo)."""
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    data = [p.relative_to(ROOT) for p in (ROOT / "tunnelcheck").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert Path("tunnelcheck/config.schema.json") in data
    for file in data:
        package = ".".join(file.parent.parts)
        assert any(fnmatch.fnmatch(file.name, g) for g in globs.get(package, [])), f"{file} is not package data"
