"""The app's templates give what Jinja and Flask themselves give: the template strings (new-style
gettext with autoescape), calls with and without ``pass_*`` arguments, and the kept formatting of
dates and times."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, render_template_string
from jinja2 import Environment, pass_context, pass_environment, pass_eval_context
from markupsafe import Markup

SNIPPETS = [
    '{{ _("Free") }}',
    '{{ _("100%% free") }}',
    '{{ _("Last checked %(date)s", date=value) }}',
    '{{ _("Last checked %(date)s", date=markup) }}',
    '{{ _("Page %(page)d of %(pages)d", page=2, pages=7) }}',
    '{{ ngettext("%(num)d service found", "%(num)d services found", 1) }}',
    '{{ ngettext("%(num)d service found", "%(num)d services found", count) }}',
    '{{ ngettext("service", "services", count) }}',
    '{{ gettext("Open now") }}{{ _("Open now") }}',
    '{% trans %}Free{% endtrans %}',
]


class Catalog:
    """The request's catalog, as Jinja's own new-style gettext is given it."""

    def __init__(self, translations: object) -> None:
        self.translations = translations

    def gettext(self, string: str) -> str:
        return str(self.translations.ugettext(string))  # type: ignore[attr-defined]

    def ngettext(self, singular: str, plural: str, num: int) -> str:
        return str(self.translations.ungettext(singular, plural, num))  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["en", "es"])
def test_template_strings_are_jinjas_new_style_gettext(app: Flask, language: str) -> None:
    from flask_babel import get_translations

    values = {"value": "<b>Nov 3 & 4</b>", "markup": Markup("<i>kept</i>"), "count": 3}
    with app.test_request_context("/", headers={"Accept-Language": language}):
        catalog = Catalog(get_translations())
        jinja = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        jinja.install_gettext_callables(catalog.gettext, catalog.ngettext, newstyle=True)  # type: ignore[attr-defined]
        for snippet in SNIPPETS * 2:  # the second time from what the app kept
            expected = jinja.from_string(snippet).render(values)
            assert render_template_string(snippet, **values) == expected, snippet


def test_plain_calls_and_pass_arguments(app: Flask) -> None:
    @pass_context
    def with_context(context: object, name: str) -> str:
        return f"{name}:{context['who']}"  # type: ignore[index]

    @pass_environment
    def with_environment(environment: Environment) -> str:
        return type(environment).__name__

    @pass_eval_context
    def with_eval_context(eval_context: object) -> str:
        return str(eval_context.autoescape)  # type: ignore[attr-defined]

    def stops() -> str:
        raise StopIteration

    class Callable:
        def __call__(self, x: int) -> int:
            return x * 2

    template = ("{{ plain(1, b=2) }} {{ with_context('a') }} {{ with_environment() }} "
                "{{ with_eval_context() }} {{ stops() is undefined }} {{ obj(21) }} {{ d.get('k') }} "
                "{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m(who) }}")
    values = {"plain": lambda a, b: a + b, "with_context": with_context, "with_environment": with_environment,
              "with_eval_context": with_eval_context, "stops": stops, "obj": Callable(), "d": {"k": "v"},
              "who": "me"}
    with app.test_request_context("/"):
        assert render_template_string(template, **values) == (
            "3 a:me Environment True True 42 v <me>")


def test_kept_formatting_is_babels(app: Flask) -> None:
    from flask_babel import format_date, format_decimal, format_time, gettext

    from kiosk.formatting import KM_PER_MILE, date_text, distance_text, time_text, weekday_text

    when = dt.datetime(2026, 11, 24, 17, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    for language in ("en", "es", "en"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            for _ in range(2):
                assert time_text(when) == format_time(when, "short", rebase=False)
                assert weekday_text(when) == format_date(when.date(), "EEEE")
                assert date_text(when.date()) == format_date(when.date(), "medium")
                assert date_text(when) == format_date(when, "medium")
                for km in (0.01, 3.9, 16.0, 16.3, 1987.0):
                    miles = max(km / KM_PER_MILE, 0.1)  # what distance_text did before it kept them
                    shown = format_decimal(round(miles, 1) if miles < 10 else round(miles), format="#,##0.#")
                    assert distance_text(km) == gettext("%(miles)s mi", miles=shown), km


def test_each_request_and_forced_language_is_looked_up_anew(app: Flask) -> None:
    from kiosk.i18n import current_language
    from kiosk.referrals import in_language

    client = app.test_client()
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert render_template_string('{{ _("Free") }}') == "Gratis"
        assert client.get("/welcome").status_code == 200  # a request inside this one
        assert render_template_string('{{ _("Free") }}') == "Gratis" and current_language() == "es"
        with in_language("en"):
            assert render_template_string('{{ _("Free") }}') == "Free" and current_language() == "en"
        assert render_template_string('{{ _("Free") }}') == "Gratis"
    with app.test_request_context("/"):
        assert render_template_string('{{ _("Free") }}') == "Free" and current_language() == "en"
    assert "Find help" in client.get("/").get_data(as_text=True)
    assert "Buscar ayuda" in client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
