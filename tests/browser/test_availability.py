"""Availability in a real browser: a provider updates the counts from a phone through its private
link; an officer on another app host (its own index, following the shared database's journal)
filters "has room now" and sees the update; past the configured age the count reads "call to
check"; axe finds no WCAG 2.2 A/AA violation on the provider's form, in English and Spanish.

These tests serve their own directory (their own SQLite file) so the shared site's pages stay as
the other browser tests expect them."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from directory_data import migrate
from directory_data.accounts import add_user
from directory_data.availability_links import issue_link
from directory_data.availability_updates import add_capacity
from directory_data.db import make_engine, make_session_factory
from directory_data.journal import install_journal_hooks
from directory_data.models import Role, ServiceCapacity, utcnow
from kiosk_directory import Directory, make_directory

from .conftest import OFFICER, _make_app, _serve, shot
from .test_accessibility import violations

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}
CASEWORKER = ("case.ortiz", "caseworker desk passphrase")


@dataclass
class Hosts:
    """Two app hosts on one database, each with its own index, and the provider's link."""

    provider_url: str
    officer_url: str
    stale_url: str
    directory: Directory
    token: str
    capacity: str
    database: Path


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Hosts]:
    home = tmp_path_factory.mktemp("availability-home")
    engine = make_engine(f"sqlite:///{home / 'kiosk.db'}")
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        directory = make_directory(session)
        add_user(session, OFFICER[0], OFFICER[1], Role.officer)
        add_user(session, CASEWORKER[0], CASEWORKER[1], Role.caseworker)
        capacity = add_capacity(session, directory.shelter, unit="family beds", unit_es="camas para familias",
                                available=0, maximum=8, actor="case.worker",
                                now=utcnow() - dt.timedelta(minutes=40)).id
        token = issue_link(session, directory.shelter, "case.worker").token
        session.commit()
    engine.dispose()
    stops = []
    urls = []
    for name, overrides in (("a", {}), ("b", {}), ("c", {"AVAILABILITY_MAX_AGE_HOURS": 0.25})):
        app: Flask = _make_app(home, INDEX_DIR=str(home / f"index-{name}"), PUBLIC_BASE_URL=None, **overrides)
        url, stop = _serve(app)
        urls.append(url)
        stops.append(stop)
    yield Hosts(urls[0], urls[1], urls[2], directory, token, capacity, home / "kiosk.db")
    for stop in stops:
        stop()


def _officer(open_context: Callable[..., Any], url: str, account: tuple[str, str] = OFFICER) -> Any:
    page = open_context(viewport=TABLET).new_page()
    page.goto(url + "/officer/login")
    page.get_by_label("Name").fill(account[0])
    page.get_by_label("Password").fill(account[1])
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def _shown(page: Any, url: str) -> list[str]:
    page.goto(url)
    return page.locator("article.card .card-name").all_inner_texts()


def test_provider_updates_from_a_phone_and_the_officer_sees_room(
    open_context: Callable[..., Any], hosts: Hosts
) -> None:
    officer = _officer(open_context, hosts.officer_url)
    room_now = hosts.officer_url + "/patrol/?open=0&room=1"
    assert "Safe Harbor Shelter" not in " ".join(_shown(officer, room_now)), "no room yet"
    officer.goto(hosts.officer_url + "/patrol/?open=0")
    expect(officer.locator("article.card", has_text="Safe Harbor")).to_contain_text(
        "0 of 8 family beds free, updated 40 minutes ago")

    phone = open_context(viewport=PHONE, is_mobile=True, device_scale_factor=2).new_page()
    phone.goto(f"{hosts.provider_url}/u/{hosts.token}")
    field = phone.get_by_label("How many family beds are free right now?")
    expect(field).to_be_visible()
    box = field.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], "fits the phone"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    save = phone.get_by_role("button", name="Save")
    assert save.bounding_box()["y"] + save.bounding_box()["height"] <= PHONE["height"], "one screen"
    field.fill("3")
    save.tap()
    expect(phone.locator("#saved")).to_contain_text("Saved")
    expect(field).to_have_value("3")
    shot(phone, "availability-provider-phone")

    # The officer's host learns of it from the shared journal (its follower polls every 0.25 s).
    saved_at = time.monotonic()
    names: list[str] = []
    while time.monotonic() - saved_at < 2.0:
        names = _shown(officer, room_now)
        if any("Safe Harbor" in n for n in names):
            break
    seen_after = time.monotonic() - saved_at
    assert any("Safe Harbor" in n for n in names) and seen_after < 2.0, (names, seen_after)
    card = officer.locator("article.card", has_text="Safe Harbor")
    expect(card).to_contain_text("3 of 8 family beds free, updated 1 minute ago")
    expect(card).not_to_contain_text("Hidden Way")  # a confidential place keeps its address hidden
    assert all("Safe Harbor" in n for n in names), "only the service with room"
    shot(officer, "availability-patrol-room-now")

    # A host configured with a 15-minute age shows the same count as "call to check" once old.
    late = _officer(open_context, hosts.stale_url)
    late.goto(f"{hosts.stale_url}/patrol/services/{hosts.directory.shelter}")
    expect(late.locator(".availability")).to_contain_text("3 of 8 family beds free")


