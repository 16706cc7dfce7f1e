"""Structured logs: one JSON object per line, never carrying personal data.

:class:`JsonFormatter` turns every record into ``{"ts", "level", "logger", "pid", "msg", ...}``
(plus the record's ``fields`` when it was logged with ``extra={"fields": {...}}``, and ``exc``
with the traceback). Query strings are cut from anything that looks like a URL in a message, so a
search text that reaches an error message (a server's "Error handling request /search?q=...")
never reaches the log. :func:`configure_logging` installs it on the root logger; ``kiosk serve``
calls it before starting the server.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
from typing import Any

#: ``/path?query`` in free text: the query part is replaced by ``?...``.
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")

#: Set on the handler :func:`configure_logging` installs, so calling it twice adds nothing.
_MARK = "_kiosk_json"


def without_query(text: str) -> str:
    """``text`` with the query string of every ``/path?query`` in it cut to ``?...``."""
    return _QUERY.sub(r"\1?...", text)


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
            "msg": without_query(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        if record.exc_info:
            out["exc"] = without_query(self.formatException(record.exc_info))
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
