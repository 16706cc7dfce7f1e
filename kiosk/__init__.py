"""The kiosk Flask app: lobby kiosk, patrol view, caseworker workspace, public API and CLI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from kiosk.config import default_config

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app factory.

    Settings come from :func:`kiosk.config.default_config`, then ``KIOSK_*`` environment variables
    (``KIOSK_DATABASE_URL``, ``KIOSK_INDEX_DIR`` ...), then ``config``. It has no side effects:
    nothing is created, migrated or connected until a command or request needs it.
    """
    app = create_cli_app(config)

    from flask_wtf.csrf import CSRFProtect

    from kiosk.api import directory as api_directory
    from kiosk.api import errors as api_errors
    from kiosk.api import referrals as api_referrals
    from kiosk.api import routes as api
    from kiosk import (
        admin,
        auth,
        districts,
        events,
        availability,
        health,
        i18n,
        pages,
        patrol,
        problem_reports,
        referral_pages,
        search_tally,
        security,
        staff_session,
        throttle,
        unavailable,
        views,
    )

    for module in (search_tally, i18n, pages, security):  # security's body limits come before CSRF's form reads
        module.init_app(app)
    CSRFProtect(app)
    for module in (auth, staff_session, admin, unavailable, api_errors, availability):
        module.init_app(app)
    for module in (views, health, patrol, problem_reports, api_directory, api, api_referrals, referral_pages,
                   districts, events):
        app.register_blueprint(module.bp)
    throttle.init_app(app)  # wraps views of the blueprints above
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:  # the client's address and scheme from that many reverse proxies' headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app


def create_cli_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app the ``kiosk`` command runs its commands in: the settings (as :func:`create_app`),
    the database, the change journal and audit trail hooks, the search index and the commands --
    without the pages, whose modules take about 0.8 s to import at the start of every command.
    :func:`create_app` builds on it."""
    app = Flask(__name__)
    app.config.from_mapping(default_config())
    app.config.from_prefixed_env("KIOSK")
    if config:
        app.config.from_mapping(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.config["KIOSK_HOME"])

    from directory_data.audit import install_audit_hooks

    from kiosk import db, search
    from kiosk.cli import commands as cli

    db.init_app(app)
    search.init_app(app)
    install_audit_hooks(db.get_database(app).session_factory)  # as the workspace's (idempotent)
    cli.init_app(app)
    return app


def _instance_secret(home: str) -> str:
    """The instance's secret key from ``KIOSK_HOME/secret_key``, read lazily-safe.

    The file is written by ``kiosk init``; before that a per-process random key is used.
    """
    path = os.path.join(home, "secret_key")
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:
        return os.urandom(32).hex()
