"""Times as the reports write them: UTC, ISO 8601, to the second (``2026-12-01T10:50:00Z``).

Times reach a report from many hands (a snapshot's ``recorded_at``, an earlier results file, Graph's
timestamps in evidence) and in several spellings (``+00:00``, fractions of a second, other offsets):
:func:`shown` writes each one way, and leaves anything that is not a date-time as it is.
"""

from __future__ import annotations

import datetime as dt
import re

from ..errors import MalformedData
from ..model import parse_datetime

__all__ = ["FORMAT", "age", "parse", "shown", "utc"]

FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# A date and a time of day, with an optional offset: a date alone (a waiver's expiry) is not a moment.
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|z|[+-]\d\d:\d\d)?")


def parse(value: str) -> dt.datetime | None:
    """``value`` as an aware date-time (no offset: UTC), or None when it is not an ISO 8601 date-time."""
    text = value.strip()
    if not _DATE_TIME.fullmatch(text):
        return None
    try:
        return parse_datetime(text, "time")
    except MalformedData:  # shaped like one, but no such day or hour
        return None


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime(FORMAT)


def shown(value: str) -> str:
    """``value`` in UTC ISO 8601 when it is a date-time, else unchanged."""
    moment = parse(value)
    return utc(moment) if moment is not None else value


def age(then: dt.datetime, now: dt.datetime) -> str:
    """How long before ``now`` ``then`` was, in the largest unit that keeps a number of at least 1
    (hours up to two days, so "30 hours" stays exact enough to matter)."""
    seconds = (now - then).total_seconds()
    if seconds < 0:
        return "from after this run"
    for unit, size, limit in (("minute", 60, 3600), ("hour", 3600, 2 * 86400)):
        if seconds < limit:
            count = int(seconds // size)
            return "less than a minute old" if not count else f"{count} {unit}{'s' if count != 1 else ''} old"
    days = int(seconds // 86400)
    return f"{days} days old"
