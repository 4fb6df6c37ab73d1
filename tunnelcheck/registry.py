"""The catalog: every check known to a run, from the built-in package, installed check packs (entry
point group ``tunnelcheck.checks``) and any plugin implementing ``pytest_tunnelcheck_checks``."""

from __future__ import annotations

import importlib
import types
from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any

from .check import Check
from .errors import CheckDefinitionError
from .model.resources import Resource

__all__ = ["ENTRY_POINT_GROUP", "Catalog", "checks_in", "entry_point_plugins", "recorded_by_default"]

ENTRY_POINT_GROUP = "tunnelcheck.checks"


def checks_in(module: types.ModuleType) -> list[Check]:
    """The checks a module declares at its top level, in the order written."""
    return [value for value in vars(module).values() if isinstance(value, Check)]


def builtin_checks() -> types.ModuleType:
    """The built-in checks' package: the top-level checks/ folder, installed as ``tunnelcheck.checks``
    (pyproject.toml's package-dir; type checkers read it as ``checks``)."""
    return importlib.import_module(f"{__package__}.checks")


def entry_point_plugins() -> Iterator[tuple[str, Any]]:
    """Load the installed check packs: each entry point names a module (or object) implementing
    ``pytest_tunnelcheck_checks``."""
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            yield ep.name, ep.load()
        except Exception as exc:  # a broken pack must be named, not crash the run with a traceback
            raise CheckDefinitionError(
                f"check pack {ep.name!r} ({ep.value}) failed to load: {exc.__class__.__name__}: {exc}") from None


class Catalog(Mapping[str, Check]):
    """Checks by id, in a stable order (phase, then id); ids are unique."""

    def __init__(self, checks: Iterable[Check]) -> None:
        by_id: dict[str, Check] = {}
        for c in checks:
            if not isinstance(c, Check):
                raise CheckDefinitionError(f"pytest_tunnelcheck_checks returned {c!r}, not a Check")
            other = by_id.get(c.id)
            if other is not None and other is not c:
                raise CheckDefinitionError(f"check id {c.id} is declared twice: in {other.module} and {c.module}")
            by_id[c.id] = c
        self._checks = dict(sorted(by_id.items(), key=lambda kv: (kv[1].phase.rank, kv[0])))

    def __getitem__(self, check_id: str) -> Check:
        return self._checks[check_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._checks)

    def __len__(self) -> int:
        return len(self._checks)

    @classmethod
    def builtin(cls) -> Catalog:
        return cls(builtin_checks().pytest_tunnelcheck_checks())

    @property
    def needs(self) -> frozenset[Resource]:
        """Every resource a check of the catalog reads."""
        return frozenset(r for c in self._checks.values() for r in c.needs)

    @classmethod
    def installed(cls) -> Catalog:
        """Built-in checks and every installed check pack (for the CLI, outside pytest)."""
        found = list(builtin_checks().pytest_tunnelcheck_checks())
        for _, plugin in entry_point_plugins():
            hook = getattr(plugin, "pytest_tunnelcheck_checks", None)
            if hook is not None:
                found.extend(hook())
        return cls(found)


def recorded_by_default() -> tuple[Resource, ...]:
    """What ``tunnelcheck record`` collects unless told: every resource an installed check reads (built-in
    and check packs), and the groups, whose names the evidence shows. A check that reads more errors on
    such a snapshot, naming the resource that was not recorded."""
    wanted = Catalog.installed().needs | {Resource.GROUPS}
    return tuple(r for r in Resource if r in wanted)
