"""The live tenant: a ``Source`` that collects from Microsoft Graph beta, and ``open_tenant`` for --tenant."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Collection, Coroutine
from typing import Any, TypeVar

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError

from ...config import Config
from ...errors import DataUnavailable, PermissionDenied
from ...model.resources import Resource
from ...tenant import SourceInfo, Tenant, tenant_label
from . import auth
from .client import AnswerRefused, Endpoints, Pacer, WriteRefused, endpoints, graph_client
from .collector import COLLECTORS, BrokenResponse, Graph, GraphFailure, Limits, Provenance, Stats

__all__ = ["LiveSource", "open_source", "open_tenant"]

log = logging.getLogger(__name__)

#: Endpoints that answer 404 when the tenant has never set up Microsoft Tunnel.
TUNNEL_RESOURCES = frozenset({Resource.TUNNEL_SITES, Resource.TUNNEL_CONFIGURATIONS})

T = TypeVar("T")


class LiveSource:
    """Raw Graph objects of a live tenant. Each ``load`` collects the requested resources concurrently in
    one asyncio run; what was loaded, and how, is kept for ``--record``. Every failure of a resource is
    remembered and returned as its DataUnavailable, once: never raised to each check that asks again.

    The whole live collection (every ``load``) ends by ``run_deadline_seconds`` after the source was made:
    what is not read by then is a DataUnavailable saying so."""

    def __init__(self, name: str, settings: Config, credential: TokenCredential | None = None,
                 stats: Stats | None = None, pacer: Pacer | None = None) -> None:
        self.name = name
        #: Keeps every round of this tenant under Intune's throttling limit (default: 900 in 20 s).
        self.pacer = pacer or Pacer.for_limit(settings.throttle_limit)
        self.settings = settings
        self.endpoints: Endpoints = endpoints(settings)
        self.tenant = auth.tenant_for(settings, name)
        self.credential = credential or auth.make_credential(settings, name, self.endpoints)
        self.stats = stats or Stats()
        self.loaded: dict[Resource, list[Any]] = {}
        self.provenance: dict[Resource, Provenance] = {}
        self.failures: dict[Resource, DataUnavailable] = {}
        self.info = self._info(None)
        self.deadline = time.monotonic() + settings.run_deadline_seconds

    def _info(self, tenant_id: str | None) -> SourceInfo:
        # Named by the config's name, else as the user gave it with --tenant (README "Naming a tenant").
        return SourceInfo(label=tenant_label(self.settings.name, self.name) or self.name, kind="live",
                          location=self.name, tenant_id=tenant_id,
                          description=f"Microsoft Graph beta at {self.endpoints.graph_url}")

    def preflight(self, resources: Collection[Resource]) -> None:
        """Sign in now, and fail with one message listing every permission ``resources`` need that the
        token lacks. Learns the tenant id from the token."""
        claims = auth.sign_in(self.credential, self.endpoints, self.settings.auth.method, self.tenant, resources)
        tid = claims.get("tid")
        self.info = self._info(tid if isinstance(tid, str) else None)

    def load(self, resources: Collection[Resource]) -> dict[Resource, list[Any] | DataUnavailable]:
        return _run(self._load(list(dict.fromkeys(resources))))

    async def _load(self, resources: list[Resource]) -> dict[Resource, list[Any] | DataUnavailable]:
        self.stats.bump(resources_total=len(resources))
        if time.monotonic() >= self.deadline:
            self.stats.bump(resources_done=len(resources))
            return {r: self._late(r) for r in resources}
        async with graph_client(self.credential, self.endpoints, self.settings, self.stats.saw_request,
                                self.pacer) as client:
            graph = Graph(client, self.settings.concurrency, self.stats,
                          self.settings.migration.standalone_detected_names,
                          refuse=getattr(self.credential, "refuse", None), batch_limit=self.pacer.budget,
                          limits=Limits.of(self.settings))
            for resource, items in self.loaded.items():
                graph.resources[resource] = done = asyncio.get_running_loop().create_future()
                done.set_result(items)
            tasks = {r: asyncio.ensure_future(self._one(graph, r)) for r in resources}
            graph.resources.update(tasks)
            late: set[asyncio.Future[Any]] = set()
            if tasks:
                _, late = await asyncio.wait(tasks.values(), timeout=max(self.deadline - time.monotonic(), 0))
            for task in late:  # the run's deadline: what is still being read is not read
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        return {r: self._late(r) if task in late else task.result() for r, task in tasks.items()}

    def _late(self, resource: Resource) -> DataUnavailable:
        failure = DataUnavailable(resource.value, f"not read: the live collection reached its deadline of "
                                  f"{self.settings.run_deadline_seconds} s (run_deadline_seconds)", resource.permission)
        log.info("%s", failure)
        self.failures[resource] = failure
        return failure

    async def _one(self, graph: Graph, resource: Resource) -> list[Any] | DataUnavailable:
        prov = self.provenance[resource] = Provenance()
        try:
            items = await COLLECTORS[resource](graph, prov)
        except WriteRefused:  # a bug of tunnelcheck, never a tenant condition: stops the run
            raise
        except Exception as exc:  # noqa: BLE001 - any failure is this resource's, once, never a traceback per check
            failure = unavailable(resource, exc, self.settings.auth.method, self.tenant)
            log.info("%s", failure)
            self.failures[resource] = failure
            return failure
        finally:
            self.stats.bump(resources_done=1)
        prov.completed = True
        self.loaded[resource] = items
        self.failures.pop(resource, None)
        return items


def unavailable(resource: Resource, exc: Exception, method: str, tenant: str) -> DataUnavailable:
    """What the checks see of a resource that could not be collected."""
    permission = resource.permission
    if isinstance(exc, ClientAuthenticationError):  # the token expired and could not be renewed mid-run
        return DataUnavailable(resource.value, auth.describe_auth_error(exc, method, tenant), permission)
    if isinstance(exc, GraphFailure):
        if exc.status == 403:
            return PermissionDenied(resource.value, f"Graph refused access: {exc}", permission)
        if exc.status == 404 and resource in TUNNEL_RESOURCES:
            return DataUnavailable(resource.value, f"the tenant has no Microsoft Tunnel set up ({exc})", permission)
        return DataUnavailable(resource.value, str(exc), permission)
    if isinstance(exc, BrokenResponse):
        return DataUnavailable(resource.value, f"malformed Graph response: {exc}", permission)
    if isinstance(exc, AnswerRefused):
        return DataUnavailable(resource.value, str(exc), permission)
    # Not foreseen (a bug, or an answer nobody thought of): still one line, naming what was raised.
    text = " ".join(str(exc).split())
    detail = f"{exc.__class__.__name__}: {text[:300]}" if text else exc.__class__.__name__
    return DataUnavailable(resource.value, f"could not be read ({detail})", permission)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to the end from synchronous code, even when called inside a running event loop (a
    user's async test): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=work, name="tunnelcheck-graph")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


def open_source(name: str, settings: Config, resources: Collection[Resource] = tuple(Resource),
                stats: Stats | None = None) -> LiveSource:
    """A signed-in LiveSource whose token carries the permissions ``resources`` need."""
    source = LiveSource(name, settings, stats=stats)
    source.preflight(resources)
    return source


def open_tenant(name: str, settings: Config, resources: Collection[Resource] = tuple(Resource)) -> Tenant:
    """The live tenant ``name`` (``--tenant``): signs in and checks the token's permissions for
    ``resources`` (default: all) now, so a run without them stops before any check, with one message
    naming them all."""
    return Tenant(open_source(name, settings, resources))
