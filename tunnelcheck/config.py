"""The ``--tunnelcheck-config`` YAML file: a typed, immutable schema, validated key by key.

One definition serves the loader, editors and the docs (README "Editor validation"): the dataclasses below
give the keys, their types, defaults and limits (a field's ``metadata`` holds its extra JSON Schema
keywords); the comments of ``config.example.yaml`` describe each key; ``tools/build_config_schema.py``
writes both into ``config.schema.json`` (JSON Schema 2020-12, shipped with the package), and a test fails
when that file is not current. :func:`parse` validates a document against that file with ``jsonschema``,
then builds the dataclasses. Unknown keys and wrong types are refused with one line naming the file and
the key path (``cfg.yaml: migration.max_profile_errors: expected an integer, got a string``); the rules
across keys (sign-in settings a method needs, the Graph host a sign-in may send tokens to) are the
dataclasses' own ``__post_init__``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import sys
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar, Literal, Union
from urllib.parse import urlsplit

import yaml

from .errors import ConfigError
from .model import detected_name_key
from .tenant import MAX_NAME
from .untrusted import LONE_SURROGATE, holds_lone_surrogate

__all__ = ["DEFAULT_MAX_SNAPSHOT_MB", "SCHEMA_FILE", "AppIds", "AuthConfig", "Config", "MigrationConfig", "Waiver",
           "load", "parse"]

#: The largest snapshot read, in MB of JSON (decompressed): far above the largest real tenant (the
#: benchmarks' XL tenant, 100,000 devices, is about 110 MB), far below what would exhaust a CI runner.
DEFAULT_MAX_SNAPSHOT_MB = 4096

#: The JSON Schema of the file, in the ``tunnelcheck`` package (written by tools/build_config_schema.py).
SCHEMA_FILE = "config.schema.json"
#: The patterns the schema checks text with, and how an error says what was expected.
NON_BLANK = r"\S"
HTTPS_URL = r"^https://.*[^/]"
#: One line of text that shows: no control, line-break or bidirectional-override character, not blank.
_HIDDEN = r"\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
ONE_LINE = rf"^[^{_HIDDEN}]*[^\s{_HIDDEN}][^{_HIDDEN}]*$"
_PATTERN_WORDS = {NON_BLANK: "a non-empty string", HTTPS_URL: "an https:// URL",
                  ONE_LINE: "one line of printable text"}


@dataclass(frozen=True)
class AppIds:
    android: str
    ios: str


@dataclass(frozen=True)
class MigrationConfig:
    """The ``migration:`` section: what the checks compare against (docs/terms.md)."""

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

    def is_standalone_detected_app(self, name: str) -> bool:
        """Whether a detected app's name is the standalone app's (docs/terms.md, TUN-DEV-01): trimmed and
        in any case, one of its names or, since Android devices report package ids as names, its ids."""
        return detected_name_key(name) in self._standalone_detected_keys

    @property
    def standalone_detected_names(self) -> tuple[str, ...]:
        """The names a detected standalone app may have: its names, then its ids (each once)."""
        ids = (self.standalone_app_ids.android, self.standalone_app_ids.ios)
        return tuple(dict.fromkeys((*self.standalone_app_names, *ids)))

    @functools.cached_property
    def _standalone_detected_keys(self) -> frozenset[str]:
        return frozenset(map(detected_name_key, self.standalone_detected_names))


@dataclass(frozen=True)
class Waiver:
    """An accepted failure: ``object`` (an id) narrows it to one offending object."""

    check: str
    reason: str
    owner: str
    expires: dt.date
    object: str | None = None


Cloud = Literal["global", "usgov", "usgovdod", "china"]
AuthMethod = Literal["default", "client-secret", "certificate", "workload-identity", "managed-identity",
                     "azure-cli", "device-code"]


@dataclass(frozen=True)
class AuthConfig:
    """The ``auth:`` section: how tunnelcheck gets a Graph token for ``--tenant`` (azure-identity). Each key
    is described in config.example.yaml. A key in ``_refused_keys`` is refused, its reason the message."""

    _refused_keys: ClassVar[Mapping[str, str]] = {
        "client_secret": "a secret must not be written in the config file: put it in an environment "
                         "variable and give that variable's name as client_secret_env",
    }

    method: AuthMethod = "default"
    client_id: str | None = None
    tenant_id: str | None = None
    client_secret_env: str | None = None
    certificate_path: str | None = None
    token_file_env: str | None = None

    def __post_init__(self) -> None:
        needs = {"client-secret": ("client_id", "client_secret_env"), "certificate": ("client_id", "certificate_path")}
        for key in needs.get(self.method, ()):
            if getattr(self, key) is None:
                raise _Invalid(key, f"missing (required when method is {self.method})")


#: Graph host and authority host per national cloud (docs/graph.md#clouds); the token scope is
#: ``https://<graph host>/.default``.
CLOUDS: Mapping[str, tuple[str, str]] = {
    "global": ("https://graph.microsoft.com", "https://login.microsoftonline.com"),
    "usgov": ("https://graph.microsoft.us", "https://login.microsoftonline.us"),
    "usgovdod": ("https://dod-graph.microsoft.us", "https://login.microsoftonline.us"),
    "china": ("https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"),
}


def host_of(url: str) -> str:
    """The host of an https:// URL, lower case, without a trailing dot (``graph.microsoft.com.`` is
    ``graph.microsoft.com`` to DNS); "" when it has none or is not a URL."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


