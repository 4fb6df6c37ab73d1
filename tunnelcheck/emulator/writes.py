"""The emulator's write mode, for tests only: Graph beta write requests applied to the emulated tenant as
Graph applies them, so that a test can apply ``tunnelcheck plan``'s requests and record the result.

Never reachable from a user's run: ``Emulator(writable=True)`` is the only way in (``tunnelcheck emulate``
has no such option), and without it every write is refused with 405 as before. Every write is still
logged in ``Emulator.write_attempts``, so the suite-wide read-only check (the root conftest.py) sees it and
accepts it only from tests marked ``provokes_writes``.

What it does, as Graph beta does (docs/graph.md#writes: the request and response shapes of Intune's API):

==============================================================  ============================================
request                                                         effect
==============================================================  ============================================
``POST /deviceManagement/deviceConfigurations``                 a new profile: a new ``id``, ``createdDateTime``
                                                                and ``lastModifiedDateTime`` now, ``version`` 1,
                                                                no assignments, an empty status overview; 201
``PATCH /deviceManagement/deviceConfigurations/{id}``           the properties given replace the profile's
                                                                (``lastModifiedDateTime`` now, ``version`` + 1)
``POST /deviceManagement/deviceConfigurations/{id}/assign``     the assignments become exactly those given
``POST /deviceAppManagement/mobileApps/{id}/assignments``       one assignment more (one per group: Intune
                                                                refuses a second one for the same group)
``PATCH …/mobileApps/{id}/assignments/{assignmentId}``          that assignment's intent, target, settings
``DELETE …/mobileApps/{id}/assignments/{assignmentId}``         that assignment removed; 204
``POST /deviceAppManagement/mobileApps/{id}/assign``            the app's assignments become exactly those given
``PATCH /deviceManagement/microsoftTunnelConfigurations/{id}``  the properties given replace the configuration's
==============================================================  ============================================

Each write adds an Intune audit event (``activityType`` such as ``Patch MobileAppAssignment``, the changed
object's id as ``resources[].resourceId``, shaped like the demo's) at the emulator's clock, which a test
moves forward to let the plan's waits pass without sleeping. Writes need the ``ReadWrite`` permission of
the resource (403 otherwise: tunnelcheck's own read permissions cannot write). It is stricter than Graph
where a plan could be wrong unnoticed: a create or update body that names a property Graph sets itself
(``id``, the timestamps, ``version``) or a relation (``assignments``…) is refused with 400. Writes inside a
``$batch`` stay refused.
"""

from __future__ import annotations

import copy
import json
import random
import threading
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ..model.resources import Resource
from .graph import NAVIGATIONS
from .replies import GraphError, Reply, json_reply

__all__ = ["Clock", "WriteMode"]

CONFIGURATIONS = Resource.DEVICE_CONFIGURATIONS.value
APPS = Resource.MOBILE_APPS.value
TUNNEL_CONFIGURATIONS = Resource.TUNNEL_CONFIGURATIONS.value
AUDIT = Resource.AUDIT_EVENTS.value
_WRITE_ROLES = {CONFIGURATIONS: "DeviceManagementConfiguration.ReadWrite.All",
                TUNNEL_CONFIGURATIONS: "DeviceManagementConfiguration.ReadWrite.All",
                APPS: "DeviceManagementApps.ReadWrite.All"}
_SERVER_SET = frozenset({"id", "createdDateTime", "lastModifiedDateTime", "version"})
#: Roles a write test's token needs (``Emulator.access_token(roles=WRITE_ROLES)``).
WRITE_ROLES = tuple(sorted(set(_WRITE_ROLES.values())))


