"""The snapshot file: reading (validated, digest-checked) and writing (atomic, sealed with its digest).

Format: docs/snapshot-format.md. A snapshot is trusted only when its envelope is
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
import stat
import sys
import warnings
import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson  # reads sealed snapshots and verifies digests faster (the digest: 0.16 s instead of 0.91 s at XL)

from ..config import DEFAULT_MAX_SNAPSHOT_MB
from ..errors import DataUnavailable, MalformedResource, SnapshotError
from ..files import write_atomic
from ..model.resources import Resource
from ..tenant import SourceInfo, Tenant, tenant_label
from ..untrusted import LONE_SURROGATE, for_terminal, lone_surrogate_in

__all__ = [
    "FORMAT_VERSION", "Snapshot", "SnapshotSource", "canonical_digest", "load_tenant", "read", "verify", "write",
]

FORMAT_VERSION = 1
_GZIP_MAGIC = b"\x1f\x8b"
_MB = 1024 * 1024
#: Compressed bytes read, and decompressed bytes produced, per step: the size limit is checked after each.
_CHUNK = _MB
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around the deflate stream
#: How deeply a snapshot may nest arrays and objects (the envelope counts as one). Graph's objects nest
#: about ten levels; the readers after this one recurse up to three frames a level (drift's comparison and
#: its text), which this keeps well inside Python's recursion limit of 1,000 frames.
MAX_DEPTH = 100
#: The longest provenance note kept (the file's text, shown in an error's reason).
MAX_NOTE = 500
#: The deepest nesting orjson writes (its recursion limit): deeper is refused with "Recursion limit reached".
_ORJSON_DEPTH = 254


class UnsealedSnapshotWarning(UserWarning):
    """A snapshot without a ``sha256``: accepted, but nothing proves it was not edited."""


def canonical_digest(doc: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``doc`` without its ``sha256`` key (docs/snapshot-format.md#the-seal)."""
    body = {k: v for k, v in doc.items() if k != "sha256"}
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _digest_matches(doc: Mapping[str, Any], digest: str, fast: memoryview | None) -> bool:
    """Whether ``digest`` is the canonical digest of ``doc``; ``fast`` is orjson's canonical JSON of it
    (:func:`_check_depth`), tried first: only a mismatch, or no ``fast``, pays for ``canonical_digest``."""
    if fast is not None and hashlib.sha256(fast).hexdigest() == digest:
        return True
    return canonical_digest(doc) == digest


def _check_depth(name: str, doc: Any) -> memoryview | None:
    """Refuse a document nested more than MAX_DEPTH levels deep. orjson refuses to write anything nested
    more than _ORJSON_DEPTH levels: the document's body (without ``sha256``), wrapped in lists up to that
    depth, is written once, which both measures the depth and gives the canonical JSON the digest check
    hashes (the same bytes as ``canonical_digest``'s but for floats in exponent form), so the check costs
    nothing more for a sealed snapshot. Returns those bytes, or None when orjson cannot write them (lone
    surrogates, integers beyond 64 bits): then the depth is measured the slow way."""
    body = {k: v for k, v in doc.items() if k != "sha256"} if isinstance(doc, dict) else doc
    pad = _ORJSON_DEPTH - MAX_DEPTH
    wrapped = body
    for _ in range(pad):
        wrapped = [wrapped]
    try:
        return memoryview(orjson.dumps(wrapped, option=orjson.OPT_SORT_KEYS))[pad:-pad]
    except TypeError as exc:
        if "recursion limit" in str(exc).lower():
            raise _too_deep(name) from None
    if _deeper_than(body, MAX_DEPTH):
        raise _too_deep(name)
    return None


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests arrays and objects more than ``limit`` levels deep, measured in Python."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def _too_deep(name: str) -> SnapshotError:
    return SnapshotError(name, f"nested too deeply (arrays or objects more than {MAX_DEPTH} levels deep)")


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
    #: What the user called the tenant when it was recorded (the config's ``name`` or ``--tenant``).
    name: str | None = None


