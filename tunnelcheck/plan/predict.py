"""The prediction: the steps applied to a copy of the tenant, and the checks run on it."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ..check import Check, Verdict, run_check
from ..config import MigrationConfig
from ..errors import DataUnavailable, TunnelcheckError
from ..model import parse_datetime
from ..model.resources import Resource
from ..tenant import SourceInfo, Tenant
from .steps import Ref, Step

__all__ = ["NOT_PREDICTED"]

#: The check TUN-IOS-06 reads the audit log written while the plan is applied: never predicted.
NOT_PREDICTED = {"TUN-IOS-06": "it reads the audit log Intune writes while the steps are applied (the wait "
                               "before the per-app VPN reassignment is what keeps it passing)"}


class _World:
    """A copy of the tenant's raw resources that the effects change (objects copied when first changed)."""

    def __init__(self, raw: Mapping[Resource, list[Any] | DataUnavailable], now: datetime) -> None:
        self.lists: dict[Resource, list[Any] | DataUnavailable] = {
            r: list(v) if isinstance(v, list) else v for r, v in raw.items()}
        self.copied: set[tuple[Resource, int]] = set()
        self.made: dict[int, str] = {}  # id(step) -> the id of what it made
        self.indexes: dict[Resource, dict[Any, int]] = {}  # per resource: object id -> its place
        self.clock = now

    @property
    def now(self) -> str:
        return self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def items(self, resource: Resource) -> list[Any]:
        items = self.lists.get(resource)
        if not isinstance(items, list):
            raise TunnelcheckError(f"the plan changes {resource.value}, which was not read")
        return items

    def new_id(self, step: Step) -> str:
        self.made[id(step)] = f"planned-step-{step.number}"
        return self.made[id(step)]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Ref):
            return self.made[id(value.step)]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def add(self, resource: Resource, obj: dict[str, Any]) -> None:
        items = self.items(resource)
        items.append(obj)
        self.copied.add((resource, len(items) - 1))
        self._index(resource).setdefault(obj["id"], len(items) - 1)

    def _index(self, resource: Resource) -> dict[Any, int]:
        if resource not in self.indexes:
            index: dict[Any, int] = {}
            for i, item in enumerate(self.items(resource)):
                if isinstance(item, dict):
                    index.setdefault(item.get("id"), i)
            self.indexes[resource] = index
        return self.indexes[resource]

    def mutable(self, resource: Resource, object_id: str) -> dict[str, Any]:
        items = self.items(resource)
        i = self._index(resource).get(object_id)
        if i is None:
            raise TunnelcheckError(f"the plan changes {resource.value}/{object_id}, which is not in the tenant")
        if (resource, i) not in self.copied:
            items[i] = copy.deepcopy(items[i])
            self.copied.add((resource, i))
        return items[i]  # type: ignore[no-any-return]


class _WorldSource:
    def __init__(self, info: SourceInfo, world: _World) -> None:
        self.info, self.world = info, world

    def load(self, resources: Iterable[Resource]) -> dict[Resource, list[Any] | DataUnavailable]:
        out: dict[Resource, list[Any] | DataUnavailable] = {}
        for r in resources:
            found = self.world.lists.get(r)
            out[r] = found if found is not None else DataUnavailable(r.value, "not recorded", r.permission)
        return out


def _predict(tenant: Tenant, baseline: Tenant | None, migration: MigrationConfig, checks: Sequence[Check],
             steps: Sequence[Step]) -> dict[str, Verdict]:
    raw = tenant.source.load(list(Resource))
    recorded = tenant.info.recorded_at
    start = parse_datetime(recorded, "recorded_at") if recorded else datetime(1970, 1, 1, tzinfo=timezone.utc)
    world = _World(raw, start)
    for step in steps:
        if step.wait is not None:
            world.clock += timedelta(minutes=step.wait.minutes or 60)
        for effect in step.effects:
            effect.apply(world, step)
    predicted = Tenant(_WorldSource(tenant.info, world))
    return {c.id: run_check(c, predicted, baseline, migration) for c in checks}
