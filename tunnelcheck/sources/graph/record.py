"""Recording a live tenant as a snapshot: ``record()``, ``tunnelcheck record`` and ``pytest --record``.

Crash-safe and resumable: while ``tunnelcheck record -o FILE`` collects, each completed resource is written
atomically to the checkpoint folder ``FILE.partial/`` (one JSON file per resource, beside ``meta.json``
naming the tenant, the Graph origin and the redaction salt's fingerprint). The snapshot itself is written
atomically at the end, so a run killed at any point leaves the previous ``FILE`` as it was and nothing
partial under that name. ``tunnelcheck record --resume`` takes the completed resources from the checkpoint
and asks Graph only for the others. The result is the same snapshot as an uninterrupted run: the same
``resources`` (and tenant id and cloud); ``recorded_at``, the digest and ``provenance`` differ (a resumed
resource's provenance keeps its original request ids and says ``"checkpoint": true``). The checkpoint is
removed when every resource was recorded, and kept when some failed, so ``--resume`` retries only those.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, TextIO

from ... import config as config_file
from ...errors import DataUnavailable, TunnelcheckError
from ...files import check_writable, write_atomic
from ...model.resources import Resource
from ...tenant import Tenant
from ...untrusted import for_terminal
from .. import snapshot
from ..redact import RedactedSource, Redactor
from ..redact import from_env as redactor_from_env
from .collector import Graph, Provenance, Stats
from .source import LiveSource

__all__ = ["Checkpoint", "add_record_arguments", "record", "record_loaded", "run_record", "snapshot_document"]

CHECKPOINT_VERSION = 1


def snapshot_document(source: LiveSource, redactor: Redactor | None = None) -> dict[str, Any]:
    """The snapshot of what ``source`` has loaded (docs/snapshot-format.md, without its digest). A resource that
    failed is absent from ``resources`` (not recorded) and says why in ``provenance``. With ``redactor``,
    personal values are replaced by their salted hashes (tunnelcheck.sources.redact). ``name`` is what the
    user called the tenant (the config's ``name``, else ``--tenant``): a run on the snapshot is named by it."""
    from ... import __version__

    provenance: dict[str, Any] = {}
    for resource, prov in source.provenance.items():
        entry = prov.as_dict()
        if resource in source.failures:
            entry["error"] = str(source.failures[resource])
        if resource in getattr(source, "resumed", ()):
            entry["checkpoint"] = True
        provenance[resource.value] = entry
    resources = {r.value: items for r, items in source.loaded.items()}
    return {
        "tunnelcheck_snapshot": snapshot.FORMAT_VERSION,
        "recorded_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tenant_id": source.info.tenant_id,
        "name": source.info.label,
        "cloud": source.settings.cloud,
        "source": f"tunnelcheck {__version__} live Graph beta" + (", redacted" if redactor else ""),
        "resources": redactor.resources(resources) if redactor else resources,
        "provenance": provenance,
    }


class Checkpoint:
    """``FILE.partial/``: the resources of an unfinished recording of ``FILE``, each written atomically
    when it completes."""

    def __init__(self, target: str | os.PathLike[str]) -> None:
        target = Path(target)
        self.folder = target.with_name(target.name + ".partial")
        self._check()

    def _check(self) -> None:
        """The checkpoint is tunnelcheck's own folder: a link there (whose target would be read as this
        tenant's data, and emptied by :meth:`begin`) or a file is refused, never followed. Checked on
        creation and again before each use (sign-in may take minutes)."""
        if self.folder.is_symlink():
            raise TunnelcheckError(f"{self.folder} (the checkpoint of an interrupted recording) is a symbolic "
                                   "link: refused; remove it")
        if self.folder.exists() and not self.folder.is_dir():
            raise TunnelcheckError(f"{self.folder} (the checkpoint of an interrupted recording) is not a folder: "
                                   "refused; remove it")

    def _file(self, resource: Resource) -> Path:
        return self.folder / f"{resource.name.lower()}.json"

    def completed(self, identity: dict[str, Any]) -> dict[Resource, dict[str, Any]] | None:
        """The completed resources (``{"items", "provenance"}`` each) of the checkpoint, for ``--resume``;
        None when there is none (or it was killed before its meta.json was written). One of another tenant
        or Graph origin, or redacted otherwise, is refused, never mixed in."""
        self._check()
        found = _read_json(self.folder / "meta.json")
        if found is None:
            return None
        meta = {"tunnelcheck_checkpoint": CHECKPOINT_VERSION, **identity}
        if found != meta:
            raise TunnelcheckError(
                f"--resume: {self.folder} was started for {_describe(found)}, not {_describe(meta)}; "
                "remove it, or record without --resume")
        done: dict[Resource, dict[str, Any]] = {}
        for resource in Resource:
            entry = _read_json(self._file(resource))
            if isinstance(entry, dict) and entry.get("resource") == resource.value \
                    and isinstance(entry.get("items"), list) and isinstance(entry.get("provenance"), dict):
                done[resource] = entry
        return done

    def begin(self, identity: dict[str, Any]) -> None:
        """Start a new checkpoint (an older one is discarded)."""
        self._check()
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        _write_atomically(self.folder / "meta.json", {"tunnelcheck_checkpoint": CHECKPOINT_VERSION, **identity})

    def save(self, resource: Resource, items: list[Any], provenance: Provenance) -> None:
        _write_atomically(self._file(resource),
                          {"resource": resource.value, "items": items, "provenance": provenance.as_dict()})

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _describe(meta: Any) -> str:
    if not isinstance(meta, dict):
        return "an unreadable checkpoint"
    redacted = ", redacted" if meta.get("redaction") else ""
    return f"tenant {meta.get('tenant')} at {meta.get('graph_url')}{redacted}"


def _read_json(path: Path) -> Any:
    """The JSON in ``path``, or None when it cannot be had: absent, unreadable, not JSON, or a link (a link
    in the checkpoint is never followed: that resource is asked for again)."""
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), encoding="utf-8") as f:
            return json.loads(f.read())
    except (OSError, ValueError, RecursionError):
        return None


