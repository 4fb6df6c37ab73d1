"""The small pieces of the live stack, without a server: the read-only rule, token claims, permission
preflight, sign-in error text, endpoints, config keys, the progress line."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os

import httpx
import pytest
import yaml
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from tunnelcheck import config
from tunnelcheck.cli.record import Progress
from tunnelcheck.errors import AuthenticationFailed, ConfigError
from tunnelcheck.model.resources import REQUIRED_PERMISSIONS, Resource
from tunnelcheck.sources.graph import auth
from tunnelcheck.sources.graph.client import ReadOnlyTransport, WriteRefused, endpoints, write_refusal
from tunnelcheck.sources.graph.collector import Stats

ORIGIN = httpx.URL("https://graph.example:8443")


def _batch(*methods: str) -> bytes:
    return json.dumps({"requests": [{"id": str(i), "method": m, "url": "/groups"} for i, m in enumerate(methods)]}
                      ).encode()


@pytest.mark.parametrize(("method", "url", "body", "refused"), [
    ("GET", "https://graph.example:8443/beta/groups", b"", None),
    ("POST", "https://graph.example:8443/beta/$batch", _batch("GET", "get"), None),
    ("POST", "https://graph.example:8443/beta/$batch", _batch("GET", "PATCH"), "a $batch holding a 'PATCH' request"),
    ("POST", "https://graph.example:8443/beta/$batch", b"not json", "a $batch whose body is not a JSON object"),
    ("POST", "https://graph.example:8443/beta/$batch", b'{"requests": {}}', "a $batch whose body is not a JSON"),
    ("POST", "https://graph.example:8443/beta/$batch", b'{"requests": [{"id": "1"}]}', "holding a None request"),
    ("POST", "https://graph.example:8443/beta/deviceManagement/reports/getReport", b"{}", "is not a read"),
    ("PATCH", "https://graph.example:8443/beta/deviceManagement/deviceConfigurations/x", b"{}", "is not a read"),
    ("DELETE", "https://graph.example:8443/beta/groups/x", b"", "DELETE /beta/groups/x is not a read"),
    ("PUT", "https://graph.example:8443/beta/groups/x", b"", "is not a read"),
    ("GET", "https://elsewhere.example:8443/beta/groups", b"", "not the configured Graph origin"),
    ("GET", "https://graph.example:9999/beta/groups", b"", "not the configured Graph origin"),
    ("GET", "http://graph.example:8443/beta/groups", b"", "not the configured Graph origin"),
], ids=["get", "batch-of-gets", "batch-with-patch", "batch-not-json", "batch-requests-not-list",
        "batch-without-method", "post-action", "patch", "delete", "put", "other-host", "other-port", "http"])
def test_write_refusal(method: str, url: str, body: bytes, refused: str | None) -> None:
    reason = write_refusal(method, httpx.URL(url), body, ORIGIN)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and refused in reason


def test_read_only_transport_never_passes_a_write_on() -> None:
    sent: list[httpx.Request] = []
    inner = httpx.MockTransport(lambda r: (sent.append(r), httpx.Response(200, json={"value": []}))[1])
    transport = ReadOnlyTransport(inner, "https://graph.example:8443")

    async def go() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.get("https://graph.example:8443/beta/groups")).status_code == 200
            with pytest.raises(WriteRefused, match="read-only: refused PATCH"):
                await client.patch("https://graph.example:8443/beta/groups/1", json={"displayName": "x"})
            with pytest.raises(WriteRefused, match="holding a 'DELETE' request"):
                await client.post("https://graph.example:8443/beta/$batch", content=_batch("GET", "DELETE"))

    asyncio.run(go())
    assert [r.method for r in sent] == ["GET"]


def _jwt(claims: dict) -> str:
    part = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJub25lIn0.{part}.c2ln"


def test_token_claims() -> None:
    assert auth.token_claims(_jwt({"roles": ["a"], "tid": "t"})) == {"roles": ["a"], "tid": "t"}
    assert auth.token_claims("opaque-token") is None
    assert auth.token_claims("a.!!!.c") is None


def test_missing_permissions_app_roles_and_broader_grants() -> None:
    everything = list(Resource)
    assert auth.missing_permissions({"roles": list(REQUIRED_PERMISSIONS)}, everything) == []
    assert auth.missing_permissions({"roles": []}, [Resource.GROUPS, Resource.MOBILE_APPS, Resource.AUDIT_EVENTS]) \
        == ["DeviceManagementApps.Read.All", "GroupMember.Read.All"]
    broader = {"roles": ["DeviceManagementConfiguration.ReadWrite.All", "Directory.Read.All"]}
    assert auth.missing_permissions(broader, [Resource.DEVICE_CONFIGURATIONS, Resource.GROUPS]) == []
    delegated = {"scp": "DeviceManagementApps.Read.All GroupMember.Read.All"}
    assert auth.missing_permissions(delegated, everything) == [
        "DeviceManagementConfiguration.Read.All", "DeviceManagementManagedDevices.Read.All"]


def test_preflight_names_every_missing_permission_in_one_line() -> None:
    token = AccessToken(_jwt({"roles": ["DeviceManagementConfiguration.Read.All"], "tid": "t"}), 0)
    with pytest.raises(AuthenticationFailed) as info:
        auth.preflight(token, list(Resource), "client-secret", "contoso.onmicrosoft.com")
    message = str(info.value)
    assert "\n" not in message
    assert message == ("client-secret sign-in to tenant contoso.onmicrosoft.com: the token lacks the Graph "
                       "application permissions DeviceManagementApps.Read.All, DeviceManagementManagedDevices"
                       ".Read.All, GroupMember.Read.All (grant them with admin consent)")
    # Only what the requested resources need counts.
    assert auth.preflight(token, [Resource.TUNNEL_SITES], "client-secret", "c")["tid"] == "t"


def test_preflight_refuses_a_token_of_another_tenant() -> None:
    token = AccessToken(_jwt({"roles": list(REQUIRED_PERMISSIONS), "tid": "11111111-1111-1111-1111-111111111111"}), 0)
    with pytest.raises(AuthenticationFailed, match="signed in to tenant 1111.*, not 2222"):
        auth.preflight(token, list(Resource), "default", "22222222-2222-2222-2222-222222222222")


def test_auth_error_is_one_line_with_the_aadsts_code() -> None:
    exc = ClientAuthenticationError(
        "Authentication failed: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in "
        "the request is the client secret value.\r\nTrace ID: abc\r\nCorrelation ID: def")
    assert auth.describe_auth_error(exc, "client-secret", "contoso") == (
        "client-secret sign-in to tenant contoso failed: AADSTS7000215: Invalid client secret provided")
    plain = ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token.\nAttempted: ...")
    assert auth.describe_auth_error(plain, "default", "c") == (
        "default sign-in to tenant c failed: DefaultAzureCredential failed to retrieve a token" + auth.DEFAULT_HINT)


def test_a_failed_default_credential_is_one_line_naming_auth_method(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real DefaultAzureCredential at Microsoft's authority, limited to its environment credential (which,
    not fully configured, fails without a request): its many lines become one, naming auth.method."""
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSAL_", "IDENTITY_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")  # nothing else may reach out
    monkeypatch.setenv("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "canary-s3cret-in-the-environment")
    settings = config.parse({})
    where = endpoints(settings)
    credential = auth.make_credential(settings, "contoso.onmicrosoft.com", where)
    assert type(credential.inner).__name__ == "DefaultAzureCredential"
    with pytest.raises(ClientAuthenticationError) as raw:
        credential.inner.get_token(where.scope)
    assert "\n" in str(raw.value), "azure-identity's own message spans lines"
    with pytest.raises(AuthenticationFailed) as info:
        auth.acquire_token(credential, where, "default", "contoso.onmicrosoft.com")
    assert str(info.value) == ("default sign-in to tenant contoso.onmicrosoft.com failed: DefaultAzureCredential "
                               "failed to retrieve a token from the included credentials" + auth.DEFAULT_HINT)
    assert "set auth.method in the config" in auth.DEFAULT_HINT and "canary" not in str(info.value)


def test_endpoints_per_cloud_and_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    china = endpoints(config.parse({"cloud": "china"}))
    assert (china.base_url, china.authority, china.scope, china.ca_path) == (
        "https://microsoftgraph.chinacloudapi.cn/beta", "https://login.chinacloudapi.cn",
        "https://microsoftgraph.chinacloudapi.cn/.default", None)
    assert china.public_authority
    dod = endpoints(config.parse({"cloud": "usgovdod"}))
    assert (dod.graph_url, dod.authority) == ("https://dod-graph.microsoft.us", "https://login.microsoftonline.us")
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    local = endpoints(config.parse({"graph_url": "https://127.0.0.1:8443/", "authority": "https://127.0.0.1:8443",
                                    "auth": {"method": "certificate", "client_id": "c", "certificate_path": "c.pem"}}))
    assert (local.base_url, local.scope, local.public_authority, local.ca_path) == (
        "https://127.0.0.1:8443/beta", "https://graph.microsoft.com/.default", False, str(ca))
    with pytest.raises(ConfigError, match="ca_bundle: CA bundle .*missing.pem is not a readable file"):
        endpoints(config.parse({"ca_bundle": str(tmp_path / "missing.pem")}))


@pytest.mark.parametrize(("data", "message"), [
    ({"auth": {"method": "client-secret", "client_id": "c", "client_secret": "s3cr3t"}},
     ("auth.client_secret: a secret must not be written in the config file: put it in an environment variable "
      "and give that variable's name as client_secret_env")),
    ({"auth": {"method": "client-secret", "client_id": "c"}},
     "auth.client_secret_env: missing (required when method is client-secret)"),
    ({"auth": {"method": "certificate", "certificate_path": "c.pem"}},
     "auth.client_id: missing (required when method is certificate)"),
    ({"auth": {"method": "password"}}, ("auth.method: expected one of default, client-secret, certificate, "
                                        "workload-identity, managed-identity, azure-cli, device-code, got 'password'")),
    ({"cloud": "germany"}, "cloud: expected one of global, usgov, usgovdod, china, got 'germany'"),
    ({"graph_url": "http://localhost:8080"}, "graph_url: expected an https:// URL, got 'http://localhost:8080'"),
    ({"concurrency": 0}, "concurrency: expected 1 or more, got 0"),
    ({"max_retries": 11}, "max_retries: expected at most 10, got 11"),
    ({"run_deadline_seconds": 0}, "run_deadline_seconds: expected 1 or more, got 0"),
    ({"max_pages": 0}, "max_pages: expected 1 or more, got 0"),
    ({"retry_budget_seconds": -1}, "retry_budget_seconds: expected 0 or more, got -1"),
    ({"max_response_mb": "1GB"}, "max_response_mb: expected an integer, got a string"),
], ids=["secret-in-file", "secret-env-missing", "cert-client-id", "method", "cloud", "http", "concurrency",
        "retries", "deadline", "pages", "budget", "response-size"])
def test_live_config_errors(data: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config.parse(data, "cfg.yaml")
    assert str(info.value) == f"cfg.yaml: {message}"
    assert "s3cr3t" not in str(info.value)


def test_missing_secret_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_SECRET", raising=False)
    settings = config.parse({"auth": {"method": "client-secret", "client_id": "c", "client_secret_env": "NO_SUCH_SECRET"}})
    with pytest.raises(AuthenticationFailed, match="client-secret: the environment variable NO_SUCH_SECRET"):
        auth.make_credential(settings, "contoso", endpoints(settings))


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    tty = _Tty()
    progress = Progress(tty)
    progress.show(Stats(requests=5, retries=1, resources_done=2, resources_total=8))
    progress.end()
    assert tty.getvalue() == "\rtunnelcheck: 2/8 resources, 5 requests, 1 retries\x1b[K\n"
    monkeypatch.setenv("CI", "true")
    quiet = _Tty()
    Progress(quiet).show(Stats())
    assert quiet.getvalue() == ""
    piped = io.StringIO()
    Progress(piped).show(Stats())
    assert piped.getvalue() == ""


@pytest.mark.parametrize(("auth_section", "kind"), [
    ({"method": "managed-identity", "client_id": "c"}, "ManagedIdentityCredential"),
    ({"method": "azure-cli"}, "AzureCliCredential"),
    ({"method": "device-code", "client_id": "c"}, "DeviceCodeCredential"),
    ({"method": "default"}, "DefaultAzureCredential"),
])
def test_each_method_builds_its_credential_without_signing_in(auth_section: dict, kind: str) -> None:
    settings = config.parse({"cloud": "usgov", "auth": auth_section})
    credential = auth.make_credential(settings, "contoso.onmicrosoft.us", endpoints(settings))
    assert isinstance(credential, auth.Credential) and type(credential.inner).__name__ == kind
    assert repr(credential) == f"<tunnelcheck credential: {auth_section['method']}>"


def test_default_method_at_a_non_microsoft_authority_asks_only_the_environment() -> None:
    """DefaultAzureCredential's managed identity, developer tools, broker and workload identity get a Microsoft
    token whatever authority says: with an emulator's authority only the environment credential is used."""
    settings = config.parse({"graph_url": "https://127.0.0.1:8443", "authority": "https://127.0.0.1:8443",
                             "auth": {"client_id": "c"}})
    assert type(auth.make_credential(settings, "contoso", endpoints(settings)).inner).__name__ == "EnvironmentCredential"
    microsoft = auth.make_credential(config.parse({}), "contoso", endpoints(config.parse({}))).inner
    assert "AzureCliCredential" in [type(c).__name__ for c in microsoft.credentials]


def test_unreadable_certificate_is_an_authentication_error(tmp_path) -> None:
    settings = config.parse({"auth": {"method": "certificate", "client_id": "c",
                                      "certificate_path": str(tmp_path / "missing.pem")}})
    with pytest.raises(AuthenticationFailed, match="^certificate: cannot set up the credential: "):
        auth.make_credential(settings, "contoso", endpoints(settings))


SECRET_AUTH = {"method": "client-secret", "client_id": "c", "client_secret_env": "TC_SECRET"}
GUARD_CASES = [
    # A Microsoft sign-in, written out or the cloud's, only ever pairs with its own cloud's Graph host.
    ({"graph_url": "https://evil.example", "authority": "https://login.microsoftonline.com"},
     ("graph_url: https://evil.example is not the Graph host of the Microsoft sign-in "
      "https://login.microsoftonline.com (https://graph.microsoft.com): its token must not be sent there "
      "(a test emulator needs authority: set to itself too)")),
    ({"graph_url": "https://evil.example"},
     ("graph_url: https://evil.example is not the Graph host of the Microsoft sign-in "
      "https://login.microsoftonline.com (https://graph.microsoft.com)")),
    ({"graph_url": "https://evil.example", "authority": "https://LOGIN.microsoftonline.com./", "auth": SECRET_AUTH},
     "graph_url: https://evil.example is not the Graph host of the Microsoft sign-in"),
    ({"graph_url": "https://evil.example", "authority": "https://login.windows.net"},
     ("graph_url: https://evil.example is not the Graph host of the Microsoft sign-in https://login.windows.net "
      "(a Microsoft Graph host)")),
    ({"graph_url": "https://graph.microsoft.com.evil.example"},
     "graph_url: https://graph.microsoft.com.evil.example is not the Graph host"),
    ({"graph_url": "https://graph.microsoft.com@evil.example"},
     "graph_url: https://graph.microsoft.com@evil.example is not the Graph host"),
    ({"graph_url": "https://graph.microsoft.us"},
     ("graph_url: https://graph.microsoft.us is not the Graph host of the Microsoft sign-in "
      "https://login.microsoftonline.com (https://graph.microsoft.com)")),
    ({"cloud": "usgov", "graph_url": "https://graph.microsoft.com"},
     ("graph_url: https://graph.microsoft.com is not the Graph host of the Microsoft sign-in "
      "https://login.microsoftonline.us (https://dod-graph.microsoft.us or https://graph.microsoft.us)")),
    ({"cloud": "china", "authority": "https://login.microsoftonline.com"},
     ("authority: https://microsoftgraph.chinacloudapi.cn is not the Graph host of the Microsoft sign-in "
      "https://login.microsoftonline.com")),
    # Any other Graph host needs a non-Microsoft authority, and a method whose token comes from it.
    ({"graph_url": "https://127.0.0.1:8443", "authority": "https://127.0.0.1:8443", "auth": {"method": "azure-cli"}},
     ("graph_url: auth.method azure-cli gets a Microsoft token whatever authority says: it must not be sent to "
      "https://127.0.0.1:8443 (an emulator needs a method that signs in at its authority: client-secret, "
      "certificate, workload-identity, device-code or default)")),
    ({"graph_url": "https://127.0.0.1:8443", "authority": "https://127.0.0.1:8443",
      "auth": {"method": "managed-identity"}}, "graph_url: auth.method managed-identity gets a Microsoft token"),
]
GUARD_ALLOWED = [
    {"cloud": "usgovdod"}, {"cloud": "usgov", "graph_url": "https://dod-graph.microsoft.us"},
    {"graph_url": "https://graph.microsoft.com:443/", "authority": "https://login.microsoftonline.com/"},
    {"cloud": "china", "graph_url": "https://microsoftgraph.chinacloudapi.cn"},
    {"graph_url": "https://127.0.0.1:8443", "authority": "https://127.0.0.1:8443", "auth": SECRET_AUTH},
    {"graph_url": "https://127.0.0.1:8443", "authority": "https://127.0.0.1:8443"},
    {"graph_url": "https://graph.microsoft.com", "authority": "https://127.0.0.1:8443", "auth": {"method": "azure-cli"}},
]


@pytest.mark.parametrize(("data", "message"), GUARD_CASES, ids=[
    "evil-with-authority-written-out", "evil-with-the-clouds-authority", "authority-case-and-trailing-dot",
    "microsoft-alias-authority", "lookalike-host", "userinfo-host", "another-clouds-graph", "usgov-with-global-graph",
    "china-with-global-sign-in", "emulator-with-azure-cli", "emulator-with-managed-identity"])
def test_the_graph_host_guard_refuses_at_config_load(tmp_path, data: dict, message: str) -> None:
    """A Graph token must only reach the Graph host of the cloud that signed it (or, for a test emulator, the
    emulator that signed it): refused with one line when the config loads, before any credential exists."""
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        config.load(path)
    assert str(info.value).startswith(f"{path}: {message}") and "\n" not in str(info.value)


@pytest.mark.parametrize("data", GUARD_ALLOWED, ids=["dod", "usgov-dod-graph", "port-and-slash", "china",
                                                     "emulator", "emulator-default", "azure-cli-to-microsoft-graph"])
def test_the_graph_host_guard_allows_each_clouds_own_pairs(data: dict) -> None:
    where = endpoints(config.parse(data))
    assert where.graph_host == (config.host_of(data["graph_url"]) if "graph_url" in data
                                else config.host_of(config.CLOUDS[data["cloud"]][0]))


def test_the_throttle_limit_sets_the_collectors_pace() -> None:
    from tunnelcheck.sources.graph.source import LiveSource

    class NoCredential:
        def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
            raise AssertionError("no sign-in in this test")

    default = LiveSource("t", config.parse({}), credential=NoCredential())  # type: ignore[arg-type]
    shared = LiveSource("t", config.parse({"throttle_limit": 300}), credential=NoCredential())  # type: ignore[arg-type]
    assert (default.pacer.budget, default.pacer.window) == (900, 20.0)
    assert shared.pacer.budget == 270
    with pytest.raises(ConfigError, match="throttle_limit: expected an integer, got a string"):
        config.parse({"throttle_limit": "lots"})


def test_the_bounds_of_a_live_collection_have_defaults_far_above_a_real_tenant() -> None:
    from tunnelcheck.sources.graph.collector import Limits

    defaults = config.parse({})
    assert (defaults.timeout_seconds, defaults.retry_budget_seconds, defaults.run_deadline_seconds) == (60, 300, 1800)
    assert (defaults.max_response_mb, defaults.max_items, defaults.max_pages) == (256, 5_000_000, 10_000)
    assert Limits.of(defaults) == Limits()  # the collector's own defaults are the config's
    assert Limits.of(config.parse({"max_pages": 7, "retry_budget_seconds": 0})).max_pages == 7


def test_the_device_code_prompt_carries_no_control_sequence(capsys: pytest.CaptureFixture[str]) -> None:
    """The authority's verification URI and user code reach the terminal neutralised (issue 11)."""
    from tunnelcheck.sources.graph import auth

    auth._device_code_prompt("https://login\x1b]8;;http://evil\x07.example/device", "AB\x1b[2JCD", None)
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "AB\\x1b[2JCD" in err
