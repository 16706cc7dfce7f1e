"""What every result card and detail page of one page shares, worked out once per page.

The card macros (``templates/lobby/_card.html`` ...) take a card and a :class:`CardContext`
instead of reading the template context: the surface's links, whether an officer is looking, the
services in the referral, the page's clock, address and CSRF token.
"""

from __future__ import annotations

from typing import Any

import logging
from dataclasses import dataclass

from flask import current_app, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from directory_data.directions import DirectionsTemplateError, directions_url
from search_index.week_hours import WeekHours, week_hours_at

from kiosk import qr
from kiosk import visit
from kiosk.formatting import distance_text
from kiosk.pages import here, local_now
from kiosk.request_language import gettext

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Directions:
    """The way to a place: the place, its maps link and that link's QR code."""

    place: Any
    link: str
    code: Markup


@dataclass(frozen=True)
class PlacedCard:
    """A card known by its id only: what its referral form needs."""

    id: str


class CardContext:
    """The shared inputs of the cards of one page of a surface (see the module docstring)."""

    def __init__(self, *, detail_endpoint: str, referral_endpoint: str, officer: bool,
                 from_device: bool = False, page: str | None = None) -> None:
        #: Whether the page is the patrol view (officer-only phones and notes, tap-to-call).
        self.officer = officer
        #: Whether distances are measured from the officer's tablet ("away"), not the station.
        self.from_device = from_device
        #: The page's clock (today / another day for opening times).
        self.now_local = local_now()
        #: The page's path and query, where the referral forms come back to (the page a form
        #: was posted from, when a form's answer is made for that page).
        self.here = page if page is not None else here()
        #: Where a card's "Add to my referral" and "remove" forms post.
        self.add_url = url_for(referral_endpoint + "_add")
        self.remove_url = url_for(referral_endpoint + "_remove")
        self._referral_url = url_for(referral_endpoint)
        self._detail_endpoint = detail_endpoint

    @property
    def referral_ids(self) -> frozenset[str]:
        """The services collected in this visit's referral."""
        return frozenset(visit.referral_ids())

    @property
    def csrf_token(self) -> str:
        """The CSRF token of the page's forms (the same for every form of a request)."""
        return str(generate_csrf())

    @property
    def inplace(self) -> bool:
        """Whether the cards' referral forms are answered in place by the kiosk's script (not on
        the referral page itself, where a removed service leaves the list; not on the patrol
        view, whose forms come back to the page at the card)."""
        return not self.officer and not self.here.startswith(self._referral_url)

    def distance_words(self, km: float) -> str:
        """``km`` in words: from this station (kiosk), away (from the officer's tablet), or from
        the station (the patrol view without a position)."""
        distance = distance_text(km)
        if not self.officer:
            return gettext("%(distance)s from this station", distance=distance)
        if self.from_device:
            return gettext("%(distance)s away", distance=distance)
        return gettext("%(distance)s from the station", distance=distance)

    @property
    def kiosk(self) -> bool:
        """Whether the page is the lobby kiosk's (numbers as text, "scan to call" codes)."""
        return not self.officer

    def card_anchor(self, service_id: str) -> str:
        """The id of a service's card (and of its detail), where a form comes back to."""
        return f"card-{service_id}"

    def back_here(self, service_id: str) -> str:
        """This page, at the card of ``service_id``: where "Add to my referral" comes back to
        without JavaScript (so the resident keeps their place)."""
        return f"{self.here}#{self.card_anchor(service_id)}"

    def week(self, card: Any) -> WeekHours | None:
        """The week's hours table of ``card`` at the page's clock (None: no hours listed)."""
        return week_hours_at(card.hours_key, self.now_local)

    def directions(self, card: Any) -> Directions | None:
        """The :class:`Directions` to the first place of ``card`` a resident may be sent to (its
        maps link: :mod:`directory_data.directions`). Never for a confidential place; None when
        no place has a position or an address."""
        template = str(current_app.config["DIRECTIONS_URL"])
        for place in card.places:
            try:
                link = directions_url(template, point=place.point, address=place.address,
                                      confidential=place.confidential)
            except DirectionsTemplateError as error:
                log.warning("no directions code: %s", error)
                return None
            if link is not None:
                return Directions(place, link, qr.svg_markup(link))
        return None

    def detail_url(self, service_id: str) -> str:
        """The link to a service's detail page."""
        return url_for(self._detail_endpoint, service_id=service_id)
