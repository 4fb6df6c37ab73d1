"""The exceptions tunnelcheck raises, as one small tree::

    TunnelcheckError                 every error of ours; str() is one line fit for a user
    ├── ConfigError                  a bad --tunnelcheck-config file or option value (file, key path)
    ├── SnapshotError                a snapshot that cannot be read or trusted (file, place in the document)
    ├── CheckDefinitionError         a check declared wrongly (duplicate id, bad metadata)
    ├── MalformedData                raw Graph JSON of the wrong shape (the place in the document)
    ├── AuthenticationFailed         --tenant: no Graph token (method, AADSTS code), or one lacking permissions
    └── DataUnavailable              a resource a check needs was not recorded, was forbidden or failed to load
        ├── PermissionDenied         ... because the app lacks a Graph permission
        ├── MalformedResource        ... because its data did not parse (carries the MalformedData)
        └── Unclassifiable           ... because an object a verdict depends on cannot be classified

Messages never carry secrets: they are built from file names, key paths, resource names and Graph's
error codes, never from request bodies or headers; and, as a last line of defence (an authority's error
text may echo what was sent), every message and text attribute goes through :func:`tunnelcheck.scrub.scrub`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .scrub import scrub

__all__ = [
    "AuthenticationFailed",
    "CheckDefinitionError",
    "ConfigError",
    "DataUnavailable",
    "MalformedData",
    "MalformedResource",
    "PermissionDenied",
    "SnapshotError",
    "TunnelcheckError",
    "Unclassifiable",
]


class TunnelcheckError(Exception):
    """Base of every tunnelcheck error; ``str()`` is a single line meant for the user, scrubbed of secrets
    (when it is made, and again when shown: a secret may be learnt in between)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*(scrub(a) if isinstance(a, str) else a for a in args))

    def __str__(self) -> str:
        return scrub(super().__str__())


class ConfigError(TunnelcheckError):
    """The configuration file or an option is invalid."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = scrub(message)
        super().__init__(f"{where}: {message}")


class SnapshotError(TunnelcheckError):
    """A snapshot file is unreadable, malformed or fails its digest."""

    def __init__(self, file: str, message: str, place: str | None = None) -> None:
        self.file = file
        self.place = place
        self.message = scrub(message)
        super().__init__(f"{file}: {place}: {message}" if place else f"{file}: {message}")


class CheckDefinitionError(TunnelcheckError):
    """A check was declared with missing or conflicting metadata."""


class AuthenticationFailed(TunnelcheckError):
    """Signing in to a live tenant failed, or the token lacks Graph permissions the run needs.
    The message names the method and Entra's AADSTS code; never the secret, assertion or token."""


class MalformedData(TunnelcheckError):
    """Raw Graph data is not of the shape Graph documents (a wrong type, a missing id)."""

    def __init__(self, place: str, message: str) -> None:
        self.place = place
        self.message = scrub(message)
        super().__init__(f"{place}: {message}")


def _again(live: bool) -> str:
    return "run again" if live else "record the snapshot again (tunnelcheck record --tenant … -o FILE)"


class DataUnavailable(TunnelcheckError):
    """Data a check needs could not be had: not recorded, forbidden, or failed to load. ``parts``: the
    failures of each resource, when this one stands for several."""

    def __init__(self, resource: str, reason: str, permission: str | None = None,
                 parts: Sequence[DataUnavailable] = ()) -> None:
        self.resource = resource
        self.reason = scrub(reason)
        self.permission = permission
        self.parts = tuple(parts)
        needs = f" (needs Graph permission {permission})" if permission else ""
        super().__init__(f"{resource}: {reason}{needs}")

    @property
    def each(self) -> tuple[DataUnavailable, ...]:
        """The failure of each resource this error stands for."""
        return self.parts or (self,)

    def how_to_get(self, live: bool) -> str:
        """What gets the data into the next run (``live``: the run reads the tenant through Graph)."""
        holds = f" with an application that holds the Graph permission {self.permission}" if self.permission else ""
        return f"{_again(live)}{holds}"


class PermissionDenied(DataUnavailable):
    """Graph answered 403 for a resource: the application permission is missing."""

    def how_to_get(self, live: bool) -> str:
        permission = self.permission or "that reads it"
        return f"grant the application the Graph permission {permission} (admin consent), then {_again(live)}"


class MalformedResource(DataUnavailable):
    """A resource whose raw data did not parse into the model."""

    def __init__(self, resource: str, error: MalformedData, permission: str | None = None) -> None:
        self.error = error
        super().__init__(resource, f"malformed data at {error}", permission)

    def how_to_get(self, live: bool) -> str:
        return (f"{_again(live)}; if {self.error.place} is malformed again, Graph returns it so: fix or remove "
                "that object in Intune")


class Unclassifiable(DataUnavailable):
    """Objects whose class a verdict depends on (a Tunnel profile? which client? the Tunnel app?) lack
    the property that decides it: never read as harmless (docs/terms.md)."""

    def __init__(self, resource: str, objects: Sequence[object]) -> None:
        self.objects = tuple(objects)
        shown = "; ".join(str(o) for o in self.objects[:3])
        more = f"; and {len(self.objects) - 3} more" if len(self.objects) > 3 else ""
        super().__init__(resource, f"cannot classify {shown}{more}")

    def how_to_get(self, live: bool) -> str:
        return f"in Intune, give each object named the property that decides what it is, then {_again(live)}"
