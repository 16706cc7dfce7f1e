"""Safe editing and the sample and held marks in real Chromium on a touch screen: an edit followed
by "Save and mark verified" keeps the edit; a form in error verifies nothing; retiring asks first
(with and without JavaScript) and the message's Undo brings the listing back; a sample listing is
marked "Sample listing" on every surface it appears on (kiosk results and detail, the referral
page, the made referral and its printed slip, the page its code opens, patrol results, detail and
referral); a held listing is in the workspace with its reasons and on no public page. Every page
and state with JavaScript passes axe-core (WCAG 2.2 A/AA). Screenshots in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from directory_data.models import Role, Service
from kiosk_directory import station_today

from .conftest import OFFICER, Site, shot
from .test_accessibility import check
from .test_patrol import sign_in as officer_sign_in
from .test_workspace import served_workspace, sign_in

CASEWORKER = ("case.jordan", "another caseworker passphrase")
HELD_NAME = "Unreachable Support Group"


def _prepare(session: Any, directory: Any) -> None:
    """Little Steps Child Care becomes a sample listing; a listing nobody can reach is held."""
    session.execute(update(Service).where(Service.id == directory.childcare).values(source="sample"))
    session.add(Service(source="kiosk-test", source_id="held-1", name=HELD_NAME,
                        description="A weekly group.", review_reasons="no-contact no-category"))


@pytest.fixture(scope="module")
def safe_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from served_workspace(tmp_path_factory, "safe-edits-home",
                                {CASEWORKER: Role.caseworker, OFFICER: Role.officer}, prepare=_prepare)


def _desk(open_context: Callable[..., Any], **options: Any) -> Any:
    """A caseworker's touch-screen desk (a large tablet or a touch monitor)."""
    settings = {"viewport": {"width": 1366, "height": 900}, "has_touch": True, **options}
    return open_context(**settings).new_page()


def test_an_edit_then_save_and_mark_verified_keeps_the_edit(
    open_context: Callable[..., Any], safe_site: Site
) -> None:
    site = safe_site
    page = _desk(open_context)
    sign_in(page, site, CASEWORKER)
    page.goto(f"{site.url}/admin/listings/{site.directory.housing_near}")
    summary = page.locator(".summary-box")
    expect(summary).to_contain_text("Last verified")
    expect(summary).not_to_contain_text(station_today().isoformat())
    page.get_by_role("link", name="Mark verified…").tap()  # leads to the form's own buttons
    expect(page.get_by_role("button", name="Save and mark verified")).to_be_in_viewport()
    expect(page.locator("#verify-hint")).to_contain_text("saves the changes in this form")
    page.get_by_label("Phone 1: number").fill("407.555.0166")
    page.get_by_label("Wait time", exact=True).fill("Same day")
    shot(page, "safe-edit-before-verify")
    page.get_by_role("button", name="Save and mark verified").tap()
    expect(page.get_by_role("status")).to_contain_text(
        "Your changes were saved and the listing was marked verified today.")
    expect(page.get_by_label("Phone 1: number")).to_have_value("(407) 555-0166")
    expect(page.get_by_label("Wait time", exact=True)).to_have_value("Same day")
    expect(summary).to_contain_text(station_today().isoformat())
    expect(summary).to_contain_text(CASEWORKER[0])
    check(page, "safe-edit-verified")
    resident = open_context().new_page()
    resident.goto(f"{site.url}/services/{site.directory.housing_near}")
    expect(resident.locator(".detail")).to_contain_text("(407) 555-0166")


def test_a_form_in_error_is_neither_saved_nor_verified(open_context: Callable[..., Any], safe_site: Site) -> None:
    site = safe_site
    page = _desk(open_context)
    sign_in(page, site, CASEWORKER)
    page.goto(f"{site.url}/admin/listings/{site.directory.counseling}")
    before = page.locator(".summary-box p").first.inner_text()
    page.get_by_label("Wait time", exact=True).fill("Not kept")
    page.get_by_label("Phone 1: number").fill("12")
    page.get_by_role("button", name="Save and mark verified").tap()
    expect(page.get_by_role("alert")).to_contain_text(
        "Nothing was saved, and the listing was not marked verified.")
    expect(page.locator("#err-phones-0-number")).to_be_visible()
    expect(page.get_by_label("Wait time", exact=True)).to_have_value("Not kept")  # nothing typed is lost
    check(page, "safe-edit-error")
    page.goto(f"{site.url}/admin/listings/{site.directory.counseling}")
    assert page.locator(".summary-box p").first.inner_text() == before
    expect(page.get_by_label("Wait time", exact=True)).to_have_value("")


