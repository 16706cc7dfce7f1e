"""Idle reset and quick exit wipe everything a resident did: referral, search text, scroll,
storage, cookies and the browser's history of the visit."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import Site, shot


def _start_a_visit(page: Any, site: Site) -> None:
    """Search, add a service to the referral, type, scroll and store something."""
    page.goto(site.url + "/search?category=abuse")
    page.history_start = page.evaluate("history.length")  # the test's own goto, not the kiosk's
    page.locator("article.card").first.get_by_role("button", name="Add to my referral").tap()
    expect(page.locator(".referral-link .badge")).to_contain_text("1")
    page.get_by_label("Search for help").fill("shelter for me and my kids")
    page.evaluate("sessionStorage.setItem('k', 'v'); localStorage.setItem('k', 'v'); window.scrollTo(0, 400)")
    page.wait_for_load_state("load")


def _assert_wiped(page: Any, site: Site) -> None:
    expect(page.locator(".referral-link .badge")).to_contain_text("0")
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate("history.length") == page.history_start, "the visit left history"
    page.goto(site.url + "/referral")
    expect(page.locator("article.card")).to_have_count(0)


def test_idle_reset_counts_down_then_wipes_everything(page: Any, quick_site: Site) -> None:
    _start_a_visit(page, quick_site)
    dialog = page.locator("#idle-dialog")
    expect(dialog).to_be_visible(timeout=5000)
    expect(dialog).to_contain_text("Are you still there?")
    shot(page, "idle-countdown")
    expect(page).to_have_url(quick_site.url + "/", timeout=6000)
    expect(page.get_by_label("Search for help")).to_have_value("")
    _assert_wiped(page, quick_site)


def test_still_here_keeps_the_visit(page: Any, quick_site: Site) -> None:
    page.goto(quick_site.url + "/search?category=housing")
    page.locator("article.card").first.get_by_role("button", name="Add to my referral").tap()
    dialog = page.locator("#idle-dialog")
    expect(dialog).to_be_visible(timeout=5000)
    page.get_by_role("button", name="I am still here").tap()
    expect(dialog).to_be_hidden()
    assert "/search" in page.url
    expect(page.locator(".referral-link .badge")).to_contain_text("1")


def test_quick_exit_by_tap_shows_a_neutral_screen_and_wipes(page: Any, site: Site) -> None:
    _start_a_visit(page, site)
    page.get_by_role("link", name="Quick exit").tap()
    expect(page).to_have_url(site.url + "/welcome")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    body = page.locator("body").inner_text()
    assert "shelter" not in body.lower() and "abuse" not in body.lower()
    assert page.context.cookies() == []
    shot(page, "quick-exit-welcome")
    page.get_by_role("link", name="Touch to start").tap()
    _assert_wiped(page, site)


def test_quick_exit_by_escape(page: Any, site: Site) -> None:
    _start_a_visit(page, site)
    page.keyboard.press("Escape")
    expect(page).to_have_url(site.url + "/welcome")
    page.wait_for_load_state("load")  # kiosk.js (deferred) navigates without history from here on
    page.get_by_role("link", name="Touch to start").tap()
    _assert_wiped(page, site)


def test_back_after_quick_exit_shows_nothing_of_the_visit(page: Any, site: Site) -> None:
    _start_a_visit(page, site)
    page.get_by_role("link", name="Quick exit").tap()
    expect(page).to_have_url(site.url + "/welcome")
    page.go_back()
    assert "abuse" not in page.url and "search" not in page.url
