"""Where Graph is, how it is trusted, and the one HTTP client every Graph request goes through.

The client is msgraph-sdk's ``GraphServiceClient`` on a ``GraphRequestAdapter`` whose httpx client carries
the SDK's default middleware (telemetry, headers) over :class:`ReadOnlyTransport`, the read-only choke
point: every request that reaches the network passes it, and it refuses anything but a GET or a POST to
``$batch`` of GETs to the configured Graph origin. It also bounds each answer: read whole (body included)
within ``timeout_seconds`` and no larger than ``max_response_mb`` once decompressed.

The SDK's retry and redirect handlers are off: the collector retries by a time budget per resource
(collector.py), and a redirect is never followed (a Graph read that redirects is an error of its resource).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import math
import os
import ssl
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from azure.core.credentials import TokenCredential
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from kiota_http.middleware.options import RedirectHandlerOption, RetryHandlerOption
from msgraph.graph_service_client import GraphServiceClient
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph_core import APIVersion, GraphClientFactory

from ...config import CLOUDS, Config
from ...errors import ConfigError

__all__ = ["AnswerRefused", "AnswerTimedOut", "Endpoints", "Pacer", "ReadOnlyTransport", "WriteRefused", "endpoints",
           "graph_client", "write_refusal"]

#: Sign-in hosts azure-identity knows; any other authority (an emulator, a private proxy) gets
#: ``disable_instance_discovery`` so MSAL does not ask login.microsoftonline.com about it.
PUBLIC_AUTHORITY_HOSTS = frozenset(urlsplit(authority).hostname for _, authority in CLOUDS.values())


@dataclass(frozen=True)
class Endpoints:
    """The resolved Graph origin, sign-in authority, token scope and CA bundle of one run."""

    cloud: str
    graph_url: str  # https://host[:port], no trailing slash
    authority: str
    scope: str
    ca_path: str | None

    @property
    def base_url(self) -> str:
        """The SDK's base URL: set explicitly, without a trailing slash (docs/graph.md#base-url-and-tls: httpx would
        otherwise append one and every request would start with ``/beta//``)."""
        return f"{self.graph_url}/beta"

    @property
    def graph_host(self) -> str:
        return urlsplit(self.graph_url).hostname or ""

    @property
    def public_authority(self) -> bool:
        return urlsplit(self.authority).hostname in PUBLIC_AUTHORITY_HOSTS


def endpoints(settings: Config) -> Endpoints:
    graph_host, authority = CLOUDS[settings.cloud]
    ca_path = settings.ca_bundle or os.environ.get("SSL_CERT_FILE") or os.environ.get("REQUESTS_CA_BUNDLE") or None
    if ca_path is not None and not os.path.isfile(ca_path):
        where = "ca_bundle" if settings.ca_bundle else ("SSL_CERT_FILE" if os.environ.get("SSL_CERT_FILE")
                                                        else "REQUESTS_CA_BUNDLE")
        raise ConfigError(where, f"CA bundle {ca_path} is not a readable file")
    # Which Graph host may receive the token of which authority is checked when the config loads
    # (config.graph_host_refusal).
    return Endpoints(
        cloud=settings.cloud,
        graph_url=(settings.graph_url or graph_host).rstrip("/"),
        authority=(settings.authority or authority).rstrip("/"),
        scope=f"{graph_host}/.default",  # tokens are per cloud, even when graph_url points elsewhere
        ca_path=ca_path,
    )


# ---------------------------------------------------------------------------------------------------
# The read-only choke point


class WriteRefused(RuntimeError):
    """A request that could change the tenant, or leave for another host, was about to be sent. This is a
    bug in tunnelcheck, never a tenant condition: it is not caught anywhere."""


class AnswerRefused(Exception):
    """Graph answered with something tunnelcheck does not read (a body over its size limit or in an unknown
    encoding, a redirect, JSON nested too deep, a collection over its limits): the resource fails at once,
    not retried, with this one-line message."""


class AnswerTimedOut(httpx.ReadTimeout):
    """No whole answer (status, headers and body) within ``timeout_seconds``."""


