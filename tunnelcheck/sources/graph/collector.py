"""Collecting the resources from Graph beta as raw JSON, exactly as Graph sent it.

Requests go through the SDK's request adapter (auth, telemetry). Responses come back through a
``ResponseHandlerOption`` that hands over the httpx response itself: the model parses raw Graph JSON, so
the bytes are decoded with ``json`` and never round-tripped through the SDK's generated models (v1.0 models
would drop β-only properties and types, docs/graph.md#beta-only), and the status, ``request-id`` and ``Retry-After``
stay at hand.

Retries are the collector's, not the SDK's (whose count of retries runs out while concurrent requests keep
landing in throttled slots): a throttled request (429) is retried for as long as its resource's retry
budget (``retry_budget_seconds``, the time its requests spent waiting) lasts, with exponential backoff and
jitter, never sooner than Graph's ``Retry-After``; 503, 504 and a dropped connection at most
``max_retries`` times. A ``Retry-After`` of 180 s or more is not waited for. A redirect is never followed.

Related collections are read per object through JSON ``$batch`` (≤ 20 inner GETs per batch) and embedded
under their navigation property names, as ``$expand`` would (docs/snapshot-format.md#resources); throttled inner
requests are re-batched by the same rules.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar, cast
from urllib.parse import quote, urlsplit

import httpx
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_abstractions.response_handler import ResponseHandler
from kiota_http.middleware.options import ResponseHandlerOption
from msgraph.graph_service_client import GraphServiceClient

from ... import model
from ...config import Config
from ...errors import DataUnavailable, MalformedData
from ...model.resources import Resource
from ...untrusted import lone_surrogate_in
from .client import AnswerRefused, printable

__all__ = ["COLLECTORS", "AnswerRefused", "BrokenResponse", "Graph", "GraphFailure", "Limits", "Provenance", "Stats",
           "gather_all", "redirect_refusal", "retry_delay"]

RETRYABLE = frozenset({429, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
BATCH_LIMIT = 20  # Graph's maximum number of requests in one $batch
MAX_RETRY_AFTER = 180.0  # seconds; like the SDK's RetryHandler, a longer wait is a failure, not a pause
MAX_BACKOFF = 30.0  # seconds: the longest backoff between two attempts (a Retry-After may ask for more)
MAX_DEPTH = 64  # JSON nesting; Graph's deepest answer (expanded objects inside a $batch) is about 10 deep

T = TypeVar("T")


class GraphFailure(Exception):
    """A request Graph answered with an error, for good (after the retries)."""

    def __init__(self, status: int | None, code: str, request_id: str | None, detail: str = "") -> None:
        self.status, self.code, self.request_id = status, code, request_id
        where = f" (request-id {request_id})" if request_id else ""
        why = f": {detail}" if detail else ""
        super().__init__(f"HTTP {status} {code}{where}{why}" if status is not None else f"{code}{where}{why}")


class BrokenResponse(Exception):
    """Graph answered, but not with what Graph documents: malformed JSON, a page without ``value``, a
    nextLink that loops. Never read as an empty list."""


@dataclass(frozen=True)
class Limits:
    """The bounds of one collection run (the config keys of the same names)."""

    max_retries: int = 3
    retry_budget: float = 300.0  # retry_budget_seconds
    timeout: float = 60.0  # timeout_seconds, for messages: the transport enforces it
    max_items: int = 5_000_000
    max_pages: int = 10_000

    @classmethod
    def of(cls, settings: Config) -> Limits:
        return cls(settings.max_retries, float(settings.retry_budget_seconds), float(settings.timeout_seconds),
                   settings.max_items, settings.max_pages)


class RetryClock:
    """How long one resource's requests have waited to retry: the time during which at least one of them
    was waiting (concurrent waits count once), spent against the resource's retry budget."""

    def __init__(self) -> None:
        self.spent = 0.0
        self._waiting = 0
        self._since = 0.0

    def used(self) -> float:
        return self.spent + (time.monotonic() - self._since if self._waiting else 0.0)

    async def wait(self, seconds: float) -> None:
        if not self._waiting:
            self._since = time.monotonic()
        self._waiting += 1
        try:
            await asyncio.sleep(seconds)
        finally:
            self._waiting -= 1
            if not self._waiting:
                self.spent += time.monotonic() - self._since


