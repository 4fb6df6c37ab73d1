"""The ``--tunnelcheck-config`` YAML file: a typed, immutable schema, validated key by key.

The schema is the dataclasses below; ``config.example.yaml`` documents every key. Unknown keys and wrong
types are refused with one line naming the file and the key path (``cfg.yaml: migration.max_profile_errors:
expected an integer, got a string``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import yaml

from .errors import ConfigError

__all__ = ["AppIds", "Config", "MigrationConfig", "Waiver", "load", "parse"]


@dataclass(frozen=True)
class AppIds:
    android: str
    ios: str


@dataclass(frozen=True)
class MigrationConfig:
    """The ``migration:`` section: what the checks compare against (CHECKS.md "Terms")."""

    #: true: MDE features are wanted; false: Tunnel only. No default: the admin must decide.
    defender_features: bool | None = None
    defender_app_ids: AppIds = AppIds(android="com.microsoft.scmx", ios="com.microsoft.scmx")
    standalone_app_ids: AppIds = AppIds(android="com.microsoft.tunnel", ios="com.microsoft.tunnel")
    browser_package_ids: tuple[str, ...] = (
        "com.android.chrome", "com.microsoft.emmx", "org.mozilla.firefox", "com.sec.android.app.sbrowser",
    )
    max_profile_errors: int = 0
    reassign_delay_minutes: int = 10
    standalone_app_names: tuple[str, ...] = ("Microsoft Tunnel",)


@dataclass(frozen=True)
class Waiver:
    """An accepted failure: ``object`` (an id) narrows it to one offending object."""

    check: str
    reason: str
    owner: str
    expires: dt.date
    object: str | None = None


@dataclass(frozen=True)
class Config:
    migration: MigrationConfig = field(default_factory=MigrationConfig)
    waivers: tuple[Waiver, ...] = ()


def load(path: str | os.PathLike[str] | None) -> Config:
    """Load and validate a config file; ``None`` gives the defaults."""
    if path is None:
        return Config()
    name = os.fspath(path)
    try:
        text = Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(name, f"cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    except UnicodeDecodeError:
        raise ConfigError(name, "not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigError(name, f"not valid YAML{where}: {problem}") from None
    return parse(data or {}, name)


def parse(data: Any, name: str = "config") -> Config:
    try:
        return _build(Config, data, "")
    except _Invalid as exc:
        raise ConfigError(f"{name}: {exc.path}" if exc.path else name, exc.message) from None


class _Invalid(Exception):
    def __init__(self, path: str, message: str) -> None:
        self.path, self.message = path, message


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a mapping", dt.date: "a date"}.get(type(value), type(value).__name__)


def _join(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)


def _build(kind: Any, value: Any, path: str) -> Any:
    """Convert ``value`` to ``kind`` (a dataclass, a tuple[...], an Optional, a scalar), or raise _Invalid."""
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if value is None else _build(options[0], value, path)
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, Mapping):
            raise _Invalid(path, f"expected a mapping, got {_describe(value)}")
        hints = typing.get_type_hints(kind)
        fields = {f.name: f for f in dataclasses.fields(kind)}
        for key in value:
            if key not in fields:
                known = ", ".join(sorted(fields))
                raise _Invalid(_join(path, str(key)), f"unknown key (known keys here: {known})")
        args = {}
        for name, f in fields.items():
            if name in value:
                args[name] = _build(hints[name], value[name], _join(path, name))
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise _Invalid(_join(path, name), "missing (required)")
        return kind(**args)
    if origin is tuple:
        if not isinstance(value, list):
            raise _Invalid(path, f"expected a list, got {_describe(value)}")
        item = typing.get_args(kind)[0]
        return tuple(_build(item, v, _join(path, i)) for i, v in enumerate(value))
    if kind is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise _Invalid(path, f"expected a date (YYYY-MM-DD), got {_describe(value)}")
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise _Invalid(path, "expected a number of 0 or more")
        return value
    if kind is str and isinstance(value, str) and value.strip():
        return value.strip()
    if kind is bool and isinstance(value, bool):
        return value
    expected = {int: "an integer", str: "a non-empty string", bool: "true or false"}.get(kind, str(kind))
    raise _Invalid(path, f"expected {expected}, got {_describe(value)}")