#: Headers some servers read as the real method of a GET or POST: never sent.
_METHOD_OVERRIDES = frozenset({"x-http-method-override", "x-http-method", "x-method-override"})


class _RepeatedKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object whose keys are unique: with a repeated key ("requests", "method"), which one a server
    reads is up to its parser, so what is checked here might not be what Graph runs."""
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise _RepeatedKey
    return dict(pairs)


def write_refusal(method: str, url: httpx.URL, body: bytes, origin: httpx.URL,
                  headers: Mapping[str, str] | None = None) -> str | None:
    """Why this request must not be sent, or None when it is a read: a GET, or a POST to ``/beta/$batch``
    (or ``/v1.0/$batch``) whose inner requests are all GETs, to the configured Graph origin, without a
    method-override header anywhere."""
    if (url.scheme, url.host, url.port) != (origin.scheme, origin.host, origin.port):
        return f"{method} to {url.scheme}://{url.host} is not the configured Graph origin"
    override = next((h for h in (headers or {}) if h.lower() in _METHOD_OVERRIDES), None)
    if override is not None:
        return f"{method} {url.path} with a {override} header"
    if method == "GET":
        return None
    root = origin.path.rstrip("/")
    if method != "POST" or url.path.rstrip("/") not in {f"{root}/beta/$batch", f"{root}/v1.0/$batch"}:
        return f"{method} {url.path} is not a read"
    try:
        inner = json.loads(body, object_pairs_hook=_unique_keys)["requests"]
        if not isinstance(inner, list):
            raise TypeError
    except _RepeatedKey:
        return "a $batch whose JSON repeats a key"
    except (ValueError, KeyError, TypeError):
        return "a $batch whose body is not a JSON object with a 'requests' list"
    for request in inner:
        method_inside = request.get("method") if isinstance(request, dict) else None
        if not isinstance(method_inside, str) or method_inside.upper() != "GET":
            return f"a $batch holding a {method_inside!r} request"
        inner_headers = request.get("headers")
        if isinstance(inner_headers, dict) and any(str(h).lower() in _METHOD_OVERRIDES for h in inner_headers):
            return "a $batch holding a GET with a method-override header"
    return None


class ReadOnlyTransport(httpx.AsyncBaseTransport):
    """The innermost httpx transport: checks every request against :func:`write_refusal` before it
    reaches the wire, tells ``observer`` about each one sent (for the progress line), and reads each answer
    whole before handing it on: within ``timeout`` seconds from sending (httpx's own timeout is per read: a
    server dripping a byte at a time would hold it for ever) and no larger than ``max_bytes`` decompressed."""

    def __init__(self, inner: httpx.AsyncBaseTransport, origin: str,
                 observer: Callable[[httpx.Request], None] | None = None, pacer: Pacer | None = None,
                 timeout: float | None = None, max_bytes: int | None = None) -> None:
        self._inner = inner
        self._origin = httpx.URL(origin)
        self._observer = observer
        self._pacer = pacer
        self._timeout = timeout
        self._max_bytes = max_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        refusal = write_refusal(request.method, request.url, body, self._origin, request.headers)
        if refusal is not None:
            raise WriteRefused(f"tunnelcheck is read-only: refused {refusal}")
        request.headers["Accept-Encoding"] = "gzip"  # read_whole decodes it, bounded
        if self._observer is not None:
            self._observer(request)
        if self._pacer is None:
            return await self._exchange(request)
        entry = await self._pacer.acquire(request_cost(request, body))  # every request, retries too
        try:
            return await self._exchange(request)
        finally:
            self._pacer.answered(entry)

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        async def whole() -> tuple[httpx.Response, bytes]:
            response = await self._inner.handle_async_request(request)
            try:
                return response, await read_whole(response, self._max_bytes, request.url.path)
            finally:
                await response.aclose()

        try:
            response, content = await asyncio.wait_for(whole(), self._timeout)
        except asyncio.TimeoutError:
            raise AnswerTimedOut(f"no whole answer within {self._timeout:g} s", request=request) from None
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=content, request=request,
                              extensions={k: v for k, v in response.extensions.items()
                                          if k in ("http_version", "reason_phrase")})

    async def aclose(self) -> None:
        await self._inner.aclose()


_DECODERS: dict[str, Callable[[], Any]] = {
    "identity": lambda: None,
    "gzip": lambda: zlib.decompressobj(zlib.MAX_WBITS | 16),
    "x-gzip": lambda: zlib.decompressobj(zlib.MAX_WBITS | 16),
    "deflate": lambda: zlib.decompressobj(),
}


async def read_whole(response: httpx.Response, max_bytes: int | None, path: str) -> bytes:
    """The body of ``response`` (raw from the transport), decoded from its Content-Encoding; AnswerRefused
    as soon as it grows beyond ``max_bytes`` (compressed or not: a small gzip can expand a thousandfold)."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower() or "identity"
    if encoding not in _DECODERS:
        raise AnswerRefused(f"the answer to {path} is in the Content-Encoding {printable(encoding)!r}, which "
                            "tunnelcheck does not read")
    # A response built in memory (a mock transport) holds its body decoded already.
    decoder = None if response.is_stream_consumed else _DECODERS[encoding]()
    limit = max_bytes if max_bytes is not None else math.inf
    parts: list[bytes] = []
    size = 0

    def keep(data: bytes) -> None:
        nonlocal size
        size += len(data)
        if size > limit:
            mib = f"{max_bytes / 2 ** 20:g}" if max_bytes is not None else ""
            raise AnswerRefused(f"the answer to {path} is larger than {mib} MiB (max_response_mb); not read")
        parts.append(data)

    async def raw() -> AsyncIterator[bytes]:
        if response.is_stream_consumed:
            yield response.content
            return
        async for chunk in response.aiter_raw():
            yield chunk

    try:
        async for chunk in raw():
            if decoder is None:
                keep(chunk)
                continue
            while chunk:  # never more out of the decoder than the limit allows, whatever goes in
                keep(decoder.decompress(chunk, 0 if limit == math.inf else int(limit - size) + 1))
                chunk = decoder.unconsumed_tail
        if decoder is not None:
            keep(decoder.flush())
    except zlib.error:
        raise AnswerRefused(f"the answer to {path} is not valid {encoding}") from None
    return b"".join(parts)


