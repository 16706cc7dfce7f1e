"""The language a request is answered in, looked up once per request, and the template strings.

A page asks for its language a hundred times; Flask-Babel answers each ``get_locale()`` and
``get_translations()`` through ``flask.g`` (about 20 µs here). :func:`request_language` looks both
up once and keeps them in a context variable until :func:`forget_request_language` (at the start
and end of each request and app context, and around ``force_locale`` in
:func:`kiosk.referrals.in_language`). :func:`template_gettext` gives the templates their strings as
Jinja's new-style gettext would, and :func:`gettext` gives Python code its strings as Flask-Babel's.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from flask_babel import get_locale, get_translations
from markupsafe import Markup


@dataclass(frozen=True)
class RequestLanguage:
    """The request's interface language: its code (``"en"``) and its Flask-Babel translations."""

    code: str
    translations: Any


_CURRENT: ContextVar[RequestLanguage | None] = ContextVar("kiosk_request_language", default=None)


def request_language() -> RequestLanguage:
    """The language of the current request (or app context), looked up once."""
    found = _CURRENT.get()
    if found is None:
        locale = get_locale()
        code = str(locale) if locale is not None else str(current_app.config["LANGUAGES"][0])
        found = RequestLanguage(code, get_translations())
        if has_app_context():  # outside one, nothing would forget it
            _CURRENT.set(found)
    return found


def forget_request_language() -> None:
    """Look the language up again when next asked (a new request, a forced locale)."""
    _CURRENT.set(None)


def gettext(string: str, /, **variables: Any) -> str:
    """Flask-Babel's ``gettext`` for Python code: a plain string, %-formatted only when there are
    ``variables`` (not escaped)."""
    found = str(request_language().translations.ugettext(string))
    return found % variables if variables else found


def template_gettext(string: str, /, **variables: Any) -> Markup:
    """The templates' ``_`` and ``gettext``, as Jinja's new-style gettext with autoescape on (every
    template is HTML): the translation is trusted markup always used as a %-format string (``%%``
    shows ``%``), and the values put into it are escaped."""
    return Markup(request_language().translations.ugettext(string)) % variables


def template_ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> Markup:
    """The templates' ``ngettext``: the form of ``singular`` / ``plural`` for ``num``, with ``num``
    and ``variables`` put in."""
    variables.setdefault("num", num)
    return Markup(request_language().translations.ungettext(singular, plural, num)) % variables
