"""The slice of Entra ID (the v2.0 endpoints) that azure-identity/MSAL use for app-only tokens.

With ``disable_instance_discovery=True`` MSAL GETs ``/{tenant}/v2.0/.well-known/openid-configuration``
then POSTs the token endpoint it names (docs/graph.md#azure-identity-authority-and-discovery). Errors mimic Entra's AADSTS answers, because
azure-identity surfaces ``error_description`` to the user and tunnelcheck's messages build on it.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from .replies import Context, Reply, json_reply
from .tokens import GRAPH_AUDIENCES, InvalidToken, TokenService

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
    """One tenant with one app registration (client id + secret + certificate + a federated credential)."""

    def __init__(
        self,
        base_url: str,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        client_certificate: x509.Certificate,
        tokens: TokenService,
    ) -> None:
        self.base_url = base_url
        self.tenant_id = tenant_id
        self.client_id = client_id
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
        tenant = segments[0]
        if segments[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            if not self._known_tenant(tenant):
                return self._tenant_not_found(tenant).reply(ctx)
            return json_reply(self._openid_configuration(tenant))
        if segments[1:] == ["discovery", "v2.0", "keys"]:
            return json_reply(self.tokens.jwks())
        return None

    def _openid_configuration(self, tenant: str) -> dict[str, Any]:
        base = f"{self.base_url}/{tenant}"
        return {
            "token_endpoint": self.token_endpoint(tenant),
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{self.base_url}/{tenant}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{self.base_url}/{self.tenant_id}/v2.0",
            "request_uri_parameter_supported": False,
            "tenant_region_scope": "EU",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "tid", "roles"],
        }

    def token(self, ctx: Context, tenant: str, form: Mapping[str, str]) -> Reply:
        """The client-credentials grant, with a secret or a client assertion (certificate or federated)."""
        try:
            audience = self._check_token_request(tenant, form)
            self._authenticate(tenant, form)
            xms_cc = _client_capabilities(form.get("claims"))
        except EntraError as exc:
            return exc.reply(ctx)
        token = self.tokens.issue(audience, xms_cc=xms_cc)
        body = {
            "token_type": "Bearer",
            "expires_in": token.expires_in,
            "ext_expires_in": token.expires_in,
            "access_token": token.token,
        }
        reply = json_reply(body)
        reply.headers.update({"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})
        return reply

    def _check_token_request(self, tenant: str, form: Mapping[str, str]) -> str:
        """Everything but the credential; returns the Graph audience the scope names."""
        if not self._known_tenant(tenant):
            raise self._tenant_not_found(tenant)
        if form.get("grant_type") != "client_credentials":
            raise EntraError(
                400,
                "unsupported_grant_type",
                70003,
                "The app requested an unsupported grant type "
                f"'{form.get('grant_type')}'. The emulator supports client_credentials only.",
            )
        if form.get("client_id") != self.client_id:
            raise EntraError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier "
                f"'{form.get('client_id')}' was not found in the directory '{self.tenant_id}'.",
            )
        return _graph_audience(form.get("scope", ""))

    def _authenticate(self, tenant: str, form: Mapping[str, str]) -> None:
        secret, assertion = form.get("client_secret"), form.get("client_assertion")
        if secret is not None:
            if not hmac.compare_digest(secret.encode(), self._client_secret.encode()):
                raise EntraError(
                    401,
                    "invalid_client",
                    7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is "
                    "the client secret value, not the client secret ID, for a secret added to app "
                    f"'{self.client_id}'.",
                )
        elif assertion is not None:
            if form.get("client_assertion_type") != _JWT_BEARER:
                raise EntraError(
                    400, "invalid_request", 700003, f"client_assertion_type must be '{_JWT_BEARER}'."
                )
            try:
                self.tokens.check_client_assertion(
                    assertion, self.token_endpoint(tenant), self._certificate_key
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

    def _known_tenant(self, tenant: str) -> bool:
        return tenant.lower() == self.tenant_id.lower()

    def _tenant_not_found(self, tenant: str) -> EntraError:
        return EntraError(
            400,
            "invalid_tenant",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID.",
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
