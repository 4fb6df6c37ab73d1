"""Fault injection, the read-only guard (405 + write_attempts), auth failures on Graph, and latency."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from emutools import assert_graph_error, request_token, tenant_doc

from tunnelcheck.emulator import Emulator, Fault, nested_json

CONFIGS = "/deviceManagement/deviceConfigurations"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (429, "TooManyRequests"),
        (503, "ServiceUnavailable"),
        (504, "GatewayTimeout"),
        (403, "Forbidden"),
        (404, "ResourceNotFound"),
        (401, "InvalidAuthenticationToken"),
    ],
)
def test_status_faults_answer_in_graph_error_shape_once(
    emu: Emulator, graph: httpx.Client, status: int, code: str
) -> None:
    fault = Fault(r"deviceConfigurations$", status=status)
    emu.faults.append(fault)
    response = graph.get(CONFIGS)
    assert_graph_error(response, status, code)
    assert response.headers.get("Retry-After") == ("1" if status == 429 else None)
    assert graph.get(CONFIGS).status_code == 200
    assert fault.fired == 1 and [r.fault for r in emu.requests[-2:]] == [str(status), None]


def test_retry_after_times_and_method(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"/groups$", status=503, retry_after="2", times=2, method="GET"))
    first, second, third = (graph.get("/groups") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.headers["Retry-After"] == "2"
    emu.faults.append(Fault(r"/groups$", status=503, method="POST"))
    assert graph.get("/groups").status_code == 200


def test_unlimited_fault(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"managedDevices", status=403, times=None))
    assert {graph.get("/deviceManagement/managedDevices").status_code for _ in range(4)} == {403}


def test_only_matching_paths_fail(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"deviceConfigurations$", status=429))
    assert graph.get(f"{CONFIGS}/and-1/assignments").status_code == 200
    assert graph.get(CONFIGS).status_code == 429


def test_drop_closes_the_connection_mid_response(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"deviceConfigurations$", drop=True))
    with pytest.raises(httpx.RemoteProtocolError):
        graph.get(CONFIGS)
    assert graph.get(CONFIGS).status_code == 200  # a new connection works
    assert [r.fault for r in emu.requests[-2:]] == ["drop", None]


def test_inner_drop_drops_the_batch(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"/groups$", drop=True, inside_batch=True))
    with pytest.raises(httpx.RemoteProtocolError):
        graph.post("/$batch", json={"requests": [{"id": "1", "method": "GET", "url": "/groups"}]})


def test_raw_body_fault_gives_invalid_json(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"deviceConfigurations$", body='{"value": [{"id": "and-1"'))
    response = graph.get(CONFIGS)
    assert response.status_code == 200 and response.text == '{"value": [{"id": "and-1"'
    with pytest.raises(ValueError):
        response.json()


def test_faults_on_the_token_endpoint_use_entra_errors(emu: Emulator, http: httpx.Client) -> None:
    emu.faults.append(Fault(r"/oauth2/v2\.0/token$", status=503, retry_after="1"))
    response = request_token(http, emu, client_secret=emu.client_secret)
    assert response.status_code == 503 and response.json()["error"] == "temporarily_unavailable"
    assert response.headers["Retry-After"] == "1"
    assert request_token(http, emu, client_secret=emu.client_secret).status_code == 200


@pytest.mark.provokes_writes
@pytest.mark.parametrize("method", ["PATCH", "DELETE", "PUT", "POST"])
def test_writes_are_405_and_logged_without_their_body(
    emu: Emulator, graph: httpx.Client, method: str
) -> None:
    response = graph.request(method, f"{CONFIGS}/and-1", json={"displayName": "changed"})
    assert_graph_error(response, 405, "MethodNotAllowed")
    assert [(w.method, w.path, w.status) for w in emu.write_attempts] == [
        (method, "/beta/deviceManagement/deviceConfigurations/and-1", 405)
    ]
    assert "changed" not in repr(emu.requests)
    assert graph.get(f"{CONFIGS}/and-1").json()["displayName"] == "Tunnel and-1"


@pytest.mark.provokes_writes
def test_writes_are_refused_even_without_a_token(emu: Emulator, http: httpx.Client) -> None:
    assert http.delete(f"/beta{CONFIGS}/and-1").status_code == 405
    assert len(emu.write_attempts) == 1


def test_graph_needs_a_token(emu: Emulator, http: httpx.Client) -> None:
    response = http.get(f"/beta{CONFIGS}")
    assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def _get_with(emu: Emulator, token: str) -> httpx.Response:
    with httpx.Client(verify=emu.ssl_context()) as client:
        return client.get(f"{emu.url}/beta{CONFIGS}", headers={"Authorization": f"Bearer {token}"})


def test_expired_forged_and_foreign_tokens_are_401(emu: Emulator, state_dir: Any) -> None:
    assert_graph_error(_get_with(emu, emu.access_token(lifetime=-60)), 401, "InvalidAuthenticationToken")
    assert_graph_error(_get_with(emu, "not.a.token"), 401)
    header, _, signature = emu.access_token().split(".")
    assert_graph_error(_get_with(emu, f"{header}.eyJyb2xlcyI6W119.{signature}"), 401)
    with Emulator(tenant_doc(), state_dir=state_dir) as other:
        assert_graph_error(_get_with(emu, other.access_token()), 401)
    assert _get_with(emu, emu.access_token()).status_code == 200


def test_short_token_lifetime_expires(state_dir: Any) -> None:
    with Emulator(tenant_doc(), state_dir=state_dir, token_lifetime=1) as emu:
        token = emu.access_token()
        assert _get_with(emu, token).status_code == 200
        time.sleep(1.2)
        assert _get_with(emu, token).status_code == 401


def test_missing_permission_is_403(emu: Emulator) -> None:
    token = emu.access_token(roles=["GroupMember.Read.All"])
    error = assert_graph_error(_get_with(emu, token), 403, "Forbidden")
    assert "DeviceManagementConfiguration.Read.All" in error["message"]


def test_latency(state_dir: Any) -> None:
    with Emulator(tenant_doc(), state_dir=state_dir, latency_ms=150) as emu:
        start = time.perf_counter()
        _get_with(emu, emu.access_token())
        assert time.perf_counter() - start >= 0.15


def test_every_second_request_is_throttled(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"^/beta/", status=429, times=None, every=2))
    emu.faults.append(Fault(r"^/beta/", status=429, times=None, every=2, inside_batch=True))
    assert [graph.get("/groups").status_code for _ in range(6)] == [200, 429] * 3
    batch = {"requests": [{"id": str(i), "method": "GET", "url": "/groups"} for i in range(4)]}
    answers = graph.post("/$batch", json=batch)  # the 7th top-level request: answered
    assert answers.status_code == 200
    assert [a["status"] for a in answers.json()["responses"]] == [200, 429, 200, 429]
    assert [a["headers"]["Retry-After"] for a in answers.json()["responses"] if a["status"] == 429] == ["1", "1"]
    assert emu.faults[0].seen == 7 and emu.faults[0].fired == 3


@pytest.mark.parametrize(("template", "location"), [
    ("{other}{path}", "https://localhost:{port}/beta/groups?$top=5"),
    ("{http}{path}", "http://127.0.0.1:{port}/beta/groups?$top=5"),
    ("{url}{path}", "https://127.0.0.1:{port}/beta/groups?$top=5"),
], ids=["other-origin", "https-to-http", "loop"])
def test_redirect_faults(emu: Emulator, graph: httpx.Client, template: str, location: str) -> None:
    emu.faults.append(Fault(r"/groups$", redirect=template, times=None))
    response = graph.get("/groups?$top=5")  # httpx does not follow redirects unless asked
    assert response.status_code == 302
    assert response.headers["Location"] == location.format(port=emu.port)
    assert emu.requests[-1].fault == "redirect"


def test_endless_pages_have_a_new_next_link_each_time(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"/groups$", endless_pages=2, times=None))
    links, ids = set(), []
    page = graph.get("/groups").json()
    for _ in range(5):
        ids += [item["id"] for item in page["value"]]
        links.add(page["@odata.nextLink"])
        assert page["@odata.nextLink"].startswith(f"{emu.graph_url}/beta/groups?$skiptoken=endless-")
        page = graph.get(page["@odata.nextLink"]).json()
    assert len(links) == 5 and len(ids) == len(set(ids)) == 10


def test_nested_json_body(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"/groups$", body=nested_json(5000)))
    text = graph.get("/groups").text
    assert text.startswith('{"value": [[[') and text.count("[") == text.count("]") == 5000


def test_drip_sends_the_usual_answer_a_byte_at_a_time(emu: Emulator, graph: httpx.Client) -> None:
    emu.faults.append(Fault(r"/groups$", drip=0.2))
    started = time.monotonic()
    with graph.stream("GET", "/groups") as response:
        assert response.status_code == 200 and int(response.headers["Content-Length"]) > 100
        first = b""
        for chunk in response.iter_raw():
            first += chunk
            if len(first) >= 3:
                break
    assert time.monotonic() - started >= 0.5  # three bytes, 0.2 s apart (a lower bound: sleeps are not shorter)
    assert first.startswith(b"{")
    assert emu.requests[-1].fault == "drip" and emu.requests[-1].status == 200


def test_hang_never_answers(emu: Emulator, http: httpx.Client) -> None:
    emu.faults.append(Fault(r"/oauth2/v2\.0/token$", hang=True, times=None))
    data = {"grant_type": "client_credentials", "client_id": emu.client_id, "client_secret": emu.client_secret}
    with pytest.raises(httpx.ReadTimeout):
        http.post(f"/{emu.tenant_id}/oauth2/v2.0/token", data=data, timeout=0.5)
    assert [(r.status, r.fault) for r in emu.requests] == [(0, "hang")]