def test_mark_verified_after_someone_else_saved_refuses_and_says_what_differs(
    open_context: Callable[..., Any], safe_site: Site
) -> None:
    """Two caseworkers open the shelter; the first saves a wait time; the second's "Save and mark
    verified" saves nothing and verifies nothing, and names the field that differs, keeping what
    they typed."""
    site = safe_site
    editor = f"{site.url}/admin/listings/{site.directory.shelter}"
    first, second = _desk(open_context), _desk(open_context)
    for page in (first, second):
        sign_in(page, site, CASEWORKER)
        page.goto(editor)
    verified = re.compile(r"Last verified: [^·]+")
    before = verified.search(second.locator(".summary-box p").first.inner_text()).group(0)
    first.get_by_label("Wait time", exact=True).fill("Two days")
    first.get_by_role("button", name="Save", exact=True).tap()
    expect(first.locator(".notice[role=status]")).to_be_visible()
    second.get_by_label("Wait time", exact=True).fill("Same week")
    second.get_by_role("button", name="Save and mark verified").tap()
    expect(second.get_by_role("heading", level=1)).to_have_text("Someone else saved this listing")
    alert = second.get_by_role("alert")
    expect(alert).to_contain_text("Nothing of yours has been saved yet.")
    expect(alert).to_contain_text("The listing was not marked verified either.")
    row = second.locator("table.compare tbody tr").filter(has_text="Wait time")
    expect(row.locator(".theirs")).to_have_text("Two days")
    expect(row.locator(".mine")).to_have_text("Same week")
    expect(second.get_by_label("Wait time", exact=True)).to_have_value("Same week")
    check(second, "safe-edit-verify-conflict")
    second.goto(editor)
    assert verified.search(second.locator(".summary-box p").first.inner_text()).group(0) == before
    expect(second.get_by_label("Wait time", exact=True)).to_have_value("Two days")


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_retiring_asks_first_and_undo_brings_it_back(
    open_context: Callable[..., Any], safe_site: Site, script: bool
) -> None:
    site = safe_site
    tag = "script" if script else "no-script"
    look = check if script else shot  # axe runs in the page's JavaScript: the script run checks
    page = _desk(open_context, java_script_enabled=script)
    sign_in(page, site, CASEWORKER)
    editor = f"{site.url}/admin/listings/{site.directory.housing_far}"
    page.goto(editor)
    page.get_by_role("link", name="Retire…").tap()
    expect(page.get_by_role("heading", name="Retire “Altamonte Family Housing”?")).to_be_visible()
    look(page, f"retire-question-{tag}")
    page.get_by_role("link", name="Keep it").tap()
    expect(page.get_by_role("heading", name="Altamonte Family Housing", level=1)).to_be_visible()
    expect(page.locator(".summary-box .pill.retired")).to_have_count(0)

    page.get_by_role("link", name="Retire…").tap()
    page.get_by_role("button", name="Retire the listing").tap()
    status = page.get_by_role("status")
    expect(status).to_contain_text("“Altamonte Family Housing” was retired.")
    expect(status.get_by_role("button", name="Undo")).to_be_visible()
    expect(page.locator(".summary-box .pill.retired")).to_be_visible()
    look(page, f"retired-with-undo-{tag}")
    resident = open_context().new_page()
    assert resident.goto(f"{site.url}/services/{site.directory.housing_far}").status == 404

    status.get_by_role("button", name="Undo").tap()
    expect(page.get_by_role("status")).to_contain_text("“Altamonte Family Housing” was restored.")
    expect(page.locator(".summary-box .pill.retired")).to_have_count(0)
    shot(page, f"retire-undone-{tag}")
    assert resident.goto(f"{site.url}/services/{site.directory.housing_far}").status == 200


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_held_and_sample_listings_pass_axe(open_context: Callable[..., Any], safe_site: Site, locale: str) -> None:
    site = safe_site
    tag = locale[:2]
    mark = "Sample listing" if tag == "en" else "Servicio de ejemplo"
    page = _desk(open_context, locale=locale)
    labels = ("Name", "Password", "Sign in") if tag == "en" else ("Nombre", "Contraseña", "Entrar")
    sign_in(page, site, CASEWORKER, labels)
    page.goto(f"{site.url}/admin/?status=held")
    row = page.get_by_role("row").filter(has_text=HELD_NAME)
    expect(row).to_contain_text("Held for review" if tag == "en" else "Retenido para revisión")
    check(page, f"workspace-held-{tag}")
    row.get_by_role("link", name=HELD_NAME).tap()
    expect(page.locator(".held-note")).to_be_visible()
    check(page, f"workspace-held-editor-{tag}")
    page.goto(f"{site.url}/admin/?q=Little+Steps")
    expect(page.locator(".pill.sample")).to_have_text(mark)

    kiosk = open_context(locale=locale).new_page()
    kiosk.goto(site.url + "/search?category=childcare")
    card = kiosk.locator("article.card").filter(has_text="Little Steps Child Care")
    expect(card.locator(".sample-mark")).to_contain_text(mark)
    check(kiosk, f"results-sample-{tag}")
    kiosk.goto(f"{site.url}/services/{site.directory.childcare}")
    expect(kiosk.locator(".detail .sample-mark")).to_contain_text(mark)
    check(kiosk, f"detail-sample-{tag}")
    kiosk.get_by_role("button", name="High contrast" if tag == "en" else "Alto contraste").tap()
    expect(kiosk.locator("html.mode-contrast")).to_have_count(1)
    check(kiosk, f"detail-sample-contrast-{tag}")
    assert kiosk.goto(f"{site.url}/services/{site.directory.counseling}").ok
    expect(kiosk.locator(".sample-mark")).to_have_count(0)