def printable(text: str, limit: int = 80) -> str:
    """``text`` for a one-line message: printable ASCII only, shortened."""
    cleaned = "".join(c if " " <= c <= "~" else "?" for c in text)
    return cleaned if len(cleaned) <= limit else cleaned[:limit] + "..."


# ---------------------------------------------------------------------------------------------------
# Pacing: Intune's throttling, kept to on the client side


class Pacer:
    """Never more than ``budget`` Graph requests in any ``window`` seconds, each request inside a ``$batch``
    counted (as Intune counts them), so that no request is refused for throttling: Intune allows 1,000
    per application per tenant in 20 s (docs/graph.md#throttling), and :meth:`for_limit` keeps a margin below it for
    the application's other clients.

    A request counts from when it is sent until ``window`` seconds after its answer came back: Graph counts
    it when it arrives, somewhere in between (after a TLS handshake, the network), so the client's window
    always covers Graph's. The state is plain (no asyncio object), so one pacer serves every collection
    round of a tenant, each in its own event loop."""

    _IN_FLIGHT = math.inf

    def __init__(self, budget: int, window: float) -> None:
        if budget < 1 or window <= 0:
            raise ValueError("a pacer needs a budget of 1 or more requests and a window of more than 0 s")
        self.budget, self.window = budget, float(window)
        self._sent: collections.deque[list[float]] = collections.deque()  # [answered at, requests], sent order
        self._used = 0
        self._lock = threading.Lock()

    @classmethod
    def for_limit(cls, limit: int = 1000, window: float = 20.0, headroom: float = 0.1) -> Pacer:
        return cls(max(1, math.floor(limit * (1 - headroom))), window)

    def _try(self, cost: int) -> tuple[list[float] | None, float]:
        """Take ``cost`` requests of the budget now (the entry to mark answered), or say how long to wait."""
        with self._lock:
            now = time.monotonic()
            while self._sent and self._sent[0][0] <= now - self.window:
                self._used -= int(self._sent.popleft()[1])
            excess = self._used + cost - self.budget
            if excess <= 0:
                entry = [self._IN_FLIGHT, float(cost)]
                self._sent.append(entry)
                self._used += cost
                return entry, 0.0
            for answered, count in self._sent:  # when enough of the window's requests will have left it
                if answered == self._IN_FLIGHT:
                    return None, 0.05  # still in flight: look again shortly
                excess -= int(count)
                if excess <= 0:
                    return None, max(answered + self.window - now, 0.001)
            return None, 0.05

    async def acquire(self, cost: int = 1) -> list[float]:
        """Wait until ``cost`` requests fit in the window; pass the result to :meth:`answered`."""
        cost = min(cost, self.budget)  # a larger batch than the budget would never go: it counts as the budget
        while True:
            entry, wait = self._try(cost)
            if entry is not None:
                return entry
            await asyncio.sleep(wait)

    def answered(self, entry: list[float]) -> None:
        with self._lock:
            entry[0] = time.monotonic()


