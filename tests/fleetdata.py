"""Synthetic results for the fleet tests: ``--tunnelcheck-json`` documents written directly, one per
tenant, varied by how far each tenant's migration has come, from the installed catalog's checks (their
ids and phases as a real run has them).

Tenant ``n`` of a fleet (deterministic in ``n`` and the seed):

- ``progress``: the migration phases before it are met (passed, some skipped or waived), it fails at least
  one check in it (some tenants' failures are errors), and later phases mostly fail; ``progress`` 5 is a
  tenant done with the migration;
- some runs stopped early (``--phase``): the phases after their limit are absent ("not run");
- some ran ``--drift``, of which some drifted.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunnelcheck.registry import Catalog
from tunnelcheck.reports.fleet import MIGRATION_PHASES

_CHECKS: list[tuple[str, str, str]] | None = None


def catalog() -> list[tuple[str, str, str]]:
    """(check id, phase, title) of every installed check, drift checks included."""
    global _CHECKS
    if _CHECKS is None:
        _CHECKS = [(c.id, c.phase.value, c.title) for c in Catalog.installed().values()]
    return _CHECKS


@dataclass
class Plan:
    name: str
    tenant_id: str
    progress: int  # index into MIGRATION_PHASES of the first phase not met; 5: all met
    limit: int  # the last migration phase run (--phase)
    drift: bool
    drifted: bool
    errors: bool


def plan(n: int, seed: int = 7) -> Plan:
    rng = random.Random(seed * 100_003 + n)
    progress = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5])
    limit = 4 if rng.random() < 0.8 or progress == 5 else rng.randint(min(progress, 4), 4)
    drift = rng.random() < 0.7
    return Plan(f"tenant-{n:03d}.example", str(uuid.UUID(int=rng.getrandbits(128), version=4)), progress, limit,
                drift, drift and rng.random() < 0.3, rng.random() < 0.25)


def document(p: Plan, *, seed: int = 7, generated_at: str = "2026-12-01T05:00:00Z",
             fail_also: tuple[str, ...] = ()) -> dict[str, Any]:
    """The results document of plan ``p``; ``fail_also``: check ids made to fail whatever the plan says."""
    rng = random.Random(f"{seed}:{p.name}")
    records = []
    for check_id, phase, title in catalog():
        if phase == "drift":
            if not p.drift:
                continue
            outcome = "failed" if p.drifted and check_id.endswith("02") else "passed"
        else:
            rank = MIGRATION_PHASES.index(phase)
            if rank > p.limit:
                continue
            if rank < p.progress:
                outcome = rng.choice(["passed", "passed", "passed", "skipped", "waived"])
            elif rank == p.progress:
                outcome = rng.choice(["failed", "passed"])
            else:
                outcome = rng.choice(["failed", "failed", "passed", "skipped"])
            if outcome == "failed" and p.errors and rng.random() < 0.4:
                outcome = "error"
        if check_id in fail_also:
            outcome = "failed"
        records.append({"check_id": check_id, "title": title, "phase": phase, "platform": "android",
                        "severity": "high", "remediation": "", "tenant": p.name, "outcome": outcome,
                        "reason": f"synthetic {outcome}", "evidence": []})
    # The phase a tenant is at fails at least one check there.
    if p.progress < len(MIGRATION_PHASES) and p.progress <= p.limit:
        at = [r for r in records if r["phase"] == MIGRATION_PHASES[p.progress]]
        if at and all(r["outcome"] not in ("failed", "error") for r in at):
            at[0]["outcome"] = "failed"
    return {"tunnelcheck_results": 1, "tenant_id": p.tenant_id, "source": f"{p.name}.json.gz",
            "snapshot_sha256": "0" * 64, "phase": MIGRATION_PHASES[p.limit] if p.limit < 4 else "all",
            "tenants": [{"label": p.name, "tenant_id": p.tenant_id, "source": f"{p.name}.json.gz",
                         "snapshot_sha256": "0" * 64}],
            "results": records, "generated_at": generated_at}


def write_fleet(folder: Path, count: int, *, seed: int = 7, reports: bool = True,
                fail_also: dict[int, tuple[str, ...]] | None = None,
                generated_at: str = "2026-12-01T05:00:00Z") -> list[Plan]:
    """``count`` tenants' results as ``folder/<name>/results.json`` (ci/nightly.sh's layout), each with a
    small ``report.html`` beside it when ``reports``; ``fail_also``: tenant number -> check ids to fail."""
    plans = []
    for n in range(count):
        p = plan(n, seed)
        plans.append(p)
        out = folder / p.name
        out.mkdir(parents=True, exist_ok=True)
        doc = document(p, seed=seed, generated_at=generated_at, fail_also=(fail_also or {}).get(n, ()))
        (out / "results.json").write_text(json.dumps(doc), encoding="utf-8")
        if reports:
            (out / "report.html").write_text(f"<!DOCTYPE html><title>report of {p.name}</title><h1>{p.name}</h1>",
                                             encoding="utf-8")
    return plans