def test_past_the_configured_age_it_reads_call_to_check(open_context: Callable[..., Any], hosts: Hosts) -> None:
    engine = make_engine(f"sqlite:///{hosts.database}")
    factory = make_session_factory(engine)
    install_journal_hooks(factory)  # as in the app: the change reaches every host's index
    with factory() as session:  # the provider last reported 20 minutes ago
        session.get(ServiceCapacity, hosts.capacity).updated = utcnow() - dt.timedelta(minutes=20)
        session.commit()
    engine.dispose()
    page = _officer(open_context, hosts.stale_url)
    deadline = time.monotonic() + 10
    text = ""
    while time.monotonic() < deadline:
        page.goto(f"{hosts.stale_url}/patrol/services/{hosts.directory.shelter}")
        text = page.locator(".availability").inner_text()
        if "call to check" in text:
            break
    assert text.startswith("Family beds: call to check (last updated 20 minutes ago)"), text
    assert "3 of 8" not in text
    assert "Safe Harbor" not in " ".join(_shown(page, hosts.stale_url + "/patrol/?open=0&room=1"))
    other = _officer(open_context, hosts.officer_url)  # 12 hours by default: still a number
    other.goto(f"{hosts.officer_url}/patrol/services/{hosts.directory.shelter}")
    expect(other.locator(".availability")).to_contain_text("3 of 8 family beds free, updated 20 minutes ago")


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_the_provider_form_passes_axe(open_context: Callable[..., Any], hosts: Hosts, locale: str) -> None:
    page = open_context(viewport=PHONE, is_mobile=True, locale=locale).new_page()
    page.goto(f"{hosts.provider_url}/u/{hosts.token}")
    expect(page.locator("form.provider-form")).to_be_visible()
    shot(page, f"axe-availability-provider-{locale}")
    assert violations(page) == []
    page.locator("input[type=number]").fill("99")  # above the maximum: the error state
    page.locator("form.provider-form button[type=submit]").tap()
    expect(page.locator("[aria-invalid=true]")).to_be_visible()
    assert violations(page) == []
    page.goto(f"{hosts.provider_url}/u/not-a-working-link")
    assert violations(page) == []


def test_a_caseworker_makes_a_link_and_the_page_passes_axe(open_context: Callable[..., Any], hosts: Hosts) -> None:
    page = _officer(open_context, hosts.officer_url, CASEWORKER)
    page.goto(f"{hosts.officer_url}/admin/availability/{hosts.directory.childcare}")
    assert violations(page) == []
    page.get_by_label("What is counted (e.g. family beds)").fill("child care slots")
    page.get_by_label("In Spanish (e.g. camas para familias)").fill("plazas de cuidado infantil")
    page.get_by_label("Free now", exact=True).fill("4")
    page.get_by_label("Maximum (optional)").fill("12")
    page.get_by_role("button", name="Add", exact=True).tap()
    expect(page.locator("table.admin-table")).to_contain_text("child care slots")
    page.get_by_role("button", name="Make a new link").tap()
    link = page.locator("#new-link").inner_text()
    assert violations(page) == []
    shot(page, "availability-caseworker")
    phone = open_context(viewport=PHONE, is_mobile=True, locale="es-ES").new_page()
    phone.goto(link)
    expect(phone.get_by_label("¿Cuántas plazas de cuidado infantil hay libres ahora mismo?")).to_have_value("4")
