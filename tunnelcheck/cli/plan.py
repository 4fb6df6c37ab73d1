"""``tunnelcheck plan``: write the steps that make the failing checks pass, as ``plan.md`` (a checklist for
the Intune admin center) and ``plan.json`` (the same steps as Graph beta requests). Nothing is sent to the
tenant: a live tenant is read through the same read-only path as a run.

The inputs are a run's: ``--snapshot FILE`` or ``--tenant TENANT``, ``--baseline``, ``--tunnelcheck-config``,
``--phase``. Exit status 0: no check fails (the plan is empty); 1: the plan holds steps, or failing checks it
cannot resolve; 2: error (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from typing import TextIO

from .. import config as config_file
from ..check import Phase
from ..errors import ConfigError, TunnelcheckError
from ..files import check_writable, write_atomic
from ..plan import build_plan, plan_json, render, summary
from ..registry import Catalog
from ..sources.snapshot import load_tenant
from ..tenant import Tenant
from ..untrusted import for_terminal
from ..wording import counted

__all__ = ["add_plan_arguments", "run_plan"]


def add_plan_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.description = (
        "Run the checks and write the steps that make the failing ones pass: plan.md, a checklist for the "
        "Intune admin center, and plan.json, the same steps as Graph beta requests with the waits. tunnelcheck "
        "never sends them. Exit status 0: nothing fails, 1: the plan has steps or unresolved failures, 2: error.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--snapshot", metavar="FILE", help="a recorded tenant (.json or .json.gz)")
    source.add_argument("--tenant", metavar="TENANT", help="a live tenant, read through Microsoft Graph (read-only)")
    parser.add_argument("--baseline", metavar="FILE", help="the snapshot recorded before the migration")
    parser.add_argument("--tunnelcheck-config", metavar="FILE", dest="tunnelcheck_config", default=None,
                        help="YAML settings: migration intent, app ids, live tenant access")
    parser.add_argument("--phase", choices=[p.value for p in Phase if p is not Phase.DRIFT],
                        help="plan that phase and every earlier one (default: all)")
    parser.add_argument("--markdown", "-o", metavar="FILE", default="plan.md", help="the checklist (default: plan.md)")
    parser.add_argument("--json", metavar="FILE", default="plan.json",
                        help="the Graph requests (default: plan.json)")
    parser.set_defaults(func=run_plan)
    return parser


def _tenant(args: argparse.Namespace, settings: config_file.Config) -> Tenant:
    snapshots = [args.snapshot] if args.snapshot else []
    live = [args.tenant] if args.tenant else []
    if not snapshots and not live:  # the config's tenants: list, as a run uses it
        snapshots = [e.snapshot for e in settings.tenants if e.snapshot]
        live = [e.tenant for e in settings.tenants if e.tenant]
    if len(snapshots) + len(live) != 1:
        raise ConfigError("plan", "needs exactly one tenant: --snapshot FILE or --tenant TENANT"
                          + (f" (the config names {len(snapshots) + len(live)})" if snapshots or live else ""))
    if snapshots:
        return load_tenant(snapshots[0], label=settings.name, max_mb=settings.max_snapshot_mb)
    from ..sources.graph import open_tenant  # the live stack loads only when asked for

    return open_tenant(live[0], settings)


def run_plan(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            check_writable(args.markdown, "--markdown")
            check_writable(args.json, "--json")
            settings = config_file.load(args.tunnelcheck_config)
            tenant = _tenant(args, settings)
            baseline = load_tenant(args.baseline, label="baseline", max_mb=settings.max_snapshot_mb) \
                if args.baseline else None
            ids = (baseline.info.tenant_id if baseline else None, tenant.info.tenant_id)
            if None not in ids and ids[0].lower() != ids[1].lower():  # type: ignore[union-attr]
                raise ConfigError("--baseline", f"{args.baseline} is tenant {ids[0]}, but the plan is for "
                                  f"tenant {ids[1]}")
            plan = build_plan(tenant, baseline, settings, Catalog.installed().values(),
                              Phase(args.phase) if args.phase else None)
            markdown_name = os.path.relpath(os.path.abspath(args.markdown),
                                            os.path.dirname(os.path.abspath(args.json)))
            json_name = os.path.relpath(os.path.abspath(args.json), os.path.dirname(os.path.abspath(args.markdown)))
            write_atomic(args.json, plan_json(plan, markdown_name))
            write_atomic(args.markdown, render(plan, json_name))
    except TunnelcheckError as exc:
        print(f"tunnelcheck: error: {for_terminal(exc)}", file=sys.stderr)
        return 2
    for warning in caught:
        print(f"tunnelcheck: warning: {for_terminal(warning.message)}", file=sys.stderr)
    requests = sum(len(s.requests()) for s in plan.steps)
    print(for_terminal(f"{args.markdown}: {counted(len(plan.steps), 'step')}; {args.json}: "
                       f"{counted(requests, 'Graph request')} (not sent)"), file=out)
    print(for_terminal(f"{plan.tenant.label}: {summary(plan)}"), file=out)
    return 0 if not plan.failing else 1
