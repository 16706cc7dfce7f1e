"""Fixtures for the browser tests: the app served from a thread, Debian's Chromium driven by
Playwright (never ``playwright install``), and a guard that fails a test when the page asked for
anything that is not on 127.0.0.1.

The suite runs on its own SQLite database holding the small test directory
(``tests/kiosk_directory.py``) and an officer account, built once per session. It skips with a
reason when ``/usr/bin/chromium`` is missing (and fails in CI, see ``missing``).
Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from conftest import IN_CI, REPO_ROOT, missing
from directory_data import migrate
from directory_data.accounts import add_user
from directory_data.db import make_engine, make_session_factory
from directory_data.models import Role
from kiosk_directory import Directory, JourneyListings, add_journey_listings, make_directory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # No DNS but loopback: any external URL in a page fails at once (and is caught below).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
OFFICER = ("officer.rivera", "patrol tablet passphrase")
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
#: Where the tablet "is" in the geolocation test: Altamonte Springs, south-west of Sanford.
ALTAMONTE = {"latitude": 28.6615, "longitude": -81.3655}


@dataclass
class Site:
    """A running app: its base URL, its Flask app and the test directory's ids."""

    url: str
    app: Flask
    directory: Directory


def _serve(app: Flask) -> tuple[str, Callable[[], None]]:
    """Serve ``app`` from a thread; its address, which is also its public address (link codes
    point at it, as they point at ``PUBLIC_BASE_URL`` in a deployment)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    if not app.config.get("PUBLIC_BASE_URL"):
        app.config["PUBLIC_BASE_URL"] = url
    return url, server.shutdown


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Directory]]:
    """An instance folder with a migrated SQLite database, the test directory and an officer."""
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is not installed (bash scripts/test.sh installs it)")
    home = tmp_path_factory.mktemp("browser-home")
    engine = make_engine(f"sqlite:///{home / 'kiosk.db'}")
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        directory = make_directory(session)
        add_user(session, OFFICER[0], OFFICER[1], Role.officer)
        session.commit()
    engine.dispose()
    yield home, directory


def _make_app(home: Path, **overrides: Any) -> Flask:
    from kiosk import create_app
    from kiosk.config import index_dir
    from kiosk.db import get_database
    from kiosk.search import catch_up_index

    config = {"TESTING": False, "SECRET_KEY": "browser-tests", "KIOSK_HOME": str(home),
              "DATABASE_URL": f"sqlite:///{home / 'kiosk.db'}", "INDEX_DIR": str(home / "index")}
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))
    return app


@pytest.fixture(scope="session")
def site(browser_home: tuple[Path, Directory]) -> Iterator[Site]:
    """The kiosk with its default idle timeout (90 s: no countdown during a test)."""
    home, directory = browser_home
    app = _make_app(home)
    url, stop = _serve(app)
    yield Site(url, app, directory)
    stop()


@pytest.fixture(scope="session")
def journey(site: Site) -> JourneyListings:
    """The journey's listings (kiosk_directory.add_journey_listings) added to the site's
    directory, searchable once this returns."""
    from kiosk.config import index_dir
    from kiosk.db import get_database
    from kiosk.search import catch_up_index

    with site.app.app_context():
        factory = get_database(site.app).session_factory
        with factory() as session:
            added = add_journey_listings(session)
        catch_up_index(factory, index_dir(site.app.config))
    return added


@pytest.fixture(scope="session")
def quick_site(browser_home: tuple[Path, Directory]) -> Iterator[Site]:
    """The same kiosk with a 2 s idle timeout and a 2 s countdown, for the idle-reset tests."""
    home, directory = browser_home
    app = _make_app(home, IDLE_TIMEOUT_SECONDS=2, IDLE_COUNTDOWN_SECONDS=2)
    url, stop = _serve(app)
    yield Site(url, app, directory)
    stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole session (a fresh profile per context)."""
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is not installed (bash scripts/test.sh installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (bash scripts/test.sh installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Traffic:
    """Every URL a browser context asked for; anything off 127.0.0.1 is aborted and kept."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.foreign: list[str] = []

    def handle(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()


@pytest.fixture
def open_context(browser: Any) -> Iterator[Callable[..., Any]]:
    """Make browser contexts (touch screen, portrait by default); each is checked at teardown
    for requests that left 127.0.0.1, and closed."""
    made: list[tuple[Any, Traffic]] = []

    def make(**options: Any) -> Any:
        settings: dict[str, Any] = {"viewport": PORTRAIT, "has_touch": True, "locale": "en-US"}
        settings.update(options)
        context = browser.new_context(**settings)
        traffic = Traffic()
        context.route("**/*", traffic.handle)
        context.traffic = traffic
        made.append((context, traffic))
        return context

    yield make
    foreign = [url for _, traffic in made for url in traffic.foreign]
    for context, _ in made:
        context.close()
    assert not foreign, f"requests left 127.0.0.1: {foreign}"


@pytest.fixture
def page(open_context: Callable[..., Any]) -> Any:
    """A page in a portrait touch-screen context, in English."""
    return open_context().new_page()


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here as a browser test (``-m "not browser"`` leaves them out)."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


__all__ = ["ALTAMONTE", "IN_CI", "LANDSCAPE", "OFFICER", "PORTRAIT", "JourneyListings", "Site", "shot"]
