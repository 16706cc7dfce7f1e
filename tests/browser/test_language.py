"""English and Spanish: the browser's language chooses, the visible switch overrides it, and
``<html lang>`` follows; listing text is shown in Spanish where the listing has it."""

from __future__ import annotations

from typing import Any, Callable

from playwright.sync_api import expect

from .conftest import Site, shot


def test_browser_language_then_switch(open_context: Callable[..., Any], site: Site) -> None:
    page = open_context(locale="es-MX").new_page()
    page.goto(site.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Cómo podemos ayudarle hoy?")
    expect(page.get_by_role("link", name="Salida rápida")).to_be_visible()
    page.get_by_role("link", name="Salud mental").tap()
    card = page.locator("article.card").first
    expect(card).to_contain_text("Centro de Consejería en Crisis de Seminole")
    expect(card).to_contain_text("Consejería gratuita")
    shot(page, "language-es-results")

    page.get_by_role("link", name="English").tap()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("article.card").first).to_contain_text("Seminole Crisis Counseling Center")
    expect(page.get_by_role("link", name="Español")).to_have_attribute("lang", "es")
    page.get_by_role("link", name="Find help").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("How can we help you today?")

    page.get_by_role("link", name="Español").tap()
    expect(page.locator("html")).to_have_attribute("lang", "es")


def test_reset_forgets_the_language_choice(open_context: Callable[..., Any], site: Site) -> None:
    page = open_context(locale="en-US").new_page()
    page.goto(site.url + "/")
    page.get_by_role("link", name="Español").tap()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.wait_for_load_state("load")  # kiosk.js (deferred) listens for Escape from here on
    page.keyboard.press("Escape")
    expect(page).to_have_url(site.url + "/welcome")
    expect(page.locator("html")).to_have_attribute("lang", "en")
