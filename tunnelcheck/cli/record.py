"""``tunnelcheck record``: record a live tenant as a snapshot (the recording is :mod:`tunnelcheck.sources.graph.record`).

``--resume CHECKPOINT`` continues an interrupted recording from its checkpoint (``FILE.partial/``, or the
snapshot ``FILE`` it is for), taking the tenant, the resources, the config file and ``--redact`` from it: no
other argument is needed. Ctrl-C ends with one line naming the checkpoint and that command (exit 130).

Exit status: 0 every resource recorded; 1 the snapshot was written without some resources (kept in the
checkpoint, so ``--resume`` asks only for them); 2 error, nothing written (one line on stderr);
130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from dataclasses import dataclass
from typing import TextIO

from .. import config as config_file
from ..errors import TunnelcheckError
from ..model.resources import Resource
from ..registry import recorded_by_default
from ..sources.graph.collector import Stats
from ..sources.graph.record import Checkpoint, record_source
from ..sources.redact import from_env as redactor_from_env
from ..untrusted import for_terminal
from .output import UsageError, error

__all__ = ["Progress", "add_record_arguments", "interrupted", "run_record"]

INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it


def add_record_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``record`` arguments to ``parser`` (and ``func=run_record`` as its default)."""
    parser.epilog = ("exit status: 0 every resource recorded, 1 written without some resources (--resume asks "
                     "only for them), 2 error (one line on stderr), 130 interrupted (the checkpoint is kept)")
    parser.add_argument("--tenant", metavar="TENANT",
                        help="the tenant to record (domain or id; auth.tenant_id in the config overrides it); "
                        "with --resume, the checkpoint's")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="the snapshot to write (.json, or .json.gz to compress); replaced atomically")
    parser.add_argument("--tunnelcheck-config", metavar="FILE", dest="tunnelcheck_config",
                        help="YAML settings: cloud, graph_url, authority, auth (see config.example.yaml); "
                        "with --resume, the checkpoint's")
    parser.add_argument("--resource", action="append", choices=[r.value for r in Resource], dest="resources",
                        metavar="RESOURCE", help="record this resource (repeatable; default: what any installed "
                        "check reads, and the groups' names: not the managed devices in bulk)")
    parser.add_argument("--resume", nargs="?", const="", default=None, metavar="CHECKPOINT",
                        help="continue an interrupted recording from its checkpoint FILE.partial (or -o FILE's): "
                        "only the resources not yet recorded are asked for; the tenant, resources, config and "
                        "--redact are the checkpoint's")
    parser.add_argument("--redact", action="store_true",
                        help="replace user principal names, user and device names with salted hashes (salt: "
                        "the environment variable TUNNELCHECK_REDACT_SALT)")
    parser.set_defaults(func=run_record)
    return parser


@dataclass(frozen=True)
class Recording:
    """What to record, from the command line and (when resuming) the checkpoint."""

    tenant: str
    output: str
    config: str | None
    resources: tuple[Resource, ...]
    redact: bool
    resume: bool


def recording(args: argparse.Namespace) -> Recording:
    """The command line, completed by the checkpoint when resuming. Options missing or at odds with each other
    are a UsageError; a checkpoint at odds with them (another tenant), or none to resume, a TunnelcheckError."""
    wanted = tuple(Resource(r) for r in args.resources) if args.resources else None
    if args.resume is None:
        missing = [flag for flag, value in (("--tenant", args.tenant), ("-o", args.output)) if not value]
        if missing:
            raise UsageError(f"the following arguments are required: {', '.join(missing)} (or --resume CHECKPOINT)")
        return Recording(args.tenant, args.output, args.tunnelcheck_config, wanted or recorded_by_default(),
                         args.redact, resume=False)
    if not args.resume and not args.output:
        raise UsageError("--resume needs the checkpoint (--resume FILE.partial) or the snapshot it is for (-o FILE)")
    checkpoint = Checkpoint.named(args.resume or args.output)
    output = str(checkpoint.target)
    if args.output and os.path.abspath(args.output) != os.path.abspath(output):
        raise UsageError(f"--resume {args.resume} is the checkpoint of {output}, not of -o {args.output}")
    started = checkpoint.started()
    if started is None:  # nothing to resume: a recording from the start, which needs its tenant
        if not args.tenant:
            raise TunnelcheckError(f"--resume: there is no checkpoint at {checkpoint.folder} to take the tenant "
                                   "from; give --tenant (and -o) to record from the start")
        return Recording(args.tenant, output, args.tunnelcheck_config, wanted or recorded_by_default(),
                         args.redact, resume=True)
    if args.tenant and args.tenant.casefold() != started.tenant.casefold():
        raise TunnelcheckError(f"--resume: {checkpoint.folder} is a recording of tenant {started.tenant}, not of "
                               f"--tenant {args.tenant}; leave out --tenant to resume it, or record without --resume")
    return Recording(started.tenant, output, args.tunnelcheck_config or started.config,
                     wanted or started.resources or recorded_by_default(), args.redact or started.redacted,
                     resume=True)


