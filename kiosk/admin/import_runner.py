"""Running an uploaded package's import in a process of its own (:mod:`kiosk.import_job`), so
the web worker's memory does not depend on what was uploaded.

The child gets this app's database, home and index through the ``KIOSK_*`` environment, at most
``IMPORT_MEMORY_LIMIT_MB`` and ``IMPORT_TIMEOUT_SECONDS``; it answers a trimmed report or an error.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext

from kiosk.config import database_url, index_dir

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What the import process answered: its ``report``, or an ``error`` in words."""

    report: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def run_import(path: Path, source: str | None, *, commit: bool, actor: str = "",
               retire_sample: bool = False) -> Outcome:
    """Import (``commit``) or try (roll back) the package at ``path`` in a child process; with
    ``retire_sample``, retire the fictional sample listings in the same transaction."""
    config = current_app.config
    limit_mb = int(config.get("IMPORT_MEMORY_LIMIT_MB", 1024))
    job = {"path": str(path), "source": source, "commit": commit, "actor": actor,
           "memory_limit": limit_mb * 1024 * 1024, "retire_sample": retire_sample}
    environment = {**os.environ, "KIOSK_HOME": str(config["KIOSK_HOME"]), "KIOSK_DATABASE_URL": database_url(config),
                   "KIOSK_INDEX_DIR": str(index_dir(config))}
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kiosk.import_job"], input=json.dumps(job), capture_output=True,
            text=True, env=environment, timeout=float(config.get("IMPORT_TIMEOUT_SECONDS", 900)), check=False)
    except subprocess.TimeoutExpired:
        return Outcome(error=gettext("The import took too long and was stopped; nothing was "
                                     "saved. Import a package this large on the server with "
                                     "kiosk import."))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    log.info("import process ended (%s) in %.1f s; the largest import process so far used "
             "%d MB", done.returncode, time.monotonic() - started, peak)
    try:
        answer = json.loads(done.stdout or "null")
    except ValueError:
        answer = None
    if isinstance(answer, dict) and answer.get("ok"):
        return Outcome(report=answer["report"])
    if isinstance(answer, dict) and answer.get("kind") == "invalid":
        return Outcome(error=str(answer.get("error")))
    if (isinstance(answer, dict) and answer.get("kind") == "memory") or "MemoryError" in done.stderr:
        return Outcome(error=gettext(
            "This package needs more memory than an upload may use (%(limit)s MB); nothing was "
            "saved. Import it on the server with kiosk import, or split it.", limit=limit_mb))
    log.error("the import process failed (%s): %s", done.returncode, done.stderr[-2000:])
    return Outcome(error=gettext("The import stopped unexpectedly; nothing was saved."))
