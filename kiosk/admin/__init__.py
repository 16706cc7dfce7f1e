"""The caseworker workspace and the admin pages, under ``/admin``.

Caseworkers (and admins) find, edit, verify, retire and restore listings and organizations,
retire and restore locations, see each listing's audit trail, work through stale listings and
problem reports, import and export HSDS packages, and read the gap report; admins also manage
staff accounts. Every change is a :mod:`directory_data` use-case naming the acting account to the
audit trail, committed once per request; the search index follows the change journal.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from markupsafe import Markup, escape

from kiosk.admin import listings, locations, organizations, problems, reports, transfer, users
from kiosk.admin.common import bp

__all__ = ["bp", "init_app", "listings", "locations", "organizations", "problems", "reports", "transfer", "users"]


def init_app(app: Flask) -> None:
    """Register the workspace on ``app`` (its sessions' changes go to the audit trail: the hooks
    are :func:`kiosk.create_cli_app`'s)."""
    app.add_template_global(option_tags)
    app.register_blueprint(bp)


def option_tags(options: Iterable[tuple[str, str]], selected: str | None) -> Markup:
    """The ``<option>`` elements of ``options`` (value, text), escaped, ``selected`` marked.

    Built in Python rather than in a template loop: an organization list of a large directory
    holds thousands of options, which a Jinja loop renders about ten times slower.
    """
    selected = selected or ""
    return Markup("".join(
        f'<option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(text)}</option>'
        for value, text in options))
