"""Recording a live tenant as a snapshot: ``record()``, ``tunnelcheck record`` and ``pytest --record``."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Collection, Mapping
from typing import Any, TextIO

from .. import config as config_file
from .. import snapshot
from ..errors import TunnelcheckError
from ..resources import Resource
from ..tenant import Tenant
from .collector import Stats
from .source import LiveSource, open_source

__all__ = ["add_record_arguments", "record", "record_loaded", "run_record", "snapshot_document"]


def snapshot_document(source: LiveSource) -> dict[str, Any]:
    """The snapshot of what ``source`` has loaded (DESIGN.md format, without its digest). A resource that
    failed is absent from ``resources`` (not recorded) and says why in ``provenance``."""
    from .. import __version__

    provenance: dict[str, Any] = {}
    for resource, prov in source.provenance.items():
        entry = prov.as_dict()
        if resource in source.failures:
            entry["error"] = str(source.failures[resource])
        provenance[resource.value] = entry
    return {
        "tunnelcheck_snapshot": snapshot.FORMAT_VERSION,
        "recorded_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tenant_id": source.info.tenant_id,
        "cloud": source.settings.cloud,
        "source": f"tunnelcheck {__version__} live Graph beta",
        "resources": {r.value: items for r, items in source.loaded.items()},
        "provenance": provenance,
    }


def _record(tenant_name: str, settings: config_file.Config, path: str | os.PathLike[str],
            resources: Collection[Resource], stats: Stats | None = None) -> tuple[str, LiveSource]:
    source = open_source(tenant_name, settings, resources, stats)
    source.load(resources)
    return snapshot.write(path, snapshot_document(source)), source


def record(tenant_name: str, settings: config_file.Config, path: str | os.PathLike[str],
           resources: Collection[Resource] = tuple(Resource)) -> str:
    """Collect ``resources`` of the live tenant and write them as a snapshot at ``path`` (atomically).
    Returns the snapshot's sha256. A resource that could not be collected is left out (its provenance
    says why); ``tunnelcheck record`` reports that with exit status 1."""
    return _record(tenant_name, settings, path, resources)[0]


def record_loaded(tenants: Mapping[str, Tenant], path: str | os.PathLike[str]) -> str:
    """``pytest --record FILE``: write what the run's one live tenant loaded."""
    live = [t.source for t in tenants.values() if isinstance(t.source, LiveSource)]
    if len(live) != 1:
        raise TunnelcheckError(f"--record needs exactly one --tenant, not {len(live)}")
    return snapshot.write(path, snapshot_document(live[0]))


# ---------------------------------------------------------------------------------------------------
# tunnelcheck record


def add_record_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tenant", required=True, metavar="TENANT",
                        help="the tenant to record (domain or id; auth.tenant_id in the config overrides it)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the snapshot to write (.json, or .json.gz to compress); replaced atomically")
    parser.add_argument("--tunnelcheck-config", metavar="FILE", dest="tunnelcheck_config",
                        help="YAML settings: cloud, graph_url, authority, auth (see config.example.yaml)")
    parser.add_argument("--resource", action="append", choices=[r.value for r in Resource], dest="resources",
                        metavar="RESOURCE", help="record only this resource (repeatable; default: all)")


def run_record(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """0: every resource recorded; 1: the snapshot was written without some resources; 2: nothing written."""
    err = err or sys.stderr
    resources = tuple(Resource(r) for r in args.resources) if args.resources else tuple(Resource)
    progress = Progress(err)
    try:
        settings = config_file.load(args.tunnelcheck_config)
        digest, source = _record(args.tenant, settings, args.output, resources, Stats(on_change=progress.show))
    except TunnelcheckError as exc:
        progress.end()
        print(f"tunnelcheck: error: {exc}", file=err)
        return 2
    progress.end()
    objects = sum(len(items) for items in source.loaded.values())
    print(f"tunnelcheck: recorded {len(source.loaded)} of {len(resources)} resources ({objects} objects, "
          f"{source.stats.requests} requests) to {args.output} (sha256 {digest})", file=err)
    for failure in source.failures.values():
        print(f"tunnelcheck: not recorded: {failure}", file=err)
    return 1 if source.failures else 0


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
