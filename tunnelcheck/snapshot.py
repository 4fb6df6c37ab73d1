"""The snapshot file: reading (validated, digest-checked) and writing (atomic, sealed with its digest).

Format: ``../shared/DESIGN.md`` "The snapshot format". A snapshot is trusted only when its envelope is
well formed, its ``sha256`` matches (or is absent, with a warning: hand-made files) and every resource
parses into the model; anything else is a SnapshotError naming the file and the place.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import hashlib
import json
import os
import warnings
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # only to verify digests faster (measured: 0.16 s instead of 0.91 s for a 110 MB snapshot)
    import orjson
except ImportError:  # pragma: no cover - optional
    orjson = None

from .errors import DataUnavailable, MalformedResource, SnapshotError
from .files import write_atomic
from .resources import Resource
from .tenant import SourceInfo, Tenant
from .untrusted import for_terminal

__all__ = ["FORMAT_VERSION", "Snapshot", "SnapshotSource", "canonical_digest", "load_tenant", "read", "write"]

FORMAT_VERSION = 1
_GZIP_MAGIC = b"\x1f\x8b"


class UnsealedSnapshotWarning(UserWarning):
    """A snapshot without a ``sha256``: accepted, but nothing proves it was not edited."""


def canonical_digest(doc: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``doc`` without its ``sha256`` key (DESIGN.md)."""
    body = {k: v for k, v in doc.items() if k != "sha256"}
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _digest_matches(doc: Mapping[str, Any], digest: str) -> bool:
    """Whether ``digest`` is the canonical digest of ``doc``. orjson writes the same canonical bytes as
    ``json`` except for floats in exponent form (and refuses lone surrogates, integers beyond 64 bits): its
    digest is tried first, and only a mismatch pays for the definitive ``canonical_digest``."""
    if orjson is not None:
        try:
            body = {k: v for k, v in doc.items() if k != "sha256"}
            if hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest() == digest:
                return True
        except (TypeError, ValueError):
            pass
    return canonical_digest(doc) == digest


@contextlib.contextmanager
def _gc_paused() -> Any:
    """Reading and parsing a snapshot creates millions of containers and no garbage; the cyclic collector
    would walk them again and again (measured: a quarter of the load time at 100,000 devices)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was loaded lives as long as the run: move it out of the collector's sight for good, or
        # the first full collection after this walks it all once more (measured: 0.8 s at XL). The model
        # holds no reference cycles, so nothing that would need the cyclic collector is kept alive.
        gc.freeze()
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Snapshot:
    """A validated snapshot document."""

    path: str
    resources: Mapping[str, list[Any]]
    tenant_id: str | None = None
    recorded_at: str | None = None
    cloud: str | None = None
    source: str = ""
    sha256: str | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)


def read(path: str | os.PathLike[str]) -> Snapshot:
    """Read and validate the envelope of a snapshot (plain or gzip JSON)."""
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise SnapshotError(name, f"cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            raise SnapshotError(name, "not a valid gzip file (truncated or corrupt)") from None
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SnapshotError(name, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(name, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(doc, dict):
        raise SnapshotError(name, "expected a JSON object at the top level")

    version = doc.get("tunnelcheck_snapshot")
    if version is None:
        raise SnapshotError(name, "missing 'tunnelcheck_snapshot' (not a tunnelcheck snapshot?)")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise SnapshotError(name, f"unsupported format version {version!r} (this tunnelcheck reads {FORMAT_VERSION})",
                            place="tunnelcheck_snapshot")

    digest = doc.get("sha256")
    if digest is None:
        warnings.warn(f"{for_terminal(name)}: no sha256: the snapshot is accepted but cannot be verified",
                      UnsealedSnapshotWarning, stacklevel=2)
    elif not isinstance(digest, str):
        raise SnapshotError(name, "expected a string", place="sha256")
    elif not _digest_matches(doc, digest.lower()):
        raise SnapshotError(name, "sha256 does not match the content: the file was edited or truncated",
                            place="sha256")

    for key in ("recorded_at", "tenant_id", "cloud", "source"):
        if doc.get(key) is not None and not isinstance(doc[key], str):
            raise SnapshotError(name, "expected a string", place=key)
    resources = doc.get("resources")
    if not isinstance(resources, dict):
        raise SnapshotError(name, "missing" if resources is None else "expected an object", place="resources")
    for key, items in resources.items():
        if not isinstance(items, list):
            raise SnapshotError(name, "expected a list", place=f"resources.{key}")
    provenance = doc.get("provenance") or {}
    if not isinstance(provenance, dict):
        raise SnapshotError(name, "expected an object", place="provenance")

    return Snapshot(
        path=name,
        resources=resources,
        tenant_id=doc.get("tenant_id"),
        recorded_at=doc.get("recorded_at"),
        cloud=doc.get("cloud"),
        source=doc.get("source") or "",
        sha256=digest,
        provenance=provenance,
    )


class SnapshotSource:
    """A recorded tenant. A resource key absent from the file was not recorded: it is unavailable."""

    def __init__(self, snapshot: Snapshot, label: str | None = None) -> None:
        self.snapshot = snapshot
        self.info = SourceInfo(
            label=label or _label(snapshot.path),
            kind="snapshot",
            location=snapshot.path,
            tenant_id=snapshot.tenant_id,
            description=snapshot.source,
            sha256=snapshot.sha256,
            recorded_at=snapshot.recorded_at,
        )

    def load(self, resources: Collection[Resource]) -> dict[Resource, list[Any] | DataUnavailable]:
        out: dict[Resource, list[Any] | DataUnavailable] = {}
        for resource in resources:
            raw = self.snapshot.resources.get(resource.value)
            if raw is None:
                out[resource] = DataUnavailable(
                    resource.value, f"not recorded in snapshot {self.snapshot.path}", resource.permission)
            elif not self._completed(resource):
                out[resource] = DataUnavailable(
                    resource.value, f"recorded incompletely in snapshot {self.snapshot.path} "
                    "(provenance says the collection did not complete)", resource.permission)
            else:
                out[resource] = raw
        return out

    def _completed(self, resource: Resource) -> bool:
        entry = self.snapshot.provenance.get(resource.value)
        return not isinstance(entry, dict) or entry.get("completed", True) is not False


def _label(path: str) -> str:
    name = Path(path).name
    for suffix in (".gz", ".json"):
        name = name.removesuffix(suffix)
    return name or path


def load_tenant(path: str | os.PathLike[str], label: str | None = None) -> Tenant:
    """Read a snapshot and parse every resource it holds, so that a malformed object is reported now,
    with its place, rather than as an error in the middle of a run."""
    with _gc_paused():
        snapshot = read(path)
        tenant = Tenant(SnapshotSource(snapshot, label))
        for resource in Resource:
            if resource.value not in snapshot.resources:
                continue
            try:
                tenant.require([resource])
            except MalformedResource as exc:
                raise SnapshotError(snapshot.path, exc.error.message, place=f"resources.{exc.error.place}") from None
            except DataUnavailable:
                pass  # recorded incompletely: the checks that need it will error, naming it
    return tenant


def write(path: str | os.PathLike[str], doc: dict[str, Any]) -> str:
    """Seal ``doc`` with its digest and write it atomically (gzip when the name ends in .gz).
    Returns the digest. A crash leaves either the old file or the new one under ``path``, never a part."""
    doc = {k: v for k, v in doc.items() if k != "sha256"}
    doc["sha256"] = canonical_digest(doc)
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    if os.fspath(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    write_atomic(path, data)
    return doc["sha256"]