def test_a_sample_listing_is_marked_on_every_surface(open_context: Callable[..., Any], safe_site: Site) -> None:
    """Little Steps Child Care (a sample listing) on the kiosk's results, detail and referral
    pages, in the code of a made referral (as text), on the printed slip, on the page a link code
    opens, and on patrol's results, detail and referral: each says "Sample listing"."""
    site = safe_site
    mark = "Sample listing"
    context = open_context()
    context.add_init_script("window.print = () => {};")  # the print screen's printer
    kiosk = context.new_page()
    kiosk.goto(site.url + "/search?q=child+care")
    card = kiosk.locator("article.card").filter(has_text="Little Steps Child Care")
    expect(card.locator(".sample-mark")).to_have_text(f"{mark} · not a real service")
    check(kiosk, "sample-kiosk-results")
    card.get_by_role("button", name="Add to my referral").tap()
    expect(card.get_by_role("button", name="In my referral: remove")).to_be_visible()
    kiosk.goto(f"{site.url}/services/{site.directory.counseling}")  # a real listing beside it
    expect(kiosk.locator(".sample-mark")).to_have_count(0)
    kiosk.get_by_role("button", name="Add to my referral").tap()
    expect(kiosk.get_by_role("button", name="In my referral: remove")).to_be_visible()

    kiosk.locator("#referral-link").tap()
    expect(kiosk).to_have_url(site.url + "/referral")
    cards = kiosk.locator("article.card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="Little Steps Child Care").locator(".sample-mark")).to_contain_text(mark)
    expect(kiosk.locator(".sample-mark")).to_have_count(1)
    check(kiosk, "sample-kiosk-referral")
    kiosk.get_by_text("More options").tap()
    kiosk.get_by_label("The list itself, readable without internet").check()
    kiosk.get_by_role("button", name="Make my referral").tap()
    made = kiosk.locator(".made")
    expect(made).to_be_visible()
    from .test_ready_journey import codes

    (text,) = codes(made.locator("svg.qr"))
    child_care = text.split("Little Steps Child Care", 1)[1].split("\n\n", 1)[0]
    assert "Sample listing, not a real service" in child_care, text
    assert text.count("Sample listing") == 1, text
    check(kiosk, "sample-kiosk-referral-made")
    made.get_by_role("link", name="Print it").tap()
    expect(kiosk.locator(".print-screen")).to_be_visible()
    check(kiosk, "sample-print-screen")
    kiosk.emulate_media(media="print")
    slip = kiosk.locator(".print-only .entry").filter(has_text="Little Steps Child Care")
    expect(slip.locator(".sample-mark")).to_be_visible()
    expect(slip.locator(".sample-mark")).to_contain_text(mark)
    shot(kiosk, "sample-printed-slip")
    kiosk.emulate_media(media="screen")

    kiosk.goto(f"{site.url}/services/{site.directory.childcare}")  # still in the referral
    expect(kiosk.locator(".detail .sample-mark")).to_contain_text(mark)
    expect(kiosk.get_by_role("button", name="In my referral: remove")).to_be_visible()
    check(kiosk, "sample-kiosk-detail")

    linked = open_context().new_page()  # the next visit takes a link code
    linked.goto(f"{site.url}/services/{site.directory.childcare}")
    linked.get_by_role("button", name="Add to my referral").tap()
    expect(linked.get_by_role("button", name="In my referral: remove")).to_be_visible()
    linked.goto(site.url + "/referral")
    linked.get_by_text("More options").tap()
    linked.get_by_label("A link to a page with the list (needs internet)").check()
    linked.get_by_role("button", name="Make my referral").tap()
    linked.get_by_role("link", name="See the page it opens").tap()
    expect(linked).to_have_url(re.compile(r"/r/[0-9A-Za-z_-]+$"))
    entry = linked.locator(".entry").filter(has_text="Little Steps Child Care")
    expect(entry.locator(".sample-mark")).to_contain_text(mark)
    check(linked, "sample-referral-public-page")

    tablet = open_context(viewport={"width": 1280, "height": 800}).new_page()
    officer_sign_in(tablet, site)
    tablet.goto(site.url + "/patrol/?category=childcare&open=0")
    card = tablet.locator("article.card").filter(has_text="Little Steps Child Care")
    expect(card.locator(".sample-mark")).to_contain_text(mark)
    check(tablet, "sample-patrol-results")
    card.get_by_role("link", name="Little Steps Child Care").tap()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Little Steps Child Care")
    expect(tablet.locator(".detail .sample-mark")).to_contain_text(mark)
    tablet.get_by_role("button", name="Add to my referral").tap()
    expect(tablet.get_by_role("button", name="In my referral: remove")).to_be_visible()
    check(tablet, "sample-patrol-detail")
    tablet.goto(site.url + "/patrol/referral")
    expect(tablet.locator("article.card").filter(has_text="Little Steps Child Care").locator(
        ".sample-mark")).to_contain_text(mark)
    check(tablet, "sample-patrol-referral")


def test_a_held_listing_is_in_the_workspace_with_its_reasons_and_on_no_public_page(
    open_context: Callable[..., Any], safe_site: Site
) -> None:
    site = safe_site
    desk = _desk(open_context)
    sign_in(desk, site, CASEWORKER)
    expect(desk.locator(".held-note")).to_contain_text("1 listing is held for review")
    desk.locator(".held-note a").tap()
    row = desk.get_by_role("row").filter(has_text=HELD_NAME)
    expect(row.locator(".pill.held")).to_have_text("Held for review")
    expect(row).to_contain_text("no public phone, address or web site; no category")
    check(desk, "held-workspace-list-reasons")
    held_id = row.get_by_role("link", name=HELD_NAME).get_attribute("href").rstrip("/").rsplit("/", 1)[1]
    row.get_by_role("link", name=HELD_NAME).tap()
    expect(desk.locator(".held-note")).to_contain_text(
        "Residents and officers do not see it: no public phone, address or web site; no category.")
    expect(desk.get_by_role("link", name="See it on the kiosk")).to_have_count(0)

    kiosk = open_context().new_page()
    kiosk.goto(site.url + "/search?q=unreachable+support+group")
    expect(kiosk.get_by_role("heading", level=1)).to_be_visible()
    expect(kiosk.locator("article.card").filter(has_text=HELD_NAME)).to_have_count(0)
    check(kiosk, "held-kiosk-search")
    gone = kiosk.goto(f"{site.url}/services/{held_id}")
    assert gone.status == 404
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("This service is not available")
    expect(kiosk.get_by_role("link", name="Quick exit")).to_be_visible()  # still a kiosk page
    expect(kiosk.locator("aside.crisis")).to_contain_text("988")
    expect(kiosk.locator("main")).not_to_contain_text(HELD_NAME)
    check(kiosk, "held-kiosk-detail-not-available")
    # the HSDS API gives only its withdrawn stub, so a copy kept in sync learns that it went
    stub = kiosk.request.get(f"{site.url}/api/v1/services/{held_id}").json()
    assert stub.keys() == {"id", "name", "status", "last_modified"} and stub["status"] == "inactive"
    found = kiosk.request.get(f"{site.url}/api/v1/search?q=unreachable+support+group").json()
    assert held_id not in {hit["id"] for hit in found["results"]}

    tablet = open_context(viewport={"width": 1280, "height": 800}).new_page()
    officer_sign_in(tablet, site)
    tablet.goto(site.url + "/patrol/?q=unreachable+support+group&open=0")
    expect(tablet.locator("article.card").filter(has_text=HELD_NAME)).to_have_count(0)
    check(tablet, "held-patrol-search")
    assert tablet.goto(f"{site.url}/patrol/services/{held_id}").status == 404
    expect(tablet.get_by_role("heading", level=1)).to_have_text("This service is not available")
    expect(tablet.locator("main")).not_to_contain_text(HELD_NAME)
    check(tablet, "held-patrol-detail-not-available")
