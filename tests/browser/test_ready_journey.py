"""A resident's and an officer's journey without snags, in real Chromium on a touch screen
(issue "Ready for a real department", points 4 to 10): the detail page's week of hours, holidays
and directions code; numbers as text with "scan to call" on the kiosk and tap-to-call on patrol;
adding to the referral without losing one's place, the referral one tap away, a plain QR
question; the print screen; discreet mode; larger text, landscape and no query in a large
heading; patrol distances nearest first and the same on every page of a visit. Screenshots go to
``test-artifacts/journey-*.png``; every code is decoded with zbar; axe-core finds no WCAG 2.2 A/AA
violation in any state a test visits with JavaScript on (:func:`look`)."""

from __future__ import annotations

import io
import re
from typing import Any, Callable

from PIL import Image
from playwright.sync_api import expect
from pyzbar.pyzbar import decode

from kiosk_directory import TODAY, JourneyListings

from .conftest import ALTAMONTE, ARTIFACTS, LANDSCAPE, Site, shot
from .test_accessibility import violations
from .test_patrol import sign_in

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def codes(locator: Any) -> list[str]:
    """What the QR codes in a screenshot of ``locator`` hold."""
    return [found.data.decode("utf-8") for found in decode(Image.open(io.BytesIO(locator.screenshot())))]


def look(page: Any, name: str) -> None:
    """A full-page screenshot ``journey-<name>``, and no WCAG 2.2 A/AA violation in the state."""
    shot(page, f"journey-{name}")
    found = violations(page)
    assert found == [], f"{name}: {found}"


def miles(text: str) -> float:
    """The miles in "3.2 mi away"."""
    found = re.search(r"([\d.,]+) mi", text)
    assert found, text
    return float(found.group(1).replace(",", ""))


def add_in_place(page: Any, card: Any) -> None:
    """Tap a card's "Add to my referral" and wait for its answer."""
    card.get_by_role("button", name="Add to my referral").tap()
    expect(card.get_by_role("button", name="In my referral: remove")).to_be_visible()


# 4. The detail page ------------------------------------------------------------------------


def test_detail_page_shows_the_week_holidays_and_directions(
    open_context: Callable[..., Any], site: Site, journey: JourneyListings
) -> None:
    page = open_context(device_scale_factor=2).new_page()
    page.goto(f"{site.url}/services/{journey.family_center}")
    rows = page.locator("table.week-hours tbody tr")
    expect(rows).to_have_count(7)
    days = [row.locator("th").inner_text().split("\n")[0].replace("Today", "").strip() for row in rows.all()]
    assert days == list(WEEKDAYS), days
    today = page.locator("table.week-hours tr.today")
    expect(today).to_have_count(1)
    expect(today).to_have_attribute("aria-current", "date")
    expect(today.locator("th")).to_contain_text(WEEKDAYS[TODAY.weekday()])
    expect(today.locator("th")).to_contain_text("Today")
    hours = {day: rows.nth(i).locator("td").inner_text() for i, day in enumerate(WEEKDAYS)}
    holiday = WEEKDAYS[journey.holiday.weekday()]
    assert hours[holiday] == "Closed for a holiday", hours
    expected = {
        "Monday": "9:00 AM to 12:00 PM\n1:00 PM to 5:00 PM", "Tuesday": "Closed",
        "Wednesday": "9:00 AM to 12:00 PM\n1:00 PM to 5:00 PM", "Thursday": "Closed",
        "Friday": "9:00 AM to 12:00 PM\n1:00 PM to 5:00 PM\n8:00 PM to 6:00 AM the next day",
        "Saturday": "8:00 PM to 6:00 AM the next day", "Sunday": "Open 24 hours",
    }
    for day, text in expected.items():
        if day != holiday:
            assert hours[day].replace("\u202f", " ") == text, (day, hours[day])
    notices = page.locator(".hour-notices li")
    expect(notices).to_have_count(1)
    expect(notices).to_contain_text(journey.holiday.strftime("%a, %b ") + str(journey.holiday.day))
    expect(notices).to_contain_text("Closed")
    directions = page.locator(".directions")
    expect(directions.get_by_role("heading", name="Get directions")).to_be_visible()
    assert codes(directions.locator("svg.qr")) == [
        "https://www.google.com/maps/dir/?api=1&destination=28.79500,-81.26500"]
    expect(directions).to_contain_text("your maps app opens with the way to Eastside Family Resource Center")
    look(page, "detail-hours-directions")

    page.goto(f"{site.url}/services/{site.directory.counseling}")
    expect(page.locator(".all-day")).to_have_text("Open 24 hours, every day")
    look(page, "detail-open-all-day")
    page.goto(f"{site.url}/services/{site.directory.shelter}")  # confidential: never a way there
    expect(page.locator(".detail")).to_contain_text("Confidential location")
    expect(page.locator(".directions")).to_have_count(0)
    assert "maps" not in page.content().lower()
    look(page, "detail-confidential-no-directions")


