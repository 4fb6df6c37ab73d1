"""JSON batching (docs/graph.md#batching): up to 20 requests, unique ids, relative
urls, ``dependsOn`` (a failed dependency → 424), and an outer 200 even when inner requests fail."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .replies import GraphError, Reply, json_reply

__all__ = ["MAX_REQUESTS", "InnerRequest", "run_batch"]

MAX_REQUESTS = 20


@dataclass(frozen=True)
class InnerRequest:
    id: str
    method: str
    url: str
    headers: dict[str, str]


Dispatch = Callable[[InnerRequest], Reply]


def run_batch(body: bytes, dispatch: Dispatch, failed_dependency: Callable[[InnerRequest], Reply]) -> Reply:
    """Validate the whole batch first (a bad batch fails as one 400), then answer each request in order."""
    requests, depends_on = _parse(body)
    statuses: dict[str, int] = {}
    responses = []
    for request in requests:
        if any(not 200 <= statuses[dep] < 300 for dep in depends_on[request.id]):
            reply = failed_dependency(request)
        else:
            reply = dispatch(request)
        statuses[request.id] = reply.status
        responses.append(_inner_response(request.id, reply))
    return json_reply({"responses": responses})


def _parse(body: bytes) -> tuple[list[InnerRequest], dict[str, list[str]]]:
    try:
        doc = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise GraphError(400, "Invalid batch payload: the body is not valid JSON.") from None
    items = doc.get("requests") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise GraphError(400, "Invalid batch payload: expected a non-empty 'requests' array.")
    if len(items) > MAX_REQUESTS:
        raise GraphError(
            400,
            f"Invalid batch payload: the number of requests ({len(items)}) exceeds the limit "
            f"of {MAX_REQUESTS}.",
        )
    requests: list[InnerRequest] = []
    depends_on: dict[str, list[str]] = {}
    for item in items:
        request, deps = _parse_one(item)
        if request.id in depends_on:
            raise GraphError(400, f"Invalid batch payload: the request id '{request.id}' is not unique.")
        unknown = [d for d in deps if d not in depends_on]
        if unknown:
            raise GraphError(
                400,
                f"Invalid batch payload: request '{request.id}' depends on '{unknown[0]}', "
                "which is not an earlier request of the batch.",
            )
        requests.append(request)
        depends_on[request.id] = deps
    return requests, depends_on


def _parse_one(item: Any) -> tuple[InnerRequest, list[str]]:
    if not isinstance(item, dict):
        raise GraphError(400, "Invalid batch payload: each request must be a JSON object.")
    missing = [k for k in ("id", "method", "url") if not isinstance(item.get(k), str) or not item.get(k)]
    if missing:
        raise GraphError(400, f"Invalid batch payload: a request lacks '{missing[0]}'.")
    headers = item.get("headers") or {}
    deps = item.get("dependsOn") or []
    if (
        not isinstance(headers, dict)
        or not isinstance(deps, list)
        or not all(isinstance(d, str) for d in deps)
    ):
        raise GraphError(
            400, f"Invalid batch payload: request '{item['id']}' has malformed headers or dependsOn."
        )
    request = InnerRequest(
        item["id"], item["method"].upper(), item["url"], {str(k): str(v) for k, v in headers.items()}
    )
    return request, deps


def _inner_response(request_id: str, reply: Reply) -> dict[str, Any]:
    body: Any = reply.body
    if reply.raw is not None:
        body = reply.raw.decode("utf-8", errors="replace")
    headers = {
        "Content-Type": reply.content_type,
        **{k: v for k, v in reply.headers.items() if k != "Content-Type"},
    }
    return {"id": request_id, "status": reply.status, "headers": headers, "body": body}
