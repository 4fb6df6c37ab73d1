"""How a command speaks: its output (into a closed pipe, ``tunnelcheck checks | head``, it ends quietly) and
its errors, each one line on stderr with exit status 2 (never a traceback)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from ..errors import TunnelcheckError
from ..untrusted import for_terminal

__all__ = ["UsageError", "emit", "error"]


class UsageError(TunnelcheckError):
    """The command line itself is wrong in a way argparse cannot see (options that need one another):
    shown with the command's usage, as argparse shows its own, exit status 2."""


def emit(text: str, out: TextIO) -> None:
    """Print ``text`` to ``out``; a reader that has gone (it read what it wanted) is not an error."""
    try:
        print(text, file=out)
        out.flush()
    except BrokenPipeError:
        if out is sys.stdout:  # keep Python's own flush at exit from complaining about the pipe
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def error(problem: object, err: TextIO | None = None) -> int:
    """``tunnelcheck: error: PROBLEM`` on one line of stderr (its text made inert for the terminal); returns
    the exit status of an error, 2."""
    print(f"tunnelcheck: error: {for_terminal(problem)}", file=err or sys.stderr)
    return 2
