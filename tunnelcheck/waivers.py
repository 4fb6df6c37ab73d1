"""Waivers: accepted failures with a reason, an owner and an expiry date (config.example.yaml "waivers").

A failure whose every offending row is covered by an active waiver becomes "waived"; a waiver that has
expired no longer applies, and the row says so. Partly waived failures stay failed, with the waived rows
marked, so nobody mistakes "some waived" for "all fine".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from .check import Finding, Verdict
from .config import Waiver

__all__ = ["apply", "describe"]


def describe(waiver: Waiver) -> str:
    scope = f" object {waiver.object}" if waiver.object else ""
    return f"{waiver.check}{scope}: {waiver.reason} (owner {waiver.owner}, expires {waiver.expires.isoformat()})"


def _matches(waiver: Waiver, check_id: str, finding: Finding) -> bool:
    return waiver.check == check_id and waiver.object in (None, finding.object_id)


def apply(check_id: str, verdict: Verdict, waivers: Iterable[Waiver], today: dt.date) -> tuple[Verdict, set[Waiver]]:
    """The verdict with waivers applied, and the waivers that were used (active and matching a row)."""
    waivers = [w for w in waivers if w.check == check_id]
    if verdict.outcome != "failed" or not waivers:
        return verdict, set()
    used: set[Waiver] = set()
    findings: list[Finding] = []
    for finding in verdict.evidence:
        matching = [w for w in waivers if not finding.ok and _matches(w, check_id, finding)]
        active = [w for w in matching if w.expires >= today]
        if active:
            used.update(active)
            finding = dataclasses.replace(finding, waived=describe(active[0]))
        elif matching:
            expired = max(matching, key=lambda w: w.expires)
            note = f"{finding.note}; " if finding.note else ""
            finding = dataclasses.replace(finding, note=f"{note}waiver expired on {expired.expires.isoformat()}")
        findings.append(finding)
    failing = [f for f in findings if not f.ok]
    if failing and all(f.waived for f in failing):
        reasons = "; ".join(sorted({f.waived for f in failing}))
        return Verdict("waived", f"{verdict.reason}: waived ({reasons})", tuple(findings)), used
    return dataclasses.replace(verdict, evidence=tuple(findings)), used
