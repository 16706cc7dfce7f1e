"""A caseworker's day in real Chromium: sign in, find a stale listing, fix its phone number, save
it and mark it verified, see both in the audit log; and axe-core finds no WCAG 2.2 A/AA violation on any
workspace page (English and Spanish), the conflict view, or the problem report form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
from playwright.sync_api import expect

from directory_data import migrate
from directory_data.accounts import add_user
from directory_data.db import make_engine, make_session_factory
from directory_data.models import Role
from kiosk_directory import make_directory

from .conftest import CHROMIUM, Site, _make_app, _serve, shot
from .test_accessibility import check

CASEWORKER = ("case.morgan", "caseworker passphrase")
ADMIN = ("admin.avery", "administrator passphrase")


def served_workspace(
    tmp_path_factory: pytest.TempPathFactory, folder: str, accounts: dict[tuple[str, str], Role],
    prepare: Callable[[Any, Any], None] | None = None, **config: Any
) -> Iterator[Site]:
    """A site on its own instance (in ``folder``) with the test directory and ``accounts``
    (``prepare(session, directory)`` may add to it before the app starts)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is missing")
    home = tmp_path_factory.mktemp(folder)
    engine = make_engine(f"sqlite:///{home / 'kiosk.db'}")
    migrate.upgrade(engine)
    with make_session_factory(engine)() as session:
        directory = make_directory(session)
        for account, role in accounts.items():
            add_user(session, *account, role)
        if prepare is not None:
            prepare(session, directory)
        session.commit()
    engine.dispose()
    app = _make_app(home, **config)
    url, stop = _serve(app)
    yield Site(url, app, directory)
    stop()


