"""One emulator serving several tenants at once (tunnelcheck/emulator/tenants.py): each signs in by its id or
its domain, its tokens carry its id, and Graph answers from the tenant the token was issued for, so a token
for one tenant never reads another's; and ``tunnelcheck emulate`` with several snapshots or a folder."""

from __future__ import annotations

import asyncio
import io
import json
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure.identity import CertificateCredential, ClientSecretCredential
from emulated import printed_instructions
from emutools import GRAPH_SCOPE, TENANT, assert_graph_error, claims_of, tenant_doc
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_core import GraphClientFactory

from tunnelcheck.cli.emulate import main, serve_forever
from tunnelcheck.emulator import Emulator, TenantSpec
from tunnelcheck.emulator.tenants import MAX_TENANTS, default_domain
from tunnelcheck.emulator.tokens import b64url
from tunnelcheck.sources import snapshot

OTHER = "7e57e57e-0000-4000-8000-000000000002"
OWN_APP = "0f0f0f0f-1111-4222-8333-444455556666"  # registered in the other tenant only
CONFIGS = "/deviceManagement/deviceConfigurations"


def other_doc() -> dict[str, Any]:
    """A second tenant: its own id, groups and profiles (none of the first tenant's ids)."""
    doc = tenant_doc()
    doc["tenant_id"] = OTHER
    resources = doc["resources"]
    resources["groups"] = [{"id": "g-other", "displayName": "Other tenant's group"}]
    resources[CONFIGS[1:]] = [c | {"id": f"other-{c['id']}"} for c in resources[CONFIGS[1:]][:2]]
    return doc


@pytest.fixture
def two(state_dir: Path) -> Iterator[Emulator]:
    first = TenantSpec(tenant_doc(), domain="first.onmicrosoft.com")
    second = TenantSpec(other_doc(), domain="second.example.com", client_ids=(OWN_APP,))
    with Emulator([first, second], page_size=50, state_dir=state_dir) as emulator:
        yield emulator


@pytest.fixture
def http(two: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=two.url, verify=two.ssl_context()) as client:
        yield client


def _token(http: httpx.Client, tenant: str, client_id: str, **form: str) -> httpx.Response:
    data = {"grant_type": "client_credentials", "client_id": client_id, "scope": GRAPH_SCOPE,
            "client_secret": "emulator-secret", **form}
    return http.post(f"/{tenant}/oauth2/v2.0/token", data=data)


def _graph(http: httpx.Client, token: str, path: str) -> httpx.Response:
    return http.get(f"/beta{path}", headers={"Authorization": f"Bearer {token}"})


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["value"]]


def test_each_tenant_signs_in_by_its_id_or_its_domain(two: Emulator, http: httpx.Client) -> None:
    assert [(t.tenant_id, t.domain) for t in two.tenants] == [(TENANT, "first.onmicrosoft.com"),
                                                               (OTHER, "second.example.com")]
    apps = {TENANT: two.client_id, OTHER: OWN_APP}
    for tenant in two.tenants:
        for name in (tenant.tenant_id, tenant.domain, tenant.domain.upper()):
            config = http.get(f"/{name}/v2.0/.well-known/openid-configuration").json()
            assert config["issuer"] == f"{two.authority}/{tenant.tenant_id}/v2.0"
            assert config["token_endpoint"] == f"{two.authority}/{name}/oauth2/v2.0/token"
            response = _token(http, name, apps[tenant.tenant_id])
            assert response.status_code == 200, response.text
            claims = claims_of(response.json()["access_token"])
            assert (claims["tid"], claims["iss"], claims["appid"]) == (
                tenant.tenant_id, config["issuer"], apps[tenant.tenant_id])
    assert two.tenant("SECOND.example.com") is two.tenants[1] and two.tenant() is two.tenants[0]
    unknown = http.get("/third.onmicrosoft.com/v2.0/.well-known/openid-configuration")
    assert unknown.status_code == 400 and unknown.json()["error_description"].startswith("AADSTS90002")
    with pytest.raises(KeyError, match="third"):
        two.tenant("third.onmicrosoft.com")


