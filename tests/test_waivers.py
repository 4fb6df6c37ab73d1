"""Waivers (config.example.yaml "waivers"): tunnelcheck.waivers.apply on verdicts, and the whole path through pytest."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import tunnelcheck.demo
from tunnelcheck.check import Finding, Verdict
from tunnelcheck.config import Waiver
from tunnelcheck.waivers import apply, describe

TODAY = dt.date(2026, 11, 26)
LATER = dt.date(2027, 1, 31)
YESTERDAY = dt.date(2026, 11, 25)


def row(object_id: str, ok: bool = False, note: str = "", prop: str = "tunnelServerHealthStatus") -> Finding:
    return Finding("server", object_id, object_id.upper(), prop, "healthy" if ok else "offline", ok, note)


FAILED = Verdict("failed", "2 Tunnel Gateway problem(s)", (row("srv-1", ok=True), row("srv-2"), row("srv-3")))


def waiver(check: str = "TUN-GW-01", obj: str | None = None, expires: dt.date = LATER,
           reason: str = "replacement hardware ordered") -> Waiver:
    return Waiver(check=check, reason=reason, owner="netops@contoso.com", expires=expires, object=obj)


def test_describe() -> None:
    assert describe(waiver(obj="srv-2")) == ("TUN-GW-01 object srv-2: replacement hardware ordered "
                                             "(owner netops@contoso.com, expires 2027-01-31)")
    assert describe(waiver()) == ("TUN-GW-01: replacement hardware ordered (owner netops@contoso.com, "
                                  "expires 2027-01-31)")


def test_active_waiver_on_every_failing_row_waives_the_check() -> None:
    w = waiver()
    verdict, used = apply("TUN-GW-01", FAILED, [w], TODAY)
    assert verdict.outcome == "waived"
    assert verdict.reason == f"2 Tunnel Gateway problem(s): waived ({describe(w)})"
    assert [(f.object_id, f.waived) for f in verdict.evidence] == [
        ("srv-1", ""), ("srv-2", describe(w)), ("srv-3", describe(w))]
    assert used == {w}


def test_waiver_expiring_today_still_applies() -> None:
    verdict, used = apply("TUN-GW-01", FAILED, [waiver(expires=TODAY)], TODAY)
    assert verdict.outcome == "waived" and len(used) == 1


def test_object_scoped_waivers_covering_every_offender() -> None:
    w2, w3 = waiver(obj="srv-2"), waiver(obj="srv-3", reason="decommissioned next week")
    verdict, used = apply("TUN-GW-01", FAILED, [w2, w3], TODAY)
    assert verdict.outcome == "waived"
    assert {f.object_id: f.waived for f in verdict.evidence if not f.ok} == {"srv-2": describe(w2),
                                                                           "srv-3": describe(w3)}
    assert describe(w2) in verdict.reason and describe(w3) in verdict.reason
    assert used == {w2, w3}


def test_object_scoped_waiver_covers_every_row_of_that_object() -> None:
    verdict = Verdict("failed", "2 problem(s)", (row("p-1", prop="alwaysOn"), row("p-1", prop="proxyServer.port")))
    waived, _ = apply("TUN-AND-04", verdict, [waiver("TUN-AND-04", obj="p-1")], TODAY)
    assert waived.outcome == "waived"


def test_partial_waiver_stays_failed_with_the_waived_rows_marked() -> None:
    w = waiver(obj="srv-2")
    verdict, used = apply("TUN-GW-01", FAILED, [w], TODAY)
    assert verdict.outcome == "failed"
    assert verdict.reason == FAILED.reason
    assert [(f.object_id, f.waived) for f in verdict.evidence] == [("srv-1", ""), ("srv-2", describe(w)),
                                                                   ("srv-3", "")]
    assert used == {w}  # it did cover a row
    marked = next(f for f in verdict.evidence if f.waived)
    assert marked.line().startswith("WAIVED server SRV-2 (srv-2)")
    assert marked.as_dict()["waived"] == describe(w)
    assert "waived" not in verdict.evidence[2].as_dict()


def test_expired_waiver_no_longer_applies_and_the_row_says_so() -> None:
    verdict, used = apply("TUN-GW-01", FAILED, [waiver(expires=YESTERDAY)], TODAY)
    assert verdict.outcome == "failed"
    assert [(f.object_id, f.waived, f.note) for f in verdict.evidence] == [
        ("srv-1", "", ""), ("srv-2", "", "waiver expired on 2026-11-25"), ("srv-3", "", "waiver expired on 2026-11-25")]
    assert used == set()


def test_expired_note_is_added_to_an_existing_note() -> None:
    verdict = Verdict("failed", "1 problem(s)", (row("srv-2", note="site Contoso-EU"),))
    expired, _ = apply("TUN-GW-01", verdict, [waiver(expires=YESTERDAY)], TODAY)
    assert expired.evidence[0].note == "site Contoso-EU; waiver expired on 2026-11-25"


def test_the_latest_expiry_is_reported() -> None:
    old = waiver(expires=dt.date(2026, 1, 1))
    verdict, _ = apply("TUN-GW-01", FAILED, [waiver(expires=YESTERDAY), old], TODAY)
    assert all("waiver expired on 2026-11-25" in f.note for f in verdict.evidence if not f.ok)


def test_an_active_waiver_beats_an_expired_one() -> None:
    active = waiver(obj="srv-2")
    verdict, used = apply("TUN-GW-01", FAILED, [waiver(expires=YESTERDAY), active], TODAY)
    assert verdict.outcome == "failed"
    by_id = {f.object_id: f for f in verdict.evidence}
    assert (by_id["srv-2"].waived, by_id["srv-2"].note) == (describe(active), "")
    assert (by_id["srv-3"].waived, by_id["srv-3"].note) == ("", "waiver expired on 2026-11-25")
    assert used == {active}


def test_waiver_of_another_check_is_ignored() -> None:
    verdict, used = apply("TUN-GW-01", FAILED, [waiver("TUN-GW-02"), waiver("TUN-DEV-01", obj="srv-2")], TODAY)
    assert verdict == FAILED and used == set()


def test_waiver_of_an_object_that_is_not_offending_is_unused() -> None:
    verdict, used = apply("TUN-GW-01", FAILED, [waiver(obj="srv-1"), waiver(obj="srv-9")], TODAY)
    assert verdict.outcome == "failed" and not any(f.waived for f in verdict.evidence)
    assert used == set()


@pytest.mark.parametrize("outcome", ["passed", "skipped", "error"])
def test_only_failures_are_waived(outcome: str) -> None:
    verdict = Verdict(outcome, "whatever", (row("srv-1", ok=True),))
    assert apply("TUN-GW-01", verdict, [waiver()], TODAY) == (verdict, set())


# ---------------------------------------------------------------------------------------------------
# End to end: the demo tenant through pytest

DEMO = Path(tunnelcheck.demo.__file__).resolve().parent / "contoso.json"


def write_config(pytester: pytest.Pytester, waivers: str) -> Path:
    return pytester.makefile(".yaml", tunnelcheck=f"migration:\n  defender_features: false\nwaivers:\n{waivers}")


def test_waivers_end_to_end(pytester: pytest.Pytester) -> None:
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    expired = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    config = write_config(pytester, f"""\
  - check: TUN-GW-01
    reason: srv-eu-2 is being replaced
    owner: netops@contoso.com
    expires: {later}
  - check: TUN-DEV-01
    object: dev-1
    reason: device in repair
    owner: helpdesk@contoso.com
    expires: {later}
  - check: TUN-IOS-07
    reason: iOS cut-over postponed
    owner: mobility@contoso.com
    expires: {expired}
  - check: TUN-AND-04
    reason: not needed any more
    owner: mobility@contoso.com
    expires: {later}