@pytest.fixture(scope="module")
def workspace_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Its own instance (the day changes listings), with a caseworker and an admin."""
    yield from served_workspace(tmp_path_factory, "workspace-home",
                                {CASEWORKER: Role.caseworker, ADMIN: Role.admin})


def _desk(open_context: Callable[..., Any], locale: str = "en-US") -> Any:
    return open_context(viewport={"width": 1366, "height": 900}, has_touch=False, locale=locale).new_page()


def sign_in(page: Any, site: Site, account: tuple[str, str], labels: tuple[str, ...] = ("Name", "Password", "Sign in")) -> None:
    page.goto(site.url + "/officer/login")
    page.get_by_label(labels[0]).fill(account[0])
    page.get_by_label(labels[1]).fill(account[1])
    page.get_by_role("button", name=labels[2]).click()


def test_a_caseworkers_day(open_context: Callable[..., Any], workspace_site: Site) -> None:
    site = workspace_site
    page = _desk(open_context)
    sign_in(page, site, CASEWORKER)
    expect(page.get_by_role("heading", name="Listings", level=1)).to_be_visible()
    check(page, "workspace-listings")

    page.get_by_role("link", name="Stale", exact=True).click()
    expect(page.get_by_role("heading", name="Stale listings")).to_be_visible()
    check(page, "workspace-stale")
    page.get_by_role("row").filter(has_text="Housing").get_by_role("link", name="Open the list").click()
    row = page.get_by_role("row").filter(has_text="Sanford Housing Help Desk")
    expect(row).to_contain_text("Stale")
    row.get_by_role("link", name="Sanford Housing Help Desk").click()

    expect(page.get_by_role("heading", name="Sanford Housing Help Desk", level=1)).to_be_visible()
    check(page, "workspace-edit")
    phone = page.get_by_label("Phone 1: number")
    expect(phone).to_have_value("(407) 555-0133")
    phone.fill("407.555.0188")
    span = page.get_by_role("group", name="Span 2")  # a blank row adds Saturday hours
    span.get_by_label("Saturday").check()
    span.get_by_label("Opens").fill("10am")
    span.get_by_label("Closes").fill("2pm")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your changes were saved.")
    expect(page.get_by_label("Phone 1: number")).to_have_value("(407) 555-0188")
    expect(page.get_by_role("group", name="Span 2").get_by_label("Opens")).to_have_value("10:00")

    page.get_by_role("button", name="Save and mark verified").click()
    expect(page.get_by_role("status")).to_contain_text("Your changes were saved and the listing was marked verified today.")
    expect(page.locator(".summary-box")).to_contain_text("case.morgan")

    page.get_by_role("link", name="Audit log").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("(407) 555-0133")
    expect(table).to_contain_text("(407) 555-0188")
    expect(table).to_contain_text("assured_date")
    expect(table).to_contain_text("case.morgan")
    check(page, "workspace-history")
    shot(page, "workspace-history")

    page.goto(site.url + "/admin/?stale=1&category=housing")
    expect(page.get_by_role("status")).to_contain_text("0 listings")
    resident = open_context().new_page()
    resident.goto(f"{site.url}/services/{site.directory.housing_near}")
    expect(resident.locator(".detail")).to_contain_text("(407) 555-0188")


def test_the_conflict_view(open_context: Callable[..., Any], workspace_site: Site) -> None:
    site = workspace_site
    first, second = _desk(open_context), _desk(open_context)
    for page in (first, second):
        sign_in(page, site, CASEWORKER)
        page.goto(f"{site.url}/admin/listings/{site.directory.childcare}")
    first.get_by_label("Wait time", exact=True).fill("Two weeks")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.get_by_role("status")).to_contain_text("saved")
    second.get_by_label("Wait time", exact=True).fill("One month")
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.get_by_role("heading", name="Someone else saved this listing")).to_be_visible()
    compare = second.locator("table.compare")
    expect(compare).to_contain_text("Two weeks")
    expect(compare).to_contain_text("One month")
    check(second, "workspace-conflict")


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_workspace_pages_pass_axe(open_context: Callable[..., Any], workspace_site: Site, locale: str) -> None:
    site = workspace_site
    page = _desk(open_context, locale)
    labels = ("Name", "Password", "Sign in") if locale == "en-US" else ("Nombre", "Contraseña", "Entrar")
    sign_in(page, site, ADMIN, labels)
    expect(page.locator("h1")).to_be_visible()
    tag = locale[:2]
    pages = [("/admin/", "listings"), ("/admin/listings/new", "new"),
             (f"/admin/listings/{site.directory.counseling}", "edit"),
             ("/admin/organizations", "organizations"), ("/admin/organizations/new", "organization-new"),
             ("/admin/problems", "problems"), ("/admin/stale", "stale"),
             ("/admin/reports", "reports"), ("/admin/import", "import"), ("/admin/users", "users")]
    if tag != "en":  # the layout and the widgets are the same; Spanish adds its text and lang
        pages = [p for p in pages if p[1] in ("listings", "edit", "reports")]
    for path, name in pages:
        page.goto(site.url + path)
        check(page, f"workspace-{name}-{tag}")
    page.goto(f"{site.url}/admin/listings/{site.directory.counseling}")
    page.get_by_label("Phone 1: number" if tag == "en" else "Teléfono 1: número").fill("12")
    page.get_by_role("button", name="Save" if tag == "en" else "Guardar", exact=True).click()
    expect(page.locator("#err-phones-0-number")).to_be_visible()
    check(page, f"workspace-field-errors-{tag}")


def test_report_a_problem_from_the_kiosk(open_context: Callable[..., Any], workspace_site: Site) -> None:
    site = workspace_site
    page = open_context().new_page()
    page.goto(f"{site.url}/services/{site.directory.counseling}")
    page.get_by_role("link", name="Report a problem with this listing").tap()
    check(page, "problem-form")
    page.get_by_label("The hours are wrong").check()
    page.get_by_role("button", name="Send the report").tap()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    check(page, "problem-thanks")
    desk = _desk(open_context)
    sign_in(desk, site, CASEWORKER)
    desk.goto(site.url + "/admin/problems")
    expect(desk.get_by_role("table")).to_contain_text("The hours are wrong")
    expect(desk.get_by_role("row").filter(has_text="The hours are wrong")).to_have_count(1)  # sent once
    desk.get_by_role("link", name="Seminole Crisis Counseling Center").click()
    expect(desk.get_by_role("heading", name="Problem reports")).to_be_visible()
