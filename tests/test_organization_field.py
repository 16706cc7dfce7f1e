"""The listing form's organization field: a select of every organization in a small directory, a
name resolved on save in a large one (exact, any case, several with the name, unknown, retired),
the closest names offered after a miss, and nothing else the caseworker entered lost."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.listing_edit import edit_of
from directory_data.listings import load_listing
from directory_data.models import AuditEntry, Organization, Service, utcnow
from directory_data.organization_pick import MATCHES, closest_organizations, lists_every_organization
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.forms.listing_form import Values, form_values
from kiosk.forms.organization_field import resolve_organization, with_organization
from kiosk.search import catch_up_index
from kiosk_directory import Directory, make_directory, src
from staff import form_fields, form_of, signed_in


@pytest.fixture
def directory(session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        return make_directory(session)


@pytest.fixture
def session(session_factory: sessionmaker[Session], directory: Directory) -> Iterator[Session]:
    with session_factory() as s:
        yield s


def _organization(session: Session, name: str, *, retired: bool = False) -> str:
    organization = Organization(**src(), name=name, description="", retired_at=utcnow() if retired else None)
    session.add(organization)
    session.flush()
    return organization.id


def _typed(name: str, shown: str | None = None, choice: str | None = None) -> Values:
    values = Values()
    values.put("organization_name", name)
    values.put("organization_id", shown or "")
    if choice is not None:
        values.put("organization_choice", choice)
    return values


def _org_of(session: Session, service_id: str) -> str | None:
    return session.get(Service, service_id).organization_id


def _named_org_of(session_factory: sessionmaker[Session], service_id: str) -> tuple[str, str]:
    """The id and name of the organization of the listing ``service_id``."""
    with session_factory() as s:
        organization = s.get(Service, service_id).organization
        return organization.id, organization.name


# Resolution in directory_data ------------------------------------------------------------------


def test_a_name_matching_one_organization_chooses_it_whatever_its_case_and_spacing(
    session: Session, directory: Directory
) -> None:
    target = _organization(session, "Harbor Light Family Services")
    for typed in ("Harbor Light Family Services", "harbor light FAMILY services", "  Harbor  Light Family Services "):
        pick = resolve_organization(session, _typed(typed), current_id=None)
        assert (pick.organization_id, pick.error, pick.name) == (target, None, "Harbor Light Family Services")
    assert resolve_organization(session, _typed(""), current_id=None).organization_id is None


def test_the_name_left_as_it_was_keeps_the_organization_even_with_namesakes(
    session: Session, directory: Directory
) -> None:
    current = _org_of(session, directory.counseling)
    name = session.get(Organization, current).name
    twin = _organization(session, name.upper())
    pick = resolve_organization(session, _typed(name, shown=current), current_id=current)
    assert (pick.organization_id, pick.error) == (current, None)
    # typed anew without the id it was shown with, the name is ambiguous
    pick = resolve_organization(session, _typed(name.lower()), current_id=current)
    assert pick.organization_id is None and pick.error.field == "organization_name"
    assert "2 organizations are named" in pick.error.message
    assert {o.id for o in pick.candidates} == {current, twin} and pick.total == 2
    listed = next(o for o in pick.candidates if o.id == current)
    assert listed.listings == 1 and listed.listing_names == (session.get(Service, directory.counseling).name,)
    # choosing one of them resolves it
    chosen = resolve_organization(session, _typed(name.lower(), choice=twin), current_id=current)
    assert (chosen.organization_id, chosen.error, chosen.name) == (twin, None, name.upper())


def test_an_unknown_name_offers_the_closest_names(session: Session, directory: Directory) -> None:
    target = _organization(session, "Harbor Light Family Services")
    _organization(session, "Harbor Light Youth Center")
    for number in range(MATCHES + 5):
        _organization(session, f"Family Services Network {number}")
    pick = resolve_organization(session, _typed("Harbour Lite Family Service"), current_id=None)
    assert pick.organization_id is None
    assert pick.error.message == "no organization is named “Harbour Lite Family Service”"
    assert len(pick.candidates) == MATCHES and pick.candidates[0].id == target
    assert pick.name == "Harbour Lite Family Service", "what was typed is shown again"
    # a part of the name lists the names that contain it first
    assert session.get(Organization, closest_organizations(session, "youth")[0]).name == "Harbor Light Youth Center"
    assert resolve_organization(session, _typed("zzqx"), current_id=None).candidates == ()


def test_a_retired_organization_is_not_chosen_but_a_listing_keeps_its_own(
    session: Session, directory: Directory
) -> None:
    retired = _organization(session, "Old Harbor Mission", retired=True)
    _organization(session, "Harbor Mission")
    pick = resolve_organization(session, _typed("old harbor mission"), current_id=None)
    assert pick.organization_id is None and "is retired" in pick.error.message
    assert retired not in {o.id for o in pick.candidates}
    assert "Harbor Mission" in {o.name for o in pick.candidates}
    assert resolve_organization(session, _typed("x", choice=retired), current_id=None).error is not None
    select_mode = Values()
    select_mode.put("organization_id", retired)
    assert resolve_organization(session, select_mode, current_id=None).error.field == "organization_id"
    # the listing's own retired organization stays when the form leaves it as it was
    kept = resolve_organization(session, _typed("Old Harbor Mission", shown=retired), current_id=retired)
    assert (kept.organization_id, kept.error) == (retired, None)
    assert resolve_organization(session, select_mode, current_id=retired).organization_id == retired
    assert not closest_organizations(session, "Old Harbor Mission") or \
        retired not in closest_organizations(session, "Old Harbor Mission")


def test_an_organization_is_chosen_by_its_id_or_the_address_of_its_page(
    session: Session, directory: Directory
) -> None:
    target = _organization(session, "Harbor Light Family Services")
    for typed in (target, f"https://kiosk.example.org/admin/organizations/{target}", f"/admin/organizations/{target}/"):
        assert resolve_organization(session, _typed(typed), current_id=None).organization_id == target
    unknown = resolve_organization(session, _typed("00000000-0000-4000-8000-00000000beef"), current_id=None)
    assert unknown.error.message == "not an organization of the directory"


def test_the_values_shown_again_carry_the_chosen_organization(session: Session, directory: Directory) -> None:
    target = _organization(session, "Harbor Light Family Services")
    values = _typed("harbor light family services", shown="someone-else")
    values.put("description", "kept")
    again = with_organization(values, resolve_organization(session, values, current_id=None))
    assert (again.get("organization_id"), again.get("organization_name")) == (target, "Harbor Light Family Services")
    missed = _typed("Harbr", shown="shown-id", choice="")
    again = with_organization(missed, resolve_organization(session, missed, current_id=None))
    assert (again.get("organization_id"), again.get("organization_name")) == ("shown-id", "Harbr")
    assert "organization_choice" not in again


def test_the_select_is_kept_up_to_the_limit(session: Session, directory: Directory) -> None:
    live = session.scalar(select(Organization).where(Organization.retired_at.is_(None)).limit(1))
    count = len(session.scalars(select(Organization.id).where(Organization.retired_at.is_(None))).all())
    assert lists_every_organization(session, count) and not lists_every_organization(session, count - 1)
    live.retired_at = utcnow()
    session.flush()
    assert lists_every_organization(session, count - 1), "retired organizations are not counted"


# The form through HTTP -------------------------------------------------------------------------


@pytest.fixture
def large(app_factory: Callable[..., Flask], session_factory: sessionmaker[Session], directory: Directory) -> Flask:
    """An app whose directory counts as large (more than 3 organizations), with an index."""
    app = app_factory(ORGANIZATION_SELECT_LIMIT=3)
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))
    return app


@pytest.fixture
def caseworker(large: Flask, session_factory: sessionmaker[Session]) -> FlaskClient:
    return signed_in(large, session_factory)("caseworker")


def _errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="field-error" id="err-([^"]+)"[^>]*>([^<]*)</p>', page))


def test_a_large_directory_names_the_organization_instead_of_listing_them(
    caseworker: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    url = f"/admin/listings/{directory.counseling}"
    page = caseworker.get(url).get_data(as_text=True)
    with session_factory() as s:
        current = _org_of(s, directory.counseling)
        names = list(s.scalars(select(Organization.name)))
        own = s.get(Organization, current).name
    assert 'name="organization_id"' in page and '<select id="f-organization_id"' not in page
    assert sum(name in page for name in names) == 1, "only the listing's own organization is named"
    field = re.search(r'<input type="text" id="f-organization_name"[^>]*>', page).group(0)
    assert f'value="{own}"' in field and 'aria-describedby="hint-organization_name"' in field
    values = form_fields(page, url)
    assert values["organization_name"] == [own] and values["organization_id"] == [current]
    values["description"] = ["Counseling, now on Saturdays too."]
    assert caseworker.post(url, data=values).status_code == 303
    with session_factory() as s:
        assert _org_of(s, directory.counseling) == current
        assert s.get(Service, directory.counseling).description == "Counseling, now on Saturdays too."


def test_a_typed_name_changes_the_organization_and_is_audited(
    caseworker: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    target, name = _named_org_of(session_factory, directory.housing_far)
    url = f"/admin/listings/{directory.counseling}"
    values = form_of(caseworker, url)
    values["organization_name"] = [name.swapcase()]
    assert caseworker.post(url, data=values).status_code == 303
    with session_factory() as s:
        assert _org_of(s, directory.counseling) == target
        assert s.scalar(select(AuditEntry).where(AuditEntry.resource_id == directory.counseling,
                                                 AuditEntry.field_name == "organization_id")) is not None


def test_a_name_not_found_keeps_every_other_value_and_offers_choices(
    caseworker: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    target, name = _named_org_of(session_factory, directory.housing_far)
    with session_factory() as s:
        before = s.get(Service, directory.counseling).version
    url = f"/admin/listings/{directory.counseling}"
    values = form_of(caseworker, url)
    values.update({"organization_name": [name[:-5] + "xx"], "description": ["New description"],
                   "wait_time": ["Two weeks"], "phones-1-number": ["407-555-0177"],
                   "hours-1-days": ["SA"], "hours-1-opens": ["10:00"], "hours-1-closes": ["14:00"],
                   "categories": ["housing", "mental-health"], "place-confidential": ["1"]})
    response = caseworker.post(url, data=values)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _errors(page) == {"organization_name": f"no organization is named “{name[:-5]}xx”"}
    field = re.search(r'<input type="text" id="f-organization_name"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and "err-organization_name" in field
    assert '<a href="#f-organization_name">' in page, "the summary links to the field"
    choices = re.findall(r'name="organization_choice" value="([^"]+)"', page)
    assert choices[0] == target and len(choices) <= MATCHES
    shown = form_fields(page, url)
    for key, submitted in values.items():  # nothing the caseworker entered is lost
        assert key == "csrf_token" or shown.get(key) == submitted, key
    with session_factory() as s:
        assert s.get(Service, directory.counseling).version == before, "nothing was saved"
    shown["organization_choice"] = [target]
    assert caseworker.post(url, data=shown).status_code == 303
    with session_factory() as s:
        saved = s.get(Service, directory.counseling)
        assert saved.organization_id == target and saved.description == "New description"
        assert saved.wait_time == "Two weeks" and sorted(saved.category_slugs) == ["housing", "mental-health"]
        assert "(407) 555-0177" in {p.number for p in saved.phones}


def test_several_organizations_with_the_name_are_offered_and_one_is_chosen(
    caseworker: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as s:
        first, second = _organization(s, "Grace Alliance"), _organization(s, "GRACE ALLIANCE")
        s.commit()
    url = "/admin/listings/new"
    values = form_of(caseworker, url)
    assert values["organization_name"] == [""]
    values.update({"name": ["Grace food pantry"], "organization_name": ["grace alliance"]})
    response = caseworker.post(url, data=values)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "2 organizations are named" in _errors(page)["organization_name"]
    assert set(re.findall(r'name="organization_choice" value="([^"]+)"', page)) == {first, second}
    shown = form_fields(page, url)
    assert shown["name"] == ["Grace food pantry"]
    shown["organization_choice"] = [second]
    created = caseworker.post(url, data=shown)
    assert created.status_code == 303
    with session_factory() as s:
        assert _org_of(s, created.headers["Location"].rsplit("/", 1)[1]) == second


def test_a_retired_organization_is_refused_and_the_own_one_kept(
    caseworker: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as s:
        own = _org_of(s, directory.shelter)
        s.get(Organization, own).retired_at = utcnow()
        retired = _organization(s, "Closed Harbor House", retired=True)
        s.commit()
    url = f"/admin/listings/{directory.shelter}"
    page = caseworker.get(url).get_data(as_text=True)
    assert 'id="note-organization_name"' in page and "note-organization_name" in \
        re.search(r'<input type="text" id="f-organization_name"[^>]*>', page).group(0)
    values = form_fields(page, url)
    values["wait_time"] = ["None"]
    assert caseworker.post(url, data=values).status_code == 303
    with session_factory() as s:
        assert _org_of(s, directory.shelter) == own, "saving keeps the listing's retired organization"
    values = form_of(caseworker, url)
    values["organization_name"] = ["closed harbor house"]
    response = caseworker.post(url, data=values)
    assert response.status_code == 422 and "is retired" in _errors(response.get_data(as_text=True))["organization_name"]
    assert retired not in response.get_data(as_text=True)


def test_the_conflict_view_names_both_organizations(
    large: Flask, session_factory: sessionmaker[Session], directory: Directory
) -> None:
    make = signed_in(large, session_factory)
    first, second = make("caseworker"), make("caseworker")
    url = f"/admin/listings/{directory.childcare}"
    theirs_id, theirs = _named_org_of(session_factory, directory.housing_far)
    mine_id, mine = _named_org_of(session_factory, directory.housing_near)
    a, b = form_of(first, url), form_of(second, url)
    a["organization_name"] = [theirs]
    assert first.post(url, data=a).status_code == 303
    b["organization_name"] = [mine.lower()]
    conflict = second.post(url, data=b)
    assert conflict.status_code == 409
    page = conflict.get_data(as_text=True)
    compare = page[page.index('<table class="admin-table compare">'):page.index("</table>")]
    assert theirs in compare and mine in compare and theirs_id not in compare
    shown = form_fields(page, url)
    assert (shown["organization_name"], shown["organization_id"]) == ([mine], [mine_id])
    assert second.post(url, data=shown).status_code == 303
    with session_factory() as s:
        assert _org_of(s, directory.childcare) == mine_id


def test_a_small_directory_keeps_the_select_with_the_own_retired_organization(
    app: Flask, session_factory: sessionmaker[Session], directory: Directory
) -> None:
    caseworker = signed_in(app, session_factory)("caseworker")
    with session_factory() as s:
        own = _org_of(s, directory.shelter)
        s.get(Organization, own).retired_at = utcnow()
        other_retired = _organization(s, "Closed Harbor House", retired=True)
        s.commit()
        live = s.scalars(select(Organization.id).where(Organization.retired_at.is_(None))).all()
    url = f"/admin/listings/{directory.shelter}"
    page = caseworker.get(url).get_data(as_text=True)
    select_html = re.search(r'<select id="f-organization_id".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"', select_html)
    assert set(options) == {"", own, *live} and other_retired not in options
    assert re.search(rf'<option value="{own}" selected>[^<]*\(retired\)</option>', select_html)
    assert 'name="organization_name"' not in page
    values = form_fields(page, url)
    values["wait_time"] = ["Same day"]
    assert caseworker.post(url, data=values).status_code == 303
    with session_factory() as s:
        assert _org_of(s, directory.shelter) == own
    values = form_of(caseworker, url)
    values["organization_id"] = [other_retired]
    response = caseworker.post(url, data=values)
    assert response.status_code == 422 and "is retired" in _errors(response.get_data(as_text=True))["organization_id"]


def test_the_page_does_not_grow_with_the_directory(
    app_factory: Callable[..., Flask], session_factory: sessionmaker[Session], directory: Directory
) -> None:
    url = f"/admin/listings/{directory.counseling}"
    small = signed_in(app_factory(), session_factory)("caseworker")
    before = len(small.get(url).get_data())
    with session_factory() as s:
        s.add_all(Organization(**src(), name=f"Synthetic Outreach Organization {n:04d}", description="")
                  for n in range(400))
        s.commit()
    large_page = small.get(url).get_data(as_text=True)  # 406 organizations: more than the default 300
    assert "Synthetic Outreach Organization" not in large_page
    assert len(large_page.encode()) < before + 2000, (before, len(large_page.encode()))
    select_page = signed_in(app_factory(ORGANIZATION_SELECT_LIMIT=1000), session_factory)("caseworker").get(url)
    assert select_page.get_data(as_text=True).count("Synthetic Outreach Organization") == 400


def test_the_field_speaks_spanish(caseworker: FlaskClient, directory: Directory) -> None:
    caseworker.get("/language/es")
    url = f"/admin/listings/{directory.counseling}"
    values = form_of(caseworker, url)
    values["organization_name"] = ["Seminole Crisis Counsel"]
    page = caseworker.post(url, data=values).get_data(as_text=True)
    assert "Escriba el nombre completo de la organización" in page
    assert "Elija la organización" in page


def test_form_values_round_trip_in_both_modes(session: Session, directory: Directory) -> None:
    values = form_values(edit_of(load_listing(session, directory.counseling)))
    current = values.get("organization_id")
    assert resolve_organization(session, values, current_id=current).organization_id == current
    values.put("organization_name", session.get(Organization, current).name)
    assert resolve_organization(session, values, current_id=current).organization_id == current
