"""The real msgraph-sdk against the emulator, built the way docs/graph.md#the-python-sdk-and-azure-identity says tunnelcheck builds it."""

from __future__ import annotations

import asyncio
import sys
import types
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from azure.identity import ClientSecretCredential
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_core import GraphClientFactory

from tunnelcheck.emulator import Emulator, Fault

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@pytest.fixture
def client(emu: Emulator) -> Iterator[GraphServiceClient]:
    credential = ClientSecretCredential(
        emu.tenant_id,
        emu.client_id,
        emu.client_secret,
        authority=emu.authority,
        disable_instance_discovery=True,
        connection_verify=emu.ca_path,
    )
    auth = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_SCOPE])
    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(verify=emu.ssl_context())
    )
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = emu.graph_url + "/beta"
    yield GraphServiceClient(request_adapter=adapter)
    credential.close()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def _list_configurations(client: GraphServiceClient) -> list[Any]:
    page = await client.device_management.device_configurations.get()
    items = list(page.value)
    while page.odata_next_link:
        page = await client.device_management.device_configurations.with_url(page.odata_next_link).get()
        items += page.value
    return items


def test_sdk_lists_device_configurations_across_pages(emu: Emulator, client: GraphServiceClient) -> None:
    items = run(_list_configurations(client))
    assert [i.id for i in items] == ["and-1", "and-2", "ios-1", "ios-2", "win-1"]
    # v1 SDK models keep beta-only VPN fields in additional_data (docs/graph.md#beta-only)
    assert items[0].additional_data["connectionType"] == "microsoftTunnel"
    graph = [r for r in emu.requests if r.path.startswith("/beta/")]
    assert [r.status for r in graph] == [200, 200]


def test_sdk_retries_a_429_honouring_retry_after(emu: Emulator, client: GraphServiceClient) -> None:
    emu.faults.append(Fault(r"deviceConfigurations$", status=429, retry_after="1"))
    assert len(run(_list_configurations(client))) == 5
    graph = [r for r in emu.requests if r.path.startswith("/beta/")]
    assert [(r.status, r.retry_attempt) for r in graph[:2]] == [(429, None), (200, "1")]


def test_sdk_raises_odata_error_with_the_request_id(emu: Emulator, client: GraphServiceClient) -> None:
    emu.faults.append(Fault(r"deviceConfigurations$", status=403))
    with pytest.raises(ODataError) as caught:
        run(client.device_management.device_configurations.get())
    error = caught.value
    assert error.response_status_code == 403 and error.error.code == "Forbidden"
    assert error.error.inner_error.request_id == next(r for r in emu.requests if r.status == 403).request_id


def test_sdk_batch(emu: Emulator, client: GraphServiceClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # msgraph-core 1.5.2 imports the package "deprecated" in its batch modules without declaring it; when it is
    # not installed, a stand-in decorator lets this test check the emulator against the SDK's batch wire format
    try:
        import deprecated  # noqa: F401
    except ImportError:
        stand_in = types.ModuleType("deprecated")
        stand_in.deprecated = lambda *args, **kwargs: lambda target: target  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "deprecated", stand_in)
    from msgraph_core.requests.batch_request_content import BatchRequestContent
    from msgraph_core.requests.batch_request_item import BatchRequestItem

    async def batch() -> dict[str, int]:
        items = {
            "configs": BatchRequestItem(
                client.device_management.device_configurations.to_get_request_information(), id="configs"
            ),
            "groups": BatchRequestItem(client.groups.to_get_request_information(), id="groups"),
        }
        response = await client.batch.post(BatchRequestContent(items))
        return response.get_response_status_codes()

    assert run(batch()) == {"configs": 200, "groups": 200}
    inner = [r for r in emu.requests if r.batch_of]
    assert sorted(r.path for r in inner) == ["/beta/deviceManagement/deviceConfigurations", "/beta/groups"]
