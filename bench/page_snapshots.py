"""Render a fixed set of kiosk and patrol pages with a frozen clock and fixed sessions, and
compare two such renderings byte for byte: proof that a change to templates or helpers leaves
every page as it was.

The pages: results (English, Spanish, a crisis query with its lines, a suggestion, nothing found,
a second page, open-now and free filters, services in the referral, larger text and high
contrast), detail pages (crisis, confidential, temporarily closed, officer-only phones and notes),
home, welcome, the referral page, and the patrol view (signed-in officer, from the station and
from a tablet's position), each at three local times (a weekday afternoon, a weekday early
morning and a Saturday night: open, closing, opening later today, tomorrow or on another day).

They are served from a directory of its own (an SQLite file in ``--home``: the curated directory
plus synthetic services, made on the first run and reused), so the result does not depend on
anyone else's data. Each page's CSRF tokens are replaced by ``CSRF`` (they are signed with the
time of signing), after checking that a page carries one token only; the response headers are
compared too (a new session cookie only by its presence: it is signed with the time).

Usage::

    .venv/bin/python bench/page_snapshots.py render /tmp/pages-before     # on the old code
    .venv/bin/python bench/page_snapshots.py render /tmp/pages-after      # on the new code
    .venv/bin/python bench/page_snapshots.py compare /tmp/pages-before /tmp/pages-after

``compare`` exits 1 and prints the first differing lines when any page differs.

Not a test: pytest collects ``tests/`` only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import re
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

SYNTHETIC_SERVICES = 1000
OFFICER = "snapshot.officer"
PASSWORD = "snapshot passphrase"
CSRF_VALUE = re.compile(r'((?:name="csrf_token" value|name="csrf-token" content)=")([^"]+)(")')
#: Local times the pages are rendered at (America/New_York).
CLOCKS = {
    "tue-1645": dt.datetime(2026, 11, 24, 16, 45),
    "wed-0730": dt.datetime(2026, 11, 25, 7, 30),
    "sat-2100": dt.datetime(2026, 11, 28, 21, 0),
}
RAW_CSRF = "f" * 40


def prepare(home: Path) -> Flask:
    """An app on ``home``'s own SQLite directory (made on the first run) with its index."""
    from rebuild import populate
    from sqlalchemy import select

    from directory_data import migrate
    from directory_data.accounts import add_user
    from directory_data.curated import SAMPLE_SOURCE, parts
    from directory_data.hsds.importer import import_path
    from directory_data.models import Role, Service, User
    from kiosk import create_app
    from kiosk.db import get_database
    from search_index.upkeep.follower import bring_up_to_date
    from search_index.engine.layout import IndexLayout

    home.mkdir(parents=True, exist_ok=True)
    app = create_app({"KIOSK_HOME": str(home), "SECRET_KEY": "snapshots", "TIMEZONE": "America/New_York"})
    database = get_database(app)
    migrate.upgrade(database.engine)
    factory = database.session_factory
    with factory.begin() as session:
        if session.scalar(select(Service.id).where(Service.source == SAMPLE_SOURCE).limit(1)) is None:
            for path, source in parts():
                import_path(session, path, source=source)
        if session.scalar(select(User).where(User.name == OFFICER)) is None:
            add_user(session, OFFICER, PASSWORD, Role.officer)
    with factory() as session:
        curated = len(session.scalars(select(Service.id).where(Service.source.in_([s for _, s in parts()]))).all())
    populate(factory, curated + SYNTHETIC_SERVICES)
    bring_up_to_date(IndexLayout(home / "index"), factory)
    return app


def chosen_ids(app: Flask) -> dict[str, str]:
    """Services with something particular to show, by what they show."""
    from sqlalchemy import select

    from directory_data.models import Location, Phone, PhoneAudience, Service, ServiceAtLocation, ServiceStatus
    from kiosk.db import get_database

    with get_database(app).session_factory() as session:
        def first(*where: Any) -> str:
            found = session.scalar(select(Service.id).where(*where).order_by(Service.id).limit(1))
            assert found, where
            return str(found)

        return {
            "closed": first(Service.status == ServiceStatus.temporarily_closed),
            "notes": first(Service.officer_notes.is_not(None), Service.status == ServiceStatus.active),
            "officer-phone": first(Service.id.in_(select(Phone.service_id).where(
                Phone.audience == PhoneAudience.officer)), Service.status == ServiceStatus.active),
            "confidential": first(Service.id.in_(select(ServiceAtLocation.service_id).join(Location).where(
                Location.confidential.is_(True))), Service.status == ServiceStatus.active),
            "spanish": first(Service.name_es.is_not(None), Service.status == ServiceStatus.active),
            "crisis": first(Service.name.ilike("%crisis%"), Service.status == ServiceStatus.active),
            "synthetic": first(Service.source == "synthetic"),
        }


