"""Recording a live tenant as a snapshot: ``record()`` (``tunnelcheck record``, whose command line is
tunnelcheck/cli/record.py) and ``record_loaded()`` (``pytest --record``).

Crash-safe and resumable: while a recording of ``FILE`` collects, each completed resource is written
atomically to the checkpoint folder ``FILE.partial/`` (one JSON file per resource, beside ``meta.json``
naming the tenant, the Graph origin, the redaction salt's fingerprint, and the recording's arguments: the
resources asked for and the config file, so that resuming needs nothing but the checkpoint). The snapshot
itself is written atomically at the end, so a run killed (or interrupted) at any point leaves the previous
``FILE`` as it was and nothing partial under that name. Resuming takes the completed resources from the
checkpoint and asks Graph only for the others. The result is the same snapshot as an uninterrupted run: the
same ``resources`` (and tenant id and cloud); ``recorded_at``, the digest and ``provenance`` differ (a
resumed resource's provenance keeps its original request ids and says ``"checkpoint": true``). The
checkpoint is removed when every resource was recorded, and kept when some failed, so resuming retries
only those.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import config as config_file
from ...errors import DataUnavailable, TunnelcheckError
from ...files import check_writable, write_atomic
from ...model.resources import Resource
from ...tenant import Tenant
from .. import snapshot
from ..redact import RedactedSource, Redactor
from .collector import Graph, Provenance, Stats
from .source import LiveSource

__all__ = ["Checkpoint", "RecordingSource", "Started", "record", "record_loaded", "record_source",
           "snapshot_document"]

CHECKPOINT_VERSION = 1
CHECKPOINT_SUFFIX = ".partial"


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


@dataclass(frozen=True)
class Started:
    """What a checkpoint's meta.json says of the recording that began it: enough to resume it."""

    tenant: str
    redacted: bool
    #: The resources it was asked for, and its config file (absolute); None: the checkpoint does not say
    #: (one written before they were kept).
    resources: tuple[Resource, ...] | None
    config: str | None


class Checkpoint:
    """``FILE.partial/``: the resources of an unfinished recording of ``FILE``, each written atomically
    when it completes."""

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target)
        self.folder = self.target.with_name(self.target.name + CHECKPOINT_SUFFIX)
        self._check()

    @classmethod
    def named(cls, path: str | os.PathLike[str]) -> Checkpoint:
        """The checkpoint ``path`` names: the folder ``FILE.partial`` itself, or the snapshot ``FILE``."""
        name = Path(path).name
        if name.endswith(CHECKPOINT_SUFFIX) and name != CHECKPOINT_SUFFIX:
            return cls(Path(path).with_name(name.removesuffix(CHECKPOINT_SUFFIX)))
        return cls(path)

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

    def started(self) -> Started | None:
        """What the recording that began this checkpoint was; None when there is none (or it was killed
        before its meta.json was written). A meta.json that is not tunnelcheck's is an error."""
        self._check()
        found = _read_json(self.folder / "meta.json")
        if found is None:
            return None
        tenant = found.get("tenant") if isinstance(found, dict) else None
        arguments = found.get("arguments", {}) if isinstance(found, dict) else None
        resources = arguments.get("resources") if isinstance(arguments, dict) else None
        config = arguments.get("tunnelcheck_config") if isinstance(arguments, dict) else None
        known = {r.value for r in Resource}
        if not isinstance(found, dict) or found.get("tunnelcheck_checkpoint") != CHECKPOINT_VERSION \
                or not isinstance(tenant, str) or not tenant or not isinstance(arguments, dict) \
                or not (resources is None or isinstance(resources, list) and set(resources) <= known) \
                or not (config is None or isinstance(config, str)):
            raise TunnelcheckError(f"{self.folder / 'meta.json'} is not the checkpoint of a tunnelcheck recording "
                                   f"(version {CHECKPOINT_VERSION}): remove {self.folder}, or record without --resume")
        return Started(tenant=tenant, redacted=bool(found.get("redaction")),
                       resources=tuple(Resource(r) for r in resources) if resources is not None else None,
                       config=config)

    def saved(self) -> dict[Resource, dict[str, Any]]:
        """The resources whose file is complete (``{"items", "provenance"}`` each), whoever began it."""
        done: dict[Resource, dict[str, Any]] = {}
        for resource in Resource:
            entry = _read_json(self._file(resource))
            if isinstance(entry, dict) and entry.get("resource") == resource.value \
                    and isinstance(entry.get("items"), list) and isinstance(entry.get("provenance"), dict):
                done[resource] = entry
        return done

    def completed(self, identity: dict[str, Any]) -> dict[Resource, dict[str, Any]] | None:
        """The completed resources of the checkpoint, for resuming; None when there is none (or it was
        killed before its meta.json was written). One of another tenant or Graph origin, or redacted
        otherwise, is refused, never mixed in."""
        self._check()
        found = _read_json(self.folder / "meta.json")
        if found is None:
            return None
        meta = {"tunnelcheck_checkpoint": CHECKPOINT_VERSION, **identity}
        if not isinstance(found, dict) or {k: v for k, v in found.items() if k != "arguments"} != meta:
            raise TunnelcheckError(
                f"--resume: {self.folder} was started for {_describe(found)}, not {_describe(meta)}; "
                "remove it, or record without --resume")
        return self.saved()

    def begin(self, identity: dict[str, Any], arguments: dict[str, Any]) -> None:
        """Start a new checkpoint (an older one is discarded)."""
        self._check()
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        _write_atomically(self.folder / "meta.json",
                          {"tunnelcheck_checkpoint": CHECKPOINT_VERSION, **identity, "arguments": arguments})

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