#: Each Microsoft sign-in host, and the Graph hosts of its cloud: the only hosts its tokens may go to.
GRAPH_HOSTS_OF_SIGN_IN: Mapping[str, frozenset[str]] = {
    login: frozenset(host_of(g) for g, a in CLOUDS.values() if host_of(a) == login)
    for login in {host_of(a) for _, a in CLOUDS.values()}
}
GRAPH_HOSTS = frozenset().union(*GRAPH_HOSTS_OF_SIGN_IN.values())
#: Domains whose hosts are Microsoft's: an authority under one of them (login.windows.net,
#: login.microsoft.com, ...) hands out real Microsoft tokens even when it is not a cloud's usual one.
_MICROSOFT_DOMAINS = frozenset({".".join(host_of(url).split(".")[-2:]) for pair in CLOUDS.values() for url in pair}
                               | {"windows.net", "microsoftonline.de", "microsoftonline.cn", "usgovcloudapi.net"})
#: The methods whose token comes from Microsoft whatever ``authority`` says. (``default`` asks only its
#: environment credential, which signs in at ``authority``, when that is not Microsoft's: graph/auth.py.)
_METHODS_IGNORING_AUTHORITY = frozenset({"managed-identity", "azure-cli"})


def graph_host_refusal(graph_url: str, authority: str, method: str) -> str | None:
    """Why a Graph token signed for by ``authority`` through ``method`` must not be sent to ``graph_url``, or
    None. A Microsoft sign-in pairs only with the Graph host of its own cloud (docs/graph.md#clouds); any other
    Graph host (a test emulator) needs a non-Microsoft authority too, and a method that signs in there."""
    graph, login = host_of(graph_url), host_of(authority)
    if login in GRAPH_HOSTS_OF_SIGN_IN or login.endswith(tuple(f".{d}" for d in _MICROSOFT_DOMAINS)):
        allowed = GRAPH_HOSTS_OF_SIGN_IN.get(login, GRAPH_HOSTS)
        if graph in allowed:
            return None
        pairs = " or ".join(f"https://{h}" for h in sorted(allowed)) if login in GRAPH_HOSTS_OF_SIGN_IN \
            else "a Microsoft Graph host"
        return (f"{graph_url} is not the Graph host of the Microsoft sign-in {authority} ({pairs}): its token "
                "must not be sent there (a test emulator needs authority: set to itself too)")
    if graph not in GRAPH_HOSTS and method in _METHODS_IGNORING_AUTHORITY:
        return (f"auth.method {method} gets a Microsoft token whatever authority says: it must not be sent to "
                f"{graph_url} (an emulator needs a method that signs in at its authority: client-secret, "
                "certificate, workload-identity, device-code or default)")
    return None


@dataclass(frozen=True)
class TenantEntry:
    """One entry of ``tenants:``: a snapshot file (relative to the config file) or a live tenant."""

    snapshot: str | None = None
    tenant: str | None = None

    def __post_init__(self) -> None:
        if (self.snapshot is None) == (self.tenant is None):
            raise _Invalid("", "give exactly one of snapshot: FILE or tenant: TENANT")


