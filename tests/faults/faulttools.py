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
from tunnelcheck.model.resources import Resource

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
        "## Hostile files, configs and tenant strings",
        "",
        ("What comes from a file, a config or a tenant's names is read as hostile too. Each row is a test (named "
        "in it); each error is one line naming what and where, a pytest usage error or `tunnelcheck` exit 2, "
        "never a traceback."),
        "",
        "| case | input | what the run does | test |",
        "|---|---|---|---|",
        *(f"| `{case}` | {cell(given)} | {cell(does)} | `{test}` |" for case, given, does, test in LOCAL_CASES),
        "",
    ]
    return "\n".join(lines)


#: The hostile local inputs and outputs (case, input, what the run does, the test that proves it).
LOCAL_CASES: list[tuple[str, str, str, str]] = [
    ("snapshot-nested-too-deep", "a snapshot nested 1,000,000 deep (anything past 100 levels)",
     "one line, nested too deeply; nothing checked", "tests/test_snapshot.py::test_a_million_levels_deep_is_one_error"),
    ("snapshot-long-number", "a snapshot holding a 5,001-digit integer",
     "one line, a number of more than 4300 digits", "tests/test_snapshot.py::test_a_5001_digit_integer_is_one_error"),
    ("lone-surrogate", "a snapshot, or a Graph answer, holding a lone surrogate escape (\"\\\\ud800\"): JSON Python "
     "reads but no UTF-8 file can hold", "one line, not valid Unicode text (a Graph answer: its resource fails, "
     "named); never a traceback from the digest or the report",
     "tests/test_snapshot.py::test_a_lone_surrogate_is_one_error"),
    ("lone-surrogate-elsewhere", "a lone surrogate in --tunnelcheck-previous or --tunnelcheck-history results, a "
     "fleet's results, a plan.json or the config (YAML's \"\\\\ud800\" too), or as raw bytes in a Graph answer",
     "the same one line for each file; the Graph answer's resource fails (not UTF-8)",
     "tests/test_untrusted.py::test_every_file_reader_refuses_a_lone_surrogate_in_one_line"),
    ("gzip-bomb", "a .json.gz expanding past max_snapshot_mb (default 4096)",
     "decompression stops as soon as the limit is passed, memory stays bounded; one line naming the limit",
     "tests/e2e/test_bad_input.py::test_gzip_bomb_is_refused_in_bounded_memory"),
    ("not-a-regular-file", "a snapshot that is a link to /dev/zero, a FIFO or a folder",
     "refused without reading it", "tests/test_snapshot.py::test_only_regular_files_are_read"),
    ("output-path-unwritable", "--tunnelcheck-json, --tunnelcheck-markdown, --html, --record or record -o in a "
     "missing, unwritable or non-folder place", "checked before anything is read, signed in or collected",
     "tests/e2e/test_bad_input.py::test_output_path_is_checked_before_anything_runs"),
    ("linked-checkpoint", "FILE.partial is a symbolic link or a file",
     "tunnelcheck record (with or without --resume) refuses it before signing in",
     "tests/test_bad_files.py::test_record_refuses_a_checkpoint_that_is_not_its_own_folder"),
    ("foreign-checkpoint", ("FILE.partial/meta.json not written by tunnelcheck: no tenant, another version, an "
                            "unknown resource, a config that is not a path"),
     "tunnelcheck record --resume refuses it in one line before signing in; nothing is taken from it",
     "tests/test_resume.py::test_resume_refuses_a_checkpoint_it_did_not_write"),
    ("diff-accept-bad-files", "tunnelcheck diff / accept on missing, looping, device, malformed, bomb, deep files",
     "one line, exit 2, nothing written; accept refuses a linked --baseline",
     "tests/test_bad_files.py::test_bad_file_is_one_line"),
    ("duplicate-yaml-key", "a config with a key written twice (two migration: sections)",
     "one line naming the key and both lines", "tests/test_config.py::test_bad_config_gives_one_line"),
    ("config-bad-keys-and-values", "a config with an unknown key, a wrong type, a value outside its choices or "
     "limits, a bad date or a refused key (client_secret), at any depth",
     "one line naming the key path and the known keys, the expected type or the allowed values; editors flag the "
     "same as it is typed (the JSON Schema)", "tests/test_config_schema.py::test_bad_config_is_one_line_naming_the_key"),
    ("config-long-number", "a config holding a 5,000-digit integer", "one line, a number of more than 4300 digits",
     "tests/test_config.py::test_bad_config_gives_one_line"),
    ("graph-host-guard", "graph_url not the Graph host of the Microsoft authority's cloud, written out or default",
     "refused at config load; no credential made, no request sent",
     "tests/e2e/test_bad_input.py::test_graph_host_guard_stops_the_run_before_any_request"),
    ("authority-echoes-secret", "the sign-in authority's error text echoes the client secret and a token",
     "replaced by [redacted] / [token] in every message, reason, report and log record",
     "tests/test_secrets.py::test_an_authority_echoing_the_secret_is_scrubbed"),
    ("markup-in-the-report", "markup in every string of a snapshot, baseline, config, file names, a token's tid",
     "the HTML report shows it as text in Chromium; no script runs",
     "tests/e2e/test_report_hostile_browser.py"),
    ("markdown-and-terminal", "tenant strings holding Markdown links, images, HTML, ESC/OSC 8/CSI, bidi overrides",
     "the Markdown summary renders them as text; the console prints control characters as escapes",
     "tests/e2e/test_hostile_text_outputs.py"),
    ("emulate-bad-snapshots", "tunnelcheck emulate given a malformed snapshot among several (its name holding "
     "ESC), an empty folder, two snapshots of one tenant, more snapshots than it serves (100)",
     "one line naming the file or folder (control characters as escapes), exit 2, nothing served",
     "tests/emulator/test_emu_tenants.py::test_emulate_refuses_bad_snapshots_and_folders_in_one_line"),
    ("hostile-fleet-names", "tenant names and file names in many tenants' results holding markup",
     "the fleet page shows them as text", "tests/e2e/test_fleet_browser.py"),
]


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import test_fault_matrix as matrix

    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(matrix.ROWS, matrix.EXTRA_ROWS), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
