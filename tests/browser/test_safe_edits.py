"""Safe editing and the sample and held marks in real Chromium: an edit followed by "Save and mark
verified" keeps the edit; a form in error verifies nothing; retiring asks first (with and without
JavaScript) and the message's Undo brings the listing back; the pages with a held listing or a
sample listing pass axe-core (WCAG 2.2 A/AA). Screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from directory_data.models import Role, Service

from .conftest import Site, shot
from .test_accessibility import check
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
    yield from served_workspace(tmp_path_factory, "safe-edits-home", {CASEWORKER: Role.caseworker},
                                prepare=_prepare)


def _desk(open_context: Callable[..., Any], **options: Any) -> Any:
    settings = {"viewport": {"width": 1366, "height": 900}, "has_touch": False, **options}
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
    expect(summary).not_to_contain_text(dt.date.today().isoformat())
    page.get_by_role("link", name="Mark verified…").click()  # leads to the form's own buttons
    expect(page.get_by_role("button", name="Save and mark verified")).to_be_in_viewport()
    expect(page.locator("#verify-hint")).to_contain_text("saves the changes in this form")
    page.get_by_label("Phone 1: number").fill("407.555.0166")
    page.get_by_label("Wait time", exact=True).fill("Same day")
    shot(page, "safe-edit-before-verify")
    page.get_by_role("button", name="Save and mark verified").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Your changes were saved and the listing was marked verified today.")
    expect(page.get_by_label("Phone 1: number")).to_have_value("(407) 555-0166")
    expect(page.get_by_label("Wait time", exact=True)).to_have_value("Same day")
    expect(summary).to_contain_text(dt.date.today().isoformat())
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
    page.get_by_role("button", name="Save and mark verified").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Nothing was saved, and the listing was not marked verified.")
    expect(page.locator("#err-phones-0-number")).to_be_visible()
    expect(page.get_by_label("Wait time", exact=True)).to_have_value("Not kept")  # nothing typed is lost
    check(page, "safe-edit-error")
    page.goto(f"{site.url}/admin/listings/{site.directory.counseling}")
    assert page.locator(".summary-box p").first.inner_text() == before
    expect(page.get_by_label("Wait time", exact=True)).to_have_value("")


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
    page.get_by_role("link", name="Retire…").click()
    expect(page.get_by_role("heading", name="Retire “Altamonte Family Housing”?")).to_be_visible()
    look(page, f"retire-question-{tag}")
    page.get_by_role("link", name="Keep it").click()
    expect(page.get_by_role("heading", name="Altamonte Family Housing", level=1)).to_be_visible()
    expect(page.locator(".summary-box .pill.retired")).to_have_count(0)

    page.get_by_role("link", name="Retire…").click()
    page.get_by_role("button", name="Retire the listing").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("“Altamonte Family Housing” was retired.")
    expect(status.get_by_role("button", name="Undo")).to_be_visible()
    expect(page.locator(".summary-box .pill.retired")).to_be_visible()
    look(page, f"retired-with-undo-{tag}")
    resident = open_context().new_page()
    assert resident.goto(f"{site.url}/services/{site.directory.housing_far}").status == 404

    status.get_by_role("button", name="Undo").click()
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
    row.get_by_role("link", name=HELD_NAME).click()
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