@dataclass(frozen=True)
class Config:
    """The whole file; each key is described in config.example.yaml. The keys other than ``migration``,
    ``waivers``, ``tenants`` and ``max_snapshot_mb`` only matter for ``--tenant``. A Microsoft sign-in
    pairs only with its own cloud's Graph host (:func:`graph_host_refusal`)."""

    name: str | None = field(default=None, metadata={"pattern": ONE_LINE, "maxLength": MAX_NAME})
    migration: MigrationConfig = field(default_factory=MigrationConfig)
    waivers: tuple[Waiver, ...] = ()
    tenants: tuple[TenantEntry, ...] = ()
    cloud: Cloud = "global"
    # A field's metadata: JSON Schema keywords added to its type's (an int is 0 or more, a str not blank).
    graph_url: str | None = field(default=None, metadata={"pattern": HTTPS_URL})
    authority: str | None = field(default=None, metadata={"pattern": HTTPS_URL})
    ca_bundle: str | None = None
    auth: AuthConfig = field(default_factory=AuthConfig)
    concurrency: int = field(default=4, metadata={"minimum": 1})
    timeout_seconds: int = field(default=60, metadata={"minimum": 1})
    max_retries: int = field(default=3, metadata={"maximum": 10})  # the Graph SDK's cap
    retry_budget_seconds: int = 300
    run_deadline_seconds: int = field(default=1800, metadata={"minimum": 1})
    max_response_mb: int = field(default=256, metadata={"minimum": 1})
    max_items: int = field(default=5_000_000, metadata={"minimum": 1})
    max_pages: int = field(default=10_000, metadata={"minimum": 1})
    throttle_limit: int = field(default=1000, metadata={"minimum": 1})
    max_snapshot_mb: int = field(default=DEFAULT_MAX_SNAPSHOT_MB, metadata={"minimum": 1})

    def __post_init__(self) -> None:
        graph_url, authority = CLOUDS[self.cloud]
        refusal = graph_host_refusal(self.graph_url or graph_url, self.authority or authority, self.auth.method)
        if refusal:
            raise _Invalid("graph_url" if self.graph_url else "authority", refusal)


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
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader
    except _DuplicateKey as exc:
        raise ConfigError(name, str(exc)) from None
    except RecursionError:  # PyYAML composes nested nodes recursively
        raise ConfigError(name, "not valid YAML: nested too deeply") from None
    except ValueError:  # the only other one: an integer longer than int() converts (CVE-2020-10735)
        raise ConfigError(name, f"not valid YAML: a number of more than {sys.get_int_max_str_digits()} digits") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigError(name, f"not valid YAML{where}: {problem}") from None
    if holds_lone_surrogate(data):  # YAML's "\ud800" too: nothing tunnelcheck writes could hold it
        raise ConfigError(name, LONE_SURROGATE)
    loaded = parse(data or {}, name)
    # Snapshot paths in tenants: are relative to the config file, wherever pytest runs.
    folder = Path(name).parent
    entries = tuple(dataclasses.replace(e, snapshot=str(folder / e.snapshot)) if e.snapshot else e
                    for e in loaded.tenants)
    return dataclasses.replace(loaded, tenants=entries)


