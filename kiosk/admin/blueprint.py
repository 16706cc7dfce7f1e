"""The ``admin`` blueprint (``/admin``), with the template values every workspace page gets."""

from __future__ import annotations

from flask import Blueprint

from kiosk.admin.common import workspace_context

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.context_processor(workspace_context)
