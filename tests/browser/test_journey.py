"""A resident's journey on the lobby kiosk by touch: topic tile, results, a service, add to the
referral, the referral list; with JavaScript and without it."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from playwright.sync_api import expect

from .conftest import LANDSCAPE, Site, shot


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_resident_journey_by_touch(open_context: Callable[..., Any], site: Site, javascript: bool) -> None:
    page = open_context(java_script_enabled=javascript).new_page()
    suffix = "js" if javascript else "nojs"
    page.goto(site.url + "/")
    history_start = page.evaluate("history.length")
    expect(page.get_by_role("heading", level=1)).to_have_text("How can we help you today?")
    shot(page, f"journey-1-home-{suffix}")

    page.get_by_role("link", name="Housing").tap()
    expect(page).to_have_url(site.url + "/search?category=housing")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results · Housing")
    card = page.locator("article.card", has_text="Sanford Housing Help Desk")
    expect(card).to_be_visible()
    expect(card.locator(".phone .number")).to_have_text("(407) 555-0133")  # the kiosk cannot call
    expect(card).to_contain_text("from this station")
    expect(page.locator("article.card", has_text="Closed Housing Office")).to_have_count(0)
    shot(page, f"journey-2-results-{suffix}")

    card.get_by_role("link", name="Sanford Housing Help Desk").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sanford Housing Help Desk")
    expect(page.locator(".detail")).to_contain_text("300 N Park Ave")
    expect(page.locator(".detail")).to_contain_text("Last checked")
    shot(page, f"journey-3-detail-{suffix}")

    page.get_by_role("button", name="Add to my referral").tap()
    expect(page.get_by_role("button", name="In my referral: remove")).to_be_visible()
    expect(page.locator(".referral-link .badge")).to_contain_text("1")

    page.get_by_role("link", name="My referral").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("My referral")
    expect(page.locator("article.card")).to_have_count(1)
    expect(page.locator("article.card")).to_contain_text("Sanford Housing Help Desk")
    shot(page, f"journey-4-referral-{suffix}")
    if javascript:
        assert page.evaluate("history.length") == history_start, "navigation added history"


def test_search_box_finds_services(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    page.get_by_label("Search for help").fill("counseling")
    page.get_by_role("button", name="Search").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results")
    expect(page.get_by_label("Search for help")).to_have_value("counseling")
    # among the results (other browser tests add counseling listings to the shared directory)
    expect(page.locator("article.card", has_text="Seminole Crisis Counseling Center")).to_have_count(1)
    shot(page, "search-counseling")


def test_landscape_layout_puts_tiles_in_one_row(open_context: Callable[..., Any], site: Site) -> None:
    page = open_context(viewport=LANDSCAPE).new_page()
    page.goto(site.url + "/")
    tops = page.locator(".tile").evaluate_all("els => els.map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, tops
    shot(page, "home-landscape")


def test_touch_targets_are_at_least_48px(page: Any, site: Site) -> None:
    for path in ("/", "/search?category=housing", f"/services/{site.directory.counseling}"):
        page.goto(site.url + path)
        small = page.evaluate(
            """() => [...document.querySelectorAll('a[href], button, input:not([type=hidden]):not([type=checkbox]), select, label.check')]
                 .filter(e => e.offsetParent !== null && !e.closest('.skip'))
                 .map(e => [e.textContent.trim().slice(0, 30) || e.name, e.getBoundingClientRect()])
                 .filter(([, r]) => r.width < 48 || r.height < 48)
                 .map(([t, r]) => `${t}: ${Math.round(r.width)}x${Math.round(r.height)}`)"""
        )
        assert small == [], f"{path}: {small}"