def read_bytes(path: str | os.PathLike[str], max_mb: int = DEFAULT_MAX_SNAPSHOT_MB) -> bytes | bytearray:
    """The bytes of a snapshot file, decompressed when it is gzip (by content, not by name). Never more than
    ``max_mb`` MB are held: a larger file, or a small gzip that expands past it (a "bomb"), is refused as
    soon as the limit is passed, without reading or decompressing the rest. Only regular files are read (a
    link to one is followed): a device, a FIFO or a folder is refused."""
    name = os.fspath(path)
    limit = max_mb * _MB
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK)  # O_NONBLOCK: opening a FIFO must not wait for a writer
    except OSError as exc:
        raise SnapshotError(name, f"cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        why = "Is a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise SnapshotError(name, f"cannot read the file ({why})")
    with os.fdopen(fd, "rb") as f:
        try:
            if f.peek(2)[:2] == _GZIP_MAGIC:
                return _gunzip(f, name, limit, max_mb)
            data = f.read(min(info.st_size, limit) + 1)  # one byte past the limit at most, even if it grows
        except OSError as exc:
            raise SnapshotError(name, f"cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    if len(data) > limit:
        raise _too_large(name, max_mb, compressed=False)
    return data


def _gunzip(f: Any, name: str, limit: int, max_mb: int) -> bytearray:
    """Decompress the gzip members of ``f`` a step at a time, refusing the file as soon as the output
    passes ``limit``: memory stays within the limit plus a step, however far the rest would expand."""
    out = bytearray()
    inflate = zlib.decompressobj(wbits=_GZIP_WBITS)
    data = b""
    try:
        while data or (data := f.read(_CHUNK)):
            if inflate.eof:  # another member follows (gzip files may be concatenated)
                inflate = zlib.decompressobj(wbits=_GZIP_WBITS)
            out += inflate.decompress(data, _CHUNK)
            if len(out) > limit:
                raise _too_large(name, max_mb, compressed=True)
            data = inflate.unused_data if inflate.eof else inflate.unconsumed_tail
        out += inflate.flush()  # the few bytes the last step may have held back
    except zlib.error:
        raise SnapshotError(name, "not a valid gzip file (truncated or corrupt)") from None
    if len(out) > limit:
        raise _too_large(name, max_mb, compressed=True)
    if not inflate.eof:
        raise SnapshotError(name, "not a valid gzip file (truncated or corrupt)")
    return out


def _too_large(name: str, max_mb: int, compressed: bool) -> SnapshotError:
    once = " once decompressed" if compressed else ""
    return SnapshotError(name, f"larger than {max_mb} MB{once}: refused (the limit is max_snapshot_mb in "
                         "--tunnelcheck-config)")


def _parse(name: str, data: bytes | bytearray) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SnapshotError(name, "not UTF-8 text") from None
    del data  # the text is all that is kept: the bytes would add the file's size to the peak memory
    try:
        doc = json.loads(text)
    except RecursionError:  # json's parser recurses once a level: hundreds of levels past MAX_DEPTH
        raise _too_deep(name) from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(name, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except ValueError:  # the only other one: an integer longer than int() converts (CVE-2020-10735)
        raise SnapshotError(name, f"not valid JSON: a number of more than {sys.get_int_max_str_digits()} "
                            "digits") from None
    if lone_surrogate_in(text, doc):
        raise SnapshotError(name, LONE_SURROGATE)
    return doc


def read_document(path: str | os.PathLike[str], max_mb: int = DEFAULT_MAX_SNAPSHOT_MB) -> Any:
    """The JSON document of a snapshot file as it is (no validation), read within the same bounds as
    :func:`read`."""
    name = os.fspath(path)
    doc = _parse(name, read_bytes(name, max_mb))
    _check_depth(name, doc)
    return doc


class _NotProven(Exception):
    """orjson's reading of a document is not proven to be the one written: read it again with ``json``."""


def read(path: str | os.PathLike[str], max_mb: int = DEFAULT_MAX_SNAPSHOT_MB) -> Snapshot:
    """Read and validate the envelope of a snapshot (plain or gzip JSON, at most ``max_mb`` MB of JSON).

    orjson reads a sealed snapshot about twice as fast as ``json``, but not always as the same values (an
    integer beyond 64 bits becomes a float). Its reading is kept only when the whole envelope is valid and
    its seal matches, which proves it is the document that was written; anything else (no seal, another
    digest, an error) is read again with ``json``, whose reading decides, as it always did."""
    name = os.fspath(path)
    fast = _orjson_reading(name, max_mb)
    if fast is not None:
        try:
            return _envelope(name, fast[0], proven=True)
        except (SnapshotError, _NotProven):
            del fast  # out of the except block: json's own error is not chained to orjson's
    return _envelope(name, _parse(name, read_bytes(name, max_mb)))  # the file read again: rare, and small


def _orjson_reading(name: str, max_mb: int) -> tuple[Any] | None:
    """The document as orjson reads it, or None when orjson refuses it. Only the document is kept, not the
    file's bytes beside it (they would add the file's size to the peak memory)."""
    try:
        return (orjson.loads(read_bytes(name, max_mb)),)
    except orjson.JSONDecodeError:
        return None


def _envelope(name: str, doc: Any, proven: bool = False) -> Snapshot:
    """The snapshot ``doc`` is, validated; ``proven``: raise _NotProven unless its seal matches."""
    if not isinstance(doc, dict):
        raise SnapshotError(name, "expected a JSON object at the top level")

    version = doc.get("tunnelcheck_snapshot")
    if version is None:
        raise SnapshotError(name, "missing 'tunnelcheck_snapshot' (not a tunnelcheck snapshot?)")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise SnapshotError(name, f"unsupported format version {version!r} (this tunnelcheck reads {FORMAT_VERSION})",
                            place="tunnelcheck_snapshot")

    fast = _check_depth(name, doc)
    digest = doc.get("sha256")
    if proven and not (isinstance(digest, str) and fast is not None
                       and hashlib.sha256(fast).hexdigest() == digest.lower()):
        raise _NotProven
    if digest is None:
        warnings.warn(f"{for_terminal(name)}: no sha256: the snapshot is accepted but cannot be verified",
                      UnsealedSnapshotWarning, stacklevel=2)
    elif not isinstance(digest, str):
        raise SnapshotError(name, "expected a string", place="sha256")
    elif not _digest_matches(doc, digest.lower(), fast):
        raise SnapshotError(name, "sha256 does not match the content: the file was edited or truncated",
                            place="sha256")

    for key in ("recorded_at", "tenant_id", "cloud", "source", "name"):
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
        name=doc.get("name"),
    )


class SnapshotSource:
    """A recorded tenant. A resource key absent from the file was not recorded: it is unavailable.
    ``label`` (the config's ``name``, or a role such as "baseline") wins over the name recorded in the
    snapshot, which wins over the file's name."""

    def __init__(self, snapshot: Snapshot, label: str | None = None) -> None:
        self.snapshot = snapshot
        self.info = SourceInfo(
            label=tenant_label(label, snapshot.name, _stem(snapshot.path)) or snapshot.path,
            kind="snapshot",
            location=snapshot.path,
            tenant_id=snapshot.tenant_id,
            description=snapshot.source,
            sha256=snapshot.sha256,
            recorded_at=snapshot.recorded_at,
            notes=tuple((key, _bounded(entry["note"])) for key, entry in snapshot.provenance.items()
                        if isinstance(entry, dict) and isinstance(entry.get("note"), str)),
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


def _bounded(note: str) -> str:
    """A provenance note as a reason may quote it: at most MAX_NOTE characters, a longer one cut with "…"."""
    return note if len(note) <= MAX_NOTE else note[:MAX_NOTE - 1] + "…"


def _stem(path: str) -> str:
    name = Path(path).name
    for suffix in (".gz", ".json"):
        name = name.removesuffix(suffix)
    return name or path


def load_tenant(path: str | os.PathLike[str], label: str | None = None,
                max_mb: int = DEFAULT_MAX_SNAPSHOT_MB, parse: Collection[Resource] | None = None) -> Tenant:
    """Read and verify a snapshot once, and parse the resources in ``parse`` (default: every resource it
    holds), so that a malformed object is reported now, with its place, rather than as an error in the
    middle of a run. The rest is parsed when first asked for."""
    with _gc_paused():
        snapshot = read(path, max_mb)
        tenant = Tenant(SnapshotSource(snapshot, label))
        verify(tenant, Resource if parse is None else parse)
    return tenant


def verify(tenant: Tenant, resources: Iterable[Resource]) -> None:
    """Parse ``resources`` of a snapshot's tenant now (each once: the tenant keeps them); a malformed one is
    a SnapshotError naming the file and the place. Not recorded, or recorded incompletely, is left for
    the checks that need it to report. A live tenant is left alone (its data is read when needed)."""
    if tenant.info.kind != "snapshot":
        return
    with _gc_paused():
        for resource in resources:
            try:
                tenant.require([resource])
            except MalformedResource as exc:
                raise SnapshotError(tenant.info.location, exc.error.message,
                                    place=f"resources.{exc.error.place}") from None
            except DataUnavailable:
                pass  # not recorded, or recorded incompletely: the checks that need it will error, naming it


def write(path: str | os.PathLike[str], doc: dict[str, Any]) -> str:
    """Seal ``doc`` with its digest and write it atomically (gzip when the name ends in .gz).
    Returns the digest. A crash leaves either the old file or the new one under ``path``, never a part."""
    doc = {k: v for k, v in doc.items() if k != "sha256"}
    digest = doc["sha256"] = canonical_digest(doc)
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    if os.fspath(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    write_atomic(path, data)
    return digest

