"""The tenants one emulator serves: each with its own data (a snapshot), tenant id, domain and the app
registrations consented in it, as Entra and Graph keep tenants apart.

A client names the tenant when it signs in (``/{tenant id or domain}/oauth2/v2.0/token``); the access token
carries the tenant's id (``tid``), and Graph answers from that tenant's data alone: a token for one tenant
never reads another's.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..sources import snapshot as snapshot_io
from .graph import GraphService
from .writes import WriteMode

__all__ = ["MAX_TENANTS", "EmulatedTenant", "SnapshotSource", "TenantSpec", "load_tenants"]

#: A snapshot: a file (.json or .json.gz), a document dict, or a read Snapshot.
SnapshotSource = str | Path | Mapping[str, Any] | snapshot_io.Snapshot

#: The most tenants one emulator serves: each holds its snapshot in memory, and a folder given to
#: ``tunnelcheck emulate`` is read no further than this.
MAX_TENANTS = 100

_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+")


@dataclass(frozen=True)
class TenantSpec:
    """One tenant to serve, for ``Emulator([TenantSpec(...), ...])``; a bare snapshot is a TenantSpec with
    every default.

    ``tenant_id``: the snapshot's own by default. ``domain``: the tenant's ``*.onmicrosoft.com`` name, by
    default made from the snapshot's file name (``contoso.json``: ``contoso.onmicrosoft.com``; a file named
    after a domain, ``fabrikam.com.json``, serves that domain) or ``tenantN`` for a document.
    ``client_ids``: the app registrations consented in the tenant (the emulator's own app by default); any
    other app signing in to it is refused as Entra refuses an app the tenant's administrator never consented
    to."""

    snapshot: SnapshotSource
    tenant_id: str | None = None
    domain: str | None = None
    client_ids: Sequence[str] | None = None


class EmulatedTenant:
    """A served tenant: its id and domain (either names it at sign-in), its data (``resources``, a private
    copy tests may edit), the apps consented in it, and its Graph (set when the emulator starts)."""

    def __init__(self, tenant_id: str, domain: str, resources: dict[str, list[Any]], client_ids: Sequence[str],
                 source: str) -> None:
        self.tenant_id = tenant_id
        self.domain = domain
        self.resources = resources
        self.client_ids = tuple(client_ids)
        self.source = source  # where its data came from, for messages
        self.graph: GraphService | None = None
        self.writes: WriteMode | None = None  # tests only (emulator/writes.py)

    def __repr__(self) -> str:
        return f"EmulatedTenant({self.tenant_id!r}, {self.domain!r})"


def load_tenants(specs: Sequence[TenantSpec], client_id: str, default_tenant_id: str) -> list[EmulatedTenant]:
    """Read every tenant's snapshot (each within the snapshot reader's bounds). Raises SnapshotError for a
    snapshot that does not read, ValueError for tenants that cannot be served together (too many, or two
    with the same id or domain: a sign-in must name exactly one)."""
    if not specs:
        raise ValueError("no snapshot to serve")
    if len(specs) > MAX_TENANTS:
        raise ValueError(f"{len(specs)} snapshots: one emulator serves at most {MAX_TENANTS} tenants")
    tenants: list[EmulatedTenant] = []
    names: dict[str, EmulatedTenant] = {}  # a tenant's id and domain, case-folded (Entra ignores case)
    for number, spec in enumerate(specs, start=1):
        doc_tenant, resources, source = _load(spec.snapshot, number)
        tenant_id = spec.tenant_id or doc_tenant or (default_tenant_id if len(specs) == 1 else None)
        if tenant_id is None:
            raise ValueError(f"{source}: the snapshot names no tenant_id, which each of several tenants needs")
        domain = spec.domain or default_domain(source if isinstance(spec.snapshot, (str, Path)) else None, number)
        tenant = EmulatedTenant(tenant_id, domain, resources, spec.client_ids or (client_id,), source)
        for name in (tenant_id, domain):
            other = names.setdefault(name.casefold(), tenant)
            if other is not tenant:
                raise ValueError(f"{other.source} and {source} both serve the tenant {name}: each tenant id and "
                                 "domain is served once")
        tenants.append(tenant)
    return tenants


def default_domain(path: str | None, number: int) -> str:
    """The domain a snapshot file's name gives its tenant: ``NAME.json[.gz]`` serves ``NAME`` when that is a
    domain name (it has a dot), else ``NAME.onmicrosoft.com`` (letters and digits kept, the rest as ``-``)."""
    stem = re.sub(r"\.json(\.gz)?$", "", Path(path).name.lower()) if path is not None else ""
    if _HOST.fullmatch(stem):
        return stem
    label = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:63].strip("-")
    return f"{label or f'tenant{number}'}.onmicrosoft.com"


def _load(source: SnapshotSource, number: int) -> tuple[str | None, dict[str, list[Any]], str]:
    """The snapshot's tenant id, a private copy of its resources (tests may edit them), and its name."""
    if isinstance(source, snapshot_io.Snapshot):
        return source.tenant_id, copy.deepcopy(dict(source.resources)), f"snapshot {number}"
    if isinstance(source, Mapping):
        resources, tenant_id = source.get("resources"), source.get("tenant_id")
        if not isinstance(resources, Mapping):
            raise TypeError("a snapshot document needs a 'resources' object")
        if tenant_id is not None and not isinstance(tenant_id, str):
            raise TypeError("a snapshot document's 'tenant_id' must be a string")
        return tenant_id, copy.deepcopy(dict(resources)), f"snapshot {number}"
    snap = snapshot_io.read(source)
    return snap.tenant_id, copy.deepcopy(dict(snap.resources)), str(source)
