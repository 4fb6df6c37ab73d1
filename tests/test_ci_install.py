"""How the CI templates install tunnelcheck (README "Nightly drift", "Installing tunnelcheck in CI"): its
dependencies from ci/requirements.lock, every one pinned by version and sha256, then tunnelcheck itself,
pinned in the one variable TUNNELCHECK_SPEC, without dependencies. The lock is kept current here, offline:
every dependency pyproject.toml declares is in it at a version the declared range allows."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from test_nightly import _steps_running as shell_commands

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]
LOCK = "ci/requirements.lock"
TEMPLATES = {"ci/github/tunnelcheck-nightly.yml": "github", "ci/github/tunnelcheck-fleet.yml": "github",
             "ci/azure-devops/tunnelcheck-nightly.yml": "azure", "ci/azure-devops/tunnelcheck-fleet.yml": "azure"}
#: Each CI system's install step, exactly (tests/test_fleet_ci.py's runners check the same).
INSTALL = {
    "github": [f"python -m pip install --require-hashes -r {LOCK}", 'python -m pip install --no-deps "$TUNNELCHECK_SPEC"'],
    "azure": [f"python -m pip install --require-hashes -r {LOCK}", 'python -m pip install --no-deps "$(TUNNELCHECK_SPEC)"'],
}
#: The pinned forms of TUNNELCHECK_SPEC: a release tag of a repository, or a wheel with its digest.
PINNED = re.compile(r"tunnelcheck @ (git\+https://\S+@v(?P<tag>\S+)|https://\S+\.whl#sha256=[0-9a-f]{64})")


def _project() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def _lock() -> list[tuple[Requirement, list[str]]]:
    """The lock's entries: each requirement (name==version ; marker) with its hashes."""
    lines = [ln for ln in (ROOT / LOCK).read_text("utf-8").splitlines() if not ln.lstrip().startswith("#")]
    entries = []
    for entry in re.sub(r"\\\n", " ", "\n".join(lines)).splitlines():
        if entry.strip():
            requirement, *hashes = entry.split(" --hash=")
            entries.append((Requirement(requirement.strip()), [h.strip() for h in hashes]))
    return entries


def test_the_lock_pins_every_package_by_version_and_hash() -> None:
    entries = _lock()
    assert len(entries) > 20
    for requirement, hashes in entries:
        (spec,) = requirement.specifier
        assert spec.operator == "==" and Version(spec.version), requirement
        assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), requirement
    # tunnelcheck itself is installed from TUNNELCHECK_SPEC, not from the lock.
    assert "tunnelcheck" not in {canonicalize_name(r.name) for r, _ in entries}


def test_the_lock_holds_every_declared_dependency_in_its_range() -> None:
    locked: dict[str, list[Requirement]] = {}
    for requirement, _ in _lock():
        locked.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    for declared in map(Requirement, _project()["dependencies"]):
        entries = locked.get(canonicalize_name(declared.name))
        assert entries, f"{declared.name} is declared in pyproject.toml but not in {LOCK}: regenerate it"
        for entry in entries:  # one per Python version range, when they differ
            (spec,) = entry.specifier
            assert declared.specifier.contains(spec.version, prereleases=True), \
                f"{LOCK} pins {entry}, outside pyproject.toml's {declared}: regenerate it"


def test_the_lock_covers_every_supported_python_and_says_how_it_was_made() -> None:
    """Made for every platform and the oldest Python pyproject.toml supports, by the command README gives."""
    header = (ROOT / LOCK).read_text("utf-8").splitlines()[1].lstrip("# ").strip()
    oldest = re.fullmatch(r">=\s*(\d+\.\d+)", _project()["requires-python"])
    assert oldest, _project()["requires-python"]
    assert header == (f"uv pip compile pyproject.toml --universal --python-version {oldest[1]} --generate-hashes "
                      f"-o {LOCK}")
    assert header in (ROOT / "README.md").read_text("utf-8")


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_install_from_the_lock_and_the_one_pinned_variable(template: str) -> None:
    text = (ROOT / template).read_text("utf-8")
    document = yaml.safe_load(text)
    system = TEMPLATES[template]
    installs = [c for c in shell_commands(document) if "pip" in c]
    jobs = 2 if "fleet" in template else 1
    assert [c.strip().splitlines() for c in installs] == [INSTALL[system]] * jobs, installs
    assert not re.search(r"pip install\s+['\"]?tunnelcheck\b", text)  # never a bare name (not on PyPI)
    # One variable, set once, pinned, at the version of this release.
    defined = re.findall(r"^\s*TUNNELCHECK_SPEC:\s*(.+)$", text, flags=re.MULTILINE)
    assert len(defined) == 1, defined
    spec = yaml.safe_load(defined[0])
    found = PINNED.fullmatch(spec)
    assert found, spec
    assert found["tag"] in (None, _project()["version"]), f"{template} pins {spec}, not this release"
    variables = document["env"] if system == "github" else document["variables"]
    assert variables["TUNNELCHECK_SPEC"] == spec
    header = "\n".join(itertools.takewhile(lambda line: line.startswith("#"), text.splitlines()))
    assert LOCK in header and "TUNNELCHECK_SPEC" in header  # the template says what to copy and to set


def test_readme_documents_the_install() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Nightly drift", 1)[1].split("\n## ", 1)[0]
    for needed in ("TUNNELCHECK_SPEC", LOCK, "--require-hashes", "--no-deps"):
        assert needed in section, needed
