"""The status card: the top of the HTML report, answering "can we go ahead?" for each tenant of the run.

For each tenant: the gate (``--phase P``: the checks of P and of every earlier phase; without ``--phase``,
the phases that ran) and its verdict with the failing and error counts; the next step (the first failing
or erroring check in phase order: a failure's remediation, an error's way to get its data); the age of
the snapshot; the drift since ``--baseline`` and the result diff against ``--tunnelcheck-previous``
(README "The HTML report").

:func:`build` makes the model from the results' records, so its logic is tested without a browser;
:func:`render` writes it as HTML, every value through :func:`tunnelcheck.untrusted.for_html`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..check import Phase
from ..drift import DRIFT
from ..tenant import SourceInfo
from ..untrusted import for_html
from ..wording import counted
from . import times
from .summary import CATEGORIES, OUTCOMES, ResultDiff, TenantDrift

__all__ = ["Gate", "NextStep", "TenantStatus", "build", "render", "run_count"]

_PHASES = [p.value for p in Phase]


@dataclass(frozen=True)
class Gate:
    """The checks that decide whether this tenant may go ahead, and how they ended."""

    phase: str | None  # --phase, or None: every phase that ran
    phases: tuple[str, ...]  # the phases whose checks ran, in migration order
    counts: Mapping[str, int]  # outcome -> number of results

    @property
    def failing(self) -> int:
        return self.counts.get("failed", 0)

    @property
    def errors(self) -> int:
        return self.counts.get("error", 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def met(self) -> bool:
        """Nothing failed and nothing errored, and something ran: no checks is no evidence."""
        return self.total > 0 and not self.failing and not self.errors

    @property
    def name(self) -> str:
        if self.phase is None:
            return "no --phase; phases run: " + (", ".join(self.phases) or "none")
        return self.phase + (" + drift" if Phase.DRIFT.value in self.phases else "")

    @property
    def verdict(self) -> str:
        """``met``, ``not met, 6 failing, 1 error`` or ``no checks ran``."""
        if not self.total:
            return "no checks ran"
        if self.met:
            return "met"
        counts = [*([f"{self.failing} failing"] if self.failing else []),
                  *([counted(self.errors, "error")] if self.errors else [])]
        return "not met, " + ", ".join(counts)


@dataclass(frozen=True)
class NextStep:
    """What to do first: the earliest failing or erroring check's remedy."""

    check_id: str
    title: str
    outcome: str  # failed or error
    action: str  # a failure's remediation; for an error, how to get the data it could not read


@dataclass(frozen=True)
class TenantStatus:
    label: str
    tenant_id: str | None
    gate: Gate
    next_step: NextStep | None
    snapshot: str  # "live", or the snapshot's age and recorded time
    drift: str  # what changed since --baseline, counted, or "no baseline"
    result_diff: str  # the result diff against --tunnelcheck-previous, counted, or "no previous run"
    compared: str = DRIFT.title  # the drift row's name: drift (--drift), or the changes since the baseline


def _phase_rank(phase: str) -> int:
    return _PHASES.index(phase) if phase in _PHASES else len(_PHASES)


def next_step(results: Sequence[Mapping[str, Any]], order: Sequence[str] = ()) -> NextStep | None:
    """The first failing or erroring result in phase order (then in ``order``, the catalog's, then by id).
    An error's step is getting the data it lacked, never the check's remediation: that fixes a failure."""
    position = {check_id: n for n, check_id in enumerate(order)}
    failing = [r for r in results if r["outcome"] in ("failed", "error")]
    if not failing:
        return None
    first = min(failing, key=lambda r: (_phase_rank(str(r.get("phase"))),
                                        position.get(r["check_id"], len(position)), r["check_id"]))
    if first["outcome"] == "error":
        missing = first.get("missing") or []
        action = ("; ".join(f"{m['resource']}: {m['how_to_get']}" for m in missing) if missing
                  else f"it could not run: {first['reason']}")
    else:
        action = " ".join(str(first.get("remediation") or "").split()) or "see its evidence"
    return NextStep(first["check_id"], str(first.get("title") or ""), first["outcome"], action)


def snapshot_age(info: SourceInfo, now: dt.datetime) -> str:
    """``live``, or how old the snapshot was at ``now`` and when it was recorded."""
    if info.kind == "live":
        return "live"
    if not info.recorded_at:
        return "recorded at an unknown time (the snapshot has no recorded_at)"
    recorded = times.parse(info.recorded_at)
    if recorded is None:
        return f"recorded at an unknown time (recorded_at is not a date-time: {info.recorded_at})"
    return f"{times.age(recorded, now)} (recorded {times.utc(recorded)})"


def _drift(label: str, drift: Sequence[TenantDrift]) -> str:
    found = [d for d in drift if d.tenant == label]
    if not found:
        return "no baseline"
    item = found[0]
    if item.diff is None:
        return item.error
    if not item.diff:
        return "none since the baseline"
    return item.shown.summary(item.diff, compact=True)


def _result_diff(label: str, diff: ResultDiff | None) -> str:
    if diff is None:
        return "no previous run"
    mine = {key: [c for c in diff.category(key) if c.tenant in (label, None)] for key, *_ in CATEGORIES}
    counts = ", ".join(counted(len(mine[key]), heading, plural) for key, heading, plural in CATEGORIES if mine[key])
    when = times.shown(diff.previous_generated_at) if diff.previous_generated_at else "time unknown"
    return f"{counts or 'no change'} since the previous run ({when})"


