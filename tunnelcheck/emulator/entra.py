"""The slice of Entra ID (the v2.0 endpoints) that azure-identity/MSAL use for app-only tokens.

Each tenant the emulator serves has these endpoints, under its id or its domain. With
``disable_instance_discovery=True`` MSAL GETs ``/{tenant}/v2.0/.well-known/openid-configuration``
then POSTs the token endpoint it names (docs/graph.md#azure-identity-authority-and-discovery).
Errors mimic Entra's AADSTS answers, because azure-identity surfaces ``error_description`` to the user
and tunnelcheck's messages build on it.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from .replies import Context, Reply, json_reply
from .tokens import GRAPH_AUDIENCES, InvalidToken, TokenService

if TYPE_CHECKING:
    from .tenants import EmulatedTenant

__all__ = ["EntraError", "EntraService", "entra_error"]

_JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_OIDC_SCOPES = {"openid", "profile", "offline_access"}
_ERRORS = {  # status → OAuth error for injected faults on Entra paths
    400: "invalid_request",
    401: "invalid_client",
    403: "access_denied",
    404: "invalid_tenant",
    429: "temporarily_unavailable",
    500: "server_error",
    503: "temporarily_unavailable",
    504: "temporarily_unavailable",
}


class EntraError(Exception):
    """An OAuth error answer, raised by the checks of a token request."""

    def __init__(self, status: int, error: str, aadsts: int, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.aadsts, self.description = status, error, aadsts, description

    def reply(self, ctx: Context) -> Reply:
        return entra_error(ctx, self.status, self.error, self.aadsts, self.description)


def entra_error(
    ctx: Context,
    status: int,
    error: str | None = None,
    aadsts: int = 90033,
    description: str = "A transient error has occurred. Please try again.",
) -> Reply:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    text = (
        f"AADSTS{aadsts}: {description}\r\nTrace ID: {ctx.request_id}\r\n"
        f"Correlation ID: {ctx.client_request_id}\r\nTimestamp: {now}"
    )
    body = {
        "error": error or _ERRORS.get(status, "server_error"),
        "error_description": text,
        "error_codes": [aadsts],
        "timestamp": now,
        "trace_id": ctx.request_id,
        "correlation_id": ctx.client_request_id,
        "error_uri": f"https://login.microsoftonline.com/error?code={aadsts}",
    }
    return Reply(status, body, {"Content-Type": "application/json; charset=utf-8"})


class EntraService:
    """The tenants' Entra: discovery and the token endpoint of each tenant (by its id or domain, which
    ``find_tenant`` looks up), for the app registrations consented in it. Every app registration signs in
    with the emulator's one demo secret, client certificate or federated credential."""

    def __init__(
        self,
        base_url: str,
        find_tenant: Callable[[str], EmulatedTenant | None],
        client_secret: str,
        client_certificate: x509.Certificate,
        tokens: TokenService,
    ) -> None:
        self.base_url = base_url
        self._find_tenant = find_tenant
        self._client_secret = client_secret
        key = client_certificate.public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        self._certificate_key = key
        self.tokens = tokens

    def is_entra_path(self, segments: list[str]) -> bool:
        return len(segments) >= 2 and segments[0] != "beta" and segments[1] in ("v2.0", "oauth2", "discovery")

    def token_endpoint(self, tenant: str) -> str:
        return f"{self.base_url}/{tenant}/oauth2/v2.0/token"

    def get(self, ctx: Context, segments: list[str]) -> Reply | None:
        """Discovery documents; ``None`` when the path is not one of them."""
        name = segments[0]
        if segments[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            tenant = self._find_tenant(name)
            if tenant is None:
                return _tenant_not_found(name).reply(ctx)
            return json_reply(self._openid_configuration(name, tenant))
        if segments[1:] == ["discovery", "v2.0", "keys"]:
            return json_reply(self.tokens.jwks())
        return None

    def _openid_configuration(self, name: str, tenant: EmulatedTenant) -> dict[str, Any]:
        """As Entra answers it: the endpoints under the name the client used, the issuer under the id."""
        base = f"{self.base_url}/{name}"
        return {
            "token_endpoint": self.token_endpoint(name),
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": self.tokens.issuer(tenant.tenant_id),
            "request_uri_parameter_supported": False,
            "tenant_region_scope": "EU",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "tid", "roles"],
        }

    def token(self, ctx: Context, name: str, form: Mapping[str, str]) -> Reply:
        """The client-credentials grant of the tenant ``name`` (its id or domain), with a secret or a client
        assertion (certificate or federated). The token is the tenant's: its id in ``tid``."""
        try:
            tenant, client_id, audience = self._check_token_request(name, form)
            self._authenticate(name, client_id, form)
            xms_cc = _client_capabilities(form.get("claims"))
        except EntraError as exc:
            return exc.reply(ctx)
        token = self.tokens.issue(tenant.tenant_id, client_id, audience, xms_cc=xms_cc)
        body = {
            "token_type": "Bearer",
            "expires_in": token.expires_in,
            "ext_expires_in": token.expires_in,
            "access_token": token.token,
        }
        reply = json_reply(body)
        reply.headers.update({"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})
        return reply

    def _check_token_request(self, name: str, form: Mapping[str, str]) -> tuple[EmulatedTenant, str, str]:
        """Everything but the credential; returns the tenant, the app, and the Graph audience the scope names."""
        tenant = self._find_tenant(name)
        if tenant is None:
            raise _tenant_not_found(name)
        if form.get("grant_type") != "client_credentials":
            raise EntraError(
                400,
                "unsupported_grant_type",
                70003,
                "The app requested an unsupported grant type "
                f"'{form.get('grant_type')}'. The emulator supports client_credentials only.",
            )
        client_id = form.get("client_id")
        if client_id is None or client_id not in tenant.client_ids:  # unknown, or not consented in this tenant
            raise EntraError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier "
                f"'{client_id}' was not found in the directory '{tenant.tenant_id}'.",
            )
        return tenant, client_id, _graph_audience(form.get("scope", ""))

    def _authenticate(self, name: str, client_id: str, form: Mapping[str, str]) -> None:
        secret, assertion = form.get("client_secret"), form.get("client_assertion")
        if secret is not None:
            if not hmac.compare_digest(secret.encode(), self._client_secret.encode()):
                raise EntraError(
                    401,
                    "invalid_client",
                    7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is "
                    "the client secret value, not the client secret ID, for a secret added to app "
                    f"'{client_id}'.",
                )
        elif assertion is not None:
            if form.get("client_assertion_type") != _JWT_BEARER:
                raise EntraError(
                    400, "invalid_request", 700003, f"client_assertion_type must be '{_JWT_BEARER}'."
                )
            try:
                self.tokens.check_client_assertion(
                    assertion, client_id, self.token_endpoint(name), self._certificate_key
                )
            except InvalidToken as exc:
                raise EntraError(401, "invalid_client", 700027, f"Client assertion failed: {exc}.") from None
        else:
            raise EntraError(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following "
                "parameter: 'client_assertion' or 'client_secret'.",
            )


def _tenant_not_found(name: str) -> EntraError:
    return EntraError(
        400,
        "invalid_tenant",
        90002,
        f"Tenant '{name}' not found. Check to make sure you have the correct tenant ID.",
    )


def _graph_audience(scope: str) -> str:
    """The resource of a ``<resource>/.default`` scope naming Microsoft Graph, as Entra requires for the
    client-credentials grant. A scope derived from the emulator's own host (the SDK does that when no scopes
    are given, docs/graph.md#authentication-provider) is refused as Entra would refuse it."""
    scopes = [s for s in scope.split() if s not in _OIDC_SCOPES]
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        raise EntraError(
            400,
            "invalid_scope",
            1002012,
            f"The provided value for scope {scope} is not valid. "
            "Client credential flows must have a scope value with /.default suffixed to the "
            "resource identifier (application ID URI).",
        )
    resource = scopes[0].removesuffix("/.default")
    if resource not in GRAPH_AUDIENCES:
        raise EntraError(
            400,
            "invalid_resource",
            500011,
            f"The resource principal named {resource} was not "
            "found in the tenant. The emulator serves Microsoft Graph only: request "
            "scopes=['https://graph.microsoft.com/.default'].",
        )
    return resource


def _client_capabilities(claims: str | None) -> list[str]:
    """``xms_cc`` values from a CAE ``claims`` request (azure-identity sends CP1); [] when absent."""
    if not claims:
        return []
    try:
        doc = json.loads(claims)
    except ValueError:
        raise EntraError(400, "invalid_request", 90014, "The claims parameter is not valid JSON.") from None
    values = doc.get("access_token", {}).get("xms_cc", {}).get("values", []) if isinstance(doc, dict) else []
    return [str(v) for v in values] if isinstance(values, list) else []