def _sessions(app: Flask, ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The visits the pages are seen in, as session contents."""
    from sqlalchemy import select

    from directory_data.accounts import credential_stamp
    from directory_data.models import User
    from kiosk.db import get_database

    with get_database(app).session_factory() as session:
        officer = session.scalar(select(User).where(User.name == OFFICER))
        assert officer is not None
        login = {"_user_id": f"{officer.id}:{credential_stamp(officer)}", "_fresh": True, "sid": "snapshot"}
    referral = [ids["crisis"], ids["confidential"], ids["notes"]]
    return {
        "en": {},
        "es": {"lang": "es"},
        "referral-modes": {"referral": referral, "display": ["large", "contrast"]},
        "referral-es": {"lang": "es", "referral": referral, "display": ["contrast"]},
        "officer": {**login, "referral": referral},
        "officer-es": {**login, "lang": "es"},
    }


def _pages(ids: dict[str, str]) -> dict[str, list[str]]:
    """The paths rendered in each visit."""
    results = [
        "/search?category=mental-health", "/search?category=abuse", "/search?category=housing&page=2",
        "/search?q=shelter", "/search?q=food&open=1", "/search?q=counseling&free=1",
        "/search?q=I+want+to+die", "/search?q=councelling", "/search?q=vivienda",
        "/search?q=xqzzyqq", "/search?q=veterinarien", "/search?q=child+care&category=childcare", "/search?q=<b>&category=nope",
    ]
    details = [f"/services/{i}" for i in ids.values()] + [
        f"/services/{ids['crisis']}?back=/search%3Fq%3Dcrisis", f"/services/{ids['spanish']}?back=//evil.example/"]
    lobby = ["/", "/welcome", "/referral", *results, *details]
    patrol = [
        "/patrol/", "/patrol/?q=shelter", "/patrol/?q=counseling&open=0",
        "/patrol/?category=abuse&lat=28.55&lon=-81.38", "/patrol/?q=I+want+to+die&open=0",
        "/patrol/?q=food&open=0&page=2", "/patrol/referral",
        *[f"/patrol/services/{i}" for i in ids.values()],
        f"/patrol/services/{ids['notes']}?lat=28.7&lon=-81.3",
    ]
    pages = {
        "en": lobby, "es": lobby, "referral-modes": lobby[:8] + details[:3], "referral-es": lobby[:8],
        "officer": patrol + lobby[3:8], "officer-es": patrol,
    }
    return {visit: list(dict.fromkeys(paths)) for visit, paths in pages.items()}


@contextmanager
def frozen(local: dt.datetime, timezone: str) -> Iterator[None]:
    """``kiosk.pages.local_now`` (the clock of every page) answers ``local`` in ``timezone``."""
    from search_index.hours import zone

    import kiosk.pages

    moment = local.replace(tzinfo=zone(timezone))

    class FrozenDatetime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    shim = types.SimpleNamespace(**{name: getattr(dt, name) for name in dir(dt) if not name.startswith("__")})
    shim.datetime = FrozenDatetime
    with mock.patch.object(kiosk.pages, "dt", shim):
        yield


def normalise(html: str) -> str:
    """``html`` with its CSRF token replaced by ``CSRF`` (one token per page is checked)."""
    tokens = {match.group(2) for match in CSRF_VALUE.finditer(html)}
    assert len(tokens) <= 1, f"{len(tokens)} different CSRF tokens in one page"
    return CSRF_VALUE.sub(r"\1CSRF\3", html)


def fetch(client: FlaskClient, contents: dict[str, Any], path: str) -> str:
    """``path`` served in a visit holding ``contents`` (the CSRF secret fixed)."""
    import time

    with client.session_transaction() as session:
        session.clear()
        session.update(contents)
        session["csrf_token"] = RAW_CSRF
        if "_user_id" in contents:
            session["seen"] = int(time.time())
    response = client.get(path)
    body = response.get_data(as_text=True)
    headers = "".join(f"{name}: {'(set)' if name == 'Set-Cookie' else value}\n"
                      for name, value in sorted(response.headers.items()))
    return f"HTTP {response.status_code}\n{headers}\n{normalise(body)}"


def file_name(clock: str, visit: str, path: str) -> str:
    """A file name for one rendering."""
    return f"{clock}__{visit}__" + re.sub(r"[^A-Za-z0-9._-]+", "_", path).strip("_") + ".html"


def render(home: Path, out: Path) -> int:
    """Write every page of every visit at every clock into ``out``; how many."""
    app = prepare(home)
    ids = chosen_ids(app)
    sessions = _sessions(app, ids)
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    client = app.test_client()
    for clock, local in CLOCKS.items():
        with frozen(local, app.config["TIMEZONE"]):
            for visit, paths in _pages(ids).items():
                for path in paths:
                    (out / file_name(clock, visit, path)).write_text(fetch(client, sessions[visit], path))
                    count += 1
    return count


def compare(before: Path, after: Path) -> int:
    """Print how many pages are the same and the first lines of every difference; 1 if any."""
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    differ = 0
    for name in names:
        old, new = before / name, after / name
        if not old.exists() or not new.exists():
            print(f"only in {'after' if new.exists() else 'before'}: {name}")
            differ += 1
            continue
        a, b = old.read_text(), new.read_text()
        if a != b:
            differ += 1
            diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "before/" + name, "after/" + name, n=1, lineterm="")
            print("\n".join(list(diff)[:40]))
    print(f"{len(names)} pages, {len(names) - differ} identical, {differ} different")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("render", help="render the pages into a folder")
    make.add_argument("out", type=Path)
    make.add_argument("--home", type=Path, default=Path("/tmp/kiosk-page-snapshots"))
    check = sub.add_parser("compare", help="compare two folders of renderings")
    check.add_argument("before", type=Path)
    check.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "render":
        print(f"{render(args.home, args.out)} pages written to {args.out}")
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