def build(results: Sequence[Mapping[str, Any]], tenants: Sequence[SourceInfo], *, phase: str | None,
          now: dt.datetime, order: Sequence[str] = (), drift: Sequence[TenantDrift] = (),
          diff: ResultDiff | None = None) -> list[TenantStatus]:
    """One status per tenant, in the run's order. A result without a tenant (a user's check that does not
    take the ``tenant`` fixture) counts for every tenant: it gates the whole run."""
    statuses = []
    for info in tenants:
        mine = [r for r in results if r.get("tenant") in (info.label, None)]
        counts = {o: sum(1 for r in mine if r["outcome"] == o) for o in OUTCOMES}
        phases = tuple(sorted({str(r.get("phase")) for r in mine}, key=lambda p: (_phase_rank(p), p)))
        statuses.append(TenantStatus(
            info.label, info.tenant_id, Gate(phase, phases, counts), next_step(mine, order),
            snapshot_age(info, now), _drift(info.label, drift), _result_diff(info.label, diff),
            drift[0].shown.title if drift else DRIFT.title))
    return statuses


def run_count(checks: int, others: int, seconds: float, finished: bool = True) -> str:
    """The sentence under the summary: the checks that ran (tests that are not checks counted apart)."""
    took = f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {int(seconds % 60)} s"
    text = f"{counted(checks, 'check')} ran in {took}" if finished else f"{counted(checks, 'check')} done so far"
    return text + (f", and {counted(others, 'other test')}." if others else ".")


# ---------------------------------------------------------------------------------------------------
# HTML


#: The card's stylesheet; words wrap between words only (README "The HTML report"), ids anywhere.
STYLE = """
<style>
.tc-status { color: #222; font-size: 13px; line-height: 1.45; margin: 0 0 14px; word-break: normal;
  overflow-wrap: normal; }
.tc-status h1 { margin: 4px 0 10px; }
.tc-tenant { border: 1px solid #cfd8dc; border-left: 6px solid #c62828; border-radius: 4px;
  padding: 8px 12px; margin: 8px 0; background: #fff; }
.tc-tenant.tc-met { border-left-color: #2e7d32; }
.tc-tenant.tc-none { border-left-color: #9e9e9e; }
.tc-tenant h2 { margin: 0 0 6px; font-size: 17px; color: #111; }
.tc-verdict-badge { display: inline-block; padding: 1px 8px; border-radius: 3px; font-size: 12px;
  text-transform: uppercase; color: #fff; background: #c62828; vertical-align: 2px; margin-right: 6px; }
.tc-met .tc-verdict-badge { background: #2e7d32; } .tc-none .tc-verdict-badge { background: #757575; }
.tc-tenant dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 0; }
.tc-tenant dt { font-weight: bold; color: #444; } .tc-tenant dd { margin: 0; }
.tc-id { overflow-wrap: anywhere; color: #555; }
.tc-run { border-collapse: collapse; margin: 6px 0; font-size: 12px; }
.tc-run th, .tc-run td { border: 1px solid #e0e0e0; padding: 3px 6px; text-align: left; vertical-align: top; }
.tc-run th { background: #f5f5f5; font-weight: normal; color: #444; white-space: nowrap; }
.tc-run td { overflow-wrap: anywhere; }
.tc-generated { color: #555; }
.tc-sources summary, .tc-environment summary { cursor: pointer; font-weight: bold; color: #222; margin: 6px 0; }
</style>
"""


def _row(name: str, css: str, body: str, **data: object) -> str:
    attrs = "".join(f' data-{k.replace("_", "-")}="{for_html(v)}"' for k, v in data.items())
    return f'<dt>{name}</dt><dd class="{css}"{attrs}>{body}</dd>'


def _tenant_html(status: TenantStatus) -> str:
    gate = status.gate
    state = "tc-met" if gate.met else "tc-none" if not gate.total else "tc-not-met"
    badge = "met" if gate.met else "no checks" if not gate.total else "not met"
    tenant_id = f' <span class="tc-id">({for_html(status.tenant_id)})</span>' if status.tenant_id else ""
    step = status.next_step
    lead = f"<strong>{for_html(step.check_id)}</strong> ({for_html(step.title)})" if step else ""
    step_html = ("none: nothing failed" if step is None else f"{lead}: {for_html(step.action)}"
                 if step.outcome == "failed" else f"{lead} could not run. To get its data: {for_html(step.action)}")
    rows = [
        _row("Gate", "tc-gate", f'{for_html(gate.name)}: <strong class="tc-gate-verdict">{for_html(gate.verdict)}'
             f"</strong> (of {counted(gate.total, 'check')})", failing=gate.failing, errors=gate.errors,
             total=gate.total),
        _row("Next step", "tc-next", step_html, check_id=step.check_id if step else ""),
        _row("Snapshot", "tc-age", for_html(status.snapshot)),
        _row(for_html(status.compared), "tc-drift-count", for_html(status.drift)),
        _row("Result diff", "tc-diff-count", for_html(status.result_diff)),
    ]
    return (f'<div class="tc-tenant {state}" data-tenant="{for_html(status.label)}" data-met="{str(gate.met).lower()}">'
            f'<h2><span class="tc-verdict-badge">{badge}</span>{for_html(status.label)}{tenant_id}</h2>'
            f'<dl>{"".join(rows)}</dl></div>')


def render(statuses: Sequence[TenantStatus], run: Mapping[str, str]) -> str:
    """The card's tenants, then the run's sources (``run``: name -> value, e.g. each snapshot's digest)."""
    table = "".join(f"<tr><th>{for_html(k)}</th><td>{for_html(v)}</td></tr>" for k, v in run.items())
    return ("".join(_tenant_html(s) for s in statuses)
            + (f'<details id="tc-sources" class="tc-sources"><summary>Sources: tenants, snapshots and their '
               f'sha256, baseline, config</summary><table class="tc-run"><tbody>{table}</tbody></table></details>'
               if table else ""))
