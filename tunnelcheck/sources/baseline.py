"""Accepting a snapshot as the new baseline: ``tunnelcheck accept SNAPSHOT --baseline FILE``.

The drift checks (``--drift``) and the report's drift section compare each run with the baseline; when a
change was intended, the snapshot that shows it becomes the baseline. ``accept``:

1. reads SNAPSHOT and verifies it: a sealed digest (an unsealed, hand-made file is refused), every resource
   parsing, the same tenant as the current baseline, and ``--sha256`` when given (the digest of the
   snapshot you reviewed, as the report's environment table shows it);
2. keeps the current baseline as ``FILE.prev`` (replacing an older one);
3. writes the snapshot to FILE atomically (``snapshot.write``: compressed when FILE ends in ``.gz``, sealed
   with the same digest): a crash leaves the old baseline or the new one, never a part.

It prints what the new baseline accepts: the drift from the old baseline, as ``tunnelcheck diff``.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import TextIO

from .. import config as config_file
from ..drift import tenant_diff
from ..errors import SnapshotError, TunnelcheckError
from ..untrusted import for_terminal
from . import snapshot

__all__ = ["accept", "add_accept_arguments", "run_accept"]


def _check_target(baseline: str) -> None:
    """The baseline is replaced by a new file: a link there would be replaced too, silently leaving what it
    pointed to as the old baseline. Refused, as anything that is not a regular file."""
    if os.path.islink(baseline):
        raise SnapshotError(baseline, "is a symbolic link: give the baseline file itself (accept replaces it)")
    if os.path.exists(baseline) and not os.path.isfile(baseline):
        raise SnapshotError(baseline, "is not a regular file")


def accept(source: str, baseline: str, expected_sha256: str | None = None,
           max_mb: int = config_file.DEFAULT_MAX_SNAPSHOT_MB) -> tuple[str, str | None]:
    """Make ``source`` the baseline at ``baseline``, keeping the old one as ``baseline + '.prev'``.
    Returns the accepted digest and the previous baseline's (None when there was none)."""
    _check_target(baseline)
    new = snapshot.load_tenant(source, label="accepted", max_mb=max_mb)
    digest = new.info.sha256
    if not digest:
        raise SnapshotError(source, "has no sha256: only a sealed snapshot (tunnelcheck record) can be accepted")
    if expected_sha256 and expected_sha256.strip().lower() != digest:
        raise SnapshotError(source, f"sha256 is {digest}, not the {expected_sha256.strip()} given with --sha256")
    target = Path(baseline)
    old_digest = None
    if target.exists():
        old = snapshot.read(target, max_mb)
        old_digest = old.sha256
        if old.tenant_id and new.info.tenant_id and old.tenant_id != new.info.tenant_id:
            raise SnapshotError(source, f"is tenant {new.info.tenant_id}, the baseline {baseline} is tenant "
                                f"{old.tenant_id}: not accepted")
    try:
        if target.exists():  # the old baseline first: a crash between the two writes leaves both in place
            snapshot.write(target.with_name(target.name + ".prev"), snapshot.read_document(target, max_mb))
        target.parent.mkdir(parents=True, exist_ok=True)
        written = snapshot.write(target, snapshot.read_document(source, max_mb))
    except OSError as exc:
        raise SnapshotError(baseline, f"cannot write the baseline ({exc.strerror or exc.__class__.__name__})") from None
    if written != digest:  # pragma: no cover - the file changed under us
        raise SnapshotError(source, "changed while it was being accepted")
    return digest, old_digest


def add_accept_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.description = (
        "Accept SNAPSHOT as the new baseline: verify its digest, keep the current baseline as FILE.prev, and "
        "copy SNAPSHOT to FILE atomically. Prints the drift it accepts.")
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
            # An unsealed snapshot is refused below, with its reason: no warning about it first.
            warnings.simplefilter("ignore", snapshot.UnsealedSnapshotWarning)
            settings = config_file.load(args.tunnelcheck_config)
            limit = settings.max_snapshot_mb
            _check_target(args.baseline)
            previous = snapshot.load_tenant(args.baseline, label="baseline", max_mb=limit) \
                if Path(args.baseline).exists() else None
            if previous is not None:
                drift = tenant_diff(previous, snapshot.load_tenant(args.snapshot, label="accepted", max_mb=limit),
                                    settings.migration)
            digest, old_digest = accept(args.snapshot, args.baseline, args.expected_sha256, limit)
    except TunnelcheckError as exc:
        print(f"tunnelcheck: error: {for_terminal(exc)}", file=sys.stderr)
        return 2
    print(for_terminal(f"tunnelcheck: accepted {args.snapshot} (sha256 {digest}) as the baseline {args.baseline}"),
          file=out)
    if previous is not None:
        print(for_terminal(f"tunnelcheck: the previous baseline (sha256 {old_digest}) is {args.baseline}.prev; "
                           f"accepted: {drift.summary}"), file=out)
    return 0
