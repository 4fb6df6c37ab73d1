"""A fleet view: many tenants' ``--tunnelcheck-json`` results gathered into one matrix, tenants × phases.

Service providers and large organisations run the nightly for tens to hundreds of tenants, one CI job per
tenant (ci/github/tunnelcheck-fleet.yml, ci/azure-devops/tunnelcheck-fleet.yml); ``tunnelcheck fleet``
gathers their results. This module neither prints nor parses arguments: :func:`build` reads the results
and an earlier fleet document, :func:`render_markdown` and :func:`fleet_document` render them, and
:mod:`tunnelcheck.reports.fleet_page` writes the HTML page.

**A row** is one tenant of one results file (a run with several ``--snapshot`` has several). It is keyed,
to match it with the previous fleet run, by its tenant id (``id:<lower-case id>``), else its label
(``label:<label>``), else its results file (``file:<path>``).

**A cell** is one phase of one tenant, from the outcomes of that phase's checks:

- ``met``: at least one of its checks ran and none failed or errored (passed, skipped, waived);
- ``failing``: N checks failed (the cell also counts its errors);
- ``errors``: no check failed, N could not run (data missing: a permission, a resource, a record);
- ``not run``: no result of this phase (``--phase`` stopped earlier, or no ``--drift``);
- ``unreadable``: the results file could not be read (every cell of its row).

**Furthest behind first**: rows whose results are unreadable (nothing is known of them), then by the
earliest migration phase (inventory to cleanup; drift is not one) that is not met (failing, errors or not
run), earliest first, tenants with every migration phase met last; within one such phase, the most checks
failing or erroring in it first, then the most failing or erroring in all phases (drift included), then by
name.

**Newly failing since the previous fleet run** (``--previous``, the ``--json`` of that run): a tenant that
was in the previous run and now fails (failed or error) a check it did not fail then. Tenants new to the
fleet are listed as new, tenants of the previous run with no readable results now as missing, and tenants
that failed then and fail nothing now as no longer failing.

**Unreadable results** are never dropped: a results file that cannot be read, is not JSON or not a
tunnelcheck results file is a row of its own ("results unreadable") with one line saying why, and the
other files still count. In a folder, every ``*.json`` at any depth is read as results, except tunnelcheck
snapshots and fleet documents, which are skipped with a note.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..check import Phase
from ..errors import ConfigError
from ..results import FAILING, OUTCOMES, Comparison
from ..untrusted import LONE_SURROGATE, lone_surrogate_in
from ..untrusted import for_markdown as md
from ..wording import counted

__all__ = [
    "FLEET_VERSION", "MIGRATION_PHASES", "PHASES", "STATUSES", "Fleet", "FleetChanges", "PhaseCell", "TenantRow",
    "build", "compare", "fleet_document", "headline", "load_previous", "read_results", "render_markdown", "report_for",
    "results_files", "rows_of",
]

FLEET_VERSION = 1
PHASES: tuple[str, ...] = tuple(p.value for p in Phase)
MIGRATION_PHASES: tuple[str, ...] = tuple(p.value for p in Phase if p is not Phase.DRIFT)
#: Cell statuses, with the words the page and the summary use for them.
STATUSES: dict[str, str] = {"met": "met", "failing": "failing", "errors": "errors", "not-run": "not run",
                            "unreadable": "results unreadable"}
_RESULTS_VERSIONS = (1,)
#: How many rows of a list the Markdown summary shows (GitHub's step summary takes 1 MiB).
MARKDOWN_ROWS = 25


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------------
# Cells and rows


@dataclass(frozen=True)
class PhaseCell:
    """One phase of one tenant: its outcome counts and the ids of its failing (failed or error) checks."""

    counts: Mapping[str, int] = field(default_factory=dict)
    failing_checks: tuple[str, ...] = ()
    unreadable: bool = False

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)

    @property
    def ran(self) -> int:
        return sum(self.counts.values())

    @property
    def failing(self) -> int:
        """Failed and errored checks."""
        return self.count("failed") + self.count("error")

    @property
    def status(self) -> str:
        if self.unreadable:
            return "unreadable"
        if not self.ran:
            return "not-run"
        if self.count("failed"):
            return "failing"
        return "errors" if self.count("error") else "met"

    @property
    def statuses(self) -> tuple[str, ...]:
        """Every status the cell answers to in a filter: a failing cell with errors is both."""
        return (self.status, "errors") if self.status == "failing" and self.count("error") else (self.status,)

    @property
    def text(self) -> str:
        status = self.status
        if status == "failing":
            return f"failing {self.count('failed')}" + (f", errors {self.count('error')}" if self.count("error") else "")
        if status == "errors":
            return f"errors {self.count('error')}"
        return STATUSES[status]

    @property
    def met(self) -> bool:
        return self.status == "met"

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, **{o: self.count(o) for o in OUTCOMES},
                "failing_checks": list(self.failing_checks)}


_UNREADABLE_CELL = PhaseCell(unreadable=True)


@dataclass(frozen=True)
class TenantRow:
    """One tenant of one results file, or one results file that could not be read (``unreadable``: why)."""

    key: str
    name: str
    results: str
    label: str | None = None
    tenant_id: str | None = None
    generated_at: str | None = None
    report: str | None = None  # the tenant's HTML report beside the results file (report_for), if any
    phases: Mapping[str, PhaseCell] = field(default_factory=dict)
    unreadable: str = ""
    newly_failing: tuple[str, ...] = ()  # set by compare(): the checks failing now and not in the previous run

    def cell(self, phase: str) -> PhaseCell:
        return _UNREADABLE_CELL if self.unreadable else self.phases.get(phase, PhaseCell())

    @property
    def behind_at(self) -> str | None:
        """The earliest migration phase not met; ``None`` when every one is met (and for unreadable rows)."""
        if self.unreadable:
            return None
        return next((p for p in MIGRATION_PHASES if not self.cell(p).met), None)

    @property
    def behind(self) -> str:
        """What the page shows and filters on: a phase, ``all-met`` or ``unreadable``."""
        return "unreadable" if self.unreadable else (self.behind_at or "all-met")

    @property
    def failing(self) -> int:
        return sum(self.cell(p).failing for p in PHASES) if not self.unreadable else 0

    @property
    def failing_checks(self) -> tuple[str, ...]:
        return tuple(sorted({c for p in PHASES for c in self.cell(p).failing_checks}))

    def sort_key(self) -> tuple[Any, ...]:
        """Furthest behind first (see the module's documentation)."""
        if self.unreadable:
            return (0, 0, 0, 0, self.name.casefold(), self.key)
        at = self.behind_at
        position = MIGRATION_PHASES.index(at) if at else len(MIGRATION_PHASES)
        stuck = self.cell(at).failing if at else 0
        return (1, position, -stuck, -self.failing, self.name.casefold(), self.key)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "label": self.label, "tenant_id": self.tenant_id,
                "results": self.results, "report": self.report, "generated_at": self.generated_at,
                "unreadable": self.unreadable or None, "behind": self.behind, "failing": self.failing,
                "newly_failing": list(self.newly_failing),
                "phases": {p: self.cell(p).as_dict() for p in PHASES}}