def test_graph_answers_from_the_tenant_the_token_is_for(two: Emulator, http: httpx.Client) -> None:
    first = _token(http, TENANT, two.client_id).json()["access_token"]
    second = _token(http, "second.example.com", OWN_APP).json()["access_token"]
    assert _ids(_graph(http, first, "/groups")) == ["g-1", "g-2"]
    assert _ids(_graph(http, second, "/groups")) == ["g-other"]
    assert _ids(_graph(http, first, CONFIGS)) == ["and-1", "and-2", "ios-1", "ios-2", "win-1"]
    assert _ids(_graph(http, second, CONFIGS)) == ["other-and-1", "other-and-2"]
    # A token for one tenant cannot read the other's objects, even by their ids.
    assert_graph_error(_graph(http, first, "/groups/g-other"), 404)
    assert_graph_error(_graph(http, second, "/groups/g-1"), 404)
    assert_graph_error(_graph(http, second, f"{CONFIGS}/and-1/assignments"), 404)
    assert _graph(http, second, "/groups/g-other").json()["displayName"] == "Other tenant's group"
    # Nor inside a $batch.
    batch = http.post("/beta/$batch", headers={"Authorization": f"Bearer {second}"},
                      json={"requests": [{"id": "1", "method": "GET", "url": "/groups"},
                                         {"id": "2", "method": "GET", "url": "/groups/g-1"}]})
    answers = {r["id"]: r for r in batch.json()["responses"]}
    assert [g["id"] for g in answers["1"]["body"]["value"]] == ["g-other"] and answers["2"]["status"] == 404


def test_a_token_edited_to_name_the_other_tenant_is_refused(two: Emulator, http: httpx.Client) -> None:
    header, payload, signature = two.access_token(tenant=TENANT).split(".")
    claims = claims_of(f"{header}.{payload}.{signature}")
    for edit in ({"tid": OTHER}, {"tid": OTHER, "iss": f"{two.authority}/{OTHER}/v2.0"}):
        body = b64url(json.dumps(claims | edit).encode())
        assert_graph_error(_graph(http, f"{header}.{body}.{signature}", "/groups"), 401,
                           "InvalidAuthenticationToken")
    assert _ids(_graph(http, two.access_token(tenant="second.example.com"), "/groups")) == ["g-other"]


def test_an_app_signs_in_only_where_it_is_consented(two: Emulator, http: httpx.Client) -> None:
    for tenant, app in ((TENANT, OWN_APP), ("second.example.com", two.client_id)):
        refused = _token(http, tenant, app)
        assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client"
        assert "AADSTS700016" in refused.json()["error_description"]
        assert two.tenant(tenant).tenant_id in refused.json()["error_description"]


def test_throttling_counts_per_app_per_tenant(state_dir: Path) -> None:
    """Intune limits each app in each tenant: one tenant's budget spent leaves the other's."""
    with Emulator([tenant_doc(), other_doc()], throttle=(2, 60), state_dir=state_dir) as emu, \
            httpx.Client(base_url=emu.url, verify=emu.ssl_context()) as http:
        first, second = emu.access_token(tenant=TENANT), emu.access_token(tenant=OTHER)
        assert [_graph(http, first, "/groups").status_code for _ in range(3)] == [200, 200, 429]
        assert [_graph(http, second, "/groups").status_code for _ in range(2)] == [200, 200]


def _sdk(emu: Emulator, credential: Any) -> GraphServiceClient:
    auth = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_SCOPE])
    http = GraphClientFactory.create_with_default_middleware(client=httpx.AsyncClient(verify=emu.ssl_context()))
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = emu.graph_url + "/beta"
    return GraphServiceClient(request_adapter=adapter)


