"""Interface languages: English and Spanish, chosen by the browser or by the visible switch.

The switch stores the choice in the session (so idle reset and quick exit forget it); without
one, ``Accept-Language`` chooses among ``LANGUAGES``. Listing text (a service's name and
description) is shown in Spanish where the listing has it, see :func:`listing_text`.
Catalogs live in ``kiosk/translations`` and are compiled to ``.mo`` files at install
(``setup.py``), never at run time.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, session
from flask_babel import Babel

from kiosk.request_language import (
    forget_request_language,
    request_language,
    template_gettext,
    template_ngettext,
)

LANGUAGE_KEY = "lang"

#: Each interface language's name in itself, for the switch.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def select_locale() -> str:
    """The language of this request: a ``lang`` query parameter (links shared by QR code carry
    one), else the switch's choice, else the browser's, else the default."""
    offered = tuple(current_app.config["LANGUAGES"])  # the default first
    if request.args.get("lang") in offered:
        return str(request.args["lang"])
    chosen = session.get(LANGUAGE_KEY)
    if chosen in offered:
        return str(chosen)
    return request.accept_languages.best_match(offered) or offered[0]


def current_language() -> str:
    """The two-letter code of the language this request is answered in."""
    return request_language().code


def listing_text(record: Any, field: str, language: str | None = None) -> str | None:
    """``record.<field>`` in ``language`` (default: the request's): ``<field>_es`` in Spanish
    where it is set."""
    translated = getattr(record, f"{field}_es", None) if (language or current_language()) == "es" else None
    value = translated or getattr(record, field, None)
    return None if value is None else str(value)


def localized_name(english: str, spanish: str | None) -> str:
    """A name given in both interface languages, in the request's (``spanish`` when it is set)."""
    return spanish if spanish and current_language() == "es" else english


def init_app(app: Flask) -> None:
    """Register Flask-Babel with the locale selector and the template helpers: the gettext
    callables of :mod:`kiosk.request_language` (the language looked up once per request or app
    context) as the template globals themselves, since Jinja's new-style wrappers would pass the
    template context through three calls for each string."""
    Babel(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        template_gettext, template_ngettext, newstyle=True
    )
    app.before_request(forget_request_language)
    app.teardown_request(lambda _error: forget_request_language())
    app.teardown_appcontext(lambda _error: forget_request_language())
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        listing_text=listing_text,
        current_language=current_language,
        language_names=LANGUAGE_NAMES,
    )
