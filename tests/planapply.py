"""Applying a ``plan.json`` to the emulator in write mode, as an admin's own tooling would (tunnelcheck never
sends it), and reading the result back through tunnelcheck's record path.

- Requests go in order over HTTPS with a token holding the ReadWrite permissions; ``{"$ref": "step-N.id"}``
  and ``{step-N.id}`` become the id step N made (its first request's answer).
- A wait step moves the emulator's clock (``minutes``, or an hour for "until devices synced"): no sleeping.
- A manual step (adding the Defender app in the admin center) is done as the admin center would do it:
  the app appears in the tenant (``adds``), and its new id is the step's result.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from emulated import settings_for

from tunnelcheck import config
from tunnelcheck.check import Phase, Verdict, run_check
from tunnelcheck.emulator import Emulator
from tunnelcheck.emulator.writes import WRITE_ROLES
from tunnelcheck.model.resources import REQUIRED_PERMISSIONS, Resource
from tunnelcheck.registry import Catalog
from tunnelcheck.sources import snapshot
from tunnelcheck.sources.graph import record
from tunnelcheck.tenant import Tenant

#: How far a condition wait ("devices have synced") moves the emulator's clock.
SYNC_MINUTES = 60
_URL_REF = re.compile(r"\{(step-\d+\.id)\}")


def _resolve(value: Any, made: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$ref"}:
            return made[value["$ref"]]
        return {k: _resolve(v, made) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, made) for v in value]
    return value


def add_by_hand(emu: Emulator, step: Mapping[str, Any]) -> str:
    """A manual step: what it adds appears in the tenant (as the admin center's approval would do)."""
    app = {**step["adds"], "id": str(uuid.uuid4()), "assignments": []}
    emu.resources[Resource.MOBILE_APPS.value].append(app)
    return app["id"]


def apply_plan(emu: Emulator, plan: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """Send every request of ``plan`` (a loaded plan.json) to ``emu``; (method, url, status) of each."""
    assert emu.writes is not None, "the emulator must be started with writable=True"
    token = emu.access_token(roles=(*REQUIRED_PERMISSIONS, *WRITE_ROLES))
    made: dict[str, str] = {}
    sent: list[tuple[str, str, int]] = []
    with httpx.Client(verify=emu.ssl_context(), headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        for step in plan["steps"]:
            if step.get("wait"):
                emu.writes.clock.advance(step["wait"]["minutes"] or SYNC_MINUTES)
                continue
            if step["manual"]:
                made[f"{step['id']}.id"] = add_by_hand(emu, step)
                continue
            for n, request in enumerate(step["requests"]):
                url = _URL_REF.sub(lambda m: quote(made[m.group(1)], safe=""), request["url"])
                body = _resolve(request["body"], made) if "body" in request else None
                answer = http.request(request["method"], f"{emu.graph_url}/beta{url}",
                                      content=json.dumps(body).encode() if body is not None else None,
                                      headers={"Content-Type": "application/json"} if body is not None else None)
                sent.append((request["method"], url, answer.status_code))
                assert answer.status_code in (200, 201, 204), (step["id"], request["id"], answer.text)
                if n == 0 and answer.content:
                    made[f"{step['id']}.id"] = answer.json().get("id")
    return sent


def recorded(emu: Emulator, monkeypatch: pytest.MonkeyPatch, path: Path) -> Tenant:
    """The emulated tenant as ``tunnelcheck record`` reads it (read-only Graph), loaded as a snapshot."""
    record(emu.tenant_id, settings_for(emu, monkeypatch), path)
    return snapshot.load_tenant(path)


def verdicts(tenant: Tenant, baseline: Tenant | None, migration: config.MigrationConfig,
             phase: Phase | None = None) -> dict[str, Verdict]:
    """Every built-in check but drift (the plan is drift by design), as a run of ``phase`` selects them."""
    return {c.id: run_check(c, tenant, baseline, migration) for c in Catalog.builtin().values()
            if c.phase is not Phase.DRIFT and (phase is None or c.phase.rank <= phase.rank)}


def failing_objects(verdict: Verdict) -> set[str]:
    return {f.object_id for f in verdict.evidence if not f.ok}