class _DuplicateKey(yaml.YAMLError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader, but a key written twice in one mapping is an error: YAML would keep the last
    silently (two ``migration:`` sections, the first one's settings lost). Keys merged in with ``<<:`` may
    still be overridden: that is what merging is for."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key, line = self.construct_object(key_node, deep=deep), key_node.start_mark.line + 1
                try:
                    if key in first:
                        where = f"twice on line {line}" if first[key] == line else f"on lines {first[key]} and {line}"
                        raise _DuplicateKey(f"duplicate key {key!r} {where} (YAML would keep only the last: merge them)")
                    first[key] = line
                except TypeError:  # an unhashable key: SafeLoader refuses it in its own words
                    break
        return super().construct_mapping(node, deep=deep)


# Dates stay text, as in JSON and in editors (YAML 1.2 has no timestamps): the schema checks them.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse(data: Any, name: str = "config") -> Config:
    """A config document (YAML's or JSON's types) checked against the schema, as a :class:`Config`."""
    try:
        error = next(_schema_validator().iter_errors(data), None)
        if error is not None:
            raise _Invalid(*_problem(data, error))
        built: Config = _build(Config, data, "")
        return built
    except _Invalid as exc:
        raise ConfigError(f"{name}: {exc.path}" if exc.path else name, exc.message) from None


@functools.cache
def _schema_validator() -> Any:
    import jsonschema  # here: a run without a config file does not pay for its import

    schema = json.loads(files("tunnelcheck").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))
    kind = jsonschema.Draft202012Validator
    return kind(schema, format_checker=kind.FORMAT_CHECKER)


class _Invalid(Exception):
    def __init__(self, path: str, message: str) -> None:
        self.path, self.message = path, message


def _problem(data: Any, error: Any) -> tuple[str, str]:
    """The key path and one-line message of the first schema violation (a jsonschema ValidationError):
    what was expected there, and what was found."""
    path, here = "", data
    for step in error.absolute_path:
        path = _join(path, step if isinstance(here, list) else str(step))
        here = here[step]
    keyword, rule, value, schema = error.validator, error.validator_value, error.instance, error.schema
    if keyword == "additionalProperties":
        properties = schema["properties"]
        key = next(k for k in value if k not in properties)
        known = ", ".join(sorted(k for k, s in properties.items() if "not" not in s))
        return _join(path, str(key)), f"unknown key (known keys here: {known})"
    if keyword == "not":  # a refused key: its description says why
        return path, str(schema["description"])
    if keyword == "required":
        return _join(path, next(k for k in rule if k not in value)), "missing (required)"
    if keyword == "enum":
        return path, f"expected one of {', '.join(map(str, rule))}, got {_shown(value)}"
    if keyword == "minimum":
        return path, f"expected {rule} or more, got {value}"
    if keyword == "maximum":
        return path, f"expected at most {rule}, got {value}"
    if keyword == "maxLength":
        return path, f"expected at most {rule} characters, got {len(value)}"
    if keyword == "type":
        return path, f"expected {_expected(schema)}, got {_describe(value)}"
    if keyword in ("pattern", "format"):
        return path, f"expected {_expected(schema)}, got {_shown(value)}"
    return path, f"refused by the schema's {keyword} rule"  # a keyword the schema does not use today


_TYPE_WORDS = {"integer": "an integer", "boolean": "true or false", "string": "a string", "array": "a list",
               "object": "a mapping"}


def _expected(schema: Mapping[str, Any]) -> str:
    if schema.get("format") == "date":
        return "a date (YYYY-MM-DD)"
    if "pattern" in schema:
        return _PATTERN_WORDS[schema["pattern"]]
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return " or ".join(_TYPE_WORDS[k] for k in kinds if k != "null")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a mapping", dt.date: "a date"}.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    """A text value quoted (the start of a long one), anything else described."""
    if not isinstance(value, str):
        return _describe(value)
    return repr(value) if len(value) <= 80 else f"{value[:80]!r}..."


def _join(path: str, key: str | int) -> str:
    if key == "":
        return path
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)


def _build(kind: Any, value: Any, path: str) -> Any:
    """``value``, valid against the schema, as ``kind`` (a dataclass, a tuple[...], an Optional, a date, a
    scalar); a rule across keys (a dataclass's ``__post_init__``) raises _Invalid."""
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        option = next(a for a in typing.get_args(kind) if a is not type(None))
        return None if value is None else _build(option, value, path)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        args = {f.name: _build(hints[f.name], value[f.name], _join(path, f.name))
                for f in dataclasses.fields(kind) if f.name in value}
        try:
            return kind(**args)
        except _Invalid as exc:
            raise _Invalid(_join(path, exc.path), exc.message) from None
    if origin is tuple:
        return tuple(_build(typing.get_args(kind)[0], v, _join(path, i)) for i, v in enumerate(value))
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is int:
        return int(value)  # JSON Schema's integers include 4.0
    if kind is str:
        return value.strip()
    return value  # a bool, or one of a Literal's values
