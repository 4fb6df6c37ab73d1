"""``tunnelcheck diff OLD NEW``: what the Tunnel migration depends on that changed between two snapshots.

The comparison is :func:`tunnelcheck.drift.tenant_diff` (the drift checks use the same); this module reads
the two snapshots, renders the result in one of four formats and sets the exit status: 0 no drift,
1 drift, 2 error (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from typing import TextIO

from .. import config as config_file
from ..drift import TenantDiff, tenant_diff
from ..errors import TunnelcheckError
from ..reports import drift_table
from ..sources.snapshot import load_tenant
from ..tenant import SourceInfo
from ..untrusted import for_html, for_terminal, for_terminal_json
from ..untrusted import for_markdown as md
from .output import emit

__all__ = ["FORMATS", "add_diff_arguments", "render", "run_diff", "side"]


def side(info: SourceInfo) -> str:
    """One side of a comparison: the snapshot, and when it was recorded."""
    return f"{info.location} (recorded {info.recorded_at})" if info.recorded_at else info.location


def _heading(result: TenantDiff, arrow: str = "->") -> str:
    return f"tunnelcheck diff: {side(result.old)} {arrow} {side(result.new)}"


def render_text(result: TenantDiff) -> str:
    return "\n".join([for_terminal(_heading(result)), "", *drift_table.text_lines(result)])


def render_markdown(result: TenantDiff) -> str:
    table = drift_table.markdown_table(result)
    return "\n".join([f"## {md(_heading(result, '→'))}", "", md(result.summary), *([""] + table if table else [])])


def render_json(result: TenantDiff) -> str:
    return for_terminal_json(result.as_dict())  # printed: no control character raw, even inside a string


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}
.tc-drift-added{color:#1a7f37}.tc-drift-removed{color:#cf222e}.tc-drift-changed{color:#9a6700}"""


def render_html(result: TenantDiff) -> str:
    e = for_html
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>tunnelcheck diff</title>'
            f"<style>{_CSS}</style></head><body>\n<h1>{e(_heading(result, '→'))}</h1>\n<p>{e(result.summary)}</p>\n"
            f"{drift_table.html_table(result)}\n</body></html>")


FORMATS: dict[str, Callable[[TenantDiff], str]] = {
    "text": render_text, "markdown": render_markdown, "json": render_json, "html": render_html,
}


def render(result: TenantDiff, fmt: str = "text") -> str:
    return FORMATS[fmt](result)


# ---------------------------------------------------------------------------------------------------
# tunnelcheck diff OLD NEW


def add_diff_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``diff`` arguments to ``parser`` (and ``func=run_diff`` as its default)."""
    parser.description = (
        "Compare two snapshots: the Tunnel profiles, the Defender and standalone apps' assignments, per-app "
        "VPN links, Tunnel sites and server configurations added, removed or changed. Fields that change by "
        "themselves are ignored.")
    parser.epilog = "exit status: 0 no drift, 1 drift, 2 error (one line on stderr)"
    parser.add_argument("old", metavar="OLD", help="the accepted baseline snapshot")
    parser.add_argument("new", metavar="NEW", help="the snapshot to compare with it")
    parser.add_argument("--format", choices=list(FORMATS), default="text", help="output format (default: text)")
    parser.add_argument("--tunnelcheck-config", metavar="FILE", dest="tunnelcheck_config", default=None,
                        help="YAML config: migration.defender_app_ids / standalone_app_ids pick the apps")
    parser.set_defaults(func=run_diff)
    return parser


def run_diff(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """``tunnelcheck diff``: 0 no drift, 1 drift, 2 error (one line on stderr, no traceback)."""
    out = out or sys.stdout
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            settings = config_file.load(args.tunnelcheck_config)
            limit = settings.max_snapshot_mb
            old, new = load_tenant(args.old, max_mb=limit), load_tenant(args.new, max_mb=limit)
            result = tenant_diff(old, new, settings.migration)
    except TunnelcheckError as exc:
        print(f"tunnelcheck: error: {for_terminal(exc)}", file=sys.stderr)
        return 2
    for warning in caught:
        print(f"tunnelcheck: warning: {for_terminal(warning.message)}", file=sys.stderr)
    if old.info.tenant_id and new.info.tenant_id and old.info.tenant_id != new.info.tenant_id:
        print(for_terminal(f"tunnelcheck: warning: OLD and NEW are different tenants ({old.info.tenant_id}, "
                           f"{new.info.tenant_id})"), file=sys.stderr)
    emit(render(result, args.format), out)
    return 1 if result else 0