# 5. Kiosk numbers are text, patrol numbers are links ---------------------------------------


def test_kiosk_numbers_are_large_text_with_scan_to_call_and_patrol_keeps_tap_to_call(
    open_context: Callable[..., Any], site: Site, journey: JourneyListings
) -> None:
    page = open_context(device_scale_factor=2).new_page()
    page.goto(f"{site.url}/search?category=childcare")
    card = page.locator("article.card", has_text="Eastside Family Resource Center")
    expect(card.locator(".phone").first).to_have_text("(407) 555-0177")
    expect(card).to_contain_text("Text START to 88788")
    number_size = card.locator(".phone .number").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert number_size >= 1.5 * body_size, (number_size, body_size)
    assert page.locator("a[href^='tel:'], a[href^='sms:']").count() == 0, "the kiosk cannot call"
    # A tap on a number opens nothing and does not swallow the next tap.
    card.locator(".phone .number").first.tap()
    add_in_place(page, card)
    look(page, "kiosk-numbers-as-text")

    page.goto(f"{site.url}/services/{journey.family_center}")
    assert page.locator("a[href^='tel:'], a[href^='sms:']").count() == 0
    phones = page.locator(".detail .phones")
    call = phones.locator(".call-code")
    expect(call).to_have_count(1)  # the text line gets none
    expect(call).to_contain_text("Scan to call")
    assert codes(call.locator("svg.qr")) == ["tel:+14075550177"]
    expect(phones).to_contain_text("Text START to 88788")
    look(page, "kiosk-scan-to-call")

    page.goto(f"{site.url}/search?q=I+want+to+kill+myself")
    banner = page.locator("section.crisis-banner")
    expect(banner).to_be_visible()
    assert banner.locator("a").count() == 0
    assert codes(banner.locator(".call-code svg.qr").first) == ["tel:988"]
    assert page.locator("footer a[href^='tel:'], aside.crisis a").count() == 0
    expect(page.locator("aside.crisis")).to_contain_text("988")
    look(page, "kiosk-crisis-banner-scan-to-call")

    tablet = open_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(tablet, site)
    tablet.goto(f"{site.url}/patrol/services/{journey.family_center}")
    detail = tablet.locator(".detail")
    expect(detail.locator("a[href='tel:+14075550177']")).to_contain_text("(407) 555-0177")
    expect(detail.locator("a[href='sms:88788']")).to_have_text("Text START to 88788")
    expect(detail.locator(".call-code")).to_have_count(0)
    look(tablet, "patrol-tap-to-call")


# 6. A calmer referral flow -------------------------------------------------------------------