""")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--snapshot", str(DEMO), "--tunnelcheck-config", str(config),
        "--tunnelcheck-json", "results.json", "-rxX")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    outcomes = result.parseoutcomes()
    assert outcomes["xfailed"] == 1
    result.stdout.fnmatch_lines(["XFAIL *TUN-GW-01[[]contoso[]]*"])

    results = {r["check_id"]: r for r in json.loads((pytester.path / "results.json").read_text())["results"]}
    gw01 = results["TUN-GW-01"]
    assert gw01["outcome"] == "waived"
    assert "srv-eu-2 is being replaced" in gw01["reason"]
    assert [f["object_id"] for f in gw01["evidence"] if f.get("waived")] == ["srv-eu-2"]

    dev01 = results["TUN-DEV-01"]  # dev-1 waived, dev-2 not: still failed, the waived row marked
    assert dev01["outcome"] == "failed"
    assert {f["object_id"]: bool(f.get("waived")) for f in dev01["evidence"] if not f["ok"]} == {
        "dev-1": True, "dev-2": False}

    ios07 = results["TUN-IOS-07"]  # expired: applies no more, and says so
    assert ios07["outcome"] == "failed"
    assert [f["note"] for f in ios07["evidence"] if not f["ok"]] == [
        f"standalone profile still assigned; waiver expired on {expired}"]

    assert results["TUN-AND-04"]["outcome"] == "passed"
    section = result.stdout.str().split("tunnelcheck: unused waivers", 1)[1].splitlines()
    unused = [line for line in section[1:5] if line.startswith("TUN-")]
    assert unused == [
        f"TUN-IOS-07: iOS cut-over postponed (owner mobility@contoso.com, expires {expired}) [expired]",
        f"TUN-AND-04: not needed any more (owner mobility@contoso.com, expires {later})",
    ]


def test_waiver_of_an_unknown_check_is_a_one_line_error(pytester: pytest.Pytester) -> None:
    config = write_config(pytester, """\
  - check: TUN-XXX-99
    reason: typo
    owner: someone@contoso.com
    expires: 2099-01-01
""")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--snapshot", str(DEMO),
                                           "--tunnelcheck-config", str(config))
    assert result.ret not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
    output = result.stdout.lines + result.stderr.lines
    errors = [line for line in output if "waivers[0].check" in line]
    assert len(errors) == 1
    assert errors[0].endswith(f"{config.name}: waivers[0].check: unknown check 'TUN-XXX-99'")
    assert not any("Traceback" in line for line in output)
