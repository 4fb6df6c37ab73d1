"""The Emulator: one HTTPS server (stdlib ``ThreadingHTTPServer`` + ``ssl``) that is both the Entra authority
and Graph beta for one snapshot tenant, or for several at once (emulator/tenants.py).

Why one host for both: clients configure ``authority`` and ``graph_url`` separately, so one port keeps setup
to one URL and one CA. Why the stdlib server: no dependency to install for a test fixture or a demo, and
HTTP/1.1 keep-alive with Content-Length is all msgraph-sdk (httpx) and azure-identity (requests) need.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import socket
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ..model.resources import REQUIRED_PERMISSIONS
from ..sources import snapshot as snapshot_io
from .batch import InnerRequest, run_batch
from .entra import EntraService, entra_error
from .faults import Fault, FaultSet
from .graph import GraphService
from .replies import Context, GraphError, Reply, graph_error, json_reply
from .tenants import EmulatedTenant, SnapshotSource, TenantSpec, load_tenants
from .throttle import Throttle
from .tls import create_pki
from .tokens import InvalidToken, TokenService
from .writes import Clock, WriteMode

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "DEFAULT_TENANT_ID", "Emulator", "RequestLog"]

log = logging.getLogger("tunnelcheck.emulator")

DEFAULT_TENANT_ID = "00000000-7e57-4c0d-8e3a-e1117a70b000"
DEFAULT_CLIENT_ID = "11111111-2222-3333-4444-555555555555"
DEFAULT_CLIENT_SECRET = "emulator-secret"
_READ_METHODS = frozenset({"GET", "HEAD"})
_MAX_BODY = 10 * 1024 * 1024


@dataclass(frozen=True)
class RequestLog:
    """One request as the emulator saw it. Never holds an Authorization header, a token or a body.

    The requests inside a ``$batch`` are logged (with ``batch_of``) before the batch itself, which is logged
    when its answer is known."""

    method: str
    path: str
    query: str
    status: int
    client_request_id: str
    batch_of: str | None = None  # the request-id of the $batch that carried this inner request
    request_id: str = ""
    batch_request_id: str | None = None  # the inner request's "id" within its batch
    retry_attempt: str | None = None  # the SDK retry handler's Retry-Attempt header
    fault: str | None = None  # what injected fault answered it, if any ("429", "drop", "body")
    at: float = 0.0  # time.monotonic() when the emulator took it in (after the latency), as throttling counts


class _DropConnection(Exception):
    """A fault asked to cut the connection mid-response."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("drop")
        self.reply = reply


class _Hang(Exception):
    """A fault asked never to answer."""


#: How long a ``hang`` fault holds a connection at the most (the emulator's stop ends it sooner).
_HANG_SECONDS = 600.0


