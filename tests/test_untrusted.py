"""The neutralising functions (tunnelcheck.untrusted), one per medium, on every hostile payload and under
hypothesis. Markdown is rendered by cmark-gfm, GitHub's own renderer (as $GITHUB_STEP_SUMMARY is): what
tunnelcheck writes must render as exactly its text, with no link, image or raw HTML."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest

from hostile import ACTIVE, HTML_PAYLOADS, TEXT_PAYLOADS, render_gfm
from hypothesis import given, settings
from hypothesis import strategies as st

from tunnelcheck import config
from tunnelcheck.errors import TunnelcheckError
from tunnelcheck.plan import load_plan
from tunnelcheck.reports import fleet, summary
from tunnelcheck.untrusted import (
    LONE_SURROGATE,
    for_html,
    for_markdown,
    for_terminal,
    for_terminal_json,
    holds_lone_surrogate,
)

ROOT = Path(__file__).resolve().parents[1]
PAYLOADS = HTML_PAYLOADS + TEXT_PAYLOADS + (
    "[x]: https://evil.example/def", "[x]", "[^1]", "- [ ] task", "# heading", "> quote", "1. item", "```fence",
    "~~~fence", "| a | b |", "*bold* _em_ ~~strike~~", "`code`", "a\\", "mailto:a@evil.example",
    "\\[escaped\\](https://evil.example)", "www.Evil.example HTTP://EVIL.EXAMPLE", "<!-- comment -->",
    "&lt;img src=x onerror=alert(1)&gt;", "a@b.example", "\u2028line\u2029para\x85nel\x0bvt\x0cff",
)
FUZZ = settings(max_examples=300, deadline=None, derandomize=True)


def test_terminal_shows_every_control_as_its_escape() -> None:
    for payload in PAYLOADS:
        shown = for_terminal(payload)
        assert not ACTIVE.search(shown), repr(shown)
    assert for_terminal("a\x1b[31mb\x1b]8;;https://evil.example\x07c\x9bd\r\ne\u202ef\tg") == \
        "a\\x1b[31mb\\x1b]8;;https://evil.example\\x07c\\x9bd\\r\\ne\\u202ef\tg"
    assert for_terminal("Müller – 東京 ✓") == "Müller – 東京 ✓"  # printable text stays as it is


@given(st.text())
@FUZZ
def test_terminal_any_text(text: str) -> None:
    shown = for_terminal(text)
    assert not ACTIVE.search(shown)
    assert for_terminal(shown) == shown  # idempotent
    if not ACTIVE.search(text):
        assert shown == text


@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text()),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)))
@FUZZ
def test_terminal_json_is_the_same_data(document: object) -> None:
    text = for_terminal_json(document)
    assert json.loads(text) == document
    assert not ACTIVE.search(text.replace("\n", ""))  # only the indentation's newlines


def test_html_escapes_markup_and_quotes() -> None:
    assert for_html("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert for_html("\"'&") == "&quot;&#x27;&amp;"
    assert for_html(None) == "None" and for_html(5) == "5"


# ---------------------------------------------------------------------------------------------------
# Markdown, through GitHub's renderer


_SELF_LINK = re.compile(r'<a href="(?:mailto|xmpp):([^"]*)">(?:(?:mailto|xmpp):)?\1</a>')


def _tags_and_text(rendered: str) -> tuple[set[str], str]:
    """The tags of the rendered HTML and its text. An e-mail address that GitHub links to itself (the one
    link escaping cannot prevent, tunnelcheck.untrusted's known limit) counts as its text."""
    rendered = _SELF_LINK.sub(lambda m: m[0][m[0].index(">") + 1:-4], rendered)
    tags = set(re.findall(r"</?([a-zA-Z][\w-]*)", rendered))
    return tags, html.unescape(re.sub(r"<[^>]*>", "", rendered))


def _expected(value: str) -> str:
    return for_terminal(" ".join(value.split()))


def _assert_plain(value: str) -> None:
    """``value`` through for_markdown renders as exactly its text, at the start of a line (as a tenant
    label in the summary's drift section) and in a table cell, with no other element."""
    line = render_gfm(f"{for_markdown(value)}: end\n")
    tags, text = _tags_and_text(line)
    expected = _expected(value)
    assert tags <= {"p"}, (value, line)
    assert text.strip() == f"{expected}: end".strip(), (value, line)

    table = render_gfm(f"| a | b |\n|---|---|\n| {for_markdown(value)} | end |\n")
    tags, text = _tags_and_text(table)
    assert tags <= {"table", "thead", "tbody", "tr", "th", "td"}, (value, table)
    cells = re.findall(r"<td>(.*?)</td>", table, re.DOTALL)
    assert len(cells) == 2 and cells[1] == "end", (value, table)
    assert _tags_and_text(cells[0])[1] == expected, (value, table)


def test_markdown_every_payload_is_plain_text() -> None:
    for payload in PAYLOADS:
        _assert_plain(payload)
        _assert_plain(f"SG-Field {payload} tail")


def test_markdown_hostile_examples() -> None:
    assert for_markdown("[a link](https://evil.example/l)") == "\\[a link\\](https\\://evil.example/l)"
    assert for_markdown("<https://evil.example/a>") == "&lt;https\\://evil.example/a&gt;"
    assert for_markdown("a | b\n c") == "a \\| b c"
    assert for_markdown("- x") == "\\- x" and for_markdown("2. x") == "2\\. x"
    assert for_markdown("2026-11-26T10:00:00Z") == "2026-11-26T10:00:00Z"  # ordinary values stay readable
    assert for_markdown("\x1b[31mred") == "\\\\x1b\\[31mred"


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
@FUZZ
def test_markdown_any_text_renders_as_itself(text: str) -> None:
    _assert_plain(text)


def test_one_html_escape_in_the_package() -> None:
    """Every HTML tunnelcheck writes escapes through for_html (the dashboard's SVG through ElementTree):
    no other module escapes on its own."""
    found = [path.relative_to(ROOT) for path in sorted((ROOT / "tunnelcheck").rglob("*.py"))
             if path.name != "untrusted.py" and re.search(r"html\.escape|from html import .*escape",
                                                          path.read_text("utf-8"))]
    assert found == []


# ---------------------------------------------------------------------------------------------------
# Text that is no text: a lone surrogate, refused wherever a file enters


_RESULTS = '{"tunnelcheck_results": 1, "results": [{"check_id": "TUN-X\\udfff", "outcome": "passed", "tenant": "t", "phase": "inventory"}]}'
_PLAN = '{"tunnelcheck_plan": 1, "steps": [{"title": "\\ud800"}]}'
_CONFIG = 'name: "contoso \\ud800"\n'


def test_every_file_reader_refuses_a_lone_surrogate_in_one_line(tmp_path: Path) -> None:
    """A previous results file, a fleet's results, a plan.json and a config holding ``\\ud800`` each give
    the one line, before anything is written with it (each would crash the first UTF-8 file written)."""
    for name, text in (("r.json", _RESULTS), ("plan.json", _PLAN), ("c.yaml", _CONFIG)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    readers = [lambda: summary.load_results(tmp_path / "r.json"), lambda: load_plan(str(tmp_path / "plan.json")),
               lambda: config.load(tmp_path / "c.yaml")]
    for read in readers:
        with pytest.raises(TunnelcheckError) as raised:
            read()
        assert str(raised.value).endswith(LONE_SURROGATE)
    with pytest.raises(fleet.Unreadable, match=re.escape(LONE_SURROGATE)):
        fleet.read_results(tmp_path / "r.json")
    # A pair of surrogates is one character, and dates (YAML's) are no text to look through.
    assert not holds_lone_surrogate({"name": "\U0001F600", "when": dt.date(2026, 1, 1)})
