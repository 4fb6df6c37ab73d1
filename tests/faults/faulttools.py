"""Helpers of the fault tests: the fault matrix's rows (each test carries its row: case, injected fault,
expected behaviour, bound), settings pointing at an emulator, verdicts, and the docs/faults.md renderer.

``python tests/faults/faulttools.py`` rewrites docs/faults.md from the rows; a test fails when it is stale.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT, ROOT / "tests"):  # run as a script: the package, and the tests' shared helpers
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from tunnelcheck.emulator import Fault
from tunnelcheck.resources import Resource

DOC = ROOT / "docs" / "faults.md"


def http_date(seconds_ahead: float) -> str:
    """A Retry-After HTTP-date ``seconds_ahead`` from now (RFC 9110 IMF-fixdate)."""
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds_ahead)
    return email.utils.format_datetime(when, usegmt=True)


@dataclass(frozen=True)
class Row:
    """One case of the fault matrix, as the test runs it and as docs/faults.md shows it.

    ``fails`` maps each resource that must end up unavailable to a regex its reason must match (``re.search``
    on the DataUnavailable's text); every other resource must be complete and every check that needs only
    complete resources must give the snapshot's verdict. ``bound`` is the wall-clock limit of the whole
    run (sign-in, collection, every check), in seconds."""

    case: str
    fault: str  # the injected fault, for the docs
    expected: str  # the expected behaviour, for the docs
    bound: float
    faults: Callable[[], list[Fault]] = field(compare=False, repr=False)
    fails: Mapping[Resource, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)


def render(rows: list[Row], extra: list[Row] = ()) -> str:  # type: ignore[assignment]
    """docs/faults.md."""

    def cell(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    lines = [
        "# Fault matrix",
        "",
        ("Generated from `tests/faults/test_fault_matrix.py` by `python tests/faults/faulttools.py`; do not edit "
        "(a test fails when this file is stale)."),
        "",
        ("Each row is one test: the Graph + Entra emulator (`tunnelcheck.emulator`) injects the fault into a "
        "live run of every check on the demo tenant, through the real msgraph-sdk and azure-identity. In "
        "every case the run ends within the bound; each check whose data was complete gives the same verdict "
        "as on the recorded snapshot; each check whose data was incomplete errors, and its reason names the "
        "resource and why. No case may turn into a pass. Retries use short `Retry-After` values (1-2 s) so "
        "that the suite stays fast; the limits are those of a real run (`max_retries` 3 for 503, 504 and "
        "dropped connections; 429 retried within `retry_budget_seconds`, 300 per resource; a Retry-After of "
        "180 s or more is not waited for), except where a row sets a bound lower in its config (named in the "
        "row: `timeout_seconds`, `run_deadline_seconds`, `max_pages`, `max_items`, `max_response_mb`). A "
        "hostile answer (a redirect, JSON nested too deep, an answer over a limit) is never retried: its "
        "resource is asked once."),
        "",
        "| case | injected fault | expected behaviour | bound |",
        "|---|---|---|---|",
        *(f"| `{r.case}` | {cell(r.fault)} | {cell(r.expected)} | {r.bound:g} s |" for r in [*rows, *extra]),
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import test_fault_matrix as matrix

    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(matrix.ROWS, matrix.EXTRA_ROWS), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
