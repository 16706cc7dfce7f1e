"""The language a request is answered in, looked up once per request, and the template strings.

A page asks for its language a hundred times; Flask-Babel answers each ``get_locale()`` and
``get_translations()`` through ``flask.g`` (about 20 µs here). :func:`request_language` looks both
up once and keeps them in a context variable until :func:`forget_request_language` (at the start
and end of each request and app context, and around ``force_locale`` in
:func:`kiosk.referrals.in_language`). :class:`TemplateStrings` gives the templates their strings as
Jinja's new-style gettext would, and :func:`gettext` gives Python code its strings as Flask-Babel's.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from flask import current_app, has_app_context
from flask_babel import get_locale, get_translations
from markupsafe import Markup


#: Values whose formatted strings are kept (``Markup`` is not: it is put in unescaped).
_KEPT_TYPES = frozenset({str, int})
#: How many formatted strings a language keeps at most.
KEPT_STRINGS = 20_000


class TemplateStrings:
    """The interface strings of one catalog as the templates show them, kept per process (one per
    Flask-Babel translations object, so one per language).

    The same result as Jinja's new-style gettext with autoescape on (every template is HTML): the
    translation is trusted markup always used as a %-format string (``%%`` shows ``%``), and the
    values put into it are escaped.
    """

    def __init__(self, translations: Any) -> None:
        self._translations = translations
        self._done: dict[Hashable, Markup] = {}
        self._formats: dict[str, Markup] = {}
        self._texts: dict[str, str] = {}

    def gettext(self, string: str, /, **variables: Any) -> Markup:
        """``string`` translated, with ``variables`` put in (escaped); kept when every value is a
        plain ``str`` or ``int``, up to :data:`KEPT_STRINGS` of them, then the store starts over."""
        if not variables:
            key: Hashable = string
        elif all(type(value) in _KEPT_TYPES for value in variables.values()):
            key = (string, *variables.items())
        else:
            return self._format(string) % variables
        done = self._done.get(key)
        if done is None:
            if len(self._done) >= KEPT_STRINGS:
                self._done.clear()
            done = self._done[key] = self._format(string) % variables
        return done

    def ngettext(self, singular: str, plural: str, num: int, /, **variables: Any) -> Markup:
        """The form of ``singular`` / ``plural`` for ``num``, with ``num`` and ``variables`` put in."""
        variables.setdefault("num", num)
        return Markup(self._translations.ungettext(singular, plural, num)) % variables

    def text(self, string: str, /, **variables: Any) -> str:
        """``string`` translated as Flask-Babel's ``gettext`` gives it to Python code: a plain
        string, %-formatted only when there are ``variables`` (not escaped)."""
        found = self._texts.get(string)
        if found is None:
            found = self._texts[string] = str(self._translations.ugettext(string))
        return found % variables if variables else found

    def _format(self, string: str) -> Markup:
        found = self._formats.get(string)
        if found is None:
            found = self._formats[string] = Markup(self._translations.ugettext(string))
        return found


_STRINGS: WeakKeyDictionary[Any, TemplateStrings] = WeakKeyDictionary()
_STRINGS_LOCK = threading.Lock()


def strings_for(translations: Any) -> TemplateStrings:
    """The :class:`TemplateStrings` of a Flask-Babel translations object (one per object)."""
    with _STRINGS_LOCK:
        found = _STRINGS.get(translations)
        if found is None:
            found = _STRINGS[translations] = TemplateStrings(translations)
        return found


@dataclass(frozen=True)
class RequestLanguage:
    """The request's interface language: its code (``"en"``) and its template strings."""

    code: str
    strings: TemplateStrings


_CURRENT: ContextVar[RequestLanguage | None] = ContextVar("kiosk_request_language", default=None)


def request_language() -> RequestLanguage:
    """The language of the current request (or app context), looked up once."""
    found = _CURRENT.get()
    if found is None:
        locale = get_locale()
        code = str(locale) if locale is not None else str(current_app.config["LANGUAGES"][0])
        found = RequestLanguage(code, strings_for(get_translations()))
        if has_app_context():  # outside one, nothing would forget it
            _CURRENT.set(found)
    return found


def forget_request_language() -> None:
    """Look the language up again when next asked (a new request, a forced locale)."""
    _CURRENT.set(None)


def gettext(string: str, /, **variables: Any) -> str:
    """Flask-Babel's ``gettext`` for Python code, in the request's language looked up once."""
    return request_language().strings.text(string, **variables)


def template_gettext(string: str, /, **variables: Any) -> Markup:
    """The templates' ``_`` and ``gettext``."""
    return request_language().strings.gettext(string, **variables)


def template_ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> Markup:
    """The templates' ``ngettext``."""
    return request_language().strings.ngettext(singular, plural, num, **variables)
