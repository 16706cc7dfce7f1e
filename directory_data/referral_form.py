"""The referral form of the kiosk and the patrol view, in the terms of a referral request
(:func:`directory_data.referrals.parse_request`), and the districts a referral may be made in.

The form asks what the resident wants: a number to call (the hotline code), or the list, whose
code the kiosk chooses (``auto``: the first offered mode) unless "More options" names one.
Discreet mode is preselected when a collected service is about abuse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from directory_data.models import QRMode

#: The form's "how the list is put in the code" choice that leaves it to the kiosk.
AUTO = "auto"


def form_mode(want: str | None, list_mode: str | None, default_mode: str) -> str:
    """The QR mode the form asks for: the hotline when the resident wants only a number to call
    (``want``), else the list's mode from "More options" (``auto`` or none: ``default_mode``)."""
    if want == QRMode.hotline.value:
        return QRMode.hotline.value
    if not list_mode or list_mode == AUTO:
        return default_mode
    return list_mode


def form_request(form: Mapping[str, str], ids: list[str], *, lang: str, default_mode: str) -> dict[str, Any]:
    """The request the form (``want``, ``mode``, ``note``, ``discreet``) makes for ``ids`` in
    ``lang``; ``want`` and ``list_mode`` keep what the form said, to show it again."""
    want, list_mode = form.get("want"), form.get("mode")
    mode = form_mode(want, list_mode, default_mode)
    return {"service_ids": ids, "note": form.get("note", ""), "lang": lang, "mode": mode,
            "discreet": form.get("discreet") == "1",
            "want": "hotline" if mode == QRMode.hotline.value else "list",
            "list_mode": list_mode if list_mode != QRMode.hotline.value else AUTO}


def district_choices(loaded: Sequence[str], kiosk: str, station: str, patrol: Sequence[str]) -> list[str]:
    """The districts an officer may choose (the station's own first): the ``loaded`` districts'
    codes once boundaries are loaded (``kiosk`` first), else ``station`` and ``patrol``."""
    if loaded:
        return list(dict.fromkeys([kiosk, *loaded]))
    return list(dict.fromkeys([station, *patrol]))


def origin_district(surface: str, chosen: str | None, choices: Sequence[str], kiosk: str, station: str) -> str:
    """The district a referral is made in: on the patrol view the one the officer ``chosen``
    among ``choices``; otherwise the kiosk's (``kiosk``, once districts are loaded), else the
    station's."""
    if surface == "patrol" and chosen in choices:
        return str(chosen)
    return kiosk or station
