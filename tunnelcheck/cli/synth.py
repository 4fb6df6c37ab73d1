"""``tunnelcheck synth``: write a synthetic tenant at scale (:mod:`tunnelcheck.sources.synth`) for benchmarks.

Exit status: 0 written; 2 error, nothing written (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from ..errors import TunnelcheckError
from ..files import check_writable
from ..sources import snapshot
from ..sources.synth import SIZES, generate
from ..untrusted import for_terminal
from .output import error

__all__ = ["add_synth_arguments", "run_synth"]


def add_synth_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``synth`` arguments to ``parser`` (and ``func=run_synth`` as its default)."""
    parser.add_argument("--size", choices=list(SIZES), default="S",
                        help="S, M, L or XL (XL: 100,000 devices, 20,000 apps; S, M, L: 1/100, 1/10, 1/3)")
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same file (default: 1)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the current tenant's snapshot (.json or .json.gz)")
    parser.add_argument("--baseline", metavar="FILE", help="also write its pre-migration baseline snapshot here")
    parser.set_defaults(func=run_synth)
    return parser


def run_synth(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        check_writable(args.output, "-o")  # before building: an XL tenant takes a while
        if args.baseline:
            check_writable(args.baseline, "--baseline")
        tenant = generate(args.size, args.seed)
        digests = {args.output: snapshot.write(args.output, tenant.current)}
        if args.baseline:
            digests[args.baseline] = snapshot.write(args.baseline, tenant.baseline)
    except TunnelcheckError as exc:
        return error(exc)
    except OSError as exc:
        return error(f"cannot write {exc.filename or ''}: {exc.strerror or exc.__class__.__name__}")
    print(for_terminal(f"{args.output}: size {args.size}, seed {args.seed}, sha256 {digests[args.output]}"), file=out)
    print("  " + ", ".join(f"{key.split('/')[-1]} {n:,}" for key, n in tenant.counts.items()), file=out)
    if args.baseline:
        print(for_terminal(f"{args.baseline}: baseline, sha256 {digests[args.baseline]}"), file=out)
    return 0