@dataclass
class Provenance:
    """How one resource was collected; recorded in the snapshot's ``provenance``."""

    requests: int = 0
    request_ids: list[str] = field(default_factory=list)
    completed: bool = False
    note: str = ""  # what was collected, when not the whole collection (e.g. the audit events' filter)
    retries: RetryClock = field(default_factory=RetryClock, repr=False, compare=False)  # not recorded

    def as_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "request_ids": list(self.request_ids), "completed": self.completed,
                **({"note": self.note} if self.note else {})}


@dataclass
class Stats:
    """Counters for the progress line: requests on the wire (retries included) and retries."""

    requests: int = 0
    retries: int = 0
    resources_done: int = 0
    resources_total: int = 0
    on_change: Callable[[Stats], None] | None = None

    def bump(self, **counts: int) -> None:
        for name, n in counts.items():
            setattr(self, name, getattr(self, name) + n)
        if self.on_change is not None:
            self.on_change(self)

    def saw_request(self, request: httpx.Request) -> None:
        """ReadOnlyTransport's observer: the SDK's RetryHandler marks its retries with Retry-Attempt."""
        self.bump(requests=1, retries=1 if "Retry-Attempt" in request.headers else 0)


class _Raw(ResponseHandler):
    async def handle_response_async(self, response: Any, error_map: Any = None) -> Any:
        return response


_RAW = ResponseHandlerOption(_Raw())


async def gather_all(coros: Iterable[Awaitable[T]]) -> list[T]:
    """``asyncio.gather`` that cancels the siblings when one fails: a failed resource stops its requests."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _failure(status: int, headers: httpx.Headers | dict[str, str], body: Any, fallback_id: str | None = None,
             detail: str = "") -> GraphFailure:
    """A GraphFailure from Graph's error shape (docs/graph.md#errors: ``innerError`` or ``innererror``)."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    inner = error.get("innerError") or error.get("innererror")
    inner = inner if isinstance(inner, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), str) else httpx.codes.get_reason_phrase(status)
    request_id = headers.get("request-id") or inner.get("request-id") or fallback_id
    wait = _retry_after(headers) if status in RETRYABLE else None
    if not detail and wait is not None and wait >= MAX_RETRY_AFTER:  # not retried: say why
        detail = f"Graph asked to retry after {wait:.0f} s, longer than the {MAX_RETRY_AFTER:.0f} s tunnelcheck waits"
    return GraphFailure(status, printable(code or "error"), request_id if isinstance(request_id, str) else None,
                        detail)


