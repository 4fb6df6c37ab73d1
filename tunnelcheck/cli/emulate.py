"""``tunnelcheck emulate SNAPSHOT...``: serve snapshots as a local Graph + Entra for demos and manual testing,
one tenant each (a folder: every snapshot in it).

The emulator itself is :mod:`tunnelcheck.emulator`. The dispatcher wires the subcommand with
``add_emulate_arguments(subparser)`` and ``run_emulate(args)``; ``main`` is the same as a standalone entry
point (``python -m tunnelcheck.emulator``). Exit status: 0 stopped by Ctrl-C; 2 a snapshot or an argument
was refused, or the port could not be had (one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from ..emulator.server import Emulator
from ..emulator.tenants import MAX_TENANTS
from ..emulator.throttle import parse_throttle
from ..errors import SnapshotError
from ..untrusted import for_terminal

__all__ = ["add_emulate_arguments", "instructions", "main", "run_emulate", "serve_forever"]

SECRET_ENV = "TUNNELCHECK_EMULATOR_SECRET"


def add_emulate_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``emulate`` arguments to ``parser`` (and ``func=run_emulate`` as its default)."""
    parser.add_argument(
        "snapshots", metavar="SNAPSHOT", nargs="+",
        help="a snapshot file to serve (.json or .json.gz), or a folder of them: one tenant each, all at once "
        f"(at most {MAX_TENANTS}); a tenant's domain is its file's name (contoso.json: contoso.onmicrosoft.com)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8443, help="port to listen on (default: 8443; 0: any free)"
    )
    parser.add_argument("--page-size", type=int, default=100, help="items per page of a list (default: 100)")
    parser.add_argument(
        "--state-dir",
        default=None,
        help="where the CA, certificates and keys go; reuse it to keep the same CA across runs "
        "(default: a temporary folder removed on exit)",
    )
    parser.add_argument("--latency-ms", type=int, default=0, help="delay added to every response")
    parser.add_argument(
        "--throttle",
        default="1000/20",
        metavar="N/SECONDS",
        help="Intune's throttling per application per tenant: N requests (those inside a $batch count) in "
        "any SECONDS, then 429 with Retry-After (default: 1000/20, Intune's; off: unlimited)",
    )
    parser.set_defaults(func=run_emulate)
    return parser


def run_emulate(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Start the emulator from parsed arguments and serve until Ctrl-C. Returns the exit code."""
    try:
        throttle = parse_throttle(args.throttle)
        emulator = Emulator(
            snapshot_files(args.snapshots),
            page_size=args.page_size,
            host=args.host,
            port=args.port,
            state_dir=args.state_dir,
            latency_ms=args.latency_ms,
            throttle=throttle,
        )
    except (SnapshotError, ValueError, TypeError) as exc:
        print(f"tunnelcheck emulate: {for_terminal(exc)}", file=sys.stderr)
        return 2
    try:
        emulator.start()
    except OSError as exc:
        print(
            for_terminal(f"tunnelcheck emulate: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"),
            file=sys.stderr,
        )
        return 2
    return serve_forever(emulator, out)


def snapshot_files(paths: Sequence[str]) -> list[str]:
    """The snapshot files ``paths`` name: a file as it is, a folder as its ``*.json`` and ``*.json.gz``
    files (not its subfolders), in name order. Read no further than one past MAX_TENANTS."""
    files: list[str] = []
    for path in paths:
        if not os.path.isdir(path):
            files.append(path)
            continue
        found: list[str] = []
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.name.lower().endswith((".json", ".json.gz")) and entry.is_file():
                        found.append(entry.path)
                        if len(files) + len(found) > MAX_TENANTS:
                            break
        except OSError as exc:
            raise ValueError(f"{path}: cannot list the folder ({exc.strerror or exc})") from None
        if not found:
            raise ValueError(f"{path}: no snapshot (*.json, *.json.gz) in the folder")
        files += sorted(found)
    if len(files) > MAX_TENANTS:
        raise ValueError(f"more than {MAX_TENANTS} snapshots: one emulator serves at most {MAX_TENANTS} tenants")
    return files


def serve_forever(emulator: Emulator, out: TextIO | None = None, stop: threading.Event | None = None) -> int:
    """Print how to use the running ``emulator``, then wait for Ctrl-C (or ``stop``) and shut it down."""
    out = out or sys.stdout
    print(instructions(emulator), file=out, flush=True)
    stop = stop or threading.Event()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("\nstopping the emulator", file=out)
    finally:
        emulator.stop()
    return 0


def instructions(emulator: Emulator) -> str:
    """The URL, CA, tenants and app credentials, and the settings that point tunnelcheck at the emulator.
    Printing the secret is deliberate: it is the emulator's own demo credential, valid nowhere else."""
    q = shlex.quote
    several = len(emulator.tenants) > 1
    tenant = for_terminal(emulator.tenant_id)  # from the snapshot served
    if several:
        served = [f"tunnelcheck emulator: Graph beta + Entra for {len(emulator.tenants)} tenants"]
    else:
        served = [f"tunnelcheck emulator: Graph beta + Entra for tenant {tenant}"]
    lines = [
        *served,
        f"  url (Graph and authority): {emulator.url}",
        f"  CA certificate:            {emulator.ca_path}",
        f"  client certificate + key:  {emulator.cert_path}",
    ]
    if not several:
        lines += [f"  tenant id:                 {tenant}",
                  f"  domain:                    {for_terminal(emulator.domain)}"]
    lines += [
        f"  client id:                 {emulator.client_id}",
        f"  client secret:             {emulator.client_secret}   (the emulator's demo secret)",
        f"  permissions (roles):       {', '.join(emulator.roles)}",
    ]
    if several:
        lines += ["  tenants (sign in to one by its id or its domain):"]
        lines += [f"    {for_terminal(t.tenant_id)}  {for_terminal(t.domain)}  from {for_terminal(t.source)}"
                  for t in emulator.tenants]
    lines += [
        "",
        "Point tunnelcheck at it (shell):",
        f"  export SSL_CERT_FILE={q(emulator.ca_path)} REQUESTS_CA_BUNDLE={q(emulator.ca_path)}",
        f"  export {SECRET_ENV}={q(emulator.client_secret)}",
        "and in the tunnelcheck config file (--tunnelcheck-config):",
        f"  graph_url: {emulator.graph_url}",
        f"  authority: {emulator.authority}",
        f"  ca_bundle: {emulator.ca_path}",
        "  auth:",
        "    method: client-secret",
        *([] if several else [f"    tenant_id: {tenant}"]),
        f"    client_id: {emulator.client_id}",
        f"    client_secret_env: {SECRET_ENV}",
    ]
    if several:
        lines += ["then, per tenant (the same config file for each):"]
        lines += [f"  pytest --tenant {for_terminal(t.domain)} --tunnelcheck-config FILE" for t in emulator.tenants]
    else:
        lines += [f"then: pytest --tenant {tenant} --tunnelcheck-config FILE"]
    lines += [
        "",
        "Serving until Ctrl-C. Clients must trust the CA above (per process: never install it system-wide).",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tunnelcheck emulate",
        description="Serve tunnelcheck snapshots as a local Microsoft Graph beta "
        "and Entra ID over HTTPS, one tenant each, for demos and tests.",
    )
    add_emulate_arguments(parser)
    return run_emulate(parser.parse_args(argv))
