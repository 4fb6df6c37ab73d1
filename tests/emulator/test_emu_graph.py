"""Graph beta reads over the snapshot: lists and paging, query options, entities and navigation paths."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from emutools import assert_graph_error, tenant_doc

from tunnelcheck.emulator import Emulator

CONFIGS = "/deviceManagement/deviceConfigurations"


def _all_pages(graph: httpx.Client, url: str) -> tuple[list[dict[str, Any]], int]:
    """Follow @odata.nextLink (absolute) to the end; returns the items and the number of pages."""
    body = graph.get(url).json()
    items, pages = list(body["value"]), 1
    while "@odata.nextLink" in body:
        assert body["@odata.nextLink"].startswith(graph.base_url.scheme + "://")
        body = graph.get(body["@odata.nextLink"]).json()
        items += body["value"]
        pages += 1
    return items, pages


def test_list_has_context_and_pages_at_page_size(emu: Emulator, graph: httpx.Client) -> None:
    body = graph.get(CONFIGS).json()
    assert body["@odata.context"] == f"{emu.url}/beta/$metadata#deviceManagement/deviceConfigurations"
    assert [i["id"] for i in body["value"]] == ["and-1", "and-2", "ios-1"]
    items, pages = _all_pages(graph, CONFIGS)
    assert [i["id"] for i in items] == ["and-1", "and-2", "ios-1", "ios-2", "win-1"] and pages == 2


def test_page_size_one_follows_next_links_to_the_end(state_dir: Any) -> None:
    with (
        Emulator(tenant_doc(), page_size=1, state_dir=state_dir) as emu,
        httpx.Client(
            base_url=emu.url + "/beta",
            verify=emu.ssl_context(),
            headers={"Authorization": f"Bearer {emu.access_token()}"},
        ) as graph,
    ):
        items, pages = _all_pages(graph, "/deviceManagement/managedDevices")
        assert [i["id"] for i in items] == [f"dev-{i}" for i in range(7)] and pages == 7
        assert len([r for r in emu.requests if r.path.endswith("managedDevices")]) == 7


def test_top_sets_the_page_size_up_to_the_maximum(graph: httpx.Client) -> None:
    items, pages = _all_pages(graph, "/deviceManagement/managedDevices?$top=2")
    assert len(items) == 7 and pages == 4
    assert len(graph.get("/deviceManagement/managedDevices?$top=999").json()["value"]) == 3


@pytest.mark.parametrize(
    "query", ["$top=-1", "$top=abc", "$skiptoken=garbage", "$search=foo", "$filter=a or b"]
)
def test_bad_query_options_are_400(graph: httpx.Client, query: str) -> None:
    assert_graph_error(graph.get(f"{CONFIGS}?{query}"), 400, "BadRequest")


def test_select_keeps_only_those_properties_and_id_and_type(graph: httpx.Client) -> None:
    item = graph.get(f"{CONFIGS}?$select=displayName,connectionType").json()["value"][0]
    assert item == {
        "@odata.type": "#microsoft.graph.androidDeviceOwnerVpnConfiguration",
        "id": "and-1",
        "displayName": "Tunnel and-1",
        "connectionType": "microsoftTunnel",
    }


def test_lists_omit_navigation_properties_unless_expanded(graph: httpx.Client) -> None:
    plain = graph.get(CONFIGS).json()["value"][0]
    assert "assignments" not in plain and "deviceStatusOverview" not in plain
    expanded = graph.get(f"{CONFIGS}?$expand=assignments,deviceStatusOverview").json()["value"][0]
    assert expanded["assignments"][0]["target"]["groupId"] == "g-1"
    assert expanded["deviceStatusOverview"]["successCount"] == 3
    site = graph.get("/deviceManagement/microsoftTunnelSites?$expand=*").json()["value"][0]
    assert [s["id"] for s in site["microsoftTunnelServers"]] == ["srv-1", "srv-2"]
    assert site["microsoftTunnelConfiguration"]["listenPort"] == 443  # resolved, not the bare {id}
    assert_graph_error(graph.get(f"{CONFIGS}?$expand=nope"), 400)


def test_expand_with_nested_options_and_select(graph: httpx.Client) -> None:
    item = graph.get(f"{CONFIGS}?$select=id&$expand=assignments($select=id)").json()["value"][0]
    assert set(item) == {"@odata.type", "id", "assignments"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"{CONFIGS}?$filter=isof('microsoft.graph.iosVpnConfiguration')", ["ios-1", "ios-2"]),  # subtype too
        (f"{CONFIGS}?$filter=isof('microsoft.graph.androidWorkProfileVpnConfiguration')", ["and-2"]),
        (f"{CONFIGS}?$filter=startswith(displayName,'tunnel a')", ["and-1", "and-2"]),
        (f"{CONFIGS}?$filter=connectionType eq 'microsoftProtect'", ["and-2", "ios-1"]),
        (
            f"{CONFIGS}?$filter=connectionType eq 'microsoftProtect' and isof('microsoft.graph.iosVpnConfiguration')",
            ["ios-1"],
        ),
        ("/deviceManagement/auditEvents?$filter=activityDateTime ge 2026-01-01T00:00:00Z", ["ae-2", "ae-3"]),
        ("/deviceManagement/auditEvents?$filter=category eq 'DeviceConfiguration'", ["ae-1", "ae-2"]),
        (
            "/deviceManagement/auditEvents?$filter=activityDateTime ge 2026-01-01T00:00:00Z and category eq 'Application'",
            ["ae-3"],
        ),
        ("/deviceManagement/managedDevices?$orderby=deviceName desc&$top=2", ["dev-6", "dev-5"]),
    ],
)
def test_filter_and_orderby(graph: httpx.Client, path: str, expected: list[str]) -> None:
    assert [i["id"] for i in graph.get(path).json()["value"]] == expected


def test_filter_applies_across_pages_and_count(graph: httpx.Client) -> None:
    items, _ = _all_pages(graph, f"{CONFIGS}?$filter=startswith(displayName,'Tunnel')&$count=true")
    assert len(items) == 4
    assert graph.get(f"{CONFIGS}?$count=true").json()["@odata.count"] == 5


def test_entity_by_id_and_unknown_id(emu: Emulator, graph: httpx.Client) -> None:
    body = graph.get(f"{CONFIGS}/ios-1").json()
    assert body["id"] == "ios-1" and "assignments" not in body
    assert body["@odata.context"].endswith("deviceConfigurations/$entity")
    assert graph.get(f"{CONFIGS}/ios-1?$expand=assignments").json()["assignments"][0]["id"] == "ios-1_g-1"
    assert_graph_error(graph.get(f"{CONFIGS}/nope"), 404, "ResourceNotFound")


@pytest.mark.parametrize(
    ("path", "ids"),
    [
        (f"{CONFIGS}/and-1/assignments", ["and-1_g-1"]),
        ("/deviceAppManagement/mobileApps/app-mde/assignments", ["a1"]),
        ("/deviceAppManagement/mobileApps/app-ios/assignments", []),
        ("/deviceManagement/microsoftTunnelSites/site-1/microsoftTunnelServers", ["srv-1", "srv-2"]),
        ("/deviceManagement/detectedApps/da-1/managedDevices", ["dev-1", "dev-2"]),
    ],
)
def test_navigation_collections(graph: httpx.Client, path: str, ids: list[str]) -> None:
    assert [i["id"] for i in graph.get(path).json()["value"]] == ids


def test_navigation_entities(graph: httpx.Client) -> None:
    overview = graph.get(f"{CONFIGS}/and-1/deviceStatusOverview").json()
    assert overview["successCount"] == 3
    config = graph.get("/deviceManagement/microsoftTunnelSites/site-1/microsoftTunnelConfiguration").json()
    assert config["displayName"] == "EU config"
    server = graph.get("/deviceManagement/microsoftTunnelSites/site-1/microsoftTunnelServers/srv-2").json()
    assert server["displayName"] == "tunnel-02"
    assert_graph_error(graph.get(f"{CONFIGS}/and-1/noSuchNavigation"), 400)
    assert_graph_error(
        graph.get("/deviceManagement/microsoftTunnelSites/site-1/microsoftTunnelServers/x"), 404
    )


def test_cast_segment_filters_by_type(graph: httpx.Client) -> None:
    body = graph.get("/deviceAppManagement/mobileApps/microsoft.graph.iosStoreApp").json()
    assert [i["id"] for i in body["value"]] == ["app-ios"]


def test_resource_absent_from_the_snapshot_is_404(state_dir: Any) -> None:
    doc = tenant_doc()
    del doc["resources"]["deviceManagement/microsoftTunnelSites"]
    with Emulator(doc, state_dir=state_dir) as emu, httpx.Client(verify=emu.ssl_context()) as client:
        response = client.get(
            f"{emu.url}/beta/deviceManagement/microsoftTunnelSites",
            headers={"Authorization": f"Bearer {emu.access_token()}"},
        )
        assert_graph_error(response, 404, "ResourceNotFound")


def test_unknown_segments_and_versions_are_400(graph: httpx.Client, emu: Emulator) -> None:
    assert_graph_error(graph.get("/deviceManagement/noSuchThing"), 400)
    assert_graph_error(graph.get(f"{emu.url}/v1.0/deviceManagement/deviceConfigurations"), 400)


def test_double_slashes_are_normalised(emu: Emulator, graph: httpx.Client) -> None:
    assert graph.get(f"{emu.url}/beta//deviceManagement//deviceConfigurations").status_code == 200
    assert emu.requests[-1].path == "/beta/deviceManagement/deviceConfigurations"


def test_request_and_client_request_ids(emu: Emulator, graph: httpx.Client) -> None:
    response = graph.get("/groups", headers={"client-request-id": "abc-123"})
    assert response.headers["client-request-id"] == "abc-123" and response.headers["request-id"]
    entry = emu.requests[-1]
    assert (entry.method, entry.path, entry.status, entry.client_request_id) == (
        "GET",
        "/beta/groups",
        200,
        "abc-123",
    )
    assert entry.request_id == response.headers["request-id"]
    generated = graph.get("/groups")
    assert generated.headers["client-request-id"]


def test_demo_snapshot_is_served(state_dir: Any) -> None:
    from importlib.resources import files

    path = str(files("tunnelcheck.demo") / "contoso.json")
    with Emulator(path, state_dir=state_dir) as emu, httpx.Client(verify=emu.ssl_context()) as client:
        assert emu.tenant_id != "" and emu.tenant_id in emu.token_endpoint
        response = client.get(
            f"{emu.url}/beta/deviceManagement/deviceConfigurations",
            headers={"Authorization": f"Bearer {emu.access_token()}"},
        )
        assert response.status_code == 200 and response.json()["value"]