def request_cost(request: httpx.Request, body: bytes) -> int:
    """How many requests Intune counts for ``request``: a ``$batch`` counts the requests it carries."""
    if request.method == "POST" and request.url.path.rstrip("/").endswith("/$batch"):
        try:
            return max(1, len(json.loads(body)["requests"]))
        except (ValueError, KeyError, TypeError):
            return 1
    return 1


# ---------------------------------------------------------------------------------------------------


def ssl_context(ca_path: str | None) -> ssl.SSLContext | bool:
    return ssl.create_default_context(cafile=ca_path) if ca_path else True


@contextlib.asynccontextmanager
async def graph_client(credential: TokenCredential, where: Endpoints, settings: Config,
                       observer: Callable[[httpx.Request], None] | None = None, pacer: Pacer | None = None
                       ) -> AsyncIterator[GraphServiceClient]:
    """A GraphServiceClient for Graph beta at ``where``, for one event loop; its connections close on exit.

    httpx ignores ``AsyncClient(verify=...)`` when a transport is given, so TLS trust is set on the
    transport under the choke point; the whole-answer timeout and size limit are the choke point's, and
    httpx's own (per read) timeout stays as a second line."""
    wire = httpx.AsyncHTTPTransport(verify=ssl_context(where.ca_path))
    transport = ReadOnlyTransport(wire, where.graph_url, observer, pacer, timeout=float(settings.timeout_seconds),
                                  max_bytes=settings.max_response_mb * 2 ** 20)
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(float(settings.timeout_seconds)),
                                 follow_redirects=False) as http:
        yield _sdk_client(http, credential, where)


def _sdk_client(http: httpx.AsyncClient, credential: TokenCredential, where: Endpoints) -> GraphServiceClient:
    # The collector retries (by a time budget per resource) and never follows a redirect: both SDK handlers off.
    options = {RetryHandlerOption.get_key(): RetryHandlerOption(max_retries=0, should_retry=False),
               RedirectHandlerOption.get_key(): RedirectHandlerOption(should_redirect=False)}
    http = GraphClientFactory.create_with_default_middleware(api_version=APIVersion.beta, client=http,
                                                             options=options)
    # Explicit scopes (the default would be derived from the request host, wrong for an emulator), and the
    # token is only ever attached for the Graph host.
    auth = AzureIdentityAuthenticationProvider(_OffTheLoop(credential), scopes=[where.scope],
                                               allowed_hosts=[where.graph_host])
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = where.base_url
    return GraphServiceClient(request_adapter=adapter)


class _OffTheLoop:
    """``credential`` for the SDK's auth provider, which awaits what ``get_token`` returns: the synchronous
    credential runs in a worker thread, so that a sign-in mid-run (a renewal, waiting up to timeout_seconds
    for the authority) never holds the event loop, and with it the whole-answer timeout of every request in
    flight. The repr names nothing of the credential but its own (--showlocals)."""

    def __init__(self, credential: TokenCredential) -> None:
        self._credential = credential

    def __repr__(self) -> str:
        return repr(self._credential)

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return asyncio.to_thread(self._credential.get_token, *scopes, **kwargs)