# ---------------------------------------------------------------------------------------------------
# Reading results


class Unreadable(Exception):
    """A results file that cannot be used, and why (one line)."""


class NotResults(Unreadable):
    """A tunnelcheck file of another kind (a snapshot, a fleet document): skipped in a folder."""


def _read_json(path: Path, missing: str = "no such file") -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
        doc = json.loads(text)
    except FileNotFoundError:
        raise Unreadable(missing) from None
    except OSError as exc:
        raise Unreadable(f"cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    except UnicodeDecodeError:
        raise Unreadable("not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise Unreadable(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise Unreadable("not valid JSON (nested too deeply)") from None
    if lone_surrogate_in(text, doc):
        raise Unreadable(LONE_SURROGATE)
    return doc


def read_results(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A ``--tunnelcheck-json`` document, checked as far as the fleet uses it; anything else raises
    :class:`Unreadable` (:class:`NotResults` for a snapshot or a fleet document)."""
    doc = _read_json(Path(path), "no such file (the tenant's run wrote no results)")
    if isinstance(doc, dict) and "tunnelcheck_snapshot" in doc:
        raise NotResults("a tunnelcheck snapshot, not results (run the checks on it with --tunnelcheck-json)")
    if isinstance(doc, dict) and "tunnelcheck_fleet" in doc:
        raise NotResults("a tunnelcheck fleet document, not one tenant's results")
    if not isinstance(doc, dict) or "tunnelcheck_results" not in doc:
        raise Unreadable("not a tunnelcheck results file (write one with --tunnelcheck-json)")
    version = doc["tunnelcheck_results"]
    if isinstance(version, bool) or version not in _RESULTS_VERSIONS:
        raise Unreadable(f"unsupported results version {version!r}")
    results = doc.get("results")
    if not isinstance(results, list):
        raise Unreadable("results: expected a list")
    for n, record in enumerate(results):
        if not (isinstance(record, dict) and isinstance(record.get("check_id"), str)
                and record.get("outcome") in OUTCOMES
                and isinstance(record.get("tenant"), (str, type(None)))
                and isinstance(record.get("phase"), (str, type(None)))):
            raise Unreadable(f"results[{n}]: expected an object with a check_id, an outcome, a phase and a tenant")
    return doc


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _labelled(doc: Mapping[str, Any]) -> dict[str | None, str | None]:
    """Label -> tenant id, in the document's order: its ``tenants`` list, then labels only its results name;
    ``{None: ...}`` when it names none (the row is then named after the file)."""
    found: dict[str | None, str | None] = {}
    tenants = doc.get("tenants")
    for entry in tenants if isinstance(tenants, list) else ():
        if isinstance(entry, dict) and _text(entry.get("label")):
            found.setdefault(entry["label"], _text(entry.get("tenant_id")))
    for record in doc["results"]:
        if record.get("tenant"):
            found.setdefault(record["tenant"], None)
    if len(found) > 1 and any(not r.get("tenant") for r in doc["results"]):
        found[None] = None  # results of no tenant among several tenants: a row of their own
    if len(found) <= 1:  # one tenant: the document's own tenant_id names it too
        (label, tenant_id), = found.items() if found else [(None, None)]
        found = {label: tenant_id or _text(doc.get("tenant_id"))}
    return found


def report_for(results: str | os.PathLike[str]) -> str | None:
    """The tenant's HTML report beside its results file, by name: ``X.html`` for ``X.json``, or
    ``report.html`` for ``results.json`` (ci/nightly.sh's names); ``None`` when neither exists."""
    path = Path(results)
    candidates = [path.with_suffix(".html")] + ([path.with_name("report.html")] if path.name == "results.json" else [])
    return next((os.fspath(c) for c in candidates if c.is_file()), None)


def rows_of(doc: Mapping[str, Any], results: str) -> list[TenantRow]:
    """The rows of one results document: one per tenant it names."""
    generated_at = _text(doc.get("generated_at"))
    report = report_for(results)
    rows = []
    labels = _labelled(doc)
    for label, tenant_id in labels.items():
        records = doc["results"] if len(labels) == 1 else \
            [r for r in doc["results"] if (r.get("tenant") or None) == label]
        phases = {}
        for phase in PHASES:
            mine = [r for r in records if r.get("phase") == phase]
            counts = {o: sum(r["outcome"] == o for r in mine) for o in OUTCOMES}
            failing = tuple(sorted({r["check_id"] for r in mine if r["outcome"] in FAILING}))
            phases[phase] = PhaseCell({o: n for o, n in counts.items() if n}, failing)
        key = f"id:{tenant_id.lower()}" if tenant_id else f"label:{label}" if label else f"file:{results}"
        rows.append(TenantRow(key, label or Path(results).stem, results, label, tenant_id, generated_at, report,
                              phases))
    return rows


def results_files(paths: Sequence[str | os.PathLike[str]], exclude: Iterable[str | os.PathLike[str]] = ()
                  ) -> list[tuple[str, bool]]:
    """Each results file to read, and whether it was named (``True``) or found in a folder (``False``): a
    folder gives every ``*.json`` below it, at any depth, in name order, but not the ``exclude`` files (the
    fleet's own outputs and --previous); a named path is kept as it is, even when it does not exist."""
    skip = {os.path.realpath(p) for p in exclude}
    found: list[tuple[str, bool]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += [(os.fspath(p), False) for p in sorted(path.rglob("*.json"))
                      if p.is_file() and os.path.realpath(p) not in skip]
        else:
            found.append((os.fspath(given), True))
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------------------------------------------
# The fleet


@dataclass(frozen=True)
class FleetChanges(Comparison):
    """This fleet run against the previous one. Unlike a run's result diff (tunnelcheck.reports.summary.ResultDiff),
    which follows each check's outcome, it compares each tenant's failing checks: all a fleet document keeps."""

    newly_failing: tuple[TenantRow, ...] = ()
    no_longer_failing: tuple[TenantRow, ...] = ()
    new: tuple[TenantRow, ...] = ()
    missing: tuple[tuple[str, str], ...] = ()  # (key, name) of the previous run's tenants not read now

    @property
    def summary(self) -> str:
        return (f"{len(self.newly_failing)} newly failing, {len(self.no_longer_failing)} no longer failing, "
                f"{len(self.new)} new, {len(self.missing)} missing")

    def as_dict(self) -> dict[str, Any]:
        return {**self.compared_with(),
                "newly_failing": [{"key": r.key, "name": r.name, "checks": list(r.newly_failing)}
                                  for r in self.newly_failing],
                "no_longer_failing": [{"key": r.key, "name": r.name} for r in self.no_longer_failing],
                "new": [{"key": r.key, "name": r.name} for r in self.new],
                "missing": [{"key": k, "name": n} for k, n in self.missing]}


@dataclass(frozen=True)
class Fleet:
    rows: tuple[TenantRow, ...]  # furthest behind first
    generated_at: str
    title: str = "tunnelcheck fleet"
    notes: tuple[str, ...] = ()  # one line each: skipped files, a tenant in several results files
    changes: FleetChanges | None = None

    @property
    def unreadable(self) -> tuple[TenantRow, ...]:
        return tuple(r for r in self.rows if r.unreadable)

    def behind_counts(self) -> dict[str, int]:
        """How many tenants are behind at each migration phase, have all met, or are unreadable."""
        counts = dict.fromkeys([*MIGRATION_PHASES, "all-met", "unreadable"], 0)
        for row in self.rows:
            counts[row.behind] += 1
        return counts

    def phase_counts(self) -> dict[str, dict[str, int]]:
        """Phase -> status -> how many tenants' cells have it."""
        return {p: {s: sum(r.cell(p).status == s for r in self.rows) for s in STATUSES} for p in PHASES}


def _names(rows: list[TenantRow]) -> list[TenantRow]:
    """Rows that share a name but are different tenants (or one tenant in several files) are named by their
    results file too, relative to the folder those files share (``results.json`` by its folder)."""
    by_name: dict[str, list[TenantRow]] = {}
    for row in rows:
        by_name.setdefault(row.name, []).append(row)
    renamed: dict[int, str] = {}
    for same in by_name.values():
        if len(same) > 1:
            root = os.path.commonpath([os.path.dirname(os.path.abspath(r.results)) for r in same])
            renamed |= {id(r): f"{r.name} ({_where(r.results, root)})" for r in same}
    return [_replace(r, name=renamed[id(r)]) if id(r) in renamed else r for r in rows]


def _where(results: str, root: str) -> str:
    """A results file relative to ``root``; ci/nightly.sh's ``results.json`` by its folder alone."""
    relative = Path(os.path.relpath(os.path.abspath(results), root))
    return relative.parent.as_posix() if relative.name == "results.json" and relative.parent.name else \
        relative.as_posix()


def _replace(row: TenantRow, **changes: Any) -> TenantRow:
    return TenantRow(**{**row.__dict__, **changes})


def _unique_keys(rows: list[TenantRow]) -> tuple[list[TenantRow], list[str]]:
    """A tenant in several results files keeps every row (none is dropped); the later ones' keys get their
    file, and a note says so."""
    seen: dict[str, list[str]] = {}
    out = []
    for row in rows:
        files = seen.setdefault(row.key, [])
        files.append(row.results)
        out.append(row if len(files) == 1 else _replace(row, key=f"{row.key}@{row.results}"))
    notes = [f"{key.split(':', 1)[1]} is in {len(files)} results files: {', '.join(files)}"
             for key, files in seen.items() if len(files) > 1]
    return out, notes


def build(paths: Sequence[str | os.PathLike[str]], *, previous: Mapping[str, Any] | None = None,
          exclude: Iterable[str | os.PathLike[str]] = (), title: str = "tunnelcheck fleet",
          generated_at: str | None = None) -> Fleet:
    """The fleet of the results files and folders ``paths``; ``previous``: :func:`load_previous`."""
    rows: list[TenantRow] = []
    notes: list[str] = []
    files = results_files(paths, exclude)
    for given in paths:
        if Path(given).is_dir() and not results_files([given], exclude):
            notes.append(f"{os.fspath(given)}: no results files in this folder")
    for path, named in files:
        try:
            rows += rows_of(read_results(path), path)
        except NotResults as exc:
            if named:
                rows.append(TenantRow(f"file:{path}", path, path, unreadable=str(exc)))
            else:
                notes.append(f"{path}: skipped: {exc}")
        except Unreadable as exc:
            rows.append(TenantRow(f"file:{path}", path, path, unreadable=str(exc)))
    rows, duplicates = _unique_keys(rows)
    rows = _names(rows)
    changes = None
    if previous is not None:
        rows, changes = compare(rows, previous)
    rows.sort(key=TenantRow.sort_key)
    return Fleet(tuple(rows), generated_at or _now(), title, tuple(notes + duplicates), changes)


# ---------------------------------------------------------------------------------------------------
# The previous fleet run


def load_previous(path: str | os.PathLike[str]) -> dict[str, Any]:
    """An earlier ``tunnelcheck fleet --json`` document, checked; anything else is a one-line ConfigError."""
    name = os.fspath(path)
    try:
        doc = _read_json(Path(name))
    except Unreadable as exc:
        raise ConfigError("--previous", f"{name}: {exc}") from None
    if not isinstance(doc, dict) or "tunnelcheck_fleet" not in doc:
        raise ConfigError("--previous", f"{name}: not a tunnelcheck fleet file (write one with tunnelcheck fleet --json)")
    if doc["tunnelcheck_fleet"] != FLEET_VERSION or isinstance(doc["tunnelcheck_fleet"], bool):
        raise ConfigError("--previous", f"{name}: unsupported fleet version {doc['tunnelcheck_fleet']!r}")
    tenants = doc.get("tenants")
    if not isinstance(tenants, list):
        raise ConfigError("--previous", f"{name}: tenants: expected a list")
    for n, entry in enumerate(tenants):
        phases = entry.get("phases") if isinstance(entry, dict) else None
        if not (isinstance(entry, dict) and isinstance(entry.get("key"), str) and isinstance(entry.get("name"), str)
                and isinstance(phases, dict)
                and all(isinstance(c, dict) and isinstance(c.get("failing_checks"), list)
                        and all(isinstance(i, str) for i in c["failing_checks"]) for c in phases.values())):
            raise ConfigError("--previous", f"{name}: tenants[{n}]: expected an object with a key, a name and "
                              "phases with their failing_checks")
    doc["_path"] = name
    return doc


def compare(rows: Sequence[TenantRow], previous: Mapping[str, Any]) -> tuple[list[TenantRow], FleetChanges]:
    """Mark each row's newly failing checks against the previous fleet document; what changed."""
    before = {t["key"]: t for t in previous["tenants"] if not t.get("unreadable")}
    out, newly, recovered, new = [], [], [], []
    for row in rows:
        old = before.get(row.key)
        if row.unreadable:
            out.append(row)
            continue
        if old is None:
            new.append(row)
            out.append(row)
            continue
        was = {c for cell in old["phases"].values() for c in cell["failing_checks"]}
        now = row.failing_checks
        added = tuple(c for c in now if c not in was)
        row = _replace(row, newly_failing=added)
        if added:
            newly.append(row)
        elif was and not now:
            recovered.append(row)
        out.append(row)
    read = {r.key for r in rows if not r.unreadable}
    missing = tuple((k, str(t["name"])) for k, t in before.items() if k not in read)
    generated = previous.get("generated_at")
    return out, FleetChanges(str(previous.get("_path") or ""), generated if isinstance(generated, str) else None,
                             tuple(sorted(newly, key=TenantRow.sort_key)), tuple(recovered), tuple(new), missing)


# ---------------------------------------------------------------------------------------------------
# Renderings: the fleet document (--json) and the Markdown summary


def fleet_document(fleet: Fleet) -> dict[str, Any]:
    """What ``--json`` writes, and ``--previous`` reads the next time."""
    return {"tunnelcheck_fleet": FLEET_VERSION, "generated_at": fleet.generated_at, "title": fleet.title,
            "phases": list(PHASES), "behind": fleet.behind_counts(), "tenants": [r.as_dict() for r in fleet.rows],
            "notes": list(fleet.notes), **({"changes": fleet.changes.as_dict()} if fleet.changes else {})}


def headline(fleet: Fleet) -> str:
    """One line: how many tenants are where."""
    counts = fleet.behind_counts()
    parts = [f"{counts['all-met']} with every phase met"]
    parts += [f"{counts[p]} behind at {p}" for p in MIGRATION_PHASES if counts[p]]
    if counts["unreadable"]:
        parts.append(f"{counts['unreadable']} results unreadable")
    return f"{counted(len(fleet.rows), 'tenant')}: " + ", ".join(parts)


def _some(items: Sequence[str], limit: int = MARKDOWN_ROWS) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f"; and {len(items) - limit} more (see the fleet page)" if len(items) > limit else "")


def render_markdown(fleet: Fleet, limit: int = MARKDOWN_ROWS) -> str:
    """The fleet as Markdown (for $GITHUB_STEP_SUMMARY): every value through ``for_markdown``."""
    lines = [f"## {md(fleet.title)}", "", f"{md(headline(fleet))} ({md(fleet.generated_at)})", "",
             "| phase | " + " | ".join(STATUSES.values()) + " |", "|---" * (len(STATUSES) + 1) + "|"]
    lines += [f"| {p} | " + " | ".join(str(n) for n in row.values()) + " |" for p, row in fleet.phase_counts().items()]
    changes = fleet.changes
    if changes is not None:
        lines += ["", "### Since the previous fleet run", "", changes.markdown(), ""]
        if changes.newly_failing:
            lines.append("- **newly failing**: " + _some(
                [f"{md(r.name)} ({', '.join(md(c) for c in r.newly_failing)})" for r in changes.newly_failing], limit))
        if changes.missing:
            lines.append("- **missing** (no results in this run): " + _some([md(n) for _, n in changes.missing], limit))
        if changes.new:
            lines.append("- new: " + _some([md(r.name) for r in changes.new], limit))
        if changes.no_longer_failing:
            lines.append("- no longer failing: " + _some([md(r.name) for r in changes.no_longer_failing], limit))
    if fleet.unreadable:
        lines += ["", f"### Results unreadable ({len(fleet.unreadable)})", ""]
        lines += [f"- {md(r.results)}: {md(r.unreadable)}" for r in fleet.unreadable[:limit * 4]]
        if len(fleet.unreadable) > limit * 4:
            lines.append(f"- and {len(fleet.unreadable) - limit * 4} more (see the fleet page)")
    behind = [r for r in fleet.rows if not r.unreadable and r.behind_at]
    shown = f"first {limit} of {len(behind)}" if len(behind) > limit else str(len(behind))
    lines += ["", f"### Furthest behind ({shown})", ""]
    if behind:
        lines += ["| tenant | behind at | " + " | ".join(PHASES) + " |", "|---" * (len(PHASES) + 2) + "|"]
        lines += [f"| {md(r.name)} | {r.behind_at} | " + " | ".join(md(r.cell(p).text) for p in PHASES) + " |"
                  for r in behind[:limit]]
    else:
        lines.append("None: every tenant whose results were read has every migration phase met.")
    for note in fleet.notes:
        lines += ["", f"Note: {md(note)}"]
    return "\n".join(lines) + "\n"
