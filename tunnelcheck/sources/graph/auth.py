"""Credentials (azure-identity only), the permission preflight, and sign-in errors without secrets.

Every credential is a synchronous azure-identity one: the SDK's auth provider accepts both, a token is
fetched once and cached by MSAL, and sync credentials need no aiohttp session tied to one event loop
(each ``LiveSource.load`` runs its own loop).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Collection, Iterable
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import ClientAuthenticationError

from ... import scrub
from ...config import Config
from ...errors import AuthenticationFailed
from ...model.resources import PERMISSIONS, REQUIRED_PERMISSIONS, Resource
from ...untrusted import for_terminal
from .client import Endpoints

# azure-identity logs each failed sign-in as a multi-line warning; with no logging configured Python would
# print it to stderr beside our one-line error. A NullHandler keeps it for those who configure logging.
logging.getLogger("azure.identity").addHandler(logging.NullHandler())

__all__ = ["Credential", "acquire_token", "make_credential", "missing_permissions", "token_claims"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_AADSTS = re.compile(r"\bAADSTS\d+\b")


class Credential:
    """The run's azure-identity credential, wrapped.

    - Its ``repr`` names the method only: azure-identity keeps the secret, the certificate's key and the
      tokens in attributes, and a traceback with ``--showlocals`` prints the repr of every local.
    - After Graph refused a token (401: it expired early or was revoked, docs/graph.md#a-token-graph-refuses), :meth:`refuse`
      makes the next ``get_token`` ask Entra for a new one instead of handing out MSAL's cached one (a
      CAE-style ``nbf`` claims request, which bypasses the cache). Only a digest of the refused token is kept.
    - With a ``timeout``, a ``get_token`` (the sign-in, or a renewal mid-run) that has no answer within it
      fails with a ClientAuthenticationError saying so: a sign-in authority that never answers (or drips
      its answer) does not hold the run. The call goes on in a daemon thread, bounded by the transport's
      own timeouts, and its result is dropped; until it ends, every other ``get_token`` fails at once
      (each resource of the run would otherwise wait its own ``timeout`` in turn).
    """

    def __init__(self, inner: TokenCredential, method: str, timeout: float | None = None) -> None:
        self.inner = inner
        self.method = method
        self.timeout = timeout
        self._unanswered: threading.Event | None = None  # set when a sign-in that timed out ends after all
        self._one_at_a_time = threading.Lock()  # a token refused by several requests at once is renewed once
        self._refused: set[str] = set()

    def __repr__(self) -> str:
        return f"<tunnelcheck credential: {self.method}>"

    __str__ = __repr__

    def get_token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> AccessToken:
        if self.timeout is None:
            return self._get_token(*scopes, claims=claims, **kwargs)
        if self._unanswered is not None and not self._unanswered.is_set():  # no second wait for a silent authority
            raise ClientAuthenticationError(message=_silent(self.timeout))
        done = threading.Event()
        try:
            return _within(self.timeout, done, lambda: self._get_token(*scopes, claims=claims, **kwargs))
        except ClientAuthenticationError:
            if not done.is_set():
                self._unanswered = done
            raise

    def _get_token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> AccessToken:
        with self._one_at_a_time:
            return self._token(*scopes, claims=claims, **kwargs)

    def _token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> AccessToken:
        # No token is ever held in a local of this frame while another call can raise (--showlocals).
        if claims or not self._refused or _digest(self.inner.get_token(*scopes, **kwargs).token) not in self._refused:
            return _remembered(self.inner.get_token(*scopes, claims=claims, **kwargs))  # MSAL's cache answers a repeat
        fresh = json.dumps({"access_token": {"nbf": {"essential": True, "value": str(int(time.time()))}}})
        return _remembered(self.inner.get_token(*scopes, claims=fresh, **kwargs))

    def refuse(self, token: str) -> None:
        """Graph refused ``token`` (401): do not hand it out again."""
        self._refused.add(_digest(token))

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()


def _remembered(token: AccessToken) -> AccessToken:
    """``token``, which every message from now on is scrubbed of (an opaque token is no JWT to recognise)."""
    scrub.remember(token.token)
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _silent(timeout: float) -> str:
    return f"the sign-in authority did not answer within {timeout:g} s (timeout_seconds)"


def _within(timeout: float, done: threading.Event, get: Any) -> AccessToken:
    """``get()`` (a token), or ClientAuthenticationError when it has not returned within ``timeout`` s
    (``done`` is set when it returns, in time or not)."""
    box: dict[str, Any] = {}
    threading.Thread(target=_fill, args=(box, done, get), name="tunnelcheck-sign-in", daemon=True).start()
    if not done.wait(timeout):
        del box  # the thread may still put a token in it: no frame of a traceback may show it
        raise ClientAuthenticationError(message=_silent(timeout))
    if "error" in box:
        raise box.pop("error")
    token: AccessToken = box.pop("token")
    return token


def _fill(box: dict[str, Any], done: threading.Event, get: Any) -> None:
    try:
        box["token"] = get()
    except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, which raises it
        box["error"] = exc
    finally:
        done.set()


def tenant_for(settings: Config, tenant_name: str) -> str:
    return settings.auth.tenant_id or tenant_name


def make_credential(settings: Config, tenant_name: str, where: Endpoints) -> Credential:
    """The azure-identity credential of ``auth.method``, wrapped in :class:`Credential`; a missing input is an
    AuthenticationFailed naming it. From here on every log record of the process is scrubbed of secrets."""
    scrub.install()
    # Device code waits for a person to sign in (Entra bounds it): every other method is bounded by timeout_seconds.
    timeout = None if settings.auth.method == "device-code" else float(settings.timeout_seconds)
    return Credential(_azure_credential(settings, tenant_name, where), settings.auth.method, timeout)


def _azure_credential(settings: Config, tenant_name: str, where: Endpoints) -> TokenCredential:
    from azure import identity

    auth = settings.auth
    method = auth.method
    tenant = tenant_for(settings, tenant_name)
    # What every credential that talks to the authority gets: where it is, and which CAs to trust.
    # The transport's timeouts (per connect and per read; azure-core's default is 300 s each) end the thread
    # a sign-in runs in (Credential.timeout bounds the whole of it).
    common: dict[str, Any] = {"authority": where.authority, "connection_timeout": settings.timeout_seconds,
                              "read_timeout": settings.timeout_seconds}
    if not where.public_authority:
        common["disable_instance_discovery"] = True  # MSAL would ask login.microsoftonline.com about it
    if where.ca_path:
        common["connection_verify"] = where.ca_path
    try:
        if method == "client-secret":
            # The secret goes straight from the environment into the credential: no local of ours holds it
            # (a traceback with --showlocals prints the locals of every frame).
            name = auth.client_secret_env or ""
            if not os.environ.get(name, ""):
                raise AuthenticationFailed(f"client-secret: the environment variable {name} (auth.client_secret_env) "
                                           "is not set or empty")
            scrub.remember(os.environ[name])
            return identity.ClientSecretCredential(tenant, auth.client_id or "", os.environ[name], **common)
        if method == "certificate":
            return identity.CertificateCredential(tenant, auth.client_id or "", auth.certificate_path, **common)
        if method == "workload-identity":
            env = auth.token_file_env or "AZURE_FEDERATED_TOKEN_FILE"
            token_file = os.environ.get(env, "")
            client_id = auth.client_id or os.environ.get("AZURE_CLIENT_ID", "")
            if not token_file or not client_id:
                missing = env if not token_file else "auth.client_id (or AZURE_CLIENT_ID)"
                raise AuthenticationFailed(f"workload-identity: {missing} is not set")
            return identity.WorkloadIdentityCredential(tenant_id=tenant, client_id=client_id,
                                                       token_file_path=token_file, **common)
        if method == "managed-identity":
            verify: dict[str, Any] = {"connection_verify": where.ca_path} if where.ca_path else {}
            return identity.ManagedIdentityCredential(
                client_id=auth.client_id, connection_timeout=settings.timeout_seconds,
                read_timeout=settings.timeout_seconds, **verify)
        if method == "azure-cli":
            return identity.AzureCliCredential(tenant_id=tenant)
        if method == "device-code":
            client: dict[str, Any] = {"client_id": auth.client_id} if auth.client_id else {}
            return identity.DeviceCodeCredential(**client, tenant_id=tenant, prompt_callback=_device_code_prompt,
                                                 **common)
        # default: environment, workload identity (it reads AZURE_AUTHORITY_HOST, not ``authority``),
        # managed identity, Azure CLI and the other developer tools; never a browser.
        if not where.public_authority:
            # Of DefaultAzureCredential's members only the environment credential signs in at ``authority``;
            # the others (managed identity, the developer tools, the broker, workload identity, which reads
            # AZURE_AUTHORITY_HOST) would get a Microsoft token for a Graph host that may not be Microsoft's.
            return identity.EnvironmentCredential(**common)
        # Only explicit values are passed: a None would override the AZURE_CLIENT_ID/AZURE_TENANT_ID defaults.
        if auth.client_id:
            common.update(managed_identity_client_id=auth.client_id, workload_identity_client_id=auth.client_id)
        if auth.tenant_id:
            common["workload_identity_tenant_id"] = auth.tenant_id
        return identity.DefaultAzureCredential(**common)
    except (ValueError, OSError) as exc:  # a missing or unreadable certificate, a malformed tenant id...
        raise AuthenticationFailed(f"{method}: cannot set up the credential: {_one_line(str(exc))}") from None


def _device_code_prompt(verification_uri: str, user_code: str, expires_on: Any) -> None:
    # The authority's words reach a terminal: no control sequence of theirs gets through.
    print(for_terminal(f"tunnelcheck: to sign in, open {verification_uri} and enter the code {user_code}"),
          file=sys.stderr)


def acquire_token(credential: TokenCredential, where: Endpoints, method: str, tenant: str) -> AccessToken:
    """A Graph token, as the SDK will ask for it (CAE on, so both share MSAL's cache entry)."""
    try:
        return credential.get_token(where.scope, enable_cae=True)
    except ClientAuthenticationError as exc:
        raise AuthenticationFailed(describe_auth_error(exc, method, tenant)) from None


#: After a failed ``default`` sign-in (auth.method left as it is): DefaultAzureCredential tried what it found on
#: this machine, and its own words rarely say which setting would do; this names the setting and its docs.
DEFAULT_HINT = ("; set auth.method in the config to how tunnelcheck should sign in (README, \"Run against your "
                "tenant\", step 2 \"Choose how it signs in\")")


def describe_auth_error(exc: ClientAuthenticationError, method: str, tenant: str) -> str:
    """One line: the method, the tenant and Entra's AADSTS code with its first sentence (after ``default``,
    :data:`DEFAULT_HINT`). azure-identity's own message may span lines (DefaultAzureCredential lists every
    credential it tried): only the first line is kept, and nothing from the request. The authority's text may
    still echo what it was sent: it is scrubbed whole first, before a sentence is cut out of it (a secret may
    hold a dot)."""
    text = scrub.scrub(str(getattr(exc, "message", None) or exc))
    codes = _AADSTS.search(text)
    if codes:
        sentence = re.match(r"[:\s]*([^.\r\n]*)", text[codes.end():])
        detail = sentence.group(1).strip() if sentence else ""
        summary = f"{codes.group(0)}: {detail}" if detail else codes.group(0)
    else:
        summary = _one_line(text)
    if method == "default":
        summary = summary.rstrip(".") + DEFAULT_HINT
    return f"{method} sign-in to tenant {tenant} failed: {summary}"


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:300] if lines else "no detail"


