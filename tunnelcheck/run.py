"""One pytest run's tunnelcheck state, and what it writes at the end: the results document and the summary.

The plugin (tunnelcheck/plugin.py) builds a :class:`RunState` at configure time and keeps it in
``config.stash[RUN_KEY]``; the reports (the HTML integration, the results JSON, the Markdown summary)
read it from there. Nothing here is a pytest hook.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from . import config as config_file
from .check import Phase
from .drift import view
from .files import write_atomic
from .model.resources import Resource
from .registry import Catalog
from .reports import summary as summary_mod
from .results import RESULTS_VERSION, Result
from .tenant import Tenant

__all__ = ["RUN_KEY", "RunState", "results_document", "run_summary", "with_plan_steps", "write_results"]


@dataclass
class RunState:
    """Everything one pytest run knows about tunnelcheck."""

    tenants: dict[str, Tenant]
    baseline: Tenant | None
    settings: config_file.Config
    catalog: Catalog
    phase: Phase | None
    drift: bool
    results: dict[str, Result] = field(default_factory=dict)  # by pytest node id
    other_tests: int = 0  # tests run that are not checks
    #: What the selected checks need (and group names for evidence): loaded in one round per tenant.
    wanted: frozenset[Resource] = frozenset()
    #: --tunnelcheck-previous and --tunnelcheck-history, read at configure (a bad file is a usage error).
    previous: dict[str, Any] | None = None
    history: list[dict[str, Any]] | None = None
    #: The run at a glance (progress, result diff, drift, trend), built once at the end of the run.
    summary: summary_mod.RunSummary | None = None
    #: --tunnelcheck-plan: a plan.json of ``tunnelcheck plan``, and where its plan.md is (tunnelcheck.plan).
    plan: dict[str, Any] | None = None
    plan_markdown: str = ""

    def selects(self, phase: Phase) -> bool:
        """Phases are cumulative: --phase P runs P and every earlier one; drift only with --drift."""
        if phase is Phase.DRIFT:
            return self.drift
        return self.phase is None or phase.rank <= self.phase.rank


RUN_KEY = pytest.StashKey[RunState]()


def with_plan_steps(state: RunState, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with ``plan_steps`` (--tunnelcheck-plan) when it failed and the plan has steps for it:
    their numbers, titles and links into the plan's plan.md (tunnelcheck.plan.links_for)."""
    if state.plan is None or record.get("outcome") not in ("failed", "error"):
        return record
    from .plan import links_for

    tenant = state.tenants.get(record.get("tenant") or "")
    steps = links_for(state.plan, state.plan_markdown, record["check_id"], tenant)
    return {**record, "plan_steps": steps} if steps else record


def run_summary(state: RunState) -> summary_mod.RunSummary:
    """Progress per phase, the result diff (--tunnelcheck-previous), what changed in each tenant since
    --baseline (tunnelcheck.drift's, as tunnelcheck diff: drift with --drift, else the changes since the
    baseline) and the trend (--tunnelcheck-history)."""
    drift = [(label, state.baseline, tenant, state.settings.migration) for label, tenant in state.tenants.items()
             ] if state.baseline is not None else []
    return summary_mod.build(f"tunnelcheck: {', '.join(state.tenants)}",
                             [with_plan_steps(state, r.as_dict()) for r in state.results.values()],
                             previous=state.previous, drift=drift, history=state.history,
                             shown=view(state.drift))


def results_document(state: RunState, phase: str | None) -> dict[str, Any]:
    tenants = [
        {"label": t.info.label, "tenant_id": t.info.tenant_id, "source": t.info.location,
         "snapshot_sha256": t.info.sha256}
        for t in state.tenants.values()
    ]
    first = tenants[0] if len(tenants) == 1 else {}
    return {
        "tunnelcheck_results": RESULTS_VERSION,
        "tenant_id": first.get("tenant_id"),
        "source": first.get("source"),
        "snapshot_sha256": first.get("snapshot_sha256"),
        "phase": phase or "all",
        "tenants": tenants,
        "results": [with_plan_steps(state, r.as_dict()) for r in state.results.values()],
        **({"generated_at": state.summary.generated_at, **state.summary.as_dict()} if state.summary else {}),
    }


def write_results(path: str, state: RunState, phase: str | None) -> None:
    write_atomic(path, json.dumps(results_document(state, phase), indent=2, ensure_ascii=False))
