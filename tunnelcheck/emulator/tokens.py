"""Minimal JWT (RS256/PS256) signing and checking, and the emulator's token service.

Why not PyJWT: it would be one more dependency for about forty lines, and the emulator must check exactly
what Entra checks for the flows tunnelcheck uses (client assertion audience, issuer, expiry) and nothing
else. Access tokens are real signed JWTs so that clients which peek into them (azure-identity reads ``exp``
from the response, not the token, but users debugging do) see familiar claims: aud, tid, appid, roles.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["GRAPH_AUDIENCES", "InvalidToken", "TokenService", "b64url", "b64url_decode", "sign", "verify"]

#: Resource identifiers Entra accepts for Microsoft Graph (global and national clouds, and the app id).
GRAPH_AUDIENCES = frozenset(
    {
        "https://graph.microsoft.com",
        "https://graph.microsoft.us",
        "https://dod-graph.microsoft.us",
        "https://microsoftgraph.chinacloudapi.cn",
        "00000003-0000-0000-c000-000000000000",
    }
)
FEDERATION_AUDIENCE = "api://AzureADTokenExchange"
_CLOCK_SKEW = 300  # seconds Entra tolerates on assertion timestamps


class InvalidToken(ValueError):
    """A token or assertion that does not hold; the message says why (safe to show: no token content)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise InvalidToken("not base64url") from None


