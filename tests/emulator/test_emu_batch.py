"""JSON batching as docs/graph.md#batching describes it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from emutools import assert_graph_error

from tunnelcheck.emulator import Emulator, Fault

CONFIGS = "/deviceManagement/deviceConfigurations"


def _get(ident: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"id": ident, "method": "GET", "url": url, **extra}


def _batch(graph: httpx.Client, requests: list[dict[str, Any]]) -> httpx.Response:
    return graph.post("/$batch", json={"requests": requests})


def _by_id(response: httpx.Response) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {r["id"]: r for r in response.json()["responses"]}


def test_batch_answers_each_request_and_is_200_even_when_some_fail(
    emu: Emulator, graph: httpx.Client
) -> None:
    response = _batch(graph, [_get("1", CONFIGS), _get("2", f"{CONFIGS}/nope"), _get("3", "groups?$top=1")])
    out = _by_id(response)
    assert [v["id"] for v in out["1"]["body"]["value"]] == ["and-1", "and-2", "ios-1"]
    assert out["1"]["body"]["@odata.nextLink"].startswith(emu.url + "/beta/")
    assert out["2"]["status"] == 404 and out["2"]["body"]["error"]["code"] == "ResourceNotFound"
    assert out["3"]["status"] == 200 and len(out["3"]["body"]["value"]) == 1
    assert out["1"]["headers"]["Content-Type"].startswith("application/json")
    inner = [r for r in emu.requests if r.batch_of is not None]
    outer = emu.requests[-1]
    assert outer.path == "/beta/$batch" and outer.status == 200
    assert [(r.batch_request_id, r.path, r.status) for r in inner] == [
        ("1", "/beta/deviceManagement/deviceConfigurations", 200),
        ("2", "/beta/deviceManagement/deviceConfigurations/nope", 404),
        ("3", "/beta/groups", 200),
    ]
    assert {r.batch_of for r in inner} == {outer.request_id}
    assert emu.write_attempts == []


def test_twenty_requests_is_the_limit(graph: httpx.Client) -> None:
    assert len(_by_id(_batch(graph, [_get(str(i), "groups") for i in range(20)]))) == 20
    assert_graph_error(_batch(graph, [_get(str(i), "groups") for i in range(21)]), 400, "BadRequest")


def test_duplicate_ids_fail_the_whole_batch(emu: Emulator, graph: httpx.Client) -> None:
    assert_graph_error(_batch(graph, [_get("1", "groups"), _get("1", CONFIGS)]), 400)
    assert not [r for r in emu.requests if r.batch_of is not None]


def test_malformed_batches_are_400(graph: httpx.Client) -> None:
    assert_graph_error(graph.post("/$batch", content=b"{not json"), 400)
    assert_graph_error(graph.post("/$batch", json={"requests": []}), 400)
    assert_graph_error(_batch(graph, [{"id": "1", "method": "GET"}]), 400)
    assert_graph_error(_batch(graph, [_get("1", "groups", dependsOn=["9"])]), 400)


def test_failed_dependency_is_424(graph: httpx.Client) -> None:
    out = _by_id(
        _batch(
            graph,
            [
                _get("1", f"{CONFIGS}/nope"),
                _get("2", "groups", dependsOn=["1"]),
                _get("3", "groups"),
                _get("4", CONFIGS, dependsOn=["3"]),
                _get("5", "groups", dependsOn=["2"]),
            ],
        )
    )
    assert {k: v["status"] for k, v in out.items()} == {"1": 404, "2": 424, "3": 200, "4": 200, "5": 424}
    assert out["2"]["body"]["error"]["code"] == "FailedDependency"


def test_inner_429_carries_retry_after(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"/groups$", status=429, retry_after="7", inside_batch=True))
    out = _by_id(_batch(graph, [_get("1", "groups"), _get("2", CONFIGS), _get("3", "/groups")]))
    assert out["1"]["status"] == 429 and out["1"]["headers"]["Retry-After"] == "7"
    assert out["1"]["body"]["error"]["code"] == "TooManyRequests"
    assert out["2"]["status"] == 200 and out["3"]["status"] == 200  # times=1
    assert [r.fault for r in emu.requests if r.batch_of] == ["429", None, None]


def test_inner_fault_with_a_garbage_body(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"deviceConfigurations$", body='{"value": [', inside_batch=True))
    out = _by_id(_batch(graph, [_get("1", CONFIGS)]))
    assert out["1"]["status"] == 200 and out["1"]["body"] == '{"value": ['


def test_top_level_faults_do_not_touch_inner_requests(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"/groups$", status=503))
    assert _by_id(_batch(graph, [_get("1", "groups")]))["1"]["status"] == 200
    assert graph.get("/groups").status_code == 503


@pytest.mark.provokes_writes
def test_inner_writes_are_405_and_logged(emu: Emulator, graph: httpx.Client) -> None:
    out = _by_id(
        _batch(
            graph,
            [
                {
                    "id": "1",
                    "method": "PATCH",
                    "url": f"{CONFIGS}/and-1",
                    "body": {"displayName": "x"},
                    "headers": {"Content-Type": "application/json"},
                },
                {"id": "2", "method": "DELETE", "url": f"{CONFIGS}/and-1"},
                _get("3", "https://graph.microsoft.com/beta/groups"),
            ],
        )
    )
    assert out["1"]["status"] == 405 and out["2"]["status"] == 405
    assert out["3"]["status"] == 400  # urls are relative
    assert [(w.method, w.batch_request_id) for w in emu.write_attempts] == [("PATCH", "1"), ("DELETE", "2")]


def test_batch_needs_a_token(emu: Emulator, http: httpx.Client) -> None:
    response = http.post("/beta/$batch", json={"requests": [_get("1", "groups")]})
    assert_graph_error(response, 401, "InvalidAuthenticationToken")


def test_inner_permissions_are_checked(emu: Emulator) -> None:
    token = emu.access_token(roles=["DeviceManagementConfiguration.Read.All"])
    with httpx.Client(
        base_url=emu.url + "/beta", verify=emu.ssl_context(), headers={"Authorization": f"Bearer {token}"}
    ) as graph:
        out = _by_id(_batch(graph, [_get("1", CONFIGS), _get("2", "groups")]))
    assert out["1"]["status"] == 200
    assert out["2"]["status"] == 403 and out["2"]["body"]["error"]["code"] == "Authorization_RequestDenied"


def test_batch_is_beta_only(emu: Emulator, graph: httpx.Client) -> None:
    response = graph.post(f"{emu.url}/v1.0/$batch", json={"requests": [_get("1", "groups")]})
    assert_graph_error(response, 400)
