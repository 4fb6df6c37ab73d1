"""The live tenant: Microsoft Graph beta through msgraph-sdk and azure-identity, read-only.

- :func:`open_tenant` (``pytest --tenant``): sign in, check the token's permissions, return a ``Tenant``
  whose data is collected lazily, per check, concurrently.
- :func:`record` / :func:`record_loaded` (``tunnelcheck record``, ``pytest --record``): write a snapshot.

Modules: ``client`` (endpoints, TLS, the read-only choke point, the SDK client), ``auth`` (credentials,
permission preflight), ``collector`` (pages, batches, throttling, the eight resources), ``source``
(``LiveSource``), ``record``.
"""

from __future__ import annotations

from .record import record, record_loaded, snapshot_document
from .source import LiveSource, open_source, open_tenant

__all__ = ["LiveSource", "open_source", "open_tenant", "record", "record_loaded", "snapshot_document"]
