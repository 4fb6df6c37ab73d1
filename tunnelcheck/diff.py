"""Property-level differences between two versions of a Graph object.

One place for "what changed": the gateway drift check, the drift checks and ``tunnelcheck diff`` all
compare raw objects through ``changes``, so an ignored field is ignored everywhere and a list without a
meaningful order is compared as a set everywhere.

Normalisation (``normalise``), applied to both sides before comparing:

- keys in :data:`VOLATILE` (at any depth) are dropped: they change on every read or by themselves, never
  because an administrator changed a setting;
- OData annotations (``@odata.context``, ``@odata.etag``, ``…@odata.navigationLink``) are dropped;
  ``@odata.type`` is kept (it is the object's type), written with its ``#`` and compared case-insensitively
  (:func:`tunnelcheck.model.type_key`);
- absent, ``null``, ``""``, ``[]`` and ``{}`` mean the same thing in Graph's JSON (absent = false/none,
  docs/terms.md), so empty values are dropped;
- lists named in :data:`UNORDERED` are sorted (by canonical JSON), so a reordering is no change; every
  other list keeps its order and is compared whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .model import canonical_json, canonical_type, type_key

__all__ = ["APP_VOLATILE", "GATEWAY_VOLATILE", "PROFILE_VOLATILE", "UNORDERED", "VOLATILE", "Change", "changes",
           "normalise"]

#: Device configurations: ``version`` and ``lastModifiedDateTime`` are bumped by the service on every
#: save (the save itself shows as the properties it changed); the status overviews and per-device
#: states are recomputed from device check-ins.
PROFILE_VOLATILE = frozenset({
    "lastModifiedDateTime", "version", "deviceStatusOverview", "userStatusOverview", "deviceStatuses",
    "userStatuses", "deviceSettingStateSummaries",
})
#: Mobile apps: whether any assignment exists (derived), license and relationship counts (VPP sync).
APP_VOLATILE = frozenset({
    "isAssigned", "usedLicenseCount", "totalLicenseCount", "availableLicenseCount", "lastSyncDateTime",
    "dependentAppCount", "supersedingAppCount", "supersededAppCount",
})
#: Tunnel Gateway: run-time state, not settings. The servers come and go with deployments, their health
#: is re-evaluated every minute and they check in continuously; upgrades are offered by the service.
GATEWAY_VOLATILE = frozenset({
    "lastUpdateDateTime", "upgradeAvailable", "microsoftTunnelServers", "lastCheckinDateTime",
    "tunnelServerHealthStatus",
})
VOLATILE = PROFILE_VOLATILE | APP_VOLATILE | GATEWAY_VOLATILE

#: Lists whose order means nothing, compared as (multi)sets:
#: - ``assignments`` and ``roleScopeTagIds``: who gets an object and its scope tags are sets;
#: - ``customData`` / ``customKeyValueData``: the client reads the pairs as a dictionary;
#: - ``targetedPackageIds`` / ``targetedMobileApps``: the per-app VPN app set is membership only;
#: - ``associatedDomains``, ``excludedDomains``, ``safariDomains``, ``proxyExclusionList``, and inside an
#:   on-demand rule ``domains``, ``dnsSearchDomains``, ``ssids``: match sets;
#: - ``servers`` (Android VPN servers): the default is marked by ``isDefaultServer``, not by position;
#: - server configuration ``routeIncludes``/``routeExcludes`` (routes match by longest prefix),
#:   ``splitDNS`` (a domain set) and ``advancedSettings`` (name/value pairs).
#: Kept ordered: ``onDemandRules`` (iOS evaluates them in order, the first match wins) and ``dnsServers``
#: (resolvers are tried in order: the first is the primary), and any list not named here.
UNORDERED = frozenset({
    "assignments", "roleScopeTagIds", "customData", "customKeyValueData", "targetedPackageIds",
    "targetedMobileApps", "associatedDomains", "excludedDomains", "safariDomains", "proxyExclusionList",
    "domains", "dnsSearchDomains", "ssids", "servers", "routeIncludes", "routeExcludes", "splitDNS",
    "advancedSettings",
})

_EMPTY: tuple[Any, ...] = (None, "", [], {})


@dataclass(frozen=True)
class Change:
    path: str  # dotted property path, e.g. "proxyServer.port"
    old: Any  # normalised value; None = absent (or empty)
    new: Any
    unordered: bool = False  # a list compared as a set: see ``added`` / ``removed``

    @property
    def added(self) -> list[Any]:
        """For a list: the items of ``new`` that ``old`` lacks (counted as a multiset)."""
        return _minus(self.new, self.old)

    @property
    def removed(self) -> list[Any]:
        return _minus(self.old, self.new)


def _minus(a: Any, b: Any) -> list[Any]:
    if not isinstance(a, list):
        return []
    left = Counter(canonical_json(x) for x in b) if isinstance(b, list) else Counter()
    out = []
    for item in a:
        key = canonical_json(item)
        if left[key]:
            left[key] -= 1
        else:
            out.append(item)
    return out


#: JSON's values that hold no other value.
_SCALARS = (str, int, float, type(None))


def _ignored(key: str, path: str, ignore: Collection[str]) -> bool:
    return key in ignore or path in ignore or ("@odata." in key and key != "@odata.type")


def normalise(value: Any, ignore: Collection[str] = VOLATILE, unordered: Collection[str] = UNORDERED,
              _path: str = "", _key: str = "") -> Any:
    """``value`` without volatile keys, annotations and empty values, with unordered lists sorted."""
    if isinstance(value, _SCALARS):  # most values: spared the slower check of the Mapping ABC
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            path = f"{_path}.{key}" if _path else str(key)
            if _ignored(str(key), path, ignore):
                continue
            item = normalise(item, ignore, unordered, path, str(key))
            if key == "@odata.type" and isinstance(item, str):
                item = canonical_type(item)  # Graph writes the "#", its documentation does not
            if item not in _EMPTY:
                out[key] = item
        return out
    if isinstance(value, list):
        items = [normalise(item, ignore, unordered, _path, _key) for item in value]
        if _key in unordered or _path in unordered:
            items.sort(key=canonical_json)
        return items
    return value


def _flatten(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if not isinstance(value, _SCALARS) and isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
    else:
        yield path, value


def changes(old: Mapping[str, Any], new: Mapping[str, Any], ignore: Collection[str] = VOLATILE,
            unordered: Collection[str] = UNORDERED) -> list[Change]:
    """The leaf properties that differ after :func:`normalise`, in a stable order. ``ignore`` names keys
    (at any depth) or dotted paths to leave out (default :data:`VOLATILE`); lists named in ``unordered``
    (default :data:`UNORDERED`) are compared as sets, every other list whole."""
    before = dict(_flatten(normalise(old, ignore, unordered), ""))
    after = dict(_flatten(normalise(new, ignore, unordered), ""))
    out = []
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path), after.get(path)
        if path.endswith("@odata.type") and isinstance(a, str) and isinstance(b, str) and type_key(a) == type_key(b):
            continue  # types compare case-insensitively (docs/terms.md)
        if canonical_json(a) != canonical_json(b):
            key = path.rsplit(".", 1)[-1]
            out.append(Change(path, a, b, unordered=key in unordered or path in unordered))
    return out
