"""Structured logs: one JSON object per line, never carrying personal data.

:class:`JsonFormatter` writes every record as ``{"ts", "level", "logger", "pid", "msg", ...}``
(plus ``extra={"fields": {...}}``, and ``exc``), its text cleaned whoever wrote it
(:func:`private_free`): query strings cut from URLs, a referral's token cut to ``/r/...``,
gunicorn's "Invalid request from ip=ADDRESS: ERROR 'what was sent'" made "Invalid request:
ERROR", and in the connection servers' messages (gunicorn, Werkzeug) every IP address but
gunicorn's "Listening at" made ``(address)``. The app itself never logs an address, a user agent
or a search text. ``kiosk serve`` calls :func:`configure_logging`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import os
import re
import sys
from typing import Any

#: ``/path?query`` in free text: the query part is replaced by ``?...``.
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")
#: A referral link's token, or a provider's availability update link's (secrets that open them).
_REFERRAL = re.compile(r"/([ru])/[A-Za-z0-9_-]+")
#: gunicorn's message for a request it cannot parse.
_INVALID_REQUEST = re.compile(r"Invalid request from ip=[^:]*(?::[^ ]*)?: ([^'\"]*)", re.S)
#: Candidates for IP addresses (checked with :mod:`ipaddress`).
_ADDRESS = re.compile(r"(?<![\w.:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*|(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
#: Loggers of the servers that handle the connections (and so know the client's address).
CONNECTION_LOGGERS = ("gunicorn", "werkzeug")

#: Set on the handler :func:`configure_logging` installs, so calling it twice adds nothing.
_MARK = "_kiosk_json"


def without_query(text: str) -> str:
    """``text`` with the query string of every ``/path?query`` in it cut to ``?...``."""
    return _QUERY.sub(r"\1?...", text)


def _no_address(found: re.Match[str]) -> str:
    candidate = found.group(0)
    try:
        ipaddress.ip_address(candidate.strip("[]"))
    except ValueError:
        return candidate
    return "(address)"


def without_addresses(text: str) -> str:
    """``text`` with every IPv4 or IPv6 address in it replaced by ``(address)``."""
    return _ADDRESS.sub(_no_address, text)


def private_free(text: str, logger: str = "") -> str:
    """``text`` (a message or traceback logged by ``logger``) without query strings, referral
    tokens, or what a client sent in a request gunicorn could not read; in the connection
    servers' messages, without IP addresses (see the module docstring)."""
    found = _INVALID_REQUEST.search(text)
    if found:
        text = text[:found.start()] + "Invalid request: " + found.group(1).strip().rstrip(":").strip()
    text = _REFERRAL.sub(r"/\1/...", without_query(text))
    if logger.split(".", 1)[0] in CONNECTION_LOGGERS and not text.startswith("Listening at"):
        text = without_addresses(text)
    return text


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object on one line."""
        ts = dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
        out: dict[str, Any] = {
            "ts": ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process or os.getpid(),
            "msg": private_free(record.getMessage(), record.name),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        if record.exc_info:
            out["exc"] = private_free(self.formatException(record.exc_info), record.name)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: int | str = logging.INFO, stream: Any = None) -> logging.Handler:
    """Send every log record to ``stream`` (default stderr) as JSON lines; idempotent."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, _MARK, False):
            return handler
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
