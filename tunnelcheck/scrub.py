"""The last line of defence against a secret in a message: the configured client secret, every access token
the run held, and anything that looks like a JWT are replaced in every message tunnelcheck emits, whatever
built it (an authority's error text may echo what was sent to it).

- :func:`remember` is given each secret as it comes into use (the client secret when the credential is made,
  each access token as it is handed out).
- :func:`scrub` replaces them in a text; every ``TunnelcheckError`` message goes through it (so every one-line
  error, check error and report reason), and so does ``describe_auth_error`` before it cuts a sentence out of
  an authority's answer (a secret holding a dot would otherwise be cut in two, its halves unrecognised).
- :func:`install` scrubs every log record of the process as it is made, from any library (azure-identity
  logs the authority's error text as a warning); done once, when a credential is made.

Remembered secrets live only in this module's private set, never in a frame or a repr.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["install", "remember", "scrub"]

#: A JWT: base64url header and payload (the header always starts with ``{"``, so ``eyJ``), then a signature.
_JWT = re.compile(r"eyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]*")
_REDACTED = "[redacted]"
_TOKEN = "[token]"
#: Shorter than this is no secret worth the name, and would blank out ordinary words.
_SHORTEST = 8

_known: set[str] = set()
_lock = threading.Lock()
_installed = False


def remember(secret: str | None) -> None:
    """From now on, ``secret`` (and its URL-encoded forms, as a form body echoes it) is scrubbed."""
    if not secret or len(secret) < _SHORTEST:
        return
    with _lock:
        _known.update({secret, quote(secret, safe=""), quote_plus(secret)})
    install()


def scrub(text: str) -> str:
    """``text`` with every remembered secret replaced by ``[redacted]`` and every JWT by ``[token]``."""
    if not isinstance(text, str):
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)  # a secret inside another is replaced after it
    for secret in known:
        if secret in text:
            text = text.replace(secret, _REDACTED)
    return _JWT.sub(_TOKEN, text)


def install() -> None:
    """Scrub every log record made in this process from now on (once; the record factory in force is kept
    and wrapped, so other libraries' factories still apply)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub_record(record)
        return record

    logging.setLogRecordFactory(factory)


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record: logging reports it in its own way, later
        return
    clean = scrub(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        clean = scrub(text)
        if clean != text:
            record.exc_text = clean  # the formatter prints this instead of formatting exc_info again
