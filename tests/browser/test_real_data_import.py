"""A department's first import of its own data, in real Chromium on a touch screen: the preview
says how many listings of the package would be held for review and why, and offers (ticked) to
retire the fictional sample in the same import; after it, the report says what was retired and
held, the held listing is in the workspace with its reasons, and neither the sample nor the held
listing is on any kiosk or patrol page. axe-core (WCAG 2.2 A/AA) on every page and state.
Screenshots in test-artifacts/."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from directory_data.models import Role, Service
from hsds_packages import small_v1_package

from .conftest import OFFICER, Site
from .test_accessibility import check
from .test_patrol import sign_in as officer_sign_in
from .test_workspace import served_workspace, sign_in

CASEWORKER = ("case.riley", "importing caseworker passphrase")


def _sample(session: Any, directory: Any) -> None:
    """Two listings of the test directory become the fictional sample's."""
    session.execute(update(Service).where(Service.id.in_([directory.childcare, directory.housing_far]))
                    .values(source="sample"))


@pytest.fixture(scope="module")
def import_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from served_workspace(tmp_path_factory, "real-data-home",
                                {CASEWORKER: Role.caseworker, OFFICER: Role.officer}, prepare=_sample)


@pytest.fixture
def package_zip(tmp_path: Path) -> Path:
    """A three-service HSDS 1.1 package (one listing nobody can reach and without a category)
    as the ZIP a caseworker uploads."""
    folder = small_v1_package(tmp_path / "pkg")
    target = tmp_path / "harbor.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.glob("*.csv")):
            archive.write(file, f"harbor/{file.name}")
    return target


def test_the_first_import_holds_what_cannot_be_shown_and_retires_the_sample(
    open_context: Callable[..., Any], import_site: Site, package_zip: Path
) -> None:
    site = import_site
    desk = open_context(viewport={"width": 1366, "height": 900}).new_page()  # touch screen
    sign_in(desk, site, CASEWORKER)
    desk.goto(site.url + "/admin/import")
    check(desk, "import-form")
    desk.get_by_label("Package file").set_input_files(str(package_zip))
    desk.get_by_label("Source name (optional)").fill("harbor")
    desk.get_by_role("button", name="Preview the import").tap()

    expect(desk.get_by_role("heading", level=1)).to_have_text("Import preview")
    held = desk.locator("h2:has-text('Held for review') + p")
    expect(held).to_have_text("1 listing of this package would be held for review: residents and "
                              "officers would not see it until a caseworker fixes it.")
    reasons = desk.locator("h2:has-text('Held for review') + p + ul li").all_inner_texts()
    assert sorted(reasons) == ["1 listing: no category", "1 listing: no public phone, address or web site"], reasons
    choice = desk.get_by_role("group", name="The sample directory")
    expect(choice).to_contain_text("2 fictional sample listings are still shown to residents and officers.")
    retire = choice.get_by_label("Retire the sample listings in the same import (the real national and "
                                 "Florida help lines stay)")
    expect(retire).to_be_checked()
    check(desk, "import-preview-held-and-sample")
    desk.get_by_role("button", name="Import it").tap()

    expect(desk).to_have_url(f"{site.url}/admin/?status=held")
    report = desk.locator(".notice[role=status]")
    expect(report).to_contain_text("Imported:")
    expect(report).to_contain_text("2 sample listings were retired; the real national and Florida help lines stay.")
    expect(report).to_contain_text("1 listing is held for review: residents and officers do not see it "
                                   "until it is fixed.")
    row = desk.get_by_role("row").filter(has_text="Support Group")
    expect(row.locator(".pill.held")).to_have_text("Held for review")
    expect(row).to_contain_text("no public phone, address or web site; no category")
    check(desk, "import-report-held-list")
    held_id = row.get_by_role("link", name="Support Group").get_attribute("href").rstrip("/").rsplit("/", 1)[1]

    kiosk = open_context().new_page()
    kiosk.goto(site.url + "/search?category=childcare")
    expect(kiosk.get_by_role("heading", level=1)).to_be_visible()
    expect(kiosk.locator("article.card").filter(has_text="Little Steps Child Care")).to_have_count(0)
    expect(kiosk.locator(".sample-mark")).to_have_count(0)
    check(kiosk, "import-kiosk-no-sample")
    for gone in (site.directory.childcare, site.directory.housing_far, held_id):
        assert kiosk.goto(f"{site.url}/services/{gone}").status == 404, gone
        expect(kiosk.get_by_role("heading", level=1)).to_have_text("This service is not available")
    check(kiosk, "import-kiosk-retired-sample-not-available")
    kiosk.goto(site.url + "/search?q=support+group")
    expect(kiosk.locator("article.card").filter(has_text="Support Group")).to_have_count(0)

    tablet = open_context(viewport={"width": 1280, "height": 800}).new_page()
    officer_sign_in(tablet, site)
    tablet.goto(site.url + "/patrol/?q=support+group&open=0")
    expect(tablet.locator("article.card").filter(has_text="Support Group")).to_have_count(0)
    expect(tablet.locator(".sample-mark")).to_have_count(0)
    check(tablet, "import-patrol-search")
    for gone in (site.directory.childcare, held_id):
        assert tablet.goto(f"{site.url}/patrol/services/{gone}").status == 404, gone


def test_an_edit_that_leaves_no_category_holds_the_listing_until_it_is_fixed(
    open_context: Callable[..., Any], import_site: Site
) -> None:
    site = import_site
    listing = site.directory.housing_near
    desk = open_context(viewport={"width": 1366, "height": 900}).new_page()  # touch screen
    sign_in(desk, site, CASEWORKER)
    desk.goto(f"{site.url}/admin/listings/{listing}")
    categories = desk.locator("input[name=categories]:checked")
    ticked = [box.get_attribute("value") for box in categories.all()]
    assert ticked, "the listing has a category"
    for value in ticked:
        desk.locator(f"input[name=categories][value='{value}']").uncheck()
    desk.get_by_role("button", name="Save", exact=True).tap()
    notice = desk.locator(".notice[role=status]")
    expect(notice).to_contain_text("It is held for review, not shown to residents or officers, until it is "
                                   "fixed: no category.")
    expect(desk.locator(".held-note")).to_contain_text("Residents and officers do not see it: no category.")
    check(desk, "edit-held-no-category")
    kiosk = open_context().new_page()
    assert kiosk.goto(f"{site.url}/services/{listing}").status == 404
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("This service is not available")

    for value in ticked:
        desk.locator(f"input[name=categories][value='{value}']").check()
    desk.get_by_role("button", name="Save", exact=True).tap()
    expect(desk.locator(".notice[role=status]")).to_contain_text("It is published")
    expect(desk.locator(".held-note")).to_have_count(0)
    check(desk, "edit-published-again")
    assert kiosk.goto(f"{site.url}/services/{listing}").status == 200
