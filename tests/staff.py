"""Staff accounts and signed-in test clients for the workspace tests (imported as a module)."""

from __future__ import annotations

import html as htmllib
import itertools
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from directory_data.accounts import add_user
from directory_data.models import Role

PASSWORD = "a staff passphrase"
ROLES = ("officer", "caseworker", "admin")


def csrf_token(html: str, *, required: bool = True) -> str:
    """The CSRF token of the first form on a page (``""`` when CSRF is off and not required)."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert found or not required, "no CSRF token on the page"
    return found.group(1) if found else ""


def sign_in(client: FlaskClient, name: str, password: str = PASSWORD, *, next_url: str | None = None):
    """Post the login form as ``name``; the response."""
    token = csrf_token(client.get("/officer/login").get_data(as_text=True), required=False)
    url = "/officer/login" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(url, data={"csrf_token": token, "name": name, "password": password})


def make_account(session_factory: sessionmaker[Session], role: str, name: str | None = None) -> str:
    """Add an account with ``role``; its name."""
    name = name or f"{role}.test"
    with session_factory() as session:
        add_user(session, name, PASSWORD, Role(role))
        session.commit()
    return name


#: Numbers for the accounts of :func:`signed_in`, shared by all its makers: a test may make two
#: (one per app) on the same database, and their accounts must not share a name.
_serial = itertools.count(1)


def signed_in(app: Flask, session_factory: sessionmaker[Session]) -> Callable[[str], FlaskClient]:
    """A maker of clients signed in with a new account of a role (each account's name is new)."""

    def make(role: str) -> FlaskClient:
        client = app.test_client()
        name = make_account(session_factory, role, f"{role}.{next(_serial)}")
        response = sign_in(client, name)
        assert response.status_code == 303, response.status_code
        return client

    return make


def form_of(client: FlaskClient, url: str, *, action: str | None = None) -> dict[str, list[str]]:
    """The values a browser would submit from the form posting to ``action`` (default ``url``)
    on the page at ``url``: text inputs, ticked boxes, text areas and chosen options."""
    return form_fields(client.get(url).get_data(as_text=True), action or url)


def form_fields(page: str, action: str) -> dict[str, list[str]]:
    """The values a browser would submit from the form of ``page`` posting to ``action``."""
    start = page.index(f'<form method="post" action="{action}"')
    form = page[start:page.index("</form>", start)]
    values: dict[str, list[str]] = {}
    for match in re.finditer(r"<input ([^>]*)>", form):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))
        if "name" not in attrs:
            continue
        if attrs.get("type") in ("checkbox", "radio") and not re.search(r"\schecked\b", match.group(1)):
            continue
        values.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
    for match in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        values[match.group(1)] = [match.group(2)]
    for match in re.finditer(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', match.group(2)) or \
            re.search(r'<option value="([^"]*)"', match.group(2))
        values[match.group(1)] = [chosen.group(1) if chosen else ""]
    return {k: [htmllib.unescape(v) for v in vs] for k, vs in values.items()}
