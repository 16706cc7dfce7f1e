"""The organization field of a large directory's listing form in real Chromium on a tablet: a
name that is not found is shown with the closest organizations to choose from, nothing else the
caseworker typed is lost, and axe-core finds no WCAG 2.2 A/AA violation (English and Spanish)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from playwright.sync_api import expect

from directory_data.models import Role

from .conftest import Site
from .test_accessibility import check
from .test_workspace import served_workspace, sign_in

CASEWORKER = ("case.quinn", "caseworker passphrase")
TABLET = {"width": 820, "height": 1180}


@pytest.fixture(scope="module")
def large_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Its own instance whose six organizations count as a large directory (limit 3)."""
    yield from served_workspace(tmp_path_factory, "organization-home", {CASEWORKER: Role.caseworker},
                                ORGANIZATION_SELECT_LIMIT=3)


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_a_name_not_found_offers_choices_and_keeps_the_edits(
    open_context: Callable[..., Any], large_site: Site, locale: str
) -> None:
    site, tag = large_site, locale[:2]
    page = open_context(viewport=TABLET, locale=locale).new_page()
    labels = ("Name", "Password", "Sign in") if tag == "en" else ("Nombre", "Contraseña", "Entrar")
    sign_in(page, site, CASEWORKER, labels)
    page.goto(f"{site.url}/admin/listings/{site.directory.childcare}")
    field = page.locator("#f-organization_name")
    expect(field).to_have_value("Little Steps Child Care Inc.")
    expect(page.locator("select#f-organization_id")).to_have_count(0)
    check(page, f"workspace-organization-{tag}")

    wait = f"Three weeks ({tag})"
    page.locator("#f-wait_time").fill(wait)
    field.fill("altamonte housing")
    save = page.get_by_role("button", name="Save" if tag == "en" else "Guardar", exact=True)
    save.tap()
    expect(page.locator("#err-organization_name")).to_contain_text("no organization is named")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-wait_time")).to_have_value(wait)
    choice = page.get_by_role("radio", name=re.compile(r"^Altamonte Family Housing Inc\."))
    expect(choice).to_be_visible()
    check(page, f"workspace-organization-choices-{tag}")

    choice.check()
    save.tap()
    expect(page.get_by_role("status")).to_be_visible()
    expect(field).to_have_value("Altamonte Family Housing Inc.")
    expect(page.locator("#f-wait_time")).to_have_value(wait)
    field.fill("Little Steps Child Care Inc.")  # back, for the other language's run
    save.tap()
    expect(field).to_have_value("Little Steps Child Care Inc.")
    expect(page.locator("#err-organization_name")).to_have_count(0)