def token_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT access token, unverified (only to read roles/scp/tid), or None if it is
    not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


#: Broader grants that include each least-privilege permission.
_IMPLIED_BY: dict[str, tuple[str, ...]] = {
    "GroupMember.Read.All": ("Group.Read.All", "Group.ReadWrite.All", "GroupMember.ReadWrite.All",
                             "Directory.Read.All", "Directory.ReadWrite.All"),
}


def granted(claims: dict[str, Any]) -> frozenset[str]:
    """Application ``roles`` or delegated ``scp`` of a token."""
    roles = claims.get("roles")
    if isinstance(roles, list):
        return frozenset(r for r in roles if isinstance(r, str))
    scp = claims.get("scp")
    return frozenset(scp.split()) if isinstance(scp, str) else frozenset()


def missing_permissions(claims: dict[str, Any], resources: Iterable[Resource]) -> list[str]:
    """The permissions ``resources`` need that the token does not carry (a ReadWrite grant counts), in
    the README's order."""
    have = granted(claims)
    wanted = {PERMISSIONS[r] for r in resources}
    needed = [p for p in REQUIRED_PERMISSIONS if p in wanted] + sorted(wanted - set(REQUIRED_PERMISSIONS))
    return [p for p in needed
            if p not in have and p.replace(".Read.", ".ReadWrite.") not in have
            and not have.intersection(_IMPLIED_BY.get(p, ()))]


