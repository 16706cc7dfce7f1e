"""The staff login: Flask-Login over the ``user_account`` table, CSRF-protected forms.

Accounts are made with ``kiosk user add NAME --role officer|caseworker|admin`` or on the admin
pages. Signing in clears the session first and starts a server-side session
(:mod:`directory_data.staff_sessions`): the signed session cookie keeps its random token, the
account id and a fingerprint of the password hash (no "remember me" cookie). Every request checks
that the token's session still exists, so signing out, a new password, disabling the account
and a change of role end every copy of the cookie for good. Sessions also end after
``STAFF_IDLE_MINUTES`` without a request (:mod:`kiosk.staff_session`) and
``STAFF_SESSION_HOURS`` (12) after sign-in, and attempts are throttled per account and address
(:mod:`kiosk.throttle`). :func:`guard_blueprint` guards the patrol view, the caseworker workspace
and the admin pages; :func:`role_required` single views elsewhere.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from directory_data.accounts import authenticate, credential_stamp
from directory_data.models import Role, User, utcnow
from directory_data.staff_sessions import open_session, purge_sessions, session_account

from kiosk import throttle
from kiosk.db import get_session
from kiosk.i18n import LANGUAGE_KEY
from kiosk.pages import redirect_with, safe_next
from kiosk.staff_session import SESSION_ID_KEY, end_staff_session, mark_active

bp = Blueprint("auth", __name__, url_prefix="/officer")
login_manager = LoginManager()

F = TypeVar("F", bound=Callable[..., Any])
ROLES = ("officer", "caseworker", "admin")


def max_age() -> dt.timedelta:
    """How long a staff session may last after sign-in (``STAFF_SESSION_HOURS``)."""
    return dt.timedelta(hours=float(current_app.config["STAFF_SESSION_HOURS"]))


class Officer:
    """The signed-in account as Flask-Login sees it (a plain copy, not a database row)."""

    def __init__(self, user: User) -> None:
        self.id = user.id
        self.name = user.name
        self.role = user.role.value
        self.is_officer = user.is_officer
        self.is_caseworker = user.active and user.role in (Role.caseworker, Role.admin)
        self.is_admin = user.active and user.role == Role.admin
        self.stamp = credential_stamp(user)

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """What the session keeps: the account id and its credential fingerprint."""
        return f"{self.id}:{self.stamp}"


@login_manager.user_loader
def _load_user(session_id: str) -> Officer | None:
    user_id, _, stamp = session_id.partition(":")
    token = session.get(SESSION_ID_KEY)
    user = session_account(get_session(), user_id, token if isinstance(token, str) else "",
                           utcnow(), max_age())
    if user is None or not hmac.compare_digest(credential_stamp(user), stamp):
        return None  # signed out, ended, disabled, deleted, or the password changed
    return Officer(user)


class LoginForm(FlaskForm):
    """Name and password (the CSRF token comes with Flask-WTF)."""

    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=80)],
                       render_kw={"autocomplete": "username", "autocapitalize": "off"})
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


def has_role(role: str) -> bool:
    """Whether the signed-in account may act as ``role`` (``officer``, ``caseworker`` or
    ``admin``: :class:`Officer` says, and an admin may do what a caseworker may, and both may do
    what an officer may)."""
    return role in ROLES and bool(current_user.is_authenticated and getattr(current_user, f"is_{role}"))


def is_officer() -> bool:
    """Whether the request comes from a signed-in officer (or other staff)."""
    return has_role("officer")


def refusal(role: str) -> ResponseReturnValue | None:
    """None when the signed-in account has ``role``; else the login page for an anonymous
    visitor, and 403 for an account without it."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not has_role(role):
        abort(403)
    return None


def guard_blueprint(bp: Blueprint, role: str) -> None:
    """Guard every view of ``bp`` with :func:`refusal` (before the view runs)."""
    bp.before_request(lambda: refusal(role))


def role_required(role: str) -> Callable[[F], F]:
    """Guard one view with :func:`refusal` (for a view of a blueprint that is not all guarded)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refused = refusal(role)
            return view(*args, **kwargs) if refused is None else refused

        return guarded  # type: ignore[return-value]

    return decorate


#: Guards the patrol view's pages outside its blueprint (every staff account is an officer).
officer_required = role_required("officer")


def home_for(user: Officer) -> str:
    """Where an account lands after signing in: the workspace for caseworkers and admins."""
    return url_for("admin.home") if user.is_caseworker else url_for("patrol.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The login form; on success, the page that asked for a login, else the account's home
    (the workspace for caseworkers and admins, the patrol view for officers)."""
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        reserved = throttle.login_attempt(form.name.data or "")
        if reserved is None:  # throttled: the password is not checked
            return (render_template("auth/login.html", form=form, failed=False, throttled=True), 429,
                    {"Retry-After": "60"})
        user = authenticate(get_session(), form.name.data or "", form.password.data or "")
        if user is not None:
            throttle.signed_in(reserved)
            language = session.get(LANGUAGE_KEY)
            session.clear()
            if language:
                session[LANGUAGE_KEY] = language
            db = get_session()
            now = utcnow()
            purge_sessions(db, now, max_age())
            session[SESSION_ID_KEY] = open_session(db, user, now)
            staff = Officer(user)
            login_user(staff)
            mark_active()
            return redirect(safe_next(request.args.get("next"), home_for(staff)), 303)
        failed = True
    return render_template("auth/login.html", form=form, failed=failed), 401 if failed else 200


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out, end the session on the server (every copy of its cookie), forget it."""
    end_staff_session()
    logout_user()
    session.clear()
    return redirect_with(gettext("You are signed out."), url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Register the login manager and the login pages."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please sign in to continue.")
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
    app.jinja_env.globals["is_officer"] = is_officer
    app.jinja_env.globals["has_role"] = has_role
