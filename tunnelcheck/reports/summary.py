"""The run at a glance: migration progress per phase, the result diff against an earlier run, the property
drift since the baseline and the trend over earlier runs; as JSON (in ``--tunnelcheck-json``) and as a
short Markdown summary (``--tunnelcheck-markdown``, for ``$GITHUB_STEP_SUMMARY`` or Azure DevOps).

- ``--tunnelcheck-previous RESULTS.json`` (an earlier ``--tunnelcheck-json``): each result is keyed by
  (check id, tenant) and falls in one category (:func:`category`), named after what the check does now:
  newly failing, newly erroring, newly passing, no longer applies (skipped now, with the skip's reason),
  newly waived, still failing, still erroring, appeared, disappeared, or unchanged. A check that failed and
  is skipped now no longer applies; it does not pass.
- ``--baseline FILE``: what changed in each tenant since the baseline is :func:`tunnelcheck.drift.tenant_diff`,
  exactly what ``tunnelcheck diff`` and TUN-DRIFT-01/-02 report; with ``--drift`` it is drift, else (a
  phase gate against the pre-migration baseline) the changes since the baseline
  (:class:`tunnelcheck.drift.View`).
- ``--tunnelcheck-history DIR``: every ``*.json`` results file in DIR, oldest first, then this run: the
  number of failing results of each.

The pictures of the HTML report are in :mod:`tunnelcheck.reports.charts`.
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
from ..drift import DRIFT, TenantDiff, View, tenant_diff
from ..errors import ConfigError, TunnelcheckError
from ..files import write_atomic
from ..results import FAILING, OUTCOMES, Comparison
from ..untrusted import LONE_SURROGATE, lone_surrogate_in
from ..untrusted import for_markdown as md
from ..wording import counted
from . import drift_table

__all__ = [
    "CATEGORIES", "FAILING", "OUTCOMES", "ResultChange", "ResultDiff", "RunSummary", "TenantDrift", "TrendPoint",
    "build", "category", "load_history", "load_results", "phase_counts", "render_markdown", "result_diff",
    "write_text",
]

#: The result diff's categories, in the order reports show them: (key, heading, its plural after a count).
CATEGORIES = (("newly_failing", "newly failing", "newly failing"),
              ("newly_erroring", "newly erroring", "newly erroring"),
              ("newly_passing", "newly passing", "newly passing"),
              ("no_longer_applies", "no longer applies", "no longer apply"),
              ("newly_waived", "newly waived", "newly waived"),
              ("still_failing", "still failing", "still failing"),
              ("still_erroring", "still erroring", "still erroring"),
              ("appeared", "appeared", "appeared"), ("disappeared", "disappeared", "disappeared"))
#: What a check that changed outcome does now: the category is named after the outcome it has now.
_NOW = {"failed": "newly_failing", "error": "newly_erroring", "passed": "newly_passing",
        "skipped": "no_longer_applies", "waived": "newly_waived"}
#: The categories listed in one line, without reasons (the failures reports show anyway).
STILL = ("still_failing", "still_erroring")
_RESULTS_VERSIONS = (1,)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------------
# Reading earlier results


def load_results(path: str | os.PathLike[str], option: str = "--tunnelcheck-previous") -> dict[str, Any]:
    """An earlier ``--tunnelcheck-json`` document, validated; anything else is a one-line ConfigError."""
    name = os.fspath(path)

    def bad(message: str) -> ConfigError:
        return ConfigError(option, f"{name}: {message}")

    try:
        text = Path(name).read_text(encoding="utf-8")
        doc = json.loads(text)
    except OSError as exc:
        raise bad(f"cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    except UnicodeDecodeError:
        raise bad("not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise bad(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if lone_surrogate_in(text, doc):
        raise bad(LONE_SURROGATE)
    if not isinstance(doc, dict) or "tunnelcheck_results" not in doc:
        raise bad("not a tunnelcheck results file (write one with --tunnelcheck-json)")
    if doc["tunnelcheck_results"] not in _RESULTS_VERSIONS or isinstance(doc["tunnelcheck_results"], bool):
        raise bad(f"unsupported results version {doc['tunnelcheck_results']!r}")
    results = doc.get("results")
    if not isinstance(results, list):
        raise bad("results: expected a list")
    for n, record in enumerate(results):
        if not (isinstance(record, dict) and isinstance(record.get("check_id"), str)
                and record.get("outcome") in OUTCOMES):
            raise bad(f"results[{n}]: expected an object with a check_id and an outcome")
    doc.setdefault("generated_at", None)
    doc["_path"] = name
    return doc


def load_history(directory: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every ``*.json`` results file in ``directory``, oldest first (by ``generated_at``, else mtime)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError("--tunnelcheck-history", f"{os.fspath(directory)}: not a directory")
    docs = []
    for path in sorted(folder.glob("*.json")):
        doc = load_results(path, "--tunnelcheck-history")
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        doc["generated_at"] = doc["generated_at"] if isinstance(doc["generated_at"], str) else mtime
        docs.append(doc)
    return sorted(docs, key=lambda d: (d["generated_at"], d["_path"]))


# ---------------------------------------------------------------------------------------------------
# The result diff


@dataclass(frozen=True)
class ResultChange:
    """One (check, tenant) compared: its outcome before and after (``None``: not in that run)."""

    check_id: str
    tenant: str | None
    title: str
    before: str | None
    after: str | None
    reason: str

    @property
    def label(self) -> str:
        return f"{self.check_id} [{self.tenant}]" if self.tenant else self.check_id

    @property
    def transition(self) -> str:
        return f"{self.before or 'absent'} → {self.after or 'absent'}"

    def as_dict(self) -> dict[str, Any]:
        return {"check_id": self.check_id, "tenant": self.tenant, "title": self.title, "before": self.before,
                "after": self.after, "reason": self.reason}


@dataclass(frozen=True)
class ResultDiff(Comparison):
    newly_failing: tuple[ResultChange, ...] = ()
    newly_erroring: tuple[ResultChange, ...] = ()
    newly_passing: tuple[ResultChange, ...] = ()
    no_longer_applies: tuple[ResultChange, ...] = ()
    newly_waived: tuple[ResultChange, ...] = ()
    still_failing: tuple[ResultChange, ...] = ()
    still_erroring: tuple[ResultChange, ...] = ()
    appeared: tuple[ResultChange, ...] = ()
    disappeared: tuple[ResultChange, ...] = ()
    unchanged: int = 0

    def category(self, key: str) -> tuple[ResultChange, ...]:
        found: tuple[ResultChange, ...] = getattr(self, key)
        return found

    @property
    def summary(self) -> str:
        """How many are newly failing (always said), then each other category that holds a check."""
        parts = [counted(len(self.category(key)), heading, plural) for key, heading, plural in CATEGORIES
                 if key == "newly_failing" or self.category(key)]
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {**self.compared_with(),
                **{key: [c.as_dict() for c in self.category(key)] for key, *_ in CATEGORIES},
                "unchanged": self.unchanged}


def category(before: str | None, after: str | None) -> str | None:
    """The result diff's category of a check whose outcome was ``before`` and is ``after`` (``None``: not in
    that run); ``None`` when it is unchanged and neither failing nor erroring."""
    if before is None:
        return "appeared"
    if after is None:
        return "disappeared"
    if before == after:
        return {"failed": "still_failing", "error": "still_erroring"}.get(after)
    return _NOW[after]


def _key(record: Mapping[str, Any]) -> tuple[str, str | None]:
    return record["check_id"], record.get("tenant")


def _order(records: Iterable[Mapping[str, Any]]) -> list[tuple[str, str | None]]:
    return list(dict.fromkeys(_key(r) for r in records))


def result_diff(previous: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> ResultDiff:
    """Compare this run's ``results`` with an earlier results document, keyed by (check id, tenant)."""
    before = {_key(r): r for r in previous["results"]}
    after = {_key(r): r for r in results}
    found: dict[str, list[ResultChange]] = {key: [] for key, *_ in CATEGORIES}
    unchanged = 0
    for key in _order(results) + [k for k in _order(previous["results"]) if k not in after]:
        old, new = before.get(key), after.get(key)
        shown = new or old
        assert shown is not None
        change = ResultChange(key[0], key[1], str(shown.get("title") or ""), old["outcome"] if old else None,
                              new["outcome"] if new else None, str(shown.get("reason") or ""))
        where = category(change.before, change.after)
        if where is None:
            unchanged += 1
        else:
            found[where].append(change)
    return ResultDiff(str(previous.get("_path") or ""), previous.get("generated_at"),
                      **{k: tuple(v) for k, v in found.items()}, unchanged=unchanged)