def test_real_sdk_and_credentials_read_each_tenant_from_one_emulator(two: Emulator) -> None:
    """msgraph-sdk with azure-identity, as tunnelcheck builds them: one tenant by its id with the client
    secret, the other by its domain with the client certificate (whose assertion names that token endpoint)."""
    where = {"authority": two.authority, "disable_instance_discovery": True, "connection_verify": two.ca_path}
    first = ClientSecretCredential(TENANT, two.client_id, two.client_secret, **where)
    second = CertificateCredential("second.example.com", OWN_APP, two.cert_path, **where)

    async def read(credential: Any) -> tuple[list[str], list[str], int | None]:
        client = _sdk(two, credential)
        configs = await client.device_management.device_configurations.get()
        groups = await client.groups.get()
        try:
            await client.groups.by_group_id("g-1").get()
            status = 200
        except ODataError as error:
            status = error.response_status_code
        return [c.id for c in configs.value], [g.id for g in groups.value], status

    try:
        assert asyncio.run(read(first)) == (["and-1", "and-2", "ios-1", "ios-2", "win-1"], ["g-1", "g-2"], 200)
        assert asyncio.run(read(second)) == (["other-and-1", "other-and-2"], ["g-other"], 404)
        assert claims_of(second.get_token(GRAPH_SCOPE).token)["tid"] == OTHER
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize(("specs", "error"), [
    ([], "no snapshot to serve"),
    ([tenant_doc(), tenant_doc()], f"snapshot 1 and snapshot 2 both serve the tenant {TENANT}"),
    ([TenantSpec(tenant_doc(), domain="x.example"), TenantSpec(other_doc(), domain="X.EXAMPLE")],
     "both serve the tenant X.EXAMPLE"),
    ([TenantSpec(tenant_doc(), domain=OTHER.upper()), other_doc()], f"both serve the tenant {OTHER}"),
    ([tenant_doc(), {"resources": {}}], "snapshot 2: the snapshot names no tenant_id"),
    ([{"tenant_id": f"t{i}", "resources": {}} for i in range(MAX_TENANTS + 1)],
     f"one emulator serves at most {MAX_TENANTS} tenants"),
])
def test_tenants_that_cannot_be_served_together_are_refused(specs: list[Any], error: str, state_dir: Path) -> None:
    with pytest.raises(ValueError) as caught:
        Emulator(specs, state_dir=state_dir)
    assert error in str(caught.value)


def test_tenant_id_argument_is_for_one_snapshot(state_dir: Path) -> None:
    with pytest.raises(ValueError, match="one snapshot"):
        Emulator([tenant_doc(), other_doc()], tenant_id="x", state_dir=state_dir)
    assert Emulator(tenant_doc(), tenant_id="x", state_dir=state_dir).tenant_id == "x"


@pytest.mark.parametrize(("name", "domain"), [
    ("contoso.json", "contoso.onmicrosoft.com"),
    ("tenants/Fabrikam.COM.json.gz", "fabrikam.com"),
    ("Acme EU (prod).json", "acme-eu-prod.onmicrosoft.com"),
    ("\x1b[31m.json", "31m.onmicrosoft.com"),
    ("...json", "tenant3.onmicrosoft.com"),
    (None, "tenant3.onmicrosoft.com"),
])
def test_default_domain_comes_from_the_file_name(name: str | None, domain: str) -> None:
    assert default_domain(name, 3) == domain


# ---------------------------------------------------------------------------------------------------
# tunnelcheck emulate with several snapshots


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    snapshot.write(path, doc)
    return path


def _serve(args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[Emulator]]:
    """``main(args)`` with a serve_forever that stops at once; returns the status and the emulator served."""
    served: list[Emulator] = []

    def fake_serve(emulator: Emulator, out: object = None) -> int:
        served.append(emulator)
        emulator.stop()
        return 0

    monkeypatch.setattr("tunnelcheck.cli.emulate.serve_forever", fake_serve)
    return main(args), served


def test_emulate_serves_a_folder_and_files_one_tenant_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "tenants"
    _write(folder / "first.json", tenant_doc())
    _write(folder / "second.example.com.json.gz", other_doc())
    (folder / "notes.txt").write_text("not a snapshot", encoding="utf-8")
    _write(folder / "archive" / "old.json", tenant_doc())  # subfolders are not read
    third = tenant_doc() | {"tenant_id": "7e57e57e-0000-4000-8000-000000000003"}
    status, served = _serve([str(folder), str(_write(tmp_path / "third.json", third)), "--port", "0",
                             "--state-dir", str(tmp_path / "state")], monkeypatch)
    assert status == 0
    (emu,) = served
    assert [(t.tenant_id, t.domain) for t in emu.tenants] == [
        (TENANT, "first.onmicrosoft.com"), (OTHER, "second.example.com"),
        (third["tenant_id"], "third.onmicrosoft.com")]