def test_adding_keeps_the_residents_place_with_and_without_javascript(
    open_context: Callable[..., Any], site: Site, journey: JourneyListings
) -> None:
    page = open_context().new_page()
    page.goto(site.url + "/search")
    history = page.evaluate("history.length")
    cards = page.locator("article.card")
    assert cards.count() >= 5
    card = cards.nth(4)
    card.scroll_into_view_if_needed()
    page.wait_for_load_state("load")
    before = page.evaluate("window.scrollY")
    assert before > 300, "the card is further down the page"
    add_in_place(page, card)
    assert page.url == site.url + "/search", "no reload, no jump"
    assert abs(page.evaluate("window.scrollY") - before) <= 2
    assert page.evaluate("history.length") == history
    expect(page.locator("#referral-count")).to_contain_text("1")
    expect(page.locator("#referral-status")).to_have_text("Added to your referral.")
    look(page, "added-in-place")
    card.get_by_role("button", name="In my referral: remove").tap()
    expect(card.get_by_role("button", name="Add to my referral")).to_be_visible()
    expect(page.locator("#referral-count")).to_contain_text("0")

    still = open_context(java_script_enabled=False).new_page()
    still.goto(site.url + "/search")
    card = still.locator("article.card").nth(4)
    card_id = card.get_attribute("id")
    card.get_by_role("button", name="Add to my referral").tap()
    expect(still).to_have_url(f"{site.url}/search#{card_id}")
    card = still.locator(f"#{card_id}")
    expect(card.get_by_role("button", name="In my referral: remove")).to_be_in_viewport()
    assert still.evaluate("window.scrollY") > 300, "back at the card, not at the top"
    shot(still, "journey-added-without-javascript")


def test_my_referral_is_one_tap_away_and_the_code_question_is_plain(
    open_context: Callable[..., Any], site: Site, journey: JourneyListings
) -> None:
    page = open_context(device_scale_factor=2).new_page()
    for path in ("/", "/search", f"/services/{journey.family_center}", f"/services/{journey.dv_shelter}"):
        page.goto(site.url + path)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        button = page.locator("#referral-link")
        expect(button).to_be_in_viewport(ratio=1)
        if path.startswith("/services/"):
            page.get_by_role("button", name="Add to my referral").tap()
            expect(page.get_by_role("button", name="In my referral: remove")).to_be_visible()
    expect(page.locator("#referral-link")).to_have_accessible_name(re.compile(r"My referral 2 services"))
    page.locator("#referral-link").tap()
    expect(page).to_have_url(site.url + "/referral")
    make = page.get_by_role("button", name="Make my referral")
    expect(make).to_be_in_viewport(ratio=1)  # above the fold, before the list
    question = page.get_by_role("group", name="What should your phone get when you scan the code?")
    expect(question.get_by_role("radio")).to_have_count(2)
    expect(question.get_by_label("The list of these services")).to_be_checked()
    expect(page.get_by_label("A link to a page with the list (needs internet)")).to_be_hidden()
    look(page, "referral-plain-question")
    page.get_by_text("More options").tap()
    expect(page.get_by_label("Chosen for you (recommended)")).to_be_checked()
    for label in ("The list itself, readable without internet", "A link to a page with the list (needs internet)",
                  "The first service as a phone contact"):
        expect(page.get_by_label(label)).to_be_visible()
    look(page, "referral-more-options")

    question.get_by_label("Only a number to call for help, nothing else").check()
    make.tap()
    made = page.locator(".made")
    expect(made).to_be_visible()
    expect(made.locator("figcaption")).to_have_text("Scan to call the line: (800) 799-7233.")
    assert "works until" not in made.inner_text().lower()
    expect(made.get_by_role("link", name="See the page it opens")).to_have_count(0)
    assert codes(made.locator("svg.qr")) == ["tel:+18007997233"]
    look(page, "referral-hotline-code")


# 7. The print screen ---------------------------------------------------------------------------


def _made_referral(page: Any, site: Site, *ids: str) -> None:
    for service_id in ids:
        page.goto(f"{site.url}/services/{service_id}")
        page.get_by_role("button", name="Add to my referral").tap()
        expect(page.get_by_role("button", name="In my referral: remove")).to_be_visible()
    page.goto(site.url + "/referral")
    page.get_by_role("button", name="Make my referral").tap()
    expect(page.locator(".made")).to_be_visible()


