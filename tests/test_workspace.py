"""The caseworker workspace through HTTP: listing pages, editing with field errors, the conflict
view, verify/retire/restore, audit log and CSV, organizations, problem reports, reports, users,
import and export, and the ``kiosk user`` commands."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import AuditEntry, ProblemReport, Service, User
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import catch_up_index
from kiosk_directory import Directory, make_directory
from staff import PASSWORD, csrf_token, sign_in, signed_in


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        made = make_directory(session)
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))
    return made


@pytest.fixture
def staff(app: Flask, session_factory: sessionmaker[Session]) -> Callable[[str], FlaskClient]:
    return signed_in(app, session_factory)


def _form(client: FlaskClient, url: str) -> dict[str, list[str]]:
    """The values a browser would submit from the listing form at ``url``."""
    html = client.get(url).get_data(as_text=True)
    values: dict[str, list[str]] = {}
    form = html[html.index('<form method="post" action="' + url):]
    for match in re.finditer(r"<input ([^>]*)>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', match.group(1)))
        flags = match.group(1)
        kind = attrs.get("type", "text")
        if "name" not in attrs:
            continue
        if kind == "checkbox" and " checked" not in f" {flags}":
            continue
        values.setdefault(attrs["name"], []).append(attrs.get("value", "") if kind != "checkbox" or "value" in attrs else "on")
    for match in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        values[match.group(1)] = [match.group(2)]
    for match in re.finditer(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', match.group(2)) or \
            re.search(r'<option value="([^"]*)"', match.group(2))
        values[match.group(1)] = [chosen.group(1) if chosen else ""]
    import html as htmllib
    return {k: [htmllib.unescape(v) for v in vs] for k, vs in values.items()}


def test_caseworker_edits_a_listing_and_sees_the_audit_log(
    staff: Callable[[str], FlaskClient], directory: Directory
) -> None:
    client = staff("caseworker")
    page = client.get("/admin/?stale=1")
    assert page.status_code == 200 and "Sanford Housing Help Desk" in page.get_data(as_text=True)
    url = f"/admin/listings/{directory.housing_near}"
    values = _form(client, url)
    values["phones-0-number"] = ["407-555-0199"]
    response = client.post(url, data=values)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert "(407) 555-0199" in client.get(url).get_data(as_text=True)
    history = client.get(url + "/history").get_data(as_text=True)
    assert "(407) 555-0133" in history and "(407) 555-0199" in history
    rows = list(csv.DictReader(io.StringIO(client.get(url + "/history.csv").get_data(as_text=True))))
    assert any(r["field_name"] == "number" and r["replacement_value"] == "(407) 555-0199" for r in rows)


def test_user_commands_disable_and_reset_password(
    app: Flask, runner: FlaskCliRunner, session_factory: sessionmaker[Session]
) -> None:
    added = runner.invoke(args=["user", "add", "Case.Ruiz", "--role", "caseworker", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0 and "added caseworker case.ruiz" in added.output
    client = app.test_client()
    assert sign_in(client, "case.ruiz").status_code == 303
    assert client.get("/admin/").status_code == 200
    reset = runner.invoke(args=["user", "reset-password", "case.ruiz", "--password-stdin"],
                          input="another long passphrase\n")
    assert reset.exit_code == 0, reset.output
    assert client.get("/admin/").status_code == 302, "a new password ends open sessions"
    assert sign_in(client, "case.ruiz").status_code == 401
    assert sign_in(client, "case.ruiz", "another long passphrase").status_code == 303
    disabled = runner.invoke(args=["user", "disable", "case.ruiz"])
    assert disabled.exit_code == 0 and "disabled case.ruiz" in disabled.output
    assert client.get("/admin/").status_code == 302, "a disabled account is signed out"
    assert sign_in(client, "case.ruiz", "another long passphrase").status_code == 401
    assert runner.invoke(args=["user", "disable", "nobody"]).exit_code == 2
    with session_factory() as session:
        trail = session.scalars(select(AuditEntry).where(AuditEntry.resource_type == "user_account")).all()
        assert {e.field_name for e in trail} >= {"active", "name", "role"}
        assert all(e.updated_by.startswith("cli") for e in trail)
        assert not any("scrypt" in (e.replacement_value + e.previous_value) for e in trail)