def _retry_after(headers: httpx.Headers | dict[str, str]) -> float | None:
    """Graph's Retry-After in seconds (a number or an HTTP-date), or None when there is none or it is unreadable."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
        except (TypeError, ValueError):
            return None


_JITTER = random.Random()


def retry_delay(attempt: int, retry_after: float | None, rng: random.Random = _JITTER) -> float:
    """Seconds to wait before retry ``attempt + 1``, with a jitter so that requests throttled together do
    not all come back together (up to half the backoff, at most 1 s):

    - Graph said when (``retry_after``): then, never sooner; Graph computes it from its own budget, so
      waiting longer only slows the run;
    - else an exponential backoff: 0.5, 1, 2, 4... s, at most MAX_BACKOFF."""
    backoff = min(MAX_BACKOFF, 0.5 * 2 ** min(attempt, 16))
    jitter = rng.uniform(0.0, min(1.0, backoff / 2))
    return (retry_after if retry_after is not None else backoff) + jitter


def redirect_refusal(url: str, status: int, location: str | None) -> str:
    """Why the redirect of ``url`` is not followed, in one line: tunnelcheck reads only the URLs it asks
    for, and its token only ever goes to the Graph origin."""
    asked = httpx.URL(url)
    came = f"HTTP {status} from {_short(url)}"
    if not location:
        return f"Graph redirected without a Location; not followed ({came})"
    try:
        target = asked.join(location)
        where = printable(f"{target.scheme}://{target.host}" + (f":{target.port}" if target.port else ""))
    except (httpx.InvalidURL, ValueError, TypeError):
        return f"Graph redirected to a URL that is not valid; not followed ({came})"
    if target.scheme != asked.scheme:
        return (f"Graph redirected from {asked.scheme} to {printable(target.scheme)}; not followed "
                f"({came} to {where})")
    if (target.host, target.port) != (asked.host, asked.port):
        return f"Graph redirected to another origin; not followed ({came} to {where})"
    if target.copy_with(fragment=None) == asked.copy_with(fragment=None):
        return f"Graph redirected in a loop, to the same URL; not followed ({came})"
    return f"Graph redirected to another URL; not followed ({came} to {printable(target.path)})"


def _parse_json(content: bytes, where: str) -> Any:
    """``content`` as JSON (``_NOT_JSON`` when it is not); AnswerRefused when nested beyond MAX_DEPTH (the
    checks, the report and the snapshot writer then never meet it)."""
    try:  # strict UTF-8 (Graph's): json.loads of bytes would let raw surrogates through, and guess UTF-16
        text = content.decode("utf-8")
        parsed = json.loads(text)
    except RecursionError:
        parsed = _TOO_DEEP
    except (ValueError, UnicodeDecodeError):
        return _NOT_JSON
    if parsed is _TOO_DEEP or _deeper_than(parsed, MAX_DEPTH):
        raise AnswerRefused(f"Graph answered JSON nested more than {MAX_DEPTH} levels deep; not read ({where})")
    if lone_surrogate_in(text, parsed):
        raise AnswerRefused(f"Graph answered text that is not valid Unicode (a lone surrogate escape); not read "
                            f"({where})")
    return parsed


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists and objects more than ``limit`` levels deep (without recursion)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


class Graph:
    """One collection run's access to Graph: bounded concurrency, pages, batches, provenance."""

    def __init__(self, client: GraphServiceClient, concurrency: int, stats: Stats,
                 detected_app_names: Sequence[str] = (), refuse: Callable[[str], None] | None = None,
                 batch_limit: int = BATCH_LIMIT, limits: Limits | None = None) -> None:
        #: Told the token Graph refused with a 401, so that the next request signs in again (auth.Credential).
        self._refuse = refuse
        #: The detected apps whose managed devices are collected, by name (model.detected_name_key): the
        #: standalone app's names and ids, which the source is given. The collector knows no migration
        #: setting; what it narrowed is in the resource's provenance, so that a snapshot read later with
        #: other names makes TUN-DEV-01 error, saying so, rather than pass.
        self.detected_app_names = tuple(detected_app_names)
        #: The resources of this run being collected (or already loaded), for collectors that depend on
        #: another resource: they wait for it instead of asking Graph twice.
        self.resources: dict[Resource, asyncio.Future[list[Any] | DataUnavailable]] = {}
        self._adapter = client.request_adapter
        self.base = self._adapter.base_url.rstrip("/")
        self._origin = httpx.URL(self.base)
        self._slots = asyncio.Semaphore(concurrency)
        self.limits = limits or Limits()
        self.stats = stats
        self._batch_limit = max(1, min(batch_limit, BATCH_LIMIT))  # a batch never outgrows the pacing budget

    async def dependency(self, resource: Resource) -> list[Any] | None:
        """The objects of ``resource`` when this run collects (or has) it, else None; its failure fails
        the dependant too."""
        future = self.resources.get(resource)
        if future is None:
            return None
        result = await asyncio.shield(future)
        if isinstance(result, DataUnavailable):
            raise GraphFailure(None, f"needs {result.resource}, which failed: {result.reason}", None)
        return result

    def url(self, path: str, query: str = "") -> str:
        return f"{self.base}/{path}" + (f"?{query}" if query else "")

    async def _send(self, method: Method, url: str, prov: Provenance, body: bytes | None = None
                    ) -> tuple[Any, str | None]:
        """One request through the adapter: the parsed JSON body of a 2xx and its request-id; raises
        otherwise."""
        info = RequestInformation()
        info.http_method = method
        info.url = url
        info.headers.try_add("Accept", "application/json")
        if body is not None:
            info.content = body
            info.headers.try_add("Content-Type", "application/json")
        info.add_request_options([_RAW])
        response = await self._exchange(info, prov)
        if response.status_code == 401 and self._refuse is not None:
            # Graph refused the token (it expired or was revoked before MSAL thought so): sign in again and
            # send once more; a second 401 is final.
            self._refuse(response.request.headers.get("Authorization", "").removeprefix("Bearer ").strip())
            info.headers.remove("Authorization")
            self.stats.bump(retries=1)
            response = await self._exchange(info, prov)
        prov.requests += 1
        request_id = response.headers.get("request-id")
        if request_id:
            prov.request_ids.append(request_id)
        if response.status_code in REDIRECTS:
            raise AnswerRefused(redirect_refusal(url, response.status_code, response.headers.get("location")))
        parsed = _parse_json(response.content, _short(url)) if response.content else None
        if not 200 <= response.status_code < 300:
            raise _failure(response.status_code, response.headers, parsed)
        if parsed is _NOT_JSON or parsed is None:
            raise BrokenResponse(f"{_short(url)} answered HTTP {response.status_code} without a JSON body")
        return parsed, request_id

    async def _exchange(self, info: RequestInformation, prov: Provenance) -> httpx.Response:
        """Send ``info`` until an answer that is not to be retried. 429: again for as long as the resource's
        retry budget lasts; 503, 504 and a dropped connection: at most ``max_retries`` times, within the
        budget too. Each retry carries ``Retry-Attempt: n``, as the SDK's would."""
        attempt = server_failures = 0
        while True:
            response, dropped = None, ""
            try:
                async with self._slots:
                    response = await self._adapter.send_primitive_async(  # type: ignore[func-returns-value]
                        info, "bytes", None)  # kiota's abstract adapter declares None; httpx's returns the answer
            except httpx.TimeoutException:  # timeout_seconds is the user's bound: not stretched by retries
                raise GraphFailure(None, f"timed out: no whole answer within {self.limits.timeout:g} s "
                                   "(timeout_seconds)", None) from None
            except httpx.TransportError as exc:
                dropped = f"connection failed ({exc.__class__.__name__})"
            if response is not None and response.status_code not in RETRYABLE:
                return response
            if response is None or response.status_code != 429:
                server_failures += 1
                if server_failures > self.limits.max_retries:
                    if response is None:
                        raise GraphFailure(None, dropped, None)
                    return response
            retry_after = _retry_after(response.headers) if response is not None else None
            if response is not None and retry_after is not None and retry_after >= MAX_RETRY_AFTER:
                return response  # _failure says why it was not waited for
            delay = retry_delay(attempt, retry_after)
            spent = self._over_budget(prov, delay)
            if spent and response is None:
                raise GraphFailure(None, dropped, None, spent)
            if spent and response is not None:
                raise _failure(response.status_code, response.headers, _json_or_none(response.content), detail=spent)
            await prov.retries.wait(delay)
            attempt += 1
            info.headers.remove("Retry-Attempt")
            info.headers.add("Retry-Attempt", str(attempt))

    def _over_budget(self, prov: Provenance, delay: float) -> str:
        """Why the resource of ``prov`` may not wait ``delay`` more seconds to retry ("" when it may)."""
        used = prov.retries.used()
        if used + delay <= self.limits.retry_budget:
            return ""
        return (f"still failing after {used:.0f} s of waiting to retry; the retry budget is "
                f"{self.limits.retry_budget:g} s (retry_budget_seconds)")

    async def list_all(self, url: str, prov: Provenance, first: Any = None) -> list[Any]:
        """Every item of a collection, following ``@odata.nextLink`` to the end (from ``first``, a page
        already fetched, when given), within ``max_items`` and ``max_pages``."""
        items: list[Any] = []
        seen = {url}
        page = first if first is not None else (await self._send(Method.GET, url, prov))[0]
        while True:
            value = page.get("value") if isinstance(page, dict) else None
            if not isinstance(value, list):
                raise BrokenResponse(f"a page of {_short(url)} has no 'value' list")
            items.extend(value)
            if len(items) > self.limits.max_items:
                raise AnswerRefused(f"{_short(url)} has more than {self.limits.max_items:,} items (max_items); "
                                    "not read further")
            next_link = page.get("@odata.nextLink")
            if next_link is None:
                return items
            if not isinstance(next_link, str) or not self._same_origin(next_link):
                raise BrokenResponse(f"the @odata.nextLink of {_short(url)} is not a URL on the Graph origin")
            if next_link in seen:
                raise BrokenResponse(f"the @odata.nextLink of {_short(url)} loops back to an earlier page")
            if len(seen) >= self.limits.max_pages:
                raise AnswerRefused(f"{_short(url)} has more than {self.limits.max_pages:,} pages (max_pages); "
                                    "not read further")
            seen.add(next_link)
            page, _ = await self._send(Method.GET, next_link, prov)

    def _same_origin(self, url: str) -> bool:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            return False
        return (parsed.scheme, parsed.host, parsed.port) == (self._origin.scheme, self._origin.host,
                                                              self._origin.port)

    async def batch(self, paths: Sequence[str], prov: Provenance) -> list[Any]:
        """The JSON bodies of GET ``paths`` (relative to the version root), in order, through ``$batch``."""
        size = self._batch_limit
        chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
        parts = await gather_all(self._batch_chunk(chunk, prov) for chunk in chunks)
        return [body for part in parts for body in part]

    async def _batch_chunk(self, paths: Sequence[str], prov: Provenance) -> list[Any]:
        pending = {str(i): path for i, path in enumerate(paths)}
        results: dict[str, Any] = {}
        attempt = server_failures = 0
        while True:
            requests = [{"id": key, "method": "GET", "url": path} for key, path in pending.items()]
            doc, outer_id = await self._send(Method.POST, f"{self.base}/$batch", prov,
                                             json.dumps({"requests": requests}).encode("utf-8"))
            responses = doc.get("responses") if isinstance(doc, dict) else None
            if not isinstance(responses, list):
                raise BrokenResponse("a $batch response has no 'responses' list")
            throttled: dict[str, str] = {}
            answered: set[str] = set()
            wait: float | None = None
            last: tuple[int, dict[str, str], Any] | None = None  # a server failure rather than a 429, if any
            for answer in responses:
                key = answer.get("id") if isinstance(answer, dict) else None
                status = answer.get("status") if isinstance(answer, dict) else None
                if key not in pending or key in answered or not isinstance(status, int):
                    raise BrokenResponse("a $batch response answers an id that was not asked, or twice")
                answered.add(key)
                headers = {str(k).lower(): str(v) for k, v in (answer.get("headers") or {}).items()}
                if status in REDIRECTS:
                    raise AnswerRefused(redirect_refusal(f"{self.base}{pending[key]}", status, headers.get("location")))
                body = _inner_body(answer.get("body"), pending[key])
                if 200 <= status < 300:
                    results[key] = body
                elif status in RETRYABLE:
                    throttled[key] = pending[key]
                    asked = _retry_after(headers)
                    wait = asked if wait is None or (asked is not None and asked > wait) else wait
                    if last is None or last[0] == 429:
                        last = (status, headers, body)
                else:
                    raise _failure(status, headers, body, outer_id)
            if answered != pending.keys():
                raise BrokenResponse("a $batch response leaves requests unanswered")
            if not throttled:
                return [results[str(i)] for i in range(len(paths))]
            assert last is not None
            server_failures += last[0] != 429
            if server_failures > self.limits.max_retries or (wait is not None and wait >= MAX_RETRY_AFTER):
                raise _failure(*last, outer_id)
            delay = retry_delay(attempt, wait)
            spent = self._over_budget(prov, delay)
            if spent:
                raise _failure(*last, outer_id, detail=spent)
            attempt += 1
            self.stats.bump(retries=len(throttled))
            await prov.retries.wait(delay)
            pending = throttled

    async def collections(self, paths: Sequence[str], prov: Provenance) -> list[list[Any]]:
        """Each path's whole collection (paged on past the batch when Graph says so)."""
        bodies = await self.batch(paths, prov)
        return await gather_all(self.list_all(f"{self.base}{path}", prov, first=body)
                                for path, body in zip(paths, bodies))

    async def objects(self, paths: Sequence[str], prov: Provenance) -> list[dict[str, Any]]:
        """Each path's single object, without its ``@odata.context`` (an expanded object has none)."""
        bodies = await self.batch(paths, prov)
        for path, body in zip(paths, bodies):
            if not isinstance(body, dict):
                raise BrokenResponse(f"{_short(path)} is not a JSON object")
        return [{k: v for k, v in body.items() if k != "@odata.context"} for body in bodies]


