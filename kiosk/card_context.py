"""What every result card and detail page of one page shares, worked out once per page.

The card macros (``templates/lobby/_card.html``, ``_status.html``, ``_add_button.html``,
``_detail.html``) take a card and a :class:`CardContext` as arguments instead of reading the
template context: the surface's links (kiosk or patrol), whether an officer is looking, the
services already in the referral, the page's clock, its address (to come back to after a form)
and its CSRF token. Each is worked out on first use only, so a page without cards pays nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property
from typing import Any

from flask import current_app, url_for
from flask_wtf.csrf import generate_csrf

from . import visit
from .pages import here, local_now

#: Stands for the service id while the detail link's pattern is built (URL-safe as it is).
_ID_MARK = "service-id-mark"


class CardContext:
    """The shared inputs of the cards of one page of a surface (see the module docstring)."""

    def __init__(self, *, detail_endpoint: str, referral_endpoint: str, officer: bool) -> None:
        self.detail_endpoint = detail_endpoint
        self.referral_endpoint = referral_endpoint
        #: Whether the page is the patrol view (officer-only phones and notes, "away").
        self.officer = officer

    @cached_property
    def referral_ids(self) -> frozenset[str]:
        """The services collected in this visit's referral."""
        return frozenset(visit.referral_ids())

    @cached_property
    def now_local(self) -> dt.datetime:
        """The page's clock (today / another day for opening times)."""
        return local_now()

    @cached_property
    def here(self) -> str:
        """The page's path and query, where the referral forms come back to."""
        return here()

    @cached_property
    def csrf_token(self) -> str:
        """The CSRF token of the page's forms (the same for every form of a request)."""
        return str(generate_csrf())

    @cached_property
    def add_url(self) -> str:
        """Where a card's "Add to my referral" form posts."""
        return url_for(self.referral_endpoint + "_add")

    @cached_property
    def remove_url(self) -> str:
        """Where a card's "remove" form posts."""
        return url_for(self.referral_endpoint + "_remove")

    @cached_property
    def _detail_parts(self) -> tuple[str, str, Callable[[Any], str]]:
        before, after = url_for(self.detail_endpoint, service_id=_ID_MARK).split(_ID_MARK, 1)
        url_map = current_app.url_map
        return before, after, url_map.converters["default"](url_map).to_url

    def detail_url(self, service_id: str) -> str:
        """The link to a service's detail page as ``url_for`` builds it (the id quoted by the
        rule's default converter), with one ``url_for`` per page instead of one per card."""
        before, after, to_url = self._detail_parts
        return f"{before}{to_url(service_id)}{after}"