def run_record(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """0: every resource recorded; 1: the snapshot was written without some resources; 2: nothing written;
    130: interrupted."""
    err = err or sys.stderr
    progress = Progress(err)
    what: Recording | None = None
    try:
        what = recording(args)
        settings = config_file.load(what.config)
        redactor = redactor_from_env() if what.redact else None
        digest, source = record_source(what.tenant, settings, what.output, what.resources,
                                       Stats(on_change=progress.show), resume=what.resume, redactor=redactor,
                                       config_path=what.config)
    except UsageError:
        raise  # shown with the usage, by the command's parser
    except TunnelcheckError as exc:
        progress.end()
        return error(exc, err)
    except KeyboardInterrupt:
        progress.end()
        print(for_terminal(interrupted(what)), file=err)
        return INTERRUPTED
    progress.end()
    objects = sum(len(items) for items in source.loaded.values())
    print(for_terminal(f"tunnelcheck: recorded {len(source.loaded)} of {len(what.resources)} resources ({objects} "
                       f"objects, {source.stats.requests} requests) to {what.output} (sha256 {digest})"), file=err)
    if source.resumed:
        print(f"tunnelcheck: {len(source.resumed)} resources taken from the checkpoint of an interrupted run",
              file=err)
    for failure in source.failures.values():
        print(f"tunnelcheck: not recorded: {for_terminal(failure)}", file=err)
    if source.failures:
        folder = Checkpoint(what.output).folder
        print(for_terminal(f"tunnelcheck: the others are kept in {folder}: {resume_command(folder)} asks only "
                           "for these again"), file=err)
    return 1 if source.failures else 0


def resume_command(folder: os.PathLike[str] | str) -> str:
    return shlex.join(["tunnelcheck", "record", "--resume", os.fspath(folder)])


def interrupted(what: Recording | None) -> str:
    """The one line Ctrl-C ends a recording with: where its work is kept, and how to continue it."""
    nothing = "tunnelcheck: interrupted before any resource was recorded: nothing was written"
    if what is None:
        return nothing
    try:
        checkpoint = Checkpoint(what.output)
        started = checkpoint.started()
    except TunnelcheckError:
        return nothing
    if started is None or started.tenant.casefold() != what.tenant.casefold():  # none, or another's, kept as it was
        return nothing
    saved = len(checkpoint.saved())
    return (f"tunnelcheck: interrupted: {saved} resource{'s' * (saved != 1)} recorded so far kept in the checkpoint "
            f"{checkpoint.folder}; continue with: {resume_command(checkpoint.folder)}")


class Progress:
    """One line on a terminal, redrawn in place; silent when stderr is not a TTY or CI=true."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty() and os.environ.get("CI", "").lower() != "true"
        self._drawn = False

    def show(self, stats: Stats) -> None:
        if self.enabled:
            self.stream.write(f"\rtunnelcheck: {stats.resources_done}/{stats.resources_total} resources, "
                              f"{stats.requests} requests, {stats.retries} retries\x1b[K")
            self.stream.flush()
            self._drawn = True

    def end(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self._drawn = False