class Clock:
    """The emulator's time for what writes stamp: starts at ``start`` and moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start if start.tzinfo else start.replace(tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self._now

    def stamp(self) -> str:
        return self._now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def advance(self, minutes: float) -> None:
        self._now += timedelta(minutes=minutes)


def _type_key(value: Any) -> str:
    return str(value or "").removeprefix("#").casefold()


def _target_key(target: Any) -> tuple[str, str]:
    """What Intune allows once per app: a group (included or excluded), or one non-group target type."""
    if not isinstance(target, dict) or not target.get("@odata.type"):
        raise GraphError(400, "An assignment needs a target with an @odata.type.")
    group = target.get("groupId")
    if "group" in _type_key(target["@odata.type"]):
        if not isinstance(group, str) or not group:
            raise GraphError(400, "A group assignment target needs a groupId.")
        return ("group", group)
    return ("type", _type_key(target["@odata.type"]))


class WriteMode:
    """Applies write requests to ``resources`` (the emulator's own copy of the snapshot's)."""

    def __init__(self, resources: dict[str, list[Any]], clock: Clock, client_id: str) -> None:
        self.resources = resources
        self.clock = clock
        self.client_id = client_id
        self._lock = threading.Lock()
        self._rng = random.Random("tunnelcheck-emulator-writes")

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def apply(self, method: str, path: str, body: bytes, roles: Sequence[str]) -> Reply:
        """One write request (``path`` normalised, ``/beta/...``); raises GraphError as Graph would answer."""
        segments = [s for s in path.split("/") if s]
        if not segments or segments[0] != "beta":
            raise GraphError(400, "The tunnelcheck emulator serves Graph beta only.")
        rest = segments[1:]
        key = "/".join(rest[:2])
        if key not in _WRITE_ROLES:
            raise GraphError(405, f"The tunnelcheck emulator's write mode does not write {path}.")
        if _WRITE_ROLES[key] not in roles:
            raise GraphError(403, "Application is not authorized to perform this operation. Application must have "
                             f"the following scope: {_WRITE_ROLES[key]}")
        document = _json(body) if method in ("POST", "PATCH") else None
        with self._lock:
            return self._route(method, key, rest[2:], document)

    # -- routing -------------------------------------------------------------------------------------------

    def _route(self, method: str, key: str, rest: list[str], body: Any) -> Reply:
        if key == CONFIGURATIONS:
            if method == "POST" and not rest:
                return self._create_configuration(body)
            if method == "PATCH" and len(rest) == 1:
                return self._update(CONFIGURATIONS, rest[0], body, "DeviceConfiguration")
            if method == "POST" and len(rest) == 2 and rest[1] == "assign":
                return self._assign_configuration(rest[0], body)
        elif key == TUNNEL_CONFIGURATIONS and method == "PATCH" and len(rest) == 1:
            return self._update(TUNNEL_CONFIGURATIONS, rest[0], body, "MicrosoftTunnelConfiguration")
        elif key == APPS and rest:
            app = self._find(APPS, rest[0])
            if method == "POST" and rest[1:] == ["assignments"]:
                return self._add_app_assignment(app, body)
            if method == "POST" and rest[1:] == ["assign"]:
                return self._assign_app(app, body)
            if len(rest) == 3 and rest[1] == "assignments" and method in ("PATCH", "DELETE"):
                return self._change_app_assignment(app, rest[2], body if method == "PATCH" else None)
        raise GraphError(400, f"The tunnelcheck emulator's write mode has no {method} for this path.")

    def _items(self, key: str) -> list[Any]:
        items = self.resources.get(key)
        if items is None:
            raise GraphError(404, f"Resource '{key}' does not exist in this tenant (not in the snapshot).")
        return items

    def _find(self, key: str, object_id: str) -> dict[str, Any]:
        for item in self._items(key):
            if isinstance(item, dict) and str(item.get("id")) == object_id:
                return item
        raise GraphError(404, f"Resource '{object_id}' not found in '{key}'.")

    def _audit(self, activity: str, resource_id: str, resource_type: str) -> None:
        events = self.resources.get(AUDIT)
        if events is None:  # not recorded in the snapshot: nothing to add to
            return
        operation = activity.split()[0]
        events.append({
            "id": self.new_id(), "displayName": activity, "activity": activity, "activityType": activity,
            "activityDateTime": self.clock.stamp(), "activityOperationType": operation, "activityResult": "Success",
            "category": "Application" if "App" in activity else "DeviceConfiguration",
            "componentName": "MobileAppManagement" if "App" in activity else "DeviceConfiguration",
            "correlationId": self.new_id(),
            "actor": {"applicationId": self.client_id, "type": "Application", "userPrincipalName": None},
            "resources": [{"resourceId": resource_id, "displayName": resource_id, "type": resource_type,
                           "auditResourceType": resource_type, "modifiedProperties": []}]})

    # -- device configurations -----------------------------------------------------------------------------

    def _create_configuration(self, body: Any) -> Reply:
        body = _object(body)
        if not body.get("@odata.type"):
            raise GraphError(400, "A device configuration needs its @odata.type (the type to create).")
        _refuse_server_set(body, CONFIGURATIONS)
        now = self.clock.stamp()
        created = {**copy.deepcopy(body), "id": self.new_id(), "createdDateTime": now, "lastModifiedDateTime": now,
                   "version": 1}
        stored = {**created, "assignments": [], "deviceStatusOverview": {
            "id": "overview", "pendingCount": 0, "notApplicableCount": 0, "successCount": 0, "errorCount": 0,
            "failedCount": 0, "conflictCount": 0, "lastUpdateDateTime": now, "configurationVersion": 1}}
        self._items(CONFIGURATIONS).append(stored)
        self._audit("Create DeviceConfiguration", created["id"], "DeviceConfiguration")
        return json_reply(created, status=201)

    def _update(self, key: str, object_id: str, body: Any, kind: str) -> Reply:
        item = self._find(key, object_id)
        body = _object(body)
        given = body.get("@odata.type")
        if given is not None and item.get("@odata.type") and _type_key(given) != _type_key(item["@odata.type"]):
            raise GraphError(400, f"The @odata.type {given} is not the object's ({item['@odata.type']}).")
        _refuse_server_set(body, key)
        item.update({k: copy.deepcopy(v) for k, v in body.items() if k != "@odata.type"})
        if "lastModifiedDateTime" in item or key == CONFIGURATIONS:
            item["lastModifiedDateTime"] = self.clock.stamp()
        if isinstance(item.get("version"), int):
            item["version"] += 1
        if key == TUNNEL_CONFIGURATIONS:
            item["lastUpdateDateTime"] = self.clock.stamp()
        self._audit(f"Patch {kind}", object_id, kind)
        return json_reply({k: copy.deepcopy(v) for k, v in item.items() if k not in NAVIGATIONS.get(key, {})})

    def _assign_configuration(self, object_id: str, body: Any) -> Reply:
        item = self._find(CONFIGURATIONS, object_id)
        assignments = _object(body).get("assignments")
        if not isinstance(assignments, list):
            raise GraphError(400, "The assign action needs 'assignments': a list.")
        made = []
        for given in assignments:
            if not isinstance(given, dict):
                raise GraphError(400, "Each assignment must be an object.")
            target = given.get("target")
            _target_key(target)
            made.append({"id": f"{object_id}_{self.new_id()}", "intent": given.get("intent") or "apply",
                         "source": "direct", "sourceId": object_id, "target": copy.deepcopy(target)})
        item["assignments"] = made
        self._audit("Assign DeviceConfiguration", object_id, "DeviceConfiguration")
        return json_reply({"value": copy.deepcopy(made)})

    # -- app assignments -----------------------------------------------------------------------------------

    def _app_assignment(self, app: dict[str, Any], given: Any, assignment_id: str) -> dict[str, Any]:
        given = _object(given)
        intent = given.get("intent")
        if intent not in ("required", "available", "availableWithoutEnrollment", "uninstall"):
            raise GraphError(400, f"Invalid intent {intent!r} for a mobile app assignment.")
        _target_key(given.get("target"))
        return {"id": assignment_id, "intent": intent, "source": "direct", "sourceId": None,
                "target": copy.deepcopy(given["target"]), "settings": copy.deepcopy(given.get("settings"))}

    def _check_one_per_group(self, assignments: Sequence[Mapping[str, Any]]) -> None:
        seen: set[tuple[str, str]] = set()
        for a in assignments:
            key = _target_key(a.get("target"))
            if key in seen:
                raise GraphError(400, f"The app already has an assignment for this target ({key[1]}): one per group.")
            seen.add(key)

    def _add_app_assignment(self, app: dict[str, Any], body: Any) -> Reply:
        assignments = app.setdefault("assignments", [])
        made = self._app_assignment(app, body, f"{app['id']}_{self.new_id()}")
        self._check_one_per_group([*assignments, made])
        assignments.append(made)
        self._audit("Create MobileAppAssignment", str(app["id"]), "MobileApp")
        return json_reply(copy.deepcopy(made), status=201)

    def _change_app_assignment(self, app: dict[str, Any], assignment_id: str, body: Any) -> Reply:
        assignments = app.get("assignments") or []
        found = next((a for a in assignments if isinstance(a, dict) and str(a.get("id")) == assignment_id), None)
        if found is None:
            raise GraphError(404, f"Assignment '{assignment_id}' not found on app '{app['id']}'.")
        if body is None:
            app["assignments"] = [a for a in assignments if a is not found]
            self._audit("Delete MobileAppAssignment", str(app["id"]), "MobileApp")
            return Reply(204)
        merged = {**found, **{k: v for k, v in _object(body).items() if k in ("intent", "target", "settings")}}
        changed = self._app_assignment(app, merged, assignment_id)
        self._check_one_per_group([*(a for a in assignments if a is not found), changed])
        found.update(changed)
        self._audit("Patch MobileAppAssignment", str(app["id"]), "MobileApp")
        return json_reply(copy.deepcopy(found))

    def _assign_app(self, app: dict[str, Any], body: Any) -> Reply:
        given = _object(body).get("mobileAppAssignments")
        if not isinstance(given, list):
            raise GraphError(400, "The assign action needs 'mobileAppAssignments': a list.")
        made = [self._app_assignment(app, a, f"{app['id']}_{self.new_id()}") for a in given]
        self._check_one_per_group(made)
        app["assignments"] = made
        self._audit("Assign MobileApp", str(app["id"]), "MobileApp")
        return Reply(204)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (ValueError, UnicodeDecodeError):
        raise GraphError(400, "The request body is not JSON.") from None


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise GraphError(400, "The request body must be a JSON object.")
    return body


def _refuse_server_set(body: Mapping[str, Any], key: str) -> None:
    named = sorted(k for k in body if k in _SERVER_SET or k in NAVIGATIONS.get(key, {}))
    if named:
        raise GraphError(400, f"Properties Graph sets itself, or relations, cannot be written: {', '.join(named)}.")