_NOT_JSON = object()
_TOO_DEEP = object()


def _json_or_none(content: bytes) -> Any:
    """An error body as JSON, for its code and request-id; None when it is not JSON (or too deep)."""
    try:
        parsed = _parse_json(content, "") if content else None
    except AnswerRefused:
        return None
    return None if parsed is _NOT_JSON else parsed


def _inner_body(body: Any, path: str) -> Any:
    """An inner $batch body: JSON as is; Graph base64-encodes bodies of other content types."""
    if isinstance(body, str):
        try:
            raw = base64.b64decode(body, validate=True)
        except ValueError:
            raw = b""
        parsed = _parse_json(raw, _short(path)) if raw else _NOT_JSON
        if parsed is _NOT_JSON:
            raise BrokenResponse(f"the $batch answer for {_short(path)} is not JSON")
        return parsed
    return body


def _short(url: str) -> str:
    """A URL for messages: the path alone (no host, no $skiptoken noise)."""
    return urlsplit(url).path


# ---------------------------------------------------------------------------------------------------
# The resources


def _object_id(item: Any, where: str) -> str:
    value = item.get("id") if isinstance(item, dict) else None
    if not isinstance(value, str) or not value:
        raise BrokenResponse(f"an object of {where} has no id")
    return quote(value, safe="")


