"""``--redact``: user principal names, user names and device names replaced with stable salted hashes, so a
snapshot or a report can be shared (with a consultant, in a ticket) without naming people or their devices.

Applied to raw Graph objects before they are written (``tunnelcheck record --redact``) or reported (``pytest
--redact``: the checks, the evidence, the JSON/JUnit/HTML outputs and ``--record`` all see redacted objects).
No check decides on these values (they are evidence only), so verdicts on a redacted tenant equal those on
the original. Ids (device, user, group ids) are kept: waivers and evidence refer to objects by id.

The salt comes from the environment variable ``TUNNELCHECK_REDACT_SALT`` (never a file or the command line):
the same value and salt always give the same hash (HMAC-SHA256, case-insensitive), so two snapshots
redacted with one salt still compare, and without the salt a hash cannot be confirmed by guessing names.
Redacting twice changes nothing (a resumed recording redacts what it collected before, and after).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Collection, Mapping
from typing import Any

from ..errors import DataUnavailable, TunnelcheckError
from ..model.resources import Resource
from ..tenant import Source, SourceInfo

__all__ = ["PERSONAL_KEYS", "SALT_ENV", "RedactedSource", "Redactor", "from_env"]

SALT_ENV = "TUNNELCHECK_REDACT_SALT"

#: Properties (at any depth of a raw object) that name a person or a device.
PERSONAL_KEYS = frozenset({
    "userPrincipalName", "userDisplayName", "userName", "emailAddress", "userEmailAddress",
    "deviceName", "managedDeviceName", "phoneNumber", "imei", "meid", "serialNumber",
})

_HASHED = re.compile(r"^(redacted-[0-9a-f]{16}|[0-9a-f]{16}@redacted\.invalid)$")


class Redactor:
    """Replaces personal values with ``redacted-<16 hex>`` (an address-shaped value with
    ``<16 hex>@redacted.invalid``). Its repr never shows the salt."""

    def __init__(self, salt: str) -> None:
        if not salt:
            raise TunnelcheckError(f"--redact needs a salt: set the environment variable {SALT_ENV}")
        self._key = hashlib.sha256(b"tunnelcheck-redact\0" + salt.encode("utf-8")).digest()

    def __repr__(self) -> str:
        return "<tunnelcheck Redactor>"

    @property
    def fingerprint(self) -> str:
        """Identifies the salt without revealing it (a resumed recording must use the same one)."""
        return hmac.new(self._key, b"fingerprint", hashlib.sha256).hexdigest()[:16]

    def value(self, text: str) -> str:
        if _HASHED.match(text):
            return text
        digest = hmac.new(self._key, text.casefold().encode("utf-8"), hashlib.sha256).hexdigest()[:16]
        return f"{digest}@redacted.invalid" if "@" in text else f"redacted-{digest}"

    def objects(self, data: Any) -> Any:
        """A copy of ``data`` (raw Graph JSON) with every personal value replaced."""
        if isinstance(data, list):
            return [self.objects(item) for item in data]
        if isinstance(data, dict):
            return {k: self.value(v) if k in PERSONAL_KEYS and isinstance(v, str) and v else self.objects(v)
                    for k, v in data.items()}
        return data

    def resources(self, resources: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
        return {key: self.objects(items) for key, items in resources.items()}


def from_env(environ: Mapping[str, str] | None = None) -> Redactor:
    """The Redactor with the salt of ``TUNNELCHECK_REDACT_SALT``; a one-line error when it is not set."""
    salt = (os.environ if environ is None else environ).get(SALT_ENV, "")
    if not salt:
        raise TunnelcheckError(f"--redact needs a salt: set the environment variable {SALT_ENV} (the same salt "
                               "gives the same hashes, so keep it to compare redacted snapshots)")
    return Redactor(salt)


class RedactedSource:
    """A Source whose raw objects are redacted before anything parses them."""

    def __init__(self, inner: Source, redactor: Redactor) -> None:
        self.inner = inner
        self.redactor = redactor

    @property
    def info(self) -> SourceInfo:
        return self.inner.info

    def load(self, resources: Collection[Resource]) -> dict[Resource, list[Any] | DataUnavailable]:
        return {r: raw if isinstance(raw, DataUnavailable) else self.redactor.objects(raw)
                for r, raw in self.inner.load(resources).items()}

    def __getattr__(self, name: str) -> Any:  # preflight, stats... of a live source
        return getattr(self.inner, name)
