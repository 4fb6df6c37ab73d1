"""Intune's request throttling (docs/graph.md#throttling): per application and tenant, at most ``budget`` requests in
any ``window`` seconds (Intune: 1,000 in 20 s); beyond that Graph answers 429 with ``Retry-After``. Every
request inside a ``$batch`` counts, as Intune counts them; the ``$batch`` envelope itself does not."""

from __future__ import annotations

import collections
import math
import threading
import time

__all__ = ["INTUNE", "Throttle", "busiest_window", "parse_throttle"]

#: Intune's limit for any request: 1,000 per application per tenant per 20 seconds.
INTUNE = (1000, 20.0)


class Throttle:
    """A sliding window per application (in a tenant: the emulator's key names both): a request is admitted
    when fewer than ``budget`` requests of that key were admitted in the last ``window`` seconds. Refused
    requests do not count."""

    def __init__(self, budget: int, window: float, clock: collections.abc.Callable[[], float] = time.monotonic
                 ) -> None:
        if budget < 1 or window <= 0:
            raise ValueError("a throttle needs a budget of 1 or more requests and a window of more than 0 s")
        self.budget, self.window = budget, float(window)
        self._clock = clock
        self._admitted: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, application: str) -> float | None:
        """None when the request may go on; else the seconds after which one will be admitted again."""
        with self._lock:
            now = self._clock()
            admitted = self._admitted.setdefault(application, collections.deque())
            while admitted and admitted[0] <= now - self.window:
                admitted.popleft()
            if len(admitted) < self.budget:
                admitted.append(now)
                return None
            return admitted[0] + self.window - now

    @staticmethod
    def retry_after(seconds: float) -> str:
        """Graph's Retry-After: whole seconds, at least 1."""
        return str(max(1, math.ceil(seconds)))


def parse_throttle(text: str) -> tuple[int, float] | None:
    """``N/SECONDS`` (e.g. ``1000/20``), or ``off``."""
    if text.strip().lower() == "off":
        return None
    budget, _, window = text.partition("/")
    try:
        parsed = int(budget), float(window)
    except ValueError:
        raise ValueError(f"expected REQUESTS/SECONDS (e.g. 1000/20) or off, got {text!r}") from None
    if parsed[0] < 1 or parsed[1] <= 0:
        raise ValueError(f"expected REQUESTS/SECONDS with both above 0, got {text!r}")
    return parsed


def busiest_window(times: collections.abc.Sequence[float], window: float) -> int:
    """The most of ``times`` (sorted) within any ``window`` seconds: what a request log says of throttling."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        most = max(most, end - start + 1)
    return most