def record_source(tenant_name: str, settings: config_file.Config, path: str | os.PathLike[str],
                  resources: Collection[Resource], stats: Stats | None = None, resume: bool = False,
                  redactor: Redactor | None = None, config_path: str | None = None) -> tuple[str, RecordingSource]:
    """:func:`record`, returning the snapshot's sha256 and the source (what it loaded, resumed and could not
    read, and how many requests it took). ``config_path`` (the file ``settings`` came from) is kept in the
    checkpoint with the resources, so that resuming needs nothing but the checkpoint."""
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
        checkpoint.begin(identity, {"resources": [r.value for r in wanted],
                                    "tunnelcheck_config": os.path.abspath(config_path) if config_path else None})
    if missing:
        source.load(missing)
    digest = snapshot.write(path, snapshot_document(source, redactor))
    if not source.failures:
        checkpoint.remove()
    return digest, source


def record(tenant_name: str, settings: config_file.Config, path: str | os.PathLike[str],
           resources: Collection[Resource] = tuple(Resource), resume: bool = False,
           redactor: Redactor | None = None) -> str:
    """Collect ``resources`` of the live tenant and write them as a snapshot at ``path`` (atomically),
    checkpointing each completed resource in ``path.partial/`` (see the module docstring; ``resume`` starts
    from it). Returns the snapshot's sha256. A resource that could not be collected is left out (its
    provenance says why); ``tunnelcheck record`` reports that with exit status 1."""
    return record_source(tenant_name, settings, path, resources, resume=resume, redactor=redactor)[0]


def record_loaded(tenants: Mapping[str, Tenant], path: str | os.PathLike[str],
                  redactor: Redactor | None = None) -> str:
    """``pytest --record FILE``: write what the run's one live tenant loaded (redacted when the run is)."""
    live: list[LiveSource] = []
    for tenant in tenants.values():
        source = tenant.source
        if isinstance(source, RedactedSource):
            redactor = redactor or source.redactor
            source = source.inner
        if isinstance(source, LiveSource):
            live.append(source)
    if len(live) != 1:
        raise TunnelcheckError(f"--record needs exactly one --tenant, not {len(live)}")
    return snapshot.write(path, snapshot_document(live[0], redactor))