class Emulator:
    """A local Graph beta + Entra emulator serving ``snapshot`` (a path, a document dict, or a Snapshot), or
    a list of them (or of :class:`TenantSpec`): one tenant each, served at once (``tenants``).

    Use as a context manager (``with Emulator(...) as emu:``) or call :meth:`start` / :meth:`stop`.
    ``faults`` is a plain list of :class:`Fault`; ``requests`` and ``write_attempts`` are the request log.
    ``tenant_id``, ``domain``, ``resources``, ``writes`` and ``token_endpoint`` are the first tenant's (the
    only one's, for one snapshot); :meth:`tenant` finds any by its id or domain. ``tenant_id`` given here
    replaces the snapshot's own, for one snapshot only.
    """

    def __init__(
        self,
        snapshot: SnapshotSource | Sequence[SnapshotSource | TenantSpec] | TenantSpec,
        page_size: int = 100,
        host: str = "127.0.0.1",
        port: int = 0,
        tenant_id: str | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        roles: Sequence[str] = REQUIRED_PERMISSIONS,
        token_lifetime: int = 3600,
        state_dir: str | Path | None = None,
        latency_ms: int = 0,
        throttle: tuple[int, float] | None = None,
        writable: bool = False,
        clock: datetime | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be 1 or more")
        specs = _specs(snapshot)
        if tenant_id is not None:
            if len(specs) != 1:
                raise ValueError("tenant_id names the tenant of one snapshot: give each of several a TenantSpec")
            specs = [dataclasses.replace(specs[0], tenant_id=tenant_id)]
        self.tenants = tuple(load_tenants(specs, client_id, DEFAULT_TENANT_ID))
        self._by_id = {t.tenant_id: t for t in self.tenants}  # the tenant a token names
        self._by_name = {name.casefold(): t for t in self.tenants for name in (t.tenant_id, t.domain)}
        self.client_id = client_id
        self.client_secret = client_secret
        self.roles = tuple(roles)
        self.page_size = page_size
        self.latency_ms = latency_ms
        #: Intune's throttling, (requests, seconds) per application per tenant (throttle.INTUNE); None: none.
        self.throttle = Throttle(*throttle) if throttle else None
        self.host = host
        self._port = port
        self._own_state_dir = state_dir is None
        self.state_dir = (
            Path(state_dir) if state_dir is not None else Path(tempfile.mkdtemp(prefix="tc-emu-"))
        )
        self._pki = create_pki(self.state_dir, host)
        self._faults = FaultSet()
        self._stopping = threading.Event()  # set by stop: ends the waits of hang and drip faults
        self.requests: list[RequestLog] = []
        self.write_attempts: list[RequestLog] = []
        self._server: _Server | None = None
        self._bound_port: int | None = None
        self._thread: threading.Thread | None = None
        self._tokens: TokenService | None = None
        self._entra: EntraService | None = None
        self._token_lifetime = token_lifetime
        #: Tests only (emulator/writes.py): writes applied to each tenant, on one clock; off by default.
        self.writable = writable
        if writable:
            shared_clock = Clock(clock or datetime.now(timezone.utc))
            for tenant in self.tenants:
                tenant.writes = WriteMode(tenant.resources, shared_clock, client_id)

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self.host, self._port), _Handler, self)
        self._server = server
        self._bound_port = server.server_address[1]
        self._tokens = TokenService(
            authority=self.authority,
            roles=self.roles,
            lifetime=self._token_lifetime,
            federation_issuer=f"{self.url}/federation",
        )
        self._entra = EntraService(
            self.url,
            self._find_tenant,
            self.client_secret,
            self._pki.client_certificate,
            self._tokens,
        )
        for tenant in self.tenants:
            tenant.graph = GraphService(tenant.resources, self.page_size, self.url)
        self._thread = threading.Thread(
            target=server.serve_forever,
            name=f"tunnelcheck-emulator:{self.port}",
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._own_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- where it is ---------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (still known after stop, for messages); RuntimeError before the first start."""
        if self._bound_port is None:
            raise RuntimeError("the emulator is not started")
        return self._bound_port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    graph_url = url
    authority = url

    @property
    def token_endpoint(self) -> str:
        return f"{self.url}/{self.tenant_id}/oauth2/v2.0/token"

    # -- the tenants ---------------------------------------------------------------------------------------
    def tenant(self, name: str | None = None) -> EmulatedTenant:
        """The tenant ``name`` (its id or domain, in any case); the first one when ``name`` is None."""
        found = self.tenants[0] if name is None else self._find_tenant(name)
        if found is None:
            raise KeyError(f"the emulator serves no tenant {name!r}")
        return found

    def _find_tenant(self, name: str) -> EmulatedTenant | None:
        return self._by_name.get(name.casefold())

    @property
    def tenant_id(self) -> str:
        return self.tenants[0].tenant_id

    @property
    def domain(self) -> str:
        return self.tenants[0].domain

    @property
    def resources(self) -> dict[str, list[Any]]:
        return self.tenants[0].resources

    @property
    def writes(self) -> WriteMode | None:
        return self.tenants[0].writes

    @property
    def ca_path(self) -> str:
        return str(self._pki.ca_path)

    @property
    def cert_path(self) -> str:
        return str(self._pki.client_cert_path)

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting only the emulator's CA (httpx deprecates ``verify=<path>``)."""
        return ssl.create_default_context(cafile=self.ca_path)

    @property
    def faults(self) -> list[Fault]:
        return self._faults.faults

    @faults.setter
    def faults(self, faults: list[Fault]) -> None:
        self._faults.faults = list(faults)

    # -- tokens for tests and demos ------------------------------------------------------------------------
    def access_token(
        self, lifetime: int | None = None, roles: Sequence[str] | None = None, tenant: str | None = None
    ) -> str:
        """A Graph access token as the token endpoint would issue it, for ``tenant`` (its id or domain; the
        first by default) and the first app consented in it; a negative ``lifetime`` gives an expired one,
        ``roles`` a token with other permissions (e.g. to test a 403)."""
        served = self.tenant(tenant)
        tokens: TokenService = self._require(self._tokens)
        return tokens.issue(served.tenant_id, served.client_ids[0], lifetime=lifetime, roles=roles).token

    def federated_token(
        self, subject: str = "system:serviceaccount:tunnelcheck:ci", lifetime: int = 3600
    ) -> str:
        """A workload identity federation token (the content of ``AZURE_FEDERATED_TOKEN_FILE``) that the
        token endpoint accepts as ``client_assertion``."""
        token: str = self._require(self._tokens).federated_token(subject, lifetime=lifetime)
        return token

    def write_federated_token_file(self, path: str | Path | None = None) -> str:
        target = Path(path) if path is not None else self.state_dir / "federated-token.jwt"
        target.write_text(self.federated_token(), encoding="ascii")
        return str(target)

    def clear_log(self) -> None:
        self.requests.clear()
        self.write_attempts.clear()

    @staticmethod
    def _require(service: Any) -> Any:
        if service is None:
            raise RuntimeError("the emulator is not started")
        return service

    # -- request handling (called on the server's threads) -------------------------------------------------
    def _handle(self, handler: _Handler) -> None:
        split = urlsplit(handler.path)
        path = _normalise(split.path)
        method = handler.command.upper()
        client_request_id = handler.headers.get("client-request-id") or str(uuid.uuid4())
        ctx = Context(str(uuid.uuid4()), client_request_id)
        body = handler.read_body()
        if self.latency_ms:  # on this connection's own thread: other connections are not held up
            time.sleep(self.latency_ms / 1000)
        arrived = time.monotonic()
        fault_name = None
        drip = None
        try:
            fault = self._faults.take(method, path)
            if fault is not None:
                fault_name = fault.kind
            if fault is not None and not fault.answers_as_usual:
                reply = self._fault_reply(ctx, fault, path, split.query)
            else:
                drip = fault.drip if fault is not None else None
                reply = self._route(ctx, method, path, split.query, handler, body)
        except _DropConnection as drop:
            fault_name = fault_name or "drop"
            self._record(method, path, split.query, drop.reply.status, ctx, handler, fault=fault_name, at=arrived)
            handler.send_reply(ctx, drop.reply, drop=True)
            return
        except _Hang:  # logged with status 0: no answer was sent
            self._record(method, path, split.query, 0, ctx, handler, fault=fault_name or "hang", at=arrived)
            self._stopping.wait(_HANG_SECONDS)
            handler.close_connection = True
            return
        except Exception:  # a bug in the emulator: answer as Graph would, keep serving, and say so in the log
            log.exception("emulator error on %s %s", method, path)
            reply = graph_error(ctx, 500, "The tunnelcheck emulator failed on this request (see its log).")
        entry = self._record(method, path, split.query, reply.status, ctx, handler, fault=fault_name, at=arrived)
        if fault_name is None and self._is_write(method, path):
            self.write_attempts.append(entry)
        handler.send_reply(ctx, reply, head=method == "HEAD", drip=drip)

    def _fault_reply(self, ctx: Context, fault: Fault, path: str, query: str = "") -> Reply:
        segments = [s for s in path.split("/") if s]
        if fault.hang:
            raise _Hang
        if fault.redirect is not None:
            other = "localhost" if self.host != "localhost" else "127.0.0.1"
            location = fault.redirect.format(url=self.url, other=f"https://{other}:{self.port}",
                                             http=self.url.replace("https://", "http://", 1),
                                             path=path + (f"?{query}" if query else ""))
            return Reply(fault.effective_status, headers={"Location": location})
        if fault.endless_pages is not None:
            page = fault.fired
            items = [{"id": f"endless-{page}-{i}"} for i in range(fault.endless_pages)]
            return json_reply({"value": items, "@odata.nextLink": f"{self.graph_url}{path}?$skiptoken=endless-"
                               f"{page}-{uuid.uuid4().hex}"}, fault.effective_status)
        if fault.expire_tokens:
            self._require(self._tokens).expire_all()
            return GraphError(401, "Access token validation failure: Lifetime validation failed, the token is "
                              "expired.", headers=self._challenge()).reply(ctx)
        entra = self._require(self._entra)
        error = entra_error(ctx, fault.effective_status) if entra.is_entra_path(segments) else None
        reply = fault.reply(ctx, error)
        if fault.drop:
            raise _DropConnection(reply)
        return reply

    def _route(
        self, ctx: Context, method: str, path: str, query: str, handler: _Handler, body: bytes
    ) -> Reply:
        segments = [s for s in path.split("/") if s]
        entra: EntraService = self._require(self._entra)
        if entra.is_entra_path(segments):
            if method == "POST" and segments[1:] == ["oauth2", "v2.0", "token"]:
                return entra.token(ctx, segments[0], dict(parse_qsl(body.decode("utf-8", "replace"))))
            reply = entra.get(ctx, segments) if method in _READ_METHODS else None
            return reply or entra_error(ctx, 404, "invalid_request", 90002, f"No Entra endpoint at {path}.")
        if self._is_write(method, path) and self.writable:
            return self._write(ctx, method, path, handler, body)
        if self._is_write(method, path):
            return graph_error(
                ctx,
                405,
                f"The tunnelcheck emulator is read-only: {method} {path} is refused "
                "(tunnelcheck must never change a tenant).",
            )
        try:
            claims, tenant = self._authenticate(handler.headers.get("Authorization"))
            if method == "POST":
                if segments[0] != "beta":
                    raise GraphError(
                        400, "The tunnelcheck emulator serves Graph beta only: POST /beta/$batch."
                    )
                return run_batch(
                    body,
                    lambda inner: self._inner(ctx, inner, claims, tenant),
                    lambda inner: self._failed_dependency(ctx, inner),
                )
            self._admit(claims)
            graph: GraphService = self._require(tenant.graph)
            return graph.get(path, dict(parse_qsl(query, keep_blank_values=True)), claims.get("roles", ()))
        except GraphError as exc:
            return exc.reply(ctx)

    def _write(self, ctx: Context, method: str, path: str, handler: _Handler, body: bytes) -> Reply:
        """Write mode (tests only): a signed-in write applied as Graph would (emulator/writes.py)."""
        try:
            claims, tenant = self._authenticate(handler.headers.get("Authorization"))
            writes: WriteMode = self._require(tenant.writes)
            return writes.apply(method, path, body, claims.get("roles", ()))
        except GraphError as exc:
            return exc.reply(ctx)

    def _is_write(self, method: str, path: str) -> bool:
        if method in _READ_METHODS:
            return False
        segments = [s for s in path.split("/") if s]
        if self._entra is not None and self._entra.is_entra_path(segments):
            return False
        return not (method == "POST" and len(segments) == 2 and segments[1] == "$batch")

    def _authenticate(self, authorization: str | None) -> tuple[dict[str, Any], EmulatedTenant]:
        """The claims of the request's access token, and the tenant it was issued for: Graph answers from
        that tenant's data alone, as the token decides the tenant in Graph."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise GraphError(401, "Access token is empty.", headers=self._challenge())
        try:
            claims = self._require(self._tokens).check_access_token(token.strip())
            tenant = self._by_id.get(claims["tid"])
            if tenant is None:
                raise InvalidToken("the token's tenant is not one this emulator serves")
        except InvalidToken as exc:
            raise GraphError(
                401, f"Access token validation failure: {exc}.", headers=self._challenge()
            ) from None
        return claims, tenant

    def _challenge(self) -> dict[str, str]:
        return {
            "WWW-Authenticate": f'Bearer realm="", authorization_uri="{self.authority}/common'
            '/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
        }

    def _admit(self, claims: Mapping[str, Any]) -> None:
        """Count one Graph request against the application's throttling budget in its tenant (Intune's
        limits are per app per tenant); 429 beyond it."""
        if self.throttle is None:
            return
        wait = self.throttle.admit(f"{claims.get('tid')}/{claims.get('appid') or claims.get('azp') or ''}")
        if wait is not None:
            raise GraphError(
                429,
                "Too many requests: this application exceeded the Intune limit of "
                f"{self.throttle.budget} requests in {self.throttle.window:g} seconds.",
                code="TooManyRequests",
                headers={"Retry-After": Throttle.retry_after(wait)},
            )

    def _inner(
        self, outer: Context, request: InnerRequest, claims: Mapping[str, Any], tenant: EmulatedTenant
    ) -> Reply:
        """One request of a batch: same faults (those marked inside_batch), permissions and read-only rule."""
        split = urlsplit(request.url)
        path = _normalise("/beta/" + split.path)
        ctx = Context(str(uuid.uuid4()), request.headers.get("client-request-id", outer.client_request_id))
        fault = self._faults.take(request.method, path, inside_batch=True)
        fault_name = fault.kind if fault is not None else None
        if fault is not None and not fault.answers_as_usual:
            reply = self._fault_reply(ctx, fault, path, split.query)
        elif split.scheme or split.netloc:
            reply = graph_error(
                ctx,
                400,
                "Batch request urls must be relative to the version, e.g. "
                "/deviceManagement/deviceConfigurations.",
            )
        elif self._is_write(request.method, path):
            reply = graph_error(
                ctx, 405, f"The tunnelcheck emulator is read-only: {request.method} is refused."
            )
        else:
            try:
                self._admit(claims)
                graph: GraphService = self._require(tenant.graph)
                reply = graph.get(
                    path, dict(parse_qsl(split.query, keep_blank_values=True)), claims.get("roles", ())
                )
            except GraphError as exc:
                reply = exc.reply(ctx)
        reply.headers.setdefault("request-id", ctx.request_id)
        reply.headers.setdefault("client-request-id", ctx.client_request_id)
        entry = RequestLog(
            request.method,
            path,
            split.query,
            reply.status,
            ctx.client_request_id,
            batch_of=outer.request_id,
            request_id=ctx.request_id,
            batch_request_id=request.id,
            retry_attempt=request.headers.get("Retry-Attempt"),
            fault=fault_name,
            at=time.monotonic(),
        )
        self.requests.append(entry)
        if fault_name is None and self._is_write(request.method, path):
            self.write_attempts.append(entry)
        return reply

    def _failed_dependency(self, outer: Context, request: InnerRequest) -> Reply:
        ctx = Context(str(uuid.uuid4()), outer.client_request_id)
        path = _normalise("/beta/" + urlsplit(request.url).path)
        self.requests.append(
            RequestLog(
                request.method,
                path,
                urlsplit(request.url).query,
                424,
                ctx.client_request_id,
                batch_of=outer.request_id,
                request_id=ctx.request_id,
                batch_request_id=request.id,
                at=time.monotonic(),
            )
        )
        return graph_error(ctx, 424, "Failed dependency: a request this one depends on did not succeed.")

    def _record(
        self,
        method: str,
        path: str,
        query: str,
        status: int,
        ctx: Context,
        handler: _Handler,
        fault: str | None,
        at: float = 0.0,
    ) -> RequestLog:
        entry = RequestLog(
            method,
            path,
            query,
            status,
            ctx.client_request_id,
            request_id=ctx.request_id,
            retry_attempt=handler.headers.get("Retry-Attempt"),
            fault=fault,
            at=at,
        )
        self.requests.append(entry)
        log.debug("%s %s -> %s", method, path, status)
        return entry


def _specs(snapshot: SnapshotSource | Sequence[SnapshotSource | TenantSpec] | TenantSpec) -> list[TenantSpec]:
    """One snapshot (or spec), or a list of them, as a list of specs."""
    if isinstance(snapshot, (str, Path, Mapping, snapshot_io.Snapshot, TenantSpec)):
        return [snapshot if isinstance(snapshot, TenantSpec) else TenantSpec(snapshot)]
    return [s if isinstance(s, TenantSpec) else TenantSpec(s) for s in snapshot]


def _normalise(path: str) -> str:
    """Collapse ``//`` (the SDK's default base URL yields ``beta//deviceManagement``) and percent-decoding."""
    return "/" + "/".join(unquote(s) for s in path.split("/") if s)


