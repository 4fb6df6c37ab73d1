"""Hostile tenant data in the text outputs (issue 11): the console and the Markdown step summary.

The hostile demo tenant (tests/hostile.py: markup, Markdown links and images, ESC/CSI/OSC 8/C1/bidi
sequences in every string field), files named with terminal control sequences, waiver text, earlier
results and a user's check: nothing pytest prints, nothing the ``tunnelcheck`` command prints and nothing
in ``--tunnelcheck-markdown`` carries a control character (but the newlines between lines), and the
summary renders (cmark-gfm, GitHub's renderer) with no link, image or raw HTML. The results JSON keeps
the values as they are. Runs are real processes: the bytes checked are the bytes a terminal would get. (Plain tmp_path folders,
not pytester's: pytester drops the modules a test imported, and the in-process record imports the
live stack, which later tests of the same process would then import a second time.)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from emulated import DEMO, SECRET_ENV, isolate, write_config
from hostile import ACTIVE, FIELD_GROUP, USER_CHECK, hostile, render_gfm, write_snapshot

from tunnelcheck.cli.record import add_record_arguments, run_record
from tunnelcheck.emulator import Emulator, Fault

#: File names that drive a terminal: colour, an OSC 8 hyperlink, a C1 CSI (clear screen), a bidi override.
CURRENT = "contoso\x1b[31m\x1b]8;;http:evil\x07osc8\x1b]8;;\x07\x9b2J\u202e"
BASELINE = "baseline\x1b[2J\r.json"
CONFIG = "config\x1b]0;title\x07.yaml"
PREVIOUS = "previous\x1b[5m.json"
CONTROLS = "\x1b]8;;https://evil.example/w\x07[click](https://evil.example/w)\x1b]8;;\x07\r\n\x9b2J"



def _lines_only(text: str) -> str:
    """``text`` without its line breaks (\\n): what must be left holds no active character."""
    return text.replace("\n", "")


def _assert_quiet(text: str, where: str) -> None:
    found = ACTIVE.search(_lines_only(text))
    assert found is None, f"{where}: {found and repr(text[max(0, found.start() - 60):found.end() + 20])}"


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest or the tunnelcheck command in ``folder``, as a terminal would get it: the exact bytes,
    decoded as UTF-8 with no newline translation (a "\r" stays a "\r")."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    done = subprocess.run([sys.executable, *args], cwd=folder, capture_output=True, env=env, timeout=300,
                          check=False)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode("utf-8"),
                                       done.stderr.decode("utf-8"))


def _assert_plain_markdown(markdown: str) -> None:
    """Rendered by GitHub's renderer: headings, paragraphs, lists, tables, emphasis and code of the
    summary's own structure, and no link (but an e-mail address linked to itself), image or raw HTML."""
    rendered = render_gfm(markdown)
    links = re.findall(r'<a href="([^"]*)">(.*?)</a>', rendered)
    assert all(href == f"mailto:{text}" for href, text in links), links
    tags = set(re.findall(r"</?([a-zA-Z][\w-]*)", rendered))
    assert tags <= {"h2", "h3", "p", "ul", "li", "strong", "table", "thead", "tbody", "tr", "th", "td", "a"}, tags
    assert "evil.example" not in "".join(href for href, _ in links)


