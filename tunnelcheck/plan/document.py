"""``plan.json``: the plan written as data, its steps as Graph beta requests, and read back (the report and
the Markdown summary link failing checks to their steps)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..errors import TunnelcheckError
from ..tenant import SourceInfo, Tenant
from ..untrusted import LONE_SURROGATE, lone_surrogate_in
from ..wording import counted
from .predict import NOT_PREDICTED
from .steps import AddApp, Plan, Ref, Step, Text, Url

__all__ = [
    "PLAN_VERSION",
    "links_for",
    "load_plan",
    "markdown_path",
    "plan_json",
    "step_document",
    "step_for",
    "steps_for",
    "summary",
]

PLAN_VERSION = 1


def _ref_text(step: Step) -> str:
    return f"{step.id}.id"


def _json_value(value: Any) -> Any:
    if isinstance(value, Ref):
        return {"$ref": _ref_text(value.step)}
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def _url(url: Url) -> str:
    return "".join("{" + _ref_text(part.step) + "}" if isinstance(part, Ref) else part for part in url)


def _info(info: SourceInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {"label": info.label, "tenant_id": info.tenant_id, "source": info.location, "kind": info.kind,
            "recorded_at": info.recorded_at, "sha256": info.sha256}


def step_document(step: Step) -> dict[str, Any]:
    requests = step.requests()
    doc: dict[str, Any] = {
        "id": step.id, "number": step.number, "phase": step.phase.value, "kind": step.kind,
        "title": step.title.plain(), "addresses": list(step.addresses), "resolves": list(step.resolves),
        "destructive": step.destructive, "manual": step.manual,
        "objects": [{"type": t, "id": i, "name": n} for t, i, n in step.objects],
        "requests": [{"id": f"{step.id}.{k}", "method": r.method, "url": _url(r.url),
                      **({"body": _json_value(r.body)} if r.body is not None or r.method in ("POST", "PATCH") else {})}
                     for k, r in enumerate(requests, 1)],
    }
    if step.manual:
        doc["action"] = "; ".join(b.plain() for b in step.blocks if isinstance(b, Text))
        doc["adds"] = next((e.app for e in step.effects if isinstance(e, AddApp)), None)
        doc["result"] = (f"the id of the object this step adds: later steps write it as {{\"$ref\": \"{step.id}.id\"}} "
                         f"in a body and {{{step.id}.id}} in a url")
    if step.wait is not None:
        doc["wait"] = {"minutes": step.wait.minutes, "until": step.wait.until.plain(),
                       "after": step.wait.after.id if step.wait.after else None, "not_before": step.wait.not_before}
    if step.notes:
        doc["notes"] = [n.plain() for n in step.notes]
    return doc


def _document(plan: Plan, markdown: str | None) -> dict[str, Any]:
    from .. import __version__

    return {
        "tunnelcheck_plan": PLAN_VERSION,
        "generated_by": f"tunnelcheck {__version__}",
        "tenant": _info(plan.tenant),
        "baseline": _info(plan.baseline),
        "phase": plan.phase.value if plan.phase else "all",
        "migration": {"defender_features": plan.migration.defender_features,
                      "reassign_delay_minutes": plan.migration.reassign_delay_minutes},
        **({"markdown": markdown} if markdown else {}),
        "graph": {"base": plan.graph_base,
                  "note": "each request's url is relative to base; tunnelcheck never sends these requests"},
        "references": "{\"$ref\": \"step-N.id\"} in a body, and {step-N.id} in a url, stand for the id of the "
                      "object step N made (its first request's response, or for a manual step what it added)",
        "summary": summary(plan),
        "checks": [{"check_id": o.check.id, "title": o.check.title, "phase": o.check.phase.value,
                    "now": o.now.outcome, "after": o.after,
                    **({"not_predicted": NOT_PREDICTED[o.check.id]} if o.check.id in NOT_PREDICTED else {}),
                    "steps": [s.id for s in o.steps]} for o in plan.outcomes],
        "steps": [step_document(s) for s in plan.steps],
        "not_resolved": [{"check_id": c, "why": why.plain()} for c, why in plan.unresolved],
    }


def summary(plan: Plan) -> str:
    failing = plan.failing
    if not failing:
        return "every check passes: nothing to change"
    resolved = [o for o in failing if o.after in ("passed", "skipped")]
    requests = sum(len(s.requests()) for s in plan.steps)
    parts = [f"{counted(len(failing), 'check')} failing now",
             f"{counted(len(plan.steps), 'step')} ({counted(requests, 'Graph request')})",
             f"{counted(len(resolved), 'check')} resolved"]
    left = len({c for c, _ in plan.unresolved})
    if left:
        parts.append(f"{left} not resolved by configuration changes")
    return ", ".join(parts)


def plan_json(plan: Plan, markdown: str | None = None) -> str:
    """``plan.json``: the same bytes for the same inputs (no time of "now", every list in a stable order)."""
    return json.dumps(_document(plan, markdown), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------------
# Reading a plan back: the report and the Markdown summary link failing checks to their steps


def load_plan(path: str) -> dict[str, Any]:
    """A ``plan.json`` written by ``tunnelcheck plan``; anything else is a one-line TunnelcheckError."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        doc = json.loads(text)
    except OSError as exc:
        raise TunnelcheckError(f"{path}: cannot read the plan ({exc.strerror or exc.__class__.__name__})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise TunnelcheckError(f"{path}: not a plan.json ({exc.__class__.__name__})") from None
    if lone_surrogate_in(text, doc):
        raise TunnelcheckError(f"{path}: {LONE_SURROGATE}")
    if not isinstance(doc, dict) or doc.get("tunnelcheck_plan") != PLAN_VERSION \
            or not isinstance(doc.get("steps"), list):
        raise TunnelcheckError(f"{path}: not a plan.json written by tunnelcheck plan")
    return doc


def steps_for(plan: Mapping[str, Any], check_id: str) -> list[dict[str, Any]]:
    """The steps of ``plan`` (a loaded plan.json) that address ``check_id``: number, title and anchor."""
    found = []
    for step in plan.get("steps") or []:
        if isinstance(step, dict) and check_id in (step.get("addresses") or []) and isinstance(step.get("number"), int):
            found.append({"number": step["number"], "title": str(step.get("title") or ""),
                          "anchor": f"step-{step['number']}"})
    return found


def markdown_path(plan_path: str, plan: Mapping[str, Any]) -> str:
    """Where the plan.md of a plan.json is, as a relative URL path from where the run is (its
    ``markdown`` is relative to the plan.json's folder); a file name's characters are percent-encoded."""
    name = plan.get("markdown") if isinstance(plan.get("markdown"), str) else "plan.md"
    path = os.path.normpath(os.path.join(os.path.dirname(plan_path), str(name)))
    return quote(path.replace(os.sep, "/"), safe="/")


def links_for(plan: Mapping[str, Any], markdown: str, check_id: str, tenant: Tenant | None) -> list[dict[str, Any]]:
    """The steps of ``plan`` for a failing ``check_id`` of ``tenant``, each with the link to it in plan.md
    (``markdown``: :func:`markdown_path`); none when the plan is another tenant's."""
    planned = plan.get("tenant") if isinstance(plan.get("tenant"), dict) else {}
    if tenant is not None and planned:
        same_id = planned.get("tenant_id") and tenant.info.tenant_id and \
            str(planned["tenant_id"]).lower() == tenant.info.tenant_id.lower()
        if not same_id and planned.get("label") != tenant.info.label:
            return []
    return [{**step, "href": f"{markdown}#{step['anchor']}"} for step in steps_for(plan, check_id)]


def step_for(plan: Mapping[str, Any], check_id: str) -> dict[str, Any] | None:
    """The first step of ``plan`` that addresses ``check_id`` (None: the plan has none)."""
    found = steps_for(plan, check_id)
    return found[0] if found else None
