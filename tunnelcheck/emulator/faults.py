"""Fault injection: the failures a live Graph run meets (throttling, outages, dropped connections, garbage
bodies, revoked consent) and the answers a hostile or broken server could give (a body dripped a byte at a
time, a token endpoint that never answers, redirects, JSON nested without end, nextLinks without end) on
demand, so the collector's retry, bound and error paths are tested for real."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from .replies import Context, Reply, graph_error

__all__ = ["Fault", "FaultSet", "nested_json"]

_MESSAGES = {
    401: "Access token validation failure. Invalid audience.",
    403: "Application is not authorized to perform this operation. (injected fault)",
    404: "The requested resource does not exist. (injected fault)",
    429: "Too many requests. Please retry after the time in the Retry-After header. (injected fault)",
    503: "The service is temporarily unavailable. (injected fault)",
    504: "The gateway timed out. (injected fault)",
}


@dataclass
class Fault:
    """Answer requests whose path matches ``path_regex`` (``re.search`` on the path without the query, with
    ``/beta`` for requests inside a batch too) with a failure, ``times`` times (``None``: every time).

    - ``status`` alone: an error in Graph's shape (429 also gets ``Retry-After``, "1" unless given).
    - ``body``: that raw text (e.g. truncated JSON), or those bytes (e.g. not UTF-8), with ``status``
      (default 200).
    - ``drop``: send the headers and part of the body, then close the connection (top-level requests only;
      a dropping fault inside a batch drops the whole batch response).
    - ``inside_batch``: match the requests inside a ``$batch`` instead of top-level ones.
    - ``method``: only that HTTP method (``None``: any).
    - ``expire_tokens``: the access tokens expire when it fires: every token issued until then is refused
      from this request on (401 ``InvalidAuthenticationToken``, "the token has expired"), as when a token
      runs out mid-run; a client that signs in again gets a token that works. ``status`` defaults to 401.
    - ``every``: fire on every ``every``-th matching request only (2: every second one), the others are
      answered as usual; with ``times=None`` and ``status=429``, a server that throttles half the requests.
    - ``drip``: answer as usual, but send the body one byte every ``drip`` seconds (top-level requests).
    - ``hang``: never answer: hold the connection until the client gives up or the emulator stops.
    - ``redirect``: answer ``status`` (default 302) with this ``Location``, a template of ``{url}`` (the
      emulator's origin), ``{other}`` (the same server under another host name: another origin),
      ``{http}`` (the emulator's host and port with ``http://``) and ``{path}`` (the request's path, with
      its query): ``"{url}{path}"`` redirects to the same URL, a loop.
    - ``endless_pages``: answer a page of that many items (ids ``endless-N-I``) whose ``@odata.nextLink``
      is the same path with a new, unique ``$skiptoken``: a collection that never ends.
    """

    path_regex: str
    status: int | None = None
    times: int | None = 1
    retry_after: str | None = None
    drop: bool = False
    body: str | bytes | None = None
    inside_batch: bool = False
    method: str | None = None
    expire_tokens: bool = False
    every: int = 1
    drip: float | None = None
    hang: bool = False
    redirect: str | None = None
    endless_pages: int | None = None
    fired: int = field(default=0, compare=False)
    seen: int = field(default=0, compare=False)  # matching requests, fired or not (for ``every``)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path_regex)
        if self.every < 1:
            raise ValueError("every must be 1 or more")

    @property
    def effective_status(self) -> int:
        if self.status is not None:
            return self.status
        if self.expire_tokens:
            return 401
        if self.redirect is not None:
            return 302
        return 200 if self.body is not None or self.drop or self.endless_pages is not None else 503

    @property
    def kind(self) -> str:
        """How the request log names what this fault did: "drop", "body" or the status."""
        if self.expire_tokens:
            return "expire_tokens"
        for name in ("drop", "drip", "hang", "redirect", "endless_pages"):
            if getattr(self, name) is not None and getattr(self, name) is not False:
                return name
        return "body" if self.body is not None else str(self.effective_status)

    @property
    def answers_as_usual(self) -> bool:
        """Whether the usual answer is sent (only its delivery is faulty: ``drip``)."""
        return self.drip is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def matches(self, method: str, path: str, inside_batch: bool) -> bool:
        return (
            self.inside_batch == inside_batch
            and not self.exhausted
            and (self.method is None or self.method.upper() == method.upper())
            and self._pattern.search(path) is not None
        )

    def reply(self, ctx: Context, error: Reply | None = None) -> Reply:
        """The answer for a non-dropping fault; ``error`` is the shape to use for a status-only one (Entra
        errors are not Graph's)."""
        headers = {}
        retry_after = (
            self.retry_after
            if self.retry_after is not None
            else ("1" if self.effective_status == 429 else None)
        )
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        if self.body is not None:
            return Reply(
                self.effective_status,
                raw=self.body if isinstance(self.body, bytes) else self.body.encode("utf-8"),
                headers={"Content-Type": "application/json", **headers},
            )
        if error is not None:
            error.headers.update(headers)
            return error
        status = self.effective_status
        return graph_error(ctx, status, _MESSAGES.get(status, f"Injected fault {status}."), headers=headers)


class FaultSet:
    """The emulator's fault list (a plain list users append to) plus the lock that makes taking one atomic
    across the server's threads: a ``times=1`` fault fires once even under concurrent requests."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self.faults: list[Fault] = list(faults)
        self._lock = threading.Lock()

    def take(self, method: str, path: str, inside_batch: bool = False) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path, inside_batch):
                    fault.seen += 1
                    if fault.seen % fault.every:
                        continue
                    fault.fired += 1
                    return fault
        return None


def nested_json(depth: int) -> str:
    """A JSON value nested ``depth`` levels deep (``{"value": [[[...]]]}``): a body for a ``body`` fault."""
    return '{"value": ' + "[" * depth + "]" * depth + "}"