@pytest.fixture
def hostile_run(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    folder = tmp_path
    write_snapshot(folder / f"{CURRENT}.json", "contoso.json", sealed=False)  # its warning names the file
    write_snapshot(folder / BASELINE, "baseline.json")
    waivers = [
        {"check": "TUN-AND-02", "object": hostile(FIELD_GROUP), "reason": hostile("Field in January") + CONTROLS,
         "owner": hostile("it@contoso.com") + CONTROLS, "expires": "2099-12-31"},
        {"check": "TUN-GW-02", "reason": "never used" + CONTROLS, "owner": "nobody" + CONTROLS,
         "expires": "2099-12-31"},
    ]
    (folder / CONFIG).write_text(json.dumps({"migration": {"defender_features": False}, "waivers": waivers}),
                                 encoding="utf-8")
    gone = {"check_id": hostile("USR-GONE-01") + CONTROLS, "title": hostile("gone"), "outcome": "failed",
            "reason": hostile("it failed") + CONTROLS, "tenant": hostile("another") + CONTROLS, "evidence": []}
    (folder / PREVIOUS).write_text(json.dumps({"tunnelcheck_results": 1, "generated_at": hostile("yesterday"),
                                               "results": [gone]}), encoding="utf-8")
    (folder / "test_user_groups.py").write_text(USER_CHECK, encoding="utf-8")
    result = _run(folder, "-m", "pytest", "-p", "no:cacheprovider", "--color=no", "-v", "-rA",
                  f"--snapshot={CURRENT}.json", f"--baseline={BASELINE}", "--drift", f"--tunnelcheck-config={CONFIG}",
                  f"--tunnelcheck-previous={PREVIOUS}", "--tunnelcheck-markdown=summary.md",
                  "--tunnelcheck-json=results.json", "test_user_groups.py")
    return result, folder


def test_pytest_console_and_summary_carry_no_control_or_link(hostile_run: tuple[Any, Path]) -> None:
    result, folder = hostile_run
    console = result.stdout + result.stderr
    assert result.returncode == 1, console
    assert "Traceback" not in console and "INTERNALERROR" not in console, console
    _assert_quiet(console, "pytest's output")
    # Everything was printed, as escapes: test ids, evidence lines, reasons, waivers, the file's warning.
    label = r"contoso\x1b[31m\x1b]8;;http:evil\x07osc8\x1b]8;;\x07\x9b2J\u202e"
    assert f"tunnelcheck::TUN-AND-05[{label}] FAILED" in console
    assert "test_user_groups.py::test_groups[" in console
    assert r"\x1b]8;;https://evil.example/o\x1b\OSC 8 link" in console  # an evidence line's payload
    assert r"\r\nPASSED forged line" in console and r"\u202eevil bidi" in console
    assert "tunnelcheck: unused waivers" in console and r"never used\x1b]8;;https://evil.example/w\x07" in console
    assert f"XFAIL tunnelcheck::TUN-AND-02[{label}]" in console  # waived: the waiver's text as its reason
    assert f"{label}.json: no sha256" in console

    summary = (folder / "summary.md").read_text("utf-8")
    _assert_quiet(summary, "the Markdown summary")
    _assert_plain_markdown(summary)
    assert r"\[a link\](https\://evil.example/l)" in summary  # the payloads are there, as text

    # The results are data: the values as they are (JSON escapes what it must).
    document = json.loads((folder / "results.json").read_text("utf-8"))
    assert document["tenants"][0]["label"] == CURRENT
    waived = next(r for r in document["results"] if r["check_id"] == "TUN-AND-02")
    assert waived["outcome"] == "waived" and CONTROLS in waived["reason"]


def test_bad_hostile_name_is_a_quiet_usage_error(tmp_path: Path) -> None:
    result = _run(tmp_path, "-m", "pytest", "-p", "no:cacheprovider", f"--snapshot={CURRENT}.json")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    _assert_quiet(result.stdout + result.stderr, "the usage error")
    assert "cannot read the file" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_diff_command_prints_no_control(tmp_path: Path, fmt: str) -> None:
    old = write_snapshot(tmp_path / BASELINE, "baseline.json", sealed=False)  # warned about, by name
    new = write_snapshot(tmp_path / f"{CURRENT}.json", "contoso.json")
    result = _run(tmp_path, "-m", "tunnelcheck.cli", "diff", old.name, new.name, "--format", fmt)
    assert result.returncode == 1, result.stderr
    _assert_quiet(result.stdout + result.stderr, f"tunnelcheck diff --format {fmt}")
    assert r"baseline\x1b[2J\r.json: no sha256" in result.stderr
    if fmt == "json":
        assert json.loads(result.stdout)["new"]["location"] == f"{CURRENT}.json"  # the same data
    if fmt == "markdown":
        _assert_plain_markdown(result.stdout)
    if fmt == "html":
        assert "<img" not in result.stdout and "<svg" not in result.stdout and "<script>" not in result.stdout
    missing = _run(tmp_path, "-m", "tunnelcheck.cli", "diff", old.name, "gone\x1b[2J.json")
    assert missing.returncode == 2 and r"gone\x1b[2J.json" in missing.stderr
    _assert_quiet(missing.stderr, "tunnelcheck diff's error")


def test_accept_command_prints_no_control(tmp_path: Path) -> None:
    write_snapshot(tmp_path / "baseline.json", "baseline.json")
    new = write_snapshot(tmp_path / f"{CURRENT}.json", "contoso.json")
    result = _run(tmp_path, "-m", "tunnelcheck.cli", "accept", new.name, "--baseline", "baseline.json")
    assert result.returncode == 0, result.stderr
    _assert_quiet(result.stdout + result.stderr, "tunnelcheck accept")
    assert r"accepted contoso\x1b[31m" in result.stdout and "objects drifted" in result.stdout


def test_live_graph_error_reaches_no_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A Graph error whose code and request id hold control sequences: pytest --tenant's failure text and
    tunnelcheck record's "not recorded" line show them escaped."""
    isolate(monkeypatch)
    body = json.dumps({"error": {"code": "Bad\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x9b2J",
                                 "innerError": {"request-id": "id\r\nPASSED forged"}}})
    with Emulator(snapshot=DEMO) as emu:
        emu.faults = [Fault("microsoftTunnelSites", status=400, body=body, times=None)]
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, tmp_path / "cfg.yaml")
        result = _run(tmp_path, "-m", "pytest", "-p", "no:cacheprovider", "--color=no", "-rA",
                      f"--tenant={emu.tenant_id}", f"--tunnelcheck-config={cfg}", "-m", "inventory")
        parser = argparse.ArgumentParser()
        add_record_arguments(parser)
        status = run_record(parser.parse_args(["--tenant", emu.tenant_id, "-o", str(tmp_path / "rec.json"),
                                               "--tunnelcheck-config", str(cfg)]))
    console = result.stdout + result.stderr
    assert result.returncode == 1, console
    _assert_quiet(console, "pytest --tenant")
    # Graph's error code is made printable where it is read (tunnelcheck.sources.graph.client.printable): each
    # control character is a "?", so nothing of it reaches a terminal, a report or the results.
    assert "HTTP 400 Bad?]8;;https://evil.example?click" in console
    assert status == 1
    err = capsys.readouterr().err
    _assert_quiet(err, "tunnelcheck record")
    assert "not recorded: deviceManagement/microsoftTunnelSites: HTTP 400 Bad?]8;;" in err
