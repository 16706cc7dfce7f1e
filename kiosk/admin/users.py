"""Staff accounts, for admins: add, disable and enable, change role, set a new password.

An admin cannot disable or demote their own account (so an instance always keeps one admin who
can sign in). Every change is recorded in the audit trail (never the password or its hash).
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from directory_data.accounts import AccountError, add_user, list_users, set_active, set_password, set_role
from directory_data.audit import set_actor
from directory_data.models import Role, User

from kiosk.auth import role_required
from kiosk.db import get_session
from kiosk.admin.common import ActionForm, actor, bp, record_or_404
from kiosk.pages import redirect_with


def _page(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template("admin/users.html", users=list_users(get_session()), form=ActionForm(),
                           roles=[r.value for r in Role], error=error), status


def _user_or_404(user_id: str, *, not_own: bool = False) -> User:
    """The account ``user_id`` names (403 with ``not_own`` for the admin's own), the acting admin
    named to the audit trail."""
    user = record_or_404(User, user_id)
    if not_own and user.id == current_user.id:
        abort(403)
    set_actor(get_session(), actor())
    return user


@bp.get("/users")
@role_required("admin")
def users() -> ResponseReturnValue:
    """Every account, and a form to add one."""
    return _page()


@bp.post("/users")
@role_required("admin")
def add_account() -> ResponseReturnValue:
    """Add an account."""
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        abort(400)
    password = request.form.get("password", "")
    if password != request.form.get("confirm", ""):
        return _page(gettext("The two passwords differ."), 422)
    session = get_session()
    set_actor(session, actor())
    try:
        user = add_user(session, request.form.get("name", ""), password, role)
    except AccountError as error:
        return _page(str(error), 422)
    return redirect_with(gettext("Added %(role)s %(name)s.", role=user.role.value, name=user.name),
                         url_for("admin.users"))


@bp.post("/users/<user_id>/active")
@role_required("admin")
def set_account_active(user_id: str) -> ResponseReturnValue:
    """Disable or enable an account (``active=0|1``)."""
    user = _user_or_404(user_id, not_own=True)
    set_active(get_session(), user, request.form.get("active") == "1")
    return redirect_with(gettext("%(name)s can sign in.", name=user.name) if user.active
                         else gettext("%(name)s is disabled.", name=user.name), url_for("admin.users"))


@bp.post("/users/<user_id>/role")
@role_required("admin")
def set_account_role(user_id: str) -> ResponseReturnValue:
    """Change what an account may do."""
    user = _user_or_404(user_id, not_own=True)
    try:
        set_role(get_session(), user, Role(request.form.get("role", "")))
    except ValueError:
        abort(400)
    return redirect_with(gettext("%(name)s is now %(role)s.", name=user.name, role=user.role.value),
                         url_for("admin.users"))


@bp.post("/users/<user_id>/password")
@role_required("admin")
def reset_account_password(user_id: str) -> ResponseReturnValue:
    """Give an account a new password (its open sessions end)."""
    user = _user_or_404(user_id)
    password = request.form.get("password", "")
    if password != request.form.get("confirm", ""):
        return _page(gettext("The two passwords differ."), 422)
    try:
        set_password(get_session(), user, password)
    except AccountError as error:
        return _page(str(error), 422)
    return redirect_with(gettext("%(name)s has a new password.", name=user.name), url_for("admin.users"))