class _Server(ThreadingHTTPServer):
    """Does the TLS handshake on the connection's own thread (a slow or broken client then cannot stall
    ``accept``) and remembers open connections so that ``stop`` can close keep-alive ones."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], emulator: Emulator
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler)
        self.emulator = emulator
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(emulator._pki.server_cert_path, emulator._pki.server_key_path)
        context.set_alpn_protocols(["http/1.1"])
        self.ssl_context = context
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            request.settimeout(30)
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError) as exc:
            log.debug("TLS handshake failed from %s: %s", client_address, exc)
            return
        with self._lock:
            self._connections.add(tls)
        try:
            self.RequestHandlerClass(tls, client_address, self)  # type: ignore[arg-type]  # typeshed's Self
        except (OSError, ssl.SSLError) as exc:
            log.debug("connection from %s ended: %s", client_address, exc)
        finally:
            with self._lock:
                self._connections.discard(tls)
            _close(tls)

    def close_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            _close(connection)


def _close(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    connection.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: without this, delayed ACKs cost 40 ms
    server_version = "tunnelcheck-emulator"
    sys_version = ""
    server: _Server

    def _dispatch(self) -> None:
        self.server.emulator._handle(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(min(max(length, 0), _MAX_BODY)) if length else b""

    def send_reply(self, ctx: Context, reply: Reply, head: bool = False, drop: bool = False,
                   drip: float | None = None) -> None:
        payload = reply.payload()
        self.send_response(reply.status)
        headers = {"Content-Type": reply.content_type, **reply.headers}
        headers.setdefault("request-id", ctx.request_id)
        headers.setdefault("client-request-id", ctx.client_request_id)
        headers["Content-Length"] = str(len(payload))
        headers.setdefault("Cache-Control", "no-cache")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if drop:
            self.wfile.write(payload[: max(1, len(payload) // 2)])
            self.wfile.flush()
            self.close_connection = True
            _close(self.connection)
            return
        if drip is not None and not head:  # a byte at a time, until the client gives up or the emulator stops
            self.wfile.flush()
            for at in range(len(payload)):
                if self.server.emulator._stopping.wait(drip):
                    self.close_connection = True
                    return
                self.wfile.write(payload[at:at + 1])
                self.wfile.flush()
            return
        if not head:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the emulator keeps its own request log (without headers); stderr noise helps nobody."""