def _write_atomically(path: Path, doc: Any) -> None:
    write_atomic(path, json.dumps(doc, ensure_ascii=False))


class RecordingSource(LiveSource):
    """A LiveSource that checkpoints each resource as it completes (redacted first, with --redact), and
    starts from the resources of a checkpoint."""

    def __init__(self, *args: Any, checkpoint: Checkpoint | None = None, redactor: Redactor | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checkpoint = checkpoint
        self.redactor = redactor
        self.resumed: set[Resource] = set()

    def resume(self, done: Mapping[Resource, dict[str, Any]]) -> None:
        for resource, entry in done.items():
            prov = entry["provenance"]
            self.loaded[resource] = entry["items"]
            self.provenance[resource] = Provenance(
                requests=int(prov.get("requests", 0)), request_ids=list(prov.get("request_ids", [])),
                completed=True, note=str(prov.get("note", "")))
            self.resumed.add(resource)

    async def _one(self, graph: Graph, resource: Resource) -> list[Any] | DataUnavailable:
        result = await super()._one(graph, resource)
        if self.checkpoint is not None and not isinstance(result, DataUnavailable):
            items = self.redactor.objects(result) if self.redactor else result
            self.checkpoint.save(resource, items, self.provenance[resource])
        return result


def _record(tenant_name: str, settings: config_file.Config, path: str | os.PathLike[str],
            resources: Collection[Resource], stats: Stats | None = None, resume: bool = False,
            redactor: Redactor | None = None) -> tuple[str, RecordingSource]:
    check_writable(path, "-o")  # before signing in: a recording can take half an hour
    checkpoint = Checkpoint(path)
    source = RecordingSource(tenant_name, settings, stats=stats, checkpoint=checkpoint, redactor=redactor)
    identity = {"tenant": tenant_name, "graph_url": source.endpoints.graph_url, "cloud": settings.cloud,
                "redaction": redactor.fingerprint if redactor else None}
    wanted = list(dict.fromkeys(resources))
    done = checkpoint.completed(identity) if resume else None
    source.resume({r: entry for r, entry in (done or {}).items() if r in wanted})
    missing = [r for r in wanted if r not in source.loaded]
    source.preflight(missing or wanted)
    if done is None:
        checkpoint.begin(identity)
    if missing:
        source.load(missing)
    digest = snapshot.write(path, snapshot_document(source, redactor))
    if not source.failures:
        checkpoint.remove()
    return digest, source


def recorded_by_default() -> tuple[Resource, ...]:
    """What ``tunnelcheck record`` collects unless told: every resource an installed check reads (built-in
    and check packs), and the groups, whose names the evidence shows. A check that reads more errors on
    such a snapshot, naming the resource that was not recorded."""
    from ...registry import Catalog

    wanted = Catalog.installed().needs | {Resource.GROUPS}
    return tuple(r for r in Resource if r in wanted)


def record(tenant_name: str, settings: config_file.Config, path: str | os.PathLike[str],
           resources: Collection[Resource] = tuple(Resource), resume: bool = False,
           redactor: Redactor | None = None) -> str:
    """Collect ``resources`` of the live tenant and write them as a snapshot at ``path`` (atomically),
    checkpointing each completed resource in ``path.partial/`` (see the module docstring; ``resume`` starts
    from it). Returns the snapshot's sha256. A resource that could not be collected is left out (its
    provenance says why); ``tunnelcheck record`` reports that with exit status 1."""
    return _record(tenant_name, settings, path, resources, resume=resume, redactor=redactor)[0]


def record_loaded(tenants: Mapping[str, Tenant], path: str | os.PathLike[str],
                  redactor: Redactor | None = None) -> str:
    """``pytest --record FILE``: write what the run's one live tenant loaded (redacted when the run is)."""
    live: list[LiveSource] = []
    for tenant in tenants.values():
        source = tenant.source
        if isinstance(source, RedactedSource):
            source, redactor = source.inner, redactor or source.redactor
        if isinstance(source, LiveSource):
            live.append(source)
    if len(live) != 1:
        raise TunnelcheckError(f"--record needs exactly one --tenant, not {len(live)}")
    return snapshot.write(path, snapshot_document(live[0], redactor))


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
                        metavar="RESOURCE", help="record this resource (repeatable; default: what any installed "
                        "check reads, and the groups' names: not the managed devices in bulk)")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted recording of FILE from its checkpoint FILE.partial/: only "
                        "the resources not yet recorded are asked for")
    parser.add_argument("--redact", action="store_true",
                        help="replace user principal names, user and device names with salted hashes (salt: "
                        "the environment variable TUNNELCHECK_REDACT_SALT)")