async def _device_configurations(g: Graph, prov: Provenance) -> list[Any]:
    """Tunnel profiles whole, with ``assignments`` and ``deviceStatusOverview``; every other configuration
    only as id, displayName, @odata.type and connectionType (the checks need to know it exists and that
    it is not a Tunnel profile, nothing more)."""
    out: list[Any] = []
    profiles: list[dict[str, Any]] = []
    for item in await g.list_all(g.url("deviceManagement/deviceConfigurations"), prov):
        if isinstance(item, dict) and model.is_tunnel_profile(item):
            profiles.append(dict(item))
            out.append(profiles[-1])
        elif isinstance(item, dict):  # with what classifies it as not a Tunnel profile
            out.append({k: item[k] for k in ("id", "@odata.type", "displayName", "connectionType") if k in item})
        else:
            out.append(item)  # the model reports it, with its place
    ids = [_object_id(p, "deviceConfigurations") for p in profiles]
    base = "/deviceManagement/deviceConfigurations"
    found = await gather_all([
        g.collections([f"{base}/{i}/assignments" for i in ids], prov),
        g.objects([f"{base}/{i}/deviceStatusOverview" for i in ids], prov),
    ])
    assignments, overviews = cast(list[list[Any]], found[0]), cast(list[dict[str, Any]], found[1])
    for profile, assigned, overview in zip(profiles, assignments, overviews):
        profile["assignments"] = assigned
        profile["deviceStatusOverview"] = overview
    return out


