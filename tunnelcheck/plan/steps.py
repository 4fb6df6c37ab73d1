"""The plan's data: its text (our words, the tenant's values kept apart), the effects (each one Graph request
and the same change to the predicted tenant), the steps and the plan."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..check import Check, Phase, Verdict
from ..config import MigrationConfig
from ..model.resources import Resource
from ..tenant import SourceInfo

if TYPE_CHECKING:
    from .predict import _World

__all__ = [
    "APPS",
    "CONFIGURATIONS",
    "G",
    "TUNNEL_CONFIGURATIONS",
    "AddApp",
    "AddAppAssignment",
    "AssignProfile",
    "Block",
    "CheckOutcome",
    "CreateProfile",
    "DeleteAppAssignment",
    "Effect",
    "PatchProfile",
    "PatchTunnelConfiguration",
    "Plan",
    "Ref",
    "Request",
    "Step",
    "StepNumber",
    "Table",
    "Text",
    "UpdateAppAssignment",
    "Url",
    "Wait",
    "text",
]

G = "#microsoft.graph."
CONFIGURATIONS = "/deviceManagement/deviceConfigurations/"
APPS = "/deviceAppManagement/mobileApps/"
TUNNEL_CONFIGURATIONS = "/deviceManagement/microsoftTunnelConfigurations/"


# ---------------------------------------------------------------------------------------------------
# Text of the plan: our words with tenant values kept apart, so each medium escapes only the values


@dataclass(frozen=True)
class Text:
    """``fmt`` (ours; backticks mark Graph names) with ``{name}`` placeholders for tenant values."""

    fmt: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def plain(self) -> str:
        return self.fmt.replace("`", "").format(
            **{k: v.plain() if isinstance(v, Text) else str(v) for k, v in self.values.items()})

    def render(self, escape: Callable[[Any], str]) -> str:
        """The text with each tenant value through ``escape`` (a nested Text renders itself)."""
        return self.fmt.format(
            **{k: v.render(escape) if isinstance(v, Text) else escape(v) for k, v in self.values.items()})


def text(fmt: str, **values: Any) -> Text:
    return Text(fmt, values)


class StepNumber:
    """A step's number in a Text, known only once every step is in its place."""

    def __init__(self, step: Step) -> None:
        self.step = step

    def __str__(self) -> str:
        return str(self.step.number)