def test_the_print_screen_keeps_the_lobby_safe_and_starts_over_within_20_seconds(
    open_context: Callable[..., Any], site: Site, journey: JourneyListings
) -> None:
    context = open_context()
    # A printer that never answers: print() returns and "afterprint" never comes.
    context.add_init_script("window.print = () => { window.__prints = (window.__prints || 0) + 1; };")
    page = context.new_page()
    page.clock.install()
    _made_referral(page, site, journey.family_center)
    page.get_by_role("link", name="Print it").tap()
    expect(page).to_have_url(site.url + "/referral/print")
    expect(page.get_by_role("heading", level=1, name="Take your slip from the printer")).to_be_visible()
    expect(page.get_by_role("link", name="Quick exit")).to_be_visible()
    expect(page.locator("aside.crisis")).to_be_visible()
    expect(page.locator("#referral-link")).to_be_visible()
    expect(page.get_by_text("Eastside Family Resource Center")).to_be_hidden()  # the slip is not on screen
    page.wait_for_function("window.__prints === 1")
    shot(page, "journey-print-screen")  # axe on this state below, without the faked clock
    pdf = page.pdf(prefer_css_page_size=True)
    from pypdf import PdfReader

    printed = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Eastside Family Resource Center" in printed and "If you are in danger, call 911" in printed
    assert "Take your slip" not in printed and "Quick exit" not in printed
    page.clock.run_for(19_000)
    expect(page).to_have_url(site.url + "/referral/print")
    page.clock.run_for(1_500)
    expect(page).to_have_url(site.url + "/")
    expect(page.locator("#referral-count")).to_contain_text("0")  # the visit was wiped

    escape = open_context().new_page()
    _made_referral(escape, site, journey.family_center)
    escape.goto(site.url + "/referral/print")
    escape.wait_for_load_state("load")
    look(escape, "print-screen-checked")  # axe here: the first page's clock is faked
    escape.keyboard.press("Escape")
    expect(escape).to_have_url(site.url + "/welcome")
    look(escape, "quick-exit-welcome")


# 8. Discreet mode --------------------------------------------------------------------------


def test_discreet_mode_renames_only_what_reveals_abuse_and_says_the_note_is_left_off(
    open_context: Callable[..., Any], site: Site, journey: JourneyListings
) -> None:
    page = open_context(device_scale_factor=2).new_page()
    for service_id in (journey.dv_shelter, journey.dv_counseling, journey.homeless_shelter):
        page.goto(f"{site.url}/services/{service_id}")
        page.get_by_role("button", name="Add to my referral").tap()
        expect(page.get_by_role("button", name="In my referral: remove")).to_be_visible()
    page.goto(site.url + "/referral")
    page.get_by_text("More options").tap()
    expect(page.get_by_label("Discreet: a neutral title, no words about abuse")).to_be_checked()
    page.get_by_label("The list itself, readable without internet").check()
    page.get_by_label("Note (optional). Please do not write a name.").fill("Ask for Ana at the side door")
    page.get_by_role("button", name="Make my referral").tap()
    made = page.locator(".made")
    expect(made.locator("#note-left-off")).to_have_text(
        "Your note is not on the slip or in the code, because discreet mode is on.")
    (text,) = codes(made.locator("svg.qr"))
    lines = text.splitlines()
    names = [line.split(". ", 1)[1] for line in lines if re.match(r"\d+\. ", line)]
    assert names == ["Support service — housing", "Support service — counseling", "Volusia Homeless Shelter"], text
    assert len(set(names)) == len(names), "every entry reads differently"
    assert "Open 24 hours" in text and "12am" not in text and "Mon-Sun" not in text
    assert "Ask for Ana" not in text and "Domestic" not in text and "Violence" not in text
    assert lines[0] == "Community resources"
    look(page, "discreet-made")


# 9. Readable for low vision ----------------------------------------------------------------


