"""A danger search on the kiosk shows the pinned crisis card with "Call 911 now" and "or tell the
officer at the front desk", in English, Spanish and Haitian Creole (a Creole card marked
``lang="ht"`` on the English page), its numbers as text with "scan to call" codes, and axe finds
no WCAG 2.2 A/AA violation on it."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from playwright.sync_api import expect

from .conftest import Site
from .test_accessibility import check

CASES = {
    "en": ("en-US", "my boyfriend has a gun and is hitting me", "Call 911 now",
           "or tell the officer at the front desk", "National Domestic Violence Hotline"),
    "es": ("es-ES", "mi esposo me pega y tiene un cuchillo", "Llame al 911 ahora",
           "o avísele al oficial de la recepción", "Línea Nacional de Violencia Doméstica"),
    "ht": ("en-US", "mari m ap bat mwen kounye a", "Rele 911 kounye a",
           "oswa di ofisye ki nan resepsyon an", "Liy Nasyonal kont Vyolans Domestik"),
}


@pytest.mark.parametrize("lang", CASES)
def test_danger_search_shows_the_card_first(open_context: Callable[..., Any], site: Site, lang: str) -> None:
    locale, query, now, desk, line = CASES[lang]
    page = open_context(locale=locale).new_page()
    page.goto(site.url + "/")
    page.locator("input[name=q]").first.fill(query)
    page.locator("input[name=q]").first.press("Enter")
    card = page.locator("section.crisis-banner")
    expect(card).to_be_visible()
    assert card.get_attribute("lang") == lang
    expect(card.locator(".crisis-lead")).to_contain_text(now)
    expect(card.locator(".crisis-lead")).to_contain_text(desk)
    expect(card.locator(".crisis-line h3").first).to_have_text(line)
    assert card.locator("a").count() == 0, "the kiosk cannot call: numbers are text"
    expect(card.locator(".call-code").first).to_be_visible()  # "scan to call" with a phone
    # The card comes before the count and every result card.
    order = page.evaluate("""() => {
        const card = document.querySelector('section.crisis-banner');
        const count = document.querySelector('p.count');
        return !!(card.compareDocumentPosition(count) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert order
    check(page, f"crisis-card-{lang}")


def test_card_on_a_page_with_no_results(open_context: Callable[..., Any], site: Site) -> None:
    page = open_context(locale="en-US").new_page()
    page.goto(site.url + "/search?q=i+want+to+kms&category=childcare&free=1")
    expect(page.locator("section.crisis-banner")).to_be_visible()
    expect(page.locator(".crisis-line h3").first).to_contain_text("988")
    check(page, "crisis-card-filtered")