async def _mobile_apps(g: Graph, prov: Provenance) -> list[Any]:
    """Every app; the store/VPP/LOB apps the migration touches get their ``assignments`` (per app:
    ``$expand=assignments`` on the list is deprecated, docs/graph.md#apps)."""
    apps = await g.list_all(g.url("deviceAppManagement/mobileApps"), prov)
    wanted = [a for a in apps if isinstance(a, dict) and model.AppKind(a.get("@odata.type") or "").known]
    assignments = await g.collections(
        [f"/deviceAppManagement/mobileApps/{_object_id(a, 'mobileApps')}/assignments" for a in wanted], prov)
    for app, assigned in zip(wanted, assignments):
        app["assignments"] = assigned
    return apps


async def _tunnel_sites(g: Graph, prov: Provenance) -> list[Any]:
    """Sites with their servers, and the id of the server configuration each one uses."""
    sites = await g.list_all(g.url("deviceManagement/microsoftTunnelSites", "$expand=microsoftTunnelConfiguration"),
                             prov)
    servers = await g.collections(
        [f"/deviceManagement/microsoftTunnelSites/{_object_id(s, 'microsoftTunnelSites')}/microsoftTunnelServers"
         for s in sites], prov)
    for site, found in zip(sites, servers):
        configuration = site.get("microsoftTunnelConfiguration")
        if isinstance(configuration, dict) and "id" in configuration:
            site["microsoftTunnelConfiguration"] = {"id": configuration["id"]}  # the whole one is its own resource
        site["microsoftTunnelServers"] = found
    return sites


