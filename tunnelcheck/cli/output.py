"""Printing a command's output: into a closed pipe (``tunnelcheck checks | head``) it ends quietly."""

from __future__ import annotations

import os
import sys
from typing import TextIO

__all__ = ["emit"]


def emit(text: str, out: TextIO) -> None:
    """Print ``text`` to ``out``; a reader that has gone (it read what it wanted) is not an error."""
    try:
        print(text, file=out)
        out.flush()
    except BrokenPipeError:
        if out is sys.stdout:  # keep Python's own flush at exit from complaining about the pipe
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
