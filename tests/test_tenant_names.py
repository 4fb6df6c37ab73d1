"""What names a tenant (README "Naming a tenant"): the config's ``name``, else the name recorded in the
snapshot (``tunnelcheck record --tenant X`` records X, or the config's name), else the ``--tenant`` value,
else the snapshot's file name. The name is the tenant's in the test ids, the report's title, the results
JSON and the Markdown summary; a hostile one is bounded and neutralised in each, and made a safe file name
(ci/nightly.sh's snapshot: tests/test_nightly.py)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from emulated import DEMO, SECRET_ENV, isolate, settings_for
from hostile import ACTIVE, HTML_PAYLOADS, TEXT_PAYLOADS, render_gfm

from tunnelcheck import config
from tunnelcheck.emulator import Emulator
from tunnelcheck.errors import ConfigError
from tunnelcheck.model.resources import Resource
from tunnelcheck.sources import snapshot
from tunnelcheck.sources.graph import open_tenant, record
from tunnelcheck.tenant import MAX_NAME, tenant_label
from tunnelcheck.untrusted import MAX_FILE_NAME, for_file_name

ROOT = Path(__file__).resolve().parents[1]
GIVEN = "contoso.onmicrosoft.com"  # what the user calls the tenant on the command line
SAFE_FILE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


# ---------------------------------------------------------------------------------------------------
# The name, and the file name made of it


def test_the_first_name_with_text_wins_on_one_line_and_bounded() -> None:
    assert tenant_label("Contoso (production)", GIVEN, "tonight") == "Contoso (production)"
    assert tenant_label(None, "  ", GIVEN, "tonight") == GIVEN
    assert tenant_label(None, None, "tonight") == "tonight"
    assert tenant_label() == tenant_label(None, " \n ") == ""
    assert tenant_label(" Contoso\r\n\tEU\u2028 ") == "Contoso EU"  # no line of its own in any output
    long = tenant_label("x" * 1000)
    assert len(long) == MAX_NAME and long.endswith("…") and long.startswith("x" * (MAX_NAME - 1))
    assert tenant_label("x" * MAX_NAME) == "x" * MAX_NAME


@pytest.mark.parametrize(("name", "file_name"), [
    ("contoso.onmicrosoft.com", "contoso.onmicrosoft.com"),
    ("6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10", "6f1c2a4e-0d5b-4c8e-9a61-3e2f7b9d4c10"),
    ("Contoso Ltd (EU)", "contoso-ltd-eu"),
    ("Ünïcödé_Tenant", "unicode_tenant"),
    ("../../etc/passwd", "etc-passwd"),
    ("..", None),
    ("-rf --no-preserve-root", "rf-no-preserve-root"),
    (".hidden", "hidden"),
    ("x\x1b[31m\r\n\u202e", "x-31m"),
    ("CON", "tenant-con"),
    ("nul.json", "tenant-nul.json"),
    ("a" * 500, "a" * MAX_FILE_NAME),
])
def test_a_name_makes_a_safe_file_name(name: str, file_name: str | None) -> None:
    made = for_file_name(name)
    assert SAFE_FILE_NAME.fullmatch(made) and len(made) <= MAX_FILE_NAME + len("tenant-")
    assert made == file_name or (file_name is None and made.startswith("tenant-"))


def test_names_with_nothing_safe_left_still_make_different_file_names() -> None:
    made = {for_file_name(n) for n in ("日本", "中国", "..", "***", "")}
    assert len(made) == 5 and all(SAFE_FILE_NAME.fullmatch(m) and m.startswith("tenant-") for m in made)


def test_config_name() -> None:
    assert config.parse({"name": "  Contoso (production) "}).name == "Contoso (production)"
    assert config.parse({}).name is None
    text = (ROOT / "config.example.yaml").read_text("utf-8")
    assert re.search(r"^# name: ", text, flags=re.MULTILINE), "config.example.yaml documents name"


@pytest.mark.parametrize(("value", "message"), [
    ("Contoso\nEU", "name: expected one line of printable text, got 'Contoso\\nEU'"),
    ("x" * (MAX_NAME + 1), "name: expected at most 100 characters, got 101"),
    ("Contoso\u202eUE", "name: expected one line of printable text, got 'Contoso\\u202eUE'"),
    (42, "name: expected one line of printable text, got an integer"),
    ("  ", "name: expected one line of printable text, got '  '"),
])
def test_a_bad_config_name_is_refused_in_one_line(value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.parse({"name": value}, "cfg.yaml")
    assert str(caught.value) == f"cfg.yaml: {message}"


# ---------------------------------------------------------------------------------------------------
# Recording keeps the name; a live tenant is named the same way


def _settings(emu: Emulator, monkeypatch: pytest.MonkeyPatch, name: str | None = None) -> config.Config:
    """Settings for ``emu``: it signs in by its tenant id (auth.tenant_id), whatever --tenant says."""
    isolate(monkeypatch)
    auth = {"method": "client-secret", "client_id": emu.client_id, "client_secret_env": SECRET_ENV,
            "tenant_id": emu.tenant_id}
    return settings_for(emu, monkeypatch, auth=auth, **({"name": name} if name else {}))


@pytest.mark.parametrize(("name", "expected"), [(None, GIVEN), ("Contoso (production)", "Contoso (production)")])
def test_recording_keeps_the_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str | None,
                                  expected: str) -> None:
    with Emulator(snapshot=DEMO) as emu:
        settings = _settings(emu, monkeypatch, name)
        path = tmp_path / "tonight.json.gz"
        record(GIVEN, settings, path, resources=[Resource.GROUPS])
        assert open_tenant(GIVEN, settings, [Resource.GROUPS]).info.label == expected
    recorded = snapshot.read(path)
    assert (recorded.name, recorded.tenant_id) == (expected, emu.tenant_id)
    assert snapshot.load_tenant(path).info.label == expected  # not "tonight"
    assert snapshot.load_tenant(path, label="Fabrikam").info.label == "Fabrikam"  # the config's name wins


# ---------------------------------------------------------------------------------------------------
# A run: test ids, results, summary, report and JUnit name the tenant


def _snapshot(folder: Path, file_name: str, name: str | None) -> str:
    document = json.loads(DEMO.read_text("utf-8"))
    if name is not None:
        document["name"] = name
    snapshot.write(folder / file_name, document)
    return file_name


def _run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-v", "--tunnelcheck-json=results.json", "--tunnelcheck-markdown=summary.md",
        "--junitxml=junit.xml", "--html=report.html", "--self-contained-html", *args)
    return result, json.loads((pytester.path / "results.json").read_text("utf-8"))


def _report_title(path: Path) -> str:
    html = path.read_text("utf-8")
    (title,) = re.findall(r'<title id="head-title">(.*?)</title>', html, flags=re.DOTALL)
    return unescape(title.strip())


@pytest.mark.parametrize(("recorded", "configured", "expected"), [
    ("Contoso (production)", None, "Contoso (production)"),  # the name recorded in the snapshot
    ("Contoso (production)", "Fabrikam EU", "Fabrikam EU"),  # the config's name wins
    (None, None, "tonight"),  # neither: the file's name
])
def test_a_run_names_the_tenant_everywhere(pytester: pytest.Pytester, recorded: str | None, configured: str | None,
                                           expected: str) -> None:
    path = _snapshot(pytester.path, "tonight.json", recorded)
    settings = {"migration": {"defender_features": False}, **({"name": configured} if configured else {})}
    (pytester.path / "cfg.yaml").write_text(json.dumps(settings), encoding="utf-8")
    result, document = _run(pytester, f"--snapshot={path}", "--tunnelcheck-config=cfg.yaml")
    assert result.ret == 1, result.stdout.str()  # the demo tenant is mid-migration
    assert f"tunnelcheck::TUN-AND-05[{expected}] FAILED" in result.stdout.str()
    assert [t["label"] for t in document["tenants"]] == [expected]
    assert {r["tenant"] for r in document["results"]} == {expected}
    summary = (pytester.path / "summary.md").read_text("utf-8")
    assert summary.splitlines()[0] == f"## tunnelcheck: {expected}"
    assert _report_title(pytester.path / "report.html") == f"tunnelcheck: {expected}"
    cases = [c.get("name") for c in ET.parse(pytester.path / "junit.xml").iter("testcase")]
    assert cases and all(c.endswith(f"[{expected}]") for c in cases)


HOSTILE = (f"Contoso {HTML_PAYLOADS[0]} {TEXT_PAYLOADS[0]} {TEXT_PAYLOADS[5]}\r\nPASSED forged {TEXT_PAYLOADS[9]} "
           + "x" * 200)


def test_a_hostile_recorded_name_is_bounded_and_neutralised(pytester: pytest.Pytester) -> None:
    path = _snapshot(pytester.path, "tonight.json", HOSTILE)
    result, document = _run(pytester, f"--snapshot={path}")
    console = result.stdout.str() + result.stderr.str()
    assert result.ret == 1, console
    # The results keep the name as data, on one line and bounded.
    (label,) = [t["label"] for t in document["tenants"]]
    assert len(label) == MAX_NAME and label.endswith("…") and "\n" not in label and "\r" not in label
    assert label.startswith(f"Contoso {HTML_PAYLOADS[0]} {TEXT_PAYLOADS[0]} ")
    # The console: the test ids show the control characters as escapes, no line is forged.
    assert ACTIVE.search(console.replace("\n", "")) is None
    assert not re.search(r"^PASSED forged", console, flags=re.MULTILINE)
    assert r"tunnelcheck::TUN-AND-05[Contoso <img src=x onerror=__pwned=1> [a link](https://evil.example/l) " \
           r"\x1b[2J\x1b[31mred PASSED forged" in console
    # The Markdown summary: its title renders as text, no link, image or markup.
    summary = (pytester.path / "summary.md").read_text("utf-8")
    assert ACTIVE.search(summary.replace("\n", "")) is None
    title = render_gfm(summary.splitlines()[0])
    assert title.startswith("<h2>tunnelcheck: Contoso &lt;img src=x onerror=__pwned=1&gt; [a link](https://evil")
    assert "<a " not in title and "<img" not in title
    # The report: the name is text in its title and everywhere else.
    html = (pytester.path / "report.html").read_text("utf-8")
    assert HTML_PAYLOADS[0] not in html and "\x1b" not in html
    assert _report_title(pytester.path / "report.html").startswith(f"tunnelcheck: Contoso {HTML_PAYLOADS[0]} ")
    # JUnit (the CI's test tab) parses, every case named by the bounded name.
    cases = [c.get("name") for c in ET.parse(pytester.path / "junit.xml").iter("testcase")]
    assert cases and all(c.endswith("…]") for c in cases)
    assert SAFE_FILE_NAME.fullmatch(for_file_name(label))


def test_one_config_name_cannot_name_two_tenants(pytester: pytest.Pytester) -> None:
    _snapshot(pytester.path, "a.json", "Contoso")
    _snapshot(pytester.path, "b.json", "Fabrikam")
    (pytester.path / "cfg.yaml").write_text("name: Contoso\n", encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--snapshot=a.json", "--snapshot=b.json",
                                           "--tunnelcheck-config=cfg.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "cfg.yaml: name: names one tenant, but this run has 2" in result.stderr.str()
    # Without it, each tenant is named by its recorded name.
    named = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--snapshot=a.json", "--snapshot=b.json",
                                          "--tunnelcheck-json=results.json")
    assert named.ret == 1
    document = json.loads((pytester.path / "results.json").read_text("utf-8"))
    assert [t["label"] for t in document["tenants"]] == ["Contoso", "Fabrikam"]