def sign(claims: dict[str, Any], key: rsa.RSAPrivateKey, headers: dict[str, Any] | None = None) -> str:
    header = {"typ": "JWT", "alg": "RS256", **(headers or {})}
    signing_input = f"{b64url(_json(header))}.{b64url(_json(claims))}"
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def verify(token: str, public_key: rsa.RSAPublicKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check the signature (RS256 or PS256) and return (header, claims). Claims are not checked here."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a compact JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError):
        raise InvalidToken("header or payload is not JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise InvalidToken("header or payload is not a JSON object")
    alg = header.get("alg")
    if alg == "RS256":
        pad: padding.AsymmetricPadding = padding.PKCS1v15()
    elif alg == "PS256":
        pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
    else:
        raise InvalidToken(f"unsupported alg {alg!r}")
    try:
        public_key.verify(
            b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii"), pad, hashes.SHA256()
        )
    except InvalidSignature:
        raise InvalidToken("signature does not verify") from None
    return header, claims


@functools.lru_cache(maxsize=1)
def _signing_key() -> rsa.RSAPrivateKey:
    """One signing key per process: RSA generation costs up to a few hundred ms, which a test suite starting
    an emulator per test would pay each time. Tokens still do not cross emulators: the issuer names the port."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int
    claims: dict[str, Any]


class TokenService:
    """Issues the emulator's access tokens and federated (workload identity) tokens, and checks them. One
    service for every tenant the emulator serves: a token names its tenant (``tid``) and that tenant's issuer,
    as Entra's do, and :meth:`check_access_token` returns the claims for the caller to find the tenant."""

    def __init__(
        self,
        *,
        authority: str,
        roles: Sequence[str],
        lifetime: int,
        federation_issuer: str,
    ) -> None:
        self.authority = authority
        self.roles = tuple(roles)
        self.lifetime = lifetime
        self.federation_issuer = federation_issuer
        self._issued: set[str] = set()  # the "uti" of every access token issued
        self._expired: frozenset[str] = frozenset()  # ... and of those expired early (Fault.expire_tokens)
        self._lock = threading.Lock()
        self._key = _signing_key()
        self.key_id = hashlib.sha256(
            b64url(self._key.public_key().public_numbers().n.to_bytes(256, "big")).encode()
        ).hexdigest()[:16]

    def issuer(self, tenant_id: str) -> str:
        """The tenant's token issuer (``{authority}/{tenant id}/v2.0``, as Entra's v2.0 endpoint names it)."""
        return f"{self.authority}/{tenant_id}/v2.0"

    def issue(
        self,
        tenant_id: str,
        client_id: str,
        audience: str = "https://graph.microsoft.com",
        lifetime: int | None = None,
        roles: Sequence[str] | None = None,
        xms_cc: Sequence[str] = (),
    ) -> AccessToken:
        """An app-only access token of ``client_id`` in ``tenant_id``. ``lifetime`` may be negative: tests use
        that for an expired token."""
        now = int(time.time())
        lifetime = self.lifetime if lifetime is None else lifetime
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": self.issuer(tenant_id),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "tid": tenant_id,
            "appid": client_id,
            "azp": client_id,
            "sub": client_id,
            "oid": client_id,
            "idtyp": "app",
            "ver": "1.0",
            "uti": uuid.uuid4().hex,
            "roles": list(self.roles if roles is None else roles),
        }
        if xms_cc:
            claims["xms_cc"] = list(xms_cc)
        with self._lock:
            self._issued.add(claims["uti"])
        return AccessToken(sign(claims, self._key, {"kid": self.key_id}), max(lifetime, 0), claims)

    def check_access_token(self, token: str) -> dict[str, Any]:
        """The claims of a valid access token this service issued; which tenant it is for (``tid``) is the
        caller's to look up."""
        _, claims = verify(token, self._key.public_key())
        now = time.time()
        tenant_id = claims.get("tid")
        if not isinstance(tenant_id, str) or claims.get("iss") != self.issuer(tenant_id):
            raise InvalidToken("the token was not issued by this emulator's authority")
        if claims.get("aud") not in GRAPH_AUDIENCES:
            raise InvalidToken("the token's audience is not Microsoft Graph")
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= now or claims.get("nbf", 0) > now + 5:
            raise InvalidToken("the token has expired or is not yet valid")
        if claims.get("uti") in self._expired:
            raise InvalidToken("Lifetime validation failed, the token is expired")
        return claims

    def expire_all(self) -> None:
        """Make every access token issued so far expire now (tokens issued later are valid)."""
        with self._lock:
            self._expired = frozenset(self._issued)

    def federated_token(self, subject: str, audience: str = FEDERATION_AUDIENCE, lifetime: int = 3600) -> str:
        """What a workload's identity provider (e.g. a Kubernetes cluster) would put in the token file."""
        now = int(time.time())
        claims = {
            "iss": self.federation_issuer,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
        }
        return sign(claims, self._key, {"kid": f"{self.key_id}-federation"})

    def check_client_assertion(
        self, assertion: str, client_id: str, token_endpoint: str, certificate_key: rsa.RSAPublicKey
    ) -> str:
        """Accept a certificate assertion (signed by the client certificate's key, aud = token endpoint) or
        a federated token minted by :meth:`federated_token`. Returns which kind it was."""
        try:
            _, claims = verify(assertion, certificate_key)
            kind = "certificate"
        except InvalidToken as cert_error:
            try:
                _, claims = verify(assertion, self._key.public_key())
            except InvalidToken:
                raise cert_error from None
            kind = "federated"
        now = time.time()
        exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat", 0))
        if not isinstance(exp, (int, float)) or exp + _CLOCK_SKEW < now:
            raise InvalidToken("the client assertion has expired")
        if isinstance(nbf, (int, float)) and nbf - _CLOCK_SKEW > now:
            raise InvalidToken("the client assertion is not yet valid")
        if kind == "certificate":
            if claims.get("iss") != client_id or claims.get("sub") != client_id:
                raise InvalidToken("the client assertion's iss and sub must be the client id")
            if claims.get("aud") != token_endpoint:
                raise InvalidToken("the client assertion's audience must be the token endpoint")
        elif claims.get("iss") != self.federation_issuer or claims.get("aud") != FEDERATION_AUDIENCE:
            raise InvalidToken(
                "the federated token's issuer or audience does not match the federated credential"
            )
        return kind

    def jwks(self) -> dict[str, Any]:
        numbers = self._key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "kid": self.key_id,
                    "alg": "RS256",
                    "n": b64url(numbers.n.to_bytes(256, "big")),
                    "e": b64url(numbers.e.to_bytes(3, "big")),
                }
            ]
        }
