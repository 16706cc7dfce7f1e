"""Locations in the workspace: the list (find by name, organization, street or town), retire and
restore. A retired location keeps its data; no public surface shows its address or measures a
distance to it (:mod:`directory_data.locations`)."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from directory_data.locations import (
    LocationConflict,
    find_locations,
    restore_location,
    retire_location,
)
from directory_data.models import Location

from kiosk.db import get_session
from kiosk.admin.common import ActionForm, actor, bp, form_version, record_or_404
from kiosk.pages import redirect_with, safe_next

SHOWN = {"live": False, "retired": True}


def _page(*, status: int = 200) -> ResponseReturnValue:
    text = (request.args.get("q") or "")[:200].strip()
    shown = request.args.get("shown") or ""
    rows = find_locations(get_session(), text, retired=SHOWN.get(shown))
    return render_template("admin/locations.html", rows=rows, query=text, shown=shown,
                           form=ActionForm()), status


@bp.get("/locations")
def locations() -> ResponseReturnValue:
    """Every location with its address, organization, listings and whether it is retired."""
    return _page()


def _change(location_id: str, use_case: Callable[..., int], done: str) -> ResponseReturnValue:
    location = record_or_404(Location, location_id)
    try:
        use_case(get_session(), location, expected_version=form_version(), actor=actor())
    except LocationConflict:
        flash(gettext("Someone changed this place after you opened the page. Nothing was "
                      "changed: look at it again and try once more."))
        return _page(status=409)
    return redirect_with(done, safe_next(request.form.get("next"), url_for("admin.locations")))


@bp.post("/locations/<location_id>/retire")
def retire_location_view(location_id: str) -> ResponseReturnValue:
    """Retire the location: its address leaves every public surface (it can be restored)."""
    return _change(location_id, retire_location,
                   gettext("The place was retired. Its address is no longer shown to anyone."))


@bp.post("/locations/<location_id>/restore")
def restore_location_view(location_id: str) -> ResponseReturnValue:
    """Put a retired location back."""
    return _change(location_id, restore_location, gettext("The place was restored."))
