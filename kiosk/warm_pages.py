"""A new worker renders its pages once before residents do.

A worker that has only opened its index and filled its listing caches still pays, on its first
requests, for compiling the templates (Jinja turns each into Python code on first use), loading
the translations, building the URL map's matchers and the first searches' per-word caches:
measured on a 10,000-service directory, the first API search of a worker took about 0.8 s and
its first results page about 0.45 s, and every request that arrived in the meantime on that
worker waited behind them.

:func:`warm_pages` does that work in the worker's warm-up thread instead: it compiles every
template and sends a few public requests (home, welcome, results, a listing, API searches; in
English and Spanish) through the app in-process. Those requests are marked
(:func:`is_warm_up_request`) so they are not counted as residents' searches; they never reach the
request log, which wraps the app outside.
"""

from __future__ import annotations

import logging

from flask import Flask, has_request_context, request

log = logging.getLogger(__name__)

#: WSGI environ key set on the warm-up's own requests.
WARM_UP_KEY = "kiosk.warm_up"

#: Public pages rendered in each language (the listing page is added from a search's first hit).
PAGES = (
    "/",
    "/welcome",
    "/search?q=shelter",
    "/search?category=housing",
    "/search?q=counseling&open=1",
    "/api/v1/search?q=counseling",
    "/api/v1/search?category=mental-health",
    "/api/v1/search?q=rent+help&open_now=true&free=true",
)

#: Accept-Language of each pass (the interface's two languages).
LANGUAGES = ("en", "es")


def is_warm_up_request() -> bool:
    """True while handling one of :func:`warm_pages`' own requests."""
    return has_request_context() and bool(request.environ.get(WARM_UP_KEY))


def compile_templates(app: Flask) -> int:
    """Compile (and cache) every HTML template of ``app``; return how many."""
    names = [name for name in app.jinja_env.list_templates() if name.endswith(".html")]
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def warm_pages(app: Flask) -> int:
    """Compile the templates and render the public pages once; return the requests sent.

    A page that fails is logged and skipped: the warm-up never stops a worker from serving.
    """
    compile_templates(app)
    client = app.test_client()
    sent = 0
    listing = _first_listing(app)
    paths = [*PAGES, *([f"/services/{listing}"] if listing else [])]
    for language in LANGUAGES:
        for path in paths:
            response = client.get(path, headers={"Accept-Language": language},
                                  environ_base={WARM_UP_KEY: True})
            sent += 1
            if response.status_code >= 500:
                log.warning("warm-up request failed", extra={"fields": {
                    "path": path.split("?", 1)[0], "status": response.status_code}})
    return sent


def _first_listing(app: Flask) -> str | None:
    """The id of the first listing a plain search finds (for the listing page), if any."""
    response = app.test_client().get("/api/v1/search?q=help", environ_base={WARM_UP_KEY: True})
    results = (response.get_json(silent=True) or {}).get("results") or []
    return str(results[0]["id"]) if results and "id" in results[0] else None
