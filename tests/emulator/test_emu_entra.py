"""The Entra side: discovery, the client-credentials grant with each credential kind, and the real
azure-identity credentials against it (docs/graph.md#the-python-sdk-and-azure-identity)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest
from azure.identity import CertificateCredential, ClientSecretCredential, WorkloadIdentityCredential
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from emutools import GRAPH_SCOPE, claims_of, request_token

from tunnelcheck.emulator import Emulator
from tunnelcheck.emulator.tokens import b64url, sign


def test_openid_configuration_names_the_token_endpoint(emu: Emulator, http: httpx.Client) -> None:
    doc = http.get(f"/{emu.tenant_id}/v2.0/.well-known/openid-configuration").json()
    assert doc["token_endpoint"] == f"{emu.authority}/{emu.tenant_id}/oauth2/v2.0/token" == emu.token_endpoint
    assert doc["authorization_endpoint"].startswith(emu.authority)
    assert doc["issuer"] == f"{emu.authority}/{emu.tenant_id}/v2.0"
    keys = http.get(doc["jwks_uri"].removeprefix(emu.url)).json()["keys"]
    assert keys[0]["kty"] == "RSA"


def test_unknown_tenant_is_refused(http: httpx.Client) -> None:
    response = http.get("/contoso-typo/v2.0/.well-known/openid-configuration")
    assert response.status_code == 400
    assert response.json()["error_description"].startswith("AADSTS90002")


def test_client_secret_grants_a_graph_token_with_the_configured_roles(
    emu: Emulator, http: httpx.Client
) -> None:
    response = request_token(http, emu, client_secret=emu.client_secret)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    claims = claims_of(body["access_token"])
    assert claims["aud"] == "https://graph.microsoft.com"
    assert claims["tid"] == emu.tenant_id and claims["appid"] == emu.client_id
    assert sorted(claims["roles"]) == sorted(emu.roles)
    assert abs(claims["exp"] - (time.time() + 3600)) < 60


def test_wrong_secret_is_invalid_client(emu: Emulator, http: httpx.Client) -> None:
    response = request_token(http, emu, client_secret="not-the-secret")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.json()["error_description"].startswith("AADSTS7000215: Invalid client secret provided")


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_id": "00000000-0000-0000-0000-00000000beef"}, 400, "unauthorized_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        (
            {"scope": "https://graph.microsoft.com/DeviceManagementConfiguration.Read.All"},
            400,
            "invalid_scope",
        ),
        ({"scope": "https://127.0.0.1/.default"}, 400, "invalid_resource"),
        ({"claims": "{not json"}, 400, "invalid_request"),
    ],
)
def test_bad_token_requests_get_entra_errors(
    emu: Emulator, http: httpx.Client, form: dict[str, str], status: int, error: str
) -> None:
    response = request_token(http, emu, **{"client_secret": emu.client_secret, **form})
    assert response.status_code == status
    assert response.json()["error"] == error


def test_no_credential_is_invalid_client(emu: Emulator, http: httpx.Client) -> None:
    response = request_token(http, emu)
    assert response.status_code == 401
    assert "AADSTS7000218" in response.json()["error_description"]


def test_cae_claims_are_accepted_and_reflected(emu: Emulator, http: httpx.Client) -> None:
    response = request_token(
        http, emu, client_secret=emu.client_secret, claims='{"access_token":{"xms_cc":{"values":["CP1"]}}}'
    )
    assert response.status_code == 200
    assert claims_of(response.json()["access_token"])["xms_cc"] == ["CP1"]


def _certificate_assertion(
    emu: Emulator, alg: str = "RS256", audience: str | None = None, key: rsa.RSAPrivateKey | None = None
) -> str:
    if key is None:
        loaded = serialization.load_pem_private_key(Path(emu.cert_path).read_bytes(), password=None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        key = loaded
    now = int(time.time())
    claims = {
        "aud": audience or emu.token_endpoint,
        "iss": emu.client_id,
        "sub": emu.client_id,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
    }
    if alg == "RS256":
        return sign(claims, key)
    header = b64url(b'{"alg":"PS256","typ":"JWT"}')
    body = b64url(json.dumps(claims).encode())
    signature = key.sign(
        f"{header}.{body}".encode(), padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()
    )
    return f"{header}.{body}.{b64url(signature)}"


_JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.mark.parametrize("alg", ["RS256", "PS256"])
def test_certificate_assertion_is_accepted(emu: Emulator, http: httpx.Client, alg: str) -> None:
    response = request_token(
        http, emu, client_assertion=_certificate_assertion(emu, alg), client_assertion_type=_JWT_BEARER
    )
    assert response.status_code == 200, response.text


def test_assertion_signed_by_another_key_or_for_another_audience_is_refused(
    emu: Emulator, http: httpx.Client
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for assertion in (
        _certificate_assertion(emu, key=stranger),
        _certificate_assertion(emu, audience="https://login.microsoftonline.com/x/oauth2/v2.0/token"),
    ):
        response = request_token(http, emu, client_assertion=assertion, client_assertion_type=_JWT_BEARER)
        assert response.status_code == 401
        assert "AADSTS700027" in response.json()["error_description"]


def test_federated_token_is_accepted_and_an_expired_one_refused(emu: Emulator, http: httpx.Client) -> None:
    ok = request_token(http, emu, client_assertion=emu.federated_token(), client_assertion_type=_JWT_BEARER)
    assert ok.status_code == 200
    expired = emu.federated_token(lifetime=-3600)
    refused = request_token(http, emu, client_assertion=expired, client_assertion_type=_JWT_BEARER)
    assert refused.status_code == 401


def _kwargs(emu: Emulator) -> dict[str, object]:
    return {"authority": emu.authority, "disable_instance_discovery": True, "connection_verify": emu.ca_path}


def test_real_client_secret_credential(emu: Emulator) -> None:
    credential = ClientSecretCredential(emu.tenant_id, emu.client_id, emu.client_secret, **_kwargs(emu))
    token = credential.get_token(GRAPH_SCOPE, enable_cae=True)
    assert claims_of(token.token)["appid"] == emu.client_id
    assert token.expires_on > time.time() + 3000
    # MSAL asked for discovery then the token, nothing else; neither the secret nor the token is logged
    assert [(r.method, r.path.split("/", 2)[2]) for r in emu.requests] == [
        ("GET", "v2.0/.well-known/openid-configuration"),
        ("POST", "oauth2/v2.0/token"),
    ]
    assert not any(emu.client_secret in repr(r) or token.token in repr(r) for r in emu.requests)


def test_real_client_secret_credential_with_a_wrong_secret_fails(emu: Emulator) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    credential = ClientSecretCredential(emu.tenant_id, emu.client_id, "wrong", **_kwargs(emu))
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        credential.get_token(GRAPH_SCOPE)


def test_real_certificate_credential(emu: Emulator) -> None:
    credential = CertificateCredential(emu.tenant_id, emu.client_id, emu.cert_path, **_kwargs(emu))
    assert claims_of(credential.get_token(GRAPH_SCOPE).token)["tid"] == emu.tenant_id


def test_real_workload_identity_credential(emu: Emulator) -> None:
    credential = WorkloadIdentityCredential(
        tenant_id=emu.tenant_id,
        client_id=emu.client_id,
        token_file_path=emu.write_federated_token_file(),
        **_kwargs(emu),
    )
    assert claims_of(credential.get_token(GRAPH_SCOPE).token)["tid"] == emu.tenant_id


_OTHER_CREDENTIALS = (
    "managed_identity",
    "cli",
    "developer_cli",
    "powershell",
    "visual_studio_code",
    "shared_token_cache",
    "interactive_browser",
)


def _default_credential_token(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], use: str
) -> dict[str, object]:
    """DefaultAzureCredential with only ``use`` (environment or workload_identity) enabled, configured by
    ``env`` plus the emulator's authority host; returns the token's claims."""
    from azure.identity import DefaultAzureCredential

    for name in ("AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "AZURE_TENANT_ID": emu.tenant_id,
        "AZURE_CLIENT_ID": emu.client_id,
        "AZURE_AUTHORITY_HOST": emu.authority,
        **env,
    }.items():
        monkeypatch.setenv(name, value)
    other = "workload_identity" if use == "environment" else "environment"
    excluded = {f"exclude_{name}_credential": True for name in (*_OTHER_CREDENTIALS, other)}
    credential = DefaultAzureCredential(
        disable_instance_discovery=True, connection_verify=emu.ca_path, **excluded
    )
    return claims_of(credential.get_token(GRAPH_SCOPE).token)


def test_real_default_azure_credential_from_the_environment(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live default: DefaultAzureCredential's EnvironmentCredential (secret), authority from the env."""
    claims = _default_credential_token(
        emu, monkeypatch, {"AZURE_CLIENT_SECRET": emu.client_secret}, "environment"
    )
    assert claims["tid"] == emu.tenant_id


def test_real_default_azure_credential_with_workload_identity(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI's path: AZURE_FEDERATED_TOKEN_FILE; DAC gives WorkloadIdentityCredential no authority, so it comes
    from AZURE_AUTHORITY_HOST (docs/graph.md#credentials-seen-working)."""
    claims = _default_credential_token(
        emu,
        monkeypatch,
        {"AZURE_FEDERATED_TOKEN_FILE": emu.write_federated_token_file()},
        "workload_identity",
    )
    assert claims["tid"] == emu.tenant_id
