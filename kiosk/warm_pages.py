"""A new worker renders its pages once before residents do.

A worker's first requests otherwise pay for compiling templates, loading translations, building
the URL map's matchers and the first searches' per-word caches: on a 10,000-service directory its
first API search took about 0.8 s and its first results page 0.45 s, with every request behind
them waiting. :func:`warm_pages` does that in the warm-up thread: it compiles every template and
sends a few public requests (:data:`PAGES` and a listing, in English and Spanish) through the app
in-process, marked (:func:`is_warm_up_request`) so they are not counted as residents' searches
(nor logged: the request log wraps the app outside).
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


def warm_pages(app: Flask) -> int:
    """Compile the templates and render the public pages once; return the requests sent.

    A page that fails is logged and skipped: the warm-up never stops a worker from serving.
    """
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html")):
        app.jinja_env.get_template(name)  # compiled and cached
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
