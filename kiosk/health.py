"""``GET /healthz``: whether this worker (with its own index follower and searchers) can answer,
as JSON with an honest status code; the answer's fields are in the OpenAPI document.

* 503 ``unavailable``: the database does not answer, or there is no index this worker can search.
* 200 ``degraded``: it answers, but the index is more than ``HEALTH_MAX_LAG_SECONDS`` (default
  10) behind the journal, its directory cannot be written (edits stop reaching it), its disk is
  nearly full (``HEALTH_MIN_FREE_BYTES``), or its last catch-up failed.
* 200 ``ok`` otherwise.

It is cheap (``SELECT 1``, the journal's head and one indexed lookup when behind, a file created
and removed, ``statvfs``, a pooled searcher's document count) and writes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from kiosk import __version__
from kiosk.db import get_session
from kiosk.search import get_search

bp = Blueprint("health", __name__)


def _database_ok() -> bool:
    try:
        get_session().execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
    return True


def index_report(database_ok: bool) -> dict[str, Any]:
    """The ``index`` part of the answer, for the current app's index in this process
    (:meth:`search_index.upkeep.live_index.LiveIndex.report`)."""
    from search_index.upkeep.freshness import MIN_FREE_BYTES

    min_free = int(current_app.config.get("HEALTH_MIN_FREE_BYTES", MIN_FREE_BYTES))
    return get_search().report(get_session() if database_ok else None, min_free)


def _lagging(index: dict[str, Any]) -> str | None:
    behind = index.get("seconds_behind")
    limit = float(current_app.config.get("HEALTH_MAX_LAG_SECONDS", 10.0))
    if behind is not None and behind > limit:
        return f"the index is {behind:.0f} s behind the journal ({index.get('lag')} entries)"
    return None


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The health of this worker (see the module docstring); 503 when it cannot answer."""
    database_ok = _database_ok()
    index = index_report(database_ok)
    problems = [*([] if database_ok else ["the database does not answer"]), *index["problems"],
                *filter(None, [_lagging(index)])]
    usable = database_ok and index["usable"]
    status = "unavailable" if not usable else "degraded" if problems else "ok"
    body = {"status": status, "version": __version__, "database": database_ok, "index": index,
            "problems": problems}
    return jsonify(body), 200 if usable else 503
