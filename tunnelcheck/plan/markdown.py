"""``plan.md``: the plan as a checklist an Intune admin follows in the admin center, step by step.

Every value from the tenant (names, ids, group names, settings, file names) goes through
:func:`tunnelcheck.untrusted.for_markdown`: a profile named like a link, an image or raw HTML stays text.
The words, headings, anchors (``<a id="step-3">``) and links around them are tunnelcheck's own.
"""

from __future__ import annotations

import re

from ..untrusted import for_markdown as md
from ..wording import counted
from .document import summary
from .predict import NOT_PREDICTED
from .steps import Block, Plan, Step, Table, Text

__all__ = ["render"]

_OUTCOME = {"passed": "passes", "failed": "fails", "error": "cannot run", "skipped": "does not apply",
            "waived": "waived", None: "not predicted"}


def _t(value: Text) -> str:
    return value.render(md)


def _steps(steps: list[Step]) -> str:
    return ", ".join(f"[{s.number}](#{s.id})" for s in steps) or "-"


def _block(block: Block, checkbox: bool) -> list[str]:
    if isinstance(block, Table):
        return ["", "| " + " | ".join(block.header) + " |", "|" + "---|" * len(block.header),
                *("| " + " | ".join(_t(cell) for cell in row) + " |" for row in block.rows), ""]
    return [("- [ ] " if checkbox else "- ") + _t(block)]


def _step(step: Step, plan: Plan) -> list[str]:
    lines = ["", f'<a id="{step.id}"></a>', "", f"### Step {step.number}. {_t(step.title)}", ""]
    if step.destructive:
        lines += [("**Destructive**: this removes the standalone client from devices. Do it only after the steps "
                  "above, once devices have Defender and the new profiles."), ""]
    titles = {o.check.id: o for o in plan.outcomes}
    if step.addresses:
        parts = []
        for check_id in step.addresses:
            outcome = titles.get(check_id)
            now = outcome.now.outcome if outcome else "?"
            after = _OUTCOME.get(outcome.after, outcome.after) if outcome else "?"
            parts.append(f"{md(check_id)} ({md(now)} now; {md(after)} after the plan)")
        lines.append("**Resolves**: " + "; ".join(parts))
        waived = [w for c in step.addresses for w in plan.waivers.get(c, [])]
        if waived:
            lines.append("**Waivers in the config**: " + "; ".join(md(w) for w in waived))
    if step.where is not None:
        lines += ["", "**Where**: " + _t(step.where)]
    if lines[-1]:
        lines.append("")
    if step.wait is not None:
        wait = step.wait
        how_long = f"at least {wait.minutes} minutes" if wait.minutes else "until"
        after = f" after step {wait.after.number}" if wait.after is not None and wait.minutes else ""
        lines.append(f"- [ ] **Wait** {how_long}{after}: {_t(wait.until)}")
    for block in step.blocks:
        lines += _block(block, checkbox=step.wait is None)
    for note in step.notes:
        lines.append(f"- *Note*: {_t(note)}")
    requests = step.requests()
    if requests:
        lines += ["", f"plan.json: `{step.id}`, {counted(len(requests), 'Graph request')}: "
                  + ", ".join(f"`{r.method}`" for r in requests[:6]) + (" …" if len(requests) > 6 else "") + "."]
    elif step.manual:
        lines += ["", ("Done in the admin center (no Graph request); plan.json's later steps name what it adds as "
                  f"`{step.id}.id`.")]
    return lines


def render(plan: Plan, json_name: str | None = None) -> str:
    """The plan as Markdown."""
    tenant = plan.tenant
    intent = {False: "Tunnel only (`migration.defender_features`: false)",
              True: "Defender for Endpoint's features wanted (`migration.defender_features`: true)",
              None: "not set (`migration.defender_features`): defendertoggle and TunnelOnly are left as they are"}
    lines = [f"# Migration plan: {md(tenant.label)}", "",
             f"- Tenant: {md(tenant.tenant_id or 'unknown')}, read from {md(tenant.location)}"
             + (f" (recorded {md(tenant.recorded_at)})" if tenant.recorded_at else ""),
             f"- Baseline: {md(plan.baseline.location)} (recorded {md(plan.baseline.recorded_at or '?')})"
             if plan.baseline else "- Baseline: none (`--baseline` not given: migration targets are the "
             "current assignments only)",
             f"- Phases: {md(plan.phase.value) + ' and every earlier one' if plan.phase else 'all'}",
             f"- Intent: {intent[plan.migration.defender_features]}", "",
             "tunnelcheck changes nothing in the tenant. Follow the steps in order in the Intune admin center"
             + (f" ({md(json_name)} holds the same steps as Graph beta requests, with the waits)" if json_name
                else "") + ". Steps marked **Destructive** remove the standalone client: they come last, after "
             "the steps that make them safe. Run the checks again after each phase.", "",
             f"**{md(summary(plan))}.**"]
    if not plan.failing:
        lines += ["", "Every check passes: there is nothing to change."]
        return "\n".join(lines) + "\n"

    lines += ["", "## Checks", "", "| check | title | now | after the plan | steps |", "|---|---|---|---|---|"]
    for o in plan.outcomes:
        after = _OUTCOME.get(o.after, o.after) if o.check.id not in NOT_PREDICTED else "not predicted"
        lines.append(f"| {md(o.check.id)} | {md(o.check.title)} | {md(o.now.outcome)} | {md(after)} | "
                     f"{_steps(o.steps)} |")
    if any(o.check.id in NOT_PREDICTED and o.now.outcome != "skipped" for o in plan.outcomes):
        lines += ["", *(f"{md(c)} is not predicted: {md(why)}." for c, why in NOT_PREDICTED.items())]
    worse = [o for o in plan.outcomes if o.now.outcome in ("passed", "skipped") and o.after in ("failed", "error")]
    if worse:
        lines += ["", "**Warning**: after this plan these checks would fail: "
                  + ", ".join(md(o.check.id) for o in worse) + ". Review the steps before applying them."]

    if plan.steps:
        lines += ["", "## Steps", ""]
        lines += [f"{s.number}. [{_t(s.title)}](#{s.id})" + (" (**destructive**)" if s.destructive else "")
                  for s in plan.steps]
        phase = None
        for step in plan.steps:
            if step.phase is not phase:
                phase = step.phase
                lines += ["", f"## Phase: {phase.value}"]
            lines += _step(step, plan)
    else:
        lines += ["", "## Steps", "", "No configuration change of this plan resolves the failing checks: see below."]

    if plan.unresolved:
        lines += ["", "## Not resolved by this plan", ""]
        remediation = {o.check.id: o.check for o in plan.outcomes}
        shown: set[str] = set()
        for check_id, why in plan.unresolved:
            check = remediation.get(check_id)
            title = f" {md(check.title)}" if check else ""
            lines.append(f"- **{md(check_id)}**{title}: {_t(why)}")
            if check and check_id not in shown and check.remediation:  # the catalog's words, not the tenant's
                lines.append(f"  - Remediation: {check.remediation}")
            shown.add(check_id)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"
