"""Staff accounts and signed-in test clients for the workspace tests (imported as a module)."""

from __future__ import annotations

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


def signed_in(app: Flask, session_factory: sessionmaker[Session]) -> Callable[[str], FlaskClient]:
    """A maker of clients signed in with a new account of a role."""

    def make(role: str) -> FlaskClient:
        client = app.test_client()
        name = make_account(session_factory, role, f"{role}.{id(client) % 100000}")
        response = sign_in(client, name)
        assert response.status_code == 303, response.status_code
        return client

    return make
