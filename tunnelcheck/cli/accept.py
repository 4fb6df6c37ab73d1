"""``tunnelcheck accept SNAPSHOT --baseline FILE``: make a reviewed snapshot the new baseline
(:mod:`tunnelcheck.sources.baseline`), after printing the drift it accepts.

Exit status: 0 accepted; 2 refused (one line on stderr), the baseline untouched.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import TextIO

from .. import config as config_file
from ..errors import TunnelcheckError
from ..reports import drift_table
from ..sources import baseline, snapshot
from ..untrusted import for_terminal
from .diff import side
from .output import error

__all__ = ["add_accept_arguments", "run_accept"]


def add_accept_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``accept`` arguments to ``parser`` (and ``func=run_accept`` as its default)."""
    parser.description = (
        "Accept SNAPSHOT as the new baseline: verify its digest, print the drift it accepts, keep the current "
        "baseline as FILE.prev, and copy SNAPSHOT to FILE atomically.")
    parser.epilog = "exit status: 0 accepted, 2 refused (one line on stderr; the baseline untouched)"
    parser.add_argument("snapshot", metavar="SNAPSHOT", help="the snapshot to accept (tunnelcheck record's)")
    parser.add_argument("--baseline", required=True, metavar="FILE",
                        help="the baseline file to replace (.json or .json.gz); the old one is kept as FILE.prev")
    parser.add_argument("--sha256", metavar="HEX", dest="expected_sha256",
                        help="accept only a snapshot with this digest (the one in the report you reviewed)")
    parser.add_argument("--tunnelcheck-config", metavar="FILE", dest="tunnelcheck_config",
                        help="YAML config: migration.defender_app_ids / standalone_app_ids name the apps in the drift")
    parser.set_defaults(func=run_accept)
    return parser


def run_accept(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """0: accepted; 2: refused (one line on stderr), the baseline untouched."""
    out = out or sys.stdout
    try:
        with warnings.catch_warnings():
            # An unsealed snapshot is refused, with its reason: no warning about it first.
            warnings.simplefilter("ignore", snapshot.UnsealedSnapshotWarning)
            settings = config_file.load(args.tunnelcheck_config)
            accepting = baseline.prepare(args.snapshot, args.baseline, settings.migration, args.expected_sha256,
                                         settings.max_snapshot_mb)
        drift = accepting.drift  # shown before anything is written
        if drift is None:
            print(for_terminal(f"tunnelcheck: no baseline at {args.baseline} yet: nothing to compare with"), file=out)
        else:
            print(for_terminal(f"tunnelcheck: the changes accepted, from the baseline {side(drift.old)} to "
                               f"{side(drift.new)}:"), file=out)
            print("\n".join(drift_table.text_lines(drift)), file=out, flush=True)
        baseline.write(accepting, settings.max_snapshot_mb)
    except TunnelcheckError as exc:
        return error(exc)
    print(for_terminal(f"tunnelcheck: accepted {args.snapshot} (sha256 {accepting.digest}) as the baseline "
                       f"{args.baseline}"), file=out)
    if accepting.drift is not None:
        print(for_terminal(f"tunnelcheck: the previous baseline (sha256 {accepting.previous_digest}) is "
                           f"{accepting.kept_as}"), file=out)
    return 0
