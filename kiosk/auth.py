"""The officer login: Flask-Login over the ``user_account`` table, CSRF-protected forms.

Minimal on purpose, and meant to be extended by the caseworker workspace: accounts are made with
``kiosk user add NAME --role officer --password-stdin``; signing in clears the session first
(no fixation) and keeps nothing but the account id in the signed session cookie (no
"remember me" cookie). :func:`officer_required` guards the patrol view.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from directory_data.accounts import authenticate, get_user
from directory_data.models import User

from .db import get_session
from .i18n import LANGUAGE_KEY
from .pages import safe_next

bp = Blueprint("auth", __name__, url_prefix="/officer")
login_manager = LoginManager()

F = TypeVar("F", bound=Callable[..., Any])


class Officer:
    """The signed-in account as Flask-Login sees it (a plain copy, not a database row)."""

    def __init__(self, user: User) -> None:
        self.id = user.id
        self.name = user.name
        self.role = user.role.value
        self.is_officer = user.is_officer

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id kept in the session."""
        return self.id


@login_manager.user_loader
def _load_user(user_id: str) -> Officer | None:
    user = get_user(get_session(), user_id)
    return Officer(user) if user is not None else None


class LoginForm(FlaskForm):
    """Name and password (the CSRF token comes with Flask-WTF)."""

    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=80)],
                       render_kw={"autocomplete": "username", "autocapitalize": "off"})
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


def is_officer() -> bool:
    """Whether the request comes from a signed-in officer (or other staff)."""
    return bool(current_user.is_authenticated and getattr(current_user, "is_officer", False))


def officer_required(view: F) -> F:
    """Send anyone who is not a signed-in officer to the login page."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not is_officer():
            abort(403)
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The login form; on success, the patrol view (or the page that asked for a login)."""
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = authenticate(get_session(), form.name.data or "", form.password.data or "")
        if user is not None:
            language = session.get(LANGUAGE_KEY)
            session.clear()
            if language:
                session[LANGUAGE_KEY] = language
            login_user(Officer(user))
            return redirect(safe_next(request.args.get("next"), url_for("patrol.home")), 303)
        failed = True
    return render_template("auth/login.html", form=form, failed=failed), 401 if failed else 200


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out and forget the session."""
    logout_user()
    session.clear()
    flash(gettext("You are signed out."))
    return redirect(url_for("auth.login"), 303)


def init_app(app: Flask) -> None:
    """Register the login manager and the login pages."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please sign in to use the patrol view.")
    login_manager.session_protection = "basic"
    app.config.setdefault("REMEMBER_COOKIE_DURATION", 0)
    app.register_blueprint(bp)
    app.jinja_env.globals["is_officer"] = is_officer