@dataclass(frozen=True)
class Table:
    """A table of the step's settings: a header, then rows of Text cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[Text, ...], ...]


Block = Text | Table  # a Text block is one checklist item; a Table is shown as it is


# ---------------------------------------------------------------------------------------------------
# Effects: one Graph request each (or a manual action), and the same change to the predicted tenant


class Ref:
    """The id of the object an earlier step made (the ``id`` of its first request's response)."""

    def __init__(self, step: Step) -> None:
        self.step = step

    def __repr__(self) -> str:
        return f"Ref({self.step.kind})"


Url = tuple[str | Ref, ...]  # literal path parts (ids already quoted) and references


def _id(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True)
class Request:
    method: str
    url: Url
    body: Any = None


class Effect:
    """A change to the tenant: :meth:`request` as Graph takes it (None: done by hand), :meth:`apply` to the
    predicted tenant."""

    def request(self) -> Request | None:
        raise NotImplementedError

    def apply(self, world: _World, step: Step) -> None:
        raise NotImplementedError


@dataclass(eq=False)
class CreateProfile(Effect):
    body: dict[str, Any]

    def request(self) -> Request:
        return Request("POST", (CONFIGURATIONS.rstrip("/"),), self.body)

    def apply(self, world: _World, step: Step) -> None:
        new_id = world.new_id(step)
        world.add(Resource.DEVICE_CONFIGURATIONS, {
            **copy.deepcopy(self.body), "id": new_id, "createdDateTime": world.now, "lastModifiedDateTime": world.now,
            "version": 1, "assignments": [], "deviceStatusOverview": _EMPTY_STATUS})


#: What Graph reports for a profile no device has answered yet (TUN-DEV-02 reads it).
_EMPTY_STATUS = {"pendingCount": 0, "notApplicableCount": 0, "successCount": 0, "errorCount": 0, "failedCount": 0,
                 "conflictCount": 0}


@dataclass(eq=False)
class AssignProfile(Effect):
    """``POST …/deviceConfigurations/{id}/assign``: the profile's assignments become exactly ``targets``."""

    profile: str | Ref
    targets: list[dict[str, Any]]

    def request(self) -> Request:
        ref = self.profile if isinstance(self.profile, Ref) else _id(self.profile)
        body = {"assignments": [{"@odata.type": G + "deviceConfigurationAssignment", "target": t}
                                for t in self.targets]}
        return Request("POST", (CONFIGURATIONS, ref, "/assign"), body)

    def apply(self, world: _World, step: Step) -> None:
        profile_id = world.resolve(self.profile)
        obj = world.mutable(Resource.DEVICE_CONFIGURATIONS, profile_id)
        obj["assignments"] = [{"id": f"{profile_id}_{i}", "intent": "apply", "source": "direct",
                               "sourceId": profile_id, "target": copy.deepcopy(t)} for i, t in enumerate(self.targets)]


@dataclass(eq=False)
class PatchProfile(Effect):
    profile_id: str
    odata_type: str
    properties: dict[str, Any]

    def request(self) -> Request:
        return Request("PATCH", (CONFIGURATIONS, _id(self.profile_id)),
                       {"@odata.type": self.odata_type, **self.properties})

    def apply(self, world: _World, step: Step) -> None:
        world.mutable(Resource.DEVICE_CONFIGURATIONS, self.profile_id).update(copy.deepcopy(self.properties))


def _app_assignment_body(intent: str, target: dict[str, Any], settings: Any) -> dict[str, Any]:
    return {"@odata.type": G + "mobileAppAssignment", "intent": intent, "target": target, "settings": settings}


@dataclass(eq=False)
class AddAppAssignment(Effect):
    app: str | Ref
    intent: str
    target: dict[str, Any]
    settings: Any = None

    def request(self) -> Request:
        ref = self.app if isinstance(self.app, Ref) else _id(self.app)
        body = _app_assignment_body(self.intent, self.target, self.settings)
        return Request("POST", (APPS, ref, "/assignments"), body)

    def apply(self, world: _World, step: Step) -> None:
        app = world.mutable(Resource.MOBILE_APPS, world.resolve(self.app))
        assignments = app.setdefault("assignments", [])
        assignments.append({"id": f"planned-step-{step.number}-{len(assignments)}", "intent": self.intent,
                            "target": copy.deepcopy(self.target), "settings": world.resolve(self.settings)})


@dataclass(eq=False)
class UpdateAppAssignment(Effect):
    app_id: str
    assignment_id: str
    intent: str
    target: dict[str, Any]
    settings: Any

    def request(self) -> Request:
        return Request("PATCH", (APPS, _id(self.app_id), "/assignments/", _id(self.assignment_id)),
                       _app_assignment_body(self.intent, self.target, self.settings))

    def apply(self, world: _World, step: Step) -> None:
        for a in world.mutable(Resource.MOBILE_APPS, self.app_id).get("assignments") or []:
            if a.get("id") == self.assignment_id:
                a.update(intent=self.intent, target=copy.deepcopy(self.target), settings=world.resolve(self.settings))


@dataclass(eq=False)
class DeleteAppAssignment(Effect):
    app_id: str
    assignment_id: str

    def request(self) -> Request:
        return Request("DELETE", (APPS, _id(self.app_id), "/assignments/", _id(self.assignment_id)))

    def apply(self, world: _World, step: Step) -> None:
        app = world.mutable(Resource.MOBILE_APPS, self.app_id)
        app["assignments"] = [a for a in app.get("assignments") or [] if a.get("id") != self.assignment_id]


@dataclass(eq=False)
class PatchTunnelConfiguration(Effect):
    configuration_id: str
    properties: dict[str, Any]

    def request(self) -> Request:
        return Request("PATCH", (TUNNEL_CONFIGURATIONS, _id(self.configuration_id)),
                       {"@odata.type": G + "microsoftTunnelConfiguration", **self.properties})

    def apply(self, world: _World, step: Step) -> None:
        world.mutable(Resource.TUNNEL_CONFIGURATIONS, self.configuration_id).update(copy.deepcopy(self.properties))


@dataclass(eq=False)
class AddApp(Effect):
    """Done by hand in the admin center (approving in managed Google Play, adding from the App Store): the
    app appears in the tenant; later steps name it by reference."""

    app: dict[str, Any]

    def request(self) -> None:
        return None

    def apply(self, world: _World, step: Step) -> None:
        world.add(Resource.MOBILE_APPS, {**copy.deepcopy(self.app), "id": world.new_id(step), "assignments": []})


# ---------------------------------------------------------------------------------------------------
# Steps and the plan


@dataclass(eq=False)
class Wait:
    minutes: int | None  # None: until the condition holds
    until: Text
    after: Step | None = None
    not_before: str | None = None  # an absolute time, when an existing profile is too recent


@dataclass(eq=False)
class Step:
    kind: str
    phase: Phase
    title: Text
    addresses: tuple[str, ...]  # the failing checks this step is for
    where: Text | None = None  # where in the Intune admin center
    blocks: list[Block] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)  # to review, to know
    objects: list[tuple[str, str, str]] = field(default_factory=list)  # (type, id, name) the step changes
    destructive: bool = False
    manual: bool = False  # no Graph request: done in the admin center (later steps may name its result)
    wait: Wait | None = None
    number: int = 0
    resolves: tuple[str, ...] = ()  # filled from the prediction: addressed checks that pass after the plan

    @property
    def id(self) -> str:
        return f"step-{self.number}"

    def requests(self) -> list[Request]:
        return [r for r in (e.request() for e in self.effects) if r is not None]


@dataclass
class CheckOutcome:
    check: Check
    now: Verdict
    after: str | None  # predicted outcome after the whole plan (None: not predicted)
    steps: list[Step] = field(default_factory=list)


@dataclass
class Plan:
    tenant: SourceInfo
    baseline: SourceInfo | None
    phase: Phase | None
    migration: MigrationConfig
    graph_base: str
    steps: list[Step]
    outcomes: list[CheckOutcome]
    unresolved: list[tuple[str, Text]]  # (check id, why) for failing checks the plan does not resolve
    waivers: dict[str, list[str]]

    @property
    def failing(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if o.now.outcome in ("failed", "error")]

    @property
    def empty(self) -> bool:
        return not self.steps