def sign_in(credential: TokenCredential, where: Endpoints, method: str, tenant: str,
            resources: Collection[Resource]) -> dict[str, Any]:
    """Get a token and check it (:func:`check_claims`); returns its claims. No frame that can raise holds the
    token in a local: a traceback shown with ``--showlocals`` would print it."""
    return check_claims(token_claims(acquire_token(credential, where, method, tenant).token), resources, method,
                        tenant)


def preflight(token: AccessToken, resources: Collection[Resource], method: str, tenant: str) -> dict[str, Any]:
    """:func:`check_claims` of ``token``."""
    return check_claims(token_claims(token.token), resources, method, tenant)


def check_claims(claims: dict[str, Any] | None, resources: Collection[Resource], method: str, tenant: str
                 ) -> dict[str, Any]:
    """Check the token's claims before the first Graph request: one error listing every missing permission.
    Returns the claims (empty when the token is opaque: then Graph's 403s will speak per resource)."""
    if claims is None:
        return {}
    tid = claims.get("tid")
    if _UUID.match(tenant) and isinstance(tid, str) and tid.lower() != tenant.lower():
        raise AuthenticationFailed(f"{method}: signed in to tenant {tid}, not {tenant}")
    missing = missing_permissions(claims, resources)
    if missing:
        kind = "application permission" if "roles" in claims or "scp" not in claims else "delegated permission"
        raise AuthenticationFailed(
            f"{method} sign-in to tenant {tenant}: the token lacks the Graph {kind}{'s' * (len(missing) > 1)} "
            f"{', '.join(missing)} (grant {'them' if len(missing) > 1 else 'it'} with admin consent)")
    return claims
