"""The ``--tunnelcheck-config`` YAML file: a typed, immutable schema, validated key by key.

The schema is the dataclasses below; ``config.example.yaml`` documents every key. Unknown keys and wrong
types are refused with one line naming the file and the key path (``cfg.yaml: migration.max_profile_errors:
expected an integer, got a string``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Union
from urllib.parse import urlsplit

import yaml

from .errors import ConfigError
from .tenant import MAX_NAME

__all__ = ["DEFAULT_MAX_SNAPSHOT_MB", "AppIds", "AuthConfig", "Config", "MigrationConfig", "Waiver", "load", "parse"]

#: The largest snapshot read, in MB of JSON (decompressed): far above the largest real tenant (the
#: benchmarks' XL tenant, 100,000 devices, is about 110 MB), far below what would exhaust a CI runner.
DEFAULT_MAX_SNAPSHOT_MB = 4096


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
        return name.strip().casefold() in self._standalone_detected_names

    @functools.cached_property
    def _standalone_detected_names(self) -> frozenset[str]:
        ids = (self.standalone_app_ids.android, self.standalone_app_ids.ios)
        return frozenset(n.strip().casefold() for n in (*self.standalone_app_names, *ids))


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
    """The ``auth:`` section: how tunnelcheck gets a Graph token for ``--tenant`` (azure-identity).

    - ``method``: ``default`` (DefaultAzureCredential: environment, workload identity, managed identity,
      Azure CLI...), ``client-secret``, ``certificate``, ``workload-identity``, ``managed-identity``,
      ``azure-cli`` or ``device-code``.
    - ``client_id``: the app registration (required for client-secret and certificate; for
      workload-identity it defaults to ``AZURE_CLIENT_ID``; for managed-identity it picks a user-assigned one).
    - ``tenant_id``: the directory to sign in to; default: the ``--tenant`` value.
    - ``client_secret_env``: the NAME of the environment variable holding the client secret. The secret itself
      never goes in this file (a ``client_secret`` key is refused).
    - ``certificate_path``: PEM file with the certificate and its private key (method certificate).
    - ``token_file_env``: the name of the environment variable holding the federated token FILE path
      (method workload-identity; default ``AZURE_FEDERATED_TOKEN_FILE``).
    """

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
    """The whole file. ``name`` names the tenant everywhere a run shows it (test ids, titles, results,
    summaries, reports, ci/nightly.sh's snapshot file): it wins over the name recorded in the snapshot, the
    ``--tenant`` value and the snapshot's file name (README "Naming a tenant"); one line, at most
    MAX_NAME characters. The keys other than ``name``, ``migration`` and ``waivers`` only matter for
    ``--tenant``:

    - ``cloud``: global (default), usgov, usgovdod or china; sets the Graph host, the authority and the scope.
    - ``graph_url`` / ``authority``: ``https://host[:port]`` overriding the cloud's Graph host and sign-in
      authority (a sovereign endpoint, or a local emulator in tests). The token scope stays the cloud's. A
      Microsoft sign-in pairs only with its own cloud's Graph host (:func:`graph_host_refusal`).
    - ``ca_bundle``: PEM file of the CAs to trust for Graph and sign-in (default: ``SSL_CERT_FILE`` or
      ``REQUESTS_CA_BUNDLE`` when set, else the system and certifi roots).
    - ``auth``: see :class:`AuthConfig`.
    - ``concurrency`` (requests in flight); ``timeout_seconds``: the bound of one whole request (its answer's
      body included) and of one sign-in.
    - ``max_retries`` (per request on 503, 504 or a dropped connection; at most 10) and
      ``retry_budget_seconds`` (per resource: how long its requests may wait to retry after 429/503/504,
      Retry-After always honoured; a throttled request is retried for as long as this budget lasts).
    - ``run_deadline_seconds``: the whole live collection of a tenant; what is not read by then errors.
    - ``max_response_mb`` (one answer, decompressed), ``max_items`` and ``max_pages`` (one collection):
      limits far above the largest real tenant; beyond them the resource errors, naming the limit.
    - ``throttle_limit``: Intune's limit of requests per application in any 20 s (1,000; requests inside a
      ``$batch`` count); the collector keeps 10 % below it, for the application's other clients.
    - ``max_snapshot_mb``: the largest snapshot read (``--snapshot``, ``--baseline``, ``tenants:``,
      ``diff``, ``accept``), in MB of JSON once decompressed; a larger one is refused before it is all read.
    """

    name: str | None = None
    migration: MigrationConfig = field(default_factory=MigrationConfig)
    waivers: tuple[Waiver, ...] = ()
    tenants: tuple[TenantEntry, ...] = ()
    cloud: Cloud = "global"
    graph_url: str | None = None
    authority: str | None = None
    ca_bundle: str | None = None
    auth: AuthConfig = field(default_factory=AuthConfig)
    concurrency: int = 4
    timeout_seconds: int = 60
    max_retries: int = 3
    retry_budget_seconds: int = 300
    run_deadline_seconds: int = 1800
    max_response_mb: int = 256
    max_items: int = 5_000_000
    max_pages: int = 10_000
    throttle_limit: int = 1000
    max_snapshot_mb: int = DEFAULT_MAX_SNAPSHOT_MB

    def __post_init__(self) -> None:
        if self.name is not None and (len(self.name) > MAX_NAME or not self.name.isprintable()):
            raise _Invalid("name", f"expected one line of at most {MAX_NAME} printable characters")
        for key in ("graph_url", "authority"):
            url = getattr(self, key)
            if url is not None and not (url.startswith("https://") and len(url.rstrip("/")) > len("https://")):
                raise _Invalid(key, "expected an https:// URL")
        for key in ("concurrency", "timeout_seconds", "throttle_limit", "max_snapshot_mb", "run_deadline_seconds",
                    "max_response_mb", "max_items", "max_pages"):
            if getattr(self, key) < 1:
                raise _Invalid(key, "expected 1 or more")
        if self.max_retries > 10:
            raise _Invalid("max_retries", "expected at most 10 (the Graph SDK's cap)")
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
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigError(name, f"not valid YAML{where}: {problem}") from None
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
    if key == "":
        return path
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
        refused: Mapping[str, str] = getattr(kind, "_refused_keys", {})
        for key in value:
            if key in refused:
                raise _Invalid(_join(path, str(key)), refused[key])
            if key not in fields:
                known = ", ".join(sorted(fields))
                raise _Invalid(_join(path, str(key)), f"unknown key (known keys here: {known})")
        args = {}
        for name, f in fields.items():
            if name in value:
                args[name] = _build(hints[name], value[name], _join(path, name))
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise _Invalid(_join(path, name), "missing (required)")
        try:
            return kind(**args)
        except _Invalid as exc:  # a rule across keys, raised by the dataclass's __post_init__
            raise _Invalid(_join(path, exc.path), exc.message) from None
    if origin is Literal:
        choices = typing.get_args(kind)
        if value in choices:
            return value
        got = repr(value) if isinstance(value, str) else _describe(value)
        raise _Invalid(path, f"expected one of {', '.join(choices)}, got {got}")
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
