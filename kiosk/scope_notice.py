"""What a results page (and the API) says when a search asks for a need the directory has no
services for: that it has none, what it does cover, and where to turn instead ("For food, call 211
or text your ZIP code to 898-211"). The needs and their categories come from
:mod:`search_index.query.needs`; the hand-off numbers are ``HANDOFF_CALL`` and ``HANDOFF_TEXT``."""

from __future__ import annotations

from dataclasses import dataclass

from babel.lists import format_list
from flask import current_app
from sqlalchemy.orm import Session

from directory_data.models import MISSION_CATEGORIES
from search_index.query.results import SearchResults

from kiosk.categories import get_category_names
from kiosk.i18n import current_language
from kiosk.request_language import gettext


@dataclass(frozen=True)
class ScopeNotice:
    """The notice of one search: ``categories`` (keys) and ``names`` of the needs no listing
    serves, ``heading`` ("This directory has no services for food."), ``covers`` ("This directory
    covers ..."; empty when the directory has no categories), one hand-off sentence per category,
    and the number to call. ``out_of_scope``: the search asked for nothing else, so no listing is
    shown."""

    out_of_scope: bool
    categories: tuple[str, ...]
    names: tuple[str, ...]
    heading: str
    covers: str
    handoffs: tuple[str, ...]
    call: str


def _covered_names(session: Session, slugs: tuple[str, ...], lang: str) -> list[str]:
    ordered = [s for s in MISSION_CATEGORIES if s in slugs] + sorted(s for s in slugs if s not in MISSION_CATEGORIES)
    names = []
    for slug in ordered:
        if slug in MISSION_CATEGORIES:
            en, es = MISSION_CATEGORIES[slug]
        else:
            found = get_category_names().get(session, slug)
            if found is None:
                continue
            en, es = found.name_en, found.name_es
        names.append((es if lang == "es" and es else en).lower())
    return names


def scope_notice(results: SearchResults, session: Session) -> ScopeNotice | None:
    """The notice for ``results`` in the request's language (None: every need was met)."""
    if not results.unmet_needs:
        return None
    from search_index.query.needs import load_needs

    lang = current_language()
    known = load_needs().categories
    names = tuple(known[c].name(lang) if c in known else c for c in results.unmet_needs)
    call = str(current_app.config.get("HANDOFF_CALL", "211"))
    text = str(current_app.config.get("HANDOFF_TEXT", "898-211"))
    covered = _covered_names(session, results.covered, lang)
    return ScopeNotice(
        out_of_scope=results.out_of_scope,
        categories=results.unmet_needs,
        names=names,
        heading=gettext("This directory has no services for %(needs)s.", needs=format_list(list(names), locale=lang)),
        covers=gettext("This directory covers %(topics)s.", topics=format_list(covered, locale=lang)) if covered else "",
        handoffs=tuple(gettext("For %(need)s, call %(call)s or text your ZIP code to %(text)s.",
                               need=name, call=call, text=text) for name in names),
        call=call,
    )
