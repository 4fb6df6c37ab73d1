"""The OData query options the emulator understands, applied to lists of raw Graph objects.

Kept deliberately to the forms tunnelcheck and the SDK send (docs/graph.md#query-options): ``$filter`` with
``isof('microsoft.graph.X')``, ``startswith(prop,'x')`` and ``prop eq|ne|gt|ge|lt|le literal`` joined by
``and``; ``$select``, ``$expand`` (navigation names, nested options ignored), ``$top``, ``$skip``,
``$skiptoken``, ``$count``, ``$orderby``. Anything else is a 400, as Graph answers an unsupported query,
so a collector that relies on something the emulator cannot vouch for fails in tests instead of in a tenant.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .replies import GraphError
from .tokens import InvalidToken, b64url, b64url_decode

__all__ = ["Query", "parse_query", "skiptoken"]

Predicate = Callable[[Mapping[str, Any]], bool]

#: Known derivations (docs/graph.md#query-options), so that isof() on a base type matches its subtypes as in Graph.
_BASE_TYPES = {
    "iosikEv2VpnConfiguration": "iosVpnConfiguration",
    "iosVpnConfiguration": "appleVpnConfiguration",
    "appleVpnConfiguration": "deviceConfiguration",
    "macOSVpnConfiguration": "appleVpnConfiguration",
    "androidDeviceOwnerVpnConfiguration": "vpnConfiguration",
    "windows10VpnConfiguration": "windowsVpnConfiguration",
    "windowsVpnConfiguration": "deviceConfiguration",
    "vpnConfiguration": "deviceConfiguration",
    "androidWorkProfileVpnConfiguration": "deviceConfiguration",
    "androidForWorkVpnConfiguration": "deviceConfiguration",
    "managedAndroidStoreApp": "managedApp",
    "managedIOSStoreApp": "managedApp",
    "managedApp": "mobileApp",
    "androidManagedStoreApp": "mobileApp",
    "iosStoreApp": "mobileApp",
    "iosVppApp": "mobileApp",
    "androidStoreApp": "mobileApp",
    "iosLobApp": "mobileLobApp",
    "androidLobApp": "mobileLobApp",
    "mobileLobApp": "mobileApp",
}
_OPTIONS = {"$filter", "$select", "$expand", "$top", "$skip", "$skiptoken", "$count", "$orderby"}
_COMPARISON = re.compile(r"^([A-Za-z_@][\w./@]*)\s+(eq|ne|gt|ge|lt|le)\s+(.+)$", re.IGNORECASE)
_ISOF = re.compile(r"""^isof\(\s*(['"])(?:#?microsoft\.graph\.)?([\w]+)\1\s*\)$""", re.IGNORECASE)
_STARTSWITH = re.compile(r"^startswith\(\s*([A-Za-z_][\w/]*)\s*,\s*'((?:[^']|'')*)'\s*\)$", re.IGNORECASE)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$")


@dataclass
class Query:
    """Parsed query options; ``params`` keeps the caller's options to carry into ``@odata.nextLink``."""

    params: dict[str, str] = field(default_factory=dict)
    filter: Predicate | None = None
    select: list[str] | None = None
    expand: list[str] = field(default_factory=list)
    top: int | None = None
    offset: int = 0
    count: bool = False
    orderby: list[tuple[str, bool]] = field(default_factory=list)

    def apply(self, items: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """Filter and order (not page) a collection."""
        out = [item for item in items if self.filter is None or self.filter(item)]
        for prop, descending in reversed(self.orderby):
            present = [i for i in out if _get(i, prop) is not None]
            missing = [i for i in out if _get(i, prop) is None]
            present.sort(key=lambda i: _sort_key(_get(i, prop)), reverse=descending)  # sorted at once: prop is this one
            out = present + missing if not descending else missing + present
        return out


def parse_query(params: Mapping[str, str], navigations: Iterable[str]) -> Query:
    """Validate query options for a collection or entity whose navigation properties are ``navigations``."""
    query = Query(params=dict(params))
    for name in params:
        if name.startswith("$") and name.lower() not in _OPTIONS:
            raise GraphError(400, f"Query option '{name}' is not supported by the tunnelcheck emulator.")
    lowered = {k.lower(): v for k, v in params.items()}
    if "$filter" in lowered:
        query.filter = _parse_filter(lowered["$filter"])
    if "$select" in lowered:
        query.select = [p.strip() for p in lowered["$select"].split(",") if p.strip()]
    if "$expand" in lowered:
        query.expand = _parse_expand(lowered["$expand"], tuple(navigations))
    if "$top" in lowered:
        query.top = _non_negative(lowered["$top"], "$top")
    if "$skip" in lowered:
        query.offset = _non_negative(lowered["$skip"], "$skip")
    if "$skiptoken" in lowered:
        query.offset = _read_skiptoken(lowered["$skiptoken"])
    if "$count" in lowered:
        if lowered["$count"].lower() not in ("true", "false"):
            raise GraphError(400, "$count must be true or false.")
        query.count = lowered["$count"].lower() == "true"
    if "$orderby" in lowered:
        query.orderby = _parse_orderby(lowered["$orderby"])
    return query


def skiptoken(offset: int) -> str:
    """Opaque to clients (as Graph's are): they must follow nextLink, not build their own."""
    return b64url(json.dumps({"o": offset}).encode())


def _read_skiptoken(token: str) -> int:
    try:
        offset = json.loads(b64url_decode(token))["o"]
    except (InvalidToken, ValueError, KeyError, TypeError):
        raise GraphError(400, "The $skiptoken is invalid.") from None
    if not isinstance(offset, int) or offset < 0:
        raise GraphError(400, "The $skiptoken is invalid.")
    return offset


def _non_negative(value: str, name: str) -> int:
    if not value.strip().isdigit():
        raise GraphError(
            400, f"Invalid value '{value}' for query option {name}: expected a non-negative integer."
        )
    return int(value)


def _parse_expand(text: str, navigations: tuple[str, ...]) -> list[str]:
    names: list[str] = []
    depth, current = 0, ""
    for char in text + ",":
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            names.append(current.strip())
            current = ""
        elif depth == 0:
            current += char
    out: list[str] = []
    for name in filter(None, names):
        if name == "*":
            out.extend(navigations)
        elif name in navigations:
            out.append(name)
        else:
            raise GraphError(400, f"Could not find a property named '{name}' on this type to expand.")
    return list(dict.fromkeys(out))


def _parse_orderby(text: str) -> list[tuple[str, bool]]:
    out = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise GraphError(400, f"Invalid $orderby clause '{part.strip()}'.")
        out.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return out


def _parse_filter(text: str) -> Predicate:
    clauses = [_parse_clause(c.strip()) for c in _split_and(text)]
    return lambda item: all(clause(item) for clause in clauses)


def _split_and(text: str) -> list[str]:
    """Split on `` and `` outside quotes; ``or``/``not`` and parentheses beyond a function call are refused."""
    parts, current, quoted, i = [], "", False, 0
    while i < len(text):
        char = text[i]
        if char == "'":
            quoted = not quoted
        if not quoted and text[i : i + 5].lower() == " and ":
            parts.append(current)
            current, i = "", i + 5
            continue
        if not quoted and (text[i : i + 4].lower() == " or " or text[i : i + 4].lower() == "not "):
            raise GraphError(
                400, "Invalid filter clause: only 'and' is supported by the tunnelcheck emulator."
            )
        current += char
        i += 1
    parts.append(current)
    return parts


def _parse_clause(clause: str) -> Predicate:
    if match := _ISOF.match(clause):
        wanted = match.group(2).lower()
        return lambda item: wanted in _type_chain(item)
    if match := _STARTSWITH.match(clause):
        prop, prefix = match.group(1), match.group(2).replace("''", "'").lower()
        return lambda item: isinstance(_get(item, prop), str) and _get(item, prop).lower().startswith(prefix)
    if match := _COMPARISON.match(clause):
        prop, op, literal = match.group(1), match.group(2).lower(), _literal(match.group(3).strip())
        return lambda item: _compare(_get(item, prop), op, literal)
    raise GraphError(
        400,
        f"Invalid filter clause: '{clause}' is not a form the tunnelcheck emulator supports "
        "(isof, startswith, comparisons joined by 'and').",
    )


def _type_chain(item: Mapping[str, Any]) -> set[str]:
    name = str(item.get("@odata.type", "")).removeprefix("#").removeprefix("microsoft.graph.")
    chain = set()
    while name:
        chain.add(name.lower())
        name = _BASE_TYPES.get(name, "")
    return chain


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if _DATETIME.match(text):
        return _datetime(text)
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        raise GraphError(400, f"Invalid filter literal '{text}'.") from None


def _datetime(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _get(item: Mapping[str, Any], path: str) -> Any:
    value: Any = item
    for part in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _compare(value: Any, op: str, literal: Any) -> bool:
    if isinstance(literal, dt.datetime) and isinstance(value, str):
        value = _datetime(value)
    if isinstance(value, str) and isinstance(literal, str):
        value, literal = value.lower(), literal.lower()
    if op in ("eq", "ne"):
        return bool(value == literal) == (op == "eq")
    if value is None or literal is None or isinstance(value, bool) != isinstance(literal, bool):
        return False
    try:
        return bool({"gt": value > literal, "ge": value >= literal, "lt": value < literal, "le": value <= literal}[
            op
        ])
    except TypeError:
        return False


def _sort_key(value: Any) -> Any:
    return (0, value) if isinstance(value, (int, float)) else (1, str(value).lower())
