"""What a handler answers, independent of the transport, so the same code serves a top-level request and a
request inside a ``$batch``; and Graph's error shape (docs/graph.md#errors), which the SDK turns into ODataError."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Context", "GraphError", "Reply", "error_code_for", "graph_error", "json_reply"]

JSON_TYPE = "application/json"
ODATA_JSON_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)

#: The ``error.code`` Graph uses with each status the emulator can answer.
_CODES = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Forbidden",
    404: "ResourceNotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    424: "FailedDependency",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@dataclass(frozen=True)
class Context:
    """Identifiers of the request being answered; they go into every error body and response header."""

    request_id: str
    client_request_id: str

    @property
    def date(self) -> str:
        return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class Reply:
    """A response: status, body (JSON value, or raw bytes for injected garbage) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", ODATA_JSON_TYPE if self.raw is None else JSON_TYPE)


class GraphError(Exception):
    """Raised anywhere below a Graph handler to answer with Graph's error shape."""

    def __init__(
        self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or error_code_for(status)
        self.message = message
        self.headers = headers or {}

    def reply(self, ctx: Context) -> Reply:
        return graph_error(ctx, self.status, self.message, self.code, self.headers)


def error_code_for(status: int) -> str:
    return _CODES.get(status, "UnknownError")


def graph_error(
    ctx: Context, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None
) -> Reply:
    body = {
        "error": {
            "code": code or error_code_for(status),
            "message": message,
            "innerError": {
                "date": ctx.date,
                "request-id": ctx.request_id,
                "client-request-id": ctx.client_request_id,
            },
        }
    }
    return Reply(status, body, {"Content-Type": JSON_TYPE, **(headers or {})})


def json_reply(body: Any, status: int = 200) -> Reply:
    return Reply(status, body, {"Content-Type": JSON_TYPE})
