"""Text from a tenant, a snapshot, a token, a file or a file name, made inert for the medium it is written to.

Every such value is hostile until shown otherwise: a group name, an object id, a snapshot's ``source``,
``tenant_id`` or ``recorded_at``, a token's ``tid`` claim, a file name, a waiver's text, an error message
that echoes any of these. One function per medium, each used wherever tunnelcheck writes that medium:

- :func:`for_html`: the HTML report (pytest-html's environment table and test ids, tunnelcheck's extras
  and dashboard) and ``tunnelcheck diff --format html``: no markup, in element content or in a quoted
  attribute, and no control character (shown as :func:`for_terminal` shows it: a bidirectional override
  cannot reorder what an auditor reads, and HTML printed to a console stays inert). The dashboard's SVG
  is serialised by ``xml.etree``, which escapes markup the same way.
- :func:`for_markdown`: ``--tunnelcheck-markdown`` (``$GITHUB_STEP_SUMMARY``) and ``tunnelcheck diff
  --format markdown``: one line, no raw HTML, no link, image or autolink (``[t](u)``, ``![x](u)``,
  ``<http://…>``, a bare ``http://…`` or ``www.…``), no table cell broken, no emphasis or code span, and
  no terminal control sequence (the file is often printed by CI too). Known limit: GitHub still links
  a bare e-mail address, to itself (``mailto:``), whatever the escaping.
- :func:`for_terminal`: what pytest prints (test ids, failure text, skip and waiver reasons, usage errors)
  and what the ``tunnelcheck`` command prints: no ESC (so no CSI, OSC or OSC 8 hyperlink), no other C0
  or C1 control, no line break or carriage return (a value cannot forge a line), no bidirectional
  override; each is shown as its Python escape (``\\x1b``, ``\\n``, ``\\u202e``). Tabs stay.
- :func:`for_file_name`: a file name made of a value (ci/nightly.sh's snapshot, named after the tenant):
  lower-case ASCII letters, digits, ``.``, ``-`` and ``_`` only, so no folder, no hidden file, nothing a
  shell or another system reads otherwise.

Text that is not Unicode at all, a lone surrogate escape in JSON (``"\\ud800"``: Python reads it, UTF-8
cannot write it), is refused where JSON enters, by :func:`lone_surrogate_in` (a snapshot file, a Graph
answer): no output could hold it.

Only values are neutralised: the structure around them (tags, table pipes, the newlines between lines)
is tunnelcheck's own. Apply a function once, where the value enters its medium: :func:`for_terminal` is
idempotent, but :func:`for_html` and :func:`for_markdown` escape their own escapes.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata

__all__ = ["LONE_SURROGATE", "for_file_name", "for_html", "for_markdown", "for_terminal", "for_terminal_json",
           "holds_lone_surrogate", "lone_surrogate_in"]

#: How an input holding a lone surrogate is refused.
LONE_SURROGATE = "not valid Unicode text: a lone surrogate escape (such as \\ud800), which no report or file can hold"

#: A JSON escape of a surrogate (``\ud800``–``\udfff``): a pair of them is a character, a lone one is no text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def holds_lone_surrogate(value: object) -> bool:
    """Whether ``value`` (a str, or a document of dicts, lists and scalars: JSON's or YAML's) holds a lone
    surrogate in a key or a value: text that UTF-8, and so every file tunnelcheck writes, cannot encode."""
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def lone_surrogate_in(text: str, parsed: object) -> bool:
    """Whether ``parsed``, the JSON document read from ``text`` (decoded as strict UTF-8, so it holds no raw
    surrogate), holds a lone one. Only a document whose text escapes a surrogate is looked through."""
    return _SURROGATE_ESCAPE.search(text) is not None and holds_lone_surrogate(parsed)

# DEL, C1 controls; the Unicode line and paragraph separators; the bidirectional marks, embeddings,
# overrides and isolates ("Trojan Source": text that displays in another order). JSON writes these raw.
_ABOVE_ASCII = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\x00-\x08\x0a-\x1f{_ABOVE_ASCII}]")  # and the C0 controls but tab
_JSON_RAW = re.compile(f"[{_ABOVE_ASCII}]")
# What CommonMark/GFM give a meaning to inside a line of text: links and images ([ ]), code spans (`),
# emphasis and strikethrough (* _ ~), table cells (|), headings (#), and the backslash itself.
_MARKDOWN_PUNCTUATION = re.compile(r"[\\`*_\[\]|~#]")
# GFM's extended autolinks: a scheme's "://" and "www." (an escaped ":" or "." unlinks them).
_AUTOLINK = re.compile(r":(?=//)|(?<=[wW]{3})\.")
# A value may begin a line: a list item's marker there ("-", "+", "1.", "1)") would start a list.
_LIST_MARKER = re.compile(r"^(?=[-+]|\d{1,9}[.)])(\d*)(.)")


def _visible(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]  # '\x1b' -> \x1b, '\n' -> \n, '\u202e' -> \u202e


def for_terminal(value: object) -> str:
    """``value`` as one line safe to print: every control character shown as its escape."""
    return _CONTROLS.sub(_visible, str(value))


def for_terminal_json(document: object) -> str:
    """``document`` as indented JSON to print: the same data, with the control characters JSON leaves raw
    (it escapes those below U+0020 itself) as ``\\uXXXX`` escapes; other non-ASCII text stays readable."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m[0]):04x}", text)  # only ever inside strings


def for_html(value: object) -> str:
    """``value`` as HTML text, safe in element content and in a quoted attribute; control characters
    shown as :func:`for_terminal` shows them."""
    return html.escape(for_terminal(value), quote=True)


def for_markdown(value: object) -> str:
    """``value`` as one line of Markdown text (a paragraph, list item or table cell) that renders as
    exactly that text: whitespace runs become one space, control characters their escapes."""
    text = for_terminal(" ".join(str(value).split()))
    text = html.escape(text, quote=False)  # no raw HTML, no <autolink>, no entity of ours decoded
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\g<0>", text)
    text = _AUTOLINK.sub(r"\\\g<0>", text)
    return _LIST_MARKER.sub(r"\1\\\2", text)


#: The longest name :func:`for_file_name` makes (before the caller's suffix, such as ``.json.gz``).
MAX_FILE_NAME = 64
_FILE_NAME_UNSAFE = re.compile(r"[^a-z0-9._]+")  # "-" too: each run becomes one "-"
#: Names Windows gives to devices whatever their extension (an artifact is often opened on Windows).
_WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(10))})


def for_file_name(value: object) -> str:
    """``value`` as the stem of a file name that is safe on any system: accents dropped, lower case, every
    run of other characters one ``-``; no leading or trailing ``.``, ``-`` or ``_`` (no hidden file, no
    ``..``, nothing that reads as an option); at most MAX_FILE_NAME characters; never a Windows device
    name (``tenant-`` goes before one). A value with nothing of that left (all punctuation, or another
    script) is ``tenant-`` and the start of its SHA-256, so different values still make different names."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii").lower()
    text = _FILE_NAME_UNSAFE.sub("-", text)[:MAX_FILE_NAME].strip(".-_")
    if not text:
        return "tenant-" + hashlib.sha256(str(value).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    if text.split(".")[0] in _WINDOWS_DEVICES:  # "con.json.gz" is the console too
        text = f"tenant-{text}"
    return text
