"""An uploaded HSDS package imported in a process of its own, with a memory limit
(``python -m kiosk.import_job``; :mod:`kiosk.admin.import_runner` starts it).

A package whose records take gigabytes once read would otherwise grow the web worker; here the
data segment is capped (``RLIMIT_DATA``), so such a package fails with a clear message instead.

Input (stdin, JSON): ``{"path", "source", "commit", "actor", "memory_limit", "retire_sample"}``;
the database, home and index come from the ``KIOSK_*`` environment. One transaction (retiring the
sample listings in it with ``retire_sample``), audited and committed with ``commit``, else rolled
back. Output (stdout, JSON): ``{"ok": true, "report": {...}}`` (the preview's report, with
``sample_live`` and ``sample_retired``) or ``{"ok": false, "error": "...", "kind":
"invalid"|"memory"}``, exit status 0; any other status means the process died.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import Any

#: Exit status when memory ran out (the answer could not even be written).
OUT_OF_MEMORY = 3


def limit_memory(limit: int | None) -> None:
    """Cap this process's data segment (heap and anonymous mappings) at ``limit`` bytes."""
    if limit:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Import as ``job`` says; the answer (see the module docstring)."""
    from directory_data.audit import record_action
    from directory_data.hsds.importer import HSDSImportError
    from directory_data.sample import import_package

    from kiosk import create_cli_app
    from kiosk.db import get_database

    app = create_cli_app()
    try:
        with app.app_context(), get_database(app).transaction(commit=bool(job.get("commit"))) as session:
            actor = str(job.get("actor") or "")
            done = import_package(session, Path(job["path"]), source=job.get("source"), actor=actor,
                                  retire_sample_listings=bool(job.get("retire_sample")))
            report = done.report
            if job.get("commit"):
                record_action(session, action="import", actor=actor,
                              resource_type="import", resource_id=report.source[:60],
                              replacement=report.summary()[:2000])
    except HSDSImportError as error:
        return {"ok": False, "kind": "invalid", "error": str(error)}
    return {"ok": True, "report": {**report.preview(), "sample_live": done.sample_live,
                                   "sample_retired": done.sample_retired}}


def main() -> None:
    """Read the job from stdin, import, write the answer to stdout."""
    job = json.load(sys.stdin)
    limit_memory(job.get("memory_limit"))
    try:
        answer = run(job)
    except MemoryError:
        answer = None
    if answer is None:  # out of the except block: what the import held is freed by now
        try:
            sys.stdout.write(json.dumps({"ok": False, "kind": "memory", "error": "out of memory"}))
        finally:
            sys.exit(OUT_OF_MEMORY)
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
