"""Graph beta read endpoints over a snapshot's ``resources``: lists with paging, entities, navigation
properties, and the least-privilege permission check.

The snapshot embeds related collections in each object as ``$expand`` would (docs/snapshot-format.md#resources); Graph does not
send them unless asked, so they are stripped from answers unless expanded, and served on their own paths.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from ..model.resources import PERMISSIONS, Resource
from .odata import Query, parse_query, skiptoken
from .replies import GraphError, Reply, json_reply

__all__ = ["NAVIGATIONS", "GraphService"]

#: Navigation properties per collection, and whether each is single-valued.
NAVIGATIONS: dict[str, dict[str, bool]] = {
    Resource.DEVICE_CONFIGURATIONS.value: {
        "assignments": False,
        "deviceStatusOverview": True,
        "deviceStatuses": False,
        "userStatuses": False,
        "userStatusOverview": True,
    },
    Resource.MOBILE_APPS.value: {"assignments": False},
    Resource.TUNNEL_SITES.value: {"microsoftTunnelServers": False, "microsoftTunnelConfiguration": True},
    Resource.TUNNEL_CONFIGURATIONS.value: {},
    Resource.GROUPS.value: {"members": False, "transitiveMembers": False},
    Resource.MANAGED_DEVICES.value: {"detectedApps": False},
    Resource.DETECTED_APPS.value: {"managedDevices": False},
    Resource.AUDIT_EVENTS.value: {},
}

#: Graph's page sizes where they are not the emulator's ``page_size`` (Intune pages at 1,000): (without
#: ``$top``, the largest ``$top``). A ``$top`` above the largest is capped, as Graph does.
PAGE_LIMITS: dict[str, tuple[int, int]] = {Resource.GROUPS.value: (100, 999)}

#: Roles that also grant a read permission (a ReadWrite role, or a broader directory role).
_BROADER = {
    "GroupMember.Read.All": (
        "Group.Read.All",
        "Group.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
        "GroupMember.ReadWrite.All",
    ),
}


class GraphService:
    """Answers GET requests for ``/beta/...`` paths from ``resources`` (a snapshot's resources mapping)."""

    def __init__(self, resources: Mapping[str, list[Any]], page_size: int, base_url: str) -> None:
        self.resources = resources
        self.page_size = page_size
        self.base_url = base_url
        self._ids: dict[str, tuple[Sequence[Any], int, dict[str, Any]]] = {}  # per collection: id -> object

    def get(self, path: str, params: Mapping[str, str], roles: Sequence[str]) -> Reply:
        """``path`` is normalised (``/beta/...``, no ``//``); raises GraphError for any failure."""
        segments = [s for s in path.split("/") if s]
        if not segments or segments[0] != "beta":
            version = segments[0] if segments else ""
            raise GraphError(
                400, f"Invalid version: {version!r}. The tunnelcheck emulator serves Graph beta only."
            )
        key, rest = self._resolve(segments[1:])
        self._authorize(key, roles)
        items = self.resources.get(key)
        if items is None:
            raise GraphError(404, f"Resource '{key}' does not exist in this tenant (not in the snapshot).")
        navigations = NAVIGATIONS.get(key, {})
        context = f"{self.base_url}/beta/$metadata#{key}"
        if rest and rest[0].startswith(("microsoft.graph.", "graph.")):
            cast = rest[0].split(".")[-1]
            items = [i for i in items if str(i.get("@odata.type", "")).endswith(f".{cast}")]
            context, rest = f"{context}/microsoft.graph.{cast}", rest[1:]
        if not rest:
            query = parse_query(params, navigations)
            return self._list(path, context, items, query, lambda item: self._shape(key, item, query), key)
        item = self._find(items, rest[0], key)
        if len(rest) == 1:
            query = parse_query(params, navigations)
            return json_reply({"@odata.context": f"{context}/$entity", **self._shape(key, item, query)})
        nav = rest[1]
        if nav not in navigations:
            raise GraphError(400, f"Resource not found for the segment '{nav}'.")
        related = self._navigation(key, item, nav)
        nav_context = f"{context}('{quote(str(item.get('id')))}')/{nav}"
        if navigations[nav]:
            if related is None or len(rest) > 2:
                raise GraphError(404, f"'{nav}' of '{item.get('id')}' does not exist.")
            query = parse_query(params, ())
            return json_reply({"@odata.context": f"{nav_context}/$entity", **_select(related, query)})
        related = related or []
        if len(rest) == 2:
            query = parse_query(params, ())
            return self._list(path, nav_context, related, query, lambda r: _select(r, query))
        if len(rest) == 3:
            query = parse_query(params, ())
            entity = _find(related, rest[2], nav)
            return json_reply({"@odata.context": f"{nav_context}/$entity", **_select(entity, query)})
        raise GraphError(400, f"Resource not found for the segment '{rest[3]}'.")

    def _resolve(self, segments: list[str]) -> tuple[str, list[str]]:
        """The longest resource key that prefixes the path (known to tunnelcheck or present in the data)."""
        keys = {r.value for r in Resource} | set(self.resources)
        for length in range(len(segments), 0, -1):
            key = "/".join(segments[:length])
            if key in keys:
                return key, segments[length:]
        unknown = segments[0] if segments else ""
        raise GraphError(400, f"Resource not found for the segment '{unknown}'.", code="BadRequest")

    def _authorize(self, key: str, roles: Sequence[str]) -> None:
        try:
            needed = PERMISSIONS[Resource(key)]
        except ValueError:
            return
        granted = {needed, needed.replace(".Read.", ".ReadWrite."), *_BROADER.get(needed, ())}
        if granted.intersection(roles):
            return
        if key == Resource.GROUPS.value:
            raise GraphError(
                403, "Insufficient privileges to complete the operation.", code="Authorization_RequestDenied"
            )
        raise GraphError(
            403,
            "Application is not authorized to perform this operation. Application must have one "
            f"of the following scopes: {needed}, {needed.replace('.Read.', '.ReadWrite.')}",
        )

    def _find(self, items: Sequence[Mapping[str, Any]], item_id: str, key: str) -> Mapping[str, Any]:
        """``_find`` through an index of the collection (rebuilt when the list changes): per-object requests
        on a collection of 100,000 would otherwise each scan it."""
        cached = self._ids.get(key)
        if cached is None or cached[0] is not items or cached[1] != len(items):
            index: dict[str, Any] = {}
            for candidate in items:
                index.setdefault(str(candidate.get("id")), candidate)
            self._ids[key] = cached = (items, len(items), index)
        item: Mapping[str, Any] | None = cached[2].get(item_id)
        if item is not None and str(item.get("id")) == item_id:
            return item
        return _find(items, item_id, key)  # an item replaced or renamed since: the list decides

    def _list(
        self, path: str, context: str, items: Sequence[Mapping[str, Any]], query: Query, shape: Any,
        key: str | None = None,
    ) -> Reply:
        selected = query.apply(items)
        default, largest = PAGE_LIMITS.get(key or "", (self.page_size, self.page_size))
        size = min(query.top, largest, self.page_size) if query.top is not None else min(default, self.page_size)
        start, end = query.offset, query.offset + size
        body: dict[str, Any] = {"@odata.context": context}
        if query.count:
            body["@odata.count"] = len(selected)
        body["value"] = [shape(item) for item in selected[start:end]]
        if end < len(selected) and size > 0:
            params = {k: v for k, v in query.params.items() if k.lower() not in ("$skiptoken", "$skip")}
            params["$skiptoken"] = skiptoken(end)
            body["@odata.nextLink"] = f"{self.base_url}{path}?{urlencode(params, safe='$,()/:')}"
        return json_reply(body)

    def _shape(self, key: str, item: Mapping[str, Any], query: Query) -> dict[str, Any]:
        navigations = NAVIGATIONS.get(key, {})
        out = _select({k: v for k, v in item.items() if k not in navigations}, query)
        for nav in query.expand:
            related = self._navigation(key, item, nav)
            out[nav] = related if related is not None or navigations[nav] else []
        return out

    def _navigation(self, key: str, item: Mapping[str, Any], nav: str) -> Any:
        """An embedded related object or collection; a tunnel site's configuration reference ({id}) is
        resolved against the recorded configurations, as Graph returns the whole object."""
        related = copy.deepcopy(item.get(nav))
        if key == Resource.TUNNEL_SITES.value and nav == "microsoftTunnelConfiguration" and related:
            for config in self.resources.get(Resource.TUNNEL_CONFIGURATIONS.value) or []:
                if config.get("id") == related.get("id"):
                    return copy.deepcopy(config)
        return related


def _select(item: Mapping[str, Any], query: Query) -> dict[str, Any]:
    if query.select is None:
        return copy.deepcopy(dict(item))
    keep = {"id", "@odata.type", *query.select}
    return {k: copy.deepcopy(v) for k, v in item.items() if k in keep}


def _find(items: Sequence[Mapping[str, Any]], item_id: str, where: str) -> Mapping[str, Any]:
    for item in items:
        if str(item.get("id")) == item_id:
            return item
    raise GraphError(404, f"Resource '{item_id}' not found in '{where}'.")
