"""The ``tunnelcheck`` command: the catalog, one check explained, the demo run, and (from their own
packages, imported only when asked for) ``record`` and ``emulate``.

pytest is the runner (``pytest --snapshot FILE``); this command only adds what is awkward to do through
pytest: listing and explaining the checks without a tenant, and running the embedded demo from any folder.
Every error of ours is one line on stderr (``tunnelcheck: error: ...``) and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib
import importlib.util
import json
import os
import shlex
import sys
import textwrap
from collections.abc import Sequence
from importlib import resources
from typing import Any, TextIO

from .check import Check
from .errors import TunnelcheckError
from .registry import Catalog

__all__ = ["build_parser", "demo_command", "main"]

PROG = "tunnelcheck"
_FORMATS = ("table", "markdown", "json")
_COLUMNS = ("id", "phase", "platform", "severity", "title")


class UnknownCheck(TunnelcheckError):
    """``explain`` was given an id no installed check has."""


# ---------------------------------------------------------------------------------------------------
# tunnelcheck checks


def _row(check: Check) -> tuple[str, ...]:
    return (check.id, check.phase.value, check.platform.value, check.severity.value, check.title)


def format_checks(catalog: Catalog, fmt: str) -> str:
    checks = list(catalog.values())
    if fmt == "json":
        return json.dumps([_check_document(c) for c in checks], indent=2, ensure_ascii=False)
    rows = [_row(c) for c in checks]
    if fmt == "markdown":
        # A pipe inside a title would split its cell.
        lines = ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
        lines += ["| " + " | ".join(v.replace("|", "\\|") for v in r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(v) for v in col) for col in zip(_COLUMNS, *rows)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    return "\n".join([line([c.upper() for c in _COLUMNS]), *(line(r) for r in rows)])


def _check_document(check: Check) -> dict[str, Any]:
    doc = check.as_dict()
    doc["needs"] = [{"resource": r.value, "permission": r.permission} for r in check.needs]
    doc["module"] = check.module
    return doc


def run_checks(args: argparse.Namespace, out: TextIO) -> int:
    print(format_checks(Catalog.installed(), args.format), file=out)
    return 0


# ---------------------------------------------------------------------------------------------------
# tunnelcheck explain ID


def find_check(catalog: Catalog, wanted: str) -> Check:
    """The check with this id (case-insensitive), or UnknownCheck naming the closest ids."""
    by_upper = {cid.upper(): cid for cid in catalog}
    found = by_upper.get(wanted.strip().upper())
    if found is not None:
        return catalog[found]
    close = difflib.get_close_matches(wanted.strip().upper(), list(by_upper), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(by_upper[c] for c in close)}?)" if close else \
        f" (`{PROG} checks` lists the {len(catalog)} known checks)"
    raise UnknownCheck(f"unknown check {wanted!r}{hint}")


def explain(check: Check) -> str:
    needs = "\n".join(f"  - {r.value} (Graph permission {r.permission})" for r in check.needs)
    return "\n".join([
        f"{check.id}: {check.title}",
        f"phase:       {check.phase.value} (pytest marker {check.phase.marker})",
        f"platform:    {check.platform.value}",
        f"severity:    {check.severity.value}",
        f"defined in:  {check.module}",
        "",
        "rule:",
        _wrap(check.rule),
        "",
        "needs:",
        needs,
        "",
        "remediation:",
        _wrap(check.remediation),
    ])


def _wrap(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=100, initial_indent="  ", subsequent_indent="  ")


def run_explain(args: argparse.Namespace, out: TextIO) -> int:
    print(explain(find_check(Catalog.installed(), args.check_id)), file=out)
    return 0


# ---------------------------------------------------------------------------------------------------
# tunnelcheck demo


def demo_command(files: dict[str, str], html: str | None, json_path: str | None,
                 extra: Sequence[str]) -> list[str]:
    """The pytest arguments of the demo run. Options take their value with ``=`` on purpose: given as a
    separate word, pytest's early ini-file search (before plugins add --snapshot) would take the snapshot
    path for a test path and pick up the ini file of whatever project holds the demo files."""
    args = ["--rootdir=.", "-p", "no:cacheprovider",
            f"--snapshot={files['current']}", f"--baseline={files['baseline']}",
            f"--tunnelcheck-config={files['config']}"]
    if html:
        args += [f"--html={html}", "--self-contained-html"]
    if json_path:
        args.append(f"--tunnelcheck-json={json_path}")
    return args + list(extra)


def run_demo(args: argparse.Namespace, out: TextIO) -> int:
    import pytest

    html = None if args.no_html else args.html
    if html and importlib.util.find_spec("pytest_html") is None:
        if args.html_given:
            raise TunnelcheckError("--html needs pytest-html (pip install pytest-html)")
        print(f"{PROG}: pytest-html is not installed: no HTML report", file=sys.stderr)
        html = None
    demo = resources.files("tunnelcheck.demo")
    with contextlib.ExitStack() as stack:
        # as_file: the demo may live in a zip; pytest needs real paths.
        files = {key: os.fspath(stack.enter_context(resources.as_file(demo / name)))
                 for key, name in (("current", "contoso.json"), ("baseline", "baseline.json"),
                                   ("config", "config.yaml"))}
        pytest_args = demo_command(files, html, args.json, args.pytest_args)
        print("$ " + shlex.join(["pytest", *pytest_args]), file=out, flush=True)
        status = pytest.main(pytest_args)
    return int(status)


# ---------------------------------------------------------------------------------------------------
# The parser and main


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; ``command`` (the subcommand about to run) decides which lazy command gets its
    arguments, so heavy modules (msgraph-sdk, the emulator's TLS stack) load only when asked for."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Microsoft Tunnel to Defender for Endpoint migration checks. "
        "Run the checks with pytest: pytest --snapshot FILE (or --tenant TENANT).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    checks = sub.add_parser("checks", help="list the check catalog (built-in and installed packs)",
                            description="List the check catalog: built-in checks and installed check packs.")
    checks.add_argument("--format", choices=_FORMATS, default="table", help="output format (default: table)")
    checks.set_defaults(func=run_checks)

    exp = sub.add_parser("explain", help="show one check: rule, data it needs, remediation",
                         description="Show one check: its rule, the data and Graph permissions it needs, "
                         "and the remediation.")
    exp.add_argument("check_id", metavar="CHECK_ID", help="a check id, e.g. TUN-AND-05")
    exp.set_defaults(func=run_explain)

    demo = sub.add_parser(
        "demo", allow_abbrev=False, help="run the checks on the embedded demo tenant",
        usage=f"{PROG} demo [-h] [--html FILE | --no-html] [--json FILE] [pytest args...]",
        description="Run the checks on the embedded demo tenant (Contoso, halfway through the migration) "
        "with pytest, writing a self-contained HTML report. Other arguments go to pytest as they are; "
        "the exit status is pytest's (1: some checks failed, as they do in the demo).")
    demo.add_argument("--html", metavar="FILE", default=None,
                      help="the HTML report to write (default: report.html)")
    demo.add_argument("--no-html", action="store_true", help="write no HTML report")
    demo.add_argument("--json", metavar="FILE", help="also write the results as JSON (--tunnelcheck-json)")
    demo.set_defaults(func=run_demo, takes_extra=True)
    for name, (help_text, _, _, _) in _LAZY.items():
        lazy = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        if name == command:
            _lazy_add_arguments(name, lazy)
            lazy.set_defaults(func=_lazy_run(name))
    return parser


# name -> (help, module, its add-arguments function, its run function)
_LAZY: dict[str, tuple[str, str, str, str]] = {
    "record": ("record a live tenant as a snapshot (read-only Graph)", "tunnelcheck.graph",
               "add_record_arguments", "run_record"),
    "emulate": ("serve a snapshot as a local Graph + Entra emulator (loopback HTTPS)", "tunnelcheck.emulator",
                "add_arguments", "run"),
    "diff": ("compare two snapshots: what the Tunnel migration depends on that changed", "tunnelcheck.drift",
             "add_diff_arguments", "run_diff"),
}


def _lazy_module(name: str) -> Any:
    module_name = _LAZY[name][1]
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:  # e.g. msgraph-sdk missing from a trimmed install
        raise TunnelcheckError(f"{PROG} {name} needs {module_name}, which failed to import: {exc}") from None


def _lazy_add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    try:
        getattr(_lazy_module(name), _LAZY[name][2])(parser)
    except TunnelcheckError as exc:
        parser.set_defaults(lazy_error=exc)


def _lazy_run(name: str) -> Any:
    def run(args: argparse.Namespace, out: TextIO) -> int:
        return int(getattr(_lazy_module(name), _LAZY[name][3])(args))
    return run


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)  # the parser has no top-level options
    parser = build_parser(command)
    try:
        args, extra = parser.parse_known_args(argv)
    except TunnelcheckError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    if not getattr(args, "takes_extra", False) and extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.pytest_args = extra
    if getattr(args, "lazy_error", None) is not None:
        print(f"{PROG}: error: {args.lazy_error}", file=sys.stderr)
        return 2
    if args.command == "demo":
        args.html_given = args.html is not None
        if args.html is None:
            args.html = "report.html"
        if args.no_html and args.html_given:
            parser.error("demo: --html and --no-html exclude each other")
    try:
        return args.func(args, sys.stdout)
    except TunnelcheckError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # python -m tunnelcheck.cli
    sys.exit(main())
