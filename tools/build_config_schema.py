"""Writes tunnelcheck/config.schema.json, the JSON Schema (2020-12) of the config file, from its two sources:
the dataclasses of tunnelcheck/config.py (the keys, their types, defaults and limits) and the comments of
config.example.yaml (what each key means). tests/test_config_schema.py fails when the committed file is not
what this writes, so after changing either source run:

    python tools/build_config_schema.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sys
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Union

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tunnelcheck import config  # the checkout's, not an installed one

EXAMPLE = ROOT / "config.example.yaml"
TARGET = ROOT / "tunnelcheck" / config.SCHEMA_FILE


def schema(example: str) -> dict[str, Any]:
    """The schema of the whole file, each key described by its comments in ``example``."""
    described = descriptions(example, _keys(config.Config, ""))
    missing = sorted(set(_paths(config.Config, "")) - set(described))
    if missing:
        raise SystemExit(f"config.example.yaml does not describe {', '.join(missing)}: write a comment above "
                         "each key (or after its value)")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tunnelcheck configuration",
        "description": "The --tunnelcheck-config file (tunnelcheck.yaml). Every key is optional except where "
                       "noted; config.example.yaml shows them all.",
        **_schema_of(config.Config, "", described),
    }


def _schema_of(kind: Any, path: str, described: Mapping[str, str]) -> dict[str, Any]:
    """The schema of one Python type as the loader reads it (tunnelcheck/config.py ``_build``)."""
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        option = _schema_of(next(a for a in typing.get_args(kind) if a is not type(None)), path, described)
        return {**option, "type": [option["type"], "null"]}
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        properties: dict[str, Any] = {}
        for f in dataclasses.fields(kind):
            key = _join(path, f.name)
            properties[f.name] = {"description": described[key], **_schema_of(hints[f.name], key, described),
                                  **f.metadata}
            default = _default(f)
            if default is not None:
                properties[f.name]["default"] = default
        for key, why in getattr(kind, "_refused_keys", {}).items():
            properties[key] = {"description": why, "not": {}}
        required = [f.name for f in dataclasses.fields(kind)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        # Unknown keys before the known keys' values: the loader reports the first error found.
        return {"type": "object", "additionalProperties": False, "properties": properties,
                **({"required": required} if required else {})}
    if origin is Literal:
        return {"enum": list(typing.get_args(kind))}
    if origin is tuple:
        return {"type": "array", "items": _schema_of(typing.get_args(kind)[0], path, described)}
    if kind is dt.date:
        return {"type": "string", "format": "date"}
    if kind is int:
        return {"type": "integer", "minimum": 0}
    if kind is str:
        return {"type": "string", "pattern": config.NON_BLANK}
    if kind is bool:
        return {"type": "boolean"}
    raise TypeError(f"{path}: no JSON Schema for {kind!r}")


def _default(f: dataclasses.Field[Any]) -> Any:
    """A field's default as JSON, or None (no default, or a whole section's)."""
    if f.default is dataclasses.MISSING or f.default is None:
        return None
    value = f.default
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    return list(value) if isinstance(value, tuple) else value


def _item(kind: Any) -> Any:
    """The dataclass a key's value holds, itself or as the items of a list (or None)."""
    kind = next((a for a in typing.get_args(kind) if a is not type(None)), kind) \
        if typing.get_origin(kind) in (Union, types.UnionType) else kind
    kind = typing.get_args(kind)[0] if typing.get_origin(kind) is tuple else kind
    return kind if dataclasses.is_dataclass(kind) else None


def _keys(kind: Any, path: str) -> dict[str, set[str]]:
    """The keys under each path ("" for the top; a list's items add no step: ``waivers.check``)."""
    hints = typing.get_type_hints(kind)
    out = {path: {f.name for f in dataclasses.fields(kind)}}
    for f in dataclasses.fields(kind):
        if (inner := _item(hints[f.name])) is not None:
            out |= _keys(inner, _join(path, f.name))
    return out


def _paths(kind: Any, path: str) -> list[str]:
    return [_join(parent, key) for parent, keys in _keys(kind, path).items() for key in keys]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_KEY = re.compile(r"( *)([A-Za-z_][A-Za-z0-9_]*):(?:\s|$)")
_TRAILING_COMMENT = re.compile(r"\s#\s?(.*)$")


def descriptions(text: str, keys: Mapping[str, set[str]]) -> dict[str, str]:
    """Each key's description in the example YAML ``text``: the comment lines right above its line (written
    out or commented out, ``# key: value``), then a comment after its value. ``keys`` gives the keys under
    each path: a comment line that looks like ``word: ...`` is a key's only where ``word`` is one there."""
    found: dict[str, str] = {}
    block: list[str] = []
    enclosing: list[tuple[int, str]] = []  # (column, path) of the keys around the current line
    for line in text.splitlines():
        commented = line.lstrip().startswith("#")
        hash_at = line.find("#")
        # A commented-out line is "# " before the line it would be; a list item's dash counts as indent.
        body = line[:hash_at] + line[hash_at + 1:].removeprefix(" ") if commented else line
        body = re.sub(r"^( *)- ", r"\1  ", body)
        match = _KEY.match(body)
        if match:
            column = len(match[1])
            around = [(c, p) for c, p in enclosing if c < column]
            parent = around[-1][1] if around else ""
            if match[2] in keys.get(parent, ()):
                path = _join(parent, match[2])
                trailing = _TRAILING_COMMENT.search(" " + body[match.end(2) + 1:])
                words = _prose(block + ([trailing[1]] if trailing else []))
                if words:
                    found.setdefault(path, words)
                enclosing = [*around, (column, path)]
                block = []
                continue
        if commented:
            words = line[hash_at + 1:].removeprefix(" ").rstrip()
            if words.lstrip().startswith("#"):  # a comment inside a commented-out block
                words = words.lstrip()[1:].removeprefix(" ")
            block.append(words)
        else:  # a blank line, or a list's item: what was above describes something else
            block = []
    return found


def _prose(lines: list[str]) -> str:
    """Comment lines as one text; an indented line (a case in a list) starts a line of its own."""
    text = ""
    for line in lines:
        separator = "\n" if line.startswith(" ") else " "
        text = f"{text}{separator}{line.strip()}" if text else line.strip()
    return text


def render(example: str) -> str:
    return json.dumps(schema(example), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    TARGET.write_text(render(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
