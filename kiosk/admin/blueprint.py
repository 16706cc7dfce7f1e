"""The ``admin`` blueprint (``/admin``): caseworkers and admins only (the account pages: admins only),
with the template values every workspace page gets."""

from __future__ import annotations

from flask import Blueprint

from kiosk.admin.common import workspace_context
from kiosk.auth import guard_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.context_processor(workspace_context)
guard_blueprint(bp, "caseworker")