def run_record(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """0: every resource recorded; 1: the snapshot was written without some resources; 2: nothing written."""
    err = err or sys.stderr
    resources = tuple(Resource(r) for r in args.resources) if args.resources else recorded_by_default()
    progress = Progress(err)
    try:
        settings = config_file.load(args.tunnelcheck_config)
        redactor = redactor_from_env() if getattr(args, "redact", False) else None
        digest, source = _record(args.tenant, settings, args.output, resources, Stats(on_change=progress.show),
                                 resume=getattr(args, "resume", False), redactor=redactor)
    except TunnelcheckError as exc:
        progress.end()
        print(f"tunnelcheck: error: {for_terminal(exc)}", file=err)
        return 2
    progress.end()
    objects = sum(len(items) for items in source.loaded.values())
    print(f"tunnelcheck: recorded {len(source.loaded)} of {len(resources)} resources ({objects} objects, "
          f"{source.stats.requests} requests) to {args.output} (sha256 {digest})", file=err)
    if source.resumed:
        print(f"tunnelcheck: {len(source.resumed)} resources taken from the checkpoint of an interrupted run",
              file=err)
    for failure in source.failures.values():
        print(f"tunnelcheck: not recorded: {for_terminal(failure)}", file=err)
    if source.failures:
        print(f"tunnelcheck: the others are kept in {Checkpoint(args.output).folder}: tunnelcheck record --resume "
              "asks only for these again", file=err)
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
