"""One structured log line per request, with nothing about the person who made it.

:class:`RequestLog` wraps the WSGI app (``kiosk serve`` does) and logs, once the response is
closed, ``method``, ``path`` (no query string; a referral's or a provider link's token cut to
``/r/...``, ``/u/...``), ``status``, ``duration_ms`` and ``pid`` to ``kiosk.request``; never the
client's address, user agent or cookies. With ``served_by`` (``SERVED_BY_HEADER``), every
response carries ``X-Served-By``: which worker behind a load balancer answered.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wsgi import ClosingIterator

log = logging.getLogger("kiosk.request")

#: Path prefixes whose remainder is a secret or personal (a referral list's signed token).
REDACTED_PREFIXES = ("/r/", "/u/")

StartResponse = Callable[..., Any]


def loggable_path(environ: dict[str, Any]) -> str:
    """The request's path without query string, with redacted parts cut (see the module docstring)."""
    path = (environ.get("SCRIPT_NAME") or "") + (environ.get("PATH_INFO") or "/")
    for prefix in REDACTED_PREFIXES:
        if path.startswith(prefix) and len(path) > len(prefix):
            return prefix + "..."
    return path


class RequestLog:
    """WSGI middleware logging one line per request (see the module docstring)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], *, served_by: str | None = None) -> None:
        self.app = app
        self.served_by = served_by

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[int] = []

        def start(status_line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(int(status_line.split(" ", 1)[0]))
            if self.served_by:
                headers.append(("X-Served-By", self.served_by))
            return start_response(status_line, headers, exc_info)

        try:
            body = self.app(environ, start)
        except BaseException:
            self._log(environ, 500, started)
            raise
        return ClosingIterator(body, lambda: self._log(environ, status[-1] if status else 500, started))

    @staticmethod
    def _log(environ: dict[str, Any], status: int, started: float) -> None:
        fields = {
            "method": environ.get("REQUEST_METHOD", ""),
            "path": loggable_path(environ),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "pid": os.getpid(),
        }
        log.info("request", extra={"fields": fields})
