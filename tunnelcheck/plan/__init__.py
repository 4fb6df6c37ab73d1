"""``tunnelcheck plan``: from the failing checks to the exact changes that make them pass.

The plan is derived from the current state and the verdicts of the checks (run with the same machinery
as a pytest run: :func:`tunnelcheck.check.run_check` over the catalog), step by step in the migration's
phase order, and only for what the current state lacks:

========================  =====================================================  ==================
step kind                 what                                                   resolves
========================  =====================================================  ==================
enable-udp                turn Disable UDP Connections off                       TUN-GW-04
add-defender-app          approve / add the Defender app (manual: no Graph call) TUN-AND-01, IOS-01
assign-defender-app       offer the Defender app to each uncovered Tunnel target TUN-AND-02, IOS-01
create-profile            a Defender profile mirroring a standalone profile      TUN-AND-03, IOS-02
assign-profile            a replacement's assignments extended to the targets    TUN-AND-03, IOS-02
                          it misses
restore-settings          the recorded settings put back on a replacement        TUN-AND-04, IOS-03
fix-custom-settings       defendertoggle / TunnelOnly as migration intends       TUN-AND-05, IOS-04
add-browsers              offered browsers into a work-profile per-app list      TUN-AND-06
wait                      10 minutes after new iOS profiles; devices synced      (the guide's waits)
reassign-per-app-vpn      app assignments' vpnConfigurationId to the new profile TUN-IOS-05
uninstall-standalone-app  offered assignments removed, Uninstall added           TUN-AND-08, IOS-08
unassign-standalone       the standalone profiles' assignments removed (last)    TUN-AND-07, IOS-07
========================  =====================================================  ==================

Each step is a list of effects; each effect is both a Graph beta request (``plan.json``, which tunnelcheck
never sends) and a change to a copy of the tenant: the plan is applied to that copy and the checks run on
it, so every outcome the plan claims (``checks[].after``) is a prediction made by the checks themselves.
TUN-IOS-06 reads the audit log Intune writes while the steps are applied: it is not predicted. The words
(standalone profile, replacement, migration target, covers) are docs/terms.md's.

Its modules: ``steps`` (the plan's data: the text of a step, its effects, the steps, the plan), ``derive``
(:func:`build_plan`: the checks run, the steps derived from what the tenant lacks), ``predict`` (the steps
applied to a copy of the tenant, the checks run on it), ``document`` (plan.json, written and read back) and
``markdown`` (plan.md).
"""

from __future__ import annotations

from .derive import build_plan
from .document import (
    PLAN_VERSION,
    links_for,
    load_plan,
    markdown_path,
    plan_json,
    step_for,
    steps_for,
    summary,
)
from .markdown import render
from .predict import NOT_PREDICTED
from .steps import Block, Plan, Step, Table, Text

__all__ = [
    "NOT_PREDICTED",
    "PLAN_VERSION",
    "Block",
    "Plan",
    "Step",
    "Table",
    "Text",
    "build_plan",
    "links_for",
    "load_plan",
    "markdown_path",
    "plan_json",
    "render",
    "step_for",
    "steps_for",
    "summary",
]