def test_instructions_list_every_tenant(tmp_path: Path, state_dir: Path) -> None:
    files = [str(_write(tmp_path / "first.json", tenant_doc())), str(_write(tmp_path / "second.json", other_doc()))]
    emu = Emulator(files, state_dir=state_dir).start()
    out, stop = io.StringIO(), threading.Event()
    stop.set()
    serve_forever(emu, out, stop)
    text = out.getvalue()
    assert text.startswith("tunnelcheck emulator: Graph beta + Entra for 2 tenants\n")
    assert f"    {TENANT}  first.onmicrosoft.com  from {files[0]}\n" in text
    assert f"    {OTHER}  second.onmicrosoft.com  from {files[1]}\n" in text
    assert "  pytest --tenant first.onmicrosoft.com --tunnelcheck-config FILE\n" in text
    assert "  pytest --tenant second.onmicrosoft.com --tunnelcheck-config FILE\n" in text
    assert "tenant_id:" not in text  # the config is the same for every tenant: --tenant picks one
    for expected in (emu.ca_path, emu.client_id, emu.client_secret, "graph_url:", "client_secret_env:"):
        assert expected in text


def _refused(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    status, served = _serve([*args, "--port", "0"], monkeypatch)
    err = capsys.readouterr().err
    assert status == 2 and not served, err
    assert err.count("\n") == 1 and err.startswith("tunnelcheck emulate: "), err
    return err


def test_emulate_refuses_bad_snapshots_and_folders_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = str(_write(tmp_path / "good.json", tenant_doc()))
    broken = tmp_path / "in\x1b[2Jvalid.json"
    broken.write_text("{not json", encoding="utf-8")
    err = _refused([good, str(broken)], capsys, monkeypatch)
    assert "in\\x1b[2Jvalid.json" in err and "\x1b" not in err
    (tmp_path / "empty").mkdir()
    assert "empty: no snapshot (*.json, *.json.gz) in the folder" in _refused([str(tmp_path / "empty")], capsys,
                                                                              monkeypatch)
    twin = str(_write(tmp_path / "twin.json", tenant_doc()))
    assert f"{twin} and {good} both serve the tenant {TENANT}" in _refused([twin, good], capsys, monkeypatch)
    monkeypatch.setattr("tunnelcheck.cli.emulate.MAX_TENANTS", 1)
    crowd = tmp_path / "crowd"
    _write(crowd / "a.json", tenant_doc())
    _write(crowd / "b.json", other_doc())
    assert "more than 1 snapshots" in _refused([str(crowd)], capsys, monkeypatch)


def test_emulate_command_serves_a_folder(tmp_path: Path) -> None:
    """``python -m tunnelcheck.emulator FOLDER`` as a user runs it: each tenant printed, each signs in by its
    domain and reads its own data."""
    _write(tmp_path / "tenants" / "first.json", tenant_doc())
    _write(tmp_path / "tenants" / "second.json", other_doc())
    server = subprocess.Popen([sys.executable, "-m", "tunnelcheck.emulator", "tenants", "--port", "0",
                               "--state-dir", "state"], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        lines = printed_instructions(server)
        text = "\n".join(lines)
        url = next(line.split()[-1] for line in lines if line.startswith("  graph_url: "))
        domains = [line.split()[2] for line in lines if line.startswith("  pytest --tenant ")]
        assert domains == ["first.onmicrosoft.com", "second.onmicrosoft.com"], text
        with httpx.Client(base_url=url, verify=ssl.create_default_context(cafile=tmp_path / "state" / "ca.pem")) as http:
            groups = []
            for domain in domains:
                token = _token(http, domain, "11111111-2222-3333-4444-555555555555").json()["access_token"]
                groups.append(_ids(_graph(http, token, "/groups")))
        assert groups == [["g-1", "g-2"], ["g-other"]]
    finally:
        server.terminate()
        server.wait(timeout=20)