# ---------------------------------------------------------------------------------------------------
# The summary of a run


def phase_counts(results: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Phase -> outcome -> count, phases in migration order (then any other phase name)."""
    counts: dict[str, dict[str, int]] = {}
    for record in results:
        phase = str(record.get("phase") or "other")
        row = counts.setdefault(phase, dict.fromkeys(OUTCOMES, 0))
        row[record["outcome"]] = row.get(record["outcome"], 0) + 1
    order = [p.value for p in Phase]
    return dict(sorted(counts.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order),
                                                       kv[0])))


@dataclass(frozen=True)
class TenantDrift:
    """What changed in one tenant since the baseline, or why it could not be computed; ``shown``: whether
    that is drift (``--drift``) or the changes since the baseline."""

    tenant: str
    diff: TenantDiff | None
    error: str = ""
    shown: View = DRIFT

    @property
    def summary(self) -> str:
        return self.shown.summary(self.diff) if self.diff is not None else self.error

    def as_dict(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "kind": self.shown.name,
                **(self.diff.as_dict() if self.diff is not None else {}),
                **({"error": self.error} if self.error else {})}


@dataclass(frozen=True)
class TrendPoint:
    generated_at: str
    failing: tuple[str, ...]  # "CHECK [tenant]" of each failing result
    source: str  # the results file, or "this run"


@dataclass
class RunSummary:
    title: str
    generated_at: str
    results: list[dict[str, Any]]
    phases: dict[str, dict[str, int]]
    diff: ResultDiff | None = None
    drift: list[TenantDrift] = field(default_factory=list)
    trend: list[TrendPoint] | None = None

    @property
    def failing(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["outcome"] in FAILING]

    @property
    def totals(self) -> dict[str, int]:
        return {o: sum(row.get(o, 0) for row in self.phases.values()) for o in OUTCOMES}

    def as_dict(self) -> dict[str, Any]:
        """The keys this adds to the results document."""
        doc: dict[str, Any] = {"summary": {"totals": self.totals, "phases": self.phases}}
        if self.diff is not None:
            doc["result_diff"] = self.diff.as_dict()
        if self.drift:
            doc["drift"] = [d.as_dict() for d in self.drift]
        return doc


def _failing_labels(results: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(f"{r['check_id']} [{r.get('tenant')}]" if r.get("tenant") else r["check_id"]
                 for r in results if r["outcome"] in FAILING)


def build(title: str, results: list[dict[str, Any]], *, previous: Mapping[str, Any] | None = None,
          drift: Sequence[tuple[str, Any, Any, Any]] = (), history: Sequence[Mapping[str, Any]] | None = None,
          generated_at: str | None = None, shown: View = DRIFT) -> RunSummary:
    """The summary of a run. ``drift`` is (tenant label, baseline Tenant, current Tenant, MigrationConfig)
    for each tenant, ``shown`` what its differences are (drift, or the changes since the baseline); a
    comparison that cannot be computed (data not recorded) says why instead."""
    stamp = generated_at or now()
    drifts = []
    for label, baseline, current, migration in drift:
        try:
            drifts.append(TenantDrift(label, tenant_diff(baseline, current, migration), shown=shown))
        except TunnelcheckError as exc:
            drifts.append(TenantDrift(label, None, f"not compared with the baseline: {exc}", shown))
    trend = None
    if history is not None:
        trend = [TrendPoint(str(d["generated_at"]), _failing_labels(d["results"]), str(d.get("_path") or ""))
                 for d in history]
        trend.append(TrendPoint(stamp, _failing_labels(results), "this run"))
    return RunSummary(title, stamp, results, phase_counts(results),
                      result_diff(previous, results) if previous is not None else None, drifts, trend)


# ---------------------------------------------------------------------------------------------------
# Markdown


def _side(info: Any) -> str:
    return f"{Path(info.location).name} (recorded {info.recorded_at})" if info.recorded_at else Path(info.location).name


def _label(change: ResultChange) -> str:
    """``CHECK [tenant]`` (ResultChange.label) with the values escaped and the brackets its own."""
    return f"{md(change.check_id)} [{md(change.tenant)}]" if change.tenant else md(change.check_id)


def _plan_links(record: Mapping[str, Any]) -> str:
    """--tunnelcheck-plan: the plan's steps for this check, linked (a percent-encoded path: no link of the
    tenant's can come of it)."""
    steps = record.get("plan_steps") or []
    return (" (plan: " + ", ".join(f"[step {int(s['number'])}]({s['href']})" for s in steps) + ")") if steps else ""


def render_markdown(summary: RunSummary) -> str:
    """The summary as Markdown: every value through :func:`tunnelcheck.untrusted.for_markdown` (``md``)."""
    totals = summary.totals
    lines = [f"## {md(summary.title)}", "",
             md(", ".join(f"{totals[o]} {o}" for o in OUTCOMES)) + f" ({md(summary.generated_at)})", "",
             "| phase | " + " | ".join(OUTCOMES) + " |", "|---" * (len(OUTCOMES) + 1) + "|"]
    lines += [f"| {md(phase)} | " + " | ".join(str(row.get(o, 0)) for o in OUTCOMES) + " |"
              for phase, row in summary.phases.items()]
    failing = summary.failing
    lines += ["", f"### Failing checks ({len(failing)})", ""]
    if failing:
        lines += ["| check | tenant | outcome | reason |", "|---|---|---|---|"]
        lines += [f"| {md(r['check_id'])} | {md(r.get('tenant') or '')} | {md(r['outcome'])} | {md(r['reason'])}"
                  f"{_plan_links(r)} |" for r in failing]
    else:
        lines.append("None.")
    if summary.diff is not None:
        diff = summary.diff
        lines += ["", "### Since the previous run", "", diff.markdown(), ""]
        for key, heading, _ in CATEGORIES:
            changes = diff.category(key)
            if changes and key not in STILL:
                lines.append(f"- **{md(heading)}**: " + "; ".join(
                    f"{_label(c)} ({md(c.transition)})" + (f": {md(c.reason)}" if c.after else "") for c in changes))
        lines += [f"- {md(heading)}: " + ", ".join(_label(c) for c in diff.category(key))
                  for key, heading, _ in CATEGORIES if key in STILL and diff.category(key)]
    if summary.drift:
        lines += ["", f"### {summary.drift[0].shown.heading}"]
        for item in summary.drift:
            if item.diff is None:
                lines += ["", f"{md(item.tenant)}: {md(item.error)}"]
                continue
            lines += ["", (f"{md(item.tenant)}: {md(_side(item.diff.old))} → {md(_side(item.diff.new))}: "
                      f"{md(item.summary)}")]
            table = drift_table.markdown_table(item.diff)
            if table:
                lines += ["", *table]
    return "\n".join(lines) + "\n"


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` atomically (a reader never sees a part)."""
    write_atomic(path, text)
