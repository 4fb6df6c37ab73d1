"""Property-level differences between two versions of a Graph object.

One place for "what changed": the gateway drift check, the drift checks and ``tunnelcheck diff`` all
compare raw objects through ``changes``, so an ignored field is ignored everywhere.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .model import canonical_json

__all__ = ["Change", "changes"]


@dataclass(frozen=True)
class Change:
    path: str  # dotted property path, e.g. "proxyServer.port"
    old: Any
    new: Any


def _flatten(value: Any, path: str, ignore: Collection[str]) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if key in ignore or child in ignore or key == "@odata.context":
                continue
            yield from _flatten(item, child, ignore)
    else:
        yield path, value


def _same(old: Any, new: Any) -> bool:
    # Absent, null and empty mean the same thing in Graph's JSON (absent = false/none, CHECKS.md).
    if old in (None, [], {}) and new in (None, [], {}):
        return True
    return canonical_json(old) == canonical_json(new)


def changes(old: Mapping[str, Any], new: Mapping[str, Any], ignore: Collection[str] = ()) -> list[Change]:
    """The leaf properties that differ, in a stable order. ``ignore`` names keys (at any depth) or
    dotted paths to leave out; lists are compared whole."""
    before = dict(_flatten(old, "", ignore))
    after = dict(_flatten(new, "", ignore))
    return [
        Change(path, before.get(path), after.get(path))
        for path in sorted(before.keys() | after.keys())
        if not _same(before.get(path), after.get(path))
    ]
