"""Accepting a snapshot as the new baseline (``tunnelcheck accept SNAPSHOT --baseline FILE``, whose command
line is tunnelcheck/cli/accept.py).

The drift checks (``--drift``) and the report's drift section compare each run with the baseline; when a
change was intended, the snapshot that shows it becomes the baseline. Accepting is two steps, so that the
drift accepted can be shown before anything is written:

1. :func:`prepare` reads SNAPSHOT and verifies it: a sealed digest (an unsealed, hand-made file is refused),
   every resource parsing, the same tenant as the current baseline, and ``expected_sha256`` when given (the
   digest of the snapshot you reviewed, as the report's environment table shows it); and compares it with
   the current baseline: the drift it accepts (:func:`tunnelcheck.drift.tenant_diff`, as ``tunnelcheck diff``);
2. :func:`write` keeps the current baseline as ``FILE.prev`` (replacing an older one), then writes the
   snapshot to FILE atomically (``snapshot.write``: compressed when FILE ends in ``.gz``, sealed with the same
   digest): a crash leaves the old baseline or the new one, never a part.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .. import config as config_file
from ..drift import TenantDiff, tenant_diff
from ..errors import SnapshotError, TunnelcheckError
from ..untrusted import for_terminal
from . import snapshot

__all__ = ["Acceptance", "prepare", "write"]


def _check_target(baseline: str) -> None:
    """The baseline is replaced by a new file: a link there would be replaced too, silently leaving what it
    pointed to as the old baseline. Refused, as anything that is not a regular file."""
    if os.path.islink(baseline):
        raise SnapshotError(baseline, "is a symbolic link: give the baseline file itself (accept replaces it)")
    if os.path.exists(baseline) and not os.path.isfile(baseline):
        raise SnapshotError(baseline, "is not a regular file")


@dataclass(frozen=True)
class Acceptance:
    """A snapshot verified to become the baseline, and what that changes."""

    source: str
    baseline: str
    digest: str
    #: The current baseline's digest and the drift from it to ``source``; None when there is no baseline yet.
    previous_digest: str | None
    drift: TenantDiff | None

    @property
    def kept_as(self) -> str:
        return self.baseline + ".prev"


def prepare(source: str, baseline: str, migration: config_file.MigrationConfig, expected_sha256: str | None = None,
            max_mb: int = config_file.DEFAULT_MAX_SNAPSHOT_MB) -> Acceptance:
    """Verify ``source`` to become the baseline at ``baseline`` and compare it with the current one (the
    apps are named by ``migration``). Writes nothing; a refusal is a SnapshotError saying why."""
    _check_target(baseline)
    new = snapshot.load_tenant(source, label="accepted", max_mb=max_mb)
    digest = new.info.sha256
    if not digest:
        raise SnapshotError(source, "has no sha256: only a sealed snapshot (tunnelcheck record) can be accepted")
    if expected_sha256 and expected_sha256.strip().lower() != digest:
        raise SnapshotError(source, f"sha256 is {digest}, not the {expected_sha256.strip()} given with --sha256")
    if not Path(baseline).exists():
        return Acceptance(source, baseline, digest, None, None)
    old = snapshot.load_tenant(baseline, label="baseline", max_mb=max_mb)
    if old.info.tenant_id and new.info.tenant_id and old.info.tenant_id != new.info.tenant_id:
        raise SnapshotError(source, f"is tenant {new.info.tenant_id}, the baseline {baseline} is tenant "
                            f"{old.info.tenant_id}: not accepted")
    return Acceptance(source, baseline, digest, old.info.sha256, tenant_diff(old, new, migration))


def write(acceptance: Acceptance, max_mb: int = config_file.DEFAULT_MAX_SNAPSHOT_MB) -> None:
    """Make the prepared snapshot the baseline, keeping the old one as ``baseline + '.prev'``."""
    _check_target(acceptance.baseline)  # again: time has passed since prepare (the drift was shown)
    target = Path(acceptance.baseline)
    try:
        if target.exists():  # the old baseline first: a crash between the two writes leaves both in place
            snapshot.write(Path(acceptance.kept_as), snapshot.read_document(target, max_mb))
        target.parent.mkdir(parents=True, exist_ok=True)
        written = snapshot.write(target, snapshot.read_document(acceptance.source, max_mb))
    except OSError as exc:
        raise SnapshotError(acceptance.baseline, "cannot write the baseline "
                            f"({exc.strerror or exc.__class__.__name__})") from None
    if written != acceptance.digest:  # pragma: no cover - the file changed under us
        raise SnapshotError(acceptance.source, "changed while it was being accepted")