def test_larger_text_landscape_and_no_query_in_a_large_heading(
    open_context: Callable[..., Any], site: Site, journey: JourneyListings
) -> None:
    page = open_context(viewport=LANDSCAPE).new_page()
    page.goto(site.url + "/")
    page.get_by_label("Search for help").fill("family help")
    page.get_by_role("button", name="Search").tap()
    expect(page).to_have_url(re.compile(r"/search\?q=family"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Results")
    page.wait_for_load_state("load")  # sizes below are read once the style sheet has applied
    expect(page.get_by_label("Search for help")).to_have_value("family help")
    headings = page.locator("h1, h2:not(.card-name), p.count, p.lead").all_inner_texts()
    assert not any("family help" in text.lower() for text in headings), headings
    heading_size = heading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert heading_size <= 1.2 * body_size, (heading_size, body_size)
    look(page, "landscape-results")

    page.goto(site.url + "/search")
    viewport_bottom = page.evaluate("innerHeight - document.querySelector('aside.crisis').getBoundingClientRect().height")
    top_bar = page.evaluate("document.querySelector('.topbar').getBoundingClientRect().bottom")
    boxes = [card.bounding_box() for card in page.locator("article.card").all()]
    above_fold = [b for b in boxes if b["y"] >= top_bar and b["y"] + b["height"] <= viewport_bottom]
    assert len(above_fold) >= 3, boxes
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey-landscape-three-cards.png"))  # what is above the fold
    assert violations(page) == []

    # the same card's summary before and after (the order of a browse may change between loads)
    card_id = page.locator("article.card:has(.summary)").first.get_attribute("id")
    size = f"parseFloat(getComputedStyle(document.querySelector('#{card_id} .summary')).fontSize)"
    normal = page.evaluate(size)
    page.get_by_role("button", name="Larger text").tap()
    expect(page.get_by_role("button", name="Larger text")).to_have_attribute("aria-pressed", "true")
    # the setting is a form that reloads the page: measure once its style sheet has loaded (measured
    # before, the browser's own 16 px came back now and then)
    page.wait_for_load_state("load")
    large = page.evaluate(size)
    assert large >= 1.5 * normal, (normal, large)
    look(page, "landscape-larger-text")


# 10. Patrol distances ----------------------------------------------------------------------


def test_patrol_sorts_nearest_first_and_measures_every_page_from_the_same_point(
    open_context: Callable[..., Any], site: Site, journey: JourneyListings
) -> None:
    page = open_context(viewport={"width": 1280, "height": 800}, geolocation=ALTAMONTE,
                        permissions=["geolocation"]).new_page()
    sign_in(page, site)
    expect(page).to_have_url(re.compile("lat="))
    page.goto(site.url + "/patrol/?category=housing&open=0")
    expect(page).to_have_url(re.compile(r"lat=28\.66"), timeout=10000)
    expect(page.locator("#where")).to_have_text("Nearest first from your location.")
    distances = [miles(t) for t in page.locator("article.card .facts li:first-child").all_inner_texts()]
    assert distances == sorted(distances) and len(distances) >= 3, distances

    lat, lon = re.search(r"lat=([-\d.]+)&lon=([-\d.]+)", page.url).groups()
    page.goto(f"{site.url}/patrol/?q=housing+help&open=0&lat={lat}&lon={lon}")
    expect(page.locator("#where")).to_contain_text(
        "Best matches for your search nearest first from your location, then the other matches")
    best = page.locator("ol.cards").first.locator("article.card .facts li:first-child").all_inner_texts()
    assert [miles(t) for t in best] == sorted(miles(t) for t in best), best
    others = page.locator("#other-matches + ol.cards article.card .facts li:first-child").all_inner_texts()
    assert [miles(t) for t in others] == sorted(miles(t) for t in others), others
    look(page, "patrol-nearest-first")

    card = page.locator("article.card", has_text="Sanford Housing Help Desk")
    on_card = card.locator(".facts li:first-child").inner_text()
    assert on_card.endswith("mi away"), on_card
    card.get_by_role("link", name="Sanford Housing Help Desk").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sanford Housing Help Desk")
    assert "lat=" not in page.url, "the visit keeps the point, not the link"
    distance = page.locator(".facts-list dt:has-text('Distance') + dd")
    expect(distance).to_have_text(on_card)
    page.get_by_role("button", name="Add to my referral").tap()
    expect(page.get_by_role("button", name="In my referral: remove")).to_be_visible()
    expect(distance).to_have_text(on_card)  # the page came back with the same point
    page.goto(site.url + "/patrol/referral")
    expect(page.locator("article.card", has_text="Sanford Housing Help Desk").locator(
        ".facts li:first-child")).to_have_text(on_card)
    look(page, "patrol-same-distance")