async def _detected_apps(g: Graph, prov: Provenance) -> list[Any]:
    """Every detected app; only those named as ``g.detected_app_names`` (the standalone Tunnel app's names
    and package ids, TUN-DEV-01) get their ``managedDevices``: a tenant detects thousands of apps, and
    TUN-DEV-01 needs the devices of one. The provenance note names them."""
    keys = {model.detected_name_key(n) for n in g.detected_app_names}
    prov.note = detected_devices_note(g.detected_app_names)
    apps = await g.list_all(g.url("deviceManagement/detectedApps"), prov)
    tunnel = [a for a in apps if isinstance(a, dict) and isinstance(a.get("displayName"), str)
              and model.detected_name_key(a["displayName"]) in keys]
    devices = await g.collections(
        [f"/deviceManagement/detectedApps/{_object_id(a, 'detectedApps')}/managedDevices" for a in tunnel], prov)
    for app, found in zip(tunnel, devices):
        app["managedDevices"] = found
    return apps


async def _audit_events(g: Graph, prov: Provenance) -> list[Any]:
    """The audit events TUN-IOS-06 can use: those at or after the creation of the oldest iOS Defender
    profile (the reassignment it looks for is the earliest event after that), filtered by Graph."""
    configurations = await g.dependency(Resource.DEVICE_CONFIGURATIONS)
    if configurations is None:
        configurations = await _device_configurations(g, prov)
    try:
        parsed = model.parse_device_configurations(configurations, Resource.DEVICE_CONFIGURATIONS.value)
        created = sorted(p.created for p in parsed.profiles.items
                         if p.defender and p.kind is model.ProfileKind.IOS and p.created)
    except MalformedData:  # the profile checks error on these; the events are read whole meanwhile
        prov.note = "the configurations are malformed: every audit event is read"
        return await g.list_all(g.url("deviceManagement/auditEvents"), prov)
    if not created:
        prov.note = "no iOS Defender profile: no audit event is needed"
        return []
    since = created[0].astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    prov.note = f"activityDateTime ge {since}"
    return await g.list_all(g.url("deviceManagement/auditEvents", f"$filter=activityDateTime ge {since}"), prov)


def detected_devices_note(names: Sequence[str]) -> str:
    """The provenance note of the detected apps: whose managed devices were collected."""
    shown = " or ".join(json.dumps(n, ensure_ascii=False) for n in names) if names else "(none)"
    return f"managedDevices collected only for the detected apps named {shown}"


def _plain(path: str, query: str = "") -> Callable[[Graph, Provenance], Awaitable[list[Any]]]:
    async def collect(g: Graph, prov: Provenance) -> list[Any]:
        return await g.list_all(g.url(path, query), prov)

    return collect


#: How each resource is collected.
COLLECTORS: dict[Resource, Callable[[Graph, Provenance], Awaitable[list[Any]]]] = {
    Resource.DEVICE_CONFIGURATIONS: _device_configurations,
    Resource.MOBILE_APPS: _mobile_apps,
    Resource.TUNNEL_SITES: _tunnel_sites,
    Resource.TUNNEL_CONFIGURATIONS: _plain("deviceManagement/microsoftTunnelConfigurations"),
    Resource.GROUPS: _plain("groups", "$select=id,displayName&$top=999"),  # Graph's largest page of groups
    Resource.MANAGED_DEVICES: _plain("deviceManagement/managedDevices"),
    Resource.DETECTED_APPS: _detected_apps,
    Resource.AUDIT_EVENTS: _audit_events,
}
