"""``tunnelcheck fleet RESULTS...``: many tenants' results on one page (see :mod:`tunnelcheck.reports.fleet`).

Writes the fleet page (``-o``, default fleet.html), and on request a Markdown summary (``--markdown``) and
the fleet document (``--json``) that the next run compares with (``--previous``). Each results file that
cannot be read is one line on stderr and a "results unreadable" row on the page; the others still count.
Exit status: 0 written, every results file read; 1 written, some results unreadable; 2 error, nothing
written (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from ..errors import ConfigError, TunnelcheckError
from ..files import check_writable, write_atomic
from ..reports import fleet as fleet_mod
from ..reports.fleet_page import render_html
from ..untrusted import for_terminal

__all__ = ["add_fleet_arguments", "run_fleet"]

_EPILOG = """\
A tenant's report is linked when it lies beside its results file: X.html for X.json, or report.html for
results.json (ci/nightly.sh's names). In a folder, every *.json at any depth is read as results
(snapshots and fleet documents are skipped).

exit status: 0 the page was written and every results file read; 1 written, but some results were
unreadable (each is a row "results unreadable" and a line on stderr); 2 error, nothing written."""


def add_fleet_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``fleet`` arguments to ``parser`` (and ``func=run_fleet`` as its default)."""
    parser.description = (
        "Gather many tenants' results (--tunnelcheck-json files, or folders of them) into one self-contained "
        "HTML page: tenants x phases, the tenants furthest behind first, filters by phase and status, newly "
        "failing tenants since the previous fleet run, and links to each tenant's report.")
    parser.epilog = _EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("results", nargs="+", metavar="RESULTS", help="results JSON files or folders of them")
    parser.add_argument("-o", "--output", metavar="FILE", default="fleet.html",
                        help="the fleet page to write (default: fleet.html; missing folders are made)")
    parser.add_argument("--markdown", metavar="FILE", help="also write a Markdown summary ($GITHUB_STEP_SUMMARY)")
    parser.add_argument("--json", metavar="FILE", dest="json_path",
                        help="also write the fleet as JSON: the next run's --previous")
    parser.add_argument("--previous", metavar="FLEET.json",
                        help="the --json of the previous fleet run: list the newly failing tenants")
    parser.add_argument("--title", default="tunnelcheck fleet", help="the page's title (default: tunnelcheck fleet)")
    parser.set_defaults(func=run_fleet)
    return parser


def run_fleet(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    outputs = {"-o": args.output, "--markdown": args.markdown, "--json": args.json_path}
    try:
        for flag, path in outputs.items():
            if path:
                check_writable(path, flag, make_folders=True)
        previous = fleet_mod.load_previous(args.previous) if args.previous else None
        fleet = fleet_mod.build(args.results, previous=previous, title=args.title,
                                exclude=[p for p in (*outputs.values(), args.previous) if p])
        if not fleet.rows:
            raise ConfigError("RESULTS", f"no results files in {', '.join(args.results)}")
        texts = {args.output: render_html(fleet, args.output)}
        if args.markdown:
            texts[args.markdown] = fleet_mod.render_markdown(fleet)
        if args.json_path:
            texts[args.json_path] = json.dumps(fleet_mod.fleet_document(fleet), indent=2, ensure_ascii=False)
        for path, text in texts.items():
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
    except TunnelcheckError as exc:
        print(f"tunnelcheck: error: {for_terminal(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tunnelcheck: error: cannot write {for_terminal(exc.filename or '')}: "
              f"{exc.strerror or exc.__class__.__name__}", file=sys.stderr)
        return 2
    for row in fleet.unreadable:
        print(for_terminal(f"tunnelcheck fleet: {row.results}: results unreadable: {row.unreadable}"), file=sys.stderr)
    for note in fleet.notes:
        print(for_terminal(f"tunnelcheck fleet: note: {note}"), file=sys.stderr)
    print(for_terminal(f"tunnelcheck fleet: {fleet_mod.headline(fleet)}"), file=out)
    if fleet.changes is not None:
        print(for_terminal(f"tunnelcheck fleet: since the previous run: {fleet.changes.summary}"), file=out)
    print(for_terminal(f"tunnelcheck fleet: wrote {', '.join(p for p in outputs.values() if p)}"), file=out)
    return 1 if fleet.unreadable else 0
